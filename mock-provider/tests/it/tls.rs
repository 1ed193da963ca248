//! HTTPS (`tls = true`): a PKCE flow through a client that trusts only the mock's throwaway CA,
//! a client that does not trust it, plain HTTP sent to the TLS port, the CA file, and `--tls`
//! on the binary.

use std::time::Duration;

use mock_provider::{Limits, MockProvider, ProviderConfig};
use reqwest::redirect::Policy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

/// Far longer than any answer takes: only a hang reaches it.
const HANG: Duration = Duration::from_secs(30);

async fn start_tls(config: ProviderConfig) -> MockProvider {
    MockProvider::builder()
        .config(config)
        .tls(true)
        .seed(7)
        .start()
        .await
        .expect("a TLS provider starts")
}

/// A non-redirecting client that trusts this CA and nothing else.
pub(crate) fn trusting(ca_pem: &str) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("the CA parses");
    reqwest::Client::builder()
        .redirect(Policy::none())
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .build()
        .expect("client builds")
}

fn ca_pem(provider: &MockProvider) -> &str {
    provider.ca_pem().expect("a TLS provider has a CA")
}

/// Every URL-valued string of a JSON document.
fn urls(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::String(s) if s.contains("://") => vec![s.clone()],
        serde_json::Value::Array(items) => items.iter().flat_map(urls).collect(),
        serde_json::Value::Object(map) => map.values().flat_map(urls).collect(),
        _ => Vec::new(),
    }
}

/// The errors behind an error, outermost first, as one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

