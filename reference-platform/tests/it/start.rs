//! Start-up: the metadata is checked, and the platform refuses to run without S256, with
//! another issuer, or without a provider.

use std::future::IntoFuture as _;

use axum::Router;
use axum::routing::get;
use reference_platform::{Platform, PlatformConfig, StartError};
use serde_json::{Value, json};

use crate::support::*;

/// Serves `document(base)` as metadata at every well-known URL.
async fn fake_provider(document: impl Fn(&str) -> Value) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let body = document(&base);
    let app = Router::new().route(
        "/.well-known/oauth-authorization-server",
        get(move || async move { axum::Json(body) }),
    );
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).into_future().await;
    });
    (base, task)
}

fn metadata(base: &str) -> Value {
    json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
    })
}

fn config(issuer: &str) -> PlatformConfig {
    PlatformConfig {
        issuer: issuer.into(),
        resource_url: format!("{issuer}/api"),
        client_secret: Some("s".into()),
        ..PlatformConfig::default()
    }
}

#[tokio::test]
async fn a_provider_without_s256_is_refused() {
    for methods in [json!(["plain"]), json!(null)] {
        let (base, _task) = fake_provider(|base| {
            let mut doc = metadata(base);
            doc["code_challenge_methods_supported"] = methods.clone();
            doc
        })
        .await;
        let error = Platform::start(config(&base)).await.unwrap_err();
        assert!(
            matches!(error, StartError::S256Unsupported { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("S256"));
    }
}

#[tokio::test]
async fn metadata_naming_another_issuer_is_refused() {
    let (base, _task) = fake_provider(|base| {
        let mut doc = metadata(base);
        doc["issuer"] = json!("https://attacker.invalid");
        doc
    })
    .await;
    let error = Platform::start(config(&base)).await.unwrap_err();
    assert!(
        matches!(error, StartError::IssuerMismatch { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn minimal_metadata_is_enough() {
    let (base, _task) = fake_provider(metadata).await;
    let platform = Platform::start(config(&base)).await.unwrap();
    assert_eq!(
        platform.redirect_uri(),
        format!("{}/callback", platform.uri())
    );
}

#[tokio::test]
async fn an_unreachable_provider_is_refused() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let error = Platform::start(config(&base)).await.unwrap_err();
    assert!(matches!(error, StartError::Discovery { .. }), "{error}");
}

#[tokio::test]
async fn a_plain_http_provider_off_loopback_is_refused() {
    let error = Platform::start(config("http://auth.example.com"))
        .await
        .unwrap_err();
    assert!(matches!(error, StartError::Insecure { .. }), "{error}");
}

#[tokio::test]
async fn a_tenant_issuer_is_discovered_by_path_insertion() {
    let provider = mock_provider::MockProvider::start().await.unwrap();
    let mut config = platform_config(&provider);
    config.issuer = provider.urls(Some("acme")).issuer();
    config.resource_url = provider
        .urls(Some("acme"))
        .url(&provider.config().resource.path);
    let platform = Platform::start(config).await.unwrap();
    provider.register_client(client(&platform)).unwrap();
    let setup = Setup { provider, platform };
    assert_linked_page(&link(&setup, &browser(), "s").await);
    assert_eq!(whoami(&setup, "s").await["linked"], true);
    let discovery = requests_to(&setup, "/.well-known/oauth-authorization-server/t/acme");
    assert_eq!(discovery.len(), 1);
}

#[tokio::test]
async fn a_custom_redirect_path_is_served() {
    let setup = setup_with(
        mock_provider::ProviderConfig::default(),
        |p| p.redirect_path = "/oauth/done".into(),
        |_| {},
    )
    .await;
    assert!(setup.platform.redirect_uri().ends_with("/oauth/done"));
    assert_linked_page(&link(&setup, &browser(), "s").await);
}

#[tokio::test]
async fn dropping_the_platform_stops_it() {
    let setup = setup().await;
    let base = setup.platform.uri();
    assert_eq!(
        http()
            .get(format!("{base}/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    drop(setup);
    // Shutting down takes a moment on a busy machine: ask again until the port is closed
    // (at most about 10 s), rather than trusting one fixed pause.
    let mut closed = false;
    for _ in 0..200 {
        if http().get(format!("{base}/health")).send().await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(closed, "the platform still answers after being dropped");
}

#[tokio::test]
async fn an_https_provider_is_trusted_through_its_ca_file_and_refused_without_it() {
    // Arrange: a mock serving HTTPS with a throwaway CA.
    let provider = mock_provider::MockProvider::builder()
        .tls(true)
        .start()
        .await
        .unwrap();
    let ca_file = provider.ca_file().expect("a TLS mock has a CA file");

    // Act: without the CA, then with it.
    let refused = Platform::start(platform_config(&provider))
        .await
        .unwrap_err();
    let trusting = PlatformConfig {
        ca_file: Some(ca_file.to_path_buf()),
        ..platform_config(&provider)
    };
    let started = Platform::start(trusting).await;

    // Assert: the refusal names the provider's host and the untrusted CA; the mock saw the
    // platform refuse its certificate; with the CA the platform starts.
    assert!(matches!(refused, StartError::Discovery { .. }), "{refused}");
    let shown = refused.to_string();
    let host = format!("{}", provider.address());
    assert!(shown.contains(&host), "{shown}");
    assert!(shown.contains("does not trust"), "{shown}");
    provider.handshakes_settled().await;
    let (_, failures) = provider.handshake_failures();
    assert!(
        failures.iter().any(|f| f.certificate_refused),
        "{failures:?}"
    );
    started.expect("the platform starts once it trusts the mock's CA");
}

#[tokio::test]
async fn a_ca_file_without_certificates_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.pem");
    std::fs::write(&path, "no certificate here\n").unwrap();
    let config = PlatformConfig {
        ca_file: Some(path),
        ..config("http://127.0.0.1:9")
    };
    let error = Platform::start(config).await.unwrap_err();
    assert!(
        matches!(
            error,
            StartError::Config {
                field: "ca_file",
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("empty.pem"), "{error}");
}

#[tokio::test]
async fn an_https_issuer_naming_a_plain_token_endpoint_is_refused_unless_the_defect_is_on() {
    // Arrange: a TLS mock whose metadata names a plain-HTTP token endpoint (a downgrade).
    let provider = mock_provider::MockProvider::builder()
        .tls(true)
        .plain_token_endpoint(true)
        .start()
        .await
        .unwrap();
    let trusting = PlatformConfig {
        ca_file: provider.ca_file().map(ToOwned::to_owned),
        ..platform_config(&provider)
    };

    // Act
    let refused = Platform::start(trusting.clone()).await.unwrap_err();
    let defective = Platform::start(PlatformConfig {
        defects: "plain_token_endpoint".parse().unwrap(),
        ..trusting
    })
    .await;

    // Assert
    assert!(
        matches!(
            refused,
            StartError::Downgrade {
                name: "token_endpoint",
                ..
            }
        ),
        "{refused}"
    );
    let plain = provider.plain_token_endpoint().unwrap();
    assert!(refused.to_string().contains(&plain), "{refused}");
    defective.expect("the defect lets the downgrade through");
}
