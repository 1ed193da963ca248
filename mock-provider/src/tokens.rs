//! Minting tokens once a grant has been checked: the access token (opaque, or a signed JWT with
//! the claims of [RFC 9068 §2.2](https://www.rfc-editor.org/rfc/rfc9068#section-2.2)), the
//! refresh token ([RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6)), their
//! records, and the successful token response body
//! ([RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1)).

use std::time::Duration;

use crate::config::TokenFormat;
use crate::scope;
use crate::state::{AppState, lock};
use crate::store::{TokenKind, TokenRecord};

/// What a successful grant entitles the client to, before tokens are minted.
#[derive(Debug)]
pub(crate) struct Issue {
    pub(crate) client_id: String,
    pub(crate) tenant: Option<String>,
    pub(crate) subject: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) family: u64,
    pub(crate) extras: Vec<(String, String)>,
    pub(crate) with_refresh: bool,
    pub(crate) origin_state: Option<String>,
    /// The resource the access token is for (RFC 8707), its audience.
    pub(crate) audience: Option<String>,
    /// The resources the authorization granted (what a refresh may name).
    pub(crate) resources: Vec<String>,
    /// What the client got wrong that a quirk let through, for the journal.
    pub(crate) findings: Vec<oauth_vocab::Observation>,
}

/// How long a token record is kept at least, so that a late use of it is recognised.
const KEPT_AT_LEAST: Duration = Duration::from_secs(60);

/// Mints and stores the tokens of an issue; returns the token response body. `expire_early`
/// makes the access token die sooner than `expires_in` claims (a fault).
pub(crate) fn mint(
    state: &AppState,
    issue: &Issue,
    expire_early: Option<Duration>,
) -> serde_json::Value {
    let now = AppState::now_unix();
    let access_token = access_token(state, issue, now);
    let refresh_token = issue.with_refresh.then(|| state.random.token("rt_"));
    store(
        state,
        issue,
        now,
        &access_token,
        expire_early,
        refresh_token.as_deref(),
    );
    let mut body = serde_json::json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": state.config.access_token_ttl_secs,
        "scope": scope::join(&issue.scopes),
    });
    if let Some(refresh) = refresh_token {
        body["refresh_token"] = refresh.into();
    }
    for (name, value) in &issue.extras {
        body[name] = value.clone().into();
    }
    body
}

/// A new access token: a JWT when so configured, else an opaque random string.
fn access_token(state: &AppState, issue: &Issue, now: u64) -> String {
    let config = &state.config;
    match &state.signer {
        Some(signer) if config.token_format == TokenFormat::Jwt => {
            signer.sign(&serde_json::json!({
                "iss": state.issuer(issue.tenant.as_deref()),
                "sub": issue.subject,
                "aud": issue.audience.as_deref().unwrap_or(&issue.client_id),
                "client_id": issue.client_id,
                "scope": scope::join(&issue.scopes),
                "iat": now,
                "exp": now.saturating_add(config.access_token_ttl_secs),
                "jti": state.random.token(""),
            }))
        }
        _ => state.random.token("at_"),
    }
}

/// Records the access token (which really expires after `expire_early` when set) and the
/// refresh token, if any.
fn store(
    state: &AppState,
    issue: &Issue,
    now: u64,
    access_token: &str,
    expire_early: Option<Duration>,
    refresh_token: Option<&str>,
) {
    let config = &state.config;
    let record = |kind, ttl: Duration| TokenRecord {
        kind,
        client_id: issue.client_id.clone(),
        tenant: issue.tenant.clone(),
        subject: issue.subject.clone(),
        scopes: issue.scopes.clone(),
        family: issue.family,
        issued_at_unix: now,
        expires_at_unix: now.saturating_add(ttl.as_secs()),
        revoked: false,
        rotated: false,
        extras: issue.extras.clone(),
        origin_state: issue.origin_state.clone(),
        audience: issue.audience.clone(),
        resources: issue.resources.clone(),
    };
    let access_ttl = Duration::from_secs(config.access_token_ttl_secs);
    let real = expire_early.unwrap_or(access_ttl);
    let mut stores = lock(&state.stores);
    stores.insert_token(
        access_token,
        record(TokenKind::Access, access_ttl),
        real,
        KEPT_AT_LEAST,
    );
    if let Some(refresh) = refresh_token {
        let ttl = Duration::from_secs(config.refresh_token_ttl_secs);
        stores.insert_token(refresh, record(TokenKind::Refresh, ttl), ttl, KEPT_AT_LEAST);
    }
}

/// How long the expired token of `mcp.expired_token` stays known as expired (rather than
/// unknown): the provider's whole run, in practice.
const EXPIRED_KEPT_FOR: Duration = Duration::from_secs(365 * 24 * 3600);

/// Stores `mcp.expired_token`, if configured: an access token issued for the MCP endpoint an
/// hour ago that expired a minute ago.
pub(crate) fn seed_expired_mcp_token(state: &AppState) {
    let mcp = &state.config.mcp;
    let Some(token) = mcp.expired_token.as_deref().filter(|_| mcp.enabled) else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let resource = crate::resource_indicator::mcp_resource(state);
    let mut stores = lock(&state.stores);
    let record = TokenRecord {
        kind: TokenKind::Access,
        client_id: (state.config.clients.first())
            .map_or_else(|| "mock-provider".to_owned(), |c| c.client_id.clone()),
        tenant: mcp.tenant.clone(),
        subject: (state.config.users.first())
            .map_or_else(|| "expired".to_owned(), |u| u.sub().to_owned()),
        scopes: mcp.scopes.clone(),
        family: stores.new_family(),
        issued_at_unix: now.saturating_sub(3600),
        expires_at_unix: now.saturating_sub(60),
        revoked: false,
        rotated: false,
        extras: Vec::new(),
        origin_state: None,
        audience: Some(resource.clone()),
        resources: vec![resource],
    };
    stores.insert_token(token, record, Duration::ZERO, EXPIRED_KEPT_FOR);
}
