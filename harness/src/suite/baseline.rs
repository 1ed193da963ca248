//! A baseline of accepted failures (`--baseline FILE`): a team adopts Gauntlet on a target that
//! does not pass everything yet, and CI still catches regressions.
//!
//! The file lists scenarios by feature file and name, each with a reason:
//!
//! ```toml
//! [[accepted]]
//! feature = "client/refresh.feature"
//! scenario = "The rotated refresh token replaces the old one"
//! reason = "we never refresh; tracked in JIRA-123"
//! ```
//!
//! A listed failure does not fail the gate; an unlisted one does; a listed scenario that ran
//! and passed makes its entry stale, which fails the gate until the entry is removed; a listed
//! scenario that is not in the run is a warning; an entry no feature file holds is an error
//! (a typo). An outline's example is named as the reports name it: with its values filled in,
//! so an entry whose name has no placeholder covers every example of that outline.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::report::{BaselineEntry, BaselineReport, RunReport, Status};

/// The reason `--write-baseline` gives a failure that no baseline accepted yet.
pub const TODO_REASON: &str = "TODO: why is this accepted?";

/// A baseline file, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// Where it was read from (or written to).
    pub file: PathBuf,
    /// Its entries, in file order.
    pub entries: Vec<BaselineEntry>,
}

/// The file's shape: `[[accepted]]` tables and nothing else.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    #[serde(default)]
    accepted: Vec<BaselineEntry>,
}

