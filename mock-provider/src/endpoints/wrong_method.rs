//! The answer to a method an endpoint does not serve: 405 with `Allow` and the endpoint's own
//! error shape — the JSON error of the token-style endpoints and the metadata
//! ([RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2)), the HTML error page of
//! the browser-facing ones, the control API's JSON error — never an empty body.

use std::future::{Ready, ready};

use axum::http::Method;
use axum::response::{IntoResponse, Response};

use crate::error::OAuthError;
use crate::response::{browser_headers, method_not_allowed};

/// What the error says: the method refused and the ones served.
fn description(method: &Method, allow: &str) -> String {
    format!("method {method} is not allowed here: this endpoint accepts {allow} only")
}

/// A fallback answering with a JSON `invalid_request`.
pub(crate) fn json(
    allow: &'static str,
) -> impl Fn(Method) -> Ready<Response> + Clone + Send + Sync + 'static {
    move |method| {
        let error = OAuthError::invalid_request(description(&method, allow));
        ready(method_not_allowed(error.into_response(), allow))
    }
}

/// A fallback answering with the HTML error page (authorization, login and consent).
pub(crate) fn page(
    allow: &'static str,
) -> impl Fn(Method) -> Ready<Response> + Clone + Send + Sync + 'static {
    move |method| {
        let error = OAuthError::invalid_request(description(&method, allow));
        ready(browser_headers(method_not_allowed(
            error.into_page(),
            allow,
        )))
    }
}

/// A fallback answering with the control API's JSON error.
pub(crate) fn control(
    allow: &'static str,
) -> impl Fn(Method) -> Ready<Response> + Clone + Send + Sync + 'static {
    move |method| {
        let body = serde_json::json!({
            "error": "invalid_request",
            "error_description": description(&method, allow),
        });
        ready(method_not_allowed(axum::Json(body).into_response(), allow))
    }
}
