//! The provider direction (`gauntlet provider`): Gauntlet plays a correct OAuth client, then
//! incorrect ones, against an authorization server, and checks that it enforces what chatbot
//! platforms rely on (REQUIREMENTS part B).
//!
//! [`run::run`] is the whole job: [`context::ProviderContext`] finds or starts the server (the
//! embedded mock by default) and learns its endpoints, cucumber drives one
//! [`world::ProviderWorld`] per scenario of `features/provider/` through the steps, and the
//! same reports as `gauntlet run` are written. [`driver`] is the browser that gets through
//! real login and consent pages.

pub mod client_document;
pub mod context;
pub mod driver;
pub mod preflight;
pub mod profile;
pub mod run;
mod steps;
pub mod world;

pub use run::{Provider, ProviderOptions, run};
