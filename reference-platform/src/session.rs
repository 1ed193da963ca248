//! Linked chat sessions: the tokens stored for each chat session id, with a generation number
//! that changes whenever they do and a per-session lock, so that concurrent probes refresh at
//! most once ([RFC 9700 §4.14](https://www.rfc-editor.org/rfc/rfc9700#section-4.14): a rotated
//! refresh token used twice revokes the whole family).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::store::{Bounded, DEFAULT_CAPACITY};
use crate::token_client::TokenSet;
use oauth_vocab::Secret;

/// How long a linked session is kept without being refreshed or re-linked.
const SESSION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long a step-up request waits for the next flow.
const STEP_UP_TTL: Duration = Duration::from_secs(600);
/// The most scopes a step-up may add.
const MAX_STEP_UP_SCOPES: usize = 16;
/// How many re-authorizations one session may try for one tool before its refusal is taken as
/// permanent (MCP authorization 2025-11-25 and later, "Step-Up Authorization Flow": "no more
/// than a few times").
pub(crate) const MAX_STEP_UPS: u32 = 2;

/// The tokens of one linked session, as last stored.
#[derive(Debug, Clone)]
pub(crate) struct Linked {
    pub(crate) access_token: Secret,
    pub(crate) refresh_token: Option<Secret>,
    /// The granted scope, space-delimited.
    pub(crate) scope: String,
    /// Changes whenever the tokens do.
    pub(crate) generation: u64,
    /// Held while refreshing, so that one refresh serves every concurrent probe.
    pub(crate) refresh_lock: Arc<tokio::sync::Mutex<()>>,
}

/// Every linked session and pending step-up request.
#[derive(Debug)]
pub(crate) struct Sessions {
    linked: Mutex<Bounded<Linked>>,
    step_ups: Mutex<Bounded<Vec<String>>>,
    /// The step-ups tried per session and tool (`"{sid} {tool}"`).
    step_up_attempts: Mutex<Bounded<u32>>,
    generation: AtomicU64,
}

impl Default for Sessions {
    fn default() -> Self {
        Self {
            linked: Mutex::new(Bounded::new(DEFAULT_CAPACITY, SESSION_TTL)),
            step_ups: Mutex::new(Bounded::new(DEFAULT_CAPACITY, STEP_UP_TTL)),
            step_up_attempts: Mutex::new(Bounded::new(DEFAULT_CAPACITY, STEP_UP_TTL)),
            generation: AtomicU64::new(1),
        }
    }
}

impl Sessions {
    /// Stores the tokens of a new link; the granted scope is the response's, or the requested
    /// one when the response names none ([RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1)).
    pub(crate) fn link(&self, sid: &str, tokens: TokenSet, requested: &[String]) {
        let linked = Linked {
            scope: tokens.scope.unwrap_or_else(|| requested.join(" ")),
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            generation: self.next_generation(),
            refresh_lock: Arc::default(),
        };
        lock(&self.linked).insert(sid.to_owned(), linked);
        lock(&self.step_ups).remove(sid);
    }

    /// The session's tokens as stored now.
    pub(crate) fn get(&self, sid: &str) -> Option<Linked> {
        lock(&self.linked).get(sid).cloned()
    }

    /// Stores refreshed tokens if the session still holds generation `generation`. The rotated
    /// refresh token replaces the old one, which is forgotten; without one the old stays valid
    /// ([RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6)).
    pub(crate) fn refreshed(&self, sid: &str, generation: u64, tokens: TokenSet) -> Option<Linked> {
        let mut linked = lock(&self.linked);
        let current = linked.get(sid).filter(|l| l.generation == generation)?;
        let updated = Linked {
            access_token: tokens.access_token,
            refresh_token: tokens
                .refresh_token
                .or_else(|| current.refresh_token.clone()),
            scope: tokens.scope.unwrap_or_else(|| current.scope.clone()),
            generation: self.next_generation(),
            refresh_lock: current.refresh_lock.clone(),
        };
        linked.insert(sid.to_owned(), updated.clone());
        Some(updated)
    }

