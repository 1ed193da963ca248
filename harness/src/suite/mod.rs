//! The direction-independent suite engine. A direction — [`crate::client`] (a chatbot
//! platform under test) or [`crate::provider`] (an authorization server under test) — is a
//! folder that implements [`Direction`]: its target, its run context, its World and steps.
//! The engine does the rest: it reads the features ([`features`]), selects the scenarios
//! ([`selection`]), runs them with cucumber ([`engine`], [`recorder`]), applies the gate and
//! writes the reports ([`crate::report`]); [`launch`] starts and watches a process a profile
//! asks for, [`placeholders`] and [`profile`] check profiles, [`browser`] records HTTP
//! exchanges, [`merge`] combines sharded runs, [`tls`] builds every HTTP client (rustls, trusted CAs), and [`baseline`] judges a run by a file of
//! accepted failures.

pub mod baseline;
pub mod body;
pub mod browser;
pub(crate) mod concealed;
pub mod engine;
pub mod features;
pub mod launch;
pub mod mcp_revision;
pub mod merge;
pub mod origin;
mod panic_hook;
pub mod placeholders;
pub mod profile;
pub(crate) mod random;
pub mod recorder;
pub mod selection;
#[cfg(test)]
mod tests;
pub mod tls;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;

pub use crate::report::Gate;

use crate::report::{Preflight, PreflightVerdict, RunReport, Shard};
pub use engine::{Evidence, Outcomes, Recorded};
pub use selection::Inapplicable;

/// What to run and where to report: `T` is what is tested, a platform profile
/// ([`crate::client::RunOptions`]) or a provider target ([`crate::provider::ProviderOptions`]).
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
    /// Print a progress line per scenario on stdout.
    pub progress: bool,
    /// Run only this part of the selected scenarios.
    pub shard: Option<Shard>,
    /// A baseline file of accepted failures to judge the run by.
    pub baseline: Option<PathBuf>,
    /// Write the run's gate failures as a baseline file here, and judge the run by it.
    pub write_baseline: Option<PathBuf>,
    /// Run the direction's preflight before the scenarios (the client direction's plain link).
    pub preflight: bool,
    /// The most bytes of an answer's body Gauntlet reads; a longer body is cut there, and the
    /// evidence says so ([`body::read`]).
    pub max_body_bytes: usize,
    /// PEM files of CAs to trust besides the web PKI roots ([`tls::Trust`]).
    pub ca_files: Vec<PathBuf>,
}

impl<T> SuiteOptions<T> {
    /// The defaults of the command line for this target and report directory: every scenario,
    /// concurrency 8, the `@must` gate, secrets redacted, bundled features, no progress output,
    /// no sharding, no baseline, the preflight on, bodies read up to 1 MiB, no extra CA.
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
            shard: None,
            baseline: None,
            write_baseline: None,
            preflight: true,
            max_body_bytes: body::DEFAULT_MAX_BODY_BYTES,
            ca_files: Vec::new(),
        }
    }
}

/// The result of a run.
#[derive(Debug)]
pub struct RunResult {
    /// Everything the reports say.
    pub report: RunReport,
    /// Whether the gate passed (what the exit code says).
    pub passed: bool,
}

/// A direction of testing: what it tests, the state its scenarios share, its World (whose steps
/// are its own), and the features it runs. [`run`] drives any direction the same way.
pub trait Direction {
    /// What is tested: a platform profile, a provider target.
    type Target: Clone;
    /// What a run's scenarios share (servers started, the profile filled in, the evidence).
    type Context: 'static;
    /// The scenario world.
    type World: Recorded;
    /// `client` or `provider`: the report's direction and the bundled features' folder.
    const NAME: &'static str;
    /// The bundled feature files, by file name.
    const FEATURES: &'static [(&'static str, &'static str)];

    /// The file in the report directory a launched target's output goes into.
    const LOG: &'static str;

