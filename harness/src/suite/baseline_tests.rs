//! The baseline model: reading, checking, judging a run, writing.

use std::path::Path;

use super::*;
use crate::report::{Gate, ScenarioOutcome, Strength};

fn scenario(file: &str, name: &str, strength: Strength, status: Status) -> ScenarioOutcome {
    ScenarioOutcome {
        file: file.into(),
        line: 1,
        feature: file.into(),
        name: name.into(),
        tags: Vec::new(),
        source: String::new(),
        strength,
        status,
        explanation: None,
        steps: Vec::new(),
        duration_ms: 0,
        exchanges: Vec::new(),
        accepted: None,
        root_cause: None,
    }
}

fn report(scenarios: Vec<ScenarioOutcome>) -> RunReport {
    RunReport {
        target: "t".into(),
        direction: "client".into(),
        started_unix_ms: 0,
        duration_ms: 0,
        gate: Gate::Must,
        shard: None,
        features: Vec::new(),
        scenarios,
        baseline: None,
        preflight: None,
    }
}

fn entry(feature: &str, scenario: &str, reason: &str) -> BaselineEntry {
    BaselineEntry {
        feature: feature.into(),
        scenario: scenario.into(),
        reason: reason.into(),
    }
}

fn baseline(entries: Vec<BaselineEntry>) -> Baseline {
    Baseline {
        file: "baseline.toml".into(),
        entries,
    }
}

const FILE: &str = r#"
[[accepted]]
feature = "client/refresh.feature"      # the stable name the reports use
scenario = "The rotated refresh token replaces the old one"
reason = "we never refresh; tracked in JIRA-123"
"#;

#[test]
fn a_baseline_file_is_read() {
    let read = Baseline::parse(Path::new("b.toml"), FILE).unwrap();
    assert_eq!(
        read.entries,
        [entry(
            "client/refresh.feature",
            "The rotated refresh token replaces the old one",
            "we never refresh; tracked in JIRA-123"
        )]
    );
    assert!(
        Baseline::parse(Path::new("b.toml"), "")
            .unwrap()
            .entries
            .is_empty()
    );
}

#[test]
fn a_bad_file_is_refused_naming_the_file_and_the_key() {
    let bad = |text: &str| {
        Baseline::parse(Path::new("ci/baseline.toml"), text)
            .unwrap_err()
            .to_string()
    };
    let unparsable = bad("[[accepted]\nfeature = ");
    assert!(unparsable.contains("ci/baseline.toml"), "{unparsable}");
    let unknown = bad(&FILE.replace("reason =", "reasn ="));
    assert!(
        unknown.contains("ci/baseline.toml") && unknown.contains("reasn"),
        "{unknown}"
    );
    let missing = bad(&FILE.replace("reason = \"we never refresh; tracked in JIRA-123\"", ""));
    assert!(
        missing.contains("ci/baseline.toml") && missing.contains("`reason`"),
        "{missing}"
    );
    let empty = bad(&FILE.replace("we never refresh; tracked in JIRA-123", " "));
    assert!(
        empty.contains("ci/baseline.toml")
            && empty.contains("entry 1")
            && empty.contains("`reason`"),
        "{empty}"
    );
    let top = bad("[accepted_failures]\n");
    assert!(top.contains("accepted_failures"), "{top}");
    let missing_file = Baseline::load(Path::new("/nonexistent/baseline.toml")).unwrap_err();
    assert!(
        missing_file
            .to_string()
            .contains("/nonexistent/baseline.toml"),
        "{missing_file}"
    );
}

#[test]
fn listed_failures_are_accepted_and_unlisted_ones_still_fail_the_gate() {
    let mut run = report(vec![
        scenario("a.feature", "listed", Strength::Must, Status::Failed),
        scenario("a.feature", "unlisted", Strength::Must, Status::Failed),
    ]);
    let listed = baseline(vec![entry("a.feature", "listed", "known")]);
    listed.apply(&mut run);
    assert_eq!(run.scenarios[0].accepted.as_deref(), Some("known"));
    assert_eq!(run.scenarios[1].accepted, None);
    assert_eq!(run.accepted(), 1);
    assert!(!run.passed(), "an unlisted failure must fail the gate");
    // Listing it too passes the gate; the failures are still failures.
    baseline(vec![
        entry("a.feature", "listed", "known"),
        entry("a.feature", "unlisted", "also known"),
    ])
    .apply(&mut run);
    assert!(run.passed());
    assert_eq!(run.count(Status::Failed), 2);
    assert!(run.stale().is_empty());
}

#[test]
fn a_listed_scenario_that_passes_is_stale_and_fails_the_gate() {
    let mut run = report(vec![
        scenario("a.feature", "fixed", Strength::Must, Status::Passed),
        scenario("a.feature", "other", Strength::Must, Status::Passed),
    ]);
    assert!(run.passed());
    let stale = entry("a.feature", "fixed", "was broken");
    baseline(vec![stale.clone()]).apply(&mut run);
    assert_eq!(run.stale(), [stale]);
    assert!(!run.passed(), "a stale entry must fail the gate");
    run.gate = Gate::None;
    assert!(run.passed(), "the gate none never fails");
}

