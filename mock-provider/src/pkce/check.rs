//! The PKCE rules a client's registration imposes on its requests: the challenge an
//! authorization request must carry under the client's policy ([RFC 7636 §4.3], §4.4.1;
//! [RFC 9700 §2.1.1]) and the verifier check at the token endpoint (§4.5, §4.6).
//!
//! [RFC 7636 §4.3]: https://www.rfc-editor.org/rfc/rfc7636#section-4.3
//! [RFC 9700 §2.1.1]: https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1

use oauth_vocab::{Finding, Observation};

use crate::clients::ClientConfig;
use crate::error::OAuthError;
use crate::params::Params;
use crate::pkce::{ChallengeMethod, PkcePolicy, VerifyError, is_well_formed, verify};

/// The authorization request's challenge under the client's policy ([RFC 7636 §4.4.1],
/// [RFC 9700 §2.1.1]): the challenge and method to bind to the code, `None` when PKCE is
/// optional for this client and was not used, or the `invalid_request` to answer.
///
/// [RFC 7636 §4.4.1]: https://www.rfc-editor.org/rfc/rfc7636#section-4.4.1
/// [RFC 9700 §2.1.1]: https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
pub(crate) fn check_challenge(
    client: &ClientConfig,
    params: &Params,
) -> Result<Option<(String, ChallengeMethod)>, OAuthError> {
    let challenge = params.get("code_challenge")?;
    let method = params.get("code_challenge_method")?;
    let Some(challenge) = challenge else {
        return challenge_absent(client, method).map(|()| None);
    };
    let method = challenge_method(client.pkce, method)?;
    let well_formed = match method {
        ChallengeMethod::S256 => challenge.len() == 43 && is_well_formed(challenge),
        ChallengeMethod::Plain => is_well_formed(challenge),
    };
    if !well_formed {
        return Err(OAuthError::invalid_request(format!(
            "code_challenge is malformed for method {}",
            method.as_str()
        ))
        .with_finding(Finding::PkceChallengeMalformed));
    }
    Ok(Some((challenge.to_owned(), method)))
}

/// A request without `code_challenge`: allowed only when the policy makes PKCE optional and the
/// client is confidential, and then without a `code_challenge_method` either.
fn challenge_absent(client: &ClientConfig, method: Option<&str>) -> Result<(), OAuthError> {
    if method.is_some() {
        return Err(OAuthError::invalid_request(
            "code_challenge_method sent without code_challenge",
        ));
    }
    if client.pkce != PkcePolicy::Optional || client.is_public() {
        return Err(
            OAuthError::invalid_request("code_challenge is required (PKCE)")
                .with_finding(Finding::PkceChallengeMissing),
        );
    }
    Ok(())
}

/// The `code_challenge_method` (absent means `plain`, §4.3), if supported and allowed.
fn challenge_method(policy: PkcePolicy, name: Option<&str>) -> Result<ChallengeMethod, OAuthError> {
    let method = match name {
        None => ChallengeMethod::Plain,
        Some(name) => ChallengeMethod::parse(name).ok_or_else(|| {
            OAuthError::invalid_request(format!("code_challenge_method {name:?} is not supported"))
                .with_finding(Finding::PkceMethodUnsupported)
        })?,
    };
    if method == ChallengeMethod::Plain && policy == PkcePolicy::S256Required {
        return Err(OAuthError::invalid_request(
            "code_challenge_method must be S256 (plain is not allowed)",
        )
        .with_finding(Finding::PkcePlainRefused));
    }
    Ok(method)
}

/// The token request's `code_verifier` against the challenge bound to the code
/// ([RFC 7636 §4.6](https://www.rfc-editor.org/rfc/rfc7636#section-4.6)): the `invalid_grant`
/// to answer, or the finding of a missing verifier let through by the `verifier_optional` quirk.
pub(crate) fn check_verifier(
    challenge: Option<&(String, ChallengeMethod)>,
    verifier: Option<&str>,
    verifier_optional: bool,
) -> Result<Option<Observation>, OAuthError> {
    let challenge = challenge.map(|(c, m)| (c.as_str(), *m));
    match verify(challenge, verifier) {
        Ok(()) => Ok(None),
        // The `verifier_optional` quirk: only a missing verifier is let through.
        Err(e @ VerifyError::Missing) if verifier_optional => Ok(Some(
            Observation::new(e.finding()).tolerated("accepted: quirks.verifier_optional"),
        )),
        Err(e) => Err(OAuthError::invalid_grant(e.to_string()).with_finding(e.finding())),
    }
}
