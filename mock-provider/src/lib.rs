//! A strict, scriptable OAuth 2.0 authorization server for conformance tests.
//!
//! It behaves as RFC 6749, RFC 7636 and RFC 9700 say (exact redirect URIs, PKCE by policy,
//! single-use codes bound to client, redirect URI and challenge), fails on cue ([`Fault`]),
//! and records every request with its own findings ([`JournalEntry`]). Start it in a test with
//! [`MockProvider::start`], or run the `mock-provider` binary.
//!
//! In a test of your own crate, with these development dependencies (the `git` URL is where
//! you got this repository; `path = "…/gauntlet/mock-provider"` works too):
//!
//! ```toml
//! [dev-dependencies]
//! mock-provider = { git = "https://git.example.com/you/gauntlet.git", default-features = false }
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! ```
//! # // A doc-test is not built as a test, so `#[tokio::test]` would drop the function;
//! # // here it means `#[tokio::main]`, and `main` calls the test.
//! # mod tokio { pub use ::tokio::{main as test, *}; }
//! use mock_provider::{Decision, Family, Fault, FaultKind, MockProvider};
//!
//! #[tokio::test]
//! async fn my_platform_survives_a_denial_and_a_503() -> Result<(), Box<dyn std::error::Error>> {
//!     let provider = MockProvider::start().await?;
//!     // The next authorization for this client is denied ...
//!     Decision::deny().for_client("gauntlet-client").mount(&provider)?;
//!     // ... and the token endpoint answers 503, to two requests at most (no retry storm).
//!     Fault::token(FaultKind::status(503)).expect(..=2).mount(&provider);
//!     // ... point the platform under test at provider.metadata_url() and drive it ...
//!     provider.assert_no_finding(Family::Pkce); // a failure lists every request it saw
//!     Ok(())
//! } // Dropping the provider checks every `expect`, listing the requests it got if one fails.
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! #     my_platform_survives_a_denial_and_a_503()
//! # }
//! ```

mod answer;
mod app;
mod assertions;
mod attribution;
mod body_read;
mod client_auth;
mod client_metadata;
mod clients;
mod code;
mod config;
mod connections;
mod control;
mod decision;
mod document_host;
mod endpoints;
mod error;
mod expect;
mod faults;
mod handshakes;
mod interaction;
mod journal;
mod journal_store;
mod jwt;
mod markers;
mod mcp;
mod mcp_config;
mod mount;
mod pages;
mod params;
pub mod pkce;
mod plain;
mod random;
mod record;
mod redaction;
mod redirect;
mod refresh;
mod resource_indicator;
mod response;
mod scope;
mod server;
mod start_error;
mod state;
mod store;
mod tls;
mod tokens;
mod truncation;
mod urls;

// Running it.
pub use handshakes::{HandshakeFailure, MAX_HANDSHAKE_FAILURES};
pub use server::{MockProvider, MockProviderBuilder, StartError};
pub use urls::IssuerUrls;
// Scripting it: faults and decisions are mounted, with expectations.
pub use control::ControlError;
pub use decision::{Decision, ScriptedDecision};
pub use document_host::DocumentHost;
pub use expect::Times;
pub use faults::{Fault, FaultKind, FaultTarget, MAX_DELAY_MS, MAX_FAULTS, MAX_LIFETIME_SECS};
// Reading what it saw.
pub use assertions::FindingPattern;
pub use attribution::{FlowTie, Tie};
pub use journal::{JournalEntry, RecordedResponse};
pub use oauth_vocab::{Endpoint, ErrorCode, Family, Finding, Observation};
pub use store::Evictions;
// Configuring it: a profile and its clients (PKCE policies and helpers are in [`pkce`]).
pub use client_metadata::{FETCH_TIMEOUT, MAX_CACHE_LIFETIME, MAX_DOCUMENT_BYTES};
pub use clients::ClientConfig;
pub use config::{
    AdminConfig, BearerPlacement, ConfigError, Limits, Paths, ProviderConfig, Quirks,
    RedirectMatch, ResourceConfig, TokenFormat, UnknownScopes, User,
};
pub use mcp_config::{McpChallenge, McpConfig};
pub use oauth_vocab::{AuthMethod, GrantType};
