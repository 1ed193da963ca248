//! The token endpoint: RFC 6749 §2.3.1, §4.1.3, §4.4, §5.1, §5.2, §6; RFC 7636 §4.6;
//! RFC 9700 §4.8.2, §4.14.

use std::sync::Arc;

use mock_provider::pkce::PkcePolicy;
use mock_provider::{AuthMethod, ClientConfig, ProviderConfig, TokenFormat};
use mock_provider::{Finding, GrantType};

use crate::support::*;

async fn assert_error(response: reqwest::Response, status: u16, error: &str) -> serde_json::Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body = json(response).await;
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].is_string());
    body
}

async fn userinfo_status(provider: &mock_provider::MockProvider, access_token: &str) -> u16 {
    let url = provider.url("/userinfo");
    http()
        .get(url)
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn redeems_a_code_with_a_no_store_bearer_response() {
    // Arrange
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    // Act
    let response = redeem(&provider, &http, &code).await;
    // Assert
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["pragma"], "no-cache");
    let body = json(response).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "read");
    let access = body["access_token"].as_str().unwrap();
    assert!(body["refresh_token"].as_str().is_some());
    assert_eq!(userinfo_status(&provider, access).await, 200);
}

#[tokio::test]
async fn a_second_redemption_fails_and_revokes_the_tokens_of_the_first() {
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    let first = json(redeem(&provider, &http, &code).await).await;
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(userinfo_status(&provider, access).await, 200);

    assert_error(redeem(&provider, &http, &code).await, 400, "invalid_grant").await;

    assert_eq!(
        userinfo_status(&provider, access).await,
        401,
        "tokens from a replayed code stay valid"
    );
    let refresh = first["refresh_token"].as_str().unwrap();
    let refreshed = token(
        &provider,
        &http,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_error(refreshed, 400, "invalid_grant").await;
    assert!(
        provider
            .journal()
            .iter()
            .any(|e| e.has_finding(Finding::CodeReused))
    );
}

#[tokio::test]
async fn fifty_concurrent_redemptions_of_one_code_give_exactly_one_success() {
    let (provider, http) = start().await;
    let provider = Arc::new(provider);
    let code = code(&provider, &http).await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (provider, http, code) = (provider.clone(), http.clone(), code.clone());
            tokio::spawn(async move { redeem(&provider, &http, &code).await.status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 400).count(),
        49,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_expired_code_is_invalid_grant() {
    let config = ProviderConfig {
        code_ttl_secs: 0,
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    let code = code(&provider, &http).await;
    assert_error(redeem(&provider, &http, &code).await, 400, "invalid_grant").await;
    assert!(
        provider
            .journal()
            .iter()
            .any(|e| e.has_finding(Finding::CodeExpired))
    );
}

#[tokio::test]
async fn an_unknown_code_is_invalid_grant() {
    let (provider, http) = start().await;
    assert_error(
        redeem(&provider, &http, "ac_forged").await,
        400,
        "invalid_grant",
    )
    .await;
}

#[tokio::test]
async fn a_code_is_bound_to_its_client() {
    let mut config = ProviderConfig::default();
    config.clients.push(ClientConfig {
        client_id: "other".into(),
        client_secret: Some("other-secret".into()),
        auth_method: AuthMethod::ClientSecretPost,
        ..ClientConfig::default()
    });
    let (provider, http) = start_with(config).await;
    let code = code(&provider, &http).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
        ("client_id", "other"),
        ("client_secret", "other-secret"),
    ];
    let response = http
        .post(provider.url("/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_error(response, 400, "invalid_grant").await;
    assert!(
        provider
            .journal()
            .iter()
            .any(|e| e.has_finding(Finding::CodeWrongClient))
    );
}

#[tokio::test]
async fn the_redirect_uri_must_be_repeated_identically() {
    let (provider, http) = start().await;
    let code1 = code(&provider, &http).await;
    let missing = [
        ("grant_type", "authorization_code"),
        ("code", &code1),
        ("code_verifier", VERIFIER),
    ];
    assert_error(
        token(&provider, &http, &missing).await,
        400,
        "invalid_grant",
    )
    .await;
    let different = [
        ("grant_type", "authorization_code"),
        ("code", &code1),
        ("code_verifier", VERIFIER),
        ("redirect_uri", "http://127.0.0.1:8080/callback/"),
    ];
    assert_error(
        token(&provider, &http, &different).await,
        400,
        "invalid_grant",
    )
    .await;
    let findings: Vec<_> = provider
        .journal()
        .into_iter()
        .flat_map(|e| e.findings)
        .collect();
    assert!(
        findings
            .iter()
            .any(|f| f.is(Finding::RedirectUriMissingAtToken)),
        "{findings:?}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f.is(Finding::RedirectUriDiffersAtToken)),
        "{findings:?}"
    );
    // A refused attempt does not burn the code.
    assert_eq!(redeem(&provider, &http, &code1).await.status(), 200);
}

#[tokio::test]
async fn a_wrong_missing_or_malformed_verifier_is_invalid_grant() {
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    let wrong = "x".repeat(43);
    for verifier in [Some(wrong.as_str()), None, Some("short")] {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        assert_error(token(&provider, &http, &form).await, 400, "invalid_grant").await;
    }
    let findings: Vec<_> = provider
        .journal()
        .into_iter()
        .flat_map(|e| e.findings)
        .collect();
    for expected in [
        Finding::PkceVerifierMismatch,
        Finding::PkceVerifierMissing,
        Finding::PkceVerifierMalformed,
    ] {
        assert!(
            findings.iter().any(|f| f.is(expected)),
            "no {expected} in {findings:?}"
        );
    }
}

#[tokio::test]
async fn a_verifier_for_a_code_issued_without_challenge_is_refused() {
    let mut config = ProviderConfig::default();
    config.clients[0].pkce = PkcePolicy::Optional;
    let (provider, http) = start_with(config).await;
    let mut params = authorize_params("st");
    params.retain(|(n, _)| !n.starts_with("code_challenge"));
    let response = authorize(&provider, &http, &params).await;
    let code = query_param(&location(&response), "code").unwrap();
    assert_error(redeem(&provider, &http, &code).await, 400, "invalid_grant").await;
    assert!(
        provider
            .journal()
            .iter()
            .any(|e| e.has_finding(Finding::PkceVerifierUnexpected))
    );
}

#[tokio::test]
async fn client_authentication_failures_are_invalid_client() {
    let (provider, http) = start().await;
    let url = provider.url("/token");
    let form = [("grant_type", "client_credentials")];
    // Wrong secret over Basic: 401 with a Basic challenge.
    let wrong = http
        .post(&url)
        .header(
            "authorization",
            oauth_vocab::basic::encode(CLIENT_ID, "nope"),
        )
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(
        wrong.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert_error(wrong, 401, "invalid_client").await;
    // The secret not form-encoded inside Basic (':' '+' '%' sent raw).
    let raw = http
        .post(&url)
        .header(
            "authorization",
            oauth_vocab::basic::encode_raw(CLIENT_ID, SECRET),
        )
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_error(raw, 401, "invalid_client").await;
    // The registered method is Basic; the body is refused.
    let post = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
    ];
    let body = http.post(&url).form(&post).send().await.unwrap();
    assert_error(body, 401, "invalid_client").await;
    // No authentication at all, and an unknown client.
    assert_error(
        http.post(&url).form(&form).send().await.unwrap(),
        401,
        "invalid_client",
    )
    .await;
    let unknown = http
        .post(&url)
        .header("authorization", oauth_vocab::basic::encode("nobody", "x"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_error(unknown, 401, "invalid_client").await;
    // Two methods at once.
    let both = [("grant_type", "client_credentials"), ("client_secret", "x")];
    let both = http
        .post(&url)
        .header("authorization", oauth_vocab::basic::encode(CLIENT_ID, "x"))
        .form(&both)
        .send()
        .await
        .unwrap();
    assert_error(both, 400, "invalid_request").await;
    let findings: Vec<_> = provider
        .journal()
        .into_iter()
        .flat_map(|e| e.findings)
        .collect();
    assert!(
        findings
            .iter()
            .any(|f| f.is(Finding::ClientAuthWrongMethod)),
        "{findings:?}"
    );
}

#[tokio::test]
async fn a_public_client_redeems_with_pkce_and_no_secret() {
    let mut config = ProviderConfig::default();
    config.clients[0].auth_method = AuthMethod::None;
    config.clients[0].client_secret = None;
    let (provider, http) = start_with(config).await;
    let code = code(&provider, &http).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
        ("client_id", CLIENT_ID),
    ];
    let response = http
        .post(provider.url("/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn openchatstudio_takes_the_secret_in_the_body_and_reflects_team() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/providers/openchatstudio.toml"
    );
    let (provider, http) = start_with(ProviderConfig::from_file(path).unwrap()).await;
    let params = [
        ("response_type", "code".to_owned()),
        ("client_id", "ocs-client".to_owned()),
        ("redirect_uri", "http://127.0.0.1:8080/callback/".to_owned()),
        (
            "code_challenge",
            mock_provider::pkce::s256_challenge(VERIFIER),
        ),
        ("code_challenge_method", "S256".to_owned()),
        ("team", "research".to_owned()),
    ];
    let response = http
        .get(provider.url("/o/authorize/"))
        .query(&params)
        .send()
        .await
        .unwrap();
    let code = query_param(&location(&response), "code").unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", "ocs-client"),
        ("client_secret", "ocs:secret+/="),
        ("code_verifier", VERIFIER),
        ("redirect_uri", "http://127.0.0.1:8080/callback/"),
    ];
    let body = json(
        http.post(provider.url("/o/token/"))
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["team"], "research");
    assert_eq!(
        body["scope"], "chatbot:read session:read session:write files:read",
        "defaults to every scope"
    );
    assert_eq!(body["token_type"], "Bearer");
}

#[tokio::test]
async fn grant_type_and_content_type_errors() {
    let (provider, http) = start().await;
    let unknown = token(&provider, &http, &[("grant_type", "password")]).await;
    assert_error(unknown, 400, "unsupported_grant_type").await;
    assert_error(token(&provider, &http, &[]).await, 400, "invalid_request").await;
    let json_body = http
        .post(provider.url("/token"))
        .header(
            "authorization",
            oauth_vocab::basic::encode(CLIENT_ID, SECRET),
        )
        .json(&serde_json::json!({ "grant_type": "client_credentials" }))
        .send()
        .await
        .unwrap();
    assert_error(json_body, 400, "invalid_request").await;
    let get = http.get(provider.url("/token")).send().await.unwrap();
    assert_eq!(get.headers()["allow"], "POST");
    assert_error(get, 405, "invalid_request").await;
    let repeated = token(
        &provider,
        &http,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "read"),
            ("scope", "write"),
        ],
    );
    assert_error(repeated.await, 400, "invalid_request").await;
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    let first = json(redeem(&provider, &http, &code).await).await;
    let old_refresh = first["refresh_token"].as_str().unwrap();
    let second = token(
        &provider,
        &http,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh),
        ],
    )
    .await;
    assert_eq!(second.status(), 200);
    let second = json(second).await;
    let new_refresh = second["refresh_token"].as_str().unwrap();
    assert_ne!(new_refresh, old_refresh);
    let new_access = second["access_token"].as_str().unwrap();
    assert_eq!(userinfo_status(&provider, new_access).await, 200);
    // Reusing the rotated token: refused, and the whole family dies.
    let reuse = token(
        &provider,
        &http,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh),
        ],
    )
    .await;
    assert_error(reuse, 400, "invalid_grant").await;
    assert_eq!(userinfo_status(&provider, new_access).await, 401);
    let after = token(
        &provider,
        &http,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", new_refresh),
        ],
    )
    .await;
    assert_error(after, 400, "invalid_grant").await;
}

