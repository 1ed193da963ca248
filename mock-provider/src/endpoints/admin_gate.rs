//! Who may drive the control API under `/_admin`. A web page the tester visits must not: a
//! cross-site form can POST `text/plain`, and DNS rebinding makes a foreign name resolve to
//! loopback. So a control request is served only when it comes from a loopback peer (unless
//! `admin.allow_remote`), names the mock itself in `Host` (and any `Origin`), sends JSON when
//! it changes anything, and carries `Authorization: Bearer <admin.token>` when a token is set.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// A refused control request: the status, the `error` and its description, as JSON.
fn refuse(status: StatusCode, error: &str, description: impl Into<String>) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description.into() });
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"_admin\""),
        );
    }
    response
}

fn forbidden(description: impl Into<String>) -> Response {
    refuse(StatusCode::FORBIDDEN, "forbidden", description)
}

/// The `host:port` names the mock answers to: its base URL's, the loopback names with its
/// port, and `admin.hosts`; lowercase.
fn own_hosts(state: &AppState) -> Vec<String> {
    let authority = state
        .base_url
        .split_once("://")
        .map_or(state.base_url.as_str(), |(_, rest)| rest)
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let port = authority.rsplit_once(':').map(|(_, port)| port.to_owned());
    let mut hosts = vec![authority];
    if let Some(port) = port {
        for name in ["127.0.0.1", "localhost", "[::1]"] {
            hosts.push(format!("{name}:{port}"));
        }
    }
    hosts.extend(
        state
            .config
            .admin
            .hosts
            .iter()
            .map(|h| h.to_ascii_lowercase()),
    );
    hosts
}

/// Why the request's peer, `Host` or `Origin` shows it does not come from the tester's own
/// loopback tools, if it does not.
fn foreign(state: &AppState, request: &Request) -> Option<String> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    // `to_canonical`: on a dual-stack socket an IPv4 peer arrives as `::ffff:127.0.0.1`.
    let loopback = peer.is_some_and(|addr| addr.ip().to_canonical().is_loopback());
    if !loopback && !state.config.admin.allow_remote {
        return Some("the control API answers loopback clients only (admin.allow_remote)".into());
    }
    let hosts = own_hosts(state);
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase)
        .or_else(|| {
            request
                .uri()
                .authority()
                .map(|a| a.as_str().to_ascii_lowercase())
        });
    match host {
        None => return Some("a control request names its host (Host)".into()),
        Some(host) if !hosts.contains(&host) => {
            return Some(format!(
                "Host {host:?} is not this provider ({}; admin.hosts adds names)",
                hosts.join(", ")
            ));
        }
        Some(_) => {}
    }
    if let Some(authority) = request.uri().authority()
        && !hosts.contains(&authority.as_str().to_ascii_lowercase())
    {
        return Some(format!(
            "the request target names {authority}, not this provider"
        ));
    }
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        // The provider's own scheme: `https://` when it serves TLS.
        let scheme_end = state.base_url.find("://").map_or(0, |i| i + 3);
        let own_scheme = &state.base_url[..scheme_end];
        let own = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix(own_scheme))
            .is_some_and(|o| hosts.contains(&o.to_ascii_lowercase()));
        if !own {
            return Some(format!(
                "Origin {origin:?} is not this provider's: a web page may not drive the control API"
            ));
        }
    }
    None
}

/// Whether the request carries `Authorization: Bearer <admin.token>` (or no token is set).
fn authorized(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(token) = &state.config.admin.token else {
        return true;
    };
    headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split_once(' '))
        .is_some_and(|(scheme, given)| {
            scheme.eq_ignore_ascii_case("bearer") && token.matches(given.trim())
        })
}

/// Why a state-changing request's body is refused: it must be `application/json`, except a
/// DELETE without a body.
fn not_json(request: &Request) -> Option<String> {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return None;
    }
    let headers = request.headers();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("").to_owned());
    let is_json = content_type.as_deref().is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
    });
    let bodiless = !headers.contains_key(header::TRANSFER_ENCODING)
        && headers
            .get(header::CONTENT_LENGTH)
            .is_none_or(|len| len.as_bytes() == b"0");
    if is_json || (*request.method() == Method::DELETE && content_type.is_none() && bodiless) {
        None
    } else {
        Some(format!(
            "a {} to the control API sends Content-Type: application/json, not {}",
            request.method(),
            content_type.map_or("none".into(), |ct| format!("{ct:?}"))
        ))
    }
}

/// The middleware in front of every control route.
pub(crate) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(why) = foreign(&state, &request) {
        return forbidden(why);
    }
    if !authorized(&state, request.headers()) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the control API wants Authorization: Bearer <admin.token>",
        );
    }
    if let Some(why) = not_json(&request) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            why,
        );
    }
    next.run(request).await
}
