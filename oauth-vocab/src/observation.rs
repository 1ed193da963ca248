//! A finding as the mock provider's journal records it: the finding and what exactly was seen,
//! or the error the provider answered with.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{ErrorCode, Family, Finding};

/// One line of a journal entry's `findings`.
///
/// It serializes as one string, `code`, `code: detail` or `code: detail (tolerated)` for a
/// finding and `error_code: description` for an error, and parses back with [`FromStr`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Observation {
    /// A rule's finding.
    Finding {
        /// What was found.
        finding: Finding,
        /// What exactly was seen, e.g. why a redirect URI is a near miss.
        detail: Option<String>,
        /// The quirk that let the request through anyway, e.g.
        /// `accepted: quirks.verifier_optional`.
        tolerated: Option<String>,
    },
    /// The error the provider answered with.
    Error {
        /// The error code sent.
        code: ErrorCode,
        /// The `error_description` sent.
        description: String,
    },
}

impl Observation {
    /// A finding with no detail.
    pub const fn new(finding: Finding) -> Self {
        Self::Finding {
            finding,
            detail: None,
            tolerated: None,
        }
    }

    /// A finding with what exactly was seen.
    pub fn detailed(finding: Finding, detail: impl Into<String>) -> Self {
        Self::Finding {
            finding,
            detail: Some(detail.into()),
            tolerated: None,
        }
    }

    /// The error the provider answered with.
    pub fn error(code: ErrorCode, description: impl Into<String>) -> Self {
        Self::Error {
            code,
            description: description.into(),
        }
    }

    /// This finding, noted as let through by a quirk (`how` reads e.g.
    /// `accepted: quirks.verifier_optional`); an error is returned unchanged.
    #[must_use = "returns the changed observation"]
    pub fn tolerated(self, how: impl Into<String>) -> Self {
        match self {
            Self::Finding {
                finding, detail, ..
            } => Self::Finding {
                finding,
                detail,
                tolerated: Some(how.into()),
            },
            error @ Self::Error { .. } => error,
        }
    }

    /// This observation with its detail or description passed through `redact` (which masks
    /// secret values in it).
    #[must_use = "returns the redacted observation"]
    pub fn redacted_with(&self, redact: impl Fn(&str) -> String) -> Self {
        match self {
            Self::Finding {
                finding,
                detail,
                tolerated,
            } => Self::Finding {
                finding: *finding,
                detail: detail.as_deref().map(&redact),
                tolerated: tolerated.clone(),
            },
            Self::Error { code, description } => Self::Error {
                code: *code,
                description: redact(description),
            },
        }
    }

    /// The finding, if this is one.
    pub const fn finding(&self) -> Option<Finding> {
        match self {
            Self::Finding { finding, .. } => Some(*finding),
            Self::Error { .. } => None,
        }
    }

    /// Whether this is `finding`.
    pub fn is(&self, finding: Finding) -> bool {
        self.finding() == Some(finding)
    }

    /// Whether this is a finding of `family`.
    pub fn is_in(&self, family: Family) -> bool {
        self.finding().is_some_and(|f| f.family() == family)
    }
}

impl From<Finding> for Observation {
    fn from(finding: Finding) -> Self {
        Self::new(finding)
    }
}

impl fmt::Display for Observation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Finding {
                finding,
                detail,
                tolerated,
            } => {
                f.write_str(finding.code())?;
                if let Some(detail) = detail {
                    write!(f, ": {detail}")?;
                }
                if let Some(how) = tolerated {
                    write!(f, " ({how})")?;
                }
                Ok(())
            }
            Self::Error { code, description } => write!(f, "{code}: {description}"),
        }
    }
}

/// A string that is no [`Observation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableObservation(pub String);

impl fmt::Display for UnreadableObservation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a finding nor an error: {:?}", self.0)
    }
}

impl std::error::Error for UnreadableObservation {}

impl FromStr for Observation {
    type Err = UnreadableObservation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unreadable = || UnreadableObservation(s.to_owned());
        let head = &s[..s.find([':', ' ']).unwrap_or(s.len())];
        let rest = &s[head.len()..];
        if let Ok(finding) = head.parse::<Finding>() {
            let (rest, tolerated) = split_tolerated(rest);
            let detail = match rest {
                "" => None,
                _ => Some(rest.strip_prefix(": ").ok_or_else(unreadable)?.to_owned()),
            };
            return Ok(Self::Finding {
                finding,
                detail,
                tolerated: tolerated.map(str::to_owned),
            });
        }
        match (head.parse::<ErrorCode>(), rest.strip_prefix(": ")) {
            (Ok(code), Some(description)) => Ok(Self::error(code, description)),
            _ => Err(unreadable()),
        }
    }
}

/// Splits a trailing ` (accepted: …)` or ` (ignored: …)` off.
fn split_tolerated(rest: &str) -> (&str, Option<&str>) {
    let Some(open) = rest.rfind(" (") else {
        return (rest, None);
    };
    match rest[open + 2..].strip_suffix(')') {
        Some(how) if how.starts_with("accepted: ") || how.starts_with("ignored: ") => {
            (&rest[..open], Some(how))
        }
        _ => (rest, None),
    }
}

impl Serialize for Observation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Observation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_write_as_the_journal_always_did() {
        let cases = [
            (Observation::new(Finding::CodeReused), "code.reused"),
            (
                Observation::detailed(Finding::RedirectUriNearMiss, "trailing slash"),
                "redirect_uri.near_miss: trailing slash",
            ),
            (
                Observation::new(Finding::PkceVerifierMissing)
                    .tolerated("accepted: quirks.verifier_optional"),
                "pkce.verifier_missing (accepted: quirks.verifier_optional)",
            ),
            (
                Observation::detailed(Finding::RedirectUriNearMiss, "case differs")
                    .tolerated("accepted: quirks.redirect_uri_match = \"prefix\""),
                "redirect_uri.near_miss: case differs (accepted: quirks.redirect_uri_match = \"prefix\")",
            ),
            (
                Observation::error(ErrorCode::InvalidGrant, "the code: reused"),
                "invalid_grant: the code: reused",
            ),
        ];
        for (observation, text) in cases {
            assert_eq!(observation.to_string(), text);
            assert_eq!(text.parse(), Ok(observation.clone()));
            let json = serde_json::to_string(&observation).unwrap();
            assert_eq!(serde_json::from_str::<String>(&json).unwrap(), text);
            assert_eq!(
                serde_json::from_str::<Observation>(&json).unwrap(),
                observation
            );
        }
    }

    #[test]
    fn unknown_codes_do_not_parse() {
        assert!("code.stolen".parse::<Observation>().is_err());
        assert!("invalid_grant".parse::<Observation>().is_err());
        assert!("code.reusedx".parse::<Observation>().is_err());
    }

    #[test]
    fn an_observation_knows_its_finding_and_family() {
        let o = Observation::detailed(Finding::BearerInQuery, "x");
        assert!(o.is(Finding::BearerInQuery));
        assert!(o.is_in(Family::Bearer));
        assert!(!Observation::error(ErrorCode::InvalidToken, "x").is_in(Family::Bearer));
    }
}
