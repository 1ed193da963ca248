//! Values that must never reach a log, a page or a URL: client secrets, codes, verifiers and
//! tokens (after oauth2-rs `ClientSecret`, `AccessToken`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A secret string. `Debug` prints `Secret([redacted])`; there is no `Display`, and the value
/// is read through [`Secret::expose`] only where it is sent or compared. Serde sees the bare
/// string.
///
/// ```
/// use oauth_vocab::Secret;
/// let secret = Secret::new("at_very_secret");
/// assert_eq!(format!("{secret:?}"), "Secret([redacted])");
/// assert_eq!(secret.expose(), "at_very_secret");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value, for the places that send or check it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether this secret equals `other`, in time that depends only on their lengths.
    pub fn matches(&self, other: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), other.as_bytes())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("at_very_secret");
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(Secret([redacted]))");
        assert_eq!(secret.expose(), "at_very_secret");
    }

    #[test]
    fn serde_sees_the_bare_string() {
        let secret: Secret = serde_json::from_str("\"s3\"").unwrap();
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"s3\"");
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(Secret::new("abc").matches("abc"));
    }
}