#[tokio::test]
async fn refresh_may_narrow_but_not_widen_scope() {
    let (provider, http) = start().await;
    let response = authorize(&provider, &http, &{
        let mut p = authorize_params("st");
        p.push(("scope", "read write".into()));
        p
    })
    .await;
    let code = query_param(&location(&response), "code").unwrap();
    let refresh = json(redeem(&provider, &http, &code).await).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let wider = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
        ("scope", "read write email"),
    ];
    assert_error(token(&provider, &http, &wider).await, 400, "invalid_scope").await;
    let narrower = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
        ("scope", "read"),
    ];
    assert_eq!(
        json(token(&provider, &http, &narrower).await).await["scope"],
        "read"
    );
}

#[tokio::test]
async fn an_unknown_refresh_token_is_invalid_grant() {
    let (provider, http) = start().await;
    let response = token(
        &provider,
        &http,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "rt_nope"),
        ],
    )
    .await;
    assert_error(response, 400, "invalid_grant").await;
}

#[tokio::test]
async fn without_rotation_the_refresh_token_stays_usable() {
    let config = ProviderConfig {
        rotate_refresh_tokens: false,
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    let code = code(&provider, &http).await;
    let refresh = json(redeem(&provider, &http, &code).await).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        let body = json(
            token(
                &provider,
                &http,
                &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
            )
            .await,
        )
        .await;
        assert!(body["access_token"].is_string());
        assert!(body.get("refresh_token").is_none());
    }
}

