//! `gauntlet`: parse, run, map the outcome to an exit code: 0 the gate passed, 1 conformance
//! failures, 2 nothing could be judged (usage, profile or start-up error, nothing to test, or a
//! run whose flows lost state at the mock provider).

use std::process::ExitCode;

use clap::Parser as _;
use gauntlet::cli::{Command, Opts};

#[tokio::main]
async fn main() -> ExitCode {
    let opts = Opts::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,reference_platform=error".into()),
        )
        .init();
    let (report_dir, result) = match opts.command {
        Command::Run(args) => match args.options() {
            Ok(options) => (
                options.report_dir.clone(),
                gauntlet::client::run(options).await.map(|r| r.report),
            ),
            Err(error) => return usage(&error),
        },
        Command::Mutants(args) => return mutants(&args).await,
        Command::Profiles(args) => return profiles(&args),
        Command::Provider(args) => match args.options() {
            Ok(options) => (
                options.report_dir.clone(),
                gauntlet::provider::run(options).await.map(|r| r.report),
            ),
            Err(error) => return usage(&error),
        },
        Command::Merge(args) => (
            args.report_dir.clone(),
            gauntlet::suite::merge::merge_into(
                &args.dirs,
                &args.report_dir,
                args.gate,
                args.baseline.baseline.as_deref(),
                args.baseline.write_baseline.as_deref(),
            ),
        ),
    };
    match result {
        Ok(report) => {
            baseline_notes(&report);
            for group in gauntlet::report::root_causes::groups(&report) {
                println!("gauntlet: root cause: {}", group.headline());
            }
            let errors = report.count(gauntlet::report::Status::Error);
            if errors > 0 {
                println!(
                    "gauntlet: {errors} scenario{} ended in a server error (a 5xx or no answer): \
                     no verdict on {}; if the server is fragile under load, lower --concurrency",
                    if errors == 1 { "" } else { "s" },
                    if errors == 1 {
                        "its rule"
                    } else {
                        "their rules"
                    }
                );
            }
            println!(
                "gauntlet: {}; reports in {} (index.html, report.md, junit.xml, messages.ndjson)",
                gauntlet::report::markdown::summary_line(&report),
                report_dir.display()
            );
            if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => usage(&error),
    }
}

/// `gauntlet mutants`: the kill matrix; exit 0 only if every defect is caught and the reference
/// passes everything.
async fn mutants(args: &gauntlet::cli::MutantsArgs) -> ExitCode {
    if args.list {
        for defect in reference_platform::Defect::ALL {
            println!("{:<28} {}", defect.name(), defect.description());
        }
        return ExitCode::SUCCESS;
    }
    let options = match args.options() {
        Ok(options) => options,
        Err(error) => return usage(&error),
    };
    let dir = options.report_dir.clone();
    match gauntlet::client::mutants::run_mutants(options).await {
        Ok(matrix) => {
            print!("\n{}", gauntlet::client::mutants::render(&matrix));
            println!(
                "\ngauntlet: kill matrix in {}",
                dir.join("mutants.md").display()
            );
            if matrix.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => usage(&error),
    }
}

/// Says which baseline entries are stale (they fail the gate), ended in an error (so does
/// the error) or are not in the run (a warning).
fn baseline_notes(report: &gauntlet::report::RunReport) {
    let Some(baseline) = &report.baseline else {
        return;
    };
    for entry in &baseline.stale {
        println!(
            "gauntlet: stale baseline entry in {}: {entry} passed; remove it from the baseline",
            baseline.file
        );
    }
    for entry in &baseline.errored {
        println!(
            "gauntlet: baseline entry in {}: {entry} ended in an error, not the accepted failure: \
             no verdict, it fails the gate",
            baseline.file
        );
    }
    for entry in &baseline.absent {
        eprintln!(
            "gauntlet: warning: baseline entry in {}: {entry} is not in this run (not selected, \
             not applicable or in another shard)",
            baseline.file
        );
    }
}

/// Reports an error that kept the run from happening: exit code 2. A failed preflight has
/// printed its diagnosis on stdout already.
fn usage(error: &anyhow::Error) -> ExitCode {
    if error
        .downcast_ref::<gauntlet::suite::PreflightBlocked>()
        .is_some()
    {
        eprintln!(
            "gauntlet: nothing was judged: the preflight failed (see its line above); fix the \
             profile or the platform, or skip the preflight with --no-preflight"
        );
    } else {
        eprintln!("gauntlet: {error:#}");
    }
    ExitCode::from(2)
}

/// `gauntlet profiles [show NAME]`: the bundled profiles, or one's TOML.
fn profiles(args: &gauntlet::cli::ProfilesArgs) -> ExitCode {
    match &args.command {
        None => print!("{}", gauntlet::bundled::listing()),
        Some(gauntlet::cli::ProfilesCommand::Show { name }) => {
            match gauntlet::bundled::named(name) {
                Ok(bundled) => print!("{}", bundled.text),
                Err(error) => return usage(&error),
            }
        }
    }
    ExitCode::SUCCESS
}
