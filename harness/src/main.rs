//! `gauntlet`: parse, run, map the outcome to an exit code (0 pass, 1 conformance failures,
//! 2 usage or profile error).

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
    let Command::Run(args) = opts.command;
    let options = match args.options() {
        Ok(options) => options,
        Err(error) => {
            eprintln!("gauntlet: {error:#}");
            return ExitCode::from(2);
        }
    };
    let report_dir = options.report_dir.clone();
    match gauntlet::run::run(options).await {
        Ok(result) => {
            let failed = result
                .report
                .scenarios
                .iter()
                .filter(|s| s.status == gauntlet::report::Status::Failed)
                .count();
            println!(
                "gauntlet: {} scenarios, {failed} failed; reports in {} (index.html, report.md, junit.xml)",
                result.report.scenarios.len(),
                report_dir.display()
            );
            if result.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("gauntlet: {error:#}");
            ExitCode::from(2)
        }
    }
}
