//! The MCP endpoint: bearer rules (401 challenge shapes, audience, query tokens, 403 scope) and
//! JSON-RPC (initialize, notifications, tools, error objects).

use mock_provider::{Finding, McpChallenge, McpConfig, ProviderConfig};
use serde_json::{Value, json};

use super::*;

const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
const OTHER: &str = "https://other.example.test/mcp";

/// A provider whose 401 challenge is `shape`.
async fn with_challenge(shape: McpChallenge) -> (MockProvider, reqwest::Client) {
    let mut config = mcp_profile(&[]);
    config.mcp.challenge = shape;
    start_with(config).await
}

#[tokio::test]
async fn no_token_gets_a_401_pointing_at_the_metadata_with_the_scope() {
    let (provider, http) = start_with(mcp_profile(&[])).await;
    let response = rpc(&provider, &http, None, PING).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        challenge(&response).as_deref(),
        Some(
            format!(
                "Bearer resource_metadata=\"{}\", scope=\"read\"",
                provider.url("/.well-known/oauth-protected-resource/mcp")
            )
            .as_str()
        )
    );
    assert!(journal_has(&provider, Finding::BearerMissing));
}

#[tokio::test]
async fn the_challenge_takes_the_configured_shape() {
    let (provider, http) = with_challenge(McpChallenge::NoScope).await;
    let response = rpc(&provider, &http, None, PING).await;
    let header = challenge(&response).unwrap();
    assert!(
        header.starts_with("Bearer resource_metadata=\""),
        "{header}"
    );
    assert!(!header.contains("scope="), "{header}");

    let (provider, http) = with_challenge(McpChallenge::Bare).await;
    let response = rpc(&provider, &http, None, PING).await;
    assert_eq!(challenge(&response).as_deref(), Some("Bearer"));

    let (provider, http) = with_challenge(McpChallenge::None).await;
    let response = rpc(&provider, &http, None, PING).await;
    assert_eq!(response.status(), 401);
    assert_eq!(challenge(&response), None);
}

#[tokio::test]
async fn a_token_for_another_resource_or_for_none_is_refused() {
    let (provider, http) = start_with(mcp_profile(&[OTHER])).await;
    let code = code_for(&provider, &http, &[OTHER], None).await;
    let other = json(redeem_for(&provider, &http, &code, None).await).await;
    let response = rpc(&provider, &http, other["access_token"].as_str(), PING).await;
    assert_eq!(response.status(), 401);
    let header = challenge(&response).unwrap();
    assert!(header.contains("error=\"invalid_token\""), "{header}");
    assert!(header.contains("resource_metadata=\""), "{header}");
    assert!(journal_has(&provider, Finding::BearerWrongAudience));

    provider.clear_journal();
    let code = code_for(&provider, &http, &[], None).await;
    let unbound = json(redeem_for(&provider, &http, &code, None).await).await;
    let response = rpc(&provider, &http, unbound["access_token"].as_str(), PING).await;
    assert_eq!(response.status(), 401);
    assert!(journal_has(&provider, Finding::BearerWrongAudience));
}

