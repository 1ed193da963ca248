//! Authorization codes ([RFC 6749 §4.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2),
//! [§10.5](https://www.rfc-editor.org/rfc/rfc6749#section-10.5)): issued bound to the client,
//! tenant, redirect URI and PKCE challenge of the request, short-lived, and redeemed once
//! ([§4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)); a replay is refused and
//! revokes the tokens issued from the code (§4.1.2).

use std::time::Duration;

use oauth_vocab::Finding;

use crate::error::OAuthError;
use crate::interaction::AuthorizationRequest;
use crate::state::{AppState, lock};
use crate::store::{CodeGrant, Stores, Tick};

/// Issues a code for an approved request, granting `scopes` to `subject`; returns the code.
pub(crate) fn issue(
    state: &AppState,
    request: &AuthorizationRequest,
    subject: String,
    scopes: Vec<String>,
) -> String {
    let code = state.random.token("ac_");
    let grant = CodeGrant {
        client_id: request.client_id.clone(),
        tenant: request.tenant.clone(),
        redirect_uri: request.redirect_uri.clone(),
        redirect_uri_sent: request.redirect_uri_sent,
        scopes,
        challenge: request.challenge.clone(),
        subject,
        extras: request.extras.clone(),
        resources: request.resources.clone(),
        expires_at: Tick::after(Duration::from_secs(state.config.code_ttl_secs)),
        state: request.state.clone(),
        redeemed_family: None,
    };
    lock(&state.stores).insert_code(&code, grant);
    code
}

/// A code presented at the token endpoint, if it may be redeemed: known, issued to this client,
/// not redeemed before (a replay revokes the tokens issued from it, unless `reusable`: the
/// `reusable_codes` quirk), unexpired, and issued by this tenant. Returns a copy of its grant;
/// the code stays unspent until [`spend`].
pub(crate) fn redeemable(
    stores: &mut Stores,
    code: &str,
    client_id: &str,
    tenant: Option<&str>,
    reusable: bool,
) -> Result<CodeGrant, OAuthError> {
    let unknown = || {
        OAuthError::invalid_grant("the authorization code is unknown or expired")
            .with_finding(Finding::CodeUnknown)
    };
    let Some(entry) = stores.code(code) else {
        return Err(unknown());
    };
    if entry.flow().client_id != client_id {
        return Err(OAuthError::invalid_grant(
            "the authorization code was issued to another client",
        )
        .with_finding(Finding::CodeWrongClient));
    }
    if let Some(family) = entry.family().filter(|_| !reusable) {
        stores.revoke_family(family);
        return Err(OAuthError::invalid_grant(
            "the authorization code was already used; the tokens issued from it are now revoked",
        )
        .with_finding(Finding::CodeReused));
    }
    // Only the tombstone of a redeemed code is left once it cannot be redeemed again.
    let grant = entry.grant().ok_or_else(unknown)?;
    if grant.expires_at.is_past() {
        return Err(
            OAuthError::invalid_grant("the authorization code has expired")
                .with_finding(Finding::CodeExpired),
        );
    }
    if grant.tenant.as_deref() != tenant {
        return Err(OAuthError::invalid_grant(
            "the authorization code was issued by another tenant",
        )
        .with_finding(Finding::CodeWrongTenant));
    }
    Ok(grant)
}

/// Marks a code redeemed, with the family of the tokens issued from it (what a replay revokes);
/// unless it is `reusable`, only a tombstone of it is kept.
pub(crate) fn spend(stores: &mut Stores, code: &str, family: u64, reusable: bool) {
    stores.spend_code(code, family, reusable);
}
