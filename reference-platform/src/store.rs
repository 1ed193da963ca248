//! Bounded, expiring maps for everything the platform keeps: pending flows, chat tickets,
//! linked sessions and step-up requests. Memory stays flat under endless load: entries expire
//! after their time to live, and when a store is full the oldest entry is forgotten first.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// The default capacity of every store.
pub(crate) const DEFAULT_CAPACITY: usize = 10_000;

struct Entry<V> {
    value: V,
    expires: Instant,
    seq: u64,
}

/// A map with a capacity and a time to live; the oldest entries go first. Its `Debug` shows
/// only sizes: keys are states and tickets, which must not reach a log.
pub(crate) struct Bounded<V> {
    map: HashMap<String, Entry<V>>,
    /// Keys in insertion order, with the sequence number of the insertion; stale pairs (the
    /// key was removed or inserted again) are skipped.
    order: VecDeque<(u64, String)>,
    capacity: usize,
    ttl: Duration,
    next_seq: u64,
}

impl<V> std::fmt::Debug for Bounded<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bounded")
            .field("len", &self.map.len())
            .field("capacity", &self.capacity)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl<V> Bounded<V> {
    pub(crate) fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            ttl,
            next_seq: 0,
        }
    }

    /// Inserts or replaces a value, which then lives for the store's time to live.
    pub(crate) fn insert(&mut self, key: String, value: V) {
        let now = Instant::now();
        self.reap(now);
        if !self.map.contains_key(&key) {
            while self.map.len() >= self.capacity {
                self.evict_oldest();
            }
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.order.push_back((seq, key.clone()));
        self.map.insert(
            key,
            Entry {
                value,
                expires: now + self.ttl,
                seq,
            },
        );
        if self.order.len() > 2 * self.capacity + 16 {
            let map = &self.map;
            self.order
                .retain(|(seq, key)| map.get(key).is_some_and(|e| e.seq == *seq));
        }
    }

    /// The live value under `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.map
            .get(key)
            .filter(|e| e.expires > Instant::now())
            .map(|e| &e.value)
    }

    /// Takes the live value under `key` out of the store.
    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        let entry = self.map.remove(key)?;
        (entry.expires > Instant::now()).then_some(entry.value)
    }

    /// The key of the newest live entry whose value satisfies `pred` (only for the
    /// `state_not_checked` and `callback_session_linked` defects, which find a flow by browser
    /// instead of by state).
    pub(crate) fn newest_key(&self, pred: impl Fn(&V) -> bool) -> Option<String> {
        let now = Instant::now();
        self.map
            .iter()
            .filter(|(_, e)| e.expires > now && pred(&e.value))
            .max_by_key(|(_, e)| e.seq)
            .map(|(k, _)| k.clone())
    }

    /// How many entries are held (expired ones included until reaped).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    fn evict_oldest(&mut self) {
        while let Some((seq, key)) = self.order.pop_front() {
            if self.map.get(&key).is_some_and(|e| e.seq == seq) {
                self.map.remove(&key);
                return;
            }
        }
    }

    /// Drops expired entries from the front (the time to live is the same for all, so
    /// insertion order is expiry order).
    fn reap(&mut self, now: Instant) {
        while let Some((seq, key)) = self.order.front() {
            match self.map.get(key) {
                Some(e) if e.seq == *seq && e.expires > now => break,
                Some(e) if e.seq == *seq => {
                    self.map.remove(key);
                }
                _ => {}
            }
            self.order.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_entry_is_evicted_when_full() {
        let mut store = Bounded::new(2, Duration::from_secs(60));
        store.insert("a".into(), 1);
        store.insert("b".into(), 2);
        store.insert("c".into(), 3);
        assert_eq!(store.get("a"), None);
        assert_eq!(store.get("b"), Some(&2));
        assert_eq!(store.get("c"), Some(&3));
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn replacing_a_key_does_not_evict_another() {
        let mut store = Bounded::new(2, Duration::from_secs(60));
        store.insert("a".into(), 1);
        store.insert("b".into(), 2);
        store.insert("a".into(), 10);
        assert_eq!(store.get("a"), Some(&10));
        assert_eq!(store.get("b"), Some(&2));
        // "b" is now the oldest.
        store.insert("c".into(), 3);
        assert_eq!(store.get("b"), None);
        assert_eq!(store.get("a"), Some(&10));
    }

    #[test]
    fn expired_entries_are_invisible_and_reaped() {
        let mut store = Bounded::new(10, Duration::ZERO);
        store.insert("a".into(), 1);
        assert_eq!(store.get("a"), None);
        assert_eq!(store.remove("a"), None);
        store.insert("b".into(), 2);
        store.insert("c".into(), 3);
        assert!(store.len() <= 1);
    }

    #[test]
    fn debug_output_shows_no_key() {
        let mut store = Bounded::new(2, Duration::from_secs(60));
        store.insert("state-value".into(), "ticket-value");
        let text = format!("{store:?}");
        assert!(
            !text.contains("state-value") && !text.contains("ticket-value"),
            "{text}"
        );
    }

    #[test]
    fn the_order_queue_stays_bounded_under_churn() {
        let mut store = Bounded::new(4, Duration::from_secs(60));
        for i in 0..1_000 {
            store.insert(format!("k{}", i % 3), i);
            store.remove("k0");
        }
        assert!(store.order.len() <= 2 * 4 + 16 + 1);
        assert!(store.len() <= 4);
    }
}
