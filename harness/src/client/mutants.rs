//! `gauntlet mutants`: proves the client suite is worth something. It runs the suite against
//! the correct reference platform (which must pass every scenario) and then against the
//! reference platform with each catalogued [`Defect`] of the profile's shape switched on alone
//! (several such runs at once), and builds the kill matrix: every defect × the scenarios that
//! caught it. A defect no scenario catches survives, and the run fails.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use futures::StreamExt as _;
use reference_platform::Defect;
use serde::Serialize;

use super::run::{RunOptions, run};
use crate::client::profile::PlatformProfile;
use crate::report::Status;
use crate::suite::{Gate, SuiteOptions};

/// What `gauntlet mutants` runs.
#[derive(Debug, Clone)]
pub struct MutantsOptions {
    /// An embedded reference-platform profile; each mutant adds one defect to it.
    pub profile: PlatformProfile,
    /// Where `mutants.md`, `mutants.json` and each run's reports go.
    pub report_dir: PathBuf,
    /// Suite runs at once.
    pub jobs: usize,
    /// The defects to try (default: the whole catalogue).
    pub defects: Vec<Defect>,
    /// Feature files to run instead of the bundled client suite.
    pub features: Option<PathBuf>,
    /// Print a line per finished run.
    pub progress: bool,
}

impl MutantsOptions {
    /// Every defect of the profile's shape (and the generic ones) against `profile`, four
    /// runs at once, quiet.
    pub fn new(profile: PlatformProfile, report_dir: PathBuf) -> Self {
        let defects = applicable_defects(&profile);
        Self {
            profile,
            report_dir,
            jobs: 4,
            defects,
            features: None,
            progress: false,
        }
    }
}

/// The defects that make sense in the profile's shape: the generic ones and its own, those of
/// the chat channel's link confirmation only when its start answers with a login link, and
/// those that downgrade TLS only when the mock serves HTTPS (`[provider] tls`, as in the
/// bundled `reference-tls`).
pub fn applicable_defects(profile: &PlatformProfile) -> Vec<Defect> {
    Defect::ALL
        .iter()
        .copied()
        .filter(|d| d.shape().is_none_or(|s| s == profile.shape.name()))
        .filter(|d| !d.chat_only() || profile.start.button.is_some())
        .filter(|d| !d.tls_only() || profile.provider.tls)
        .collect()
}

/// The kill matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// The profile the mutants were made from.
    pub target: String,
    /// Scenarios the correct reference platform failed (must be none).
    pub reference_failures: Vec<String>,
    /// How many scenarios apply to the profile (one run).
    pub scenarios: usize,
    /// One row per defect, in catalogue order.
    pub rows: Vec<Row>,
    /// Wall time of the whole matrix in milliseconds.
    pub duration_ms: u64,
}

/// One defect and what caught it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The defect's name.
    pub defect: String,
    /// What it breaks.
    pub description: String,
    /// The scenarios that failed against it; empty: it survived.
    pub killed_by: Vec<String>,
    /// Why the run could not happen, if it could not.
    pub error: Option<String>,
}

impl Matrix {
    /// Defects no scenario caught.
    pub fn survivors(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.killed_by.is_empty())
    }

    /// Every defect caught and the reference clean.
    pub fn passed(&self) -> bool {
        self.reference_failures.is_empty() && self.survivors().next().is_none()
    }
}

