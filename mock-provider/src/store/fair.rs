//! A bounded map shared fairly between clients: when it is full it first drops what is dead
//! (past the moment its entry can matter), then the oldest entry of the client holding the most,
//! so a flood from one client never pushes out another client's flows. The dead are found by
//! the whole second they died in, so an entry dead for less than a second may still be held
//! when a live one has to go; it is dropped silently all the same if its turn comes. Each insert
//! costs a few hash and B-tree operations (sweeps of stale handles amortised over the removals
//! that made them); no step scans the entries.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use super::clock::Tick;
use super::fingerprint::Fingerprint;

/// The most entries room is reserved for when a map is made; a larger one grows as it fills.
const MAX_RESERVED: usize = 1 << 20;

/// What the map needs to know of an entry.
pub(crate) trait Held {
    /// The client the entry belongs to.
    fn client(&self) -> &Arc<str>;
    /// When the entry stops mattering: after it, dropping it changes no answer.
    fn reap_at(&self) -> Tick;
}

/// Where an entry lives in the slab, and which tenant of that slot it was: a handle outlives
/// its entry (in the queues and the expiry index) and is then recognised as stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Handle {
    slot: u32,
    generation: u32,
}

/// The handles of one client's entries, oldest first. It may hold stale handles (reaped
/// entries); they are skipped when met and swept when they outnumber the live ones.
#[derive(Debug, Default)]
struct Queue {
    handles: VecDeque<Handle>,
    live: usize,
}

/// The entries, in slots reused through a free list: the hash index holds only slot numbers
/// (four bytes each, hashed by the slot's fingerprint), so that its table, which churn leaves
/// at most about half full, stays small.
struct Slab<V> {
    slots: Vec<Option<(Fingerprint, V)>>,
    generations: Vec<u32>,
    free: Vec<u32>,
}

impl<V> Slab<V> {
    fn get(&self, handle: Handle) -> Option<&(Fingerprint, V)> {
        let i = usize::try_from(handle.slot).ok()?;
        if self.generations.get(i) != Some(&handle.generation) {
            return None;
        }
        self.slots.get(i)?.as_ref()
    }

    /// The current handle of an occupied slot.
    fn handle(&self, slot: u32) -> Option<Handle> {
        let i = usize::try_from(slot).ok()?;
        self.slots.get(i)?.as_ref()?;
        Some(Handle {
            slot,
            generation: *self.generations.get(i)?,
        })
    }

    /// The key in a slot, if occupied.
    fn key(&self, slot: u32) -> Option<Fingerprint> {
        let i = usize::try_from(slot).ok()?;
        self.slots.get(i)?.as_ref().map(|(k, _)| *k)
    }

    /// What the index hashes a slot by.
    fn short(&self, slot: u32) -> u64 {
        self.key(slot).map_or(0, Fingerprint::short)
    }

    fn is_live(&self, handle: Handle) -> bool {
        self.get(handle).is_some()
    }

    /// Puts an entry in a free slot; `None` when the slab cannot grow (more than `u32` slots).
    fn put(&mut self, entry: (Fingerprint, V)) -> Option<Handle> {
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                let slot = u32::try_from(self.slots.len()).ok()?;
                self.slots.push(None);
                self.generations.push(0);
                slot
            }
        };
        let i = usize::try_from(slot).ok()?;
        let generation = self.generations.get_mut(i)?;
        *generation = generation.wrapping_add(1);
        let handle = Handle {
            slot,
            generation: *generation,
        };
        *self.slots.get_mut(i)? = Some(entry);
        Some(handle)
    }

    fn take(&mut self, handle: Handle) -> Option<(Fingerprint, V)> {
        self.get(handle)?;
        let entry = self
            .slots
            .get_mut(usize::try_from(handle.slot).ok()?)?
            .take();
        self.free.push(handle.slot);
        entry
    }
}

/// A map from secret keys to entries, bounded and fair between clients. Its `Debug` shows only
/// sizes: the keys are live codes and tokens.
pub(crate) struct FairMap<V> {
    index: hashbrown::HashTable<u32>,
    slab: Slab<V>,
    /// Handles by the second at which their entries may be reaped.
    expiry: BTreeMap<u64, Vec<Handle>>,
    /// Handles in `expiry`, stale ones (of evicted entries) included.
    filed: usize,
    queues: HashMap<Arc<str>, Queue>,
    /// `(entries held, client)`, so the biggest holder is the last.
    sizes: BTreeSet<(usize, Arc<str>)>,
    capacity: usize,
}

