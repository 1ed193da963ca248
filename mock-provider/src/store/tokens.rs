//! Access and refresh tokens as the store keeps them: keyed by a fingerprint of the token
//! rather than the token itself, and sharing one copy of what a client's tokens repeat (client,
//! tenant, subject, scope, reflected parameters, audience, granted resources).

use std::sync::Arc;
use std::time::Duration;

use super::clock::Tick;
use super::fair::Held;
use super::flow_label::into_label;
use super::intern::{Interner, Pairs, pack, scope_list, unpack};

/// Access or refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Access,
    Refresh,
}

/// An issued token, as minted and as a lookup returns it.
#[derive(Debug, Clone)]
pub(crate) struct TokenRecord {
    pub(crate) kind: TokenKind,
    pub(crate) client_id: String,
    pub(crate) tenant: Option<String>,
    pub(crate) subject: String,
    pub(crate) scopes: Vec<String>,
    /// Tokens issued from one code (or one client_credentials grant) share a family.
    pub(crate) family: u64,
    pub(crate) issued_at_unix: u64,
    pub(crate) expires_at_unix: u64,
    pub(crate) revoked: bool,
    /// A refresh token that has been rotated away.
    pub(crate) rotated: bool,
    pub(crate) extras: Vec<(String, String)>,
    /// The `state` of the authorization that started the family (the store keeps, and gives
    /// back, only its [`flow_label`](super::flow_label::flow_label)).
    pub(crate) origin_state: Option<String>,
    /// The resource the token was issued for (RFC 8707), if the request named one.
    pub(crate) audience: Option<String>,
    /// The resources the authorization granted, which a refresh may name (RFC 8707 §2.2).
    pub(crate) resources: Vec<String>,
}

/// What all the tokens of a client and grant share.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct Holder {
    client_id: Arc<str>,
    tenant: Option<Arc<str>>,
    subject: Arc<str>,
    /// The scopes, space-separated.
    scope: Arc<str>,
    extras: Pairs,
    audience: Option<Arc<str>>,
    /// The granted resources, space-separated (a URI holds no space).
    resources: Option<Arc<str>>,
}

/// A stored token.
#[derive(Debug)]
pub(crate) struct TokenEntry {
    holder: Arc<Holder>,
    origin_state: Option<Arc<str>>,
    pub(crate) family: u64,
    /// Seconds since the Unix epoch (until 2106), and the lifetime the token claims.
    issued_at_unix: u32,
    claimed_secs: u32,
    /// When the token really expires (an `expire_early` fault makes it sooner than it claims).
    pub(crate) expires_at: Tick,
    reap_at: Tick,
    pub(crate) kind: TokenKind,
    pub(crate) revoked: bool,
    pub(crate) rotated: bool,
}

impl Held for TokenEntry {
    fn client(&self) -> &Arc<str> {
        &self.holder.client_id
    }
    fn reap_at(&self) -> Tick {
        self.reap_at
    }
}

impl TokenEntry {
    /// The compact form of a record that really expires after `lifetime` and is kept at least
    /// `keep_for`, sharing what `strings` and `holders` already hold.
    pub(crate) fn new(
        record: TokenRecord,
        lifetime: Duration,
        keep_for: Duration,
        strings: &mut Interner<str>,
        holders: &mut Interner<Holder>,
    ) -> Self {
        let holder = holders.value(Holder {
            client_id: strings.str(&record.client_id),
            tenant: record.tenant.as_deref().map(|t| strings.str(t)),
            subject: strings.str(&record.subject),
            scope: strings.str(&record.scopes.join(" ")),
            extras: pack(record.extras),
            audience: record.audience.as_deref().map(|a| strings.str(a)),
            resources: (!record.resources.is_empty())
                .then(|| strings.str(&record.resources.join(" "))),
        });
        let expires_at = Tick::after(lifetime);
        Self {
            holder,
            origin_state: record.origin_state.map(|s| Arc::from(into_label(s))),
            family: record.family,
            issued_at_unix: u32::try_from(record.issued_at_unix).unwrap_or(u32::MAX),
            claimed_secs: u32::try_from(
                record.expires_at_unix.saturating_sub(record.issued_at_unix),
            )
            .unwrap_or(u32::MAX),
            expires_at,
            reap_at: expires_at.max(Tick::after(keep_for)),
            kind: record.kind,
            revoked: record.revoked,
            rotated: record.rotated,
        }
    }

    /// The record, in full.
    pub(crate) fn record(&self) -> TokenRecord {
        let holder = &*self.holder;
        TokenRecord {
            kind: self.kind,
            client_id: holder.client_id.to_string(),
            tenant: holder.tenant.as_deref().map(str::to_owned),
            subject: holder.subject.to_string(),
            scopes: scope_list(&holder.scope),
            family: self.family,
            issued_at_unix: u64::from(self.issued_at_unix),
            expires_at_unix: u64::from(self.issued_at_unix)
                .saturating_add(u64::from(self.claimed_secs)),
            revoked: self.revoked,
            rotated: self.rotated,
            extras: unpack(&holder.extras),
            origin_state: self.origin_state.as_deref().map(str::to_owned),
            audience: holder.audience.as_deref().map(str::to_owned),
            resources: holder
                .resources
                .as_deref()
                .map(scope_list)
                .unwrap_or_default(),
        }
    }

    /// The `state` of the authorization the token descends from.
    pub(crate) fn origin_state(&self) -> Option<&str> {
        self.origin_state.as_deref()
    }

    /// Names the kind of token, for the journal.
    pub(crate) fn describe(&self) -> &'static str {
        match self.kind {
            TokenKind::Access => "access token",
            TokenKind::Refresh => "refresh token",
        }
    }
}