#[tokio::test]
async fn a_token_of_another_issuer_is_refused() {
    let config = ProviderConfig {
        mcp: McpConfig {
            enabled: true,
            tenant: Some("tenant1".into()),
            ..McpConfig::default()
        },
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    // The root issuer's token, bound to the MCP endpoint all the same.
    let root_token = mcp_token(&provider, &http, "read").await;
    let response = rpc(&provider, &http, Some(&root_token), PING).await;
    assert_eq!(response.status(), 401);
    assert!(journal_has(&provider, Finding::BearerWrongTenant));
}

#[tokio::test]
async fn a_token_in_the_query_string_is_refused() {
    let (provider, http) = start_with(mcp_profile(&[])).await;
    let token = mcp_token(&provider, &http, "read").await;
    let response = http
        .post(format!("{}?access_token={token}", provider.mcp_url()))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(PING)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(json(response).await["error"], "invalid_request");
    assert!(journal_has(&provider, Finding::BearerPlacementRefused));
}

#[tokio::test]
async fn a_tool_needing_a_missing_scope_gets_403_naming_the_scopes() {
    let (provider, http) = start_with(mcp_profile(&[])).await;
    let call = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami"}}"#;
    let narrow = mcp_token(&provider, &http, "read").await;
    let response = rpc(&provider, &http, Some(&narrow), call).await;
    assert_eq!(response.status(), 403);
    let header = challenge(&response).unwrap();
    assert!(header.contains("error=\"insufficient_scope\""), "{header}");
    assert!(header.contains("scope=\"read profile\""), "{header}");
    assert!(header.contains("resource_metadata=\""), "{header}");
    // With the scope the same call answers with the token's subject.
    let wide = mcp_token(&provider, &http, "read profile").await;
    let response = rpc(&provider, &http, Some(&wide), call).await;
    assert_eq!(response.status(), 200);
    let body = json(response).await;
    assert_eq!(body["id"], 2);
    assert_eq!(body["result"]["content"][0]["text"], "alice");
    assert_eq!(body["result"]["structuredContent"]["sub"], "alice");
}

#[tokio::test]
async fn a_token_without_the_endpoints_scope_is_403_too() {
    let (provider, http) = start_with(mcp_profile(&[])).await;
    let token = mcp_token(&provider, &http, "profile").await;
    let response = rpc(&provider, &http, Some(&token), PING).await;
    assert_eq!(response.status(), 403);
    assert!(challenge(&response).unwrap().contains("scope=\"read\""));
}

#[tokio::test]
async fn a_session_initializes_lists_and_calls_tools() {
    let (provider, http) = start_with(mcp_profile(&[])).await;
    let token = mcp_token(&provider, &http, "read").await;
    let send = |body: Value| {
        let (provider, http, token) = (&provider, &http, token.clone());
        async move { rpc(provider, http, Some(&token), &body.to_string()).await }
    };
    let init = send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "t", "version": "1"}}}))
    .await;
    assert_eq!(init.status(), 200);
    let init = json(init).await;
    assert_eq!(init["result"]["protocolVersion"], "2025-06-18");
    assert!(init["result"]["capabilities"]["tools"].is_object());
    assert_eq!(init["result"]["serverInfo"]["name"], "mock-provider");
    let unknown = json(
        send(json!({"jsonrpc": "2.0", "id": 9, "method": "initialize",
            "params": {"protocolVersion": "1999-01-01"}}))
        .await,
    )
    .await;
    assert_eq!(unknown["result"]["protocolVersion"], "2026-07-28");

    let note = send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await;
    assert_eq!(note.status(), 202);
    assert!(note.bytes().await.unwrap().is_empty());

    let list = json(send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).await).await;
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["whoami", "echo"]);

    let echo = json(
        send(json!({"jsonrpc": "2.0", "id": "e", "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "hi"}}}))
        .await,
    )
    .await;
    assert_eq!(echo["id"], "e");
    assert_eq!(echo["result"]["content"][0]["text"], "hi");
}

#[tokio::test]
async fn malformed_json_rpc_gets_json_rpc_error_objects() {
    let (provider, http) = start_with(mcp_profile(&[])).await;
    let token = mcp_token(&provider, &http, "read").await;
    for (body, status, code) in [
        ("{not json", 400, -32700),
        (r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, 400, -32600),
        (
            r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            400,
            -32600,
        ),
        (r#"{"id":1,"method":"ping"}"#, 400, -32600),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"resources/list"}"#,
            200,
            -32601,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"rm"}}"#,
            200,
            -32602,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}}"#,
            200,
            -32602,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#,
            200,
            -32602,
        ),
    ] {
        let response = rpc(&provider, &http, Some(&token), body).await;
        assert_eq!(response.status(), status, "{body}");
        let answer = json(response).await;
        assert_eq!(answer["jsonrpc"], "2.0", "{body}");
        assert_eq!(answer["error"]["code"], code, "{body}");
    }
    assert!(journal_has(&provider, Finding::RequestJsonRpcInvalid));
    // The transport's own rules: both media types accepted, a spoken protocol revision.
    let response = http
        .post(provider.mcp_url())
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(PING)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 406);
    let response = http
        .post(provider.mcp_url())
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "1999-01-01")
        .body(PING)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn the_endpoint_is_journaled_with_its_token_redacted() {
    let (provider, http) = start_with(mcp_profile(&[])).await;
    let token = mcp_token(&provider, &http, "read").await;
    let response = rpc(&provider, &http, Some(&token), PING).await;
    assert_eq!(response.status(), 200);
    let journal = provider.journal();
    let entry = journal
        .iter()
        .find(|e| e.path == "/mcp")
        .expect("the MCP request is journaled");
    assert_eq!(entry.endpoint, mock_provider::Endpoint::Resource);
    assert_eq!(entry.client_id.as_deref(), Some(CLIENT_ID));
    let redacted = serde_json::to_string(&provider.redacted_journal()).unwrap();
    assert!(!redacted.contains(&token));
}

