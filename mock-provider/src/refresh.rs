//! Refresh tokens ([RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6)): bound to
//! their client, usable while active, never widening the scope first granted, and rotated on use
//! when configured, a rotated token presented again revoking its whole family
//! ([RFC 9700 §4.14.2](https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2)).

use oauth_vocab::Finding;

use crate::error::{ErrorCode, OAuthError};
use crate::scope;
use crate::store::{Stores, TokenKind, TokenRecord, TokenState};

/// A refresh token presented at the token endpoint, if it may be used: a known refresh token,
/// issued to this client, and active. A rotated one revokes its family. Returns a copy of its
/// record.
pub(crate) fn redeemable(
    stores: &mut Stores,
    token: &str,
    client_id: &str,
) -> Result<TokenRecord, OAuthError> {
    let (record, token_state) = stores.token_state(token);
    let record = match record {
        Some(r) if r.kind == TokenKind::Refresh => r,
        _ => {
            return Err(OAuthError::invalid_grant("the refresh token is unknown")
                .with_finding(Finding::RefreshUnknown));
        }
    };
    if record.client_id != client_id {
        return Err(
            OAuthError::invalid_grant("the refresh token was issued to another client")
                .with_finding(Finding::RefreshWrongClient),
        );
    }
    match token_state {
        TokenState::Active => Ok(record),
        TokenState::Rotated => {
            stores.revoke_family(record.family);
            Err(OAuthError::invalid_grant(
                "the refresh token was already rotated; every token of its family is now revoked",
            )
            .with_finding(Finding::RefreshReused))
        }
        other => Err(OAuthError::invalid_grant(format!(
            "the refresh token is {}",
            other.describe()
        ))
        .with_finding(refused_state(other))),
    }
}

/// The finding for a refresh token in a state that cannot be redeemed.
fn refused_state(state: TokenState) -> Finding {
    match state {
        TokenState::Expired => Finding::RefreshExpired,
        TokenState::Revoked => Finding::RefreshRevoked,
        TokenState::Rotated => Finding::RefreshReused,
        TokenState::Active | TokenState::Unknown => Finding::RefreshUnknown,
    }
}

/// The scope of the new access token: the one granted, or a subset of it that the request names
/// ([RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6)).
pub(crate) fn narrowed_scope(
    granted: &[String],
    requested: Option<&str>,
) -> Result<Vec<String>, OAuthError> {
    scope::within(requested, granted, granted, |extra| {
        OAuthError::new(
            ErrorCode::InvalidScope,
            format!("scope {extra:?} exceeds the scope originally granted"),
        )
        .with_finding(Finding::RefreshScopeExpansion)
    })
}

/// Retires a refresh token that has just been used: presenting it again is a reuse.
pub(crate) fn rotate(stores: &mut Stores, token: &str) {
    stores.rotate_token(token);
}
