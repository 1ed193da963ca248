//! Gauntlet's conformance harness, in three parts side by side:
//!
//! - [`suite`]: the direction-independent engine — options, feature selection, the cucumber
//!   run, the gate, launching processes, profile checks, sharded-run merging.
//! - [`client`]: `gauntlet run` and `gauntlet mutants` — a chatbot platform (the OAuth client)
//!   under test, the mock provider on the other side.
//! - [`provider`]: `gauntlet provider` — an authorization server under test, Gauntlet playing
//!   the client.
//!
//! Each direction implements [`suite::Direction`]; [`report`] renders what a run found, [`cli`]
//! parses the command line, and [`bundled`] holds the profiles compiled into the binary.

pub mod bundled;
pub mod cli;
pub mod client;
mod parameters;
pub mod provider;
pub mod report;
pub mod suite;
