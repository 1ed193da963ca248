//! Gauntlet reports — never panics or hangs — when the platform refuses connections, answers
//! 500, hangs, loops on redirects or sends garbage: the suite itself (with the preflight off,
//! as `--no-preflight` runs it), and the preflight, which stops a run that could judge nothing
//! with a diagnosis that points at the profile or the platform.

use std::time::{Duration, Instant};

use gauntlet::client::profile::PlatformProfile;
use gauntlet::client::{RunOptions, run};
use gauntlet::report::{PreflightVerdict, Status};
use gauntlet::suite::PreflightBlocked;
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

/// The `@must` scenarios against `base_url`, without the preflight.
async fn run_against(base_url: &str) -> gauntlet::suite::RunResult {
    let report_dir = tempfile::tempdir().unwrap();
    let options = RunOptions {
        tags: Some("@must".into()),
        concurrency: 16,
        preflight: false,
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

/// An address nobody listens on: a port the system picked, released again.
fn unused_address() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    address
}

#[tokio::test]
async fn connection_refused_fails_every_scenario_with_a_clear_message() {
    // Arrange
    let address = unused_address();
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

/// Runs `profile` with the preflight on; returns the preflight's diagnosis, which must have
/// stopped the run before any scenario and before any report was written.
async fn preflight_stops(profile: PlatformProfile) -> String {
    let report_dir = tempfile::tempdir().unwrap();
    let options = RunOptions::new(profile, report_dir.path().to_path_buf());
    let error = run(options)
        .await
        .expect_err("the preflight stops a run that could judge nothing");
    let blocked = error
        .downcast_ref::<PreflightBlocked>()
        .unwrap_or_else(|| panic!("not a preflight failure: {error:#}"));
    assert!(
        !report_dir.path().join("report.json").exists(),
        "no report for a run that judged nothing"
    );
    blocked.diagnosis.clone()
}

/// The bundled web-channel profile (the embedded reference platform) with `edit` applied.
fn reference_with(edit: impl Fn(String) -> String) -> PlatformProfile {
    let text = edit(include_str!("../../../fixtures/platforms/reference.toml").to_owned());
    toml::from_str(&text).expect("the edited profile parses")
}

#[tokio::test]
async fn the_preflight_names_an_unreachable_platform() {
    let address = unused_address();
    let diagnosis = preflight_stops(profile_for(&format!("http://{address}"))).await;
    assert!(
        diagnosis.contains(&format!("the platform is unreachable at http://{address}"))
            && diagnosis.contains("connection refused"),
        "{diagnosis}"
    );
}

#[tokio::test]
async fn the_preflight_quotes_the_status_of_a_wrong_start_url() {
    let profile = reference_with(|t| t.replace("{base_url}/link?", "{base_url}/lnik?"));
    let diagnosis = preflight_stops(profile).await;
    assert!(
        diagnosis.contains("the start request answered 404 at http://127.0.0.1:")
            && diagnosis.contains("/lnik?session=")
            && diagnosis.contains("check [start] url"),
        "{diagnosis}"
    );
}

#[tokio::test]
async fn the_preflight_quotes_a_callback_page_without_the_outcome_texts() {
    let profile = reference_with(|t| {
        t.replace(
            "success_text = \"Account linked\"",
            "success_text = \"Welcome aboard\"",
        )
    });
    let diagnosis = preflight_stops(profile).await;
    assert!(
        diagnosis.contains(
            "the callback answer (status 200) contains neither [outcome] success_text \
             \"Welcome aboard\" nor failure_text \"Linking failed\"; it says: \"Account \
             linked. You can return to the chat.\""
        ),
        "{diagnosis}"
    );
}

#[tokio::test]
async fn the_preflight_names_probe_settings_that_fit_no_answer() {
    let profile = reference_with(|t| {
        t.replace(
            "unlinked_text = '\"linked\":false'",
            "unlinked_status = 401",
        )
    });
    let diagnosis = preflight_stops(profile).await;
    assert!(
        diagnosis.contains("the [probe] answer before the callback (status 200) shows neither")
            && diagnosis.contains("not linked (status 401)")
            && diagnosis.contains("{\"linked\":false}"),
        "{diagnosis}"
    );
}

#[tokio::test]
async fn a_defect_that_breaks_the_plain_link_is_left_for_the_scenarios_to_judge() {
    // Arrange: a platform that does not authenticate at the token endpoint.
    let profile = reference_with(|t| {
        t.replace(
            "embedded = \"reference\"",
            "embedded = \"reference\"\ndefects = [\"no_client_auth\"]",
        )
    });
    let report_dir = tempfile::tempdir().unwrap();
    let options = RunOptions {
        tags: Some("@rfc6749 and @must".into()),
        ..RunOptions::new(profile, report_dir.path().to_path_buf())
    };
    // Act
    let result = run(options).await.expect("the scenarios run");
    // Assert
    let preflight = result.report.preflight.as_ref().expect("the preflight ran");
    assert_eq!(preflight.verdict, PreflightVerdict::Failed, "{preflight:?}");
    assert!(
        preflight
            .summary
            .contains("after the callback the platform said: \"Linking failed")
            && preflight
                .summary
                .contains("the provider noted: client_auth.wrong_method"),
        "{preflight:?}"
    );
    assert!(!result.passed, "the scenarios judge the defect");
    let markdown = std::fs::read_to_string(report_dir.path().join("report.md")).unwrap();
    assert!(
        markdown.contains(
            "**Preflight:** the plain link failed, the scenarios judge why — after the callback"
        ),
        "{markdown}"
    );
}

#[tokio::test]
async fn the_preflight_names_a_client_authentication_the_profile_does_not_say() {
    // Arrange: the reference platform launched as a process, told to use HTTP Basic, while the
    // profile (and so the mock's registration) says client_secret_post.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/platforms/reference-launched.toml"
    );
    let mut profile = PlatformProfile::from_file(std::path::Path::new(path)).unwrap();
    let launch = profile.platform.launch.as_mut().unwrap();
    launch.command = env!("CARGO").to_owned();
    assert_eq!(
        launch.env.get("REFERENCE_AUTH_METHOD").map(String::as_str),
        Some("client_secret_basic")
    );
    profile.client.auth_method = mock_provider::AuthMethod::ClientSecretPost;
    // Act
    let diagnosis = preflight_stops(profile).await;
    // Assert
    assert!(
        diagnosis.contains(
            "the profile says client_secret_post but the platform sent client_secret_basic"
        ) && diagnosis.contains("set [client] auth_method = \"client_secret_basic\""),
        "{diagnosis}"
    );
}

#[tokio::test]
async fn the_preflight_says_a_chat_answer_needs_a_button_setting() {
    let text = include_str!("../../../fixtures/platforms/reference-chat.toml")
        .replace("button = { json_pointer = \"/messages/0/url\" }", "");
    let profile: PlatformProfile = toml::from_str(&text).unwrap();
    let diagnosis = preflight_stops(profile).await;
    assert!(
        diagnosis.contains("the start answer (status 200) neither redirects")
            && diagnosis.contains("oauth_button")
            && diagnosis.contains("a chat answer needs [start] button"),
        "{diagnosis}"
    );
}

/// A platform whose every page redirects to `location(base)`: the preflight's diagnosis.
async fn preflight_redirected_to(location: impl Fn(&str) -> String) -> String {
    let server = MockServer::start().await;
    let target = location(&server.uri());
    Mock::given(any())
        .respond_with(ResponseTemplate::new(302).insert_header("location", target.as_str()))
        .named("redirects away")
        .mount(&server)
        .await;
    preflight_stops(profile_for(&server.uri())).await
}

#[tokio::test]
async fn a_redirect_hiding_another_host_behind_userinfo_is_refused_and_named() {
    // Arrange, Act: `http://127.0.0.1:PORT@example.com/` begins like the platform.
    let diagnosis = preflight_redirected_to(|base| format!("{base}@example.com/authorize")).await;
    // Assert
    assert!(
        diagnosis.contains("userinfo (user:pass@)")
            && diagnosis.contains("its host is example.com"),
        "{diagnosis}"
    );
}

#[tokio::test]
async fn redirects_that_only_begin_like_the_platform_are_not_followed() {
    for (trick, expected) in [
        (
            (|base: &str| format!("{base}.evil.test/")) as fn(&str) -> String,
            "is no URL",
        ),
        // An ephemeral port with a digit appended is past 65535: no URL.
        (|base: &str| format!("{base}1/"), "is no URL"),
        (
            |base: &str| base.replace("http://", "https://"),
            "not to the mock provider's authorization endpoint",
        ),
    ] {
        let diagnosis = preflight_redirected_to(trick).await;
        assert!(diagnosis.contains(expected), "{diagnosis}");
    }
}

#[tokio::test]
async fn an_endless_start_answer_is_cut_and_the_diagnosis_says_so() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    // Arrange: a platform whose every answer is a body without end.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = socket.read(&mut [0_u8; 4096]).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\
                            transfer-encoding: chunked\r\n\r\n";
                let chunk = format!("4000\r\n{}\r\n", "z".repeat(0x4000));
                let _ = socket.write_all(head.as_bytes()).await;
                while socket.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    let report_dir = tempfile::tempdir().unwrap();
    let mut profile = profile_for(&format!("http://{address}"));
    profile.timeouts.request_ms = 20_000;
    let options = RunOptions {
        max_body_bytes: 64 * 1024,
        ..RunOptions::new(profile, report_dir.path().to_path_buf())
    };
    // Act
    let started = Instant::now();
    let error = run(options).await.expect_err("the preflight stops the run");
    // Assert
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let diagnosis = error
        .downcast_ref::<PreflightBlocked>()
        .unwrap()
        .diagnosis
        .clone();
    assert!(
        diagnosis.contains("the answer's body was cut at 64 KiB"),
        "{diagnosis}"
    );
}

