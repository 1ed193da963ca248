//! What a run produced, in the form the human reports are written from: one outcome per
//! scenario, with the HTTP exchanges among browser, platform and provider as evidence.

use serde::{Deserialize, Serialize};

/// A whole run: the one source every report file (and `gauntlet merge`) is written from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    /// What was tested, e.g. `reference (web)` or the profile's name.
    pub target: String,
    /// `client` (a platform under test) or `provider`.
    pub direction: String,
    /// When the run started, in milliseconds since the Unix epoch.
    #[serde(default)]
    pub started_unix_ms: u64,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
    /// Which failures fail the run.
    pub gate: Gate,
    /// The part of the selected scenarios this run took (`--shard I/N`); `None` for all.
    #[serde(default)]
    pub shard: Option<Shard>,
    /// The feature files that scenarios come from, with their text (Cucumber Messages carry
    /// the sources).
    #[serde(default)]
    pub features: Vec<FeatureSource>,
    /// One entry per selected scenario, in feature-file order.
    pub scenarios: Vec<ScenarioOutcome>,
    /// The baseline of accepted failures the run was judged with (`--baseline`); `None` without.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineReport>,
    /// The plain link run before the scenarios (`gauntlet run`); `None` when skipped
    /// (`--no-preflight`) or when the direction has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight: Option<Preflight>,
}

/// What the preflight found: one plain link, end to end, before the scenarios.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preflight {
    /// What came of it.
    pub verdict: PreflightVerdict,
    /// What happened, in one line.
    pub summary: String,
}

/// What came of the preflight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PreflightVerdict {
    /// The link went through end to end.
    Passed,
    /// The link failed the way a platform defect makes it fail: the scenarios judge it.
    Failed,
    /// The profile does not fit the platform, or the platform cannot be reached: nothing can
    /// be judged, and the run stops (exit code 2).
    Blocked,
}

impl std::fmt::Display for Preflight {
    /// The verdict and the summary, as `gauntlet run` prints them after `preflight: ` and the
    /// reports show them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = match self.verdict {
            PreflightVerdict::Passed => "passed",
            PreflightVerdict::Failed => "the plain link failed, the scenarios judge why",
            PreflightVerdict::Blocked => "FAILED, nothing can be judged",
        };
        write!(f, "{verdict} — {}", self.summary)
    }
}

impl RunReport {
    /// Whether the report passes its gate: no failed scenario at or above the gate's strength
    /// that the baseline does not accept, no error at or above it (an error is never a pass,
    /// and no baseline accepts one), and no stale baseline entry.
    pub fn passed(&self) -> bool {
        self.gate == Gate::None
            || (self.gate_failures().all(|s| s.accepted.is_some())
                && self.gate_errors().next().is_none()
                && self.stale().is_empty())
    }

    /// The failed scenarios at or above the gate's strength, accepted by the baseline or not
    /// (none for the gate `none`): the rule violations the gate counts, and what
    /// `--write-baseline` writes.
    pub fn gate_failures(&self) -> impl Iterator<Item = &ScenarioOutcome> {
        self.gated(Status::Failed)
    }

    /// The scenarios at or above the gate's strength that ended in an error (none for the
    /// gate `none`): they fail the gate as failures do, but no baseline accepts them.
    pub fn gate_errors(&self) -> impl Iterator<Item = &ScenarioOutcome> {
        self.gated(Status::Error)
    }

    /// The scenarios with `status` at or above the gate's strength.
    fn gated(&self, status: Status) -> impl Iterator<Item = &ScenarioOutcome> {
        let worst = match self.gate {
            Gate::Must => Some(Strength::Must),
            Gate::Should => Some(Strength::Should),
            Gate::None => None,
        };
        self.scenarios
            .iter()
            .filter(move |s| s.status == status && worst.is_some_and(|w| s.strength <= w))
    }

    /// How many failed scenarios the baseline accepts.
    pub fn accepted(&self) -> usize {
        self.scenarios
            .iter()
            .filter(|s| s.status == Status::Failed && s.accepted.is_some())
            .count()
    }

    /// The baseline entries whose scenarios all passed (the baseline must be updated).
    pub fn stale(&self) -> &[BaselineEntry] {
        self.baseline.as_ref().map_or(&[], |b| &b.stale)
    }

    /// How many scenarios have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.scenarios.iter().filter(|s| s.status == status).count()
    }
}

