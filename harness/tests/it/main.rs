//! Harness tests: reports on a seeded run, and broken platforms stood in by wiremock.

mod baseline;
mod broken_platforms;
mod chat_button;
mod ci_recipes;
mod cli;
mod launched;
mod layers;
mod lost_state;
mod messages;
mod mutants;
mod outside_client;
mod outside_client_node;
mod outside_mcp_client;
mod outside_mcp_server;
mod outside_profile;
mod outside_provider;
mod outside_provider_node;
mod profiles;
mod provider;
mod provider_mcp;
mod reports;
mod shards;
mod token_requests;
mod verdicts;
