//! The cucumber run shared by every direction: `prepare` reads and parses the features and
//! refuses a run that would test nothing before anything starts; `Prepared::run` runs the
//! selected, applicable scenarios, records each one's steps and evidence, and returns the
//! run's report.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::{gherkin, parser};
use futures::stream;

use super::SuiteOptions;
use super::features::FeatureSet;
use super::recorder::Recorder;
use super::selection::{self, Inapplicable, Place};
use crate::report::{Exchange, RootCause, RunReport, ScenarioOutcome, Shard, Status};

/// The evidence the after-hook collects, by place.
pub type Outcomes = Mutex<Vec<(Place, Evidence)>>;

/// What the after-hook keeps of a finished scenario.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Its HTTP exchanges, in time order.
    pub exchanges: Vec<Exchange>,
    /// The first thing that went wrong in its flows, if the world can tell.
    pub root_cause: Option<RootCause>,
}

/// A scenario world the runner can record: its evidence, and where its run collects it.
pub trait Recorded: cucumber::World + std::fmt::Debug + cucumber::codegen::WorldInventory {
    /// The scenario's HTTP exchanges, in time order.
    fn exchanges(&self) -> Vec<Exchange>;
    /// The first thing that went wrong in the scenario's flows (`knock_on` left `false`: the
    /// runner decides it), or `None` when nothing was seen to go wrong.
    fn root_cause(&self) -> Option<RootCause> {
        None
    }
    /// The run's evidence collection.
    fn outcomes(&self) -> &Outcomes;
    /// The one rule that tells an error from a failure. Called by the recorder on the world as
    /// it was when a step failed: `Some(the answer, in words)` when the answer that step
    /// judged — the scenario's last exchange with the server under test — was a server error
    /// (5xx) or no answer at all (a dropped connection, a timeout), which makes the scenario an
    /// error ([`Status::Error`]) instead of a failure; `None` otherwise. The default is `None`:
    /// the client direction judges a platform, and its mock provider answers 5xx on purpose in
    /// some scenarios, so there a 5xx is part of the test, never an error. (Cucumber hands
    /// the failed step's world over once the after-hook has run; that hook only reads it.)
    fn server_error(&self) -> Option<String> {
        None
    }
    /// Why the failed step could not judge its rule, when the cause is a limit of Gauntlet's
    /// and not the system under test (e.g. a document on a host the mock never fetches from):
    /// the scenario is then an error ([`Status::Error`]), not a failure. `None` by default.
    fn not_judged(&self) -> Option<String> {
        None
    }
}

/// A run's feature files, parsed and checked, before anything is started.
#[derive(Debug)]
pub(crate) struct Prepared {
    set: FeatureSet,
    features: Vec<gherkin::Feature>,
    tags: Option<(String, TagOperation)>,
    started: Instant,
    started_unix_ms: u64,
}

/// Reads and parses the options' features (or `bundle` under `folder`), and refuses a run that
/// would test nothing — before any platform or server is started.
pub(crate) fn prepare<T>(
    options: &SuiteOptions<T>,
    folder: &str,
    bundle: &[(&str, &str)],
) -> anyhow::Result<Prepared> {
    let started = Instant::now();
    let started_unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default();
    let set = match &options.features {
        Some(dir) => FeatureSet::from_dir(dir)?,
        None => FeatureSet::bundled(folder, bundle),
    };
    let mut features = set.parse()?;
    super::features::waits_first(&mut features);
    let tags = match &options.tags {
        Some(text) => Some((
            text.clone(),
            text.parse::<TagOperation>()
                .map_err(|e| anyhow::anyhow!("--tags {text:?} is not a tag expression: {e}"))?,
        )),
        None => None,
    };
    let prepared = Prepared {
        set,
        features,
        tags,
        started,
        started_unix_ms,
    };
    prepared.select(&[], options.shard)?;
    std::fs::create_dir_all(&options.report_dir).with_context(|| {
        format!(
            "cannot create the report directory {}",
            options.report_dir.display()
        )
    })?;
    Ok(prepared)
}

impl Prepared {
    /// Every scenario of the features (outlines expanded), as (feature file, name): what a
    /// baseline entry may name.
    pub(crate) fn scenario_names(&self) -> Vec<(String, String)> {
        scenario_names(&self.features)
    }

    fn select(
        &self,
        inapplicable: &[Inapplicable],
        shard: Option<Shard>,
    ) -> anyhow::Result<selection::Selection> {
        let tags = self.tags.as_ref().map(|(text, op)| (text.as_str(), op));
        Ok(selection::select(
            &self.features,
            tags,
            inapplicable,
            shard,
        )?)
    }

