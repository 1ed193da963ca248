//! The grant types Gauntlet's crates speak ([RFC 6749 §4](https://www.rfc-editor.org/rfc/rfc6749#section-4)).

use serde::{Deserialize, Serialize};

use crate::wire::wire_names;

/// A `grant_type` value at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// The authorization code grant ([RFC 6749 §4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)).
    AuthorizationCode,
    /// Refreshing an access token ([RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6)).
    RefreshToken,
    /// The client credentials grant ([RFC 6749 §4.4](https://www.rfc-editor.org/rfc/rfc6749#section-4.4)).
    ClientCredentials,
}

impl GrantType {
    /// Every grant type.
    pub const ALL: [GrantType; 3] = [
        Self::AuthorizationCode,
        Self::RefreshToken,
        Self::ClientCredentials,
    ];

    /// The `grant_type` value on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
        }
    }
}

wire_names!(
    GrantType by as_str,
    /// A string that names no supported [`GrantType`].
    UnknownGrantType: "grant_type {:?} is not supported"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_agree_with_serde() {
        for grant in GrantType::ALL {
            assert_eq!(grant.as_str().parse(), Ok(grant));
            let json = serde_json::to_string(&grant).unwrap();
            assert_eq!(json, format!("\"{grant}\""));
        }
        assert!("password".parse::<GrantType>().is_err());
    }
}
