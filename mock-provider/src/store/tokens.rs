//! Access and refresh tokens as the store keeps them: keyed by a fingerprint of the token
//! rather than the token itself, and sharing one copy of what a client's tokens repeat (client,
//! tenant, subject, scope, reflected parameters).

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::clock::Tick;
use super::fair::Held;
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
    /// The `state` of the authorization that started the family.
    pub(crate) origin_state: Option<String>,
}

/// The store's key for a token: the first 16 bytes of its SHA-256, so that the store holds no
/// token in clear and every key has the same small size.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Fingerprint([u8; 16]);

impl Fingerprint {
    pub(crate) fn of(token: &str) -> Self {
        let digest = Sha256::digest(token.as_bytes());
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        Self(key)
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fingerprint(..)")
    }
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
}

/// A stored token.
#[derive(Debug)]
pub(crate) struct TokenEntry {
    holder: Arc<Holder>,
    origin_state: Option<Arc<str>>,
    pub(crate) family: u64,
    issued_at_unix: u64,
    expires_at_unix: u64,
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
        });
        let expires_at = Tick::after(lifetime);
        Self {
            holder,
            origin_state: record.origin_state.as_deref().map(Arc::from),
            family: record.family,
            issued_at_unix: record.issued_at_unix,
            expires_at_unix: record.expires_at_unix,
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
            issued_at_unix: self.issued_at_unix,
            expires_at_unix: self.expires_at_unix,
            revoked: self.revoked,
            rotated: self.rotated,
            extras: unpack(&holder.extras),
            origin_state: self.origin_state.as_deref().map(str::to_owned),
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
