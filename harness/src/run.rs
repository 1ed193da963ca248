//! One conformance run: start the mock and the platform, run the client features with cucumber
//! (progress on stdout, JUnit and cucumber JSON in the report directory), collect each
//! scenario's outcome with its evidence, and write the human reports.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context as _;
use cucumber::event::ScenarioFinished;
use cucumber::tag::Ext as _;
use cucumber::writer::Stats as _;
use cucumber::{WriterExt as _, gherkin, writer};

use crate::context::{self, RunContext};
use crate::features;
use crate::profile::{PlatformProfile, ShapeKind};
use crate::report::{self, Exchange, RunReport, ScenarioOutcome, Status, Strength};
use crate::world::GauntletWorld;

/// Which failures make the run fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Gate {
    /// Any failed `@must` scenario.
    Must,
    /// Any failed `@must` or `@should` scenario.
    Should,
    /// Never (report only).
    None,
}

/// What to run and where to report: `T` is what is tested, a [`PlatformProfile`]
/// ([`RunOptions`]) or a provider target ([`crate::provider::run::ProviderOptions`]).
#[derive(Debug, Clone)]
pub struct SuiteOptions<T> {
    /// What is tested.
    pub target: T,
    /// A cucumber tag expression, e.g. `@must and not @kore`.
    pub tags: Option<String>,
    /// Where reports go.
    pub report_dir: PathBuf,
    /// Scenarios run at once.
    pub concurrency: usize,
    /// Which failures fail the run.
    pub gate: Gate,
    /// Keep secrets in clear in the reports.
    pub reveal_secrets: bool,
    /// Feature files to run instead of the bundled ones.
    pub features: Option<PathBuf>,
    /// Print cucumber's progress on stdout.
    pub progress: bool,
}

/// The options of `gauntlet run`: a platform under test.
pub type RunOptions = SuiteOptions<PlatformProfile>;

impl<T> SuiteOptions<T> {
    /// What cucumber runs: the options' feature folder, or `bundle` written out.
    pub(crate) fn feature_run(&self, bundle: &[(&str, &str)]) -> anyhow::Result<FeatureRun<'_>> {
        let features = match &self.features {
            Some(path) => path.clone(),
            None => {
                features::materialize(bundle).context("cannot write the bundled feature files")?
            }
        };
        Ok(FeatureRun {
            report_dir: &self.report_dir,
            features,
            tags: self.tags.clone(),
            concurrency: self.concurrency,
            progress: self.progress,
        })
    }

    /// The defaults of the command line for this target and report directory: every scenario,
    /// concurrency 8, the `@must` gate, secrets redacted, bundled features, no progress output.
    pub fn new(target: T, report_dir: PathBuf) -> Self {
        Self {
            target,
            tags: None,
            report_dir,
            concurrency: 8,
            gate: Gate::Must,
            reveal_secrets: false,
            features: None,
            progress: false,
        }
    }
}

/// The result of a run.
#[derive(Debug)]
pub struct RunResult {
    /// Everything the reports say.
    pub report: RunReport,
    /// Whether the gate passed.
    pub passed: bool,
    /// Feature files that did not parse.
    pub parsing_errors: usize,
}

/// Runs the client features against the platform the options describe.
pub async fn run(options: RunOptions) -> anyhow::Result<RunResult> {
    std::fs::create_dir_all(&options.report_dir).with_context(|| {
        format!(
            "cannot create the report directory {}",
            options.report_dir.display()
        )
    })?;
    let target = options.target.name.clone();
    let ctx = Arc::new(
        RunContext::start(
            options.target.clone(),
            options.reveal_secrets,
            &options.report_dir.join("platform.log"),
        )
        .await?,
    );
    let inapplicable = shape_tags(&options.target);
    let result = context::scope(
        ctx.clone(),
        run_applicable::<GauntletWorld>(
            options.feature_run(features::CLIENT)?,
            &inapplicable,
            &ctx.outcomes,
        ),
    )
    .await;
    let (duration_ms, parsing_errors) = result?;
    let report = RunReport {
        target,
        direction: "client".into(),
        duration_ms,
        scenarios: take_outcomes(&ctx.outcomes),
    };
    finish(report, parsing_errors, &options.report_dir, options.gate)
}

