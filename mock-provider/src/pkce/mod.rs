//! Proof Key for Code Exchange ([RFC 7636](https://www.rfc-editor.org/rfc/rfc7636)): the policy a
//! client is registered with, the challenge methods (§4.3), verifier generation (§4.1), the S256
//! transformation (§4.2) and the verifier check itself (§4.6). How an authorization or token
//! request is checked under the client's policy is `check`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth_vocab::{Finding, constant_time_eq};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::random::Random;

pub(crate) mod check;

/// Which PKCE the authorization server demands of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PkcePolicy {
    /// A `code_challenge` is required and its method must be `S256`
    /// ([RFC 9700 §2.1.1](https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1)).
    #[default]
    S256Required,
    /// A `code_challenge` is required; `S256` or `plain` (a missing method means `plain`).
    S256OrPlain,
    /// PKCE may be omitted; when sent, `S256` or `plain`. Public clients still need it.
    Optional,
}

/// A `code_challenge_method` ([RFC 7636 §4.3](https://www.rfc-editor.org/rfc/rfc7636#section-4.3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChallengeMethod {
    /// `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`.
    S256,
    /// The challenge is the verifier itself.
    #[serde(rename = "plain")]
    Plain,
}

impl ChallengeMethod {
    /// Parses a method name exactly as RFC 7636 spells it (case-sensitive).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "S256" => Some(Self::S256),
            "plain" => Some(Self::Plain),
            _ => None,
        }
    }

    /// The method's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
            Self::Plain => "plain",
        }
    }
}

/// Smallest verifier length allowed by [RFC 7636 §4.1](https://www.rfc-editor.org/rfc/rfc7636#section-4.1).
pub const MIN_VERIFIER_LEN: usize = 43;
/// Largest verifier length allowed by RFC 7636 §4.1.
pub const MAX_VERIFIER_LEN: usize = 128;

/// Whether `value` is 43–128 characters of the unreserved set `[A-Za-z0-9-._~]`, as both a
/// `code_verifier` and a `code_challenge` must be.
pub fn is_well_formed(value: &str) -> bool {
    (MIN_VERIFIER_LEN..=MAX_VERIFIER_LEN).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// The S256 challenge of a verifier: the unpadded base64url SHA-256 of its ASCII bytes.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A fresh verifier: 32 random octets, base64url-encoded (43 characters, 256 bits), as
/// [RFC 7636 §4.1](https://www.rfc-editor.org/rfc/rfc7636#section-4.1) recommends.
pub fn generate_verifier() -> String {
    URL_SAFE_NO_PAD.encode(Random::Os.bytes::<32>())
}

/// Why a `code_verifier` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The code was issued with a challenge and no verifier came.
    #[error("code_verifier is missing but the authorization request carried a code_challenge")]
    Missing,
    /// A verifier came for a code issued without a challenge (RFC 9700 §4.8.2).
    #[error("code_verifier sent for a code issued without a code_challenge")]
    Unexpected,
    /// The verifier is not 43–128 unreserved characters.
    #[error("code_verifier is not 43-128 characters of [A-Za-z0-9-._~]")]
    Malformed,
    /// The verifier does not transform into the challenge.
    #[error("code_verifier does not match the code_challenge")]
    Mismatch,
}

impl VerifyError {
    /// The journal finding for this refusal.
    pub fn finding(self) -> Finding {
        match self {
            Self::Missing => Finding::PkceVerifierMissing,
            Self::Unexpected => Finding::PkceVerifierUnexpected,
            Self::Malformed => Finding::PkceVerifierMalformed,
            Self::Mismatch => Finding::PkceVerifierMismatch,
        }
    }
}

