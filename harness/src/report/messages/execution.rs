//! The test cases' runs: each step's result and time, and on the step that carries the evidence
//! the explanation and the HTTP exchanges as attachments.

use std::fmt::Write as _;

use serde_json::json;

use super::pickles::Case;
use super::{Envelopes, Ids, timestamp};
use crate::report::markdown::message_text;
use crate::report::model::{Exchange, ScenarioOutcome, Status, StepStatus};

/// The exception type on the failed step of a scenario that ended in an error.
const SERVER_ERROR: &str = "gauntlet::ServerError";

/// The wire name of a step status.
fn status_name(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Passed => "PASSED",
        StepStatus::Failed => "FAILED",
        StepStatus::Skipped => "SKIPPED",
        StepStatus::Undefined => "UNDEFINED",
        StepStatus::Ambiguous => "AMBIGUOUS",
    }
}

/// One result per pickle step, and the step that carries the evidence. A scenario that did not
/// apply has only skipped steps, the reason on the first; a failed scenario none of whose steps
/// failed (a hook failed) has its first skipped step (or its last step) failed with the
/// explanation, so the test case reads as failed, as the report says.
fn results(case: &Case<'_>) -> (Vec<(StepStatus, Option<String>)>, Option<usize>) {
    let outcome = case.outcome;
    let mut results: Vec<(StepStatus, Option<String>)> = case
        .steps
        .iter()
        .map(|s| (s.status, s.error.clone()))
        .collect();
    let failing = |s: &StepStatus| {
        matches!(
            s,
            StepStatus::Failed | StepStatus::Undefined | StepStatus::Ambiguous
        )
    };
    let evidence = match outcome.status {
        Status::Skipped => {
            results.fill((StepStatus::Skipped, None));
            (!results.is_empty()).then_some(0)
        }
        Status::Passed => None,
        Status::Failed | Status::Error => {
            let at = results.iter().position(|(s, _)| failing(s)).or_else(|| {
                let at = results
                    .iter()
                    .position(|(s, _)| *s == StepStatus::Skipped)
                    .or(results.len().checked_sub(1))?;
                results[at].0 = StepStatus::Failed;
                Some(at)
            });
            if let Some(at) = at
                && results[at].1.is_none()
            {
                results[at].1.clone_from(&outcome.explanation);
            }
            at
        }
    };
    if outcome.status == Status::Skipped
        && let Some(first) = results.first_mut()
    {
        first.1 = Some(
            outcome
                .explanation
                .clone()
                .unwrap_or_else(|| "not applicable".to_owned()),
        );
    }
    (results, evidence)
}

/// A test case's run from `start` (ns since the epoch): its steps share the scenario's duration
/// (the steps that ran, evenly), the evidence attached to its step. Returns when it finished.
pub(super) fn execute(
    out: &mut Envelopes,
    ids: &mut Ids,
    case: &Case<'_>,
    case_id: &str,
    step_ids: &[String],
    start: u64,
) -> u64 {
    let outcome = case.outcome;
    let started_id = ids.next();
    out.push(
        "testCaseStarted",
        json!({
            "id": started_id,
            "testCaseId": case_id,
            "attempt": 0,
            "timestamp": timestamp(start),
        }),
    );
    let (results, evidence) = results(case);
    let total = outcome.duration_ms.saturating_mul(1_000_000);
    let ran = results
        .iter()
        .filter(|(s, _)| matches!(s, StepStatus::Passed | StepStatus::Failed))
        .count() as u64;
    let mut shared = 0;
    let mut now = start;
    for (i, ((status, message), step_id)) in results.iter().zip(step_ids).enumerate() {
        let duration = if matches!(status, StepStatus::Passed | StepStatus::Failed) {
            shared += 1;
            if shared == ran {
                total - (total / ran) * (ran - 1)
            } else {
                total / ran
            }
        } else {
            0
        };
        out.push(
            "testStepStarted",
            json!({ "testCaseStartedId": started_id, "testStepId": step_id, "timestamp": timestamp(now) }),
        );
        if evidence == Some(i) {
            for (media_type, file_name, body) in attachments(outcome) {
                out.push(
                    "attachment",
                    json!({
                        "testCaseStartedId": started_id,
                        "testStepId": step_id,
                        "body": body,
                        "contentEncoding": "IDENTITY",
                        "mediaType": media_type,
                        "fileName": file_name,
                        "timestamp": timestamp(now),
                    }),
                );
            }
        }
        now = now.saturating_add(duration);
        let mut result = json!({ "status": status_name(*status), "duration": timestamp(duration) });
        if let Some(message) = message {
            result["message"] = json!(message);
        }
        // Messages have no error status: an error is FAILED, told apart by its exception.
        if outcome.status == Status::Error && evidence == Some(i) {
            result["exception"] = json!({
                "type": SERVER_ERROR,
                "message": outcome.explanation.clone().unwrap_or_default(),
            });
        }
        out.push(
            "testStepFinished",
            json!({
                "testCaseStartedId": started_id,
                "testStepId": step_id,
                "testStepResult": result,
                "timestamp": timestamp(now),
            }),
        );
    }
    let finished = now.max(start.saturating_add(total));
    out.push(
        "testCaseFinished",
        json!({ "testCaseStartedId": started_id, "timestamp": timestamp(finished), "willBeRetried": false }),
    );
    finished
}

/// The attachments of a failed or not applicable scenario: (media type, file name, body).
fn attachments(outcome: &ScenarioOutcome) -> Vec<(&'static str, &'static str, String)> {
    let mut attachments = Vec::new();
    if let Some(explanation) = &outcome.explanation {
        let name = match outcome.status {
            Status::Skipped => "not-applicable.txt",
            _ => "what-went-wrong.txt",
        };
        attachments.push(("text/plain", name, explanation.clone()));
    }
    if !outcome.exchanges.is_empty() {
        attachments.push((
            "text/plain",
            "http-exchanges.txt",
            exchanges_text(&outcome.exchanges),
        ));
        let json = serde_json::to_string_pretty(&outcome.exchanges).unwrap_or_default();
        attachments.push(("application/json", "http-exchanges.json", json));
    }
    attachments
}

/// The exchanges as an HTTP-like transcript, numbered.
fn exchanges_text(exchanges: &[Exchange]) -> String {
    let mut out = String::new();
    for (i, ex) in exchanges.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{}. {} → {} (+{} ms)",
            i + 1,
            ex.from.label(),
            ex.to.label(),
            ex.at_ms
        );
        let _ = writeln!(out, "{} {}", ex.method, ex.url);
        push_block(&mut out, &ex.request_headers, ex.request_body.as_deref());
        match ex.status {
            Some(status) => {
                let _ = writeln!(out, "← {status}");
            }
            None => out.push_str("← no response\n"),
        }
        push_block(&mut out, &ex.response_headers, ex.response_body.as_deref());
        if let Some(note) = &ex.note {
            let _ = writeln!(out, "Note: {note}");
        }
    }
    out
}

/// Headers and body (cut) followed by a line break, when there are any.
fn push_block(out: &mut String, headers: &[(String, String)], body: Option<&str>) {
    let text = message_text(headers, body);
    if !text.is_empty() {
        out.push_str(&text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
}