/// Why a baseline cannot be used (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file cannot be read.
    #[error("cannot read the baseline {}: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not TOML of the baseline's shape (an unknown key, a missing one…).
    #[error("the baseline {} is not valid: {message}", file.display())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// The parser's message, naming the key.
        message: String,
    },
    /// An entry has an empty `feature`, `scenario` or `reason`.
    #[error("the baseline {}: [[accepted]] entry {index} has an empty `{key}`", file.display())]
    Empty {
        /// The file.
        file: PathBuf,
        /// The entry's number, from 1.
        index: usize,
        /// The empty key.
        key: &'static str,
    },
    /// An entry names a scenario that no feature file holds.
    #[error(
        "the baseline {}: [[accepted]] entry {index} names {entry}, a scenario no feature file \
         holds (a typo? the names are those the reports give, outline values filled in)",
        file.display()
    )]
    UnknownScenario {
        /// The file.
        file: PathBuf,
        /// The entry's number, from 1.
        index: usize,
        /// The entry.
        entry: BaselineEntry,
    },
    /// The file cannot be written (`--write-baseline`).
    #[error("cannot write the baseline {}: {source}", file.display())]
    Write {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl Baseline {
    /// Reads and checks `file`.
    pub fn load(file: &Path) -> Result<Self, BaselineError> {
        let text = std::fs::read_to_string(file).map_err(|source| BaselineError::Read {
            file: file.to_owned(),
            source,
        })?;
        Self::parse(file, &text)
    }

    /// Parses `text`, the content of `file`.
    pub fn parse(file: &Path, text: &str) -> Result<Self, BaselineError> {
        let parsed: BaselineFile = toml::from_str(text).map_err(|e| BaselineError::Invalid {
            file: file.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        for (i, entry) in parsed.accepted.iter().enumerate() {
            let empty = [
                ("feature", &entry.feature),
                ("scenario", &entry.scenario),
                ("reason", &entry.reason),
            ]
            .into_iter()
            .find(|(_, value)| value.trim().is_empty());
            if let Some((key, _)) = empty {
                return Err(BaselineError::Empty {
                    file: file.to_owned(),
                    index: i + 1,
                    key,
                });
            }
        }
        Ok(Self {
            file: file.to_owned(),
            entries: parsed.accepted,
        })
    }

    /// Refuses an entry that names no scenario of `known` (feature file, scenario name). When
    /// `known` is not the whole suite (`gauntlet merge` knows only the merged features), an
    /// entry of a feature file it does not hold cannot be judged and is let through.
    pub fn check_known(
        &self,
        known: &[(String, String)],
        whole_suite: bool,
    ) -> Result<(), BaselineError> {
        let files: HashSet<&str> = known.iter().map(|(f, _)| f.as_str()).collect();
        let names: HashSet<(&str, &str)> = known
            .iter()
            .map(|(f, n)| (f.as_str(), n.as_str()))
            .collect();
        for (i, entry) in self.entries.iter().enumerate() {
            let judged = whole_suite || files.contains(entry.feature.as_str());
            if judged && !names.contains(&(entry.feature.as_str(), entry.scenario.as_str())) {
                return Err(BaselineError::UnknownScenario {
                    file: self.file.clone(),
                    index: i + 1,
                    entry: entry.clone(),
                });
            }
        }
        Ok(())
    }

    /// Judges `report` by this baseline: marks every failed scenario an entry lists as
    /// accepted (with the entry's reason), and records the stale entries (their scenarios ran
    /// and all passed) and the absent ones (no scenario of theirs ran). A listed scenario that
    /// ended in an error is neither accepted (a baseline accepts known rule violations, and an
    /// error is no verdict: it fails the gate) nor makes its entry stale (it did not pass); an
    /// entry none of whose scenarios failed but one ended in an error is listed as such.
    /// Replaces any earlier baseline's marks.
    pub fn apply(&self, report: &mut RunReport) {
        for scenario in &mut report.scenarios {
            scenario.accepted = None;
        }
        let mut judged = BaselineReport {
            file: self.file.display().to_string(),
            entries: self.entries.clone(),
            ..BaselineReport::default()
        };
        for entry in &self.entries {
            let (mut ran, mut failed, mut errored) = (false, false, false);
            for s in &mut report.scenarios {
                if s.file != entry.feature || s.name != entry.scenario {
                    continue;
                }
                match s.status {
                    Status::Passed => ran = true,
                    Status::Failed => {
                        (ran, failed) = (true, true);
                        s.accepted.get_or_insert_with(|| entry.reason.clone());
                    }
                    // An error is no verdict: the entry is not accepted for it (the error
                    // fails the gate), and not stale either — the failure may well still be
                    // there.
                    Status::Error => (ran, errored) = (true, true),
                    Status::Skipped => {}
                }
            }
            if !ran {
                judged.absent.push(entry.clone());
            } else if errored && !failed {
                judged.errored.push(entry.clone());
            } else if !failed {
                judged.stale.push(entry.clone());
            }
        }
        report.baseline = Some(judged);
    }

    /// The baseline of `report`'s failures that its gate counts, sorted by feature and
    /// scenario; a failure already accepted keeps its reason, the others get [`TODO_REASON`].
    /// Errors are left out: they are no verdict to accept (run again, with a lower
    /// `--concurrency` if the server is fragile under load).
    pub fn of_failures(report: &RunReport, file: &Path) -> Self {
        let mut entries: Vec<BaselineEntry> = report
            .gate_failures()
            .map(|s| BaselineEntry {
                feature: s.file.clone(),
                scenario: s.name.clone(),
                reason: s.accepted.clone().unwrap_or_else(|| TODO_REASON.into()),
            })
            .collect();
        entries.sort();
        entries.dedup_by(|a, b| (&a.feature, &a.scenario) == (&b.feature, &b.scenario));
        Self {
            file: file.to_owned(),
            entries,
        }
    }

    /// The file's text: a header comment, then one `[[accepted]]` table per entry.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(&BaselineFile {
            accepted: self.entries.clone(),
        })
        .unwrap_or_default();
        format!(
            "# Gauntlet baseline: failures accepted for now (gauntlet --baseline FILE).\n\
             # Give each a reason; remove an entry once its scenario passes.\n\n{body}"
        )
    }

    /// Writes the file (overwriting it).
    pub fn write(&self) -> Result<(), BaselineError> {
        std::fs::write(&self.file, self.to_toml()).map_err(|source| BaselineError::Write {
            file: self.file.clone(),
            source,
        })
    }
}

/// Judges a finished run: applies `baseline` if any, then, with `write` (`--write-baseline`),
/// writes the run's gate failures as a baseline file and judges the run by that one instead.
pub fn judge(
    report: &mut RunReport,
    baseline: Option<&Baseline>,
    write: Option<&Path>,
) -> Result<(), BaselineError> {
    if let Some(baseline) = baseline {
        baseline.apply(report);
    }
    if let Some(file) = write {
        let written = Baseline::of_failures(report, file);
        written.write()?;
        written.apply(report);
    }
    Ok(())
}

#[cfg(test)]
#[path = "baseline_tests.rs"]
mod tests;
