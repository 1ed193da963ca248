//! The platform shapes of `shared/seeds/` on top of the generic flow: CSML's chat events,
//! Converse's session variables, Kore.ai's authorization profile, Botpress's global callback.
//! Each implements [`ShapeHooks`] in its own file: its routes and, where it differs from the
//! generic web flow, the points where the generic modules let it decide.

mod botpress;
mod converse;
mod csml;
mod hooks;
mod kore;
mod web;

use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

use crate::config::Shape;
use crate::store::{Bounded, DEFAULT_CAPACITY};

pub(crate) use hooks::{CodeUse, HookFuture, ShapeHooks};

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

/// The hooks of the configured shape.
pub(crate) fn hooks(shape: &Shape) -> Box<dyn ShapeHooks> {
    match shape {
        Shape::Web => Box::new(web::Web),
        Shape::Csml { .. } => Box::new(csml::Csml),
        Shape::Converse => Box::new(converse::Converse),
        Shape::Kore(profile) => Box::new(kore::Kore(profile.clone())),
        Shape::Botpress { .. } => Box::new(botpress::Botpress),
    }
}
