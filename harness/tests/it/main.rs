//! Harness tests: reports on a seeded run, and broken platforms stood in by wiremock.

mod broken_platforms;
mod cli;
mod launched;
mod mutants;
mod outside_provider;
mod provider;
mod reports;