    /// Forgets the session's tokens if they are still generation `generation`.
    pub(crate) fn forget_if(&self, sid: &str, generation: u64) {
        let mut linked = lock(&self.linked);
        if linked.get(sid).is_some_and(|l| l.generation == generation) {
            linked.remove(sid);
        }
    }

    /// Moves the tokens stored under `from` to `to` (a confirmed chat link, see `confirm`).
    pub(crate) fn adopt(&self, from: &str, to: &str) {
        let mut linked = lock(&self.linked);
        if let Some(tokens) = linked.remove(from) {
            linked.insert(to.to_owned(), tokens);
            drop(linked);
            lock(&self.step_ups).remove(to);
        }
    }

    /// Takes the session's tokens out (unlink).
    pub(crate) fn take(&self, sid: &str) -> Option<Linked> {
        lock(&self.linked).remove(sid)
    }

    /// Remembers scopes a resource challenged for, to ask for in the session's next flow
    /// ([RFC 6750 §3.1](https://www.rfc-editor.org/rfc/rfc6750#section-3.1) step-up).
    pub(crate) fn add_step_up(&self, sid: &str, scopes: Vec<String>) {
        let mut step_ups = lock(&self.step_ups);
        let mut all = step_ups.get(sid).cloned().unwrap_or_default();
        for scope in scopes {
            if !all.contains(&scope) && all.len() < MAX_STEP_UP_SCOPES {
                all.push(scope);
            }
        }
        step_ups.insert(sid.to_owned(), all);
    }

    /// The scopes a pending step-up of `sid` asks for, if one is pending.
    pub(crate) fn pending_step_up(&self, sid: &str) -> Option<Vec<String>> {
        lock(&self.step_ups).get(sid).cloned()
    }

    /// Forgets a pending step-up of `sid` (its refusal was taken as permanent).
    pub(crate) fn drop_step_up(&self, sid: &str) {
        lock(&self.step_ups).remove(sid);
    }

    /// Counts one more refusal of `tool` for lack of scope in `sid`; the count so far.
    pub(crate) fn step_up_attempt(&self, sid: &str, tool: &str) -> u32 {
        let key = format!("{sid} {tool}");
        let mut attempts = lock(&self.step_up_attempts);
        let count = attempts.get(&key).copied().unwrap_or(0).saturating_add(1);
        attempts.insert(key, count);
        count
    }

    /// Forgets the refusals of `tool` in `sid` (it answered).
    pub(crate) fn step_up_succeeded(&self, sid: &str, tool: &str) {
        lock(&self.step_up_attempts).remove(&format!("{sid} {tool}"));
    }

    /// The scopes of the next flow for `sid`: the configured ones, plus any step-up (their
    /// union, MCP authorization 2026-07-28, "Step-Up Authorization Flow").
    pub(crate) fn scopes_for_flow(&self, sid: &str, configured: &[String]) -> Vec<String> {
        let mut scopes = configured.to_vec();
        if let Some(extra) = lock(&self.step_ups).get(sid) {
            for scope in extra {
                if !scopes.contains(scope) {
                    scopes.push(scope.clone());
                }
            }
        }
        scopes
    }

    fn next_generation(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::Relaxed)
    }
}

