//! Token revocation (RFC 7009 §2.1, §2.2, §2.2.1) and introspection (RFC 7662 §2.1, §2.2, §4).

use mock_provider::Finding;
use mock_provider::{AuthMethod, ClientConfig, MockProvider, ProviderConfig};

use crate::support::*;

const INACTIVE: &str = r#"{"active":false}"#;

async fn revoke(
    provider: &MockProvider,
    http: &reqwest::Client,
    form: &[(&str, &str)],
) -> reqwest::Response {
    post_as_client(provider, http, &provider.config().paths.revoke, form).await
}

/// Introspects a token as the default client; returns the status and the raw body.
async fn introspect(provider: &MockProvider, http: &reqwest::Client, token: &str) -> (u16, String) {
    let path = &provider.config().paths.introspect;
    let response = post_as_client(provider, http, path, &[("token", token)]).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

async fn userinfo_status(provider: &MockProvider, http: &reqwest::Client, access: &str) -> u16 {
    http.get(provider.userinfo_endpoint())
        .bearer_auth(access)
        .send()
        .await
        .expect("userinfo answers")
        .status()
        .as_u16()
}

async fn assert_error(response: reqwest::Response, status: u16, error: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = json(response).await;
    assert_eq!(body["error"], error, "{body}");
}

#[tokio::test]
async fn revoking_an_access_token_ends_userinfo_and_introspection() {
    // Arrange
    let (provider, http) = start().await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(userinfo_status(&provider, &http, access).await, 200);
    // Act
    let response = revoke(
        &provider,
        &http,
        &[("token", access), ("token_type_hint", "access_token")],
    )
    .await;
    // Assert
    assert_eq!(response.status(), 200);
    assert_eq!(userinfo_status(&provider, &http, access).await, 401);
    assert_eq!(
        introspect(&provider, &http, access).await,
        (200, INACTIVE.to_owned())
    );
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, body) = introspect(&provider, &http, refresh).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#""active":true"#),
        "revoking an access token spares its refresh token: {body}"
    );
}

#[tokio::test]
async fn revoking_a_refresh_token_also_revokes_its_access_tokens() {
    // Arrange
    let (provider, http) = start().await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    // Act
    let response = revoke(&provider, &http, &[("token", refresh)]).await;
    // Assert
    assert_eq!(response.status(), 200);
    assert_eq!(
        userinfo_status(&provider, &http, access).await,
        401,
        "RFC 7009 §2.1: the access tokens of a revoked refresh token should die with it"
    );
    for token in [access, refresh] {
        assert_eq!(
            introspect(&provider, &http, token).await,
            (200, INACTIVE.to_owned())
        );
    }
    let refreshed = token(
        &provider,
        &http,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_error(refreshed, 400, "invalid_grant").await;
    let journal = provider.journal();
    assert!(
        journal
            .iter()
            .any(|e| e.has_finding(Finding::RevokeRefreshTokenAndItsAccessTokens))
    );
}

#[tokio::test]
async fn unknown_and_already_revoked_tokens_get_200() {
    // Arrange
    let (provider, http) = start().await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    // Act
    let unknown = revoke(&provider, &http, &[("token", "at_never_issued")]).await;
    let first = revoke(&provider, &http, &[("token", access)]).await;
    let again = revoke(&provider, &http, &[("token", access)]).await;
    // Assert
    assert_eq!(unknown.status(), 200);
    assert_eq!(first.status(), 200);
    assert_eq!(again.status(), 200);
    assert!(
        provider
            .journal()
            .iter()
            .any(|e| e.has_finding(Finding::RevokeUnknownToken))
    );
}

#[tokio::test]
async fn an_unsupported_token_type_hint_is_unsupported_token_type() {
    // Arrange
    let (provider, http) = start().await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    // Act
    let response = revoke(
        &provider,
        &http,
        &[("token", access), ("token_type_hint", "id_token")],
    )
    .await;
    // Assert
    assert_error(response, 400, "unsupported_token_type").await;
    assert_eq!(
        userinfo_status(&provider, &http, access).await,
        200,
        "a refused revocation must not revoke"
    );
}

#[tokio::test]
async fn revocation_requires_client_authentication() {
    // Arrange
    let (provider, http) = start().await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    let url = provider.revocation_endpoint();
    // Act
    let anonymous = http
        .post(&url)
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    let wrong_secret = http
        .post(&url)
        .header(
            "authorization",
            oauth_vocab::basic::encode(CLIENT_ID, "not-the-secret"),
        )
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    // Assert
    assert_error(anonymous, 401, "invalid_client").await;
    assert!(
        wrong_secret.headers().contains_key("www-authenticate"),
        "a failed Basic authentication carries a challenge"
    );
    assert_error(wrong_secret, 401, "invalid_client").await;
    assert_eq!(userinfo_status(&provider, &http, access).await, 200);
}

#[tokio::test]
async fn a_client_cannot_revoke_another_clients_token() {
    // Arrange
    let mut config = ProviderConfig::default();
    config.clients.push(ClientConfig {
        client_id: "other".into(),
        client_secret: Some("other-secret".into()),
        ..ClientConfig::default()
    });
    let (provider, http) = start_with(config).await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    // Act
    let response = http
        .post(provider.revocation_endpoint())
        .header(
            "authorization",
            oauth_vocab::basic::encode("other", "other-secret"),
        )
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    // Assert
    assert_ne!(response.status(), 500);
    assert_eq!(userinfo_status(&provider, &http, access).await, 200);
    assert!(
        provider
            .journal()
            .iter()
            .any(|e| e.has_finding(Finding::RevokeOtherClientsToken))
    );
}

#[tokio::test]
async fn introspecting_an_active_token_gives_scope_client_id_and_exp() {
    // Arrange
    let (provider, http) = start().await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // Act
    let (status, body) = introspect(&provider, &http, access).await;
    // Assert
    assert_eq!(status, 200);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["active"], true);
    assert_eq!(body["scope"], "read");
    assert_eq!(body["client_id"], CLIENT_ID);
    assert_eq!(body["sub"], "alice");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["iss"], provider.uri());
    let exp = body["exp"].as_u64().expect("exp is a number");
    assert!(
        (now + 3590..=now + 3610).contains(&exp),
        "exp {exp} is not about an hour after {now}"
    );
}

