//! Integration tests: the reference platform against the mock provider, driven like a browser.

mod binary;
mod callback;
mod chat;
mod csml_service;
mod kore_path;
mod mcp_registration;
mod probe;
mod shapes;
mod start;
mod support;
mod token;
mod web;
