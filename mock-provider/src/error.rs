//! OAuth error codes and the three shapes an error takes on the wire: a JSON body at the
//! token-style endpoints ([RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2)),
//! a redirect back to the client ([§4.1.2.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1)),
//! and an HTML page when the redirect target cannot be trusted.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::journal::Note;
use crate::pages::{escape, page};
use crate::response::no_store;
use oauth_vocab::Observation;

pub(crate) use oauth_vocab::ErrorCode;

/// An OAuth error with its human-readable description.
///
/// As a response it is the token endpoint's error ([RFC 6749 §5.2]): a JSON body with
/// `Cache-Control: no-store`, status 400, or 401 with `WWW-Authenticate` for `invalid_client`
/// when the client tried HTTP Basic.
///
/// [RFC 6749 §5.2]: https://www.rfc-editor.org/rfc/rfc6749#section-5.2
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    /// The registered error code.
    pub(crate) code: ErrorCode,
    /// `error_description`: what exactly was wrong.
    pub(crate) description: String,
    /// Whether the client authenticated (or tried to) with HTTP Basic.
    pub basic_auth: bool,
    /// Findings for the journal, e.g. [`Finding::PkceVerifierMismatch`](oauth_vocab::Finding::PkceVerifierMismatch).
    pub findings: Vec<Observation>,
}

impl OAuthError {
    /// A new error with this code and description.
    pub(crate) fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            basic_auth: false,
            findings: Vec::new(),
        }
    }

    /// Shorthand for `invalid_request`.
    pub(crate) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    /// Shorthand for `invalid_grant`.
    pub(crate) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidGrant, description)
    }

    /// Shorthand for `invalid_client`.
    pub(crate) fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidClient, description)
    }

    /// Records a finding about the request (the description is always recorded as well).
    pub(crate) fn with_finding(mut self, finding: impl Into<Observation>) -> Self {
        self.findings.push(finding.into());
        self
    }

    /// The HTTP status this error carries at the token, revocation and introspection endpoints.
    pub(crate) fn status(&self) -> StatusCode {
        match self.code {
            ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The JSON body `{error, error_description}`.
    pub(crate) fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": self.code.as_str(), "error_description": self.description })
    }

    /// The error as the journal records it: `code: description`.
    pub(crate) fn observation(&self) -> Observation {
        Observation::error(self.code, self.description.clone())
    }

    fn note(&self) -> Note {
        let mut findings = self.findings.clone();
        findings.push(self.observation());
        Note {
            client_id: None,
            findings,
        }
    }

    /// The error as an HTML page with no redirect (status 400): used when the client or the
    /// redirect URI cannot be trusted ([RFC 6749 §4.1.2.1]).
    ///
    /// [RFC 6749 §4.1.2.1]: https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
    pub(crate) fn into_page(self) -> Response {
        let note = self.note();
        let mut response = error_page(&self).into_response();
        response.extensions_mut().insert(note);
        response
    }
}

/// The authorization error page: status 400, the error and its description, and no redirect.
fn error_page(error: &OAuthError) -> Response {
    let body = format!(
        "<p>The authorization request cannot be completed, and the browser will not be sent back to the \
         application.</p>\n<dl>\n<dt>error</dt><dd id=\"error\">{}</dd>\n<dt>error_description</dt>\
         <dd id=\"error_description\">{}</dd>\n</dl>\n",
        error.code,
        escape(&error.description)
    );
    (
        StatusCode::BAD_REQUEST,
        Html(page("Authorization error", &body)),
    )
        .into_response()
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.description)
    }
}

impl std::error::Error for OAuthError {}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = self.status();
        let note = self.note();
        let mut response = no_store((status, axum::Json(self.body())).into_response());
        if self.code == ErrorCode::InvalidClient && self.basic_auth {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="mock-provider", charset="UTF-8""#),
            );
        }
        response.extensions_mut().insert(note);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_client_over_basic_is_401_with_challenge() {
        let mut error = OAuthError::invalid_client("bad secret");
        error.basic_auth = true;
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}
