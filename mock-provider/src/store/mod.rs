//! The grants the provider has issued: authorization codes, access and refresh tokens (here),
//! pending interactions and browser sessions ([`Bounded`]). Every store is bounded and reaps
//! what has expired, so memory stays flat under endless load; the code and token stores hold
//! each entry in compact form (a flow's long `state` as its label, [`flow_label`]) and, when full, drop what is dead first, then from the client
//! holding the most, journaling every live entry they drop ([`eviction`]).

mod bounded;
mod clock;
mod codes;
pub(crate) mod eviction;
mod fair;
mod fingerprint;
pub(crate) mod flow_label;
mod intern;
mod tokens;

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

pub(crate) use bounded::Bounded;
pub(crate) use clock::Tick;
pub(crate) use codes::{CodeEntry, CodeGrant, CodeRef};
pub use eviction::Evictions;
use eviction::{CODE, Evicted, Tally};
use fair::{FairMap, Held};
use fingerprint::Fingerprint;
pub(crate) use flow_label::same_flow;
use intern::Interner;
use tokens::{Holder, TokenEntry};
pub(crate) use tokens::{TokenKind, TokenRecord};

/// Why a token is not usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenState {
    Active,
    Expired,
    Revoked,
    Rotated,
    Unknown,
}

impl TokenState {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::Rotated => "already rotated (refresh token reuse)",
            Self::Unknown => "unknown",
        }
    }
}

/// All grant state behind one lock.
#[derive(Debug)]
pub(crate) struct Stores {
    codes: FairMap<CodeEntry>,
    tokens: FairMap<TokenEntry>,
    strings: Interner<str>,
    holders: Interner<Holder>,
    revoked_families: HashSet<u64>,
    revoked_order: VecDeque<u64>,
    next_family: u64,
    max_codes: usize,
    max_tokens: usize,
    evictions: Tally,
}

impl Stores {
    pub(crate) fn new(max_codes: usize, max_tokens: usize) -> Self {
        Self {
            codes: FairMap::new(max_codes),
            tokens: FairMap::new(max_tokens),
            strings: Interner::new(),
            holders: Interner::new(),
            revoked_families: HashSet::new(),
            revoked_order: VecDeque::new(),
            next_family: 1,
            max_codes,
            max_tokens,
            evictions: Tally::default(),
        }
    }

    pub(crate) fn new_family(&mut self) -> u64 {
        self.next_family = self.next_family.saturating_add(1);
        self.next_family
    }

    /// Stores a code; the live entries it pushed out are journaled.
    pub(crate) fn insert_code(&mut self, code: &str, grant: CodeGrant) {
        let entry = CodeEntry::new(code, grant, &mut self.strings);
        let evicted: Vec<Evicted> = self
            .codes
            .insert(Fingerprint::of(code), entry)
            .into_iter()
            .map(|old| Evicted {
                what: CODE,
                client: Arc::clone(old.client()),
                state: old.state().map(str::to_owned),
                limit: ("max_codes", self.max_codes),
            })
            .collect();
        self.journal(&evicted);
    }

    /// The code's entry, unless it no longer matters.
    pub(crate) fn code(&self, code: &str) -> Option<&CodeEntry> {
        self.codes.get(Fingerprint::of(code))
    }

    /// The codes not yet redeemed, with their flows.
    pub(crate) fn code_flows(&self) -> impl Iterator<Item = (&str, CodeRef<'_>)> {
        self.codes
            .values()
            .filter_map(|entry| Some((entry.code()?, entry.flow())))
    }

    /// Marks a code redeemed, with the family of the tokens issued from it (what a replay
    /// revokes); unless codes are `reusable`, only its tombstone is kept.
    pub(crate) fn spend_code(&mut self, code: &str, family: u64, reusable: bool) {
        if let Some(entry) = self.codes.get_mut(Fingerprint::of(code)) {
            entry.spend(family, reusable);
        }
    }

    /// Stores a token that really expires after `lifetime` and is remembered at least
    /// `keep_for`; the live entries it pushed out are journaled.
    pub(crate) fn insert_token(
        &mut self,
        token: &str,
        record: TokenRecord,
        lifetime: Duration,
        keep_for: Duration,
    ) {
        let revoked = self.revoked_families.contains(&record.family);
        let mut entry = TokenEntry::new(
            record,
            lifetime,
            keep_for,
            &mut self.strings,
            &mut self.holders,
        );
        entry.revoked |= revoked;
        let evicted: Vec<Evicted> = self
            .tokens
            .insert(Fingerprint::of(token), entry)
            .into_iter()
            .map(|old| Evicted {
                what: old.describe(),
                client: Arc::clone(old.client()),
                state: old.origin_state().map(str::to_owned),
                limit: ("max_tokens", self.max_tokens),
            })
            .collect();
        self.journal(&evicted);
    }

    fn journal(&mut self, evicted: &[Evicted]) {
        for e in evicted {
            let lost = self.evictions.add(e);
            eviction::note(e, lost);
        }
    }

    /// The live entries each client lost to full stores.
    pub(crate) fn evictions(&self) -> Vec<Evictions> {
        self.evictions.all()
    }

    /// Revokes every token of a family, including those issued later from it.
    pub(crate) fn revoke_family(&mut self, family: u64) {
        if self.revoked_families.insert(family) {
            self.revoked_order.push_back(family);
            if self.revoked_order.len() > self.max_tokens
                && let Some(old) = self.revoked_order.pop_front()
            {
                self.revoked_families.remove(&old);
            }
        }
        for token in self.tokens.values_mut().filter(|t| t.family == family) {
            token.revoked = true;
        }
    }

    /// Revokes one token.
    pub(crate) fn revoke_token(&mut self, token: &str) {
        if let Some(entry) = self.tokens.get_mut(Fingerprint::of(token)) {
            entry.revoked = true;
        }
    }

    /// Retires a refresh token that has just been used: presenting it again is a reuse.
    pub(crate) fn rotate_token(&mut self, token: &str) {
        if let Some(entry) = self.tokens.get_mut(Fingerprint::of(token)) {
            entry.rotated = true;
        }
    }

    /// A token's record and whether it may be used now.
    pub(crate) fn token_state(&self, token: &str) -> (Option<TokenRecord>, TokenState) {
        // Keep expired tokens distinguishable from unknown ones until reaped.
        let Some(entry) = self.tokens.get(Fingerprint::of(token)) else {
            return (None, TokenState::Unknown);
        };
        let state = if entry.revoked || self.revoked_families.contains(&entry.family) {
            TokenState::Revoked
        } else if entry.rotated {
            TokenState::Rotated
        } else if entry.expires_at.is_past() {
            TokenState::Expired
        } else {
            TokenState::Active
        };
        (Some(entry.record()), state)
    }

    /// The `state` of the authorization a token descends from.
    pub(crate) fn token_origin(&self, token: &str) -> Option<String> {
        self.tokens
            .get(Fingerprint::of(token))?
            .origin_state()
            .map(str::to_owned)
    }

    #[cfg(test)]
    pub(crate) fn sizes(&self) -> (usize, usize) {
        (self.codes.len(), self.tokens.len())
    }
}

#[cfg(test)]
mod tests;
