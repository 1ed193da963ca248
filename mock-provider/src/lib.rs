//! A strict, scriptable OAuth 2.0 authorization server for conformance tests.
//!
//! It behaves as RFC 6749, RFC 7636 and RFC 9700 say (exact redirect URIs, PKCE by policy,
//! single-use codes bound to client, redirect URI and challenge), fails on cue ([`Fault`]),
//! and records every request with its own findings ([`JournalEntry`]). Start it in a test with
//! [`MockProvider::start`], or run the `mock-provider` binary.
//!
//! ```no_run
//! use mock_provider::{Decision, Fault, FaultKind, FaultTarget, MockProvider, ProviderConfig};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = MockProvider::start(ProviderConfig::default()).await?;
//! // The next authorization for this client is denied; the token endpoint answers 503 once.
//! provider.decide("gauntlet-client", Decision::deny())?;
//! provider.inject_fault(Fault::new(FaultTarget::Token, FaultKind::Status { status: 503 }).once());
//! // ... drive the platform under test against provider.uri() ...
//! for entry in provider.journal() {
//!     println!("{} {} -> {} {:?}", entry.method, entry.path, entry.response.status, entry.findings);
//! }
//! # Ok(()) }
//! ```

mod app;
mod clients;
mod config;
mod endpoints;
mod error;
mod faults;
mod interaction;
mod journal;
mod jwt;
mod pages;
mod params;
mod pkce;
mod random;
mod record;
mod redirect;
mod scope;
mod server;
mod store;

pub use clients::{AuthMethod, ClientConfig};
pub use config::{
    AdminConfig, BearerPlacement, ConfigError, Limits, Paths, ProviderConfig, Quirks,
    RedirectMatch, ResourceConfig, TokenFormat, User,
};
pub use error::{ErrorCode, OAuthError};
pub use faults::{Fault, FaultKind, FaultTarget};
pub use interaction::Decision;
pub use journal::{JournalEntry, RecordedResponse, mask, redact_json_text, redact_uri};
pub use params::form_encode;
pub use pkce::{
    ChallengeMethod, MAX_VERIFIER_LEN, MIN_VERIFIER_LEN, PkcePolicy, VerifyError,
    generate_verifier, is_well_formed, s256_challenge, verify,
};
pub use random::Random;
pub use server::{MockProvider, MockProviderBuilder, StartError};
