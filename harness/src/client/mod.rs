//! The client direction: a chatbot platform (the OAuth client) under test, driven as a browser
//! would drive it, with the mock provider on the other side. [`run()`] is `gauntlet run`;
//! [`mutants`] proves the suite against the reference platform's defect catalogue.
//!
//! A run starts a [`context::RunContext`] (mock provider + platform; an `@restart` scenario
//! starts one of its own, against a downgraded mock), runs the [`preflight`] (one plain link
//! that stops a run whose profile does not fit the platform), and cucumber drives one
//! [`world::GauntletWorld`] per scenario through the steps; every flow starts the way [`start`]
//! follows to the authorization endpoint. The profile ([`profile`]) describes the
//! platform, its `[probe]` included.

mod back_channel;
pub mod context;
pub mod handoff;
mod mcp_twist;
pub mod mutants;
pub mod preflight;
mod probe;
pub mod profile;
pub mod referer;
mod restart;
mod root_cause;
pub mod run;
pub mod slice;
pub mod start;
mod steps;
pub mod world;

pub use run::{Client, RunOptions, run};
