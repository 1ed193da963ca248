//! The MCP endpoint's tools: `whoami` (the token's subject, client and scope) and `echo` (its
//! `text` argument back), each needing `mcp.scopes` plus its own `mcp.tool_scopes`.

use serde_json::{Value, json};

use crate::mcp::rpc::{INVALID_PARAMS, RpcError};
use crate::state::AppState;
use crate::store::TokenRecord;

/// The `tools/list` result.
pub(crate) fn list() -> Value {
    json!({
        "tools": [
            {
                "name": "whoami",
                "description": "The subject, client and scope of the access token used.",
                "inputSchema": { "type": "object", "properties": {} },
            },
            {
                "name": "echo",
                "description": "Returns its text argument.",
                "inputSchema": {
                    "type": "object",
                    "properties": { "text": { "type": "string" } },
                    "required": ["text"],
                },
            },
        ],
    })
}

/// The scopes a call of `tool` needs: the endpoint's and the tool's own.
pub(crate) fn needed_scopes(state: &AppState, tool: &str) -> Vec<String> {
    let mcp = &state.config.mcp;
    let mut scopes = mcp.scopes.clone();
    for scope in mcp.tool_scopes.get(tool).into_iter().flatten() {
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    scopes
}

/// The named tool, if there is one.
pub(crate) fn known(name: &str) -> bool {
    crate::mcp_config::TOOLS.contains(&name)
}

/// The `tools/call` result of a known tool.
pub(crate) fn call(
    id: &Value,
    record: &TokenRecord,
    name: &str,
    arguments: &Value,
) -> Result<Value, RpcError> {
    let text = |text: String| json!({ "content": [{ "type": "text", "text": text }] });
    match name {
        "whoami" => {
            let mut result = text(record.subject.clone());
            result["structuredContent"] = json!({
                "sub": record.subject,
                "client_id": record.client_id,
                "scope": record.scopes.join(" "),
            });
            Ok(result)
        }
        _ => match arguments.get("text").and_then(Value::as_str) {
            Some(echoed) => Ok(text(echoed.to_owned())),
            None => Err(RpcError::new(
                id.clone(),
                INVALID_PARAMS,
                "echo needs a string argument `text`",
            )),
        },
    }
}
