//! The whole client suite against the bundled reference platform, web and chat channels:
//! every scenario must pass. (`harness = false`: cucumber prints its own progress.)

use std::process::ExitCode;

use gauntlet::profile::PlatformProfile;
use gauntlet::report::Status;
use gauntlet::run::{Gate, RunOptions, run};

#[tokio::main]
async fn main() -> ExitCode {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/platforms");
    let mut passed = 0;
    let mut failed = 0;
    for file in ["reference.toml", "reference-chat.toml"] {
        let profile = PlatformProfile::from_file(&std::path::Path::new(fixtures).join(file))
            .expect("profile parses");
        let report_dir = std::env::temp_dir().join(format!(
            "gauntlet-features-test-{}-{file}",
            std::process::id()
        ));
        let options = RunOptions {
            gate: Gate::Should,
            progress: true,
            ..RunOptions::new(profile, report_dir.clone())
        };
        let result = run(options).await.expect("the run completes");
        for scenario in &result.report.scenarios {
            if scenario.status == Status::Passed {
                passed += 1;
            } else {
                failed += 1;
                eprintln!(
                    "FAILED [{file}] {}: {}",
                    scenario.name,
                    scenario.explanation.as_deref().unwrap_or("?")
                );
            }
        }
        if result.report.scenarios.len() < 30 || result.parsing_errors > 0 {
            eprintln!(
                "[{file}] only {} scenarios ran ({} parsing errors)",
                result.report.scenarios.len(),
                result.parsing_errors
            );
            failed += 1;
        }
        let _ = std::fs::remove_dir_all(report_dir);
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
