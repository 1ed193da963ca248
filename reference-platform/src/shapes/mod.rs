//! The platform shapes of `shared/seeds/` on top of the generic flow: CSML's chat events,
//! Converse's session variables, Kore.ai's authorization profile, Botpress's global callback,
//! an MCP client.
//! Each implements [`ShapeHooks`] in its own file: its routes and, where it differs from the
//! generic web flow, the points where the generic modules let it decide. What the shapes keep
//! between requests is in `shape_state`.

mod botpress;
mod converse;
mod csml;
mod csml_service;
mod kore;
mod mcp;
mod web;

use std::sync::Arc;

use crate::config::Shape;
use crate::hooks::ShapeHooks;

/// The hooks of the configured shape.
pub(crate) fn hooks(shape: &Shape) -> Arc<dyn ShapeHooks> {
    match shape {
        Shape::Web => Arc::new(web::Web),
        Shape::Csml { .. } => Arc::new(csml::Csml),
        Shape::Converse => Arc::new(converse::Converse),
        Shape::Kore(profile) => Arc::new(kore::Kore(profile.clone())),
        Shape::Botpress { .. } => Arc::new(botpress::Botpress),
        Shape::Mcp => Arc::new(mcp::Mcp),
    }
}