/// The shape tags that do not apply to a platform: every other shape's, and `@ocs` unless the
/// mock plays OpenChatStudio.
pub fn shape_tags(profile: &PlatformProfile) -> Vec<Inapplicable> {
    let mut tags: Vec<Inapplicable> = ShapeKind::ALL
        .iter()
        .filter(|s| **s != profile.shape && **s != ShapeKind::Web)
        .map(|s| Inapplicable {
            tag: s.name().into(),
            reason: format!("the platform's shape is {}", profile.shape.name()),
        })
        .collect();
    if profile.provider.profile.as_deref() == Some("openchatstudio") {
        tags.push(Inapplicable {
            tag: "iss".into(),
            reason: "the mock plays OpenChatStudio, which neither sends nor promises iss".into(),
        });
    } else {
        tags.push(Inapplicable {
            tag: "ocs".into(),
            reason: "the mock provider does not play OpenChatStudio here".into(),
        });
    }
    tags
}

/// Writes the human reports and applies the gate.
pub(crate) fn finish(
    report: RunReport,
    parsing_errors: usize,
    report_dir: &Path,
    gate: Gate,
) -> anyhow::Result<RunResult> {
    write_reports(&report, report_dir)?;
    let passed = parsing_errors == 0 && gate_passes(&report, gate);
    Ok(RunResult {
        report,
        passed,
        parsing_errors,
    })
}

/// Scenario outcomes collected by the after-hook, in feature-file order.
pub type Outcomes = Mutex<Vec<(ScenarioPlace, ScenarioOutcome)>>;

/// Where a scenario stands: feature file and line (and example row), for feature-file order.
pub type ScenarioPlace = (String, usize, usize);

/// Empties `outcomes` into feature-file order.
pub(crate) fn take_outcomes(outcomes: &Outcomes) -> Vec<ScenarioOutcome> {
    let mut taken = std::mem::take(&mut *outcomes.lock().unwrap_or_else(|e| e.into_inner()));
    taken.sort_by(|a, b| a.0.cmp(&b.0));
    taken.into_iter().map(|(_, outcome)| outcome).collect()
}

/// A scenario world the runner can record: its evidence, and where its run collects outcomes.
pub trait Recorded: cucumber::World + std::fmt::Debug + cucumber::codegen::WorldInventory {
    /// The scenario's HTTP exchanges, in time order.
    fn exchanges(&self) -> Vec<Exchange>;
    /// The run's outcome collection.
    fn outcomes(&self) -> &Outcomes;
}

/// A scenario tag that does not apply to what is tested, and why (e.g. `revocation`: "no
/// revocation endpoint", or `kore` for a CSML platform).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inapplicable {
    /// The tag, without `@`.
    pub tag: String,
    /// Why scenarios with it do not apply.
    pub reason: String,
}

/// Runs the features, leaving out scenarios with an inapplicable tag and recording them in
/// `outcomes` as not applicable, with the reason.
pub(crate) async fn run_applicable<W: Recorded>(
    run: FeatureRun<'_>,
    inapplicable: &[Inapplicable],
    outcomes: &Outcomes,
) -> anyhow::Result<(u64, usize)> {
    let user: Option<gherkin::tagexpr::TagOperation> = match &run.tags {
        Some(tags) => Some(
            tags.parse()
                .map_err(|e| anyhow::anyhow!("--tags {tags:?} is not a tag expression: {e}"))?,
        ),
        None => None,
    };
    let features = run.features.clone();
    let run = FeatureRun {
        tags: applicable_filter(run.tags.as_deref(), inapplicable),
        ..run
    };
    let result = run_features::<W>(run).await?;
    outcomes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(not_applicable(&features, inapplicable, user.as_ref()));
    Ok(result)
}

