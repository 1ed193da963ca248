//! The `reference-platform` binary: prints its base URL once ready, logs nothing secret even at
//! trace level, and exits 2 when it cannot start.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use reqwest::cookie::{CookieStore as _, Jar};

use mock_provider::{Fault, FaultKind, MockProvider};
use url::Url;

use crate::support::*;

const BIN: &str = env!("CARGO_BIN_EXE_reference-platform");

/// Starts the binary against `provider`; returns the child, its base URL, and a thread that
/// collects its stderr until it exits.
async fn launch(
    provider: &MockProvider,
    log_filter: &str,
) -> (Child, String, std::thread::JoinHandle<String>) {
    let mut child = Command::new(BIN)
        .args(["--issuer", &provider.uri(), "--listen", "127.0.0.1:0"])
        .args(["--client-id", CLIENT_ID, "--token-timeout-ms", "1000"])
        .args(["--scope", "read", "--scope", "profile"])
        .env("REFERENCE_CLIENT_SECRET", SECRET)
        .env("RUST_LOG", log_filter)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    (child, line.trim().to_owned(), logs)
}

fn stop(mut child: Child, logs: std::thread::JoinHandle<String>) -> String {
    let _ = child.kill();
    let _ = child.wait();
    logs.join().unwrap()
}

#[tokio::test]
async fn the_binary_prints_its_base_url_and_serves() {
    let provider = MockProvider::start().await.unwrap();
    let (child, base, logs) = launch(&provider, "off").await;
    let health = reqwest::get(format!("{base}/health")).await;
    stop(child, logs);
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert_eq!(health.unwrap().text().await.unwrap(), "ok");
}

#[tokio::test]
async fn the_binary_logs_no_secret_even_at_trace_level() {
    // Arrange
    let provider = MockProvider::start().await.unwrap();
    let (child, base, logs) = launch(&provider, "trace").await;
    provider
        .register_client(mock_provider::ClientConfig {
            client_id: CLIENT_ID.into(),
            client_secret: Some(SECRET.into()),
            redirect_uris: vec![format!("{base}/callback")],
            ..mock_provider::ClientConfig::default()
        })
        .unwrap();
    Fault::token(FaultKind::ExpireEarly { after_secs: 0 })
        .once()
        .mount(&provider);
    let jar = Arc::new(Jar::default());
    let browser = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let http = http();

    // Act: link, refresh, a replayed callback, a failed exchange, unlink.
    let response = browser
        .get(format!("{base}/link?session=s"))
        .send()
        .await
        .unwrap();
    let callback = authorize(&browser, &location(&response)).await;
    assert_linked_page(&visit(&browser, &callback).await);
    let who = http
        .get(format!("{base}/whoami?session=s"))
        .send()
        .await
        .unwrap();
    assert!(who.text().await.unwrap().contains("\"linked\":true"));
    assert_failure(&visit(&browser, &callback).await, "state");
    Fault::token(FaultKind::status(500)).once().mount(&provider);
    let response = browser
        .get(format!("{base}/link?session=t"))
        .send()
        .await
        .unwrap();
    let failed = authorize(&browser, &location(&response)).await;
    assert_failure(&visit(&browser, &failed).await, "token endpoint");
    http.post(format!("{base}/unlink?session=s"))
        .send()
        .await
        .unwrap();
    let logs = stop(child, logs);

    // Assert
    assert!(logs.contains("account linked"), "nothing logged: {logs}");
    let mut secrets = vec![SECRET.to_owned()];
    for url in [&callback, &failed] {
        secrets.extend(["code", "state"].map(|n| param(url, n).unwrap()));
    }
    for entry in provider.journal() {
        for name in ["code", "code_verifier", "refresh_token", "token", "state"] {
            secrets.extend(entry.param(name).map(str::to_owned));
        }
        if let Ok(body) = serde_json::from_str::<serde_json::Value>(&entry.response.body) {
            for member in ["access_token", "refresh_token"] {
                secrets.extend(body[member].as_str().map(str::to_owned));
            }
        }
        if let Some(authorization) = entry.header("authorization") {
            secrets.push(authorization.split_once(' ').unwrap().1.to_owned());
        }
    }
    let base_url = Url::parse(&base).unwrap();
    let cookies = jar.cookies(&base_url).unwrap();
    let cookie = cookies
        .to_str()
        .unwrap()
        .strip_prefix("rp_browser=")
        .unwrap();
    secrets.push(cookie.to_owned());
    assert!(secrets.len() > 10);
    for secret in secrets {
        assert!(!logs.contains(&secret), "{secret} leaked into the logs");
    }
}

#[tokio::test]
async fn the_binary_exits_2_when_the_provider_is_unusable() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let status = tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args([
                "--issuer",
                &issuer,
                "--listen",
                "127.0.0.1:0",
                "--client-secret",
                "x",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(status.code(), Some(2));
}

#[test]
fn an_unknown_defect_is_refused_by_name() {
    let output = Command::new(BIN)
        .args([
            "--issuer",
            "http://127.0.0.1:9",
            "--defects",
            "no_pkce,no_such_bug",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no_such_bug"), "{stderr}");
}
