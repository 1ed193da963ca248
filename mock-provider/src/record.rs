//! The middleware that writes every request and its response into the journal, and bounds the
//! request body.

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::response::Parts as ResponseParts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::{BodyExt, Limited};
use oauth_vocab::{Endpoint, Finding, Observation};

use crate::attribution;
use crate::config::ProviderConfig;
use crate::journal::{JournalEntry, Note, RecordedResponse};
use crate::markers::{BodyTooLarge, DropConnection};
use crate::params::Params;
use crate::state::{AppState, lock};
use crate::store::eviction;
use oauth_vocab::redact::redact_uri;

const BODY_RECORD_LIMIT: usize = 8 * 1024;

pub(crate) async fn journal_layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let (bytes, too_large) = read_body(body, state.config.limits.max_body_bytes).await;
    let mut entry = request_entry(&state, &parts, &bytes);
    if too_large {
        entry.findings.push(Observation::detailed(
            Finding::RequestTooLarge,
            format!("body exceeds {} bytes", state.config.limits.max_body_bytes),
        ));
    }
    let mut request = Request::from_parts(parts, Body::from(bytes));
    if too_large {
        request.extensions_mut().insert(BodyTooLarge);
    }

    let (response, evictions) = eviction::collecting(next.run(request)).await;

    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
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

/// The request body, or nothing and `true` if it exceeds `max_body_bytes`.
async fn read_body(body: Body, max_body_bytes: usize) -> (Bytes, bool) {
    match Limited::new(body, max_body_bytes).collect().await {
        Ok(collected) => (collected.to_bytes(), false),
        Err(_) => (Bytes::new(), true),
    }
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
        body: (!is_form && !bytes.is_empty()).then(|| lossy(bytes)),
        headers: header_pairs(&parts.headers),
        response: RecordedResponse {
            status: 0,
            headers: Vec::new(),
            body: String::new(),
        },
        findings: Vec::new(),
        flows: Vec::new(),
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
        entry.response = RecordedResponse {
            status: parts.status.as_u16(),
            headers: header_pairs(&parts.headers),
            body: lossy(bytes),
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

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn lossy(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(BODY_RECORD_LIMIT)];
    String::from_utf8_lossy(cut).into_owned()
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
            if config.resource.token_path.as_deref() == Some(route) {
                Endpoint::Resource
            } else {
                Endpoint::Other
            }
        },
        |(_, endpoint)| endpoint,
    )
}
