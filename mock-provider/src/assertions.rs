//! Journal assertions by finding: `provider.assert_finding(Finding::CodeReused)` or
//! `provider.assert_no_finding(Family::Pkce)`, failing with the requests the provider saw.

use oauth_vocab::{Family, Finding};

use crate::journal::{JournalEntry, listing};
use crate::server::MockProvider;

/// What an assertion looks for: one finding, or any finding of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingPattern {
    /// This finding.
    One(Finding),
    /// Any finding of this family.
    Family(Family),
}

impl FindingPattern {
    fn matches(self, entry: &JournalEntry) -> bool {
        match self {
            Self::One(finding) => entry.has_finding(finding),
            Self::Family(family) => entry.has_family(family),
        }
    }
}

impl std::fmt::Display for FindingPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::One(finding) => f.write_str(finding.code()),
            Self::Family(family) => write!(f, "a {family:?} finding"),
        }
    }
}

impl From<Finding> for FindingPattern {
    fn from(finding: Finding) -> Self {
        Self::One(finding)
    }
}

impl From<Family> for FindingPattern {
    fn from(family: Family) -> Self {
        Self::Family(family)
    }
}

impl MockProvider {
    /// Asserts that some journaled request got this finding.
    ///
    /// # Panics
    /// When none did, listing every request with its findings.
    pub fn assert_finding(&self, pattern: impl Into<FindingPattern>) {
        let pattern = pattern.into();
        let journal = self.journal();
        if !journal.iter().any(|e| pattern.matches(e)) {
            panic!(
                "no request got {pattern}; the provider saw:\n{}",
                listing(&self.redacted_journal())
            );
        }
    }

    /// Asserts that no journaled request got this finding.
    ///
    /// # Panics
    /// When one did, listing every request with its findings.
    pub fn assert_no_finding(&self, pattern: impl Into<FindingPattern>) {
        let pattern = pattern.into();
        let journal = self.journal();
        if journal.iter().any(|e| pattern.matches(e)) {
            panic!(
                "a request got {pattern}; the provider saw:\n{}",
                listing(&self.redacted_journal())
            );
        }
    }
}
