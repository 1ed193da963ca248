//! A small bounded map for the provider's short-lived browser state (pending interactions and
//! sessions): entries expire, and when full the oldest go first.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

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

    /// The live entries, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        let now = Instant::now();
        self.map
            .iter()
            .filter(move |(_, (_, at))| *at > now)
            .map(|(k, (v, _))| (k, v))
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        // The key stays in `order` and is skipped when reaped.
        self.map.remove(key).map(|(v, _)| v)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
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
