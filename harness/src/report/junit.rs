//! `junit.xml`: one test suite per feature file, one test case per scenario, for CI test views.
//!
//! Names are stable across runs and machines, so that CI keeps a test's history: the class
//! name is the feature file's path relative to the features root (`client/errors.feature`),
//! the test name the scenario's (made unique within its file). A failure's type is its
//! strength (`MUST`, `SHOULD`); a scenario that does not apply is `<skipped>` with the reason,
//! and so is a failure the baseline accepts (`accepted by the baseline: REASON`), so that CI
//! stays green on it while report.md still counts it as a failure. A scenario that ended in an
//! error (a server error, no verdict) is an `<error>`, typed `server error (MUST)` (its
//! strength), its message the explanation with the server's answer: CI test views count
//! errors apart from failures, as report.md does.

use std::collections::HashMap;

use junit_report::{Duration, OffsetDateTime, Report, TestCase, TestSuite};

use super::model::{RunReport, ScenarioOutcome, Status, StepStatus};

/// The report as JUnit XML.
pub fn render(report: &RunReport) -> String {
    let started = i128::from(report.started_unix_ms) * 1_000_000;
    let timestamp =
        OffsetDateTime::from_unix_timestamp_nanos(started).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let mut suites: Vec<(String, TestSuite)> = Vec::new();
    let mut names: HashMap<(String, String), usize> = HashMap::new();
    for scenario in &report.scenarios {
        if suites.last().is_none_or(|(file, _)| *file != scenario.file) {
            let mut suite = TestSuite::new(&scenario.feature);
            suite.set_timestamp(timestamp);
            suites.push((scenario.file.clone(), suite));
        }
        let seen = names
            .entry((scenario.file.clone(), scenario.name.clone()))
            .or_default();
        *seen += 1;
        let name = match *seen {
            1 => scenario.name.clone(),
            n => format!("{} #{n}", scenario.name),
        };
        if let Some((_, suite)) = suites.last_mut() {
            suite.add_testcase(test_case(scenario, &name));
        }
    }
    let mut junit = Report::new();
    junit.add_testsuites(suites.into_iter().map(|(_, suite)| suite));
    let mut out = Vec::new();
    match junit.write_xml(&mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(e) => format!("<!-- junit.xml could not be written: {e} -->\n"),
    }
}

fn test_case(scenario: &ScenarioOutcome, name: &str) -> TestCase {
    let time = Duration::milliseconds(i64::try_from(scenario.duration_ms).unwrap_or(i64::MAX));
    let explanation = scenario.explanation.as_deref().unwrap_or_default();
    let mut case = match (scenario.status, &scenario.accepted) {
        (Status::Passed, _) => TestCase::success(name, time),
        (Status::Failed, Some(reason)) => TestCase::skipped_with_cause(
            name,
            scenario.strength.word(),
            &super::markdown::accepted_text(reason),
        ),
        (Status::Failed, None) => {
            TestCase::failure(name, time, scenario.strength.word(), explanation)
        }
        (Status::Skipped, _) => TestCase::skipped_with_cause(name, "not applicable", explanation),
        (Status::Error, _) => TestCase::error(
            name,
            time,
            &format!("server error ({})", scenario.strength.word()),
            explanation,
        ),
    };
    case.set_classname(&scenario.file);
    case.set_filepath(&scenario.file);
    if scenario.status.unpassed() {
        case.set_system_out(&steps_text(scenario));
    }
    case
}

/// The steps with their results, and the source, for a failure's output.
fn steps_text(scenario: &ScenarioOutcome) -> String {
    let mut out = format!(
        "{}:{} {} ({})\n",
        scenario.file,
        scenario.line,
        scenario.name,
        scenario.strength.word()
    );
    if !scenario.source.is_empty() {
        out.push_str(&format!("Source: {}\n", scenario.source));
    }
    for step in &scenario.steps {
        let mark = match step.status {
            StepStatus::Passed => "passed",
            StepStatus::Failed => "FAILED",
            StepStatus::Skipped => "skipped",
            StepStatus::Undefined => "UNDEFINED",
            StepStatus::Ambiguous => "AMBIGUOUS",
        };
        out.push_str(&format!(
            "  {mark:9} {}{} (line {})\n",
            step.keyword, step.text, step.line
        ));
        if let Some(error) = &step.error {
            out.push_str(&format!("            {error}\n"));
        }
    }
    out
}
