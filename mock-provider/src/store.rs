//! The grants the provider has issued: authorization codes, access and refresh tokens, pending
//! interactions and browser sessions. Every store is bounded and reaps what has expired, so
//! memory stays flat under endless load.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use crate::pkce::ChallengeMethod;

/// Where [`deadline`] saturates.
const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// The instant `after` from now; a duration too long for the clock saturates at a century
/// (profiles and faults are bounded to a year, so this is a guard, not a rule).
pub(crate) fn deadline(after: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(after)
        .or_else(|| now.checked_add(CENTURY))
        .unwrap_or(now)
}

/// A map whose entries expire and whose size is capped; the oldest entries go first. Its keys
/// are live codes, tokens, interactions and sessions, so its `Debug` shows only its size.
pub(crate) struct Bounded<V> {
    map: HashMap<String, (V, Instant)>,
    order: VecDeque<String>,
    capacity: usize,
}

impl<V> std::fmt::Debug for Bounded<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bounded")
            .field("len", &self.map.len())
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl<V> Bounded<V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// Inserts a value that is kept until `reap_at`, evicting expired and, when full, oldest entries.
    pub(crate) fn insert(&mut self, key: String, value: V, reap_at: Instant) {
        self.reap(Instant::now());
        while self.map.len() >= self.capacity {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
        if self.map.insert(key.clone(), (value, reap_at)).is_none() {
            self.order.push_back(key);
        }
        if self.order.len() > 2 * self.capacity {
            // Keys removed out of order linger in `order`; drop them so it stays bounded too.
            let map = &self.map;
            self.order.retain(|k| map.contains_key(k));
        }
    }

    /// Drops entries from the front whose time has come.
    fn reap(&mut self, now: Instant) {
        while let Some(front) = self.order.front() {
            match self.map.get(front) {
                Some((_, at)) if *at > now => break,
                _ => {
                    let key = self.order.pop_front().expect("front exists");
                    self.map.remove(&key);
                }
            }
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.map
            .get(key)
            .filter(|(_, at)| *at > Instant::now())
            .map(|(v, _)| v)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        let now = Instant::now();
        self.map
            .get_mut(key)
            .filter(|(_, at)| *at > now)
            .map(|(v, _)| v)
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        // The key stays in `order` and is skipped when reaped.
        self.map.remove(key).map(|(v, _)| v)
    }

    /// The live entries, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        let now = Instant::now();
        self.map
            .iter()
            .filter(move |(_, (_, at))| *at > now)
            .map(|(k, (v, _))| (k, v))
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.map.values_mut().map(|(v, _)| v)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

/// What an authorization code stands for ([RFC 6749 §4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)
/// lists what it is bound to).
#[derive(Debug, Clone)]
pub(crate) struct CodeGrant {
    pub(crate) client_id: String,
    pub(crate) tenant: Option<String>,
    pub(crate) redirect_uri: String,
    /// Whether the authorization request carried `redirect_uri` explicitly.
    pub(crate) redirect_uri_sent: bool,
    pub(crate) scopes: Vec<String>,
    pub(crate) challenge: Option<(String, ChallengeMethod)>,
    pub(crate) subject: String,
    /// Extra parameters to reflect in the token response (`team`).
    pub(crate) extras: Vec<(String, String)>,
    pub(crate) expires_at: Instant,
    /// The `state` of the authorization request, to match faults scripted for that flow.
    pub(crate) state: Option<String>,
    /// Set once redeemed: the family of the tokens issued from it.
    pub(crate) redeemed_family: Option<u64>,
}

/// Access or refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Access,
    Refresh,
}

/// An issued token.
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
    pub(crate) expires_at: Instant,
    pub(crate) revoked: bool,
    /// A refresh token that has been rotated away.
    pub(crate) rotated: bool,
    pub(crate) extras: Vec<(String, String)>,
    /// The `state` of the authorization that started the family.
    pub(crate) origin_state: Option<String>,
}

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
    pub(crate) codes: Bounded<CodeGrant>,
    pub(crate) tokens: Bounded<TokenRecord>,
    revoked_families: HashSet<u64>,
    revoked_order: VecDeque<u64>,
    next_family: u64,
}

impl Stores {
    pub(crate) fn new(max_codes: usize, max_tokens: usize) -> Self {
        Self {
            codes: Bounded::new(max_codes),
            tokens: Bounded::new(max_tokens),
            revoked_families: HashSet::new(),
            revoked_order: VecDeque::new(),
            next_family: 1,
        }
    }

    pub(crate) fn new_family(&mut self) -> u64 {
        self.next_family += 1;
        self.next_family
    }

    /// Revokes every token of a family, including those issued later from it.
    pub(crate) fn revoke_family(&mut self, family: u64) {
        if self.revoked_families.insert(family) {
            self.revoked_order.push_back(family);
            if self.revoked_order.len() > self.tokens.capacity
                && let Some(old) = self.revoked_order.pop_front()
            {
                self.revoked_families.remove(&old);
            }
        }
        for token in self.tokens.values_mut().filter(|t| t.family == family) {
            token.revoked = true;
        }
    }

    /// A token's record and whether it may be used now.
    pub(crate) fn token_state(&self, token: &str) -> (Option<&TokenRecord>, TokenState) {
        // Keep expired tokens distinguishable from unknown ones until reaped.
        let Some((record, _)) = self.tokens.map.get(token) else {
            return (None, TokenState::Unknown);
        };
        let state = if record.revoked || self.revoked_families.contains(&record.family) {
            TokenState::Revoked
        } else if record.rotated {
            TokenState::Rotated
        } else if record.expires_at <= Instant::now() {
            TokenState::Expired
        } else {
            TokenState::Active
        };
        (Some(record), state)
    }

    pub(crate) fn insert_token(&mut self, token: String, record: TokenRecord, keep_for: Duration) {
        let reap_at = record.expires_at.max(deadline(keep_for));
        self.tokens.insert(token, record, reap_at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_too_far_for_the_clock_saturates_instead_of_panicking() {
        let now = Instant::now();
        assert!(deadline(Duration::MAX) > now);
        assert!(deadline(Duration::from_secs(u64::MAX)) > now);
        let soon = deadline(Duration::from_secs(60));
        assert!(soon > now && soon <= Instant::now() + Duration::from_secs(60));
    }

    #[test]
    fn bounded_store_evicts_the_oldest_when_full() {
        let mut store = Bounded::new(2);
        let later = Instant::now() + Duration::from_secs(60);
        store.insert("a".into(), 1, later);
        store.insert("b".into(), 2, later);
        store.insert("c".into(), 3, later);
        assert_eq!(store.len(), 2);
        assert!(store.get("a").is_none());
        assert_eq!(store.get("c"), Some(&3));
    }

    #[test]
    fn expired_entries_are_reaped_on_insert() {
        let mut store = Bounded::new(100);
        let past = Instant::now();
        for i in 0..50 {
            store.insert(format!("old{i}"), i, past);
        }
        store.insert("new".into(), 0, Instant::now() + Duration::from_secs(60));
        assert_eq!(store.len(), 1);
        assert!(
            store.order.len() <= 1,
            "order keeps stale keys: {}",
            store.order.len()
        );
    }

    #[test]
    fn removed_keys_do_not_evict_live_ones() {
        let mut store = Bounded::new(2);
        let later = Instant::now() + Duration::from_secs(60);
        store.insert("a".into(), 1, later);
        store.remove("a");
        store.insert("b".into(), 2, later);
        store.insert("c".into(), 3, later);
        assert_eq!(store.get("b"), Some(&2));
        assert_eq!(store.get("c"), Some(&3));
    }
}
