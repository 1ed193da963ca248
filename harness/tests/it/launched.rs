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

/// The launched reference platform's profile text against a mock serving HTTPS, with these
/// `extra_env` lines added to its environment; `cargo` is the one running the tests, and the
/// repository root is named by its absolute path, so the file can be written anywhere.
fn launched_tls_text(extra_env: &str) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    include_str!("../../../fixtures/platforms/reference-launched.toml")
        .replace(
            "command = \"cargo\"",
            &format!("command = {:?}", env!("CARGO")),
        )
        .replace("workdir = \"../..\"", &format!("workdir = {root:?}"))
        .replace(
            "REFERENCE_TOKEN_TIMEOUT_MS = \"1000\"",
            &format!("REFERENCE_TOKEN_TIMEOUT_MS = \"1000\"\n{extra_env}"),
        )
        + "\n[provider]\ntls = true\n"
}

#[tokio::test]
async fn a_launched_platform_given_the_mocks_ca_file_links_over_https() {
    // Arrange: `{ca_file}` hands the launched platform the mock's CA.
    let text = launched_tls_text("REFERENCE_CA_FILE = \"{ca_file}\"");
    let profile: PlatformProfile = toml::from_str(&text).unwrap();
    let report_dir = tempfile::tempdir().unwrap();
    let options = RunOptions {
        tags: Some("@rfc7636".into()),
        ..RunOptions::new(profile, report_dir.path().to_path_buf())
    };
    // Act
    let result = run(options)
        .await
        .expect("the launched platform trusts the mock and the run completes");
    // Assert: the plain link went through, and the PKCE scenarios passed over HTTPS.
    let preflight = result.report.preflight.as_ref().expect("a preflight ran");
    assert_eq!(
        preflight.verdict,
        gauntlet::report::PreflightVerdict::Passed,
        "{}",
        preflight.summary
    );
    assert!(
        result.passed,
        "{}",
        crate::verdicts::failures(&result.report)
    );
    assert!(!result.report.scenarios.is_empty());
}

#[test]
fn a_launched_platform_without_the_mocks_ca_is_told_to_trust_it_and_nothing_is_judged() {
    // Arrange: the same platform, not given the CA: it refuses the mock's certificate when it
    // reads the metadata at start-up, and exits.
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("untrusting.toml");
    std::fs::write(&profile, launched_tls_text("")).unwrap();
    let reports = dir.path().join("reports");
    // Act
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(["run", "--tags", "@rfc7636", "--platform"])
        .arg(&profile)
        .arg("--report-dir")
        .arg(&reports)
        .output()
        .unwrap();
    // Assert: exit 2, and the diagnosis says what to do, with the CA's file.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the platform refused the mock's TLS certificate")
            && stderr.contains("give it the CA at ")
            && stderr.contains("ca.pem")
            && stderr.contains("NODE_EXTRA_CA_CERTS / REQUESTS_CA_BUNDLE / SSL_CERT_FILE"),
        "{stderr}"
    );
    assert!(!reports.join("report.md").exists(), "nothing was judged");
}

/// The downgrade scenario's outcome in a run of the launched platform over HTTPS with these
/// extra environment lines, the run's report folder, and the platform's own log.
async fn downgrade_run(extra_env: &str) -> (gauntlet::report::ScenarioOutcome, tempfile::TempDir) {
    let text = launched_tls_text(&format!("REFERENCE_CA_FILE = \"{{ca_file}}\"\n{extra_env}"));
    let profile: PlatformProfile = toml::from_str(&text).unwrap();
    let report_dir = tempfile::tempdir().unwrap();
    let options = RunOptions {
        tags: Some("@restart and not @mcp".into()),
        gate: Gate::None,
        ..RunOptions::new(profile, report_dir.path().to_path_buf())
    };
    let result = run(options).await.expect("the run completes");
    let [scenario] = result.report.scenarios.as_slice() else {
        panic!("one scenario: {:#?}", result.report.scenarios);
    };
    (scenario.clone(), report_dir)
}

#[tokio::test]
async fn a_launched_platform_is_started_afresh_against_a_downgraded_provider() {
    // Act: the correct platform, then one that follows the plain token endpoint.
    let (refusing, refusing_dir) = downgrade_run("").await;
    let (following, following_dir) =
        downgrade_run("REFERENCE_DEFECTS = \"plain_token_endpoint\"").await;

    // Assert: the correct platform refused to start, the evidence says so, and its output went
    // to a log of its own beside the run's.
    assert_eq!(
        refusing.status,
        Status::Passed,
        "{:?}",
        refusing.explanation
    );
    let notes: Vec<&str> = refusing
        .exchanges
        .iter()
        .filter_map(|e| e.note.as_deref())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("then the platform refused to start: ") && n.contains("exited")),
        "{notes:?}"
    );
    let log = std::fs::read_to_string(refusing_dir.path().join("platform-downgrade.log"))
        .expect("the restarted platform's log is beside the run's");
    assert!(log.contains("the issuer is https://"), "{log}");
    assert!(refusing_dir.path().join("platform.log").exists());
    // The defective one sent the code in the clear: failed, the root cause named; and it was
    // stopped with the scenario's world.
    assert_eq!(following.status, Status::Failed);
    let why = following.explanation.as_deref().unwrap_or_default();
    assert!(
        why.contains("sent the authorization code and its client credentials there in the clear"),
        "{why}"
    );
    assert_eq!(
        following.root_cause.as_ref().map(|c| c.code.as_str()),
        Some("transport.plain_http")
    );
    let log = std::fs::read_to_string(following_dir.path().join("platform-downgrade.log")).unwrap();
    let base_url = log
        .lines()
        .find(|l| l.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("the restarted platform printed no address: {log}"));
    assert!(
        reqwest::get(format!("{base_url}/health")).await.is_err(),
        "the restarted platform was not stopped"
    );
}
