//! Reports for people: a verdict table requirement by requirement, and for each failed scenario
//! what the platform did wrong, the HTTP exchanges as evidence and a sequence diagram of them.
//! [`model`] holds the data; [`markdown`] and [`html`] render it; [`diagram`] draws exchanges.

pub mod diagram;
pub mod html;
pub mod markdown;
pub mod model;

pub use model::{Exchange, Party, RunReport, ScenarioOutcome, Status, Strength};

#[cfg(test)]
mod tests;
