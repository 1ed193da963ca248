//! The redirect URI rules that read the client's registration and the configured matching: which
//! URI an authorization request resolves to ([RFC 6749 §3.1.2.3]) and the binding the token
//! request must repeat ([§4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)).
//!
//! [RFC 6749 §3.1.2.3]: https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3

use oauth_vocab::{Finding, Observation};

use crate::clients::ClientConfig;
use crate::config::RedirectMatch;
use crate::error::OAuthError;
use crate::redirect::{Resolved, exact_match, near_miss};

/// Resolves the authorization request's `redirect_uri`: the exact registered match, or the only
/// registered one when the request omits it
/// ([RFC 6749 §3.1.2.3](https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3)). Under the
/// `prefix` quirk, any URI starting with a registered one is taken as it was sent (the code is
/// then bound to it); the journal still notes the near miss. The error is shown as a page,
/// never sent to an unchecked URI.
pub(crate) fn resolve(
    client: &ClientConfig,
    given: Option<&str>,
    matching: RedirectMatch,
) -> Result<Resolved, OAuthError> {
    let registered = &client.redirect_uris;
    let Some(given) = given else {
        return only_registered(registered);
    };
    let resolved = |uri: &str, findings| Resolved {
        uri: uri.to_owned(),
        sent: true,
        findings,
    };
    if let Some(uri) = exact_match(registered, given) {
        return Ok(resolved(uri, Vec::new()));
    }
    let why = near_miss(registered, given);
    if matching == RedirectMatch::Prefix && registered.iter().any(|r| given.starts_with(r.as_str()))
    {
        let finding = Observation::detailed(Finding::RedirectUriNearMiss, why.unwrap_or_default())
            .tolerated("accepted: quirks.redirect_uri_match = \"prefix\"");
        return Ok(resolved(given, vec![finding]));
    }
    let mut error = OAuthError::invalid_request(format!(
        "redirect_uri {given:?} is not registered for this client (exact match required)"
    ))
    .with_finding(Finding::RedirectUriNotRegistered);
    if let Some(why) = why {
        error = error.with_finding(Observation::detailed(Finding::RedirectUriNearMiss, why));
    }
    Err(error)
}

/// A request without `redirect_uri`: only a client with exactly one registered may omit it.
fn only_registered(registered: &[String]) -> Result<Resolved, OAuthError> {
    match registered {
        [only] => Ok(Resolved {
            uri: only.clone(),
            sent: false,
            findings: Vec::new(),
        }),
        [] => Err(OAuthError::invalid_request(
            "the client has no registered redirect_uri",
        )),
        _ => Err(
            OAuthError::invalid_request("redirect_uri is required: several are registered")
                .with_finding(Finding::RedirectUriMissing),
        ),
    }
}

/// Checks the token request's `redirect_uri` against the one the code is bound to
/// ([RFC 6749 §4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)): identical, and
/// present if the authorization request carried it. Returns the `invalid_grant` to answer, or
/// the findings of a mismatch the `token_redirect_uri_unchecked` quirk let through.
pub(crate) fn check_at_token(
    bound: &str,
    bound_was_sent: bool,
    given: Option<&str>,
    unchecked: bool,
) -> Result<Vec<Observation>, OAuthError> {
    let error = match given {
        Some(given) if given != bound => OAuthError::invalid_grant(format!(
            "redirect_uri {given:?} differs from the one used at the authorization endpoint"
        ))
        .with_finding(Finding::RedirectUriDiffersAtToken),
        None if bound_was_sent => OAuthError::invalid_grant(
            "redirect_uri is missing but was sent at the authorization endpoint",
        )
        .with_finding(Finding::RedirectUriMissingAtToken),
        _ => return Ok(Vec::new()),
    };
    if !unchecked {
        return Err(error);
    }
    // The `token_redirect_uri_unchecked` quirk: the mismatch is noted, not refused.
    Ok(error
        .findings
        .into_iter()
        .map(|f| f.tolerated("ignored: quirks.token_redirect_uri_unchecked"))
        .collect())
}
