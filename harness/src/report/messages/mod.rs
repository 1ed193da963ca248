//! Cucumber Messages: the standard NDJSON stream of <https://github.com/cucumber/messages>, one
//! envelope per line, that Cucumber's own tooling reads (e.g. `@cucumber/html-formatter`, see
//! `scripts/cucumber-html/render.sh`).
//!
//! Written from the run model: the feature sources and their Gherkin ASTs, one pickle and one
//! test case per scenario, the step results, and on the failing step the explanation and the HTTP
//! exchanges as attachments. A scenario that does not apply is a test case whose steps are all
//! skipped, the reason attached to its first step. Ids are counters and times are the run's start
//! plus the scenarios' durations, so the same report always gives the same bytes.
//!
//! A scenario whose feature file is missing from the report (or whose line is not found in it) is
//! given a reconstructed source built from its outcome, so every reference in the stream resolves.
//!
//! The parts: `ast` parses each feature file and builds its `gherkinDocument`, finding where its
//! nodes are written with `positions`; `pickles` finds each outcome's scenario (or reconstructs a
//! source for it) and writes its pickle; `execution` writes the test cases' runs and evidence.

mod ast;
mod execution;
mod pickles;
mod positions;
#[cfg(test)]
mod tests;

use serde_json::{Value, json};

use super::model::RunReport;
use ast::Doc;
use execution::execute;
use pickles::{Case, PickleStep, Target, pickle, reconstruct, resolve};

/// The version of the Messages protocol written: the `@cucumber/messages` schema it follows.
pub const PROTOCOL_VERSION: &str = "34.2.1";

/// The media type of a Gherkin source.
const GHERKIN_MEDIA_TYPE: &str = "text/x.cucumber.gherkin+plain";

/// The run as Cucumber Messages: one JSON envelope per line, each line ending in `\n`.
pub fn render(report: &RunReport) -> String {
    let mut ids = Ids::default();
    let mut docs = Vec::new();
    let mut seen = Vec::new();
    for source in &report.features {
        if !seen.contains(&source.path.as_str()) {
            seen.push(source.path.as_str());
            docs.push(Doc::parse(&source.path, &source.text, &mut ids));
        }
    }
    let mut targets: Vec<Option<Target>> =
        report.scenarios.iter().map(|s| resolve(&docs, s)).collect();
    reconstruct(report, &mut docs, &mut targets, &mut ids);

    let mut out = Envelopes::default();
    out.push("meta", meta());
    let mut cases: Vec<Option<Case<'_>>> = (0..report.scenarios.len()).map(|_| None).collect();
    for (d, doc) in docs.iter().enumerate() {
        out.push(
            "source",
            json!({ "uri": doc.uri, "data": doc.text, "mediaType": GHERKIN_MEDIA_TYPE }),
        );
        match &doc.ast {
            Ok(ast) => out.push("gherkinDocument", ast.clone()),
            Err(message) => out.push(
                "parseError",
                json!({ "source": { "uri": doc.uri }, "message": message }),
            ),
        }
        for (i, scenario) in report.scenarios.iter().enumerate() {
            if let Some(target) = targets[i].filter(|t| t.doc == d) {
                let (pickle, case) = pickle(doc, target, scenario, &mut ids);
                out.push("pickle", pickle);
                cases[i] = Some(case);
            }
        }
    }

    let run_id = ids.next();
    let start_ns = report.started_unix_ms.saturating_mul(1_000_000);
    out.push(
        "testRunStarted",
        json!({ "id": run_id, "timestamp": timestamp(start_ns) }),
    );
    let cases: Vec<Case<'_>> = cases.into_iter().flatten().collect();
    let mut test_cases = Vec::new();
    for case in &cases {
        let steps: Vec<(String, &PickleStep)> =
            case.steps.iter().map(|step| (ids.next(), step)).collect();
        let id = ids.next();
        out.push(
            "testCase",
            json!({
                "id": id,
                "pickleId": case.pickle_id,
                "testRunStartedId": run_id,
                "testSteps": steps.iter().map(|(step_id, step)| json!({
                    "id": step_id,
                    "pickleStepId": step.id,
                    "stepDefinitionIds": [],
                    "stepMatchArgumentsLists": [],
                })).collect::<Vec<_>>(),
            }),
        );
        test_cases.push((id, steps.into_iter().map(|(id, _)| id).collect::<Vec<_>>()));
    }

    let mut now = start_ns;
    for (case, (case_id, step_ids)) in cases.iter().zip(&test_cases) {
        now = execute(&mut out, &mut ids, case, case_id, step_ids, now);
    }
    // The run's wall time: scenarios that ran side by side add up to more than it, so the last
    // test case may seem to end after the run; the run's duration is what readers look at.
    let finished = match report.duration_ms {
        0 => now,
        ms => start_ns.saturating_add(ms.saturating_mul(1_000_000)),
    };
    out.push(
        "testRunFinished",
        json!({
            "testRunStartedId": run_id,
            "success": report.passed(),
            "timestamp": timestamp(finished),
        }),
    );
    out.0
}

/// The output: one envelope per line.
#[derive(Default)]
struct Envelopes(String);

impl Envelopes {
    /// Appends `{ key: message }` as one line.
    fn push(&mut self, key: &str, message: Value) {
        let mut envelope = serde_json::Map::new();
        envelope.insert(key.to_owned(), message);
        // Serializing a `Value` cannot fail.
        self.0
            .push_str(&serde_json::to_string(&envelope).unwrap_or_default());
        self.0.push('\n');
    }
}

/// Deterministic ids: a counter shared by every kind of message.
#[derive(Default)]
struct Ids(u64);

impl Ids {
    fn next(&mut self) -> String {
        let id = self.0;
        self.0 += 1;
        id.to_string()
    }
}

/// The `meta` message.
fn meta() -> Value {
    json!({
        "protocolVersion": PROTOCOL_VERSION,
        "implementation": { "name": "gauntlet", "version": env!("CARGO_PKG_VERSION") },
        "runtime": { "name": "Rust" },
        "os": { "name": std::env::consts::OS },
        "cpu": { "name": std::env::consts::ARCH },
    })
}

/// A timestamp (or a duration) from nanoseconds.
fn timestamp(ns: u64) -> Value {
    json!({ "seconds": ns / 1_000_000_000, "nanos": ns % 1_000_000_000 })
}
