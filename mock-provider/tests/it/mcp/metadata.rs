//! RFC 9728 protected-resource metadata at the path-aware and root URLs, and the
//! authorization-server discovery URLs MCP clients try, path insertion included.

use mock_provider::{McpConfig, ProviderConfig, Quirks, TokenFormat};

use super::*;

/// GETs `path` under the provider's base URL.
async fn get(provider: &MockProvider, http: &reqwest::Client, path: &str) -> reqwest::Response {
    http.get(provider.url(path)).send().await.expect("answers")
}

#[tokio::test]
async fn the_metadata_is_served_at_the_path_aware_and_the_root_url() {
    let (provider, http) = start_with(mcp_profile(&[])).await;
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let response = get(&provider, &http, path).await;
        assert_eq!(response.status(), 200, "{path}");
        let doc = json(response).await;
        assert_eq!(doc["resource"], provider.mcp_url(), "{path}");
        assert_eq!(
            doc["authorization_servers"],
            serde_json::json!([provider.issuer()])
        );
        assert_eq!(
            doc["scopes_supported"],
            serde_json::json!(["profile", "read"])
        );
        assert_eq!(
            doc["bearer_methods_supported"],
            serde_json::json!(["header"])
        );
    }
}

#[tokio::test]
async fn each_metadata_url_can_be_turned_off_and_the_challenge_follows() {
    let mut config = mcp_profile(&[]);
    config.mcp.metadata_at_path = false;
    let (provider, http) = start_with(config).await;
    let path_aware = get(
        &provider,
        &http,
        "/.well-known/oauth-protected-resource/mcp",
    )
    .await;
    assert_eq!(path_aware.status(), 404);
    let root = get(&provider, &http, "/.well-known/oauth-protected-resource").await;
    assert_eq!(root.status(), 200);
    let response = rpc(&provider, &http, None, "{}").await;
    let challenge = challenge(&response).expect("a challenge");
    assert!(
        challenge.contains(&format!(
            "resource_metadata=\"{}\"",
            provider.url("/.well-known/oauth-protected-resource")
        )),
        "{challenge}"
    );

    let mut config = mcp_profile(&[]);
    config.mcp.metadata_at_root = false;
    let (provider, http) = start_with(config).await;
    let root = get(&provider, &http, "/.well-known/oauth-protected-resource").await;
    assert_eq!(root.status(), 404);
}

#[tokio::test]
async fn without_the_mcp_table_there_is_no_mcp_route() {
    let (provider, http) = start_with(ProviderConfig::default()).await;
    for path in [
        "/mcp",
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        assert_eq!(get(&provider, &http, path).await.status(), 404, "{path}");
    }
    let response = rpc(&provider, &http, None, "{}").await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn an_issuer_with_a_path_is_found_at_every_url_mcp_clients_try() {
    let config = ProviderConfig {
        mcp: McpConfig {
            enabled: true,
            tenant: Some("tenant1".into()),
            ..McpConfig::default()
        },
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    let prm = json(
        get(
            &provider,
            &http,
            "/.well-known/oauth-protected-resource/mcp",
        )
        .await,
    )
    .await;
    let issuer = prm["authorization_servers"][0].as_str().unwrap().to_owned();
    assert_eq!(issuer, provider.url("/t/tenant1"));
    // The MCP order for an issuer with a path: RFC 8414 and OpenID path insertion, then
    // OpenID path appending.
    let base = provider.uri();
    let path = issuer.strip_prefix(&base).unwrap();
    for url in [
        format!("{base}/.well-known/oauth-authorization-server{path}"),
        format!("{base}/.well-known/openid-configuration{path}"),
        format!("{issuer}/.well-known/openid-configuration"),
    ] {
        let response = http.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        let doc = json(response).await;
        assert_eq!(doc["issuer"], issuer, "{url}");
        assert_eq!(
            doc["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
    }
}

#[tokio::test]
async fn code_challenge_methods_can_be_left_out_of_every_metadata_document() {
    let config = ProviderConfig {
        quirks: Quirks {
            omit_code_challenge_methods: true,
            ..Quirks::default()
        },
        ..mcp_profile(&[])
    };
    let (provider, http) = start_with(config).await;
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server/t/tenant1",
        "/t/tenant1/.well-known/openid-configuration",
    ] {
        let doc = json(get(&provider, &http, path).await).await;
        assert!(doc["issuer"].is_string(), "{path}");
        assert!(
            doc.get("code_challenge_methods_supported").is_none(),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_metadata_can_describe_another_resource_for_client_tests() {
    let mut config = mcp_profile(&[]);
    config.mcp.metadata_resource = Some("https://elsewhere.example.test/mcp".into());
    let (provider, http) = start_with(config).await;
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let doc = json(get(&provider, &http, path).await).await;
        assert_eq!(
            doc["resource"], "https://elsewhere.example.test/mcp",
            "{path}"
        );
    }
    let mut bad = mcp_profile(&[]);
    bad.mcp.metadata_resource = Some("not a uri".into());
    let error = bad.validate().expect_err("a malformed resource is refused");
    assert!(
        format!("{error}").contains("mcp.metadata_resource"),
        "{error}"
    );
}

#[tokio::test]
async fn an_openid_provider_serves_its_metadata_at_the_openid_urls_only() {
    let mut config = mcp_profile(&[]);
    config.quirks.openid_discovery_only = true;
    let error = config
        .validate()
        .expect_err("OpenID discovery needs a JWKS");
    assert!(
        format!("{error}").contains("quirks.openid_discovery_only"),
        "{error}"
    );
    config.token_format = TokenFormat::Jwt;
    let (provider, http) = start_with(config).await;
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/oauth-authorization-server/t/tenant1",
        "/t/tenant1/.well-known/oauth-authorization-server",
    ] {
        assert_eq!(get(&provider, &http, path).await.status(), 404, "{path}");
    }
    for (path, issuer) in [
        ("/.well-known/openid-configuration", provider.uri()),
        (
            "/.well-known/openid-configuration/t/tenant1",
            provider.url("/t/tenant1"),
        ),
        (
            "/t/tenant1/.well-known/openid-configuration",
            provider.url("/t/tenant1"),
        ),
    ] {
        let doc = json(get(&provider, &http, path).await).await;
        assert_eq!(doc["issuer"], issuer, "{path}");
        // The members OpenID Connect Discovery 1.0 §3 requires.
        assert!(doc["jwks_uri"].is_string(), "{path}");
        assert_eq!(
            doc["id_token_signing_alg_values_supported"],
            serde_json::json!(["ES256"])
        );
        assert_eq!(
            doc["subject_types_supported"],
            serde_json::json!(["public"])
        );
    }
}

#[tokio::test]
async fn metadata_members_can_be_overridden_for_client_tests() {
    let mut config = mcp_profile(&[]);
    config.quirks.metadata_overrides = [
        ("issuer", "https://other.example.test"),
        ("authorization_endpoint", "javascript:alert(1)"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let (provider, http) = start_with(config).await;
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration/t/tenant1",
    ] {
        let doc = json(get(&provider, &http, path).await).await;
        assert_eq!(doc["issuer"], "https://other.example.test", "{path}");
        assert_eq!(
            doc["authorization_endpoint"], "javascript:alert(1)",
            "{path}"
        );
        assert!(doc["token_endpoint"].is_string(), "{path}");
    }
}
