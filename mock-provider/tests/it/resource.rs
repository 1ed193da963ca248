//! Tests: resource.
