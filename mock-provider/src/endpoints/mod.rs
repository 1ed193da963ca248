//! One module per endpoint. Each handler validates strictly, answers with the RFC's error shape
//! for that endpoint, and leaves a [`Note`](crate::journal::Note) in the response for the journal
//! ([`crate::response`]).
//!
//! Shared here: the form-body extractor that turns oversized, mistyped or non-UTF-8 bodies into
//! `invalid_request`, the tenant of a `/t/{tenant}/…` route, and the redirect a browser is sent
//! with.

pub(crate) mod admin;
mod admin_gate;
pub(crate) mod authorize;
pub(crate) mod discovery;
pub(crate) mod introspect;
pub(crate) mod login;
pub(crate) mod register;
pub(crate) mod resource;
pub(crate) mod revoke;
pub(crate) mod token;
pub(crate) mod wrong_method;

use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use oauth_vocab::Finding;

use crate::error::{ErrorCode, OAuthError};
use crate::markers::BodyTooLarge;
use crate::params::Params;
use crate::response::browser_headers;

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

/// The tenant from a `/t/{tenant}/…` route, if any.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tenant(pub(crate) Option<String>);

impl Tenant {
    pub(crate) fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Tenant {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let tenant = RawPathParams::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|params| {
                params
                    .iter()
                    .find(|(k, _)| *k == "tenant")
                    .map(|(_, v)| v.to_owned())
            });
        Ok(Self(tenant))
    }
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
