//! The control API under `/_admin`: register clients, script decisions, mount and clear faults,
//! read and clear the journal, behind the gate of [`admin_gate`](super::admin_gate).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::body_read::{self, BodyRead};
use crate::clients::ClientConfig;
use crate::control::ControlError;
use crate::decision::ScriptedDecision;
use crate::endpoints::wrong_method::control;
use crate::faults::Fault;
use crate::state::{AppState, lock};
use oauth_vocab::redact::mask;

fn admin_error(status: StatusCode, description: impl Into<String>) -> Response {
    let body =
        serde_json::json!({ "error": "invalid_request", "error_description": description.into() });
    (status, axum::Json(body)).into_response()
}

/// Filters for reading the journal or listing clients.
#[derive(Debug, Deserialize)]
pub(crate) struct Filter {
    client_id: Option<String>,
    #[serde(default)]
    reveal: bool,
}

/// The query of a control request, refused with a JSON error when it does not parse.
pub(crate) struct AdminQuery(Filter);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for AdminQuery {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Response> {
        Query::<Filter>::from_request_parts(parts, state)
            .await
            .map(|Query(filter)| Self(filter))
            .map_err(|e| {
                admin_error(
                    StatusCode::BAD_REQUEST,
                    format!("bad query: {}", e.body_text()),
                )
            })
    }
}

/// The journal as a JSON array, built one entry at a time; `x-journal-dropped` counts the
/// entries dropped to stay within its bounds, `x-journal-bytes` what it holds.
async fn journal(State(state): State<AppState>, AdminQuery(filter): AdminQuery) -> Response {
    let entries = state.journal.entries(filter.client_id.as_deref());
    let redactor = (!filter.reveal).then(|| crate::redaction::known_secrets(&state).redactor());
    let mut body = b"[".to_vec();
    for (i, entry) in entries.into_iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        let written = match &redactor {
            None => serde_json::to_writer(&mut body, &entry),
            Some(redactor) => serde_json::to_writer(&mut body, &entry.redacted_with(redactor)),
        };
        if let Err(e) = written {
            return admin_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
        }
    }
    body.push(b']');
    (
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                HeaderName::from_static("x-journal-dropped"),
                state.journal.dropped().to_string(),
            ),
            (
                HeaderName::from_static("x-journal-bytes"),
                state.journal.bytes().to_string(),
            ),
        ],
        body,
    )
        .into_response()
}

async fn clear_journal(State(state): State<AppState>) -> StatusCode {
    state.journal.clear();
    StatusCode::NO_CONTENT
}

/// The authorization server's metadata documents answer 503 from now on.
async fn start_outage(State(state): State<AppState>) -> StatusCode {
    state.set_metadata_outage(true);
    StatusCode::NO_CONTENT
}

/// They are served again.
async fn end_outage(State(state): State<AppState>) -> StatusCode {
    state.set_metadata_outage(false);
    StatusCode::NO_CONTENT
}

async fn clients(State(state): State<AppState>, AdminQuery(filter): AdminQuery) -> Response {
    let mut clients = state.clients_snapshot();
    if !filter.reveal {
        for client in &mut clients {
            client.client_secret = client.client_secret.as_deref().map(mask);
        }
    }
    axum::Json(clients).into_response()
}

async fn add_client(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    if body.trim_ascii_start().first() != Some(&b'{') {
        // serde would also read a client from a JSON array.
        return admin_error(StatusCode::BAD_REQUEST, "a client is a JSON object");
    }
    let client: ClientConfig = match serde_json::from_slice(&body) {
        Ok(client) => client,
        Err(e) => {
            return admin_error(
                StatusCode::BAD_REQUEST,
                format!("not a client registration: {e}"),
            );
        }
    };
    match state.add_client(client) {
        Ok(()) => StatusCode::CREATED.into_response(),
        Err(why) => admin_error(StatusCode::BAD_REQUEST, why.to_string()),
    }
}

async fn add_decision(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let scripted: ScriptedDecision = match serde_json::from_slice(&body) {
        Ok(d) => d,
        Err(e) => return admin_error(StatusCode::BAD_REQUEST, format!("not a decision: {e}")),
    };
    match state.add_decision(scripted) {
        Ok(()) => StatusCode::CREATED.into_response(),
        Err(why) => admin_error(StatusCode::BAD_REQUEST, why.to_string()),
    }
}