#[tokio::test]
async fn client_credentials_issue_a_service_token_without_refresh() {
    let (provider, http) = start().await;
    let body = json(
        token(
            &provider,
            &http,
            &[("grant_type", "client_credentials"), ("scope", "read")],
        )
        .await,
    )
    .await;
    assert_eq!(body["scope"], "read");
    assert!(body.get("refresh_token").is_none());
    let wider = token(
        &provider,
        &http,
        &[("grant_type", "client_credentials"), ("scope", "admin")],
    )
    .await;
    assert_error(wider, 400, "invalid_scope").await;
}

#[tokio::test]
async fn a_grant_the_client_may_not_use_is_unauthorized_client() {
    let mut config = ProviderConfig::default();
    config.clients[0].grant_types = vec![GrantType::AuthorizationCode];
    let (provider, http) = start_with(config).await;
    let response = token(&provider, &http, &[("grant_type", "client_credentials")]).await;
    assert_error(response, 400, "unauthorized_client").await;
}

#[tokio::test]
async fn jwt_access_tokens_are_signed_and_still_accepted_as_bearer() {
    let config = ProviderConfig {
        token_format: TokenFormat::Jwt,
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    let code = code(&provider, &http).await;
    let body = json(redeem(&provider, &http, &code).await).await;
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(access.split('.').count(), 3, "{access}");
    let header: serde_json::Value =
        serde_json::from_slice(&base64_url_decode(access.split('.').next().unwrap())).unwrap();
    assert_eq!(header["alg"], "ES256");
    let claims: serde_json::Value =
        serde_json::from_slice(&base64_url_decode(access.split('.').nth(1).unwrap())).unwrap();
    assert_eq!(claims["iss"], provider.uri());
    assert_eq!(claims["client_id"], CLIENT_ID);
    assert_eq!(userinfo_status(&provider, access).await, 200);
}

fn base64_url_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

#[tokio::test]
async fn the_providers_debug_shows_no_live_code_token_or_client_secret() {
    // Arrange
    let (provider, http) = start().await;
    let spent = code(&provider, &http).await;
    let body = json(redeem(&provider, &http, &spent).await).await;
    let live = code(&provider, &http).await;
    // Act
    let debug = format!("{provider:?}");
    // Assert
    let secret = ClientConfig::default().client_secret.unwrap();
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    for value in [
        spent.as_str(),
        live.as_str(),
        access,
        refresh,
        secret.as_str(),
    ] {
        assert!(!debug.contains(value), "{value} leaked in {debug}");
    }
}
