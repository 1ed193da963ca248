//! Redirect URIs ([RFC 6749 §3.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2),
//! [RFC 9700 §2.1](https://www.rfc-editor.org/rfc/rfc9700#section-2.1)): registration checks,
//! exact matching, and the success and error responses sent back to the client
//! ([§4.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2), §4.1.2.1, with `iss` per
//! [RFC 9207](https://www.rfc-editor.org/rfc/rfc9207)). Resolution at the authorization
//! endpoint (§3.1.2.3) and the binding the token request must repeat (§4.1.3) are [`check`].

use oauth_vocab::Observation;

use crate::error::OAuthError;
use oauth_vocab::form_encode;

pub(crate) mod check;

/// Checks a URI offered for registration: absolute, and without a fragment (RFC 6749 §3.1.2).
pub(crate) fn validate_registered(uri: &str) -> Result<(), String> {
    if uri.bytes().any(|b| !b.is_ascii_graphic()) {
        return Err(format!(
            "{uri:?} must be ASCII without spaces (percent-encode the rest)"
        ));
    }
    let parsed =
        url::Url::parse(uri).map_err(|e| format!("{uri:?} is not an absolute URI: {e}"))?;
    if parsed.fragment().is_some() || uri.contains('#') {
        return Err(format!("{uri:?} has a fragment"));
    }
    if parsed.cannot_be_a_base() {
        return Err(format!("{uri:?} is not a hierarchical URI"));
    }
    Ok(())
}

/// The registered URI equal to `candidate` byte for byte, if any. No normalisation of case,
/// trailing slash, port, query or percent-encoding is applied.
pub(crate) fn exact_match<'a>(registered: &'a [String], candidate: &str) -> Option<&'a str> {
    registered
        .iter()
        .find(|r| r.as_str() == candidate)
        .map(String::as_str)
}

/// Why a registered URI would have matched under a looser comparison: the journal's
/// explanation of a near miss.
pub(crate) fn near_miss(registered: &[String], candidate: &str) -> Option<String> {
    let loose = |s: &str| s.trim_end_matches('/').to_ascii_lowercase();
    registered
        .iter()
        .find(|r| loose(r) == loose(candidate) || candidate.starts_with(r.as_str()))
        .map(|r| {
            format!("redirect_uri {candidate:?} is close to the registered {r:?} but not identical")
        })
}

/// The redirect URI an authorization request resolves to.
#[derive(Debug)]
pub(crate) struct Resolved {
    /// Where to answer: the registered URI, or the one sent when the `prefix` quirk let it in.
    pub(crate) uri: String,
    /// Whether the request carried `redirect_uri` (the token request must then repeat it).
    pub(crate) sent: bool,
    /// The findings of a near miss the `prefix` quirk let through.
    pub(crate) findings: Vec<Observation>,
}

/// Where an authorization response goes back to the client: the redirect URI, with the
/// request's `state` and the `iss` to send ([RFC 9207](https://www.rfc-editor.org/rfc/rfc9207)),
/// if any.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Callback<'a> {
    pub(crate) redirect_uri: &'a str,
    pub(crate) state: Option<&'a str>,
    pub(crate) iss: Option<&'a str>,
}

impl Callback<'_> {
    /// The success response ([RFC 6749 §4.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2)).
    pub(crate) fn with_code(self, code: &str) -> String {
        self.with(&[("code", code)], self.state)
    }

    /// The error response ([RFC 6749 §4.1.2.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1));
    /// the `state_dropped_on_error` quirk leaves `state` out.
    pub(crate) fn with_error(self, error: &OAuthError, state_dropped: bool) -> String {
        let state = self.state.filter(|_| !state_dropped);
        let params = [
            ("error", error.code.as_str()),
            ("error_description", error.description.as_str()),
        ];
        self.with(&params, state)
    }

    fn with<'p>(&'p self, first: &[(&'p str, &'p str)], state: Option<&'p str>) -> String {
        let mut params = first.to_vec();
        params.extend(state.map(|st| ("state", st)));
        params.extend(self.iss.map(|iss| ("iss", iss)));
        with_params(self.redirect_uri, &params)
    }
}

/// Appends response parameters to a redirect URI, keeping any query it already has
/// (RFC 6749 §3.1.2: the query component MUST be retained).
pub(crate) fn with_params(uri: &str, params: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(uri.len() + 128);
    out.push_str(uri);
    let mut sep = match uri.contains('?') {
        false => "?",
        true if uri.ends_with(['?', '&']) => "",
        true => "&",
    };
    for (name, value) in params {
        out.push_str(sep);
        sep = "&";
        out.push_str(name);
        out.push('=');
        out.push_str(&form_encode(value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_is_exact() {
        let registered = vec!["https://bot.test/oauth/callback".to_owned()];
        assert!(exact_match(&registered, "https://bot.test/oauth/callback").is_some());
        for variant in [
            "https://bot.test/oauth/callback/",
            "https://BOT.test/oauth/callback",
            "https://bot.test/OAuth/callback",
            "https://bot.test:443/oauth/callback",
            "https://bot.test/oauth/callback?x=1",
            "http://bot.test/oauth/callback",
            "https://bot.test/oauth/callback/evil",
            "https://bot.test/oauth/callback#f",
            "https://user@bot.test/oauth/callback",
        ] {
            assert!(
                exact_match(&registered, variant).is_none(),
                "{variant} matched"
            );
        }
    }

    #[test]
    fn params_keep_the_existing_query() {
        assert_eq!(
            with_params("https://a.test/cb?x=1", &[("code", "c d")]),
            "https://a.test/cb?x=1&code=c+d"
        );
        assert_eq!(
            with_params("https://a.test/cb", &[("a", "1"), ("b", "&")]),
            "https://a.test/cb?a=1&b=%26"
        );
    }

    #[test]
    fn registration_refuses_fragments_and_relative_uris() {
        assert!(validate_registered("https://a.test/cb#x").is_err());
        assert!(validate_registered("/cb").is_err());
        assert!(validate_registered("http://127.0.0.1:9/cb").is_ok());
        assert!(validate_registered("com.example.app:/oauth").is_ok());
    }
}