async fn metadata_status(provider: &MockProvider, http: &reqwest::Client) -> u16 {
    http.get(provider.metadata_url())
        .send()
        .await
        .expect("metadata answers over TLS")
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_pkce_flow_runs_over_https_with_only_the_mocks_ca_trusted() {
    // Arrange
    let provider = start_tls(ProviderConfig::default()).await;
    let http = trusting(ca_pem(&provider));

    // Act
    let metadata = json(
        http.get(provider.metadata_url())
            .send()
            .await
            .expect("metadata answers"),
    )
    .await;
    let tokens = issued_tokens(&provider, &http).await;

    // Assert
    assert!(
        provider.uri().starts_with("https://127.0.0.1:"),
        "{provider:?}"
    );
    assert_eq!(metadata["issuer"], provider.uri());
    let urls = urls(&metadata);
    assert!(urls.len() >= 5, "{metadata}");
    for url in urls {
        assert!(url.starts_with("https://"), "{url} in {metadata}");
    }
    assert!(
        tokens["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "{tokens}"
    );
    assert_eq!(tokens["token_type"], "Bearer");
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_fails_the_handshake() {
    // Arrange: a client that trusts another mock's CA, and no built-in roots.
    let provider = start_tls(ProviderConfig::default()).await;
    let other = start_tls(ProviderConfig::default()).await;
    let http = trusting(ca_pem(&other));

    // Act
    let error = http
        .get(provider.metadata_url())
        .send()
        .await
        .expect_err("an unknown issuer is refused");

    // Assert
    let text = chain(&error);
    assert!(error.is_connect(), "{text}");
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    assert!(provider.journal().is_empty(), "no request got through");
    // The refusal is recorded, with the alert the client sent and no request content.
    tokio::time::timeout(HANG, provider.handshakes_settled())
        .await
        .expect("the refused handshake ends");
    let (total, failures) = provider.handshake_failures();
    assert_eq!(total, 1, "{failures:?}");
    assert!(failures[0].certificate_refused, "{failures:?}");
    assert!(failures[0].reason.contains("alert"), "{failures:?}");
    assert_eq!(other.handshake_failures().0, 0);
}

#[tokio::test]
async fn plain_http_to_the_tls_port_is_closed_and_tls_is_still_served() {
    // Arrange
    let provider = start_tls(ProviderConfig::default()).await;
    let mut socket = TcpStream::connect(provider.address())
        .await
        .expect("connects");

    // Act: a plain-text request where a TLS ClientHello belongs.
    socket
        .write_all(b"GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("writes");
    let closed = tokio::time::timeout(HANG, async {
        let mut received = Vec::new();
        let mut buf = [0_u8; 1024];
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return received,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;

    // Assert: closed (at most a TLS alert, never an HTTP answer), and the mock still serves.
    let received = closed.expect("the mock closes the connection");
    assert!(!received.starts_with(b"HTTP/"), "{received:?}");
    let http = trusting(ca_pem(&provider));
    assert_eq!(metadata_status(&provider, &http).await, 200);
    // A failed handshake, but no refused certificate: the client never saw one.
    let (total, failures) = provider.handshake_failures();
    assert_eq!(total, 1, "{failures:?}");
    assert!(!failures[0].certificate_refused, "{failures:?}");
}

#[tokio::test]
async fn a_stalled_handshake_is_cut_after_the_header_read_timeout() {
    // Arrange: a short head timeout; the idle timeout (60 s) alone would outlast HANG.
    let provider = start_tls(ProviderConfig {
        limits: Limits {
            header_read_timeout_ms: 200,
            ..Limits::default()
        },
        ..ProviderConfig::default()
    })
    .await;
    let mut socket = TcpStream::connect(provider.address())
        .await
        .expect("connects");

    // Act: the first bytes of a TLS handshake record, then nothing.
    socket
        .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .await
        .expect("writes");
    let closed = tokio::time::timeout(HANG, async {
        let mut buf = [0_u8; 1024];
        while let Ok(n) = socket.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;

    // Assert
    assert!(closed.is_ok(), "the handshake was never cut");
}

#[tokio::test]
async fn the_ca_file_holds_the_pem_certificate_and_goes_where_it_is_told() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let wanted = dir.path().join("mock-ca.pem");
    let default_place = start_tls(ProviderConfig::default()).await;
    let told = start_tls(ProviderConfig {
        tls_ca_file: Some(wanted.clone()),
        ..ProviderConfig::default()
    })
    .await;

    // Act
    let file = default_place.ca_file().expect("a CA file").to_path_buf();
    let written = std::fs::read_to_string(&file).expect("the CA file exists");

    // Assert
    assert!(
        written.starts_with("-----BEGIN CERTIFICATE-----"),
        "{written}"
    );
    assert!(
        written.trim_end().ends_with("-----END CERTIFICATE-----"),
        "{written}"
    );
    assert_eq!(written, ca_pem(&default_place));
    assert!(reqwest::Certificate::from_pem(written.as_bytes()).is_ok());
    assert_eq!(told.ca_file(), Some(wanted.as_path()));
    assert_eq!(std::fs::read_to_string(&wanted).unwrap(), ca_pem(&told));
    drop(default_place);
    assert!(
        !file.exists(),
        "the temporary CA file goes with the provider"
    );
}

#[tokio::test]
async fn tls_true_in_a_profile_serves_https_and_without_it_there_is_no_ca() {
    // Arrange
    let config = ProviderConfig::from_toml("tls = true").expect("the profile parses");
    let plain = MockProvider::start().await.expect("starts");

    // Act
    let provider = MockProvider::builder()
        .config(config)
        .start()
        .await
        .expect("starts");

    // Assert
    assert!(provider.uri().starts_with("https://"), "{provider:?}");
    assert_eq!(
        metadata_status(&provider, &trusting(ca_pem(&provider))).await,
        200
    );
    assert!(plain.uri().starts_with("http://"));
    assert_eq!((plain.ca_pem(), plain.ca_file()), (None, None));
}

#[tokio::test]
async fn the_binary_with_tls_prints_an_https_url_and_the_ca_path() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let ca = dir.path().join("ca.pem");
    let mut running =
        Running::start(binary(["--addr", "127.0.0.1:0", "--tls", "--ca-out"]).arg(&ca));

    // Act
    let logged = running.stderr_line();
    let pem = std::fs::read_to_string(&ca).expect("the CA file is written before the URL");
    let base = running.base.clone();
    let status = trusting(&pem)
        .get(format!("{base}/.well-known/oauth-authorization-server"))
        .send()
        .await
        .map(|r| r.status().as_u16());
    drop(running);

    // Assert
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    assert!(logged.contains(&ca.display().to_string()), "{logged}");
    assert_eq!(status.expect("metadata answers over TLS"), 200);
}
