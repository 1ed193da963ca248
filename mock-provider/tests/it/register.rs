//! Dynamic client registration (RFC 7591 §2, §3.1, §3.2.1, §3.2.2).

use mock_provider::MockProvider;
use mock_provider::pkce::s256_challenge;
use oauth_vocab::form_encode;
use serde_json::json;

use crate::support::*;

const BOT_REDIRECT: &str = "http://127.0.0.1/oauth/cb";

async fn register(
    provider: &MockProvider,
    http: &reqwest::Client,
    metadata: &serde_json::Value,
) -> reqwest::Response {
    http.post(provider.registration_endpoint())
        .json(metadata)
        .send()
        .await
        .expect("the registration endpoint answers")
}

async fn assert_error(response: reqwest::Response, error: &str) {
    assert_eq!(response.status(), 400);
    let body = json(response).await;
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].is_string(), "{body}");
}

/// How many clients the provider knows, read through the control API.
async fn client_count(provider: &MockProvider, http: &reqwest::Client) -> usize {
    let clients = http
        .get(admin_url(provider, "/clients"))
        .send()
        .await
        .unwrap();
    json(clients).await.as_array().expect("a list").len()
}

/// Authorizes a registered client with PKCE and returns the code.
async fn authorize_as(
    provider: &MockProvider,
    http: &reqwest::Client,
    client_id: &str,
    scope: Option<&str>,
) -> reqwest::Response {
    let mut params = vec![
        ("response_type", "code".to_owned()),
        ("client_id", client_id.to_owned()),
        ("redirect_uri", BOT_REDIRECT.to_owned()),
        ("state", "st".to_owned()),
        ("code_challenge", s256_challenge(VERIFIER)),
        ("code_challenge_method", "S256".to_owned()),
    ];
    if let Some(scope) = scope {
        params.push(("scope", scope.to_owned()));
    }
    authorize(provider, http, &params).await
}

#[tokio::test]
async fn registration_answers_201_with_credentials_and_the_metadata() {
    // Arrange
    let (provider, http) = start().await;
    let metadata = json!({
        "redirect_uris": [BOT_REDIRECT, "https://bot.test/cb"],
        "client_name": "Chat bot",
        "software_id": "ignored-by-the-mock",
    });
    // Act
    let response = register(&provider, &http, &metadata).await;
    // Assert
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = json(response).await;
    assert!(
        body["client_id"].as_str().is_some_and(|id| !id.is_empty()),
        "{body}"
    );
    assert!(
        body["client_secret"]
            .as_str()
            .is_some_and(|s| s.len() >= 32),
        "{body}"
    );
    assert_eq!(body["client_secret_expires_at"], 0);
    assert_eq!(
        body["redirect_uris"],
        json!([BOT_REDIRECT, "https://bot.test/cb"])
    );
    assert_eq!(body["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(body["client_name"], "Chat bot");
    assert_eq!(client_count(&provider, &http).await, 2);
}

#[tokio::test]
async fn two_registrations_get_different_client_ids() {
    // Arrange
    let (provider, http) = start().await;
    let metadata = json!({ "redirect_uris": [BOT_REDIRECT] });
    // Act
    let first = json(register(&provider, &http, &metadata).await).await;
    let second = json(register(&provider, &http, &metadata).await).await;
    // Assert
    assert_ne!(first["client_id"], second["client_id"]);
    assert_ne!(first["client_secret"], second["client_secret"]);
    assert_eq!(client_count(&provider, &http).await, 3);
}

#[tokio::test]
async fn a_public_client_gets_no_secret() {
    // Arrange
    let (provider, http) = start().await;
    let metadata = json!({ "redirect_uris": [BOT_REDIRECT], "token_endpoint_auth_method": "none" });
    // Act
    let response = register(&provider, &http, &metadata).await;
    // Assert
    assert_eq!(response.status(), 201);
    let body = json(response).await;
    assert_eq!(body["token_endpoint_auth_method"], "none");
    assert!(body.get("client_secret").is_none(), "{body}");
    assert!(body.get("client_secret_expires_at").is_none(), "{body}");
}

#[tokio::test]
async fn a_registered_client_completes_the_code_flow() {
    // Arrange
    let (provider, http) = start().await;
    let metadata = json!({ "redirect_uris": [BOT_REDIRECT] });
    let registered = json(register(&provider, &http, &metadata).await).await;
    let client_id = registered["client_id"].as_str().unwrap();
    let secret = registered["client_secret"].as_str().unwrap();
    // Act
    let authorized = authorize_as(&provider, &http, client_id, None).await;
    assert_eq!(authorized.status(), 302);
    let location = location(&authorized);
    assert!(location.as_str().starts_with(BOT_REDIRECT), "{location}");
    let code = query_param(&location, "code").expect("a code");
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", BOT_REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let issued = http
        .post(provider.token_endpoint())
        .header(
            "authorization",
            oauth_vocab::basic::encode(client_id, secret),
        )
        .form(&form)
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(issued.status(), 200);
    let access = json(issued).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let userinfo = http
        .get(provider.userinfo_endpoint())
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 200);
    assert!(!provider.journal_for(client_id).is_empty());
}

#[tokio::test]
async fn a_registered_public_client_redeems_with_pkce_only() {
    // Arrange
    let (provider, http) = start().await;
    let metadata = json!({ "redirect_uris": [BOT_REDIRECT], "token_endpoint_auth_method": "none" });
    let registered = json(register(&provider, &http, &metadata).await).await;
    let client_id = registered["client_id"].as_str().unwrap();
    let authorized = authorize_as(&provider, &http, client_id, None).await;
    let code = query_param(&location(&authorized), "code").expect("a code");
    // Act
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", BOT_REDIRECT),
        ("code_verifier", VERIFIER),
        ("client_id", client_id),
    ];
    let issued = http
        .post(provider.token_endpoint())
        .form(&form)
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(issued.status(), 200);
    assert!(json(issued).await["access_token"].is_string());
}