    /// Runs the selected, applicable scenarios with cucumber and returns the run's report
    /// (target and direction left for the caller to fill in). Scenarios with an inapplicable
    /// tag are not run and are reported as not applicable with the reason.
    pub(crate) async fn run<W: Recorded, T>(
        self,
        options: &SuiteOptions<T>,
        inapplicable: &[Inapplicable],
        evidence: &Outcomes,
    ) -> anyhow::Result<RunReport> {
        let selection = self.select(inapplicable, options.shard)?;
        let runnable = Arc::new(selection.runnable);
        let filter = {
            let runnable = runnable.clone();
            move |feature: &gherkin::Feature,
                  _: Option<&gherkin::Rule>,
                  scenario: &gherkin::Scenario| {
                runnable.contains(&selection::place(feature, scenario))
            }
        };
        let recorder = super::panic_hook::scope(
            W::cucumber::<PathBuf>()
                .with_parser(Preparsed)
                .max_concurrent_scenarios(options.concurrency.max(1))
                .with_writer(Recorder::new(options.progress))
                .before(|_, _, _, _| {
                    // Cucumber silenced the panic hook when its run started: put ours back.
                    super::panic_hook::install();
                    Box::pin(std::future::ready(()))
                })
                .after(|feature, _rule, scenario, _finished, world| {
                    if let Some(world) = world.as_deref() {
                        record::<W>(feature, scenario, world);
                    }
                    Box::pin(std::future::ready(()))
                })
                .with_cli(cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty>::default())
                .filter_run(self.features, filter),
        )
        .await;
        if let Some(error) = recorder.errors.first() {
            anyhow::bail!("the features could not be run: {error}");
        }
        let mut recorded = recorder.into_outcomes();
        let mut evidence: HashMap<Place, Evidence> =
            std::mem::take(&mut *evidence.lock().unwrap_or_else(|e| e.into_inner()))
                .into_iter()
                .collect();
        let mut scenarios = selection.not_applicable;
        for place in runnable.iter() {
            let mut outcome = recorded
                .remove(place)
                .unwrap_or_else(|| never_ran(place.clone()));
            let kept = evidence.remove(place).unwrap_or_default();
            outcome.exchanges = kept.exchanges;
            // An error is no verdict on a rule: it has no root cause to attach.
            if outcome.status == Status::Failed {
                attach_root_cause(&mut outcome, kept.root_cause);
            }
            scenarios.push(outcome);
        }
        scenarios.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        let files: std::collections::HashSet<&str> =
            scenarios.iter().map(|s| s.file.as_str()).collect();
        let features = self
            .set
            .files
            .into_iter()
            .filter(|f| files.contains(f.path.as_str()))
            .collect();
        Ok(RunReport {
            target: String::new(),
            direction: String::new(),
            started_unix_ms: self.started_unix_ms,
            duration_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            gate: options.gate,
            shard: options.shard,
            features,
            scenarios,
            baseline: None,
            preflight: None,
        })
    }
}

/// Every scenario of `features` (outlines expanded), as (feature file, name).
pub(crate) fn scenario_names(features: &[gherkin::Feature]) -> Vec<(String, String)> {
    let mut names = Vec::new();
    for feature in features {
        let rules = feature.rules.iter().flat_map(|r| &r.scenarios);
        for scenario in feature.scenarios.iter().chain(rules) {
            names.push((selection::place(feature, scenario).0, scenario.name.clone()));
        }
    }
    names
}

/// A selected scenario cucumber never reported: a failure, never a silent pass.
fn never_ran((file, line): Place) -> ScenarioOutcome {
    ScenarioOutcome {
        file,
        line,
        feature: String::new(),
        name: format!("the scenario at line {line}"),
        tags: Vec::new(),
        source: String::new(),
        strength: crate::report::Strength::Must,
        status: Status::Failed,
        explanation: Some("the scenario was selected but never ran".into()),
        steps: Vec::new(),
        duration_ms: 0,
        exchanges: Vec::new(),
        accepted: None,
        root_cause: None,
    }
}

/// The after-hook: keeps a finished scenario's evidence.
fn record<W: Recorded>(feature: &gherkin::Feature, scenario: &gherkin::Scenario, world: &W) {
    let evidence = Evidence {
        exchanges: world.exchanges(),
        root_cause: world.root_cause(),
    };
    world
        .outcomes()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((selection::place(feature, scenario), evidence));
}

/// Gives a failed scenario its root cause. A scenario outside the rule's own feature failed on
/// something that followed from it: it is marked a knock-on failure, and its explanation
/// leads with the cause (unless it names the cause already).
fn attach_root_cause(outcome: &mut ScenarioOutcome, cause: Option<RootCause>) {
    let Some(mut cause) = cause else {
        return;
    };
    let file = outcome.file.rsplit('/').next().unwrap_or(&outcome.file);
    cause.knock_on = file != cause.home;
    // An explanation that names the cause already (the provider's finding) is not led by it.
    let named = outcome
        .explanation
        .as_deref()
        .is_some_and(|e| e.contains(&format!("({})", cause.code)));
    if cause.knock_on && !named {
        let then = outcome.explanation.take().unwrap_or_default();
        outcome.explanation = Some(format!(
            "root cause (the first thing that went wrong in this flow): {} ({}). This \
             scenario then failed because {then}",
            crate::report::root_causes::lower_first(cause.text.trim().trim_end_matches('.')),
            cause.code
        ));
    }
    outcome.root_cause = Some(cause);
}

/// Hands cucumber the features [`prepare`] parsed.
#[derive(Debug, Clone, Copy)]
struct Preparsed;

impl cucumber::Parser<Vec<gherkin::Feature>> for Preparsed {
    type Cli = cucumber::cli::Empty;
    type Output = stream::Iter<std::vec::IntoIter<parser::Result<gherkin::Feature>>>;

    fn parse(self, features: Vec<gherkin::Feature>, _: Self::Cli) -> Self::Output {
        stream::iter(features.into_iter().map(Ok).collect::<Vec<_>>())
    }
}