/// A path the control API does not serve: 404 with its JSON error.
async fn unknown(uri: axum::http::Uri) -> Response {
    let description = format!(
        "the control API serves nothing at /_admin{}: it serves /_admin/journal, \
         /_admin/clients, /_admin/decisions and /_admin/faults",
        uri.path()
    );
    let body = serde_json::json!({ "error": "not_found", "error_description": description });
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

async fn faults(State(state): State<AppState>) -> Response {
    axum::Json(state.faults.list()).into_response()
}

async fn add_fault(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<Fault>(&body) {
        Ok(fault) => match state.faults.add(fault) {
            Ok(_) => StatusCode::CREATED.into_response(),
            Err(why @ ControlError::TooManyFaults { .. }) => {
                admin_error(StatusCode::CONFLICT, why.to_string())
            }
            Err(why) => admin_error(StatusCode::BAD_REQUEST, why.to_string()),
        },
        Err(e) => admin_error(StatusCode::BAD_REQUEST, format!("not a fault: {e}")),
    }
}

async fn clear_faults(State(state): State<AppState>, AdminQuery(filter): AdminQuery) -> StatusCode {
    state.faults.clear(filter.client_id.as_deref());
    StatusCode::NO_CONTENT
}

async fn decisions(State(state): State<AppState>) -> Response {
    let pending: Vec<_> = lock(&state.decisions)
        .values()
        .flat_map(|queue| queue.iter().map(ScriptedDecision::listed))
        .collect();
    axum::Json(pending).into_response()
}

/// Reads a control request's body within `limits.max_body_bytes` (and in time): what it
/// registers or mounts stays bounded in size as well as in number. A larger body gets a JSON 413.
async fn bounded_body(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let limits = &state.config.limits;
    let (parts, body) = request.into_parts();
    match body_read::read(body, limits).await {
        BodyRead::Whole(bytes) => {
            let body = axum::body::Body::from(bytes);
            next.run(axum::extract::Request::from_parts(parts, body))
                .await
        }
        BodyRead::TooLarge => admin_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the body exceeds limits.max_body_bytes ({} bytes)",
                limits.max_body_bytes
            ),
        ),
        BodyRead::TimedOut => body_read::timed_out(limits),
        BodyRead::Broken(why) => admin_error(
            StatusCode::BAD_REQUEST,
            format!("the body could not be read: {why}"),
        ),
    }
}

pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/journal",
            get(journal)
                .delete(clear_journal)
                .fallback(control("GET, DELETE")),
        )
        .route(
            "/clients",
            get(clients).post(add_client).fallback(control("GET, POST")),
        )
        .route(
            "/decisions",
            get(decisions)
                .post(add_decision)
                .fallback(control("GET, POST")),
        )
        .route(
            "/metadata_outage",
            post(start_outage)
                .delete(end_outage)
                .fallback(control("POST, DELETE")),
        )
        .route(
            "/faults",
            get(faults)
                .post(add_fault)
                .delete(clear_faults)
                .fallback(control("GET, POST, DELETE")),
        )
        .fallback(unknown)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            bounded_body,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::admin_gate::guard,
        ))
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, SocketAddr};

    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::{Request, StatusCode};
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    use crate::app::router;
    use crate::config::{AdminConfig, ProviderConfig};
    use crate::state::AppState;

    fn app(allow_remote: bool) -> (AppState, axum::Router) {
        let config = ProviderConfig {
            admin: AdminConfig {
                allow_remote,
                ..AdminConfig::default()
            },
            ..ProviderConfig::default()
        };
        let state = AppState::new(config, "http://127.0.0.1:1".into(), None, None, None);
        (state.clone(), router(state))
    }

    /// Sends a control request from `peer` (none: no `ConnectInfo` at all).
    async fn send(
        app: axum::Router,
        method: &str,
        path: &str,
        body: &str,
        peer: Option<IpAddr>,
    ) -> (StatusCode, serde_json::Value) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1:1")
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .expect("a valid request");
        if let Some(ip) = peer {
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(ip, 40_000)));
        }
        let response = app.oneshot(request).await.unwrap_or_else(|e| match e {});
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        let json = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("a JSON body")
        };
        (status, json)
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().expect("an IP address"))
    }

    #[tokio::test]
    async fn a_remote_peer_is_refused_with_403() {
        // Arrange
        let (_, app) = app(false);
        // Act
        let (status, body) = send(app, "GET", "/_admin/journal", "", ip("10.0.0.1")).await;
        // Assert
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"], "forbidden");
        assert!(
            body["error_description"]
                .as_str()
                .is_some_and(|d| d.contains("allow_remote")),
            "{body}"
        );
    }

    #[tokio::test]
    async fn a_remote_peer_cannot_register_a_client() {
        // Arrange
        let (state, app) = app(false);
        let client = r#"{"client_id": "evil", "client_secret": "s", "redirect_uris": ["https://evil.test/cb"]}"#;
        // Act
        let (status, _) = send(app, "POST", "/_admin/clients", client, ip("10.0.0.1")).await;
        // Assert
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            state.client("evil").is_none(),
            "the refused request took effect"
        );
    }

    #[tokio::test]
    async fn an_ipv4_mapped_remote_peer_is_refused() {
        // Arrange
        let (_, app) = app(false);
        // Act
        let (status, _) = send(app, "GET", "/_admin/journal", "", ip("::ffff:10.0.0.1")).await;
        // Assert
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn a_request_without_a_known_peer_is_refused() {
        // Arrange
        let (_, app) = app(false);
        // Act
        let (status, _) = send(app, "GET", "/_admin/journal", "", None).await;
        // Assert
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn loopback_peers_are_served() {
        for peer in ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"] {
            // Arrange
            let (_, app) = app(false);
            // Act
            let (status, body) = send(app, "GET", "/_admin/journal", "", ip(peer)).await;
            // Assert
            assert_eq!(status, StatusCode::OK, "{peer}");
            assert_eq!(body, serde_json::json!([]), "{peer}");
        }
    }

    #[tokio::test]
    async fn allow_remote_serves_a_remote_peer() {
        // Arrange
        let (_, app) = app(true);
        // Act
        let (status, body) = send(app, "GET", "/_admin/journal", "", ip("10.0.0.1")).await;
        // Assert
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, serde_json::json!([]));
    }
}
