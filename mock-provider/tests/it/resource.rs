//! Bearer-protected endpoints: userinfo and the resource API (RFC 6750 §2, §3, §3.1).

use mock_provider::Finding;
use mock_provider::{BearerPlacement, MockProvider, ProviderConfig, ResourceConfig};

use crate::support::*;

fn with_bearer_in(bearer_in: Vec<BearerPlacement>) -> ProviderConfig {
    ProviderConfig {
        resource: ResourceConfig {
            bearer_in,
            ..ResourceConfig::default()
        },
        ..ProviderConfig::default()
    }
}

fn userinfo_url(provider: &MockProvider) -> String {
    provider.userinfo_endpoint()
}

fn resource_url(provider: &MockProvider) -> String {
    provider.url(&provider.config().resource.path)
}

/// The `WWW-Authenticate` challenge of a response.
fn challenge(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .expect("a WWW-Authenticate challenge")
        .to_str()
        .expect("ASCII")
        .to_owned()
}

/// Asserts a refusal: its status, a Bearer challenge naming `error`, and the same error in the
/// JSON body.
async fn assert_bearer_error(response: reqwest::Response, status: u16, error: &str) {
    assert_eq!(response.status(), status);
    let challenge = challenge(&response);
    assert!(challenge.starts_with("Bearer realm=\""), "{challenge}");
    assert!(
        challenge.contains(&format!("error=\"{error}\"")),
        "{challenge}"
    );
    assert_eq!(json(response).await["error"], error);
}

/// Whether some journal entry has `finding`.
fn journal_has(provider: &MockProvider, finding: Finding) -> bool {
    provider.journal().iter().any(|e| e.has_finding(finding))
}

#[tokio::test]
async fn userinfo_answers_the_users_claims_for_a_header_bearer_token() {
    // Arrange
    let (provider, http) = start().await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    // Act
    let response = http
        .get(userinfo_url(&provider))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(response.status(), 200);
    let claims = json(response).await;
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["name"], "Alice Liddell");
    assert_eq!(claims["email"], "alice@example.test");
}

#[tokio::test]
async fn userinfo_also_answers_post_and_the_scheme_is_case_insensitive() {
    // Arrange
    let (provider, http) = start().await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    // Act
    let response = http
        .post(userinfo_url(&provider))
        .header("authorization", format!("bearer {access}"))
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await["sub"], "alice");
}

#[tokio::test]
async fn no_token_gets_401_with_a_bare_bearer_challenge() {
    // Arrange
    let (provider, http) = start().await;
    for url in [userinfo_url(&provider), resource_url(&provider)] {
        // Act
        let response = http.get(&url).send().await.unwrap();
        // Assert
        assert_eq!(response.status(), 401, "{url}");
        let challenge = challenge(&response);
        assert!(challenge.starts_with("Bearer realm=\""), "{challenge}");
        assert!(
            !challenge.contains("error"),
            "a request without a token must not get an error code (RFC 6750 §3.1): {challenge}"
        );
        assert!(json(response).await.get("error").is_none());
    }
}

#[tokio::test]
async fn an_unsupported_authorization_scheme_counts_as_no_token() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let response = http
        .get(userinfo_url(&provider))
        .header(
            "authorization",
            oauth_vocab::basic::encode(CLIENT_ID, "secret"),
        )
        .send()
        .await
        .unwrap();
    // Assert: RFC 6750 §3.1, "attempted using an unsupported authentication method".
    assert_eq!(response.status(), 401);
    let challenge = challenge(&response);
    assert!(challenge.starts_with("Bearer realm=\""), "{challenge}");
    assert!(!challenge.contains("error"), "{challenge}");
}

#[tokio::test]
async fn an_empty_bearer_credential_is_invalid_request() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let response = http
        .get(userinfo_url(&provider))
        .header("authorization", "Bearer")
        .send()
        .await
        .unwrap();
    // Assert
    assert_bearer_error(response, 400, "invalid_request").await;
    assert!(journal_has(&provider, Finding::BearerMalformed));
}

#[tokio::test]
async fn an_unknown_or_revoked_token_is_invalid_token() {
    // Arrange
    let (provider, http) = start().await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    let revoked = post_as_client(&provider, &http, "/revoke", &[("token", access)]).await;
    assert_eq!(revoked.status(), 200);
    for token in ["at_forged", access] {
        // Act
        let response = http
            .get(userinfo_url(&provider))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        // Assert
        assert_bearer_error(response, 401, "invalid_token").await;
    }
    assert!(journal_has(&provider, Finding::BearerUnknown));
    assert!(journal_has(&provider, Finding::BearerRevoked));
}

