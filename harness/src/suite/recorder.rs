//! The cucumber writer of a run: it records every scenario's steps as they finish (passed,
//! failed, undefined, ambiguous) and prints one progress line per finished scenario. Gauntlet's
//! report files are all rendered later from what it recorded, so that they always agree.
//!
//! A failed step makes its scenario failed, or — when the world, as it was when the step
//! failed, says that the answer the step judged was a server error or no answer at all
//! ([`Recorded::server_error`], the provider direction only) — an error: the one place where
//! errors are told from failures.

use std::collections::HashMap;
use std::io::Write as _;
use std::time::Instant;

use cucumber::event::{self, Cucumber, HookType, StepError};
use cucumber::{Event, Writer, gherkin, parser, writer};

use super::body;
use super::engine::Recorded;
use super::selection::{Place, place, unrun};
use super::tls;
use crate::report::{Exchange, ScenarioOutcome, Status, StepStatus};

/// What one scenario did.
#[derive(Debug)]
struct Record {
    outcome: ScenarioOutcome,
    started: Instant,
    /// Whether `Scenario::Finished` arrived.
    finished: bool,
}

/// Records scenarios and prints progress.
#[derive(Debug)]
pub struct Recorder {
    records: HashMap<Place, Record>,
    progress: bool,
    /// Errors the runner reported outside any scenario (a feature that failed to parse).
    pub errors: Vec<String>,
}

impl Recorder {
    /// A recorder; `progress` prints a line per finished scenario on stdout.
    pub fn new(progress: bool) -> Self {
        Self {
            records: HashMap::new(),
            progress,
            errors: Vec::new(),
        }
    }

    /// The recorded outcomes, keyed by place. A scenario that started but never finished is
    /// failed with that said.
    pub fn into_outcomes(self) -> HashMap<Place, ScenarioOutcome> {
        self.records
            .into_iter()
            .map(|(place, mut record)| {
                if !record.finished {
                    fail(
                        &mut record.outcome,
                        "the scenario did not finish (the run was interrupted)".into(),
                    );
                }
                (place, record.outcome)
            })
            .collect()
    }

    fn scenario_event<W: Recorded>(
        &mut self,
        feature: &gherkin::Feature,
        scenario: &gherkin::Scenario,
        event: event::Scenario<W>,
    ) {
        let place = place(feature, scenario);
        match event {
            event::Scenario::Started => {
                self.records.insert(
                    place,
                    Record {
                        outcome: outcome(feature, scenario),
                        started: Instant::now(),
                        finished: false,
                    },
                );
            }
            event::Scenario::Background(step, ev) | event::Scenario::Step(step, ev) => {
                if let Some(record) = self.records.get_mut(&place) {
                    step_event(&mut record.outcome, &step, ev);
                }
            }
            event::Scenario::Hook(which, event::Hook::Failed(_, info)) => {
                if let Some(record) = self.records.get_mut(&place) {
                    let what = match which {
                        HookType::Before => "set up",
                        HookType::After => "recorded",
                    };
                    let why = panic_text(&info).unwrap_or_default();
                    fail(
                        &mut record.outcome,
                        format!("the scenario could not be {what}: {why}"),
                    );
                }
            }
            event::Scenario::Finished => {
                if let Some(record) = self.records.get_mut(&place) {
                    record.finished = true;
                    record.outcome.duration_ms =
                        u64::try_from(record.started.elapsed().as_millis()).unwrap_or(u64::MAX);
                    if self.progress {
                        print_progress(&record.outcome);
                    }
                }
            }
            event::Scenario::Hook(..) | event::Scenario::Log(_) => {}
        }
    }
}

impl<W: Recorded + 'static> Writer<W> for Recorder {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<W>>>, _cli: &Self::Cli) {
        let event = match event {
            Ok(event) => event.value,
            Err(error) => {
                self.errors.push(error.to_string());
                return;
            }
        };
        if let Cucumber::Feature(
            feature,
            event::Feature::Scenario(scenario, ev)
            | event::Feature::Rule(_, event::Rule::Scenario(scenario, ev)),
        ) = event
        {
            self.scenario_event(&feature, &scenario, ev.event);
        }
    }
}

impl writer::Normalized for Recorder {}

