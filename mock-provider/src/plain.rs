//! The plain-HTTP listener of `plain_token_endpoint`: an HTTPS issuer whose metadata names a
//! plain `http://` token endpoint, a downgrade a client must refuse ([RFC 6749 §10.9]). The
//! listener serves the same app; each request on it is marked [`PlainHttp`] and journaled as
//! such, and a token request there is refused with `transport.plain_http`.
//!
//! [RFC 6749 §10.9]: https://www.rfc-editor.org/rfc/rfc6749#section-10.9

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use oauth_vocab::{Finding, Observation};

use crate::client_auth::claimed_client_id;
use crate::error::OAuthError;
use crate::params::Params;
use crate::response::noted;
use crate::state::AppState;

/// Marks a request that arrived on the plain-HTTP listener (a request extension).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlainHttp;

/// The app as the plain listener serves it: every request marked [`PlainHttp`].
pub(crate) fn router(app: axum::Router) -> axum::Router {
    app.layer(axum::Extension(PlainHttp))
}

/// The token endpoint's answer to a request over plain HTTP: `invalid_request`, never a token,
/// with a finding naming the secrets that travelled in the clear.
pub(crate) fn refused(state: &AppState, headers: &HeaderMap, form: Option<&Params>) -> Response {
    let client_id = form.and_then(|form| claimed_client_id(state, headers, form));
    let exposed = exposed(headers, form);
    let detail = if exposed.is_empty() {
        "a token request over plain HTTP".to_owned()
    } else {
        format!(
            "a token request over plain HTTP carried {} in the clear",
            listed(&exposed)
        )
    };
    let error = OAuthError::invalid_request("the token endpoint requires TLS")
        .with_finding(Observation::detailed(Finding::TransportPlainHttp, detail));
    noted(error.into_response(), client_id.as_deref(), Vec::new())
}

/// The secrets a token request carries, in words: its code, refresh token, verifier and client
/// credentials.
fn exposed(headers: &HeaderMap, form: Option<&Params>) -> Vec<&'static str> {
    let sent = |name: &str| {
        form.is_some_and(|f| f.pairs().iter().any(|(n, v)| n == name && !v.is_empty()))
    };
    let mut exposed: Vec<&'static str> = [
        ("code", "the authorization code"),
        ("refresh_token", "a refresh token"),
        ("code_verifier", "the code_verifier"),
        ("client_secret", "the client secret"),
    ]
    .into_iter()
    .filter(|(name, _)| sent(name))
    .map(|(_, words)| words)
    .collect();
    if headers.contains_key(axum::http::header::AUTHORIZATION) {
        exposed.push("the client's credentials (Authorization header)");
    }
    exposed
}

/// `a`, `a and b`, `a, b and c`.
fn listed(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposed_secrets_are_named() {
        let form = Params::parse_lossy(b"grant_type=authorization_code&code=ac_1&code_verifier=v");
        let mut headers = HeaderMap::new();
        assert_eq!(
            exposed(&headers, Some(&form)),
            ["the authorization code", "the code_verifier"]
        );
        headers.insert("authorization", "Basic Yzpz".parse().unwrap());
        assert_eq!(
            exposed(&headers, None),
            ["the client's credentials (Authorization header)"]
        );
        assert!(exposed(&HeaderMap::new(), None).is_empty());
        assert_eq!(listed(&["a", "b", "c"]), "a, b and c");
        assert_eq!(listed(&["a"]), "a");
    }
}
