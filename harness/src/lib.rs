//! Gauntlet's conformance harness: runs the Gherkin features in `features/` against a chatbot
//! platform (the OAuth client) with the mock provider on the other side, and reports.
//!
//! [`provider`] is the other direction: the same machinery judging an authorization server.
//! [`mutants`] proves the client suite: it runs it against the reference platform with each
//! catalogued defect switched on and builds the kill matrix.
//!
//! [`run::run`] is the whole job; [`cli`] parses the command line into its options. A run
//! starts a [`context::RunContext`] (mock provider + platform), lets cucumber drive one
//! [`world::GauntletWorld`] per scenario through the [`steps`], and writes the [`report`]s.

pub mod browser;
pub mod bundled;
pub mod cli;
pub mod context;
pub mod features;
pub mod merge;
pub mod mutants;
mod panic_hook;
pub mod profile;
pub mod provider;
pub mod recorder;
pub mod report;
pub mod run;
pub mod selection;
mod steps;
pub mod world;
