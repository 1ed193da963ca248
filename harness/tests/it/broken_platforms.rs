//! Gauntlet reports — never panics or hangs — when the platform refuses connections, answers
//! 500, hangs, loops on redirects or sends garbage.

use std::time::{Duration, Instant};

use gauntlet::client::profile::PlatformProfile;
use gauntlet::client::{RunOptions, run};
use gauntlet::report::Status;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The reference web profile, pointed at `base_url`, with short timeouts.
fn profile_for(base_url: &str) -> PlatformProfile {
    let text = include_str!("../../../fixtures/platforms/reference.toml")
        .replace(
            "embedded = \"reference\"",
            &format!("base_url = \"{base_url}\""),
        )
        .replace("request_ms = 5000", "request_ms = 300");
    toml::from_str(&text).expect("the adapted profile parses")
}

async fn run_against(base_url: &str) -> gauntlet::suite::RunResult {
    let report_dir = tempfile::tempdir().unwrap();
    let options = RunOptions {
        tags: Some("@must".into()),
        concurrency: 16,
        ..RunOptions::new(profile_for(base_url), report_dir.path().to_path_buf())
    };
    let started = Instant::now();
    let result = run(options)
        .await
        .expect("a broken platform is a failed run, not an error");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the run did not end promptly"
    );
    result
}

/// Every scenario failed, with an explanation that contains `expected`.
fn assert_all_failed(result: &gauntlet::suite::RunResult, expected: &[&str]) {
    assert!(!result.passed);
    assert!(
        result.report.scenarios.len() >= 20,
        "only {} scenarios ran",
        result.report.scenarios.len()
    );
    // Scenarios of other shapes are not applicable; every applicable one failed.
    for scenario in result
        .report
        .scenarios
        .iter()
        .filter(|s| s.status != Status::Skipped)
    {
        assert_eq!(
            scenario.status,
            Status::Failed,
            "{} passed against a broken platform",
            scenario.name
        );
        let why = scenario.explanation.as_deref().unwrap_or("");
        assert!(
            expected.iter().any(|e| why.contains(e)),
            "{}: unexpected explanation {why:?}",
            scenario.name
        );
    }
}

#[tokio::test]
async fn connection_refused_fails_every_scenario_with_a_clear_message() {
    // Arrange: a port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    // Act
    let result = run_against(&format!("http://{address}")).await;
    // Assert
    assert_all_failed(&result, &["connection refused"]);
}

#[tokio::test]
async fn server_errors_fail_every_scenario() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
        .named("500 everywhere")
        .mount(&server)
        .await;
    let result = run_against(&server.uri()).await;
    assert_all_failed(&result, &["status 500", "did not redirect"]);
}

#[tokio::test]
async fn a_hanging_platform_times_out_and_the_run_ends() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .named("hangs")
        .mount(&server)
        .await;
    let result = run_against(&server.uri()).await;
    assert_all_failed(&result, &["no answer within the timeout"]);
}

#[tokio::test]
async fn a_redirect_loop_is_reported() {
    let server = MockServer::start().await;
    let target = format!("{}/link", server.uri());
    Mock::given(any())
        .respond_with(ResponseTemplate::new(302).insert_header("location", target.as_str()))
        .named("loops")
        .mount(&server)
        .await;
    let result = run_against(&server.uri()).await;
    assert_all_failed(&result, &["more than 10 redirects"]);
}

#[tokio::test]
async fn garbage_bodies_are_reported() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![0xff, 0xfe, 0x00, 0x42]))
        .named("garbage")
        .mount(&server)
        .await;
    let result = run_against(&server.uri()).await;
    assert_all_failed(&result, &["did not redirect", "could not be read"]);
}
