//! HTTP-level tests of the mock provider, over real loopback sockets.

mod support;

mod admin;
mod admin_gate;
mod attribution;
mod authorize;
mod bad_input;
mod binary;
mod bounds;
mod connections;
mod discovery;
mod error_shapes;
mod expectations;
mod faults;
mod flood;
mod flow_state;
mod fuzz;
mod journal_bounds;
mod login;
mod mcp;
mod plain_token_endpoint;
mod quirks;
mod readme;
mod redaction;
mod register;
mod resource;
mod revocation;
mod snapshots;
mod tls;
mod token;
