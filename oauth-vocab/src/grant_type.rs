//! The grant types Gauntlet's crates speak ([RFC 6749 §4](https://www.rfc-editor.org/rfc/rfc6749#section-4)).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no supported [`GrantType`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownGrantType(pub String);

impl fmt::Display for UnknownGrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "grant_type {:?} is not supported", self.0)
    }
}

impl std::error::Error for UnknownGrantType {}

impl FromStr for GrantType {
    type Err = UnknownGrantType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| UnknownGrantType(s.to_owned()))
    }
}

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