/// One accepted failure in a baseline file (`--baseline`): a scenario by its feature file
/// (as the reports name it, e.g. `client/refresh.feature`) and its name (for an outline's
/// example, the name with the example's values filled in), and why its failure is accepted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The feature file, relative to the features root.
    pub feature: String,
    /// The scenario's name.
    pub scenario: String,
    /// Why the failure is accepted.
    pub reason: String,
}

impl std::fmt::Display for BaselineEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {:?}", self.feature, self.scenario)
    }
}

/// What a baseline did to a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineReport {
    /// The baseline file, as given.
    pub file: String,
    /// Every entry of the file (so that `gauntlet merge` can judge the merged run by it).
    pub entries: Vec<BaselineEntry>,
    /// Entries whose scenarios ran and all passed: they fail the gate until removed.
    #[serde(default)]
    pub stale: Vec<BaselineEntry>,
    /// Entries whose scenario is not in this run (not selected, not applicable, another
    /// shard): a warning.
    #[serde(default)]
    pub absent: Vec<BaselineEntry>,
    /// Entries whose scenario ended in an error and none failed: not accepted (the error fails
    /// the gate), not stale (nothing passed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errored: Vec<BaselineEntry>,
}

impl BaselineReport {
    /// The entries the reports list under a heading each: stale ones, absent ones, then those
    /// whose scenarios ended in an error, leaving out empty lists.
    pub fn listed(&self) -> impl Iterator<Item = (&'static str, &[BaselineEntry])> {
        [
            (
                "Stale entries: their scenarios passed; remove them from the baseline (they fail \
                 the gate)",
                self.stale.as_slice(),
            ),
            (
                "Entries not in this run (not selected, not applicable or in another shard)",
                self.absent.as_slice(),
            ),
            (
                "Entries whose scenarios ended in an error: no verdict, so neither accepted nor \
                 stale (the error fails the gate)",
                self.errored.as_slice(),
            ),
        ]
        .into_iter()
        .filter(|(_, entries)| !entries.is_empty())
    }
}

/// Which failures make a run fail (`--gate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    /// Any failed `@must` scenario.
    Must,
    /// Any failed `@must` or `@should` scenario.
    Should,
    /// Never (report only).
    None,
}

impl Gate {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Must => "must",
            Self::Should => "should",
            Self::None => "none",
        }
    }
}

/// One part of `N` (`--shard I/N`, `I` from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which part, from 1.
    pub index: u32,
    /// How many parts.
    pub count: u32,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || format!("{s:?} is not a shard: write I/N with 1 <= I <= N, e.g. 2/3");
        let (index, count) = s.split_once('/').ok_or_else(err)?;
        let (index, count): (u32, u32) = (
            index.trim().parse().map_err(|_| err())?,
            count.trim().parse().map_err(|_| err())?,
        );
        if index == 0 || count == 0 || index > count {
            return Err(err());
        }
        Ok(Self { index, count })
    }
}

/// A feature file as it was run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureSource {
    /// Its path relative to the features root, e.g. `client/errors.feature`.
    pub path: String,
    /// Its Gherkin text.
    pub text: String,
}

/// How strongly a rule binds ([RFC 2119](https://www.rfc-editor.org/rfc/rfc2119)), from the
/// scenario's `@must` / `@should` tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// `@must`.
    Must,
    /// `@should`.
    Should,
    /// Neither tag.
    May,
}

impl Strength {
    /// The strength a scenario's tags (without `@`) give it.
    pub fn of(tags: &[String]) -> Self {
        if tags.iter().any(|t| t == "must") {
            Self::Must
        } else if tags.iter().any(|t| t == "should") {
            Self::Should
        } else {
            Self::May
        }
    }

    /// `MUST`, `SHOULD` or `MAY`.
    pub fn word(self) -> &'static str {
        match self {
            Self::Must => "MUST",
            Self::Should => "SHOULD",
            Self::May => "MAY",
        }
    }
}

/// A scenario's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every step passed.
    Passed,
    /// A step failed, had no definition or matched several: the target broke the rule (or
    /// could not be driven, or the feature is wrong — the explanation says which).
    Failed,
    /// Not applicable to this target (the explanation gives the reason); never run.
    Skipped,
    /// No verdict: a step failed on an answer that was a server error (5xx) or no answer at
    /// all (a dropped connection, a timeout), so the rule could not be judged. Only the
    /// provider direction gives it (see [`crate::suite::Recorded::server_error`]); the
    /// explanation quotes the answer. It fails the gate like a failure at its strength, and no
    /// baseline accepts it.
    Error,
}

