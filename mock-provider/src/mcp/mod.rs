//! The mock as an MCP server ([MCP authorization], Streamable HTTP transport): a JSON-RPC 2.0
//! endpoint at `mcp.path` ([`endpoint`]) that only the mock's own tokens issued for it open
//! ([`guard`]), its tools ([`tools`]), the JSON-RPC framing ([`rpc`]) and its RFC 9728
//! protected-resource metadata ([`metadata`]). Served only when the `[mcp]` table is on.
//!
//! [MCP authorization]: https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization

mod endpoint;
mod guard;
mod metadata;
mod rpc;
mod tools;

use axum::Router;
use axum::routing::{get, post};

use crate::endpoints::wrong_method::json;
use crate::state::AppState;

/// The MCP endpoint and its metadata routes, at the root; none when `[mcp]` is off.
pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    let mcp = &state.config.mcp;
    let mut router = Router::new();
    if !mcp.enabled {
        return router;
    }
    router = router.route(&mcp.path, post(endpoint::handle).fallback(json("POST")));
    if mcp.metadata_at_path {
        router = router.route(
            &metadata::path_aware(&mcp.path),
            get(metadata::handle).fallback(json("GET")),
        );
    }
    if mcp.metadata_at_root {
        router = router.route(metadata::ROOT, get(metadata::handle).fallback(json("GET")));
    }
    router
}
