//! The platform shapes of `shared/seeds/` on top of the generic flow: CSML's chat events,
//! Converse's session variables, Kore.ai's authorization profile, Botpress's global callback.
//! Each adds its routes and, where the shape differs, hooks into the callback.

pub(crate) mod botpress;
pub(crate) mod converse;
pub(crate) mod csml;
pub(crate) mod kore;

use std::sync::Mutex;
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use serde_json::Value;

use crate::app::AppState;
use crate::callback::{Completed, Failed};
use crate::config::Shape;
use crate::flow::PendingFlow;
use crate::store::{Bounded, DEFAULT_CAPACITY};

/// How long a CSML event, a Converse code or a Botpress external id is kept.
const SHAPE_TTL: Duration = Duration::from_secs(600);

/// What the shapes keep between requests.
#[derive(Debug)]
pub(crate) struct ShapeState {
    /// CSML: the event each session's next chat turn delivers.
    pub(crate) events: Mutex<Bounded<Value>>,
    /// Converse: the `authCode` session variable (with its flow's verifier and scopes).
    pub(crate) codes: Mutex<Bounded<converse::StoredCode>>,
    /// Botpress: external id (the provider's `sub`) → `{bot}:{user}`.
    pub(crate) external_ids: Mutex<Bounded<String>>,
}

impl Default for ShapeState {
    fn default() -> Self {
        Self {
            events: Mutex::new(Bounded::new(DEFAULT_CAPACITY, SHAPE_TTL)),
            codes: Mutex::new(Bounded::new(DEFAULT_CAPACITY, SHAPE_TTL)),
            external_ids: Mutex::new(Bounded::new(DEFAULT_CAPACITY, SHAPE_TTL)),
        }
    }
}

/// The shape's own routes.
pub(crate) fn routes(shape: &Shape) -> Router<AppState> {
    match shape {
        Shape::Web => Router::new(),
        Shape::Csml { .. } => csml::routes(),
        Shape::Converse => converse::routes(),
        Shape::Kore(_) => kore::routes(),
        Shape::Botpress { .. } => botpress::routes(),
    }
}

/// Before the callback is checked: Botpress's `botpress_wrong_bot` defect re-routes the flow.
pub(crate) fn route_callback(state: &AppState, headers: &HeaderMap, flow: &mut PendingFlow) {
    if let Shape::Botpress { .. } = state.config.shape {
        botpress::route_callback(state, headers, flow);
    }
}

/// After the callback: CSML records the event for the next turn, Botpress links the external id.
pub(crate) async fn after_callback(state: &AppState, outcome: &Result<Completed, Failed>) {
    match &state.config.shape {
        Shape::Csml { .. } => csml::record_event(state, outcome),
        Shape::Botpress { .. } => {
            if let Ok(done) = outcome {
                botpress::link_external_id(state, &done.session).await;
            }
        }
        _ => {}
    }
}
