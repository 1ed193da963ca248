//! Expectations on mounted faults and decisions: how many requests each should meet, checked
//! by [`MockProvider::verify`](crate::MockProvider::verify) and when the provider is dropped —
//! wiremock's `Mock::expect`, for an authorization server.

use std::fmt;
use std::ops::{RangeFrom, RangeInclusive, RangeToInclusive};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many times something is expected to happen: an exact number or a range.
///
/// ```
/// use mock_provider::Times;
/// assert!(Times::from(1).contains(1));
/// assert!(Times::from(1..=3).contains(2));
/// assert!(Times::from(2..).contains(9));
/// assert!(!Times::from(..=1).contains(2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    min: u64,
    max: Option<u64>,
}

impl Times {
    /// Whether `n` is within the expectation.
    pub fn contains(self, n: u64) -> bool {
        n >= self.min && self.max.is_none_or(|max| n <= max)
    }
}

impl fmt::Display for Times {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) if max == self.min => write!(f, "exactly {max}"),
            Some(max) => write!(f, "between {} and {max}", self.min),
            None => write!(f, "at least {}", self.min),
        }
    }
}

impl From<u64> for Times {
    fn from(n: u64) -> Self {
        Self {
            min: n,
            max: Some(n),
        }
    }
}

impl From<RangeInclusive<u64>> for Times {
    fn from(range: RangeInclusive<u64>) -> Self {
        Self {
            min: *range.start(),
            max: Some(*range.end()),
        }
    }
}

impl From<RangeFrom<u64>> for Times {
    fn from(range: RangeFrom<u64>) -> Self {
        Self {
            min: range.start,
            max: None,
        }
    }
}

impl From<RangeToInclusive<u64>> for Times {
    fn from(range: RangeToInclusive<u64>) -> Self {
        Self {
            min: 0,
            max: Some(range.end),
        }
    }
}

/// Counts the requests a mounted fault or decision met.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hits(Arc<AtomicU64>);

impl Hits {
    pub(crate) fn record(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// One expectation: what was mounted, how often it should be met, and how often it was.
#[derive(Debug)]
pub(crate) struct Expectation {
    pub(crate) what: String,
    pub(crate) times: Times,
    pub(crate) hits: Hits,
}

impl Expectation {
    /// The unmet expectation in words, or `None` when it holds.
    pub(crate) fn unmet(&self) -> Option<String> {
        let seen = self.hits.count();
        (!self.times.contains(seen)).then(|| {
            format!(
                "{}: expected {} request(s), met {seen}",
                self.what, self.times
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expectation_reports_what_it_expected_and_saw() {
        let hits = Hits::default();
        let expectation = Expectation {
            what: "fault on token".into(),
            times: Times::from(1),
            hits: hits.clone(),
        };
        assert_eq!(
            expectation.unmet().as_deref(),
            Some("fault on token: expected exactly 1 request(s), met 0")
        );
        hits.record();
        assert_eq!(expectation.unmet(), None);
        hits.record();
        assert!(expectation.unmet().is_some());
    }

    #[test]
    fn ranges_read_as_words() {
        assert_eq!(Times::from(1..=3).to_string(), "between 1 and 3");
        assert_eq!(Times::from(2..).to_string(), "at least 2");
        assert_eq!(Times::from(..=4).to_string(), "between 0 and 4");
    }
}