#[tokio::test]
async fn the_registered_scope_bounds_what_the_client_may_request() {
    // Arrange
    let (provider, http) = start().await;
    let metadata = json!({ "redirect_uris": [BOT_REDIRECT], "scope": "read" });
    let registered = json(register(&provider, &http, &metadata).await).await;
    assert_eq!(registered["scope"], "read");
    let client_id = registered["client_id"].as_str().unwrap();
    // Act
    let refused = authorize_as(&provider, &http, client_id, Some("read write")).await;
    // Assert
    assert_eq!(refused.status(), 302);
    let location = location(&refused);
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("invalid_scope")
    );
}

#[tokio::test]
async fn a_fragment_or_relative_redirect_uri_is_invalid_redirect_uri() {
    // Arrange
    let (provider, http) = start().await;
    for uri in [
        "https://bot.test/cb#frag",
        "https://bot.test/cb#",
        "/oauth/cb",
        "bot.test/cb",
        "https://bot.test/c b",
    ] {
        let metadata = json!({ "redirect_uris": [BOT_REDIRECT, uri] });
        // Act
        let response = register(&provider, &http, &metadata).await;
        // Assert
        assert_error(response, "invalid_redirect_uri").await;
    }
    assert_eq!(
        client_count(&provider, &http).await,
        1,
        "nothing was registered"
    );
}

#[tokio::test]
async fn a_plain_http_redirect_uri_is_refused_unless_its_host_is_loopback() {
    // Arrange
    let (provider, http) = start().await;
    for uri in [
        "http://client.gauntlet.test/callback",
        "HTTP://client.gauntlet.test/callback",
        "http://10.0.0.1/cb",
    ] {
        let metadata = json!({ "redirect_uris": [uri] });
        // Act
        let response = register(&provider, &http, &metadata).await;
        // Assert
        assert_error(response, "invalid_redirect_uri").await;
    }
    assert_eq!(
        client_count(&provider, &http).await,
        1,
        "nothing registered"
    );
    for uri in [
        "https://client.gauntlet.test/callback",
        "http://127.0.0.1/cb",
        "http://[::1]/cb",
        "http://localhost/cb",
    ] {
        let metadata = json!({ "redirect_uris": [uri] });
        let response = register(&provider, &http, &metadata).await;
        assert_eq!(response.status(), 201, "{uri} is accepted");
    }
}

#[tokio::test]
async fn missing_redirect_uris_is_invalid_redirect_uri() {
    // Arrange
    let (provider, http) = start().await;
    for metadata in [json!({}), json!({ "redirect_uris": [] })] {
        // Act
        let response = register(&provider, &http, &metadata).await;
        // Assert
        assert_error(response, "invalid_redirect_uri").await;
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_metadata_is_invalid_client_metadata() {
    // Arrange
    let (provider, http) = start().await;
    let url = provider.registration_endpoint();
    let valid = json!({ "redirect_uris": [BOT_REDIRECT] }).to_string();
    let cases = [
        (Some("application/json"), "{not json".to_owned()),
        (Some("application/json"), "[]".to_owned()),
        (
            Some("application/json"),
            json!([[BOT_REDIRECT]]).to_string(),
        ),
        (
            Some("application/json"),
            json!({ "redirect_uris": BOT_REDIRECT }).to_string(),
        ),
        (
            Some("application/x-www-form-urlencoded"),
            format!("redirect_uris={}", form_encode(BOT_REDIRECT)),
        ),
        (Some("text/plain"), valid.clone()),
        (None, valid),
    ];
    for (content_type, body) in cases {
        let mut request = http.post(&url).body(body.clone());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        // Act
        let response = request.send().await.unwrap();
        // Assert
        assert_eq!(response.status(), 400, "{content_type:?} {body}");
        assert_error(response, "invalid_client_metadata").await;
    }
    assert_eq!(client_count(&provider, &http).await, 1);
}

#[tokio::test]
async fn unsupported_metadata_values_are_invalid_client_metadata() {
    // Arrange
    let (provider, http) = start().await;
    for metadata in [
        json!({ "redirect_uris": [BOT_REDIRECT], "grant_types": ["authorization_code", "password"] }),
        json!({ "redirect_uris": [BOT_REDIRECT], "grant_types": ["implicit"] }),
        json!({ "redirect_uris": [BOT_REDIRECT], "response_types": ["token"] }),
        json!({ "redirect_uris": [BOT_REDIRECT], "token_endpoint_auth_method": "private_key_jwt" }),
        json!({ "redirect_uris": [BOT_REDIRECT], "scope": "read  write" }),
        json!({ "redirect_uris": [BOT_REDIRECT], "application_type": "desktop" }),
    ] {
        // Act
        let response = register(&provider, &http, &metadata).await;
        // Assert
        assert_error(response, "invalid_client_metadata").await;
    }
    assert_eq!(client_count(&provider, &http).await, 1);
}

#[tokio::test]
async fn application_type_native_or_web_is_accepted() {
    let (provider, http) = start().await;
    for application_type in ["native", "web"] {
        let metadata =
            json!({ "redirect_uris": [BOT_REDIRECT], "application_type": application_type });
        let response = register(&provider, &http, &metadata).await;
        assert_eq!(response.status(), 201, "{application_type}");
    }
}
