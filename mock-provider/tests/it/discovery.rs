//! Tests: discovery.
