//! Where codes, tokens and keys come from: the operating system's secure generator, or a
//! seeded generator (`--seed`) so that a run can be replayed for snapshots.

use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::rngs::{OsRng, StdRng};
use rand::{RngCore, SeedableRng, TryRngCore};

/// A source of random bytes for secrets.
#[derive(Debug)]
pub(crate) enum Random {
    /// The operating system's cryptographically secure generator.
    Os,
    /// A deterministic generator: never for production secrets, only for replayable runs.
    Seeded(Box<Mutex<StdRng>>),
}

impl Random {
    /// A deterministic source from a seed.
    pub(crate) fn seeded(seed: u64) -> Self {
        Self::Seeded(Box::new(Mutex::new(StdRng::seed_from_u64(seed))))
    }

    /// The OS source, or a seeded one when a seed is given.
    pub(crate) fn from_seed(seed: Option<u64>) -> Self {
        seed.map_or(Self::Os, Self::seeded)
    }

    /// `N` random bytes.
    pub(crate) fn bytes<const N: usize>(&self) -> [u8; N] {
        let mut buf = [0u8; N];
        match self {
            Self::Os => OsRng
                .try_fill_bytes(&mut buf)
                .expect("the operating system's random generator failed"),
            Self::Seeded(rng) => rng
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .fill_bytes(&mut buf),
        }
        buf
    }

    /// A 256-bit secret, base64url-encoded, with a readable prefix (e.g. `ac_` for codes).
    pub(crate) fn token(&self, prefix: &str) -> String {
        format!("{prefix}{}", URL_SAFE_NO_PAD.encode(self.bytes::<32>()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_sources_repeat_and_os_sources_do_not() {
        assert_eq!(Random::seeded(7).token("x_"), Random::seeded(7).token("x_"));
        assert_ne!(Random::seeded(7).token("x_"), Random::seeded(8).token("x_"));
        let os = Random::Os;
        assert_ne!(os.token(""), os.token(""));
        assert_eq!(os.token("ac_").len(), 3 + 43);
    }
}
