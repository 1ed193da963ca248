//! A platform Gauntlet has never seen, described only by a profile: the reference platform
//! launched as a separate process and configured through its environment.

use gauntlet::profile::PlatformProfile;
use gauntlet::report::Status;
use gauntlet::run::{Gate, RunOptions, run};

#[tokio::test]
async fn a_launched_platform_is_driven_through_the_whole_suite_and_stopped() {
    // Arrange
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/platforms/reference-launched.toml"
    );
    let mut profile = PlatformProfile::from_file(std::path::Path::new(path)).unwrap();
    if let Some(launch) = &mut profile.platform.launch {
        // The cargo that runs this test, not whichever is first on PATH.
        launch.command = env!("CARGO").to_owned();
    }
    let base_url = profile.platform.base_url.clone().unwrap();
    let report_dir = std::env::temp_dir().join(format!("gauntlet-launched-{}", std::process::id()));
    let options = RunOptions {
        gate: Gate::Should,
        ..RunOptions::new(profile, report_dir)
    };
    // Act
    let result = run(options)
        .await
        .expect("the launched platform starts and the run completes");
    // Assert
    let failed: Vec<_> = result
        .report
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
        .map(|s| (&s.name, &s.explanation))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(result.report.scenarios.len() >= 30);
    assert!(result.passed);
    let after = reqwest::get(format!("{base_url}/health")).await;
    assert!(
        after.is_err(),
        "the launched platform was not stopped after the run"
    );
}

#[tokio::test]
async fn a_platform_that_exits_at_launch_is_a_clear_start_up_error() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/platforms/reference-launched.toml"
    );
    let mut profile = PlatformProfile::from_file(std::path::Path::new(path)).unwrap();
    let launch = profile.platform.launch.as_mut().unwrap();
    launch.command = "false".into();
    launch.args.clear();
    let report_dir = std::env::temp_dir().join(format!("gauntlet-crash-{}", std::process::id()));
    let options = RunOptions::new(profile, report_dir.clone());
    let started = std::time::Instant::now();
    let error = run(options)
        .await
        .expect_err("a platform that exits cannot be tested");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "waited for the whole ready timeout"
    );
    let message = format!("{error:#}");
    assert!(
        message.contains("exited") && message.contains("platform.log"),
        "{message}"
    );
    assert!(report_dir.join("platform.log").exists());
}
