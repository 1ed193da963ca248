//! The MCP client: its differences from the web flow are made at start (discovery through the
//! MCP server, `mcp_discovery`), in the requests (`resource`), in the probe (a tool call,
//! `mcp_rpc`) and in its one route of its own, `/call_tool` (`tool_call`, with step-up), so
//! every other hook keeps its default.

use axum::Router;
use axum::routing::get;

use crate::hooks::ShapeHooks;
use crate::state::AppState;
use crate::tool_call::call_tool;

/// An MCP client's web and chat channels.
#[derive(Debug)]
pub(crate) struct Mcp;

impl ShapeHooks for Mcp {
    fn routes(&self) -> Router<AppState> {
        Router::new().route("/call_tool", get(call_tool))
    }
}
