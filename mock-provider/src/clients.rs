//! Registered clients and client authentication
//! ([RFC 6749 §2.3](https://www.rfc-editor.org/rfc/rfc6749#section-2.3)).

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::error::OAuthError;
use crate::params::{Params, form_decode};
use crate::pkce::PkcePolicy;

/// How a client authenticates at the token, revocation and introspection endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// HTTP Basic with the form-urlencoded id and secret ([RFC 6749 §2.3.1]).
    ///
    /// [RFC 6749 §2.3.1]: https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// A public client: no secret, PKCE required.
    None,
}

impl AuthMethod {
    /// The RFC 7591 name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::None => "none",
        }
    }
}

/// A client registration. In a profile, `client_id` and `redirect_uris` are required; the
/// other keys default as documented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// The client identifier.
    pub client_id: String,
    /// The secret; absent for public clients.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Redirect URIs, compared by exact string ([RFC 9700 §2.1](https://www.rfc-editor.org/rfc/rfc9700#section-2.1)).
    pub redirect_uris: Vec<String>,
    /// Scopes the client may request (default: none).
    #[serde(default)]
    pub allowed_scopes: Vec<String>,
    /// Scopes granted when the request omits `scope`; absent means every allowed scope.
    #[serde(default)]
    pub default_scopes: Option<Vec<String>>,
    /// Client authentication method at the token endpoint (default `client_secret_basic`).
    #[serde(default)]
    pub auth_method: AuthMethod,
    /// What PKCE the client must use (default `s256_required`).
    #[serde(default)]
    pub pkce: PkcePolicy,
    /// Grant types the client may use (default `authorization_code` and `refresh_token`).
    #[serde(default = "default_grant_types")]
    pub grant_types: Vec<String>,
}

fn default_grant_types() -> Vec<String> {
    vec!["authorization_code".into(), "refresh_token".into()]
}

/// The built-in client `gauntlet-client`, whose secret holds characters that HTTP Basic requires
/// to be form-encoded.
impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            client_id: "gauntlet-client".into(),
            client_secret: Some("gauntlet:secret+/=&%".into()),
            redirect_uris: vec!["http://127.0.0.1:8080/callback".into()],
            allowed_scopes: ["openid", "profile", "email", "read", "write"]
                .map(String::from)
                .to_vec(),
            default_scopes: Some(vec!["read".into()]),
            auth_method: AuthMethod::ClientSecretBasic,
            pkce: PkcePolicy::S256Required,
            grant_types: ["authorization_code", "refresh_token", "client_credentials"]
                .map(String::from)
                .to_vec(),
        }
    }
}

impl ClientConfig {
    /// Checks the registration; on error returns the offending key and why.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if self.client_id.is_empty() {
            return Err(("client_id".into(), "must not be empty".into()));
        }
        match (self.auth_method, &self.client_secret) {
            (AuthMethod::None, Some(_)) => {
                return Err((
                    "client_secret".into(),
                    "a public client (auth_method = none) has no secret".into(),
                ));
            }
            (AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost, None) => {
                return Err((
                    "client_secret".into(),
                    "a confidential client needs a secret".into(),
                ));
            }
            _ => {}
        }
        for (i, uri) in self.redirect_uris.iter().enumerate() {
            crate::redirect::validate_registered(uri)
                .map_err(|m| (format!("redirect_uris[{i}]"), m))?;
        }
        if let Some(defaults) = &self.default_scopes
            && let Some(extra) = defaults.iter().find(|s| !self.allowed_scopes.contains(s))
        {
            return Err((
                "default_scopes".into(),
                format!("{extra:?} is not in allowed_scopes"),
            ));
        }
        Ok(())
    }

    /// Whether the client may use this grant type.
    pub fn allows_grant(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant_type)
    }

    /// Whether this is a public client.
    pub fn is_public(&self) -> bool {
        self.auth_method == AuthMethod::None
    }

    /// The scopes granted when a request omits `scope`.
    pub fn default_scopes(&self) -> &[String] {
        self.default_scopes
            .as_deref()
            .unwrap_or(&self.allowed_scopes)
    }
}

/// The credentials a request presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Presented {
    /// The claimed client id.
    pub client_id: String,
    /// The secret, if any.
    pub secret: Option<String>,
    /// The method used.
    pub method: AuthMethod,
}

