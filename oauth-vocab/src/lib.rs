//! The OAuth 2.0 vocabulary that Gauntlet's mock provider, harness and reference platform share,
//! so that a name on the wire is written in one place and a renamed concept breaks the build
//! wherever it is used.
//!
//! - [`Finding`] and its [`Family`]: what the mock provider notes about a request, and
//!   [`Observation`], a finding as the journal records it (with its detail).
//! - [`ErrorCode`]: the registered OAuth error codes.
//! - [`AuthMethod`], [`GrantType`] and [`Endpoint`]: how a client authenticates, what it
//!   asks for, and where.
//! - [`Secret`]: a value whose `Debug` is redacted.
//! - [`basic`] and [`form_encode`]/[`form_decode`]: HTTP Basic client credentials and the
//!   form-urlencoding inside them.
//! - [`escape_html`] and [`escape_xml`]: text made safe for markup.
//! - [`redact`]: secrets masked before anything is written out.
//! - [`tls_failure`]: why a TLS connection failed, in words.

mod auth_method;
pub mod basic;
mod endpoint;
mod error_code;
mod escape;
mod family;
mod finding;
mod form;
mod grant_type;
mod loopback;
mod observation;
pub mod redact;
mod secret;
mod tls_failure;
mod wire;

pub use auth_method::{AuthMethod, UnknownAuthMethod};
pub use endpoint::Endpoint;
pub use error_code::{ErrorCode, UnknownErrorCode};
pub use escape::{escape_html, escape_xml};
pub use family::Family;
pub use finding::{Finding, UnknownFinding};
pub use form::{form_decode, form_decode_bytes, form_encode};
pub use grant_type::{GrantType, UnknownGrantType};
pub use loopback::is_loopback_host;
pub use observation::{Observation, UnreadableObservation};
pub use secret::{Secret, constant_time_eq};
pub use tls_failure::{TlsFailure, tls_failure};
