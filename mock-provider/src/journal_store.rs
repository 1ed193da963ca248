//! The journal's storage: the entries in order, bounded in number and in bytes, each cut to
//! size when recorded ([`truncation`]); the oldest go first, and how many went is counted.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use oauth_vocab::redact::SecretValues;

use crate::journal::JournalEntry;
use crate::truncation;

/// A shared journal bounded in entries and in bytes, its entries cut to size when recorded
/// ([`truncation`]). It holds raw secrets, so its `Debug` shows only its size.
pub(crate) struct Journal {
    kept: Mutex<Kept>,
    next_seq: AtomicU64,
    capacity: usize,
    budget: usize,
}

/// The entries, each with its accounted size, and their total.
#[derive(Default)]
struct Kept {
    entries: VecDeque<(JournalEntry, usize)>,
    bytes: usize,
    dropped: u64,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = self.lock();
        f.debug_struct("Journal")
            .field("len", &kept.entries.len())
            .field("bytes", &kept.bytes)
            .field("capacity", &self.capacity)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

impl Journal {
    /// A journal of at most `capacity` entries and `budget` bytes.
    pub(crate) fn new(capacity: usize, budget: usize) -> Self {
        Self {
            kept: Mutex::new(Kept::default()),
            next_seq: AtomicU64::new(1),
            capacity,
            budget,
        }
    }

    /// Cuts `entry` to size and keeps it, dropping the oldest entries while over either bound.
    pub(crate) fn record(&self, mut entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        entry.seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        truncation::truncate(&mut entry);
        let size = truncation::size(&entry);
        let mut kept = self.lock();
        kept.bytes = kept.bytes.saturating_add(size);
        kept.entries.push_back((entry, size));
        while kept.entries.len() > 1
            && (kept.entries.len() > self.capacity || kept.bytes > self.budget)
        {
            if let Some((_, size)) = kept.entries.pop_front() {
                kept.bytes = kept.bytes.saturating_sub(size);
                kept.dropped = kept.dropped.saturating_add(1);
            }
        }
    }

    /// Entries in order, optionally only those that concern one client
    /// ([`JournalEntry::concerns`]).
    pub(crate) fn entries(&self, client_id: Option<&str>) -> Vec<JournalEntry> {
        self.lock()
            .entries
            .iter()
            .map(|(entry, _)| entry)
            .filter(|e| client_id.is_none_or(|id| e.concerns(id)))
            .cloned()
            .collect()
    }

    /// How many entries were dropped to stay within the bounds since the provider started.
    pub(crate) fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Adds the secret values every entry carries to `secrets`.
    pub(crate) fn collect_secrets(&self, secrets: &mut SecretValues) {
        for (entry, _) in self.lock().entries.iter() {
            entry.collect_secrets(secrets);
        }
    }

    /// The accounted bytes of the entries kept.
    pub(crate) fn bytes(&self) -> usize {
        self.lock().bytes
    }

    pub(crate) fn clear(&self) {
        let mut kept = self.lock();
        kept.entries.clear();
        kept.bytes = 0;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::tests::entry;

    #[test]
    fn journal_is_bounded_and_filters_by_client() {
        let journal = Journal::new(2, usize::MAX);
        for id in ["a", "b", "a"] {
            journal.record(JournalEntry {
                client_id: Some(id.into()),
                ..entry()
            });
        }
        let all = journal.entries(None);
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(journal.entries(Some("a")).len(), 1);
        assert_eq!(journal.dropped(), 1);
    }

    #[test]
    fn huge_values_are_cut_and_the_journal_stays_within_its_byte_budget() {
        let budget = 1024 * 1024;
        let journal = Journal::new(usize::MAX, budget);
        for _ in 0..2_100 {
            let mut e = entry();
            e.headers.push(("x-big".into(), "a".repeat(390 * 1024)));
            journal.record(e);
            assert!(journal.bytes() <= budget, "{} > {budget}", journal.bytes());
        }
        let kept = journal.entries(None);
        assert!(kept.iter().all(|e| e.truncated));
        assert!(
            kept[0]
                .header("x-big")
                .unwrap()
                .ends_with("…[truncated from 399360 bytes]")
        );
        assert_eq!(journal.dropped(), 2_100 - kept.len() as u64);
        assert!(kept.len() > 50, "{} entries fit", kept.len());
    }
}