#[test]
fn a_listed_scenario_that_errors_is_neither_accepted_nor_stale_and_fails_the_gate() {
    let mut run = report(vec![
        scenario("a.feature", "flaky", Strength::Must, Status::Error),
        scenario("a.feature", "fine", Strength::Must, Status::Passed),
    ]);
    assert!(!run.passed(), "an error is never a pass");
    baseline(vec![entry("a.feature", "flaky", "known violation")]).apply(&mut run);
    assert_eq!(run.scenarios[0].accepted, None);
    assert_eq!(run.accepted(), 0);
    let judged = run.baseline.as_ref().unwrap();
    assert!(
        judged.stale.is_empty() && judged.absent.is_empty(),
        "{judged:?}"
    );
    assert_eq!(
        judged.errored,
        [entry("a.feature", "flaky", "known violation")]
    );
    assert!(!run.passed(), "no baseline accepts an error");
    // --write-baseline leaves errors out: they are no verdict to accept.
    assert!(
        Baseline::of_failures(&run, Path::new("b.toml"))
            .entries
            .is_empty()
    );
    // An error below the gate's strength is a warning, as a failure there is.
    run.scenarios[0].strength = Strength::Should;
    assert!(run.passed());
    run.gate = Gate::Should;
    assert!(!run.passed());
    run.gate = Gate::None;
    assert!(run.passed(), "the gate none never fails");
}

#[test]
fn a_listed_scenario_not_in_the_run_is_only_a_warning() {
    let mut run = report(vec![
        scenario("a.feature", "n/a", Strength::Must, Status::Skipped),
        scenario("a.feature", "ok", Strength::Must, Status::Passed),
    ]);
    let not_applicable = entry("a.feature", "n/a", "r");
    let elsewhere = entry("b.feature", "another shard", "r");
    baseline(vec![not_applicable.clone(), elsewhere.clone()]).apply(&mut run);
    let judged = run.baseline.as_ref().unwrap();
    assert_eq!(judged.absent, [not_applicable, elsewhere]);
    assert!(judged.stale.is_empty());
    assert!(run.passed());
}

#[test]
fn an_entry_no_feature_holds_is_an_error_but_only_where_the_whole_suite_is_known() {
    let known = vec![
        ("a.feature".to_owned(), "one".to_owned()),
        ("a.feature".to_owned(), "An error: access_denied".to_owned()),
    ];
    let good = baseline(vec![entry("a.feature", "An error: access_denied", "r")]);
    good.check_known(&known, true).unwrap();
    let typo = baseline(vec![
        entry("a.feature", "one", "r"),
        entry("a.feature", "onne", "r"),
    ]);
    let err = typo.check_known(&known, true).unwrap_err();
    assert!(
        matches!(err, BaselineError::UnknownScenario { index: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("\"onne\""), "{err}");
    let other_file = baseline(vec![entry("b.feature", "one", "r")]);
    assert!(other_file.check_known(&known, true).is_err());
    other_file.check_known(&known, false).unwrap();
    assert!(typo.check_known(&known, false).is_err());
}

#[test]
fn the_written_baseline_lists_the_gate_failures_sorted_and_is_read_back() {
    let mut run = report(vec![
        scenario("b.feature", "z", Strength::Must, Status::Failed),
        scenario("a.feature", "y", Strength::Must, Status::Failed),
        scenario("a.feature", "x", Strength::Must, Status::Failed),
        scenario("a.feature", "should", Strength::Should, Status::Failed),
        scenario("a.feature", "passed", Strength::Must, Status::Passed),
    ]);
    baseline(vec![entry("a.feature", "y", "known")]).apply(&mut run);
    let written = Baseline::of_failures(&run, Path::new("w.toml"));
    assert_eq!(
        written.entries,
        [
            entry("a.feature", "x", TODO_REASON),
            entry("a.feature", "y", "known"),
            entry("b.feature", "z", TODO_REASON),
        ]
    );
    let text = written.to_toml();
    assert_eq!(
        Baseline::parse(Path::new("w.toml"), &text).unwrap(),
        written
    );
    assert_eq!(
        Baseline::of_failures(&run, Path::new("w.toml")).to_toml(),
        text
    );
    written.apply(&mut run);
    assert!(run.passed());
}

#[test]
fn an_outline_example_is_named_with_its_values() {
    let set = crate::suite::features::FeatureSet {
        files: vec![crate::report::FeatureSource {
            path: "x/outline.feature".into(),
            text: "Feature: f\n  Scenario Outline: Refused: <case>\n    Given <case>\n\n    \
                   Examples:\n      | case |\n      | one |\n      | two |\n"
                .into(),
        }],
    };
    let names = crate::suite::engine::scenario_names(&set.parse().unwrap());
    assert_eq!(
        names,
        [
            ("x/outline.feature".to_owned(), "Refused: one".to_owned()),
            ("x/outline.feature".to_owned(), "Refused: two".to_owned()),
        ]
    );
}
