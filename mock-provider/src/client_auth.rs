//! Client authentication at the token, revocation and introspection endpoints
//! ([RFC 6749 §2.3](https://www.rfc-editor.org/rfc/rfc6749#section-2.3)): HTTP Basic over the
//! form-urlencoded id and secret and `client_secret_post`
//! ([§2.3.1](https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1)), public clients with
//! `none` ([RFC 7591 §2](https://www.rfc-editor.org/rfc/rfc7591#section-2)), one method per
//! request, and the 401 with a Basic challenge for `invalid_client`
//! ([RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2)).

use axum::http::{HeaderMap, header};

use oauth_vocab::basic::{self, BasicError};
use oauth_vocab::{Finding, constant_time_eq, form_decode};

use crate::clients::{AuthMethod, ClientConfig};
use crate::error::{ErrorCode, OAuthError};
use crate::params::Params;
use crate::state::AppState;

/// Authenticates the client of a token, revocation or introspection request: the credentials
/// it presented, a registered client of that id, and the method and secret it registered.
pub(crate) fn authenticated_client(
    state: &AppState,
    headers: &HeaderMap,
    form: &Params,
) -> Result<ClientConfig, OAuthError> {
    match checked_client(state, headers, form) {
        Err(error) if error.code == ErrorCode::InvalidClient => {
            Err(unencoded_match(state, headers).map_or(error, not_form_encoded))
        }
        result => result,
    }
}

/// The client a request claims to be, authenticated or not: the one its Basic credentials
/// match without form-decoding, else the id it presented.
pub(crate) fn claimed_client_id(
    state: &AppState,
    headers: &HeaderMap,
    form: &Params,
) -> Option<String> {
    unencoded_match(state, headers)
        .map(|client| client.client_id)
        .or_else(|| Some(presented(headers, form).ok()??.client_id))
}

/// The client of [`authenticated_client`], the credentials read as RFC 6749 §2.3 says.
fn checked_client(
    state: &AppState,
    headers: &HeaderMap,
    form: &Params,
) -> Result<ClientConfig, OAuthError> {
    let presented = presented(headers, form)?.ok_or_else(|| {
        OAuthError::invalid_client("client authentication is required")
            .with_finding(Finding::ClientAuthMissing)
    })?;
    let Some(client) = state.client(&presented.client_id) else {
        let error =
            OAuthError::invalid_client(format!("unknown client_id {:?}", presented.client_id))
                .with_finding(Finding::ClientUnknown);
        return Err(basic_challenge(
            error,
            presented.method == AuthMethod::ClientSecretBasic,
        ));
    };
    authenticate(&client, &presented)?;
    Ok(client)
}

/// The registered client whose id and secret the `Basic` header carries as they are, without the
/// form-urlencoding [RFC 6749 §2.3.1] requires (a split at any `:`, as the id may hold one).
///
/// [RFC 6749 §2.3.1]: https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
fn unencoded_match(state: &AppState, headers: &HeaderMap) -> Option<ClientConfig> {
    let value = headers.get(header::AUTHORIZATION)?;
    let text = basic::decode_unencoded(value.as_bytes()).ok()?;
    text.match_indices(':').find_map(|(i, _)| {
        let (id, secret) = (&text[..i], &text[i + 1..]);
        let client = state.client(id)?;
        let expected = client.client_secret.as_deref()?;
        constant_time_eq(expected.as_bytes(), secret.as_bytes()).then_some(client)
    })
}

/// `invalid_client` for credentials that match `client` only without form-decoding.
fn not_form_encoded(client: ClientConfig) -> OAuthError {
    let error = OAuthError::invalid_client(format!(
        "the HTTP Basic credentials match client {:?} only without form-decoding: \
         form-urlencode the id and the secret before Base64 (RFC 6749 §2.3.1)",
        client.client_id
    ))
    .with_finding(Finding::ClientAuthBasicNotFormEncoded);
    basic_challenge(error, true)
}

/// The credentials a request presented.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Presented {
    /// The claimed client id.
    client_id: String,
    /// The secret, if any.
    secret: Option<String>,
    /// The method used.
    method: AuthMethod,
}

/// Reads the client credentials from the `Authorization` header and the form body.
///
/// Refuses a request that uses more than one method ([RFC 6749 §2.3]) and a Basic header whose
/// parts are not valid form-urlencoding.
///
/// [RFC 6749 §2.3]: https://www.rfc-editor.org/rfc/rfc6749#section-2.3
fn presented(headers: &HeaderMap, form: &Params) -> Result<Option<Presented>, OAuthError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        Some(value) => parse_basic(value.as_bytes())?,
        None => None,
    };
    let body_id = form.get("client_id")?;
    let body_secret = form.get("client_secret")?;
    match (basic, body_id, body_secret) {
        (Some(_), _, Some(_)) => Err(basic_challenge(
            OAuthError::invalid_request(
                "client authenticated with both HTTP Basic and client_secret in the body",
            ),
            true,
        )
        .with_finding(Finding::ClientAuthMultipleMethods)),
        (Some(b), Some(id), None) if id != b.client_id => Err(basic_challenge(
            OAuthError::invalid_request("client_id in the body differs from the one in HTTP Basic"),
            true,
        )),
        (Some(b), _, None) => Ok(Some(b)),
        (None, Some(id), Some(secret)) => Ok(Some(Presented {
            client_id: id.to_owned(),
            secret: Some(secret.to_owned()),
            method: AuthMethod::ClientSecretPost,
        })),
        (None, Some(id), None) => Ok(Some(Presented {
            client_id: id.to_owned(),
            secret: None,
            method: AuthMethod::None,
        })),
        (None, None, Some(_)) => Err(OAuthError::invalid_request(
            "client_secret sent without client_id",
        )),
        (None, None, None) => Ok(None),
    }
}

