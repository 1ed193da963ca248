//! The gate in front of the control API: a web page the tester visits cannot drive it, neither
//! by a cross-site `text/plain` POST nor by DNS rebinding (a foreign `Host`), nor with a foreign
//! `Origin`; with `admin.token` set, only a request bearing it is served.

use mock_provider::{AdminConfig, MockProvider, ProviderConfig};
use oauth_vocab::Secret;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::*;

const EVIL_CLIENT: &str =
    r#"{"client_id": "evil", "client_secret": "s", "redirect_uris": ["https://evil.test/cb"]}"#;

/// The ids of the registered clients, read through the library.
async fn client_ids(provider: &MockProvider, http: &reqwest::Client) -> Vec<String> {
    let response = http
        .get(admin_url(provider, "/clients"))
        .send()
        .await
        .expect("the control API answers");
    assert_eq!(response.status(), StatusCode::OK);
    json(response)
        .await
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["client_id"].as_str().expect("an id").to_owned())
        .collect()
}

/// Asserts a JSON refusal with this status and `error`; returns the description.
async fn refused(response: reqwest::Response, status: StatusCode, error: &str) -> String {
    assert_eq!(response.status(), status);
    let body: Value = json(response).await;
    assert_eq!(body["error"], error, "{body}");
    body["error_description"]
        .as_str()
        .expect("a description")
        .to_owned()
}

#[tokio::test]
async fn a_cross_site_text_plain_post_registers_no_client() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let response = http
        .post(admin_url(&provider, "/clients"))
        .header("content-type", "text/plain")
        .body(EVIL_CLIENT)
        .send()
        .await
        .expect("the control API answers");
    // Assert
    let why = refused(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    assert!(why.contains("application/json"), "{why}");
    assert!(
        !client_ids(&provider, &http)
            .await
            .contains(&"evil".to_owned())
    );
}

#[tokio::test]
async fn a_form_post_mounts_no_fault() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let response = http
        .post(admin_url(&provider, "/faults"))
        .form(&[("on", "token"), ("kind", "html")])
        .send()
        .await
        .expect("the control API answers");
    // Assert
    refused(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let faults = http
        .get(admin_url(&provider, "/faults"))
        .send()
        .await
        .expect("answers");
    assert_eq!(json(faults).await, serde_json::json!([]));
}

#[tokio::test]
async fn a_delete_with_a_text_body_is_refused_and_one_without_a_body_is_served() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let with_body = http
        .delete(admin_url(&provider, "/journal"))
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .expect("answers");
    let bare = http
        .delete(admin_url(&provider, "/journal"))
        .send()
        .await
        .expect("answers");
    // Assert
    assert_eq!(with_body.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(bare.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_foreign_host_cannot_read_the_journal() {
    // Arrange: a rebinding page's request arrives at the loopback port under its own name.
    let (provider, http) = start().await;
    let _ = issued_tokens(&provider, &http).await;
    let port = provider.address().port();
    // Act
    let response = http
        .get(admin_url(&provider, "/journal?reveal=true"))
        .header("host", format!("rebind.evil.test:{port}"))
        .send()
        .await
        .expect("the control API answers");
    // Assert
    let why = refused(response, StatusCode::FORBIDDEN, "forbidden").await;
    assert!(why.contains("rebind.evil.test"), "{why}");
}

#[tokio::test]
async fn the_loopback_names_with_the_port_are_served() {
    // Arrange
    let (provider, http) = start().await;
    let port = provider.address().port();
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("LOCALHOST:{port}"),
    ] {
        // Act
        let response = http
            .get(admin_url(&provider, "/journal"))
            .header("host", &host)
            .send()
            .await
            .expect("answers");
        // Assert
        assert_eq!(response.status(), StatusCode::OK, "{host}");
    }
    let other_port = http
        .get(admin_url(&provider, "/journal"))
        .header("host", format!("localhost:{}", port.wrapping_add(1)))
        .send()
        .await
        .expect("answers");
    assert_eq!(other_port.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_foreign_origin_is_refused_even_with_json() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let read = http
        .get(admin_url(&provider, "/journal"))
        .header("origin", "http://evil.test")
        .send()
        .await
        .expect("answers");
    let write = http
        .post(admin_url(&provider, "/clients"))
        .header("origin", "null")
        .header("content-type", "application/json")
        .body(EVIL_CLIENT)
        .send()
        .await
        .expect("answers");
    // Assert
    refused(read, StatusCode::FORBIDDEN, "forbidden").await;
    let why = refused(write, StatusCode::FORBIDDEN, "forbidden").await;
    assert!(why.contains("Origin"), "{why}");
    assert!(
        !client_ids(&provider, &http)
            .await
            .contains(&"evil".to_owned())
    );
}

#[tokio::test]
async fn the_providers_own_origin_is_served() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let response = http
        .get(admin_url(&provider, "/journal"))
        .header("origin", provider.uri())
        .send()
        .await
        .expect("answers");
    // Assert
    assert_eq!(response.status(), StatusCode::OK);
}

fn with_token(token: &str) -> ProviderConfig {
    ProviderConfig {
        admin: AdminConfig {
            token: Some(Secret::new(token)),
            ..AdminConfig::default()
        },
        ..ProviderConfig::default()
    }
}

#[tokio::test]
async fn a_configured_token_is_required() {
    // Arrange
    let (provider, http) = start_with(with_token("adm1n-t0ken")).await;
    let url = admin_url(&provider, "/clients");
    // Act
    let missing = http
        .post(&url)
        .header("content-type", "application/json")
        .body(EVIL_CLIENT);
    let wrong = http
        .post(&url)
        .bearer_auth("adm1n-t0kem")
        .header("content-type", "application/json")
        .body(EVIL_CLIENT);
    let missing = missing.send().await.expect("answers");
    let wrong = wrong.send().await.expect("answers");
    // Assert
    assert!(missing.headers().contains_key("www-authenticate"));
    refused(missing, StatusCode::UNAUTHORIZED, "unauthorized").await;
    refused(wrong, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let journal = http
        .get(admin_url(&provider, "/journal"))
        .send()
        .await
        .expect("answers");
    assert_eq!(journal.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_right_token_is_served() {
    // Arrange
    let (provider, http) = start_with(with_token("adm1n-t0ken")).await;
    // Act
    let created = http
        .post(admin_url(&provider, "/clients"))
        .bearer_auth("adm1n-t0ken")
        .header("content-type", "application/json")
        .body(EVIL_CLIENT)
        .send()
        .await
        .expect("answers");
    let listed = http
        .get(admin_url(&provider, "/clients"))
        .bearer_auth("adm1n-t0ken")
        .send()
        .await
        .expect("answers");
    // Assert
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(listed.status(), StatusCode::OK);
}

#[test]
fn an_empty_token_is_refused_at_load() {
    let err = ProviderConfig::from_toml("[admin]\ntoken = \"\"")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("admin.token"), "{err}");
}
