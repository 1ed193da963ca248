//! The middleware that writes every request and its response into the journal, and bounds the
//! request body.

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::response::Parts as ResponseParts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;
use oauth_vocab::{Endpoint, Finding, Observation};

use crate::attribution;
use crate::body_read::{self, BodyRead};
use crate::config::ProviderConfig;
use crate::journal::{JournalEntry, Note, RecordedResponse};
use crate::markers::{BodyTooLarge, DropConnection};
use crate::params::Params;
use crate::plain::PlainHttp;
use crate::state::{AppState, lock};
use crate::store::eviction;
use crate::truncation::lossy;
use oauth_vocab::redact::redact_uri;

pub(crate) async fn journal_layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let limits = &state.config.limits;
    let (bytes, too_large) = match body_read::read(body, limits).await {
        BodyRead::Whole(bytes) => (bytes, false),
        BodyRead::TooLarge | BodyRead::Broken(_) => (Bytes::new(), true),
        BodyRead::TimedOut => {
            let mut entry = request_entry(&state, &parts, &Bytes::new());
            let (parts, body) = body_read::timed_out(limits).into_parts();
            let bytes = collect(body).await;
            note_response(&mut entry, &parts, &bytes);
            state.journal.record(entry);
            return Response::from_parts(parts, Body::from(bytes));
        }
    };
    let mut entry = request_entry(&state, &parts, &bytes);
    if too_large {
        entry.findings.push(Observation::detailed(
            Finding::RequestTooLarge,
            format!("body exceeds {} bytes", limits.max_body_bytes),
        ));
    }
    let mut request = Request::from_parts(parts, Body::from(bytes));
    if too_large {
        request.extensions_mut().insert(BodyTooLarge);
    }

    let (response, evictions) = eviction::collecting(next.run(request)).await;

    let (parts, body) = response.into_parts();
    let bytes = collect(body).await;
    note_response(&mut entry, &parts, &bytes);
    entry.findings.extend(evictions);
    if entry.endpoint == Endpoint::Token {
        let params = attribution::request_params(&entry.query, &entry.form, entry.body.as_deref());
        entry.flows = attribution::flows(&lock(&state.stores), &params);
    }
    log_notable(&entry);
    state.journal.record(entry);
    Response::from_parts(parts, Body::from(bytes))
}

/// A response body, whole.
async fn collect(body: Body) -> Bytes {
    body.collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default()
}

/// The journal entry of a request, its response still to come.
fn request_entry(state: &AppState, parts: &Parts, bytes: &Bytes) -> JournalEntry {
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(crate::params::is_form_content_type);
    let path = parts.uri.path().to_owned();
    let route = parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let elapsed = state.started.elapsed();
    let (body, body_cut) = if is_form || bytes.is_empty() {
        (None, false)
    } else {
        let (body, cut) = lossy(bytes);
        (Some(body), cut)
    };
    let (headers, headers_cut) = header_pairs(&parts.headers);
    JournalEntry {
        seq: 0,
        elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        elapsed_us: u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        method: parts.method.to_string(),
        tenant: path
            .strip_prefix("/t/")
            .and_then(|rest| rest.split('/').next())
            .map(str::to_owned),
        path,
        endpoint: endpoint(&state.config, route.as_deref()),
        route,
        client_id: None,
        query: Params::parse_lossy(parts.uri.query().unwrap_or("").as_bytes())
            .pairs()
            .to_vec(),
        form: if is_form {
            Params::parse_lossy(bytes).pairs().to_vec()
        } else {
            Vec::new()
        },
        body,
        headers,
        response: RecordedResponse {
            status: 0,
            headers: Vec::new(),
            body: String::new(),
        },
        findings: Vec::new(),
        flows: Vec::new(),
        truncated: body_cut || headers_cut,
        plain_http: parts.extensions.get::<PlainHttp>().is_some(),
    }
}

/// Writes the response, or the dropped connection, and the endpoint's note into `entry`.
fn note_response(entry: &mut JournalEntry, parts: &ResponseParts, bytes: &Bytes) {
    if let Some(note) = parts.extensions.get::<Note>() {
        entry.client_id.clone_from(&note.client_id);
        entry.findings.extend(note.findings.iter().cloned());
    }
    if parts.extensions.get::<DropConnection>().is_some() {
        entry.findings.push(Observation::detailed(
            Finding::FaultDropConnection,
            "connection closed without a response",
        ));
    } else {
        let (headers, headers_cut) = header_pairs(&parts.headers);
        let (body, body_cut) = lossy(bytes);
        entry.truncated |= headers_cut || body_cut;
        entry.response = RecordedResponse {
            status: parts.status.as_u16(),
            headers,
            body,
        };
    }
}

/// Logs a request that was refused or is otherwise notable.
fn log_notable(entry: &JournalEntry) {
    if !entry.findings.is_empty() {
        tracing::info!(
            method = %entry.method,
            path = %redact_uri(&entry.path),
            status = entry.response.status,
            client_id = entry.client_id.as_deref().unwrap_or("-"),
            findings = ?entry.findings,
            "request refused or notable"
        );
    }
}

/// The headers as text, each value cut to size; and whether one was cut.
fn header_pairs(headers: &HeaderMap) -> (Vec<(String, String)>, bool) {
    let mut cut = false;
    let pairs = headers
        .iter()
        .map(|(n, v)| {
            let (value, was_cut) = lossy(v.as_bytes());
            cut |= was_cut;
            (n.as_str().to_owned(), value)
        })
        .collect();
    (pairs, cut)
}

/// The endpoint a matched route serves, by the configured paths; [`Endpoint::Other`] for an
/// unmatched one.
fn endpoint(config: &ProviderConfig, route: Option<&str>) -> Endpoint {
    let Some(route) = route else {
        return Endpoint::Other;
    };
    let route = route.strip_prefix("/t/{tenant}").unwrap_or(route);
    if route.starts_with("/.well-known/") {
        return Endpoint::Metadata;
    }
    let p = &config.paths;
    [
        (&p.authorize, Endpoint::Authorize),
        (&p.token, Endpoint::Token),
        (&p.userinfo, Endpoint::Userinfo),
        (&p.revoke, Endpoint::Revocation),
        (&p.introspect, Endpoint::Introspection),
        (&p.register, Endpoint::Registration),
        (&p.jwks, Endpoint::Jwks),
        (&p.login, Endpoint::Login),
        (&p.consent, Endpoint::Consent),
        (&config.resource.path, Endpoint::Resource),
    ]
    .into_iter()
    .find(|(path, _)| path.as_str() == route)
    .map_or_else(
        || {
            if config.resource.token_path.as_deref() == Some(route)
                || (config.mcp.enabled && config.mcp.path == route)
            {
                Endpoint::Resource
            } else {
                Endpoint::Other
            }
        },
        |(_, endpoint)| endpoint,
    )
}