/// A scenario that has just started: every step still to run.
fn outcome(feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> ScenarioOutcome {
    let tags: Vec<String> = feature.tags.iter().chain(&scenario.tags).cloned().collect();
    ScenarioOutcome {
        status: Status::Passed,
        ..unrun(place(feature, scenario), feature, scenario, tags)
    }
}

/// Applies a step event to its scenario's outcome.
fn step_event<W: Recorded>(
    outcome: &mut ScenarioOutcome,
    step: &gherkin::Step,
    event: event::Step<W>,
) {
    let Some(recorded) = outcome
        .steps
        .iter_mut()
        .find(|s| s.line == step.position.line && s.status == StepStatus::Skipped)
    else {
        return;
    };
    let text = format!("{}{}", step.keyword, step.value);
    let why = match event {
        event::Step::Started => return,
        event::Step::Passed(..) => {
            recorded.status = StepStatus::Passed;
            return;
        }
        event::Step::Skipped => {
            recorded.status = StepStatus::Undefined;
            format!(
                "the step \"{}\" matches no step definition of this Gauntlet (a typo, or a \
                 step from another suite?)",
                text.trim()
            )
        }
        event::Step::Failed(_, _, _, StepError::NotFound) => {
            recorded.status = StepStatus::Undefined;
            format!(
                "the step \"{}\" matches no step definition of this Gauntlet",
                text.trim()
            )
        }
        event::Step::Failed(_, _, _, StepError::AmbiguousMatch(e)) => {
            recorded.status = StepStatus::Ambiguous;
            format!(
                "the step \"{}\" matches several step definitions: {e}",
                text.trim()
            )
        }
        event::Step::Failed(_, _, world, StepError::Panic(info)) => {
            recorded.status = StepStatus::Failed;
            if let Some(reason) = world.as_deref().and_then(Recorded::not_judged) {
                recorded.error = Some(reason.clone());
                outcome.status = Status::Error;
                outcome.explanation = Some(reason);
                return;
            }
            let why = panic_text(&info).unwrap_or_else(|| "the step failed".into());
            let why = match world.as_deref() {
                Some(world) => with_cut_body(why, &world.exchanges()),
                None => why,
            };
            if let Some(answer) = world.as_deref().and_then(Recorded::server_error) {
                // The step's own error says it too, for the reports that show steps only.
                let explanation = error_explanation(&answer, &why);
                recorded.error = Some(explanation.clone());
                outcome.status = Status::Error;
                outcome.explanation = Some(explanation);
                return;
            }
            why
        }
    };
    recorded.error = Some(why.clone());
    fail(outcome, why);
}

/// Marks the scenario failed with its first explanation (an error stays an error).
fn fail(outcome: &mut ScenarioOutcome, why: String) {
    if outcome.status != Status::Error {
        outcome.status = Status::Failed;
    }
    if outcome.explanation.is_none() {
        outcome.explanation = Some(why);
    }
}

/// `why`, followed by the note of the scenario's last exchange when Gauntlet cut that answer's
/// body at the cap (the step judged a part of the answer), unless `why` says it already.
fn with_cut_body(why: String, exchanges: &[Exchange]) -> String {
    match exchanges.last().and_then(|e| e.note.as_deref()) {
        Some(note) if body::is_cut_note(note) && !why.contains(note) => format!("{why} ({note})"),
        _ => why,
    }
}

/// The explanation of an error: the server's answer, why it is not a verdict and what to do,
/// then what the failed step said.
fn error_explanation(answer: &str, why: &str) -> String {
    if tls::mentions_problem(answer) || tls::mentions_problem(why) {
        return format!(
            "{answer}: TLS failed, so the rule was not judged; trust the server's CA or fix its \
             certificate. The step failed on it: {why}"
        );
    }
    format!(
        "{answer}: a server error, not a verdict on the rule; if the server is fragile under \
         load, lower --concurrency (e.g. --concurrency 1). The step failed on it: {why}"
    )
}

/// The message of a panic payload.
fn panic_text(info: &event::Info) -> Option<String> {
    info.downcast_ref::<String>()
        .cloned()
        .or_else(|| info.downcast_ref::<&str>().map(|s| (*s).to_owned()))
}

/// One line per finished scenario: mark, place, name (and the explanation's first line).
fn print_progress(outcome: &ScenarioOutcome) {
    let mark = match outcome.status {
        Status::Passed => "pass",
        Status::Failed => "FAIL",
        Status::Skipped => "n/a ",
        Status::Error => "ERR ",
    };
    let mut line = format!(
        "  {mark} {}:{} {}",
        outcome.file, outcome.line, outcome.name
    );
    if let Some(why) = outcome
        .explanation
        .as_deref()
        .and_then(|w| w.lines().next())
    {
        line.push_str(" — ");
        line.push_str(why);
    }
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Party;

    #[test]
    fn an_error_on_tls_is_not_blamed_on_load() {
        let tls = "no answer to GET https://as.test/authorize (the TLS certificate of as.test:443 \
                   was refused: it is signed by a CA this run does not trust; …)";
        let explained = error_explanation(tls, "no answer");
        assert!(explained.contains("TLS failed"), "{explained}");
        assert!(!explained.contains("--concurrency"), "{explained}");
        let busy = error_explanation("the server answered 500 to POST https://as.test/token", "x");
        assert!(busy.contains("--concurrency"), "{busy}");
    }

    fn answered(note: Option<String>) -> Exchange {
        Exchange {
            at_ms: 0,
            at_us: 0,
            from: Party::Client,
            by: None,
            to: Party::Provider,
            method: "POST".into(),
            url: "http://as.test/token".into(),
            request_headers: Vec::new(),
            request_body: None,
            status: Some(200),
            response_headers: Vec::new(),
            response_body: Some("{\"access_token\":".into()),
            note,
        }
    }

    #[test]
    fn a_failure_on_a_cut_answer_says_the_body_was_cut() {
        let cut = body::cut_note(body::DEFAULT_MAX_BODY_BYTES);
        let why = with_cut_body("the answer is not JSON".into(), &[answered(Some(cut))]);
        assert!(
            why.starts_with("the answer is not JSON (the answer's body was cut at 1 MiB"),
            "{why}"
        );
        assert_eq!(
            with_cut_body(why.clone(), &[answered(Some(body::cut_note(1 << 20)))]),
            why
        );
        let whole = with_cut_body("the answer is not JSON".into(), &[answered(None)]);
        assert_eq!(whole, "the answer is not JSON");
        let earlier = [answered(Some(body::cut_note(1 << 20))), answered(None)];
        assert_eq!(with_cut_body("x".into(), &earlier), "x");
    }
}