/// The user's tag expression with every inapplicable tag left out.
fn applicable_filter(user: Option<&str>, inapplicable: &[Inapplicable]) -> Option<String> {
    let mut parts: Vec<String> = user.map(|u| format!("({u})")).into_iter().collect();
    parts.extend(inapplicable.iter().map(|f| format!("not @{}", f.tag)));
    (!parts.is_empty()).then(|| parts.join(" and "))
}

/// Outcomes for the scenarios left out (those the user's filter would have run), with their
/// places in the feature files.
fn not_applicable(
    dir: &Path,
    inapplicable: &[Inapplicable],
    user: Option<&gherkin::tagexpr::TagOperation>,
) -> Vec<(ScenarioPlace, ScenarioOutcome)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "feature"));
    files.sort();
    let mut outcomes = Vec::new();
    for file in files {
        let Ok(feature) = gherkin::Feature::parse_path(&file, gherkin::GherkinEnv::default())
        else {
            continue;
        };
        for scenario in &feature.scenarios {
            let tags: Vec<String> = feature.tags.iter().chain(&scenario.tags).cloned().collect();
            let Some(lacking) = inapplicable.iter().find(|f| tags.contains(&f.tag)) else {
                continue;
            };
            if user.is_some_and(|u| !u.eval(tags.iter())) {
                continue;
            }
            let place = (
                file.display().to_string(),
                scenario.position.line,
                scenario.position.col,
            );
            outcomes.push((
                place,
                ScenarioOutcome {
                    feature: feature.name.clone(),
                    name: scenario.name.clone(),
                    strength: Strength::of(&tags),
                    source: source_line(scenario.description.as_deref()),
                    tags,
                    status: Status::Skipped,
                    explanation: Some(format!("not applicable: {}", lacking.reason)),
                    exchanges: Vec::new(),
                },
            ));
        }
    }
    outcomes
}

/// What cucumber is to run.
pub(crate) struct FeatureRun<'a> {
    pub(crate) report_dir: &'a Path,
    pub(crate) features: PathBuf,
    pub(crate) tags: Option<String>,
    pub(crate) concurrency: usize,
    pub(crate) progress: bool,
}

/// Runs the feature files with cucumber: progress, JUnit and cucumber JSON as it goes, each
/// finished scenario recorded through [`Recorded`]. Returns the wall time and how many feature
/// files did not parse.
pub(crate) async fn run_features<W: Recorded>(run: FeatureRun<'_>) -> anyhow::Result<(u64, usize)> {
    let dir = run.report_dir;
    let junit = std::fs::File::create(dir.join("junit.xml")).context("cannot write junit.xml")?;
    let json =
        std::fs::File::create(dir.join("cucumber.json")).context("cannot write cucumber.json")?;
    let mut cli = cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty>::default();
    if let Some(tags) = &run.tags {
        cli.tags_filter = Some(
            tags.parse()
                .map_err(|e| anyhow::anyhow!("--tags {tags:?} is not a tag expression: {e}"))?,
        );
    }
    let output: Box<dyn io::Write> = if run.progress {
        Box::new(io::stdout())
    } else {
        Box::new(io::sink())
    };
    let started = Instant::now();
    let writer = W::cucumber()
        .max_concurrent_scenarios(run.concurrency.max(1))
        .with_writer(
            writer::Basic::raw(output, writer::Coloring::Auto, 0)
                .summarized()
                .tee::<W, _>(writer::JUnit::for_tee(junit, 0))
                .tee::<W, _>(writer::Json::for_tee(json))
                .normalized(),
        )
        .fail_on_skipped()
        .after(|feature, _rule, scenario, finished, world| {
            record(feature, scenario, finished, world.as_deref());
            Box::pin(std::future::ready(()))
        })
        .with_cli(cli)
        .run(run.features)
        .await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok((duration_ms, writer.parsing_errors()))
}

