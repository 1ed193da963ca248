//! A small bounded map for the provider's short-lived browser state (pending interactions and
//! sessions): entries expire, and when full — in count or, with a byte budget, in the bytes its
//! entries weigh — the oldest go first.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

/// A map whose entries expire and whose size is capped, in count and optionally in bytes; the
/// oldest entries go first. Its keys are live codes, tokens, interactions and sessions, so its
/// `Debug` shows only its size.
pub(crate) struct Bounded<V> {
    /// Each value with its reap time and its weight in bytes.
    map: HashMap<String, (V, Instant, usize)>,
    order: VecDeque<String>,
    capacity: usize,
    /// The most bytes the entries may weigh together (as given to [`Self::insert_weighing`]).
    byte_budget: usize,
    /// What the entries weigh now.
    bytes: usize,
}

impl<V> std::fmt::Debug for Bounded<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bounded")
            .field("len", &self.map.len())
            .field("capacity", &self.capacity)
            .field("bytes", &self.bytes)
            .field("byte_budget", &self.byte_budget)
            .finish_non_exhaustive()
    }
}

impl<V> Bounded<V> {
    /// A map of at most `capacity` entries, however much they weigh.
    pub(crate) fn new(capacity: usize) -> Self {
        Self::with_byte_budget(capacity, usize::MAX)
    }

    /// A map of at most `capacity` entries weighing at most `byte_budget` bytes together.
    pub(crate) fn with_byte_budget(capacity: usize, byte_budget: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            capacity,
            byte_budget,
            bytes: 0,
        }
    }

    /// Inserts a value that is kept until `reap_at`, evicting expired and, when full, oldest
    /// entries. It weighs nothing against the byte budget.
    pub(crate) fn insert(&mut self, key: String, value: V, reap_at: Instant) {
        self.insert_weighing(key, value, 0, reap_at);
    }

    /// Inserts a value weighing about `weight` bytes that is kept until `reap_at`, evicting
    /// expired and then the oldest entries until both the count and the byte budget leave room
    /// for it. A value heavier than the whole budget is still kept, alone.
    pub(crate) fn insert_weighing(
        &mut self,
        key: String,
        value: V,
        weight: usize,
        reap_at: Instant,
    ) {
        self.reap(Instant::now());
        if self.take(&key).is_some() {
            // A replaced key must not keep its old place in line (rare: keys are random).
            self.order.retain(|k| *k != key);
        }
        while self.map.len() >= self.capacity
            || (!self.map.is_empty() && self.bytes.saturating_add(weight) > self.byte_budget)
        {
            match self.order.pop_front() {
                Some(old) => {
                    self.take(&old);
                }
                None => break,
            }
        }
        self.bytes = self.bytes.saturating_add(weight);
        self.map.insert(key.clone(), (value, reap_at, weight));
        self.order.push_back(key);
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
                Some((_, at, _)) if *at > now => break,
                _ => {
                    let key = self.order.pop_front().expect("front exists");
                    self.take(&key);
                }
            }
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.map
            .get(key)
            .filter(|(_, at, _)| *at > Instant::now())
            .map(|(v, _, _)| v)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        let now = Instant::now();
        self.map
            .get_mut(key)
            .filter(|(_, at, _)| *at > now)
            .map(|(v, _, _)| v)
    }

    /// The live entries, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        let now = Instant::now();
        self.map
            .iter()
            .filter(move |(_, (_, at, _))| *at > now)
            .map(|(k, (v, _, _))| (k, v))
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        // The key stays in `order` and is skipped when reaped.
        self.take(key)
    }

    /// Removes an entry, releasing its weight.
    fn take(&mut self, key: &str) -> Option<V> {
        let (value, _, weight) = self.map.remove(key)?;
        self.bytes -= weight;
        Some(value)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

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
    fn a_byte_budget_evicts_the_oldest_until_the_new_entry_fits() {
        let mut store = Bounded::with_byte_budget(100, 1_000);
        let later = Instant::now() + Duration::from_secs(60);
        for key in ["a", "b", "c"] {
            store.insert_weighing(key.into(), key, 400, later);
        }
        // 1,200 bytes would not fit: "a" went, although the count was far from its cap.
        assert_eq!(store.len(), 2);
        assert_eq!(store.bytes(), 800);
        assert!(store.get("a").is_none());
        assert_eq!(store.get("c"), Some(&"c"));
        // A heavy entry pushes out as many of the oldest as it takes.
        store.insert_weighing("d".into(), "d", 900, later);
        assert_eq!(store.len(), 1);
        assert_eq!(store.bytes(), 900);
        assert_eq!(store.get("d"), Some(&"d"));
        // Light entries fill the rest of the budget.
        for i in 0..10 {
            store.insert_weighing(format!("e{i}"), "e", 10, later);
        }
        assert_eq!(store.len(), 11);
        assert_eq!(store.bytes(), 1_000);
    }

    #[test]
    fn the_weight_of_removed_replaced_and_expired_entries_is_released() {
        let mut store = Bounded::with_byte_budget(100, 1_000);
        let later = Instant::now() + Duration::from_secs(60);
        store.insert_weighing("a".into(), 1, 600, later);
        store.insert_weighing("a".into(), 2, 300, later);
        assert_eq!((store.len(), store.bytes()), (1, 300));
        store.remove("a");
        assert_eq!(store.bytes(), 0);
        store.insert_weighing("old".into(), 3, 700, Instant::now());
        store.insert_weighing("b".into(), 4, 700, later);
        assert_eq!((store.len(), store.bytes()), (1, 700));
        assert_eq!(store.get("b"), Some(&4));
    }

    #[test]
    fn the_count_still_caps_a_byte_budgeted_store() {
        let mut store = Bounded::with_byte_budget(2, 1_000_000);
        let later = Instant::now() + Duration::from_secs(60);
        for key in ["a", "b", "c"] {
            store.insert_weighing(key.into(), (), 1, later);
        }
        assert_eq!((store.len(), store.bytes()), (2, 2));
        assert!(store.get("a").is_none());
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
