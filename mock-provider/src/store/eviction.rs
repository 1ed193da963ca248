//! Live entries dropped because a store was full: the finding each one adds to the journal
//! entry of the request that caused it, and the per-client tally a run reads to tell whether
//! any of its flows lost state ([`crate::MockProvider::evictions`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use oauth_vocab::{Finding, Observation};
use serde::Serialize;

/// How many flow states an [`Evictions`] tally names at most.
const MAX_STATES: usize = 16;

/// A live entry dropped to make room.
#[derive(Debug, Clone)]
pub(crate) struct Evicted {
    /// What was dropped: "authorization code", "access token", "refresh token".
    pub(crate) what: &'static str,
    pub(crate) client: Arc<str>,
    /// The label of the `state` of the flow it belonged to ([`super::flow_label`]).
    pub(crate) state: Option<String>,
    /// The `[limits]` key that bounds its store, and its value.
    pub(crate) limit: (&'static str, usize),
}

impl Evicted {
    /// The journal's finding: the client and flow, never the code or token itself.
    pub(crate) fn observation(&self) -> Observation {
        let flow = self
            .state
            .as_deref()
            .map_or_else(String::new, |s| format!(" (flow state {s:?})"));
        let (key, value) = self.limit;
        Observation::detailed(
            Finding::StoreLiveEntryEvicted,
            format!(
                "a live {} of client {:?}{flow} was dropped: the store was full \
                 ([limits] {key} = {value}); raise it or reduce the load",
                self.what, self.client
            ),
        )
    }
}

/// The live entries one client lost to full stores.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evictions {
    /// The client whose entries were dropped.
    pub client_id: String,
    /// Live authorization codes (or tombstones of redeemed ones still in their replay window).
    pub codes: u64,
    /// Live access and refresh tokens.
    pub tokens: u64,
    /// The `state` of the flows concerned (the first few), as the stores keep it: a state
    /// longer than 256 bytes is its first 64 bytes followed by `…[N bytes, sha256 <16 hex>]`.
    pub states: Vec<String>,
}

/// The evictions so far, by client.
#[derive(Debug, Default)]
pub(crate) struct Tally(HashMap<Arc<str>, Evictions>);

impl Tally {
    /// Counts `evicted`; returns how many live entries its client has lost so far.
    pub(crate) fn add(&mut self, evicted: &Evicted) -> u64 {
        let entry = self
            .0
            .entry(Arc::clone(&evicted.client))
            .or_insert_with(|| Evictions {
                client_id: evicted.client.to_string(),
                ..Evictions::default()
            });
        let count = if evicted.what == CODE {
            &mut entry.codes
        } else {
            &mut entry.tokens
        };
        *count = count.saturating_add(1);
        if let Some(state) = &evicted.state
            && entry.states.len() < MAX_STATES
            && !entry.states.contains(state)
        {
            entry.states.push(state.clone());
        }
        entry.codes.saturating_add(entry.tokens)
    }

    /// Every client's tally, by client id.
    pub(crate) fn all(&self) -> Vec<Evictions> {
        let mut all: Vec<_> = self.0.values().cloned().collect();
        all.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        all
    }
}

/// What [`Evicted::what`] says of a code.
pub(crate) const CODE: &str = "authorization code";

tokio::task_local! {
    /// The findings of the request being handled, for its journal entry.
    static NOTED: RefCell<Vec<Observation>>;
}

/// Runs a request's handling, collecting the evictions it caused.
pub(crate) async fn collecting<F: Future>(handling: F) -> (F::Output, Vec<Observation>) {
    NOTED
        .scope(RefCell::new(Vec::new()), async {
            let output = handling.await;
            (output, NOTED.with(|n| n.take()))
        })
        .await
}

/// Notes an eviction for the journal entry of the request being handled, and logs it when
/// `lost` (the client's running total) is a power of two: a store that stays full under load
/// logs a few lines per client, not one per request, while every journal entry keeps its own.
pub(crate) fn note(evicted: &Evicted, lost: u64) {
    let observation = evicted.observation();
    if lost.is_power_of_two() {
        tracing::warn!(
            client_id = %evicted.client,
            state = evicted.state.as_deref().unwrap_or("-"),
            lost,
            "{observation} ({lost} lost by this client so far; logged again at {})",
            lost.saturating_mul(2)
        );
    }
    // Outside a request (a unit test) the log line is all there is.
    let _ = NOTED.try_with(|n| n.borrow_mut().push(observation));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evicted(what: &'static str, client: &str) -> Evicted {
        Evicted {
            what,
            client: Arc::from(client),
            state: None,
            limit: ("max_codes", 1),
        }
    }

    #[test]
    fn each_client_keeps_its_own_running_total_of_codes_and_tokens() {
        let mut tally = Tally::default();
        assert_eq!(tally.add(&evicted(CODE, "a")), 1);
        assert_eq!(tally.add(&evicted("access token", "a")), 2);
        assert_eq!(tally.add(&evicted(CODE, "b")), 1);
        assert_eq!(tally.add(&evicted(CODE, "a")), 3);
        let all = tally.all();
        assert_eq!((all[0].codes, all[0].tokens), (2, 1));
        assert_eq!((all[1].codes, all[1].tokens), (1, 0));
    }
}
