//! How a client authenticates at the token, revocation and introspection endpoints
//! ([RFC 6749 §2.3](https://www.rfc-editor.org/rfc/rfc6749#section-2.3); names from
//! [RFC 7591 §2](https://www.rfc-editor.org/rfc/rfc7591#section-2)).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How a client authenticates at the token, revocation and introspection endpoints, by its
/// RFC 7591 `token_endpoint_auth_method` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// HTTP Basic with the form-urlencoded id and secret ([RFC 6749 §2.3.1]).
    ///
    /// [RFC 6749 §2.3.1]: https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// A public client: `client_id` in the form body, no secret, PKCE required.
    None,
}

impl AuthMethod {
    /// Every method.
    pub const ALL: [AuthMethod; 3] = [Self::ClientSecretBasic, Self::ClientSecretPost, Self::None];

    /// The RFC 7591 name, e.g. `client_secret_basic`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::None => "none",
        }
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no [`AuthMethod`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAuthMethod(pub String);

impl fmt::Display for UnknownAuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown auth method {:?} (client_secret_basic, client_secret_post or none)",
            self.0
        )
    }
}

impl std::error::Error for UnknownAuthMethod {}

impl FromStr for AuthMethod {
    type Err = UnknownAuthMethod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownAuthMethod(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_agree_with_serde() {
        for method in AuthMethod::ALL {
            assert_eq!(method.as_str().parse(), Ok(method));
            let json = serde_json::to_string(&method).unwrap();
            assert_eq!(json, format!("\"{method}\""));
        }
        assert!("basic".parse::<AuthMethod>().is_err());
    }
}
