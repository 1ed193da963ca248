//! Unguessable values the steps make up: states, and codes or tokens no server issued.

/// A 256-bit random value, base64url, after a readable prefix (`st_…`, `gauntlet-unknown-…`).
pub(crate) fn token(prefix: &str) -> String {
    format!("{prefix}{}", mock_provider::pkce::generate_verifier())
}
