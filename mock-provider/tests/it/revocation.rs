//! Tests: revocation.
