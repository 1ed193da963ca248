//! RFC 8707 `resource` at the authorization and token endpoints: absolute URIs without
//! fragment, known ones only, compared byte for byte but for the case of scheme and host; the token request names one the
//! authorization granted, and it becomes the token's audience.

use mock_provider::{Finding, ProviderConfig};

use super::*;

const OTHER: &str = "https://other.example.test/mcp";

/// The error of an authorization response redirected back to the client, and its `state`.
async fn authorize_error(
    provider: &MockProvider,
    http: &reqwest::Client,
    resources: &[&str],
) -> (Option<String>, Option<String>) {
    let response = authorize(provider, http, &params_with(resources, None)).await;
    assert_eq!(response.status(), 302, "errors go back to the client");
    let location = location(&response);
    assert!(location.as_str().starts_with(REDIRECT), "{location}");
    (
        query_param(&location, "error"),
        query_param(&location, "state"),
    )
}

#[tokio::test]
async fn a_trailing_slash_variant_is_another_resource_and_is_refused_by_name() {
    let (provider, http) = start_with(mcp_profile(&[])).await;
    let slashed = format!("{}/", provider.mcp_url());
    let (error, state) = authorize_error(&provider, &http, &[&slashed]).await;
    assert_eq!(error.as_deref(), Some("invalid_target"));
    assert_eq!(state.as_deref(), Some("st"));
    assert!(journal_has(&provider, Finding::ResourceTrailingSlash));
    assert!(!journal_has(&provider, Finding::ResourceUnknown));
    // The same slip in the token request alone is refused there too, and the code survives it.
    let code = code_for(&provider, &http, &[&provider.mcp_url()], None).await;
    let response = redeem_for(&provider, &http, &code, Some(&slashed)).await;
    assert_eq!(response.status(), 400);
    let body = json(response).await;
    assert_eq!(body["error"], "invalid_target");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("trailing slash"),
        "{body}"
    );
    let response = redeem_for(&provider, &http, &code, Some(&provider.mcp_url())).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn malformed_and_unknown_resources_are_invalid_target() {
    let (provider, http) = start_with(mcp_profile(&[])).await;
    let with_fragment = format!("{}#frag", provider.mcp_url());
    for (resource, finding) in [
        ("mcp.example.test/mcp", Finding::ResourceMalformed),
        ("/mcp", Finding::ResourceMalformed),
        (with_fragment.as_str(), Finding::ResourceMalformed),
        (OTHER, Finding::ResourceUnknown),
    ] {
        provider.clear_journal();
        let (error, _) = authorize_error(&provider, &http, &[resource]).await;
        assert_eq!(error.as_deref(), Some("invalid_target"), "{resource}");
        assert!(journal_has(&provider, finding), "{resource}: {finding:?}");
    }
    // Byte for byte beyond the scheme and host: an upper-case path is another resource.
    let shouting_path = provider.mcp_url().replace("/mcp", "/MCP");
    let (error, _) = authorize_error(&provider, &http, &[&shouting_path]).await;
    assert_eq!(error.as_deref(), Some("invalid_target"));
}

#[tokio::test]
async fn an_upper_case_scheme_and_host_are_accepted_with_a_finding() {
    // MCP authorization, "Canonical Server URI": servers SHOULD accept them.
    let (provider, http) = start_with(mcp_profile(&[])).await;
    let mcp = provider.mcp_url();
    let shouting = mcp.replacen("http", "HTTP", 1);
    let code = code_for(&provider, &http, &[&shouting], None).await;
    assert!(journal_has(&provider, Finding::ResourceNotCanonical));
    let response = redeem_for(&provider, &http, &code, Some(&shouting)).await;
    assert_eq!(response.status(), 200);
    // The token's audience is the canonical URL: the MCP endpoint takes it.
    let token = json(response).await["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned();
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    assert_eq!(
        rpc(&provider, &http, Some(&token), ping).await.status(),
        200
    );
}

#[tokio::test]
async fn the_token_request_must_name_a_resource_the_authorization_granted() {
    let (provider, http) = start_with(mcp_profile(&[OTHER])).await;
    let code = code_for(&provider, &http, &[&provider.mcp_url()], None).await;
    let response = redeem_for(&provider, &http, &code, Some(OTHER)).await;
    assert_eq!(response.status(), 400);
    assert_eq!(json(response).await["error"], "invalid_target");
    assert!(journal_has(&provider, Finding::ResourceMismatch));
}

#[tokio::test]
async fn several_resources_may_be_granted_and_the_token_names_one_of_them() {
    let (provider, http) = start_with(mcp_profile(&[OTHER])).await;
    let mcp = provider.mcp_url();
    let code = code_for(&provider, &http, &[&mcp, OTHER], None).await;
    // Naming none is ambiguous: this server's tokens have one audience.
    let response = redeem_for(&provider, &http, &code, None).await;
    assert_eq!(response.status(), 400);
    assert_eq!(json(response).await["error"], "invalid_target");
    let response = redeem_for(&provider, &http, &code, Some(OTHER)).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_refresh_may_name_a_granted_resource_but_not_another() {
    let (provider, http) = start_with(mcp_profile(&[OTHER])).await;
    let mcp = provider.mcp_url();
    let code = code_for(&provider, &http, &[&mcp], None).await;
    let tokens = json(redeem_for(&provider, &http, &code, Some(&mcp)).await).await;
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let response = token(
        &provider,
        &http,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("resource", OTHER),
        ],
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(json(response).await["error"], "invalid_target");
    let response = token(
        &provider,
        &http,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("resource", &mcp),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    let access = json(response).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // The refreshed token keeps the audience: it opens the MCP endpoint.
    let response = rpc(
        &provider,
        &http,
        Some(&access),
        r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
    )
    .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_missing_resource_is_noted_or_refused_as_configured() {
    let (provider, http) = start_with(mcp_profile(&[])).await;
    let _code = code_for(&provider, &http, &[], None).await;
    assert!(journal_has(&provider, Finding::ResourceMissing));

    let mut config = mcp_profile(&[]);
    config.mcp.require_resource = true;
    let (provider, http) = start_with(config).await;
    let (error, _) = authorize_error(&provider, &http, &[]).await;
    assert_eq!(error.as_deref(), Some("invalid_target"));
}

#[tokio::test]
async fn without_the_mcp_table_resource_is_ignored_as_before() {
    let (provider, http) = start_with(ProviderConfig::default()).await;
    let code = code_for(&provider, &http, &["not a uri"], None).await;
    let response = redeem_for(&provider, &http, &code, Some("https://x.example.test/")).await;
    assert_eq!(response.status(), 200);
    assert!(!provider.journal().iter().any(|e| {
        e.findings
            .iter()
            .any(|o| o.is_in(mock_provider::Family::Resource))
    }));
    // ... and a repeated one is a repeated parameter, as any other.
    let response = authorize(
        &provider,
        &http,
        &params_with(&["https://a.example.test", "https://b.example.test"], None),
    )
    .await;
    assert_eq!(
        query_param(&location(&response), "error").as_deref(),
        Some("invalid_request")
    );
}
