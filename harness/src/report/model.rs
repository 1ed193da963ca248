//! What a run produced, in the form the human reports are written from: one outcome per
//! scenario, with the HTTP exchanges among browser, platform and provider as evidence.

use serde::Serialize;

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// What was tested, e.g. `reference (web)` or the profile's name.
    pub target: String,
    /// `client` (a platform under test) or `provider`.
    pub direction: String,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
    /// One entry per scenario, in feature-file order.
    pub scenarios: Vec<ScenarioOutcome>,
}

/// How strongly a rule binds ([RFC 2119](https://www.rfc-editor.org/rfc/rfc2119)), from the
/// scenario's `@must` / `@should` tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
}

/// A scenario's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every step passed.
    Passed,
    /// A step failed: the platform broke the rule (or could not be driven).
    Failed,
    /// Not run (filtered out by tags, or a step was skipped).
    Skipped,
}

/// One scenario's result.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioOutcome {
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
    /// For a failure: one line saying what the platform did wrong.
    pub explanation: Option<String>,
    /// The HTTP exchanges of this scenario in time order (secrets already redacted unless the
    /// run asked to reveal them).
    pub exchanges: Vec<Exchange>,
}

/// A participant in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// Milliseconds since the scenario started.
    pub at_ms: u64,
    /// Who sent the request.
    pub from: Party,
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
    /// What went wrong when no response came, or the provider's findings.
    pub note: Option<String>,
}