impl Status {
    /// Whether the scenario did not pass although it ran: failed or ended in an error (what
    /// the reports give a section with the evidence).
    pub fn unpassed(self) -> bool {
        matches!(self, Self::Failed | Self::Error)
    }
}

/// One step's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// It passed.
    Passed,
    /// It failed.
    Failed,
    /// It was not run (an earlier step failed, or the scenario is not applicable).
    Skipped,
    /// No step definition matches its text.
    Undefined,
    /// Several step definitions match its text.
    Ambiguous,
}

/// One step of a scenario (background steps first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepOutcome {
    /// Its keyword as written, e.g. `Given `.
    pub keyword: String,
    /// Its text (outline placeholders filled).
    pub text: String,
    /// Its line in the feature file.
    pub line: usize,
    /// What happened.
    pub status: StepStatus,
    /// Why it failed, for a failed, undefined or ambiguous step.
    #[serde(default)]
    pub error: Option<String>,
}

/// One scenario's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScenarioOutcome {
    /// The feature file, relative to the features root (e.g. `client/errors.feature`).
    pub file: String,
    /// The scenario's line there (for an outline's example, the example row's line).
    pub line: usize,
    /// The feature's name.
    pub feature: String,
    /// The scenario's name: the requirement in words.
    pub name: String,
    /// Its tags, without `@`.
    pub tags: Vec<String>,
    /// The RFC sections it checks, e.g. `RFC 7636 §4.2; RFC 9700 §2.1.1`.
    pub source: String,
    /// `@must` or `@should`.
    pub strength: Strength,
    /// The verdict.
    pub status: Status,
    /// For a failure: one line saying what the platform did wrong; for an error: the server's
    /// answer, then what the step said.
    pub explanation: Option<String>,
    /// Its steps, in order.
    #[serde(default)]
    pub steps: Vec<StepOutcome>,
    /// How long it ran, in milliseconds.
    #[serde(default)]
    pub duration_ms: u64,
    /// The HTTP exchanges of this scenario in time order (secrets already redacted unless the
    /// run asked to reveal them).
    pub exchanges: Vec<Exchange>,
    /// For a failure the baseline accepts: the baseline's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
    /// For a failure: the first thing that went wrong in the scenario's flows, when the
    /// provider saw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<RootCause>,
}

/// The first thing that went wrong in a failed scenario's flows, as the provider saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootCause {
    /// The provider's finding code, e.g. `pkce.challenge_missing`.
    pub code: String,
    /// What it means, e.g. "The authorization request carries no `code_challenge` …".
    pub text: String,
    /// The feature file whose scenarios judge this rule, e.g. `pkce.feature`.
    pub home: String,
    /// Whether the scenario failed on something else that followed from it (its feature is
    /// not the rule's own).
    #[serde(default)]
    pub knock_on: bool,
}

/// A participant in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Party {
    /// The simulated user agent driven by Gauntlet.
    Browser,
    /// The chatbot platform under test (the OAuth client).
    Platform,
    /// Gauntlet itself playing the OAuth client (provider direction).
    Client,
    /// The authorization server (the mock provider, or the provider under test).
    Provider,
}

impl Party {
    /// The name shown in reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::Browser => "Browser",
            Self::Platform => "Platform",
            Self::Client => "Client",
            Self::Provider => "Provider",
        }
    }
}

/// One HTTP request and its response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exchange {
    /// Milliseconds since the scenario started.
    pub at_ms: u64,
    /// Microseconds since the scenario started: the order exchanges happened in.
    #[serde(default)]
    pub at_us: u64,
    /// Who sent the request.
    pub from: Party,
    /// Who sent it, in words: `alice's browser`, `the platform (back channel)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Who answered.
    pub to: Party,
    /// HTTP method.
    pub method: String,
    /// The full URL, query included.
    pub url: String,
    /// Request headers worth showing (Authorization, Content-Type, Cookie…).
    pub request_headers: Vec<(String, String)>,
    /// Request body as text, if any.
    pub request_body: Option<String>,
    /// Response status; `None` when no response came (timeout, connection refused).
    pub status: Option<u16>,
    /// Response headers worth showing (Location, Content-Type, Set-Cookie…).
    pub response_headers: Vec<(String, String)>,
    /// Response body as text (cut to a few KiB), if any.
    pub response_body: Option<String>,
    /// What went wrong when no response came, that the answer's body was cut at the cap
    /// (`--max-body-bytes`), or the provider's findings.
    pub note: Option<String>,
}
