//! Tests: register.
