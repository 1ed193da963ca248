//! Which scenarios a run takes: those the user's tag expression selects, split into this
//! shard's part (`--shard I/N`), less those that do not apply to the target (reported as not
//! applicable with the reason). A run that would test nothing is refused here, before anything
//! starts: a gate must never pass on an empty run.

use std::collections::HashSet;

use cucumber::gherkin;
use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::tag::Ext as _;

use crate::report::{ScenarioOutcome, Shard, Status, StepOutcome, StepStatus, Strength};

/// A scenario tag that does not apply to what is tested, and why (e.g. `revocation`: "no
/// revocation endpoint", or `kore` for a CSML platform).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inapplicable {
    /// The tag, without `@`.
    pub tag: String,
    /// Why scenarios with it do not apply.
    pub reason: String,
}

/// A scenario's place: its feature file (relative path) and line.
pub type Place = (String, usize);

/// What a run takes.
#[derive(Debug, Default)]
pub struct Selection {
    /// The scenarios cucumber runs.
    pub runnable: HashSet<Place>,
    /// Selected scenarios that do not apply, as outcomes with the reason.
    pub not_applicable: Vec<ScenarioOutcome>,
}

/// Why a run would test nothing.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NothingToTest {
    /// The feature files hold no scenario.
    #[error("the feature files hold no scenario")]
    NoScenario,
    /// The tag expression matched nothing.
    #[error("--tags {tags:?} matched none of the {total} scenarios")]
    NoMatch {
        /// The expression.
        tags: String,
        /// How many scenarios there are.
        total: usize,
    },
    /// Every selected scenario is not applicable.
    #[error(
        "none of the {selected} selected scenarios applies to this target ({reasons}): nothing \
         would be tested"
    )]
    NoneApplies {
        /// How many were selected.
        selected: usize,
        /// The reasons, joined.
        reasons: String,
    },
    /// This shard got no scenario.
    #[error("shard {shard} got no scenario: only {selected} are selected; use fewer shards")]
    EmptyShard {
        /// The shard.
        shard: Shard,
        /// How many were selected.
        selected: usize,
    },
}

/// Selects the scenarios of `features` (outlines expanded) for a run.
///
/// The "nothing tested" checks apply to the whole selection, before sharding, except that an
/// empty shard is refused too (a matrix with more shards than scenarios is a mistake).
pub fn select(
    features: &[gherkin::Feature],
    tags: Option<(&str, &TagOperation)>,
    inapplicable: &[Inapplicable],
    shard: Option<Shard>,
) -> Result<Selection, NothingToTest> {
    let mut all: Vec<(Place, &gherkin::Feature, &gherkin::Scenario, Vec<String>)> = Vec::new();
    for feature in features {
        let rules = feature.rules.iter().map(|r| (Some(r), &r.scenarios));
        for (rule, scenarios) in std::iter::once((None, &feature.scenarios)).chain(rules) {
            for scenario in scenarios {
                let scenario_tags: Vec<String> = feature
                    .tags
                    .iter()
                    .chain(rule.iter().flat_map(|r: &&gherkin::Rule| &r.tags))
                    .chain(&scenario.tags)
                    .cloned()
                    .collect();
                let place = place(feature, scenario);
                all.push((place, feature, scenario, scenario_tags));
            }
        }
    }
    if all.is_empty() {
        return Err(NothingToTest::NoScenario);
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let total = all.len();
    if let Some((text, expression)) = tags {
        all.retain(|(_, _, _, t)| expression.eval(t.iter()));
        if all.is_empty() {
            return Err(NothingToTest::NoMatch {
                tags: text.to_owned(),
                total,
            });
        }
    }
    let lacking = |t: &[String]| inapplicable.iter().find(|i| t.contains(&i.tag));
    if all.iter().all(|(_, _, _, t)| lacking(t).is_some()) {
        let mut reasons: Vec<&str> = all
            .iter()
            .filter_map(|(_, _, _, t)| lacking(t).map(|i| i.reason.as_str()))
            .collect();
        reasons.sort_unstable();
        reasons.dedup();
        return Err(NothingToTest::NoneApplies {
            selected: all.len(),
            reasons: reasons.join("; "),
        });
    }
    let selected = all.len();
    if let Some(shard) = shard {
        let (index, count) = (shard.index as usize - 1, shard.count as usize);
        all = all
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % count == index)
            .map(|(_, s)| s)
            .collect();
        if all.is_empty() {
            return Err(NothingToTest::EmptyShard { shard, selected });
        }
    }
    let mut selection = Selection::default();
    for (place, feature, scenario, scenario_tags) in all {
        match lacking(&scenario_tags) {
            None => {
                selection.runnable.insert(place);
            }
            Some(reason) => selection.not_applicable.push(not_applicable(
                place,
                feature,
                scenario,
                scenario_tags,
                &reason.reason,
            )),
        }
    }
    Ok(selection)
}

/// The outcome of a scenario left out because it does not apply.
fn not_applicable(
    place: Place,
    feature: &gherkin::Feature,
    scenario: &gherkin::Scenario,
    tags: Vec<String>,
    reason: &str,
) -> ScenarioOutcome {
    ScenarioOutcome {
        explanation: Some(format!("not applicable: {reason}")),
        ..unrun(place, feature, scenario, tags)
    }
}

