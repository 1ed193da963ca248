//! A bounded map shared fairly between clients: when it is full it first drops what is dead
//! (past the moment its entry can matter), then the oldest entry of the client holding the most,
//! so a flood from one client never pushes out another client's flows. Each insert costs a few
//! hash and B-tree operations; no step scans the entries.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Arc;

use super::clock::Tick;

/// What the map needs to know of an entry.
pub(crate) trait Held {
    /// The client the entry belongs to.
    fn client(&self) -> &Arc<str>;
    /// When the entry stops mattering: after it, dropping it changes no answer.
    fn reap_at(&self) -> Tick;
}

/// The keys of one client, oldest first. It may hold keys already gone from the map (reaped);
/// they are skipped when met and swept when they outnumber the live ones.
#[derive(Debug)]
struct Queue<K> {
    keys: VecDeque<K>,
    live: usize,
}

impl<K> Default for Queue<K> {
    fn default() -> Self {
        Self {
            keys: VecDeque::new(),
            live: 0,
        }
    }
}

/// A map from secret keys to entries, bounded and fair between clients. Its `Debug` shows only
/// sizes: the keys are live codes and tokens.
pub(crate) struct FairMap<K, V> {
    map: HashMap<K, V>,
    /// Keys by the second at which they may be reaped.
    expiry: BTreeMap<u64, Vec<K>>,
    queues: HashMap<Arc<str>, Queue<K>>,
    /// `(entries held, client)`, so the biggest holder is the last.
    sizes: BTreeSet<(usize, Arc<str>)>,
    capacity: usize,
}

impl<K, V> std::fmt::Debug for FairMap<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FairMap")
            .field("len", &self.map.len())
            .field("capacity", &self.capacity)
            .field("clients", &self.queues.len())
            .finish_non_exhaustive()
    }
}