#[tokio::test]
async fn quirk_mcp_audience_unchecked_takes_a_token_for_another_resource() {
    let mut config = mcp_profile(&[OTHER]);
    config.quirks.mcp_audience_unchecked = true;
    let (provider, http) = start_with(config).await;
    let code = code_for(&provider, &http, &[OTHER], None).await;
    let other = json(redeem_for(&provider, &http, &code, None).await).await;
    let response = rpc(&provider, &http, other["access_token"].as_str(), PING).await;
    assert_eq!(response.status(), 200);
    assert!(!journal_has(&provider, Finding::BearerWrongAudience));
    // An unknown token is still refused.
    let response = rpc(&provider, &http, Some("not-a-token"), PING).await;
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn quirk_mcp_query_token_takes_a_token_in_the_query_alone() {
    let mut config = mcp_profile(&[]);
    config.quirks.mcp_query_token = true;
    let (provider, http) = start_with(config).await;
    let token = mcp_token(&provider, &http, "read").await;
    let send = |authorization: Option<&str>| {
        let mut request = http
            .post(format!("{}?access_token={token}", provider.mcp_url()))
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(PING);
        if let Some(value) = authorization {
            request = request.bearer_auth(value);
        }
        request.send()
    };
    let response = send(None).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await["result"], json!({}));
    // In the query and the header at once it is still a malformed request.
    let response = send(Some(&token)).await.unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn the_configured_expired_token_is_refused_with_invalid_token_unless_the_quirk_says_otherwise()
 {
    const EXPIRED: &str = "mcp-expired-token-0001";
    let mut config = mcp_profile(&[]);
    config.mcp.expired_token = Some(EXPIRED.into());
    let (provider, http) = start_with(config.clone()).await;
    let response = rpc(&provider, &http, Some(EXPIRED), PING).await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(challenge.contains("expired"), "{challenge}");
    // The lax quirk takes it; an unknown token is still refused.
    config.quirks.mcp_expiry_unchecked = true;
    let (provider, http) = start_with(config).await;
    let response = rpc(&provider, &http, Some(EXPIRED), PING).await;
    assert_eq!(response.status(), 200);
    let response = rpc(&provider, &http, Some("not-a-token"), PING).await;
    assert_eq!(response.status(), 401);
}

#[test]
fn a_malformed_expired_token_is_refused_at_load() {
    for bad in ["short", "has \"quote\"", "has space in it"] {
        let mut config = mcp_profile(&[]);
        config.mcp.expired_token = Some(bad.into());
        let error = config.validate().unwrap_err();
        assert!(
            format!("{error}").contains("mcp.expired_token"),
            "{bad}: {error}"
        );
    }
}
