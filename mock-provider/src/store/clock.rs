//! Compact instants for the code and token stores: milliseconds since the process started, in
//! eight bytes instead of an `Instant`'s sixteen.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// The clock's origin: the first time any [`Tick`] is read.
static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

/// A moment, in milliseconds since [`EPOCH`]; arithmetic saturates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Tick(u64);

impl Tick {
    /// Now.
    pub(crate) fn now() -> Self {
        Self(u64::try_from(EPOCH.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    /// `after` from now.
    pub(crate) fn after(after: Duration) -> Self {
        Self::now().plus(after)
    }

    /// `by` later than this moment; a duration too long for the clock saturates.
    #[must_use]
    pub(crate) fn plus(self, by: Duration) -> Self {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        Self(self.0.saturating_add(by))
    }

    /// `by` before now (for tests), saturating at the clock's origin.
    #[cfg(test)]
    pub(crate) fn ago(by: Duration) -> Self {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        Self(Self::now().0.saturating_sub(by))
    }

    /// Whether this moment has come.
    pub(crate) fn is_past(self) -> bool {
        self <= Self::now()
    }

    /// The whole second at or after this moment (where the stores file it for reaping).
    pub(crate) fn second_after(self) -> u64 {
        self.0.div_ceil(1000)
    }

    /// The whole seconds at or before this moment.
    pub(crate) fn second(self) -> u64 {
        self.0 / 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_saturate_and_order() {
        let now = Tick::now();
        assert!(Tick::after(Duration::MAX) > now);
        assert!(now.plus(Duration::from_secs(1)) > now);
        assert!(now.is_past());
        assert!(!Tick::after(Duration::from_secs(60)).is_past());
        assert_eq!(Tick(1_001).second_after(), 2);
        assert_eq!(Tick(1_000).second_after(), 1);
        assert_eq!(Tick(1_999).second(), 1);
    }
}
