//! The error codes OAuth puts on the wire
//! ([RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2), §4.1.2.1, RFC 6750 §3.1,
//! RFC 7009 §2.2.1, RFC 7591 §3.2.2, RFC 8707 §2).

use serde::{Deserialize, Serialize};

use crate::wire::wire_names;

/// An error code registered by RFC 6749, RFC 6750, RFC 7009, RFC 7591 or RFC 8707.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is missing a parameter, repeats one, or is otherwise malformed.
    InvalidRequest,
    /// Client authentication failed.
    InvalidClient,
    /// The grant (code, refresh token, verifier) is invalid, expired, revoked or mis-bound.
    InvalidGrant,
    /// The client may not use this grant type.
    UnauthorizedClient,
    /// The grant type is not supported.
    UnsupportedGrantType,
    /// The requested scope is invalid, unknown or exceeds what is allowed.
    InvalidScope,
    /// The resource owner or the server denied the request.
    AccessDenied,
    /// The response type is not supported.
    UnsupportedResponseType,
    /// The server met an unexpected condition.
    ServerError,
    /// The server is temporarily unable to handle the request.
    TemporarilyUnavailable,
    /// RFC 7009: the server does not revoke this type of token.
    UnsupportedTokenType,
    /// RFC 6750: the access token is expired, revoked, malformed or unknown.
    InvalidToken,
    /// RFC 6750: the access token lacks the scope the resource requires.
    InsufficientScope,
    /// RFC 7591: a redirect URI in a registration request is invalid.
    InvalidRedirectUri,
    /// RFC 7591: a metadata field in a registration request is invalid.
    InvalidClientMetadata,
    /// RFC 8707: the requested resource is invalid, missing, unknown or malformed.
    InvalidTarget,
}

impl ErrorCode {
    /// Every registered code.
    pub const ALL: &'static [ErrorCode] = &[
        Self::InvalidRequest,
        Self::InvalidClient,
        Self::InvalidGrant,
        Self::UnauthorizedClient,
        Self::UnsupportedGrantType,
        Self::InvalidScope,
        Self::AccessDenied,
        Self::UnsupportedResponseType,
        Self::ServerError,
        Self::TemporarilyUnavailable,
        Self::UnsupportedTokenType,
        Self::InvalidToken,
        Self::InsufficientScope,
        Self::InvalidRedirectUri,
        Self::InvalidClientMetadata,
        Self::InvalidTarget,
    ];

    /// The code as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidTarget => "invalid_target",
        }
    }
}

wire_names!(
    ErrorCode by as_str,
    /// A string that is no registered error code.
    UnknownErrorCode: "unknown OAuth error code {:?}"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_wire_names() {
        let json = serde_json::to_string(&ErrorCode::UnsupportedResponseType).unwrap();
        assert_eq!(json, "\"unsupported_response_type\"");
        assert_eq!(
            ErrorCode::TemporarilyUnavailable.as_str(),
            "temporarily_unavailable"
        );
    }

    #[test]
    fn every_code_parses_back_and_agrees_with_serde() {
        for &code in ErrorCode::ALL {
            assert_eq!(code.as_str().parse(), Ok(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{code}\""));
        }
        assert!("invalid_everything".parse::<ErrorCode>().is_err());
    }
}
