//! Authorization codes ([RFC 6749 §4.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2),
//! [§10.5](https://www.rfc-editor.org/rfc/rfc6749#section-10.5)): issued bound to the client,
//! tenant, redirect URI and PKCE challenge of the request, short-lived, and redeemed once
//! ([§4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)); a replay is refused and
//! revokes the tokens issued from the code (§4.1.2).

use std::time::{Duration, Instant};

use oauth_vocab::Finding;

use crate::error::OAuthError;
use crate::interaction::AuthorizationRequest;
use crate::state::{AppState, lock};
use crate::store::{CodeGrant, Stores, deadline};

/// How long a code is kept past its expiry, so that late and replayed redemptions are
/// recognised as such.
const KEPT_PAST_EXPIRY: Duration = Duration::from_secs(60);

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
        expires_at: deadline(Duration::from_secs(state.config.code_ttl_secs)),
        state: request.state.clone(),
        redeemed_family: None,
    };
    let reap_at = grant
        .expires_at
        .checked_add(KEPT_PAST_EXPIRY)
        .unwrap_or(grant.expires_at);
    lock(&state.stores)
        .codes
        .insert(code.clone(), grant, reap_at);
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
    let Some(grant) = stores.codes.get(code) else {
        return Err(
            OAuthError::invalid_grant("the authorization code is unknown or expired")
                .with_finding(Finding::CodeUnknown),
        );
    };
    if grant.client_id != client_id {
        return Err(OAuthError::invalid_grant(
            "the authorization code was issued to another client",
        )
        .with_finding(Finding::CodeWrongClient));
    }
    if let Some(family) = grant.redeemed_family.filter(|_| !reusable) {
        stores.revoke_family(family);
        return Err(OAuthError::invalid_grant(
            "the authorization code was already used; the tokens issued from it are now revoked",
        )
        .with_finding(Finding::CodeReused));
    }
    if grant.expires_at <= Instant::now() {
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
    Ok(grant.clone())
}

/// Marks a code redeemed, with the family of the tokens issued from it (what a replay revokes).
pub(crate) fn spend(stores: &mut Stores, code: &str, family: u64) {
    if let Some(grant) = stores.codes.get_mut(code) {
        grant.redeemed_family = Some(family);
    }
}