/// Runs the reference and every mutant, writes `mutants.md` and `mutants.json`.
pub async fn run_mutants(options: MutantsOptions) -> anyhow::Result<Matrix> {
    let dir = &options.report_dir;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the report directory {}", dir.display()))?;
    if options.profile.platform.embedded.is_none() {
        anyhow::bail!(
            "gauntlet mutants needs the embedded reference platform (platform.embedded = \"reference\"): \
             defects are switched on inside it"
        );
    }
    let started = Instant::now();
    let total = options.defects.len() + 1;
    let mut jobs: Vec<Option<Defect>> = vec![None];
    jobs.extend(options.defects.iter().copied().map(Some));
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<(Option<Defect>, RunResult)> = futures::stream::iter(jobs)
        .map(|defect| {
            let options = &options;
            let done = &done;
            async move {
                let result = one_run(options, defect).await;
                if options.progress {
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    println!("[{n}/{total}] {}", progress_line(defect, &result));
                }
                (defect, result)
            }
        })
        .buffer_unordered(options.jobs.max(1))
        .collect()
        .await;
    let mut matrix = Matrix {
        target: options.profile.name.clone(),
        reference_failures: Vec::new(),
        scenarios: 0,
        rows: Vec::new(),
        duration_ms: 0,
    };
    for (defect, result) in results {
        match (defect, result) {
            (None, Ok((scenarios, failed))) => {
                matrix.scenarios = scenarios;
                matrix.reference_failures = failed;
            }
            (None, Err(error)) => {
                return Err(error.context("the correct reference platform could not be run"));
            }
            (Some(defect), result) => {
                let (killed_by, error) = match result {
                    Ok((_, failed)) => (failed, None),
                    Err(error) => (Vec::new(), Some(format!("{error:#}"))),
                };
                matrix.rows.push(Row {
                    defect: defect.name().to_owned(),
                    description: defect.description().to_owned(),
                    killed_by,
                    error,
                });
            }
        }
    }
    let order = |name: &str| Defect::ALL.iter().position(|d| d.name() == name);
    matrix.rows.sort_by_key(|r| order(&r.defect));
    matrix.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    std::fs::write(dir.join("mutants.md"), render(&matrix))
        .with_context(|| format!("cannot write {}", dir.join("mutants.md").display()))?;
    std::fs::write(
        dir.join("mutants.json"),
        serde_json::to_string_pretty(&matrix)?,
    )
    .with_context(|| format!("cannot write {}", dir.join("mutants.json").display()))?;
    Ok(matrix)
}

/// What one suite run gave: how many scenarios applied, and the names of the failed ones.
type RunResult = anyhow::Result<(usize, Vec<String>)>;

/// One suite run: the reference with `defect` switched on (`None`: the correct one).
async fn one_run(options: &MutantsOptions, defect: Option<Defect>) -> RunResult {
    let mut profile = options.profile.clone();
    let name = defect.map_or("reference", Defect::name);
    profile.platform.defects = defect
        .map(|d| vec![d.name().to_owned()])
        .unwrap_or_default();
    let run_options: RunOptions = SuiteOptions {
        gate: Gate::Should,
        features: options.features.clone(),
        ..SuiteOptions::new(profile, options.report_dir.join("runs").join(name))
    };
    let result = run(run_options).await?;
    let failed = result
        .report
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
        .map(|s| s.name.clone())
        .collect();
    let applicable = result
        .report
        .scenarios
        .iter()
        .filter(|s| s.status != Status::Skipped)
        .count();
    Ok((applicable, failed))
}

fn progress_line(defect: Option<Defect>, result: &RunResult) -> String {
    match (defect, result) {
        (None, Ok((n, failed))) if failed.is_empty() => {
            format!("reference: all {n} applicable scenarios pass")
        }
        (None, Ok((_, failed))) => format!("reference: FAILS {} scenario(s)", failed.len()),
        (Some(d), Ok((_, failed))) if failed.is_empty() => format!("{d}: SURVIVED"),
        (Some(d), Ok((_, failed))) => format!("{d}: caught by {} scenario(s)", failed.len()),
        (d, Err(error)) => format!(
            "{}: could not run: {error:#}",
            d.map_or("reference", Defect::name)
        ),
    }
}

/// The matrix as Markdown: a verdict, then one row per defect with the scenarios that caught it.
pub fn render(matrix: &Matrix) -> String {
    let mut out = String::new();
    let killed = matrix
        .rows
        .iter()
        .filter(|r| !r.killed_by.is_empty())
        .count();
    let _ = writeln!(out, "# Gauntlet mutants: {}\n", matrix.target);
    let _ = writeln!(
        out,
        "{killed} of {} defects caught; the correct reference platform {}; {} applicable scenarios per run; {:.1} s.\n",
        matrix.rows.len(),
        if matrix.reference_failures.is_empty() {
            "passes every scenario".to_owned()
        } else {
            format!("FAILS {}", matrix.reference_failures.join(", "))
        },
        matrix.scenarios,
        matrix.duration_ms as f64 / 1000.0
    );
    let _ = writeln!(
        out,
        "**Verdict: {}**\n",
        if matrix.passed() { "PASS" } else { "FAIL" }
    );
    out.push_str("| defect | what the platform does wrong | caught by |\n|---|---|---|\n");
    for row in &matrix.rows {
        let caught = match (&row.error, row.killed_by.is_empty()) {
            (Some(error), _) => format!("**could not run:** {}", cell(error)),
            (None, true) => "**SURVIVED**".to_owned(),
            (None, false) => row
                .killed_by
                .iter()
                .map(|s| cell(s))
                .collect::<Vec<_>>()
                .join("<br>"),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {caught} |",
            row.defect,
            cell(&row.description)
        );
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
