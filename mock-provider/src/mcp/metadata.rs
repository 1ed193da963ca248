//! Protected-resource metadata ([RFC 9728](https://www.rfc-editor.org/rfc/rfc9728)) of the MCP
//! endpoint, at the path-aware well-known URL (§3.1: the well-known segment inserted before the
//! resource's path) and at the root one, each when configured.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::resource_indicator::mcp_resource;
use crate::state::AppState;

/// The root well-known URL's path.
pub(crate) const ROOT: &str = "/.well-known/oauth-protected-resource";

/// The path-aware well-known path of the resource at `path` (§3.1).
pub(crate) fn path_aware(path: &str) -> String {
    format!("{ROOT}{path}")
}

/// The metadata URL a 401 points to (§5.1): the path-aware one, unless only the root one is
/// served.
pub(crate) fn url(state: &AppState) -> String {
    let mcp = &state.config.mcp;
    let path = if !mcp.metadata_at_path && mcp.metadata_at_root {
        ROOT.to_owned()
    } else {
        path_aware(&mcp.path)
    };
    format!("{}{path}", state.base_url)
}

/// Every scope the MCP endpoint asks for, sorted.
pub(crate) fn scopes_supported(state: &AppState) -> Vec<String> {
    let mcp = &state.config.mcp;
    let mut scopes: Vec<String> = (mcp.scopes.iter())
        .chain(mcp.tool_scopes.values().flatten())
        .cloned()
        .collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

/// The document (§2): `resource` is the MCP endpoint's URL exactly (§3.3), unless
/// `mcp.metadata_resource` names another; its one authorization server the configured issuer.
pub(crate) fn document(state: &AppState) -> serde_json::Value {
    let resource =
        (state.config.mcp.metadata_resource.clone()).unwrap_or_else(|| mcp_resource(state));
    serde_json::json!({
        "resource": resource,
        "authorization_servers": [state.issuer(state.config.mcp.tenant.as_deref())],
        "scopes_supported": scopes_supported(state),
        "bearer_methods_supported": ["header"],
        "resource_name": "mock-provider MCP server",
    })
}

/// `GET /.well-known/oauth-protected-resource[{path}]`.
pub(crate) async fn handle(State(state): State<AppState>) -> Response {
    axum::Json(document(&state)).into_response()
}
