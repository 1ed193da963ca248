//! What happens between a valid authorization request and its answer: scripted decisions,
//! pending login/consent interactions, and browser sessions.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::pkce::ChallengeMethod;
use crate::redirect::Callback;
use crate::store::Bounded;

/// A validated authorization request, waiting for the resource owner's decision.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizationRequest {
    pub(crate) client_id: String,
    pub(crate) tenant: Option<String>,
    pub(crate) redirect_uri: String,
    pub(crate) redirect_uri_sent: bool,
    pub(crate) state: Option<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) challenge: Option<(String, ChallengeMethod)>,
    pub(crate) extras: Vec<(String, String)>,
    /// The `iss` to send in the response (RFC 9207); `None` to send none.
    pub(crate) iss: Option<String>,
}

impl AuthorizationRequest {
    /// Where the answer to this request goes.
    pub(crate) fn callback(&self) -> Callback<'_> {
        Callback {
            redirect_uri: &self.redirect_uri,
            state: self.state.as_deref(),
            iss: self.iss.as_deref(),
        }
    }
}

/// How the next authorization for a client is decided, set through the control API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Approve as this user, granting these scopes (or the requested ones).
    Approve {
        /// The username.
        user: String,
        /// The scopes to grant instead of the requested ones (a narrower grant).
        #[serde(default)]
        scopes: Option<Vec<String>>,
    },
    /// Deny with this error.
    Deny {
        /// The error code, usually `access_denied`.
        error: ErrorCode,
        /// `error_description`.
        #[serde(default)]
        description: Option<String>,
    },
}

impl Decision {
    /// Approve as `user` with the requested scopes.
    pub fn approve(user: impl Into<String>) -> Self {
        Self::Approve {
            user: user.into(),
            scopes: None,
        }
    }

    /// Deny with `access_denied`.
    pub fn deny() -> Self {
        Self::Deny {
            error: ErrorCode::AccessDenied,
            description: None,
        }
    }
}

/// A queued decision, optionally for the authorization request carrying one `state` only
/// (so that concurrent tests sharing a client do not take each other's decisions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Scripted {
    pub(crate) state: Option<String>,
    pub(crate) decision: Decision,
}

/// A login/consent interaction in progress.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) request: AuthorizationRequest,
    /// Anti-CSRF token for the login and consent forms.
    pub(crate) csrf: String,
}

const INTERACTION_TTL: Duration = Duration::from_secs(600);
const SESSION_TTL: Duration = Duration::from_secs(3600);

/// Pending interactions and logged-in browser sessions.
#[derive(Debug)]
pub(crate) struct Interactions {
    pending: Bounded<Pending>,
    sessions: Bounded<String>,
}

impl Interactions {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            pending: Bounded::new(capacity),
            sessions: Bounded::new(capacity),
        }
    }

    pub(crate) fn start(&mut self, id: String, pending: Pending) {
        self.pending
            .insert(id, pending, Instant::now() + INTERACTION_TTL);
    }

    pub(crate) fn pending(&self, id: &str) -> Option<&Pending> {
        self.pending.get(id)
    }

    pub(crate) fn finish(&mut self, id: &str) -> Option<Pending> {
        self.pending.remove(id)
    }

    pub(crate) fn log_in(&mut self, session: String, username: String) {
        self.sessions
            .insert(session, username, Instant::now() + SESSION_TTL);
    }

    pub(crate) fn user_of(&self, session: &str) -> Option<&str> {
        self.sessions.get(session).map(String::as_str)
    }
}
