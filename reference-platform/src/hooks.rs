//! [`ShapeHooks`]: every point where the generic modules let a shape decide. Each shape
//! implements it in its own file; the default methods are the generic web behaviour, so a shape
//! overrides only where it differs.
//!
//! The hooks are not part of the shared state: the server picks them at start (`prepare`, and
//! `placement`, which the state keeps as a value), and the router merges their `routes` and
//! hands them to the callback route. So this module sits below every handler: it names the
//! state and the callback's outcome, never a handler.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use axum::Router;
use axum::http::HeaderMap;

use crate::config::{Placement, PlatformConfig};
use crate::defects::Defects;
use crate::flow::PendingFlow;
use crate::metadata::Metadata;
use crate::outcome::{Completed, Failed};
use crate::start_error::StartError;
use crate::state::AppState;

/// A boxed future that a hook returns (trait objects cannot have `async fn`s).
pub(crate) type HookFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// What the callback does with a code that passed every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeUse {
    /// Redeem it now and link the session (the generic behaviour).
    Redeem,
    /// The shape kept it for a later step; the callback only acknowledges it.
    Kept,
}

/// How a platform shape differs from the generic web flow.
pub(crate) trait ShapeHooks: fmt::Debug + Send + Sync {
    /// The shape's own routes, merged beside the generic ones.
    fn routes(&self) -> Router<AppState> {
        Router::new()
    }

    /// At start, once the metadata is read: adjust the endpoints and the configuration
    /// (before the token client is built from them).
    fn prepare(
        &self,
        _config: &mut PlatformConfig,
        _metadata: &mut Metadata,
    ) -> Result<(), StartError> {
        Ok(())
    }

    /// Before the callback is checked: which session the consumed flow links.
    fn route_callback(&self, _state: &AppState, _headers: &HeaderMap, _flow: &mut PendingFlow) {}

    /// Once the callback's code passed every check: redeem it, or keep it for later.
    fn use_code(&self, _state: &AppState, _flow: &PendingFlow, _code: &str) -> CodeUse {
        CodeUse::Redeem
    }

    /// After the callback's page is built: what the shape does with the outcome.
    fn after_callback<'a>(
        &'a self,
        _state: &'a AppState,
        _outcome: &'a Result<Completed, Failed>,
    ) -> HookFuture<'a> {
        Box::pin(async {})
    }

    /// Where the access token goes in calls to the resource API.
    fn placement(&self, _defects: &Defects) -> Placement {
        Placement::Header
    }
}