/// The after-hook: turns a finished scenario into an outcome with its evidence.
fn record<W: Recorded>(
    feature: &gherkin::Feature,
    scenario: &gherkin::Scenario,
    finished: &ScenarioFinished,
    world: Option<&W>,
) {
    let tags: Vec<String> = feature.tags.iter().chain(&scenario.tags).cloned().collect();
    let strength = Strength::of(&tags);
    let source = source_line(scenario.description.as_deref());
    let (status, explanation) = match finished {
        ScenarioFinished::StepPassed => (Status::Passed, None),
        // Skipped steps fail the run (fail_on_skipped): a step the harness does not know.
        ScenarioFinished::StepSkipped => (
            Status::Failed,
            Some("a step has no definition in this Gauntlet".to_owned()),
        ),
        ScenarioFinished::BeforeHookFailed(_) => (
            Status::Failed,
            Some("the scenario could not be set up".to_owned()),
        ),
        ScenarioFinished::StepFailed(_, _, error) => (Status::Failed, Some(explain(error))),
    };
    let Some(world) = world else { return };
    let outcome = ScenarioOutcome {
        feature: feature.name.clone(),
        name: scenario.name.clone(),
        tags,
        source,
        strength,
        status,
        explanation,
        exchanges: world.exchanges(),
    };
    let file = feature
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let place = (file, scenario.position.line, scenario.position.col);
    world
        .outcomes()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((place, outcome));
}

/// The `Source:` line of a scenario's description, without the label.
pub(crate) fn source_line(description: Option<&str>) -> String {
    description
        .and_then(|d| {
            d.lines()
                .map(str::trim)
                .find_map(|l| l.strip_prefix("Source:"))
        })
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

fn explain(error: &cucumber::event::StepError) -> String {
    match error {
        cucumber::event::StepError::Panic(info) => info
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "the step failed".into()),
        other => other.to_string(),
    }
}

/// Whether the report passes the gate.
pub fn gate_passes(report: &RunReport, gate: Gate) -> bool {
    let worst = match gate {
        Gate::Must => Strength::Must,
        Gate::Should => Strength::Should,
        Gate::None => return true,
    };
    !report
        .scenarios
        .iter()
        .any(|s| s.status == Status::Failed && s.strength <= worst)
}

fn write_reports(report: &RunReport, dir: &Path) -> anyhow::Result<()> {
    let write = |name: &str, text: String| {
        std::fs::write(dir.join(name), text)
            .with_context(|| format!("cannot write {}", dir.join(name).display()))
    };
    write("report.md", report::markdown::render(report))?;
    write("index.html", report::html::render(report))?;
    write("report.json", serde_json::to_string_pretty(report)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inapplicable(tag: &str, reason: &str) -> Inapplicable {
        Inapplicable {
            tag: tag.into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn inapplicable_tags_are_filtered_out_after_the_users_expression() {
        let missing = [
            inapplicable("revocation", "x"),
            inapplicable("resource", "y"),
        ];
        assert_eq!(
            applicable_filter(Some("@must or @should"), &missing).as_deref(),
            Some("(@must or @should) and not @revocation and not @resource")
        );
        assert_eq!(applicable_filter(None, &[]), None);
    }

    #[test]
    fn inapplicable_scenarios_are_reported_as_skipped_with_the_reason() {
        let dir = crate::features::materialize(crate::features::PROVIDER).unwrap();
        let revocation = [inapplicable("revocation", "no revocation endpoint")];
        let skipped = not_applicable(&dir, &revocation, None);
        assert!(!skipped.is_empty());
        assert!(skipped.iter().all(|(_, s)| {
            s.status == Status::Skipped
                && s.explanation.as_deref() == Some("not applicable: no revocation endpoint")
        }));
        let should: gherkin::tagexpr::TagOperation = "@should".parse().unwrap();
        let only_should = not_applicable(&dir, &revocation, Some(&should));
        assert!(only_should.len() < skipped.len());
        assert!(
            only_should
                .iter()
                .all(|(_, s)| s.strength == Strength::Should)
        );
    }
}
