//! One module per endpoint. Each handler validates strictly, answers with the RFC's error shape
//! for that endpoint, and leaves a [`Note`] in the response for the journal.
//!
//! Shared here: the form-body extractor that turns oversized, mistyped or non-UTF-8 bodies into
//! `invalid_request`, and the headers every browser-facing page carries.

pub(crate) mod admin;
pub(crate) mod authorize;
pub(crate) mod discovery;
pub(crate) mod introspect;
pub(crate) mod login;
pub(crate) mod register;
pub(crate) mod resource;
pub(crate) mod revoke;
pub(crate) mod token;

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use oauth_vocab::{Finding, Observation};

use crate::error::{ErrorCode, OAuthError};
use crate::journal::Note;
use crate::params::Params;
use crate::record::BodyTooLarge;

/// A strictly parsed `application/x-www-form-urlencoded` body.
#[derive(Debug)]
pub(crate) struct FormBody(pub(crate) Params);

impl<S: Send + Sync> FromRequest<S> for FormBody {
    type Rejection = OAuthError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if request.extensions().get::<BodyTooLarge>().is_some() {
            return Err(OAuthError::invalid_request("request body is too large"));
        }
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !crate::params::is_form_content_type(content_type) {
            return Err(OAuthError::invalid_request(format!(
                "Content-Type must be application/x-www-form-urlencoded, not {content_type:?}"
            ))
            .with_finding(Finding::RequestWrongContentType));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| OAuthError::invalid_request("request body could not be read"))?;
        Params::parse(&bytes).map(Self)
    }
}

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

/// A redirect (302 from the authorization endpoint, 303 after a form POST per
/// [RFC 9700 §4.12](https://www.rfc-editor.org/rfc/rfc9700#section-4.12)) with the browser headers.
pub(crate) fn redirect(status: StatusCode, uri: &str) -> Response {
    let response = match HeaderValue::from_str(uri) {
        Ok(location) => (status, [(header::LOCATION, location)]).into_response(),
        Err(_) => OAuthError::new(
            ErrorCode::ServerError,
            "the redirect URI cannot be sent in a Location header",
        )
        .into_page(),
    };
    browser_headers(response)
}