impl<K: Clone + Hash + Eq, V: Held> FairMap<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            map: HashMap::new(),
            expiry: BTreeMap::new(),
            queues: HashMap::new(),
            sizes: BTreeSet::new(),
            capacity: capacity.max(1),
        }
    }

    /// Inserts an entry. Returns the entries that had to go to make room while they still
    /// mattered (dead ones go silently).
    pub(crate) fn insert(&mut self, key: K, value: V) -> Vec<V> {
        let now = Tick::now();
        self.reap(now);
        let mut evicted = Vec::new();
        while self.map.len() >= self.capacity {
            match self.take_from_biggest() {
                Some(old) if old.reap_at() > now => evicted.push(old),
                Some(_) => {}
                None => break,
            }
        }
        let client = Arc::clone(value.client());
        let second = value.reap_at().second_after();
        if let Some(old) = self.map.insert(key.clone(), value) {
            self.count(old.client(), false);
        }
        self.expiry.entry(second).or_default().push(key.clone());
        let queue = self.queues.entry(Arc::clone(&client)).or_default();
        queue.keys.push_back(key);
        self.count(&client, true);
        evicted
    }

    /// The entry under `key`, unless it no longer matters.
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key).filter(|v| !v.reap_at().is_past())
    }

    /// The entry under `key`, to change it, unless it no longer matters.
    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.map.get_mut(key).filter(|v| !v.reap_at().is_past())
    }

    /// The entries that still matter, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.map.iter().filter(|(_, v)| !v.reap_at().is_past())
    }

    /// Every entry, to change them.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.map.values_mut()
    }

    /// How many entries are held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Drops every entry filed under a second that has passed.
    fn reap(&mut self, now: Tick) {
        while let Some(entry) = self.expiry.first_entry() {
            if *entry.key() > now.second() {
                break;
            }
            for key in entry.remove() {
                match self.map.get(&key) {
                    Some(value) if value.reap_at() <= now => {
                        self.remove(&key);
                    }
                    // A key filed again later, or already gone.
                    _ => {}
                }
            }
        }
    }

    /// Removes the oldest entry of the client that holds the most.
    fn take_from_biggest(&mut self) -> Option<V> {
        let (_, client) = self.sizes.last()?;
        let client = Arc::clone(client);
        loop {
            let key = self.queues.get_mut(&client)?.keys.pop_front()?;
            if let Some(value) = self.remove(&key) {
                return Some(value);
            }
        }
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        let value = self.map.remove(key)?;
        self.count(value.client(), false);
        Some(value)
    }

    /// Counts an entry of `client` in (`more`) or out, keeping `sizes` in step and sweeping
    /// the client's queue of keys that are gone when they outnumber the live ones.
    fn count(&mut self, client: &Arc<str>, more: bool) {
        let Some(queue) = self.queues.get_mut(client) else {
            return;
        };
        let before = queue.live;
        queue.live = if more {
            before.saturating_add(1)
        } else {
            before.saturating_sub(1)
        };
        self.sizes.remove(&(before, Arc::clone(client)));
        if queue.live == 0 {
            self.queues.remove(client);
            return;
        }
        self.sizes.insert((queue.live, Arc::clone(client)));
        if queue.keys.len() > queue.live.saturating_mul(2).saturating_add(16) {
            let map = &self.map;
            queue.keys.retain(|k| map.contains_key(k));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[derive(Debug, PartialEq)]
    struct Entry {
        client: Arc<str>,
        reap_at: Tick,
    }

    impl Held for Entry {
        fn client(&self) -> &Arc<str> {
            &self.client
        }
        fn reap_at(&self) -> Tick {
            self.reap_at
        }
    }

    fn live(client: &str) -> Entry {
        Entry {
            client: client.into(),
            reap_at: Tick::after(Duration::from_secs(600)),
        }
    }

    fn dead(client: &str) -> Entry {
        Entry {
            client: client.into(),
            reap_at: Tick::ago(Duration::from_secs(2)),
        }
    }

    #[test]
    fn dead_entries_go_first_and_silently() {
        let mut map = FairMap::new(3);
        map.insert("old", dead("a"));
        map.insert("b1", live("b"));
        map.insert("b2", live("b"));
        let evicted = map.insert("b3", live("b"));
        assert!(evicted.is_empty(), "{evicted:?}");
        assert_eq!(map.len(), 3);
        assert!(map.get(&"old").is_none());
    }

    #[test]
    fn when_all_is_live_the_biggest_client_gives_up_its_oldest() {
        let mut map = FairMap::new(4);
        map.insert("a1", live("a"));
        for key in ["f1", "f2", "f3"] {
            map.insert(key, live("flood"));
        }
        let evicted = map.insert("f4", live("flood"));
        assert_eq!(evicted.len(), 1);
        assert_eq!(&*evicted[0].client, "flood");
        assert!(map.get(&"f1").is_none());
        assert!(map.get(&"a1").is_some());
        // A flood of any length never takes the other client's entry.
        for i in 0..1_000 {
            let key: &'static str = Box::leak(format!("x{i}").into_boxed_str());
            map.insert(key, live("flood"));
        }
        assert!(map.get(&"a1").is_some());
        assert_eq!(map.len(), 4);
        assert!(map.queues["flood"].keys.len() <= 3 * 2 + 16);
    }

    #[test]
    fn the_client_holding_most_gives_up_its_oldest_for_another_clients_insert() {
        let mut map = FairMap::new(4);
        map.insert("a1", live("a"));
        map.insert("a2", live("a"));
        map.insert("a3", live("a"));
        map.insert("b1", live("b"));
        // b inserts while a holds the most: a's oldest goes.
        let evicted = map.insert("b2", live("b"));
        assert_eq!(evicted.len(), 1);
        assert_eq!(&*evicted[0].client, "a");
        assert!(map.get(&"a1").is_none());
        assert!(map.get(&"b1").is_some() && map.get(&"b2").is_some());
    }
}
