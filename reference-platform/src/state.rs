//! [`AppState`]: what every handler of a running platform shares — the configuration and
//! metadata, the token client, the pending flows, chat tickets, chat links awaiting their
//! confirmation and linked sessions, and what the shapes keep — with how long a flow, a ticket
//! and a confirmation wait. It is data only: the configured shape's hooks are not part of it
//! (the router hands them to the routes that call them).

use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::config::{Placement, PlatformConfig};
use crate::flow::PendingFlow;
use crate::hold::Hold;
use crate::metadata::Metadata;
use crate::session::Sessions;
use crate::shape_state::ShapeState;
use crate::store::{Bounded, DEFAULT_CAPACITY};
use crate::token_client::TokenClient;

/// How long a flow waits for its callback.
pub(crate) const FLOW_TTL: Duration = Duration::from_secs(600);
/// How long a chat button's ticket is valid.
pub(crate) const TICKET_TTL: Duration = Duration::from_secs(600);
/// How long a chat link waits for its confirmation code.
pub(crate) const CONFIRM_TTL: Duration = Duration::from_secs(600);

/// Everything the handlers share; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct AppState(Arc<Inner>);

/// The shared state itself.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: PlatformConfig,
    pub(crate) metadata: Metadata,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base_url: String,
    /// `{base_url}{redirect_path}`, sent identically at authorize and token.
    pub(crate) redirect_uri: String,
    /// For the resource API.
    pub(crate) http: reqwest::Client,
    pub(crate) tokens: TokenClient,
    /// Pending flows by `state`.
    pub(crate) flows: Mutex<Bounded<PendingFlow>>,
    /// Chat-button tickets: ticket → chat session id.
    pub(crate) tickets: Mutex<Bounded<String>>,
    /// Chat links waiting for their confirmation code, by chat session id.
    pub(crate) confirmations: Mutex<Bounded<Hold>>,
    pub(crate) sessions: Sessions,
    /// Where the access token goes in calls to the resource API: the configured shape's
    /// placement, fixed at start.
    pub(crate) placement: Placement,
    /// Shape-specific state (CSML events, Converse codes, Botpress external ids).
    pub(crate) shaped: ShapeState,
}

impl AppState {
    pub(crate) fn new(
        config: PlatformConfig,
        metadata: Metadata,
        placement: Placement,
        base_url: String,
        http: reqwest::Client,
        tokens: TokenClient,
    ) -> Self {
        let redirect_uri = config.redirect_uri_for(&base_url);
        Self(Arc::new(Inner {
            config,
            metadata,
            base_url,
            redirect_uri,
            http,
            tokens,
            placement,
            flows: Mutex::new(Bounded::new(DEFAULT_CAPACITY, FLOW_TTL)),
            tickets: Mutex::new(Bounded::new(DEFAULT_CAPACITY, TICKET_TTL)),
            confirmations: Mutex::new(Bounded::new(DEFAULT_CAPACITY, CONFIRM_TTL)),
            sessions: Sessions::default(),
            shaped: ShapeState::default(),
        }))
    }
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
