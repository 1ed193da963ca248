//! The mock as an MCP server and its authorization server (`[mcp]`): RFC 8707 `resource` at
//! the authorization and token endpoints, the MCP endpoint and its bearer rules, RFC 9728
//! metadata and the discovery URLs MCP clients try.

mod client_metadata;
mod endpoint;
mod metadata;
mod resource_param;

use mock_provider::{McpConfig, MockProvider, ProviderConfig};

use crate::support::*;

/// The default profile with the MCP server on, and `more` extra resources.
pub(crate) fn mcp_profile(more: &[&str]) -> ProviderConfig {
    ProviderConfig {
        mcp: McpConfig {
            enabled: true,
            extra_resources: more.iter().map(|r| (*r).to_owned()).collect(),
            ..McpConfig::default()
        },
        ..ProviderConfig::default()
    }
}

/// An authorization request of the default client naming `resources` and `scope`.
pub(crate) fn params_with(resources: &[&str], scope: Option<&str>) -> Vec<(&'static str, String)> {
    let mut params = authorize_params("st");
    params.extend(resources.iter().map(|r| ("resource", (*r).to_owned())));
    params.extend(scope.map(|s| ("scope", s.to_owned())));
    params
}

/// Authorizes with `resources` (auto-approved) and returns the code.
pub(crate) async fn code_for(
    provider: &MockProvider,
    http: &reqwest::Client,
    resources: &[&str],
    scope: Option<&str>,
) -> String {
    let response = authorize(provider, http, &params_with(resources, scope)).await;
    let location = location(&response);
    query_param(&location, "code").unwrap_or_else(|| panic!("a code: {location}"))
}

/// Redeems `code`, naming `resource` in the token request if given.
pub(crate) async fn redeem_for(
    provider: &MockProvider,
    http: &reqwest::Client,
    code: &str,
    resource: Option<&str>,
) -> reqwest::Response {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    form.extend(resource.map(|r| ("resource", r)));
    token(provider, http, &form).await
}

/// A token for the MCP endpoint with `scope`, through both requests naming it.
pub(crate) async fn mcp_token(
    provider: &MockProvider,
    http: &reqwest::Client,
    scope: &str,
) -> String {
    let resource = provider.mcp_url();
    let code = code_for(provider, http, &[&resource], Some(scope)).await;
    let response = redeem_for(provider, http, &code, Some(&resource)).await;
    assert_eq!(response.status(), 200);
    json(response).await["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

/// Posts one JSON-RPC message to the MCP endpoint as a Streamable HTTP client does.
pub(crate) async fn rpc(
    provider: &MockProvider,
    http: &reqwest::Client,
    token: Option<&str>,
    body: &str,
) -> reqwest::Response {
    let mut request = http
        .post(provider.mcp_url())
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_owned());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("the MCP endpoint answers")
}

/// Whether some journal entry has `finding`.
pub(crate) fn journal_has(provider: &MockProvider, finding: mock_provider::Finding) -> bool {
    provider.journal().iter().any(|e| e.has_finding(finding))
}

/// The `WWW-Authenticate` header, if any.
pub(crate) fn challenge(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().expect("ASCII").to_owned())
}
