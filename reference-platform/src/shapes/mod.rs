//! The platform shapes of `shared/seeds/` on top of the generic flow: CSML's chat events,
//! Converse's session variables, Kore.ai's authorization profile, Botpress's global callback.
//! Each implements [`ShapeHooks`] in its own file: its routes and, where it differs from the
//! generic web flow, the points where the generic modules let it decide.

mod botpress;
mod converse;
mod csml;
mod kore;
mod web;

use crate::config::Shape;
use crate::hooks::ShapeHooks;

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
