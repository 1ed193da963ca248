//! The OAuth 2.0 vocabulary that Gauntlet's mock provider, harness and reference platform share,
//! so that a name on the wire is written in one place and a renamed concept breaks the build
//! wherever it is used.
//!
//! - [`Finding`] and its [`Family`]: what the mock provider notes about a request, and
//!   [`Observation`], a finding as the journal records it (with its detail).
//! - [`ErrorCode`]: the registered OAuth error codes.

mod error_code;
mod family;
mod finding;
mod observation;

pub use error_code::{ErrorCode, UnknownErrorCode};
pub use family::Family;
pub use finding::{Finding, UnknownFinding};
pub use observation::{Observation, UnreadableObservation};
