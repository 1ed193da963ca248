//! `gauntlet`: parse, run, map the outcome to an exit code (0 pass, 1 conformance failures,
//! 2 usage or profile error).

use std::process::ExitCode;

use clap::Parser as _;
use gauntlet::cli::{Command, Opts};
use gauntlet::report::Status;

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
                gauntlet::run::run(options).await,
            ),
            Err(error) => return usage(&error),
        },
        Command::Mutants(args) => return mutants(&args).await,
        Command::Provider(args) => match args.options() {
            Ok(options) => (
                options.report_dir.clone(),
                gauntlet::provider::run::run(options).await,
            ),
            Err(error) => return usage(&error),
        },
    };
    match result {
        Ok(result) => {
            let count = |status| {
                result
                    .report
                    .scenarios
                    .iter()
                    .filter(|s| s.status == status)
                    .count()
            };
            let (failed, skipped) = (count(Status::Failed), count(Status::Skipped));
            let skipped = if skipped > 0 {
                format!(", {skipped} not applicable")
            } else {
                String::new()
            };
            println!(
                "gauntlet: {} scenarios, {failed} failed{skipped}; reports in {} (index.html, report.md, junit.xml)",
                result.report.scenarios.len(),
                report_dir.display()
            );
            if result.passed {
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
    match gauntlet::mutants::run_mutants(options).await {
        Ok(matrix) => {
            print!("\n{}", gauntlet::mutants::render(&matrix));
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

/// Reports an error that kept the run from happening: exit code 2.
fn usage(error: &anyhow::Error) -> ExitCode {
    eprintln!("gauntlet: {error:#}");
    ExitCode::from(2)
}
