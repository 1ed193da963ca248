//! HTTP-level tests of the mock provider, over real loopback sockets.

mod support;

mod admin;
mod admin_gate;
mod attribution;
mod authorize;
mod bad_input;
mod binary;
mod bounds;
mod discovery;
mod expectations;
mod faults;
mod flood;
mod login;
mod quirks;
mod readme;
mod register;
mod resource;
mod revocation;
mod snapshots;
mod token;
