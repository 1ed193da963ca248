//! The client direction: a chatbot platform (the OAuth client) under test, driven as a browser
//! would drive it, with the mock provider on the other side. [`run`] is `gauntlet run`;
//! [`mutants`] proves the suite against the reference platform's defect catalogue.
//!
//! A run starts a [`context::RunContext`] (mock provider + platform), and cucumber drives one
//! [`world::GauntletWorld`] per scenario through the steps.

pub mod context;
pub mod mutants;
pub mod preflight;
mod probe;
pub mod profile;
pub mod run;
pub mod start;
mod steps;
pub mod world;

pub use run::{Client, RunOptions, run};
