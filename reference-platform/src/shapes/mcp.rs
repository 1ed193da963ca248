//! The MCP client: its differences from the web flow are made at start (discovery through the
//! MCP server, `mcp_discovery`), in the requests (`resource`) and in the probe (a tool call,
//! `mcp_rpc`), so every hook keeps its default.

use crate::hooks::ShapeHooks;

/// An MCP client's web and chat channels.
#[derive(Debug)]
pub(crate) struct Mcp;

impl ShapeHooks for Mcp {}
