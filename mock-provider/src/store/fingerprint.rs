//! The stores' keys: a fingerprint of the code or token rather than the secret itself.

use sha2::{Digest, Sha256};

/// The store's key for a code or token: the first 16 bytes of its SHA-256, so that the store
/// holds no secret in clear as a key and every key has the same small size.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Fingerprint([u8; 16]);

impl Fingerprint {
    pub(crate) fn of(secret: &str) -> Self {
        let digest = Sha256::digest(secret.as_bytes());
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        Self(key)
    }

    /// Its first eight bytes: what the stores' hash index files it under (the full fingerprint
    /// is checked on every lookup).
    pub(crate) fn short(self) -> u64 {
        let [a, b, c, d, e, f, g, h, ..] = self.0;
        u64::from_le_bytes([a, b, c, d, e, f, g, h])
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fingerprint(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_hide_the_secret() {
        let a = Fingerprint::of("at_secret");
        assert_eq!(a, Fingerprint::of("at_secret"));
        assert_ne!(a, Fingerprint::of("at_secreu"));
        assert_ne!(a.short(), Fingerprint::of("at_secreu").short());
        assert!(!format!("{a:?}").contains("secret"));
    }
}
