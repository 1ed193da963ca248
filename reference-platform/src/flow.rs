//! The start of a flow: a fresh `state` and PKCE verifier per flow, the S256 challenge, and the
//! authorization request URL ([RFC 6749 §4.1.1], [RFC 7636 §4]).
//!
//! [RFC 6749 §4.1.1]: https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
//! [RFC 7636 §4]: https://www.rfc-editor.org/rfc/rfc7636#section-4

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore as _;
use rand::rngs::OsRng;
use sha2::{Digest as _, Sha256};
use url::Url;

use oauth_vocab::Secret;

/// The operating system's random generator failed.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the operating system's random generator is unavailable")]
pub(crate) struct RandomUnavailable;

/// 32 octets from the OS generator, base64url without padding (43 characters, 256 bits).
pub(crate) fn random_token() -> Result<String, RandomUnavailable> {
    let mut bytes = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|_| RandomUnavailable)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A fresh, unguessable `state` ([RFC 6749 §10.12](https://www.rfc-editor.org/rfc/rfc6749#section-10.12)).
pub(crate) fn new_state() -> Result<String, RandomUnavailable> {
    random_token()
}

/// A fresh `code_verifier`: 32 random octets base64url-encoded, 43 characters from the
/// unreserved alphabet ([RFC 7636 §4.1](https://www.rfc-editor.org/rfc/rfc7636#section-4.1)).
pub(crate) fn new_verifier() -> Result<Secret, RandomUnavailable> {
    random_token().map(Secret::new)
}

/// `BASE64URL-NOPAD(SHA256(ASCII(verifier)))` ([RFC 7636 §4.2](https://www.rfc-editor.org/rfc/rfc7636#section-4.2)).
pub(crate) fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Where a flow was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Channel {
    /// A page of the platform's own (`/link`): the browser is the user's.
    Web,
    /// A chat button's single-use link, which anyone the link reaches can open: the link is
    /// made only once the chat user confirms it (see `confirm`).
    Chat,
}

/// A flow waiting for its callback, found by its `state`.
#[derive(Debug, Clone)]
pub(crate) struct PendingFlow {
    /// The `rp_browser` cookie of the browser that started it; `None` for a flow a chat turn
    /// started by handing out the authorization URL itself (no browser was there to bind).
    pub(crate) browser: Option<Secret>,
    /// The chat session that will be linked.
    pub(crate) session: String,
    /// Where it was started.
    pub(crate) channel: Channel,
    /// The PKCE verifier, sent only to the token endpoint.
    pub(crate) verifier: Secret,
    /// The scopes requested, the grant when the token response names none.
    pub(crate) scopes: Vec<String>,
}

/// What goes into one authorization request.
#[derive(Debug)]
pub(crate) struct AuthorizationRequest<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) redirect_uri: &'a str,
    pub(crate) scopes: &'a [String],
    /// `" "` (RFC 6749 §3.3); the `comma_scopes` defect uses `","`.
    pub(crate) scope_separator: &'a str,
    pub(crate) state: &'a str,
    /// The challenge and its method: always S256 unless a PKCE defect is on.
    pub(crate) code_challenge: Option<(&'a str, &'a str)>,
    /// Further parameters (OpenChatStudio's `team`).
    pub(crate) extra: &'a [(String, String)],
}

/// The authorization endpoint with the request's parameters appended to its query (after any
/// query it already has), form-encoded.
pub(crate) fn authorization_url(endpoint: &Url, request: &AuthorizationRequest<'_>) -> String {
    let mut url = endpoint.clone();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", request.client_id)
            .append_pair("redirect_uri", request.redirect_uri);
        if !request.scopes.is_empty() {
            query.append_pair("scope", &request.scopes.join(request.scope_separator));
        }
        query.append_pair("state", request.state);
        if let Some((challenge, method)) = request.code_challenge {
            query
                .append_pair("code_challenge", challenge)
                .append_pair("code_challenge_method", method);
        }
        for (name, value) in request.extra {
            query.append_pair(name, value);
        }
    }
    url.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_43_unreserved_characters_and_fresh() {
        let a = new_verifier().unwrap();
        let b = new_verifier().unwrap();
        assert_ne!(a.expose(), b.expose());
        for v in [&a, &b] {
            assert_eq!(v.expose().len(), 43);
            assert!(
                v.expose()
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"-._~".contains(&c))
            );
            let challenge = s256_challenge(v.expose());
            assert_eq!(challenge.len(), 43);
            assert!(!challenge.contains(['=', '+', '/']));
        }
    }

    #[test]
    fn states_are_fresh() {
        let states: std::collections::HashSet<_> = (0..100).map(|_| new_state().unwrap()).collect();
        assert_eq!(states.len(), 100);
    }

    fn request<'a>(scopes: &'a [String]) -> AuthorizationRequest<'a> {
        AuthorizationRequest {
            client_id: "bot client",
            redirect_uri: "http://127.0.0.1:1/callback",
            scopes,
            scope_separator: " ",
            state: "st",
            code_challenge: Some(("ch", "S256")),
            extra: &[],
        }
    }

    #[test]
    fn the_authorization_url_carries_every_parameter_form_encoded() {
        let endpoint = Url::parse("http://127.0.0.1:9/authorize").unwrap();
        let scopes = vec!["read".to_owned(), "profile".to_owned()];
        let url = authorization_url(&endpoint, &request(&scopes));
        assert_eq!(
            url,
            "http://127.0.0.1:9/authorize?response_type=code&client_id=bot+client\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback&scope=read+profile\
             &state=st&code_challenge=ch&code_challenge_method=S256"
        );
    }

    #[test]
    fn an_existing_query_is_kept() {
        let endpoint = Url::parse("http://127.0.0.1:9/o/authorize/?team=x").unwrap();
        let url = authorization_url(&endpoint, &request(&[]));
        assert!(url.starts_with("http://127.0.0.1:9/o/authorize/?team=x&response_type=code&"));
        assert!(!url.contains("scope="));
    }
}
