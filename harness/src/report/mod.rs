//! Reports for people: a verdict table requirement by requirement, and for each failed scenario
//! what the platform did wrong, the HTTP exchanges as evidence and a sequence diagram of them.
//! [`model`] holds the data; [`markdown`] and [`html`] render it; [`diagram`] draws exchanges.

pub mod cucumber_json;
pub mod diagram;
pub mod files;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod messages;
pub mod model;
pub mod page;
pub mod root_causes;

pub use model::{
    BaselineEntry, BaselineReport, Exchange, FeatureSource, Gate, Party, Preflight,
    PreflightVerdict, RootCause, RunReport, ScenarioOutcome, Shard, Status, StepOutcome,
    StepStatus, Strength,
};

#[cfg(test)]
mod tests;
