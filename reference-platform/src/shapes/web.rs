//! The generic web shape: only the `/link` and `/chat` channels, every hook at its default.

use crate::hooks::ShapeHooks;

/// The generic web and chat channels, with nothing added.
#[derive(Debug)]
pub(crate) struct Web;

impl ShapeHooks for Web {}
