//! How a client authenticates at the token, revocation and introspection endpoints
//! ([RFC 6749 §2.3](https://www.rfc-editor.org/rfc/rfc6749#section-2.3); names from
//! [RFC 7591 §2](https://www.rfc-editor.org/rfc/rfc7591#section-2)).

use serde::{Deserialize, Serialize};

use crate::wire::wire_names;

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

wire_names!(
    AuthMethod by as_str,
    /// A string that names no [`AuthMethod`].
    UnknownAuthMethod: "unknown auth method {:?} (client_secret_basic, client_secret_post or none)"
);

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
