//! Response helpers every layer above the errors shares: the journal note a handler leaves in its
//! response, and the headers for browser pages, credential-bearing answers and wrong methods.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use oauth_vocab::Observation;

use crate::journal::Note;

/// Adds the client and findings to the response's journal note.
pub(crate) fn noted(
    mut response: Response,
    client_id: Option<&str>,
    findings: Vec<Observation>,
) -> Response {
    let note = Note {
        client_id: client_id.map(str::to_owned),
        findings,
    };
    match response.extensions_mut().get_mut::<Note>() {
        Some(existing) => existing.merge(note),
        None => {
            response.extensions_mut().insert(note);
        }
    }
    response
}

/// Headers for pages a browser renders or follows: no caching, no referrer, no framing
/// ([RFC 9700 §4.2, §4.16](https://www.rfc-editor.org/rfc/rfc9700#section-4.16)).
pub(crate) fn browser_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    response
}

/// Headers for a response that carries tokens or credentials: never cached
/// ([RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1)).
pub(crate) fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// A request with a method the endpoint does not serve: 405 with `Allow`.
pub(crate) fn method_not_allowed(mut response: Response, allow: &'static str) -> Response {
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}
