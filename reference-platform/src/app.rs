//! The platform's router: every generic route with its handler, and the configured shape's
//! routes and hooks.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::hooks::ShapeHooks;
use crate::state::AppState;
use crate::{callback, chat, link, pages, probe};

/// The largest request body accepted (chat turns).
const MAX_REQUEST_BYTES: usize = 16 * 1024;

/// Every route of the platform, with the configured shape's `hooks`.
pub(crate) fn router(state: AppState, hooks: Arc<dyn ShapeHooks>) -> Router {
    let redirect_path = state.config.redirect_path.clone();
    let document = state.config.client_metadata_path.clone();
    let router = match document {
        Some(path) => Router::new().route(&path, get(crate::mcp_registration::document)),
        None => Router::new(),
    };
    router
        .route("/health", get(health))
        .route("/link", get(link::web))
        .route("/chat", post(chat::turn))
        .route("/chat/link/{ticket}", get(chat::follow_button))
        .route(&redirect_path, callback::route(Arc::clone(&hooks)))
        .route("/whoami", get(probe::whoami))
        .route("/unlink", post(probe::unlink))
        .merge(hooks.routes())
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
