//! Failures grouped by their root cause: "19 scenarios failed because the authorization
//! request carries no `code_challenge`", the scenarios that judge that rule first, the
//! knock-on failures after them.

use super::model::{RootCause, RunReport, ScenarioOutcome, Status};

/// The failed scenarios that share one root cause.
#[derive(Debug)]
pub struct Group<'a> {
    /// The cause, as the first scenario of the group recorded it.
    pub cause: &'a RootCause,
    /// Scenarios of the rule's own feature: they fail on the cause itself.
    pub direct: Vec<&'a ScenarioOutcome>,
    /// Scenarios that failed on something that followed from it.
    pub knock_on: Vec<&'a ScenarioOutcome>,
}

impl Group<'_> {
    /// How many scenarios failed because of it.
    pub fn len(&self) -> usize {
        self.direct.len() + self.knock_on.len()
    }

    /// Whether the group is empty (never, for a group [`groups`] returns).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `19 scenarios failed because the authorization request … (pkce.challenge_missing)`.
    pub fn headline(&self) -> String {
        let n = self.len();
        format!(
            "{n} scenario{} failed because {} ({})",
            if n == 1 { "" } else { "s" },
            lower_first(self.cause.text.trim().trim_end_matches('.')),
            self.cause.code
        )
    }
}

/// The root causes of the report's failures, the most widespread first.
pub fn groups(report: &RunReport) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for scenario in report
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
    {
        let Some(cause) = &scenario.root_cause else {
            continue;
        };
        let index = match groups.iter().position(|g| g.cause.code == cause.code) {
            Some(i) => i,
            None => {
                groups.push(Group {
                    cause,
                    direct: Vec::new(),
                    knock_on: Vec::new(),
                });
                groups.len() - 1
            }
        };
        if cause.knock_on {
            groups[index].knock_on.push(scenario);
        } else {
            groups[index].direct.push(scenario);
        }
    }
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cause.code.cmp(&b.cause.code)));
    groups
}

/// `The token…` → `the token…`, keeping acronyms (`PKCE`) as they are.
pub(crate) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Gate, Strength};

    fn failed(name: &str, cause: Option<(&str, bool)>) -> ScenarioOutcome {
        ScenarioOutcome {
            file: "client/x.feature".into(),
            line: 1,
            feature: "x".into(),
            name: name.into(),
            tags: Vec::new(),
            source: String::new(),
            strength: Strength::Must,
            status: Status::Failed,
            explanation: Some("why".into()),
            steps: Vec::new(),
            duration_ms: 0,
            exchanges: Vec::new(),
            accepted: None,
            root_cause: cause.map(|(code, knock_on)| RootCause {
                code: code.into(),
                text: format!("The {code} went wrong."),
                home: "x.feature".into(),
                knock_on,
            }),
        }
    }

    #[test]
    fn failures_group_under_their_cause_direct_ones_first_largest_group_first() {
        let report = RunReport {
            target: String::new(),
            direction: "client".into(),
            started_unix_ms: 0,
            duration_ms: 0,
            gate: Gate::Must,
            shard: None,
            features: Vec::new(),
            scenarios: vec![
                failed("knock 1", Some(("pkce.challenge_missing", true))),
                failed("alone", Some(("scope.malformed", false))),
                failed("direct", Some(("pkce.challenge_missing", false))),
                failed("no cause", None),
                failed("knock 2", Some(("pkce.challenge_missing", true))),
            ],
            baseline: None,
            preflight: None,
        };
        let groups = groups(&report);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].cause.code, "pkce.challenge_missing");
        let names = |v: &[&ScenarioOutcome]| v.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&groups[0].direct), ["direct"]);
        assert_eq!(names(&groups[0].knock_on), ["knock 1", "knock 2"]);
        assert_eq!(
            groups[0].headline(),
            "3 scenarios failed because the pkce.challenge_missing went wrong \
             (pkce.challenge_missing)"
        );
        assert_eq!(
            groups[1].headline().split(' ').take(3).collect::<Vec<_>>(),
            ["1", "scenario", "failed"]
        );
        assert_eq!(lower_first("PKCE is off"), "PKCE is off");
    }
}
