//! [`ShapeState`]: what the platform shapes keep between requests — CSML's pending chat events
//! and service token, Converse's `authCode` variables, Botpress's external ids — each bounded
//! (and, but for the one service token, expiring).

use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

use crate::session::lock;
use crate::store::{Bounded, DEFAULT_CAPACITY};
use oauth_vocab::Secret;

/// How long a CSML event, a Converse code or a Botpress external id is kept.
const SHAPE_TTL: Duration = Duration::from_secs(600);

/// What the shapes keep between requests.
#[derive(Debug)]
pub(crate) struct ShapeState {
    /// CSML: the event each session's next chat turn delivers.
    pub(crate) events: Mutex<Bounded<Value>>,
    /// Converse: the `authCode` session variable (with its flow's verifier and scopes).
    pub(crate) codes: Mutex<Bounded<StoredCode>>,
    /// Botpress: external id (the provider's `sub`) → `{bot}:{user}`.
    pub(crate) external_ids: Mutex<Bounded<String>>,
    /// CSML: the chatbot-wide service account's token; the lock is held while one is
    /// obtained, so concurrent turns share one grant.
    pub(crate) service_token: tokio::sync::Mutex<Option<Secret>>,
}

impl Default for ShapeState {
    fn default() -> Self {
        Self {
            events: Mutex::new(Bounded::new(DEFAULT_CAPACITY, SHAPE_TTL)),
            codes: Mutex::new(Bounded::new(DEFAULT_CAPACITY, SHAPE_TTL)),
            external_ids: Mutex::new(Bounded::new(DEFAULT_CAPACITY, SHAPE_TTL)),
            service_token: tokio::sync::Mutex::new(None),
        }
    }
}

impl ShapeState {
    /// Moves what the chat shapes keep for session `from` (CSML's event, Converse's code) to
    /// `to` (a confirmed chat link, see `confirm`).
    pub(crate) fn adopt(&self, from: &str, to: &str) {
        move_entry(&self.events, from, to);
        move_entry(&self.codes, from, to);
    }

    /// Forgets what the chat shapes keep for session `sid`.
    pub(crate) fn forget(&self, sid: &str) {
        lock(&self.events).remove(sid);
        lock(&self.codes).remove(sid);
    }
}

fn move_entry<V>(store: &Mutex<Bounded<V>>, from: &str, to: &str) {
    let mut store = lock(store);
    if let Some(value) = store.remove(from) {
        store.insert(to.to_owned(), value);
    }
}

/// Converse's `authCode` variable, with what redeeming it needs.
#[derive(Debug, Clone)]
pub(crate) struct StoredCode {
    pub(crate) code: Secret,
    pub(crate) verifier: Secret,
    pub(crate) scopes: Vec<String>,
}
