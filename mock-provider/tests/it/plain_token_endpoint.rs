//! `plain_token_endpoint`: an HTTPS issuer whose metadata names a plain-HTTP token endpoint (a
//! downgrade). The plain listener journals every request as plain, refuses a token request with
//! `transport.plain_http`, and the option means nothing (a start error) without TLS.

use mock_provider::{Endpoint, Finding, MockProvider, ProviderConfig, StartError};

use crate::support::*;
use crate::tls::trusting;

async fn start_downgraded() -> MockProvider {
    MockProvider::builder()
        .tls(true)
        .plain_token_endpoint(true)
        .seed(7)
        .start()
        .await
        .expect("a TLS provider with a plain token endpoint starts")
}

#[tokio::test]
async fn the_metadata_names_a_plain_token_endpoint_and_everything_else_https() {
    // Arrange
    let provider = start_downgraded().await;
    let http = trusting(provider.ca_pem().expect("a CA"));

    // Act
    let metadata = json(
        http.get(provider.metadata_url())
            .send()
            .await
            .expect("metadata answers over TLS"),
    )
    .await;

    // Assert
    let plain = provider
        .plain_token_endpoint()
        .expect("a plain token endpoint");
    assert_eq!(metadata["token_endpoint"], plain.as_str(), "{metadata}");
    let url = url::Url::parse(&plain).expect("a URL");
    assert_eq!(url.scheme(), "http");
    assert_eq!(url.path(), "/token");
    assert_eq!(url.host_str(), Some("127.0.0.1"));
    assert_ne!(url.port(), Some(provider.address().port()));
    assert_eq!(metadata["issuer"], provider.uri());
    assert!(provider.uri().starts_with("https://"));
    for member in [
        "authorization_endpoint",
        "revocation_endpoint",
        "registration_endpoint",
        "userinfo_endpoint",
    ] {
        let value = metadata[member].as_str().unwrap_or_default();
        assert!(value.starts_with("https://"), "{member}: {metadata}");
    }
    // The tenant's metadata names the tenant's token path on the plain listener.
    let tenant = json(
        http.get(provider.urls(Some("acme")).metadata_url())
            .send()
            .await
            .expect("the tenant's metadata answers"),
    )
    .await;
    assert_eq!(
        tenant["token_endpoint"],
        plain.replace("/token", "/t/acme/token")
    );
}

#[tokio::test]
async fn a_code_sent_over_plain_http_is_refused_and_journaled_as_plain() {
    // Arrange: a code issued over HTTPS.
    let provider = start_downgraded().await;
    let https = trusting(provider.ca_pem().expect("a CA"));
    let code = code(&provider, &https).await;
    let plain = provider
        .plain_token_endpoint()
        .expect("a plain token endpoint");

    // Act: the client follows the metadata to the plain token endpoint.
    let response = http()
        .post(&plain)
        .header(
            "authorization",
            oauth_vocab::basic::encode(CLIENT_ID, SECRET),
        )
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .expect("the plain listener answers");

    // Assert: refused, never a token.
    assert_eq!(response.status(), 400);
    let body = json(response).await;
    assert_eq!(body["error"], "invalid_request", "{body}");
    assert_eq!(
        body["error_description"], "the token endpoint requires TLS",
        "{body}"
    );
    assert!(body.get("access_token").is_none(), "{body}");
    let journal = provider.journal();
    let request = journal.last().expect("the request is journaled");
    assert!(request.plain_http, "{request:?}");
    assert_eq!(request.endpoint, Endpoint::Token);
    assert!(
        request.has_finding(Finding::TransportPlainHttp),
        "{request:?}"
    );
    assert_eq!(request.client_id.as_deref(), Some(CLIENT_ID));
    assert_eq!(request.flows.len(), 1, "tied to its flow by the code");
    assert!(
        request.summary().contains("(plain http)"),
        "{}",
        request.summary()
    );
    let finding = format!("{:?}", request.findings);
    assert!(finding.contains("the authorization code"), "{finding}");
    assert!(
        journal[..journal.len() - 1].iter().all(|e| !e.plain_http),
        "the requests over HTTPS are not marked plain"
    );
}

#[tokio::test]
async fn other_requests_on_the_plain_listener_are_served_and_marked_plain() {
    // Arrange
    let provider = start_downgraded().await;
    let plain = provider
        .plain_token_endpoint()
        .expect("a plain token endpoint");
    let metadata_url = plain.replace("/token", "/.well-known/oauth-authorization-server");

    // Act
    let response = http().get(&metadata_url).send().await.expect("answers");

    // Assert
    assert_eq!(response.status(), 200);
    let journal = provider.journal();
    assert_eq!(journal.len(), 1);
    assert!(journal[0].plain_http);
    assert_eq!(journal[0].endpoint, Endpoint::Metadata);
    assert!(journal[0].findings.is_empty(), "{:?}", journal[0].findings);
}

#[tokio::test]
async fn without_tls_the_option_is_a_start_error() {
    // Arrange
    let config = ProviderConfig::from_toml("plain_token_endpoint = true").expect("parses");

    // Act
    let result = MockProvider::builder().config(config).start().await;
    let plain = MockProvider::start().await.expect("starts");

    // Assert
    let error = result.expect_err("no downgrade without TLS");
    assert!(matches!(error, StartError::PlainWithoutTls), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("plain_token_endpoint needs tls = true"),
        "{error}"
    );
    assert_eq!(plain.plain_token_endpoint(), None);
    assert_eq!(
        plain.metadata(None)["token_endpoint"],
        plain.token_endpoint()
    );
}

#[test]
fn the_binary_refuses_the_flag_without_tls() {
    let output = binary(["--addr", "127.0.0.1:0", "--plain-token-endpoint"])
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("plain_token_endpoint needs tls = true"),
        "{stderr}"
    );
}