/// Reads the client credentials from the `Authorization` header and the form body.
///
/// Refuses a request that uses more than one method ([RFC 6749 §2.3]) and a Basic header whose
/// parts are not valid form-urlencoding.
///
/// [RFC 6749 §2.3]: https://www.rfc-editor.org/rfc/rfc6749#section-2.3
pub(crate) fn presented(
    headers: &HeaderMap,
    form: &Params,
) -> Result<Option<Presented>, OAuthError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        Some(value) => parse_basic(value.as_bytes())?,
        None => None,
    };
    let body_id = form.get("client_id")?;
    let body_secret = form.get("client_secret")?;
    match (basic, body_id, body_secret) {
        (Some(_), _, Some(_)) => Err(basic_error(OAuthError::invalid_request(
            "client authenticated with both HTTP Basic and client_secret in the body",
        ))
        .with_finding("client_auth.multiple_methods")),
        (Some(b), Some(id), None) if id != b.client_id => Err(basic_error(
            OAuthError::invalid_request("client_id in the body differs from the one in HTTP Basic"),
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

fn basic_error(mut error: OAuthError) -> OAuthError {
    error.basic_auth = true;
    error
}

fn parse_basic(value: &[u8]) -> Result<Option<Presented>, OAuthError> {
    let malformed = |why: &str| {
        basic_error(OAuthError::invalid_client(format!(
            "malformed HTTP Basic credentials: {why}"
        )))
        .with_finding("client_auth.basic_malformed")
    };
    let Some(encoded) = value
        .strip_prefix(b"Basic ")
        .or_else(|| value.strip_prefix(b"basic "))
    else {
        return Ok(None);
    };
    let decoded = STANDARD
        .decode(encoded.trim_ascii())
        .map_err(|_| malformed("not base64"))?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed("not UTF-8"))?;
    let (id, secret) = decoded
        .split_once(':')
        .ok_or_else(|| malformed("no ':' between id and secret"))?;
    let id = form_decode(id).ok_or_else(|| malformed("client id is not valid form-urlencoding"))?;
    let secret =
        form_decode(secret).ok_or_else(|| malformed("secret is not valid form-urlencoding"))?;
    Ok(Some(Presented {
        client_id: id,
        secret: Some(secret),
        method: AuthMethod::ClientSecretBasic,
    }))
}

/// Authenticates presented credentials against a registration.
pub(crate) fn authenticate(client: &ClientConfig, presented: &Presented) -> Result<(), OAuthError> {
    let basic = presented.method == AuthMethod::ClientSecretBasic;
    let fail = |description: String, finding: &str| {
        let mut e = OAuthError::invalid_client(description).with_finding(finding);
        e.basic_auth = basic || client.auth_method == AuthMethod::ClientSecretBasic;
        e
    };
    if presented.method != client.auth_method {
        return Err(fail(
            format!(
                "client is registered for {} but authenticated with {}",
                client.auth_method.as_str(),
                presented.method.as_str()
            ),
            "client_auth.wrong_method",
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
            if form_decode(given).as_deref() == Some(expected.as_str()) =>
        {
            Err(fail(
                "client secret does not match (it matches once form-decoded a second time)".into(),
                "client_auth.double_encoded",
            ))
        }
        (Some(_), Some(_)) => Err(fail(
            "client secret does not match".into(),
            "client_auth.wrong_secret",
        )),
        (Some(_), None) => Err(fail(
            "client secret missing".into(),
            "client_auth.missing_secret",
        )),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn basic(raw: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", STANDARD.encode(raw));
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
                .contains(&"client_auth.wrong_method".to_owned())
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

    #[test]
    fn registrations_are_validated() {
        let public_with_secret = ClientConfig {
            auth_method: AuthMethod::None,
            ..ClientConfig::default()
        };
        assert_eq!(
            public_with_secret.validate().unwrap_err().0,
            "client_secret"
        );
        let bad_default = ClientConfig {
            default_scopes: Some(vec!["admin".into()]),
            ..ClientConfig::default()
        };
        assert_eq!(bad_default.validate().unwrap_err().0, "default_scopes");
    }
}