/// A scenario's outcome before it runs: not run (status `Skipped`), every step still to run
/// (background steps first).
pub fn unrun(
    (file, line): Place,
    feature: &gherkin::Feature,
    scenario: &gherkin::Scenario,
    tags: Vec<String>,
) -> ScenarioOutcome {
    let steps = feature
        .background
        .iter()
        .flat_map(|b| &b.steps)
        .chain(&scenario.steps)
        .map(|step| StepOutcome {
            keyword: step.keyword.clone(),
            text: step.value.clone(),
            line: step.position.line,
            status: StepStatus::Skipped,
            error: None,
        })
        .collect();
    ScenarioOutcome {
        file,
        line,
        feature: feature.name.clone(),
        name: scenario.name.clone(),
        strength: Strength::of(&tags),
        source: source_line(scenario.description.as_deref()),
        tags,
        status: Status::Skipped,
        explanation: None,
        steps,
        duration_ms: 0,
        exchanges: Vec::new(),
        accepted: None,
        root_cause: None,
    }
}

/// Where a scenario stands: its feature file (relative, with `/`) and line.
pub fn place(feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> Place {
    let file = feature
        .path
        .as_ref()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    (file, scenario.position.line)
}

/// The `Source:` line of a scenario's description, without the label.
pub fn source_line(description: Option<&str>) -> String {
    description
        .and_then(|d| {
            d.lines()
                .map(str::trim)
                .find_map(|l| l.strip_prefix("Source:"))
        })
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::features::{FeatureSet, PROVIDER};

    fn inapplicable(tag: &str, reason: &str) -> Inapplicable {
        Inapplicable {
            tag: tag.into(),
            reason: reason.into(),
        }
    }

    fn provider_features() -> Vec<gherkin::Feature> {
        FeatureSet::bundled("provider", PROVIDER).parse().unwrap()
    }

    fn expression(text: &str) -> TagOperation {
        text.parse().unwrap()
    }

    #[test]
    fn inapplicable_scenarios_are_reported_with_the_reason_and_not_run() {
        let features = provider_features();
        let revocation = [inapplicable("revocation", "no revocation endpoint")];
        let all = select(&features, None, &[], None).unwrap();
        let some = select(&features, None, &revocation, None).unwrap();
        assert!(all.not_applicable.is_empty());
        assert!(!some.not_applicable.is_empty());
        assert_eq!(
            some.runnable.len() + some.not_applicable.len(),
            all.runnable.len()
        );
        assert!(some.not_applicable.iter().all(|s| {
            s.status == Status::Skipped
                && s.explanation.as_deref() == Some("not applicable: no revocation endpoint")
                && s.tags.iter().any(|t| t == "revocation")
                && s.file.starts_with("provider/")
                && s.steps.iter().all(|st| st.status == StepStatus::Skipped)
        }));
        let should = expression("@should");
        let only_should = select(&features, Some(("@should", &should)), &revocation, None).unwrap();
        assert!(only_should.not_applicable.len() < some.not_applicable.len());
        assert!(
            only_should
                .not_applicable
                .iter()
                .all(|s| s.strength == Strength::Should)
        );
    }

    #[test]
    fn a_run_that_would_test_nothing_is_refused() {
        let features = provider_features();
        let nothing = expression("@no_such_tag");
        let err = select(&features, Some(("@no_such_tag", &nothing)), &[], None).unwrap_err();
        assert!(matches!(err, NothingToTest::NoMatch { .. }), "{err}");
        assert!(err.to_string().contains("@no_such_tag"));

        let revocation = expression("@rfc7009");
        let lacking = [inapplicable("revocation", "no revocation endpoint")];
        let err = select(&features, Some(("@rfc7009", &revocation)), &lacking, None).unwrap_err();
        assert!(err.to_string().contains("no revocation endpoint"), "{err}");
        assert_eq!(
            select(&[], None, &[], None).unwrap_err(),
            NothingToTest::NoScenario
        );
    }

    #[test]
    fn shards_split_the_selection_deterministically_and_completely() {
        let features = provider_features();
        let lacking = [inapplicable("introspection", "none")];
        let whole = select(&features, None, &lacking, None).unwrap();
        let mut runnable = HashSet::new();
        let mut not_applicable = 0;
        for index in 1..=3 {
            let shard = Shard { index, count: 3 };
            let part = select(&features, None, &lacking, Some(shard)).unwrap();
            let again = select(&features, None, &lacking, Some(shard)).unwrap();
            assert_eq!(part.runnable, again.runnable);
            for place in &part.runnable {
                assert!(runnable.insert(place.clone()), "{place:?} in two shards");
            }
            not_applicable += part.not_applicable.len();
        }
        assert_eq!(runnable, whole.runnable);
        assert_eq!(not_applicable, whole.not_applicable.len());
        let one = expression("@rfc8414");
        let few = select(&features, Some(("@rfc8414", &one)), &[], None).unwrap();
        let count = u32::try_from(few.runnable.len()).unwrap() + 1;
        let err = select(
            &features,
            Some(("@rfc8414", &one)),
            &[],
            Some(Shard {
                index: count,
                count,
            }),
        )
        .unwrap_err();
        assert!(matches!(err, NothingToTest::EmptyShard { .. }), "{err}");
    }
}