    /// Starts what `target` needs (a launched process's output goes into `log`), showing
    /// secrets in the evidence if `reveal_secrets`, reading at most `max_body_bytes` of any
    /// answer's body, and trusting `trust`'s CAs (the web PKI roots and the `--ca-file` files)
    /// in every client it builds.
    fn start(
        target: Self::Target,
        reveal_secrets: bool,
        max_body_bytes: usize,
        trust: tls::Trust,
        log: &Path,
    ) -> impl Future<Output = anyhow::Result<Self::Context>>;
    /// The scenario tags that do not apply to this target, with the reasons.
    fn inapplicable(context: &Self::Context, target: &Self::Target) -> Vec<Inapplicable>;
    /// The target's name in reports.
    fn target_name(context: &Self::Context, target: &Self::Target) -> String;
    /// Where the run's worlds leave their evidence.
    fn evidence(context: &Self::Context) -> &Outcomes;
    /// Runs `future` (the cucumber run) with `context` as the one its worlds see.
    fn scope<F: Future>(context: Arc<Self::Context>, future: F) -> impl Future<Output = F::Output>;
    /// Checks, before any scenario, that the target can be tested at all; `None` for a
    /// direction without a preflight.
    fn preflight(context: Arc<Self::Context>) -> impl Future<Output = Option<Preflight>> {
        let _ = context;
        std::future::ready(None)
    }
    /// Why the run's verdicts cannot be trusted once it is over (its flows lost state), if so;
    /// `None` for a direction that cannot tell.
    fn lost_state(context: &Self::Context) -> Option<String> {
        let _ = context;
        None
    }
}

/// A run whose flows lost state they relied on: its verdicts cannot be trusted, nothing was
/// judged.
#[derive(Debug, thiserror::Error)]
#[error("nothing was judged: {diagnosis}")]
pub struct StateLost {
    /// What was lost and what to change.
    pub diagnosis: String,
}

/// A preflight that found the profile or the platform's set-up unfit: nothing was judged.
#[derive(Debug, thiserror::Error)]
#[error(
    "nothing was judged: the preflight failed: {diagnosis}; fix the profile or the platform, or \
     skip the preflight with --no-preflight"
)]
pub struct PreflightBlocked {
    /// What the preflight found.
    pub diagnosis: String,
}

/// Runs direction `D`'s features against the target the options describe: checks the features
/// and the selection before anything starts, reads the `--ca-file` CAs (an unusable file is an
/// error), starts the target trusting them, runs its preflight (a blocked one ends the run with
/// [`PreflightBlocked`]), runs the applicable scenarios (a run whose flows lost state ends with
/// [`StateLost`], no reports), judges it by the baseline, writes every report file and applies
/// the gate.
pub async fn run<D: Direction>(options: SuiteOptions<D::Target>) -> anyhow::Result<RunResult> {
    let baseline = options
        .baseline
        .as_deref()
        .map(baseline::Baseline::load)
        .transpose()?;
    let prepared = engine::prepare(&options, D::NAME, D::FEATURES)?;
    if let Some(baseline) = &baseline {
        baseline.check_known(&prepared.scenario_names(), true)?;
    }
    let trust = tls::Trust::from_files(&options.ca_files).context("--ca-file")?;
    let context = Arc::new(
        D::start(
            options.target.clone(),
            options.reveal_secrets,
            options.max_body_bytes,
            trust,
            &options.report_dir.join(D::LOG),
        )
        .await?,
    );
    let preflight = if options.preflight {
        D::preflight(context.clone()).await
    } else {
        None
    };
    if let Some(preflight) = &preflight {
        if options.progress {
            println!("preflight: {preflight}");
        }
        if preflight.verdict == PreflightVerdict::Blocked {
            return Err(PreflightBlocked {
                diagnosis: preflight.summary.clone(),
            }
            .into());
        }
    }
    let inapplicable = D::inapplicable(&context, &options.target);
    let report = D::scope(
        context.clone(),
        prepared.run::<D::World, _>(&options, &inapplicable, D::evidence(&context)),
    )
    .await?;
    if let Some(diagnosis) = D::lost_state(&context) {
        return Err(StateLost { diagnosis }.into());
    }
    let mut report = RunReport {
        target: D::target_name(&context, &options.target),
        direction: D::NAME.into(),
        preflight,
        ..report
    };
    baseline::judge(
        &mut report,
        baseline.as_ref(),
        options.write_baseline.as_deref(),
    )?;
    crate::report::files::write_all(&report, &options.report_dir)?;
    Ok(RunResult {
        passed: report.passed(),
        report,
    })
}
