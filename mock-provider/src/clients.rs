//! Client registrations ([RFC 6749 §2](https://www.rfc-editor.org/rfc/rfc6749#section-2)):
//! types, redirect URIs, scopes, grant types and the authentication method a client is
//! registered for. How a request proves it is that client is [`crate::client_auth`].

use serde::{Deserialize, Serialize};

pub(crate) use oauth_vocab::AuthMethod;
use oauth_vocab::GrantType;

use crate::pkce::PkcePolicy;

/// A client registration. In a profile, `client_id` and `redirect_uris` are required; the
/// other keys default as documented.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    pub grant_types: Vec<GrantType>,
}

fn default_grant_types() -> Vec<GrantType> {
    vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
}

/// `Debug` shows whether the client has a secret, never the secret.
impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("redirect_uris", &self.redirect_uris)
            .field("allowed_scopes", &self.allowed_scopes)
            .field("default_scopes", &self.default_scopes)
            .field("auth_method", &self.auth_method)
            .field("pkce", &self.pkce)
            .field("grant_types", &self.grant_types)
            .finish()
    }
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
            grant_types: GrantType::ALL.to_vec(),
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
    pub fn allows_grant(&self, grant_type: GrantType) -> bool {
        self.grant_types.contains(&grant_type)
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

#[cfg(test)]
mod tests {
    use super::*;

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