/// Locks a store; a poisoned lock still holds consistent data (no code panics while holding it).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(access: &str, refresh: Option<&str>, scope: Option<&str>) -> TokenSet {
        TokenSet {
            access_token: Secret::new(access),
            refresh_token: refresh.map(Secret::new),
            scope: scope.map(str::to_owned),
        }
    }

    #[test]
    fn an_absent_scope_means_the_requested_one() {
        let sessions = Sessions::default();
        sessions.link(
            "s",
            tokens("a", None, None),
            &["read".into(), "profile".into()],
        );
        assert_eq!(sessions.get("s").unwrap().scope, "read profile");
        sessions.link(
            "s",
            tokens("a", None, Some("read")),
            &["read".into(), "profile".into()],
        );
        assert_eq!(sessions.get("s").unwrap().scope, "read");
    }

    #[test]
    fn a_rotated_refresh_token_replaces_the_old_one() {
        let sessions = Sessions::default();
        sessions.link("s", tokens("a1", Some("r1"), Some("read")), &[]);
        let g = sessions.get("s").unwrap().generation;
        let new = sessions
            .refreshed("s", g, tokens("a2", Some("r2"), None))
            .unwrap();
        assert_eq!(new.access_token.expose(), "a2");
        assert_eq!(new.refresh_token.unwrap().expose(), "r2");
        assert_eq!(new.scope, "read");
        // A stale generation changes nothing.
        assert!(
            sessions
                .refreshed("s", g, tokens("a3", None, None))
                .is_none()
        );
        // Without a new refresh token the current one is kept.
        let g2 = sessions.get("s").unwrap().generation;
        let newer = sessions
            .refreshed("s", g2, tokens("a4", None, None))
            .unwrap();
        assert_eq!(newer.refresh_token.unwrap().expose(), "r2");
    }

    #[test]
    fn forgetting_respects_the_generation() {
        let sessions = Sessions::default();
        sessions.link("s", tokens("a1", None, None), &[]);
        let old = sessions.get("s").unwrap().generation;
        sessions.link("s", tokens("a2", None, None), &[]);
        sessions.forget_if("s", old);
        assert!(sessions.get("s").is_some());
        let current = sessions.get("s").unwrap().generation;
        sessions.forget_if("s", current);
        assert!(sessions.get("s").is_none());
    }

    #[test]
    fn adopted_tokens_move_to_the_new_session() {
        let sessions = Sessions::default();
        sessions.link("held", tokens("a", None, None), &[]);
        sessions.add_step_up("chat", vec!["write".into()]);
        sessions.adopt("held", "chat");
        assert!(sessions.get("held").is_none());
        assert_eq!(sessions.get("chat").unwrap().access_token.expose(), "a");
        assert_eq!(sessions.scopes_for_flow("chat", &[]), Vec::<String>::new());
        // Nothing held: nothing moves.
        sessions.adopt("nothing", "other");
        assert!(sessions.get("other").is_none());
    }

    #[test]
    fn step_ups_widen_only_that_sessions_next_flow() {
        let sessions = Sessions::default();
        let configured = vec!["read".to_owned()];
        sessions.add_step_up("s", vec!["write".into(), "read".into()]);
        assert_eq!(
            sessions.scopes_for_flow("s", &configured),
            ["read", "write"]
        );
        assert_eq!(sessions.scopes_for_flow("other", &configured), ["read"]);
        sessions.link("s", tokens("a", None, None), &configured);
        assert_eq!(sessions.scopes_for_flow("s", &configured), ["read"]);
        assert_eq!(sessions.pending_step_up("s"), None);
    }

    #[test]
    fn step_up_attempts_are_counted_per_session_and_tool() {
        let sessions = Sessions::default();
        assert_eq!(sessions.step_up_attempt("s", "echo"), 1);
        assert_eq!(sessions.step_up_attempt("s", "echo"), 2);
        assert_eq!(sessions.step_up_attempt("s", "whoami"), 1);
        assert_eq!(sessions.step_up_attempt("t", "echo"), 1);
        sessions.step_up_succeeded("s", "echo");
        assert_eq!(sessions.step_up_attempt("s", "echo"), 1);
        sessions.add_step_up("s", vec!["write".into()]);
        assert_eq!(
            sessions.pending_step_up("s"),
            Some(vec!["write".to_owned()])
        );
        sessions.drop_step_up("s");
        assert_eq!(sessions.pending_step_up("s"), None);
    }
}
