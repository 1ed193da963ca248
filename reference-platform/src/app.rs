//! The shared state of a running platform and its routes.

use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::config::PlatformConfig;
use crate::flow::PendingFlow;
use crate::metadata::Metadata;
use crate::session::Sessions;
use crate::shapes::ShapeHooks;
use crate::store::{Bounded, DEFAULT_CAPACITY};
use crate::token_client::TokenClient;
use crate::{callback, chat, link, pages, probe, shapes};

/// How long a flow waits for its callback.
pub(crate) const FLOW_TTL: Duration = Duration::from_secs(600);
/// How long a chat button's ticket is valid.
pub(crate) const TICKET_TTL: Duration = Duration::from_secs(600);
/// The largest request body accepted (chat turns).
const MAX_REQUEST_BYTES: usize = 16 * 1024;

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
    pub(crate) sessions: Sessions,
    /// Where the configured shape differs from the generic flow.
    pub(crate) hooks: Box<dyn ShapeHooks>,
    /// Shape-specific state (CSML events, Converse codes, Botpress external ids).
    pub(crate) shaped: shapes::ShapeState,
}

impl AppState {
    pub(crate) fn new(
        config: PlatformConfig,
        metadata: Metadata,
        hooks: Box<dyn ShapeHooks>,
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
            hooks,
            flows: Mutex::new(Bounded::new(DEFAULT_CAPACITY, FLOW_TTL)),
            tickets: Mutex::new(Bounded::new(DEFAULT_CAPACITY, TICKET_TTL)),
            sessions: Sessions::default(),
            shaped: shapes::ShapeState::default(),
        }))
    }
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// Every route of the platform.
pub(crate) fn router(state: AppState) -> Router {
    let redirect_path = state.config.redirect_path.clone();
    Router::new()
        .route("/health", get(health))
        .route("/link", get(link::web))
        .route("/chat", post(chat::turn))
        .route("/chat/link/{ticket}", get(chat::follow_button))
        .route(&redirect_path, get(callback::handle))
        .route("/whoami", get(probe::whoami))
        .route("/unlink", post(probe::unlink))
        .merge(state.hooks.routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .with_state(state)
}

async fn health() -> &'static str {
    "ok"
}

async fn not_found() -> Response {
    pages::harden((StatusCode::NOT_FOUND, "not found\n").into_response())
}
