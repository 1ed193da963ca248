//! Scripted answers to authorization requests: a [`Decision`] (approve as a user, or deny) is
//! made for one client — optionally one flow — and mounted on the provider, in place of the
//! login and consent pages.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::expect::{Expectation, Hits, Times};

/// How an authorization request is decided.
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

    /// This decision for the next authorization request of `client_id`.
    pub fn for_client(self, client_id: impl Into<String>) -> ScriptedDecision {
        ScriptedDecision {
            client_id: client_id.into(),
            state: None,
            decision: self,
            expected: None,
            hits: Hits::default(),
        }
    }
}

/// A [`Decision`] for one client, ready to [`mount`](Self::mount): it answers the first
/// matching authorization request, then is gone.
#[derive(Debug, Clone, Deserialize)]
#[must_use = "a decision does nothing until mounted"]
pub struct ScriptedDecision {
    pub(crate) client_id: String,
    /// Only the request carrying this `state` (for tests that share a client concurrently).
    #[serde(default)]
    pub(crate) state: Option<String>,
    #[serde(flatten)]
    pub(crate) decision: Decision,
    #[serde(skip)]
    expected: Option<Times>,
    #[serde(skip)]
    pub(crate) hits: Hits,
}

impl ScriptedDecision {
    /// Only for the authorization request that carries this `state`.
    pub fn for_state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// Expects the decision to be taken this many times (0 or 1), checked by
    /// [`MockProvider::verify`](crate::MockProvider::verify) and when the provider is dropped.
    pub fn expect(mut self, times: impl Into<Times>) -> Self {
        self.expected = Some(times.into());
        self
    }

    pub(crate) fn expectation(&self) -> Option<Expectation> {
        self.expected.map(|times| Expectation {
            what: format!("decision {:?} for client {}", self.decision, self.client_id),
            times,
            hits: self.hits.clone(),
        })
    }

    /// The view of the queue on the control API: the flow it is for and the decision.
    pub(crate) fn listed(&self) -> serde_json::Value {
        serde_json::json!({ "client_id": self.client_id, "decision": {
            "state": self.state,
            "decision": self.decision,
        }})
    }
}
