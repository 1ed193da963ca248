//! The engine with a world of its own, whose step definitions overlap: a step that two
//! definitions match fails its scenario, and the run (the exit code follows
//! [`crate::report::RunReport::passed`]), with the reports naming the ambiguity.

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};

use cucumber::given;

use super::{Direction, Gate, Inapplicable, Outcomes, Recorded, SuiteOptions};
use crate::report::{Exchange, Status, StepStatus};

static OUTCOMES: Outcomes = Mutex::new(Vec::new());

/// A world with two step definitions that both match `a step that two definitions match`.
#[derive(Debug, Default, cucumber::World)]
struct Overlapping {
    /// Set by the step that cannot judge its rule.
    not_judged: Option<String>,
}

impl Recorded for Overlapping {
    fn exchanges(&self) -> Vec<Exchange> {
        Vec::new()
    }

    fn not_judged(&self) -> Option<String> {
        self.not_judged.clone()
    }

    fn outcomes(&self) -> &Outcomes {
        &OUTCOMES
    }
}

#[given(regex = r"^a step that (\w+) definitions match$")]
fn any_number(_: &mut Overlapping, _count: String) {}

#[given("a step that two definitions match")]
fn two(_: &mut Overlapping) {}

#[given("a step that one definition matches")]
fn one(_: &mut Overlapping) {}

#[given("a step that fails")]
fn fails(_: &mut Overlapping) -> Result<(), String> {
    Err("the rule is broken".into())
}

#[given("a step Gauntlet cannot judge")]
fn cannot_judge(world: &mut Overlapping) -> Result<(), String> {
    let reason = "Gauntlet cannot reach what it must judge".to_owned();
    world.not_judged = Some(reason.clone());
    Err(reason)
}

/// A direction with nothing to start, for [`Overlapping`].
struct Probe;

impl Direction for Probe {
    type Target = ();
    type Context = ();
    type World = Overlapping;
    const NAME: &'static str = "client";
    const FEATURES: &'static [(&'static str, &'static str)] = &[];
    const LOG: &'static str = "probe.log";

    async fn start(_: (), _: bool, _: usize, _: super::tls::Trust, _: &Path) -> anyhow::Result<()> {
        Ok(())
    }

    fn inapplicable(_: &(), _: &()) -> Vec<Inapplicable> {
        Vec::new()
    }

    fn target_name(_: &(), _: &()) -> String {
        "probe".into()
    }

    fn evidence(_: &()) -> &Outcomes {
        &OUTCOMES
    }

    fn scope<F: Future>(_: Arc<()>, future: F) -> impl Future<Output = F::Output> {
        future
    }
}

const AMBIGUOUS: &str = "Feature: custom checks
  @must
  Scenario: A step that two definitions match fails its scenario
    Given a step that two definitions match

  @must
  Scenario: A step that one definition matches passes
    Given a step that one definition matches
";

#[tokio::test]
async fn an_ambiguous_step_fails_its_scenario_and_the_run_and_the_reports_name_it() {
    let dir = tempfile::tempdir().unwrap();
    let features = dir.path().join("features");
    std::fs::create_dir(&features).unwrap();
    std::fs::write(features.join("ambiguous.feature"), AMBIGUOUS).unwrap();
    let options = SuiteOptions {
        features: Some(features),
        gate: Gate::Must,
        ..SuiteOptions::new((), dir.path().join("reports"))
    };
    let result = super::run::<Probe>(options).await.unwrap();
    assert!(!result.passed, "{:#?}", result.report);
    let [ambiguous, passing] = &result.report.scenarios[..] else {
        panic!("two scenarios: {:#?}", result.report.scenarios);
    };
    assert_eq!(passing.status, Status::Passed, "{passing:#?}");
    assert_eq!(ambiguous.status, Status::Failed, "{ambiguous:#?}");
    assert_eq!(ambiguous.steps[0].status, StepStatus::Ambiguous);
    let explanation = ambiguous.explanation.as_deref().unwrap_or_default();
    assert!(
        explanation.contains(
            "the step \"Given a step that two definitions match\" matches several step definitions"
        ),
        "{explanation}"
    );
    let read = |name: &str| std::fs::read_to_string(dir.path().join("reports").join(name)).unwrap();
    let markdown = read("report.md");
    assert!(markdown.contains("**Gate: FAIL**"), "{markdown}");
    assert!(
        markdown.contains("matches several step definitions"),
        "{markdown}"
    );
    let junit = read("junit.xml");
    assert!(junit.contains("<failure type=\"MUST\""), "{junit}");
    assert!(
        junit.contains("matches several step definitions"),
        "{junit}"
    );
    let json: serde_json::Value = serde_json::from_str(&read("cucumber.json")).unwrap();
    assert_eq!(
        json[0]["elements"][0]["steps"][0]["result"]["status"],
        "ambiguous"
    );
}

const NOT_JUDGED: &str = "Feature: custom checks
  @must
  Scenario: A rule Gauntlet cannot judge
    Given a step Gauntlet cannot judge

  @must
  Scenario: A broken rule
    Given a step that fails
";

#[tokio::test]
async fn a_step_that_cannot_judge_its_rule_makes_an_error_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let features = dir.path().join("features");
    std::fs::create_dir(&features).unwrap();
    std::fs::write(features.join("not_judged.feature"), NOT_JUDGED).unwrap();
    let options = SuiteOptions {
        features: Some(features),
        gate: Gate::Must,
        ..SuiteOptions::new((), dir.path().join("reports"))
    };
    let result = super::run::<Probe>(options).await.unwrap();
    let [not_judged, broken] = &result.report.scenarios[..] else {
        panic!("two scenarios: {:#?}", result.report.scenarios);
    };
    assert_eq!(not_judged.status, Status::Error, "{not_judged:#?}");
    assert_eq!(
        not_judged.explanation.as_deref(),
        Some("Gauntlet cannot reach what it must judge")
    );
    assert_eq!(broken.status, Status::Failed, "{broken:#?}");
}