impl<V> std::fmt::Debug for FairMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FairMap")
            .field("len", &self.index.len())
            .field("capacity", &self.capacity)
            .field("clients", &self.queues.len())
            .finish_non_exhaustive()
    }
}

impl<V: Held> FairMap<V> {
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let reserved = capacity.min(MAX_RESERVED);
        // Reserved whole up front (up to a bound): pages never written cost no memory, and growing by copies
        // would leave the old blocks to fragment the heap. Churn leaves a hash table at most
        // about half full, so the index gets room for twice the entries from the start.
        Self {
            index: hashbrown::HashTable::with_capacity(reserved.saturating_mul(2)),
            slab: Slab {
                slots: Vec::with_capacity(reserved),
                generations: Vec::with_capacity(reserved),
                free: Vec::new(),
            },
            expiry: BTreeMap::new(),
            filed: 0,
            queues: HashMap::new(),
            sizes: BTreeSet::new(),
            capacity,
        }
    }

    /// Inserts an entry. Returns the entries that had to go to make room while they still
    /// mattered (dead ones go silently).
    pub(crate) fn insert(&mut self, key: Fingerprint, value: V) -> Vec<V> {
        let now = Tick::now();
        self.reap(now);
        let mut evicted = Vec::new();
        if let Some(old) = self.handle(key) {
            self.remove(old);
        }
        while self.index.len() >= self.capacity {
            match self.take_from_biggest() {
                Some(old) if old.reap_at() > now => evicted.push(old),
                Some(_) => {}
                None => break,
            }
        }
        let client = Arc::clone(value.client());
        let second = value.reap_at().second_after();
        let Some(handle) = self.slab.put((key, value)) else {
            return evicted;
        };
        let slab = &self.slab;
        self.index
            .insert_unique(key.short(), handle.slot, |&slot| slab.short(slot));
        self.expiry.entry(second).or_default().push(handle);
        self.filed = self.filed.saturating_add(1);
        self.sweep_expiry();
        let queue = self.queues.entry(Arc::clone(&client)).or_default();
        queue.handles.push_back(handle);
        self.count(&client, true);
        evicted
    }

    /// The entry under `key`, unless it no longer matters.
    pub(crate) fn get(&self, key: Fingerprint) -> Option<&V> {
        let (_, value) = self.slab.get(self.handle(key)?)?;
        (!value.reap_at().is_past()).then_some(value)
    }

    /// The handle of the entry under `key`, its full fingerprint checked.
    fn handle(&self, key: Fingerprint) -> Option<Handle> {
        let slab = &self.slab;
        let slot = *self
            .index
            .find(key.short(), |&slot| slab.key(slot) == Some(key))?;
        slab.handle(slot)
    }

    /// The entry under `key`, to change it, unless it no longer matters.
    pub(crate) fn get_mut(&mut self, key: Fingerprint) -> Option<&mut V> {
        let handle = self.handle(key)?;
        let (_, value) = self
            .slab
            .slots
            .get_mut(usize::try_from(handle.slot).ok()?)?
            .as_mut()?;
        (!value.reap_at().is_past()).then_some(value)
    }

    /// The entries that still matter, in no particular order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.slab
            .slots
            .iter()
            .flatten()
            .map(|(_, v)| v)
            .filter(|v| !v.reap_at().is_past())
    }

    /// Every entry, to change them.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.slab.slots.iter_mut().flatten().map(|(_, v)| v)
    }

    /// How many entries are held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }

    /// Drops every entry filed under a second that has passed.
    fn reap(&mut self, now: Tick) {
        while let Some(entry) = self.expiry.first_entry() {
            if *entry.key() > now.second() {
                break;
            }
            let handles = entry.remove();
            self.filed = self.filed.saturating_sub(handles.len());
            for handle in handles {
                let dead = self
                    .slab
                    .get(handle)
                    .is_some_and(|(_, value)| value.reap_at() <= now);
                if dead {
                    self.remove(handle);
                }
            }
        }
    }

    /// Drops the handles of evicted entries from the expiry index once they outnumber the live
    /// ones (they would otherwise stay until their entry's second, a day for a refresh token).
    fn sweep_expiry(&mut self) {
        if self.filed <= self.index.len().saturating_mul(2).saturating_add(16) {
            return;
        }
        let slab = &self.slab;
        self.expiry.retain(|_, handles| {
            handles.retain(|h| slab.is_live(*h));
            !handles.is_empty()
        });
        self.filed = self.expiry.values().map(Vec::len).sum();
    }

    /// Removes the oldest entry of the client that holds the most.
    fn take_from_biggest(&mut self) -> Option<V> {
        let (_, client) = self.sizes.last()?;
        let client = Arc::clone(client);
        loop {
            let handle = self.queues.get_mut(&client)?.handles.pop_front()?;
            if let Some(value) = self.remove(handle) {
                return Some(value);
            }
        }
    }

    fn remove(&mut self, handle: Handle) -> Option<V> {
        let (key, value) = self.slab.take(handle)?;
        if let Ok(entry) = self
            .index
            .find_entry(key.short(), |&slot| slot == handle.slot)
        {
            entry.remove();
        }
        self.count(value.client(), false);
        Some(value)
    }

    /// Counts an entry of `client` in (`more`) or out, keeping `sizes` in step and sweeping
    /// the client's queue of stale handles when they outnumber the live ones.
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
        if queue.handles.len() > queue.live.saturating_mul(2).saturating_add(16) {
            let slab = &self.slab;
            queue.handles.retain(|h| slab.is_live(*h));
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

    fn key(name: &str) -> Fingerprint {
        Fingerprint::of(name)
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

    /// A map of `capacity` holding `entries` (key, entry), inserted in order.
    fn map_with(capacity: usize, entries: Vec<(&str, Entry)>) -> FairMap<Entry> {
        let mut map = FairMap::new(capacity);
        for (name, entry) in entries {
            assert!(map.insert(key(name), entry).is_empty());
        }
        map
    }

    #[test]
    fn dead_entries_go_first_and_silently() {
        let mut map = map_with(
            3,
            vec![("old", dead("a")), ("b1", live("b")), ("b2", live("b"))],
        );
        let evicted = map.insert(key("b3"), live("b"));
        assert!(evicted.is_empty(), "{evicted:?}");
        assert_eq!(map.len(), 3);
        assert!(map.get(key("old")).is_none());
    }

    #[test]
    fn when_all_is_live_the_biggest_client_gives_up_its_oldest() {
        let mut map = map_with(
            4,
            vec![
                ("a1", live("a")),
                ("f1", live("flood")),
                ("f2", live("flood")),
                ("f3", live("flood")),
            ],
        );
        let evicted = map.insert(key("f4"), live("flood"));
        assert_eq!(evicted.len(), 1);
        assert_eq!(&*evicted[0].client, "flood");
        assert!(map.get(key("f1")).is_none());
        assert!(map.get(key("a1")).is_some());
        // A flood of any length never takes the other client's entry.
        for i in 0..1_000 {
            map.insert(key(&format!("x{i}")), live("flood"));
        }
        assert!(map.get(key("a1")).is_some());
        assert_eq!(map.len(), 4);
        assert!(map.queues["flood"].handles.len() <= 3 * 2 + 16);
        let filed: usize = map.expiry.values().map(Vec::len).sum();
        assert!(
            filed <= 4 * 2 + 16,
            "the expiry index keeps {filed} handles"
        );
    }

    #[test]
    fn the_client_holding_most_gives_up_its_oldest_for_another_clients_insert() {
        let mut map = map_with(
            4,
            vec![
                ("a1", live("a")),
                ("a2", live("a")),
                ("a3", live("a")),
                ("b1", live("b")),
            ],
        );
        // b inserts while a holds the most: a's oldest goes.
        let evicted = map.insert(key("b2"), live("b"));
        assert_eq!(evicted.len(), 1);
        assert_eq!(&*evicted[0].client, "a");
        assert!(map.get(key("a1")).is_none());
        assert!(map.get(key("b1")).is_some() && map.get(key("b2")).is_some());
    }
}
