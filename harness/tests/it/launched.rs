//! A platform Gauntlet has never seen, described only by a profile: the reference platform
//! launched as a separate process on a port Gauntlet picks (`{port}`) and configured through its
//! environment; and launches that must not be taken for a ready platform.

use gauntlet::client::profile::PlatformProfile;
use gauntlet::client::{RunOptions, run};
use gauntlet::report::Status;
use gauntlet::suite::Gate;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The launched reference platform's profile (`{port}` in its base URL and listen address).
fn launched_profile() -> PlatformProfile {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/platforms/reference-launched.toml"
    );
    PlatformProfile::from_file(std::path::Path::new(path)).unwrap()
}

/// The launched profile with a command that exits at once, and a ready timeout far longer
/// than any test needs: only the exit can end the wait in time.
fn exiting_profile() -> PlatformProfile {
    let mut profile = launched_profile();
    let launch = profile.platform.launch.as_mut().unwrap();
    launch.command = "false".into();
    launch.args.clear();
    launch.ready_timeout_secs = 600;
    profile
}

#[tokio::test]
async fn a_launched_platform_is_driven_through_the_whole_suite_and_stopped() {
    // Arrange
    let mut profile = launched_profile();
    assert!(profile.uses_port());
    if let Some(launch) = &mut profile.platform.launch {
        // The cargo that runs this test, not whichever is first on PATH.
        launch.command = env!("CARGO").to_owned();
    }
    let report_dir = tempfile::tempdir().unwrap();
    let options = RunOptions {
        gate: Gate::Should,
        ..RunOptions::new(profile, report_dir.path().to_path_buf())
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
    // The platform prints where it listens: on the port Gauntlet picked for `{port}`.
    let log = std::fs::read_to_string(report_dir.path().join("platform.log")).unwrap();
    let base_url = log
        .lines()
        .find(|l| l.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("the platform printed no address: {log}"));
    let after = reqwest::get(format!("{base_url}/health")).await;
    assert!(
        after.is_err(),
        "the launched platform was not stopped after the run"
    );
}

#[tokio::test]
async fn a_platform_that_exits_at_launch_is_a_clear_start_up_error() {
    let report_dir = tempfile::tempdir().unwrap();
    let options = RunOptions::new(exiting_profile(), report_dir.path().to_path_buf());
    let error = run(options)
        .await
        .expect_err("a platform that exits cannot be tested");
    let message = format!("{error:#}");
    assert!(
        message.contains("exited") && message.contains("platform.log"),
        "{message}"
    );
    assert!(
        !message.contains("not ready"),
        "the timeout, not the exit, ended the wait: {message}"
    );
    assert!(report_dir.path().join("platform.log").exists());
}

#[tokio::test]
async fn a_launch_that_exits_while_another_server_answers_is_an_error() {
    // Another process holds the port the ready URL names, and answers every request.
    let other = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&other)
        .await;
    let mut profile = exiting_profile();
    let ready_url = format!("{}/health", other.uri());
    profile.platform.launch.as_mut().unwrap().ready_url = ready_url.clone();
    let report_dir = tempfile::tempdir().unwrap();
    let options = RunOptions::new(profile, report_dir.path().to_path_buf());
    let error = run(options)
        .await
        .expect_err("another server's answer is not the launched platform being ready");
    let message = format!("{error:#}");
    assert!(
        message.contains(&ready_url) && message.contains("another process holds the port"),
        "{message}"
    );
}