#[tokio::test]
async fn introspection_requires_client_authentication() {
    // Arrange
    let mut config = ProviderConfig::default();
    config.clients.push(ClientConfig {
        client_id: "public-app".into(),
        client_secret: None,
        auth_method: AuthMethod::None,
        ..ClientConfig::default()
    });
    let (provider, http) = start_with(config).await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    let url = provider.introspection_endpoint();
    // Act
    let anonymous = http
        .post(&url)
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    let wrong_secret = http
        .post(&url)
        .header(
            "authorization",
            oauth_vocab::basic::encode(CLIENT_ID, "not-the-secret"),
        )
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    let public_client = http
        .post(&url)
        .form(&[("token", access), ("client_id", "public-app")])
        .send()
        .await
        .unwrap();
    // Assert
    assert_error(anonymous, 401, "invalid_client").await;
    assert_error(wrong_secret, 401, "invalid_client").await;
    // RFC 7662 §2.1: a client id anyone can read is no authorization against token scanning.
    assert_error(public_client, 401, "invalid_client").await;
}

#[tokio::test]
async fn expired_unknown_and_malformed_tokens_are_exactly_inactive() {
    // Arrange
    let config = ProviderConfig {
        access_token_ttl_secs: 0,
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    let tokens = issued_tokens(&provider, &http).await;
    let expired = tokens["access_token"].as_str().unwrap();
    let malformed_jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.";
    for token in [
        expired,
        "at_never_issued",
        malformed_jwt,
        "not a token at all",
        "é",
    ] {
        // Act
        let answer = introspect(&provider, &http, token).await;
        // Assert
        assert_eq!(answer, (200, INACTIVE.to_owned()), "{token:?}");
    }
}

#[tokio::test]
async fn a_public_client_revokes_its_own_token_as_the_metadata_advertises() {
    // Arrange
    let mut config = ProviderConfig::default();
    config.clients.push(ClientConfig {
        client_id: "public-app".into(),
        client_secret: None,
        auth_method: AuthMethod::None,
        ..ClientConfig::default()
    });
    let (provider, http) = start_with(config).await;
    let mut params = authorize_params("st");
    params.retain(|(n, _)| *n != "client_id");
    params.push(("client_id", "public-app".into()));
    let authorized = authorize(&provider, &http, &params).await;
    let code = query_param(&location(&authorized), "code").expect("a code");
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
        ("client_id", "public-app"),
    ];
    let issued = http
        .post(provider.token_endpoint())
        .form(&form)
        .send()
        .await
        .unwrap();
    let access = json(issued).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Act
    let response = http
        .post(provider.revocation_endpoint())
        .form(&[("token", access.as_str()), ("client_id", "public-app")])
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(response.status(), 200);
    assert_eq!(userinfo_status(&provider, &http, &access).await, 401);
    let metadata = provider.metadata(None);
    let methods = |name: &str| metadata[name].as_array().expect("a list").clone();
    assert!(methods("revocation_endpoint_auth_methods_supported").contains(&"none".into()));
    assert!(!methods("introspection_endpoint_auth_methods_supported").contains(&"none".into()));
}