#[tokio::test]
async fn an_expired_token_is_invalid_token() {
    // Arrange
    let config = ProviderConfig {
        access_token_ttl_secs: 0,
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    for url in [userinfo_url(&provider), resource_url(&provider)] {
        // Act
        let response = http.get(&url).bearer_auth(access).send().await.unwrap();
        // Assert
        assert_bearer_error(response, 401, "invalid_token").await;
    }
    assert!(journal_has(&provider, Finding::BearerExpired));
}

#[tokio::test]
async fn a_query_or_body_token_is_refused_by_default() {
    // Arrange
    let (provider, http) = start().await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    // Act
    let in_query = http
        .get(userinfo_url(&provider))
        .query(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    let in_body = http
        .post(resource_url(&provider))
        .form(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    // Assert
    assert_bearer_error(in_query, 400, "invalid_request").await;
    assert_bearer_error(in_body, 400, "invalid_request").await;
    let refused = provider
        .journal()
        .iter()
        .filter(|e| e.has_finding(Finding::BearerPlacementRefused))
        .count();
    assert_eq!(refused, 2);
}

#[tokio::test]
async fn a_query_token_is_accepted_when_allowed_and_noted_in_the_journal() {
    // Arrange
    let config = with_bearer_in(vec![BearerPlacement::Header, BearerPlacement::Query]);
    let (provider, http) = start_with(config).await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    provider.clear_journal();
    // Act
    let response = http
        .get(userinfo_url(&provider))
        .query(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await["sub"], "alice");
    let journal = provider.journal();
    assert_eq!(journal.len(), 1);
    assert!(
        journal[0].has_finding(Finding::BearerInQuery),
        "{:?}",
        journal[0].findings
    );
    assert_eq!(journal[0].client_id.as_deref(), Some(CLIENT_ID));
}

#[tokio::test]
async fn a_form_body_token_is_accepted_when_allowed_and_noted_in_the_journal() {
    // Arrange
    let config = with_bearer_in(vec![BearerPlacement::Header, BearerPlacement::Body]);
    let (provider, http) = start_with(config).await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    provider.clear_journal();
    // Act
    let in_body = http
        .post(resource_url(&provider))
        .form(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    let in_query = http
        .get(resource_url(&provider))
        .query(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    let mixed_case = http
        .put(resource_url(&provider))
        .header(
            "content-type",
            "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
        )
        .body(format!("access_token={access}"))
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(in_body.status(), 200);
    assert_eq!(json(in_body).await["method"], "POST");
    assert_bearer_error(in_query, 400, "invalid_request").await;
    assert_eq!(mixed_case.status(), 200, "media types are case-insensitive");
    let journal = provider.journal();
    assert!(
        journal[0].has_finding(Finding::BearerInBody),
        "{:?}",
        journal[0].findings
    );
}

#[tokio::test]
async fn a_token_sent_in_two_places_is_invalid_request() {
    // Arrange
    let config = with_bearer_in(vec![
        BearerPlacement::Header,
        BearerPlacement::Query,
        BearerPlacement::Body,
    ]);
    let (provider, http) = start_with(config).await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    // Act
    let header_and_query = http
        .get(userinfo_url(&provider))
        .bearer_auth(access)
        .query(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    let query_and_body = http
        .post(resource_url(&provider))
        .query(&[("access_token", access)])
        .form(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    // Assert
    assert_bearer_error(header_and_query, 400, "invalid_request").await;
    assert_bearer_error(query_and_body, 400, "invalid_request").await;
}

#[tokio::test]
async fn missing_the_required_scope_is_403_insufficient_scope() {
    // Arrange
    let config = ProviderConfig {
        resource: ResourceConfig {
            required_scope: Some("write".into()),
            ..ResourceConfig::default()
        },
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    let read_only = issued_tokens(&provider, &http).await;
    let read_only = read_only["access_token"].as_str().unwrap();
    let read_write = token(
        &provider,
        &http,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "read write"),
        ],
    )
    .await;
    let read_write = json(read_write).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Act
    let refused = http
        .get(resource_url(&provider))
        .bearer_auth(read_only)
        .send()
        .await
        .unwrap();
    let allowed = http
        .get(resource_url(&provider))
        .bearer_auth(&read_write)
        .send()
        .await
        .unwrap();
    // Assert
    let challenge = challenge(&refused);
    assert!(challenge.contains("scope=\"write\""), "{challenge}");
    assert_bearer_error(refused, 403, "insufficient_scope").await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(json(allowed).await["scope"], "read write");
}

#[tokio::test]
async fn a_refresh_token_is_not_a_bearer_token() {
    // Arrange
    let (provider, http) = start().await;
    let tokens = issued_tokens(&provider, &http).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    // Act
    let response = http
        .get(userinfo_url(&provider))
        .bearer_auth(refresh)
        .send()
        .await
        .unwrap();
    // Assert
    assert_bearer_error(response, 401, "invalid_token").await;
    assert!(journal_has(&provider, Finding::BearerRefreshTokenUsed));
}

#[tokio::test]
async fn a_tenant_token_works_only_under_its_tenant() {
    // Arrange
    let (provider, http) = start().await;
    let tenant = Some("acme");
    let authorized = http
        .get(provider.urls(tenant).url("/authorize"))
        .query(&authorize_params("st"))
        .send()
        .await
        .unwrap();
    assert_eq!(authorized.status(), 302);
    let code = query_param(&location(&authorized), "code").expect("a code");
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let issued = http
        .post(provider.urls(tenant).url("/token"))
        .header(
            "authorization",
            oauth_vocab::basic::encode(CLIENT_ID, SECRET),
        )
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(issued.status(), 200);
    let access = json(issued).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Act
    let at_root = http
        .get(provider.url("/userinfo"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    let at_other = http
        .get(provider.urls(Some("other")).url("/userinfo"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    let at_tenant = http
        .get(provider.urls(tenant).url("/userinfo"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    // Assert
    assert_bearer_error(at_root, 401, "invalid_token").await;
    assert_bearer_error(at_other, 401, "invalid_token").await;
    assert_eq!(at_tenant.status(), 200);
    assert_eq!(json(at_tenant).await["sub"], "alice");
    assert!(journal_has(&provider, Finding::BearerWrongTenant));
}

#[tokio::test]
async fn a_client_credentials_token_reaches_the_resource_api_as_the_client() {
    // Arrange
    let (provider, http) = start().await;
    let issued = token(&provider, &http, &[("grant_type", "client_credentials")]).await;
    let access = json(issued).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Act
    let response = http
        .delete(resource_url(&provider))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(response.status(), 200);
    let body = json(response).await;
    assert_eq!(body["sub"], CLIENT_ID);
    assert_eq!(body["client_id"], CLIENT_ID);
    assert_eq!(body["method"], "DELETE");
    assert_eq!(body["scope"], "read");
    assert_eq!(body["tenant"], serde_json::Value::Null);
}

fn with_token_path(path: &str) -> ProviderConfig {
    ProviderConfig {
        resource: ResourceConfig {
            token_path: Some(path.into()),
            ..ResourceConfig::default()
        },
        ..ProviderConfig::default()
    }
}

/// The token path with `token` in its segment.
fn token_path_url(provider: &MockProvider, token: &str) -> String {
    let path = provider.config().resource.token_path.clone().unwrap();
    provider.url(&path.replace("{access_token}", token))
}

#[tokio::test]
async fn a_configured_token_path_accepts_the_token_as_a_segment_and_notes_it() {
    // Arrange
    let (provider, http) = start_with(with_token_path("/api/users/{access_token}/profile")).await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    provider.clear_journal();
    // Act
    let response = http
        .get(token_path_url(&provider, access))
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(response.status(), 200);
    let body = json(response).await;
    assert_eq!(body["sub"], "alice");
    assert_eq!(body["client_id"], CLIENT_ID);
    let journal = provider.journal();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].endpoint, mock_provider::Endpoint::Resource);
    assert!(journal[0].has_finding(Finding::BearerInPath));
    // The journal keeps the raw path in memory; what is written out is masked.
    assert!(journal[0].path.contains(access));
    let written = serde_json::to_string(&journal[0].redacted()).unwrap();
    assert!(!written.contains(access), "{written}");
    assert!(written.contains("/api/users/[redacted:"), "{written}");
    assert!(!journal[0].summary().contains(access));
}

#[tokio::test]
async fn a_bad_token_in_the_path_is_invalid_token_with_a_challenge() {
    // Arrange
    let (provider, http) = start_with(with_token_path("/api/users/{access_token}/profile")).await;
    let tokens = issued_tokens(&provider, &http).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    // Act
    let unknown = http
        .get(token_path_url(&provider, "at_unknown"))
        .send()
        .await
        .unwrap();
    let refresh_token = http
        .get(token_path_url(&provider, refresh))
        .send()
        .await
        .unwrap();
    // Assert
    assert_bearer_error(unknown, 401, "invalid_token").await;
    assert_bearer_error(refresh_token, 401, "invalid_token").await;
    assert!(journal_has(&provider, Finding::BearerUnknown));
}

#[tokio::test]
async fn a_token_in_the_path_and_elsewhere_is_invalid_request() {
    // Arrange
    let (provider, http) = start_with(with_token_path("/api/users/{access_token}/profile")).await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    // Act
    let path_and_header = http
        .get(token_path_url(&provider, access))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    let path_and_query = http
        .get(token_path_url(&provider, access))
        .query(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    // Assert
    assert_bearer_error(path_and_header, 400, "invalid_request").await;
    assert_bearer_error(path_and_query, 400, "invalid_request").await;
}

#[tokio::test]
async fn without_a_token_path_a_token_in_the_path_reaches_no_api() {
    // Arrange
    let (provider, http) = start().await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    // Act
    let response = http
        .get(provider.url(&format!("/api/users/{access}/profile")))
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(response.status(), 404);
    assert!(!journal_has(&provider, Finding::BearerInPath));
}

#[tokio::test]
async fn the_token_path_is_served_under_a_tenant_for_that_tenants_tokens_only() {
    // Arrange
    let (provider, http) = start_with(with_token_path("/api/users/{access_token}/profile")).await;
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"].as_str().unwrap();
    // Act
    let tenant = http
        .get(provider.url(&format!("/t/acme/api/users/{access}/profile")))
        .send()
        .await
        .unwrap();
    // Assert: the token was issued at the root, not to tenant acme.
    assert_bearer_error(tenant, 401, "invalid_token").await;
    assert!(journal_has(&provider, Finding::BearerWrongTenant));
}