/// The error, marked to answer with a Basic challenge when `basic` (the client tried HTTP Basic
/// or is registered for it).
fn basic_challenge(mut error: OAuthError, basic: bool) -> OAuthError {
    error.basic_auth = basic;
    error
}

/// The credentials of a Basic header, read by [`oauth_vocab::basic::decode`] (id and secret
/// form-urlencoded before the Base64, [RFC 6749 §2.3.1]); `None` for another scheme.
///
/// [RFC 6749 §2.3.1]: https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
fn parse_basic(value: &[u8]) -> Result<Option<Presented>, OAuthError> {
    let (client_id, secret) = match basic::decode(value) {
        Ok(credentials) => credentials,
        Err(BasicError::NotBasic) => return Ok(None),
        Err(why) => {
            return Err(basic_challenge(
                OAuthError::invalid_client(format!("malformed HTTP Basic credentials: {why}")),
                true,
            )
            .with_finding(Finding::ClientAuthBasicMalformed));
        }
    };
    Ok(Some(Presented {
        client_id,
        secret: Some(secret),
        method: AuthMethod::ClientSecretBasic,
    }))
}

/// Authenticates presented credentials against a registration.
fn authenticate(client: &ClientConfig, presented: &Presented) -> Result<(), OAuthError> {
    let basic = presented.method == AuthMethod::ClientSecretBasic;
    let fail = |description: String, finding: Finding| {
        let error = OAuthError::invalid_client(description).with_finding(finding);
        basic_challenge(
            error,
            basic || client.auth_method == AuthMethod::ClientSecretBasic,
        )
    };
    if presented.method != client.auth_method {
        return Err(fail(
            format!(
                "client is registered for {} but authenticated with {}",
                client.auth_method.as_str(),
                presented.method.as_str()
            ),
            Finding::ClientAuthWrongMethod,
        ));
    }
    match (&client.client_secret, &presented.secret) {
        (None, _) => Ok(()),
        (Some(expected), Some(given))
            if constant_time_eq(expected.as_bytes(), given.as_bytes()) =>
        {
            Ok(())
        }
        (Some(expected), Some(given))
            if form_decode(given).is_some_and(|decoded| {
                constant_time_eq(expected.as_bytes(), decoded.as_bytes())
            }) =>
        {
            Err(fail(
                "client secret does not match (it matches once form-decoded a second time)".into(),
                Finding::ClientAuthDoubleEncoded,
            ))
        }
        (Some(_), Some(_)) => Err(fail(
            "client secret does not match".into(),
            Finding::ClientAuthWrongSecret,
        )),
        (Some(_), None) => Err(fail(
            "client secret missing".into(),
            Finding::ClientAuthMissingSecret,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn basic(raw: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let (id, secret) = raw.split_once(':').unwrap();
        let value = basic::encode_raw(id, secret);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&value).unwrap(),
        );
        headers
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let headers = basic("gauntlet-client:gauntlet%3Asecret%2B%2F%3D%26%25");
        let p = presented(&headers, &Params::default()).unwrap().unwrap();
        assert_eq!(p.secret.as_deref(), Some("gauntlet:secret+/=&%"));
        assert_eq!(authenticate(&ClientConfig::default(), &p), Ok(()));
    }

    #[test]
    fn unencoded_basic_credentials_fail_for_secrets_with_reserved_characters() {
        // '+' decodes to a space, so a client that skips the encoding presents the wrong secret.
        let headers = basic("gauntlet-client:gauntlet:secret+/=&%");
        let result = presented(&headers, &Params::default());
        let p = match result {
            Ok(Some(p)) => p,
            Ok(None) => panic!("credentials were not read"),
            Err(e) => {
                assert_eq!(e.code, crate::error::ErrorCode::InvalidClient);
                return;
            }
        };
        let err = authenticate(&ClientConfig::default(), &p).unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::InvalidClient);
    }

    #[test]
    fn wrong_method_is_refused() {
        let form = Params::parse(b"client_id=gauntlet-client&client_secret=x").unwrap();
        let p = presented(&HeaderMap::new(), &form).unwrap().unwrap();
        let err = authenticate(&ClientConfig::default(), &p).unwrap_err();
        assert!(
            err.findings
                .contains(&Finding::ClientAuthWrongMethod.into())
        );
        assert!(
            err.basic_auth,
            "the client is registered for Basic, so the 401 challenges Basic"
        );
    }

    #[test]
    fn two_methods_at_once_are_refused() {
        let headers = basic("gauntlet-client:x");
        let form = Params::parse(b"client_secret=x").unwrap();
        assert_eq!(
            presented(&headers, &form).unwrap_err().code,
            crate::error::ErrorCode::InvalidRequest
        );
    }
}