/// Checks a token request's verifier against the challenge recorded with the code
/// ([RFC 7636 §4.6](https://www.rfc-editor.org/rfc/rfc7636#section-4.6)).
pub fn verify(
    challenge: Option<(&str, ChallengeMethod)>,
    verifier: Option<&str>,
) -> Result<(), VerifyError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(VerifyError::Unexpected),
        (Some(_), None) => Err(VerifyError::Missing),
        (Some(_), Some(v)) if !is_well_formed(v) => Err(VerifyError::Malformed),
        (Some((c, ChallengeMethod::S256)), Some(v))
            if constant_time_eq(s256_challenge(v).as_bytes(), c.as_bytes()) =>
        {
            Ok(())
        }
        (Some((c, ChallengeMethod::Plain)), Some(v))
            if constant_time_eq(v.as_bytes(), c.as_bytes()) =>
        {
            Ok(())
        }
        (Some(_), Some(_)) => Err(VerifyError::Mismatch),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const APPENDIX_B_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const APPENDIX_B_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc7636_appendix_b_vector_round_trips() {
        assert_eq!(s256_challenge(APPENDIX_B_VERIFIER), APPENDIX_B_CHALLENGE);
        let challenge = Some((APPENDIX_B_CHALLENGE, ChallengeMethod::S256));
        assert_eq!(verify(challenge, Some(APPENDIX_B_VERIFIER)), Ok(()));
    }

    #[test]
    fn length_bounds_are_inclusive() {
        assert!(!is_well_formed(&"a".repeat(42)));
        assert!(is_well_formed(&"a".repeat(43)));
        assert!(is_well_formed(&"a".repeat(128)));
        assert!(!is_well_formed(&"a".repeat(129)));
    }

    #[test]
    fn missing_and_unexpected_verifiers_are_refused() {
        let challenge = Some((APPENDIX_B_CHALLENGE, ChallengeMethod::S256));
        assert_eq!(verify(challenge, None), Err(VerifyError::Missing));
        assert_eq!(
            verify(None, Some(APPENDIX_B_VERIFIER)),
            Err(VerifyError::Unexpected)
        );
        assert_eq!(
            verify(challenge, Some("short")),
            Err(VerifyError::Malformed)
        );
    }

    #[test]
    fn plain_compares_verbatim() {
        let v = "a".repeat(50);
        assert_eq!(verify(Some((&v, ChallengeMethod::Plain)), Some(&v)), Ok(()));
        let other = "b".repeat(50);
        assert_eq!(
            verify(Some((&v, ChallengeMethod::Plain)), Some(&other)),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn method_names_are_case_sensitive() {
        assert_eq!(ChallengeMethod::parse("S256"), Some(ChallengeMethod::S256));
        assert_eq!(ChallengeMethod::parse("s256"), None);
        assert_eq!(ChallengeMethod::parse("PLAIN"), None);
    }

    fn unreserved() -> impl Strategy<Value = String> {
        proptest::string::string_regex("[A-Za-z0-9._~-]{43,128}").unwrap()
    }

    #[test]
    fn generated_verifiers_are_well_formed_and_differ() {
        let verifiers: std::collections::HashSet<String> =
            (0..64).map(|_| generate_verifier()).collect();
        assert_eq!(verifiers.len(), 64);
        for verifier in verifiers {
            assert!(is_well_formed(&verifier), "{verifier}");
            assert_eq!(verifier.len(), 43);
        }
    }

    proptest! {
        #[test]
        fn challenge_is_43_chars_of_base64url_without_padding(verifier in unreserved()) {
            let challenge = s256_challenge(&verifier);
            prop_assert_eq!(challenge.len(), 43);
            prop_assert!(!challenge.contains(['=', '+', '/']));
            prop_assert_eq!(URL_SAFE_NO_PAD.decode(&challenge).unwrap(), Sha256::digest(verifier.as_bytes()).to_vec());
        }

        #[test]
        fn verification_accepts_exactly_the_matching_verifier(
            verifier in unreserved(),
            index in any::<prop::sample::Index>(),
            replacement in proptest::char::ranges(vec!['a'..='z', 'A'..='Z', '0'..='9'].into()),
        ) {
            let challenge = s256_challenge(&verifier);
            prop_assert_eq!(verify(Some((&challenge, ChallengeMethod::S256)), Some(&verifier)), Ok(()));
            let at = index.index(verifier.len());
            let mut altered: Vec<char> = verifier.chars().collect();
            prop_assume!(altered[at] != replacement);
            altered[at] = replacement;
            let altered: String = altered.into_iter().collect();
            prop_assert_eq!(
                verify(Some((&challenge, ChallengeMethod::S256)), Some(&altered)),
                Err(VerifyError::Mismatch)
            );
        }

        #[test]
        fn out_of_range_lengths_are_refused(len in prop_oneof![0usize..43, 129usize..300]) {
            let verifier = "a".repeat(len);
            prop_assert!(!is_well_formed(&verifier));
            let challenge = s256_challenge(&verifier);
            prop_assert_eq!(
                verify(Some((&challenge, ChallengeMethod::S256)), Some(&verifier)),
                Err(VerifyError::Malformed)
            );
        }
    }
}