/// The token request of a platform that trusts the web PKI roots only, made on a thread of
/// its own (a wiremock responder is synchronous): whether it got an answer.
fn untrusting_token_request(token_endpoint: String) -> bool {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            reqwest::Client::new()
                .post(token_endpoint)
                .form(&[("grant_type", "authorization_code")])
                .send()
                .await
                .is_ok()
        })
    })
    .join()
    .unwrap()
}

#[tokio::test]
async fn the_preflight_says_a_platform_refused_the_https_mocks_certificate_and_how_to_trust_it() {
    // Arrange: a platform that learns the mock's endpoints from its start URL, carries the
    // token endpoint in its state, and at the callback calls the token endpoint without
    // trusting the mock's CA, then says linking failed.
    let server = MockServer::start().await;
    let base = server.uri();
    let link = {
        let base = base.clone();
        move |request: &wiremock::Request| {
            let query: std::collections::HashMap<_, _> = request.url.query_pairs().collect();
            let mut to = url::Url::parse(&query["as"]).unwrap();
            to.query_pairs_mut()
                .append_pair("response_type", "code")
                .append_pair("client_id", "gauntlet-platform")
                .append_pair("redirect_uri", &format!("{base}/callback"))
                .append_pair("scope", "read")
                .append_pair("state", &query["tok"]);
            ResponseTemplate::new(302).insert_header("location", to.as_str())
        }
    };
    let callback = |request: &wiremock::Request| {
        let query: std::collections::HashMap<_, _> = request.url.query_pairs().collect();
        let answered = untrusting_token_request(query["state"].to_string());
        ResponseTemplate::new(200).set_body_string(if answered {
            "Account linked"
        } else {
            "Linking failed"
        })
    };
    Mock::given(wiremock::matchers::path("/link"))
        .respond_with(link)
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/callback"))
        .respond_with(callback)
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/whoami"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"linked":false}"#))
        .mount(&server)
        .await;
    let text = include_str!("../../../fixtures/platforms/reference.toml")
        .replace(
            "embedded = \"reference\"",
            &format!("base_url = \"{base}\""),
        )
        .replace(
            "client_secret = \"gauntlet:secret+/=&%\"",
            "auth_method = \"none\"",
        )
        .replace("auth_method = \"client_secret_basic\"", "")
        .replace("pkce = \"s256_required\"", "pkce = \"optional\"")
        .replace(
            "/link?session={session}",
            "/link?session={session}&as={authorization_endpoint}&tok={token_endpoint}",
        )
        + "\n[provider]\ntls = true\n";
    let profile: PlatformProfile = toml::from_str(&text).expect("the profile parses");
    // Act
    let diagnosis = preflight_stops(profile).await;
    // Assert: blocked (not left to the scenarios), with the CA file and how to give it.
    assert!(
        diagnosis
            .starts_with("the platform refused the mock's TLS certificate: give it the CA at ")
            && diagnosis.contains("ca.pem")
            && diagnosis.contains("NODE_EXTRA_CA_CERTS")
            && diagnosis.contains("alert unknown_ca"),
        "{diagnosis}"
    );
}
