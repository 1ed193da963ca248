//! HTTP-level tests of the mock provider, over real loopback sockets.

mod support;

mod authorize;
mod token;
