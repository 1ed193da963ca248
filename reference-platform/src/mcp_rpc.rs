//! The MCP messages the platform sends its MCP server ([Streamable HTTP], JSON-RPC 2.0): an
//! `initialize`, then `tools/call`, each a POST of JSON that accepts a JSON or an event-stream
//! answer, with `MCP-Protocol-Version` after the `initialize` and the server's
//! `Mcp-Session-Id` when it gave one. The platform reads JSON answers only.
//!
//! [Streamable HTTP]: https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use serde_json::{Value, json};

use oauth_vocab::Secret;

/// The revision the platform speaks.
pub(crate) const PROTOCOL_VERSION: &str = "2025-11-25";

/// The session header a server may set on the `initialize` answer.
const SESSION_HEADER: &str = "mcp-session-id";

/// Where a request carries the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Carried {
    /// The `Authorization` header, as MCP requires ("Access Token Usage").
    Header,
    /// The query string: the `bearer_in_query` defect.
    Query,
}

/// A POST of one JSON-RPC message, with the token where `carried` says when there is one.
fn post(
    http: &reqwest::Client,
    url: &str,
    token: Option<(&Secret, Carried)>,
    message: &Value,
) -> reqwest::RequestBuilder {
    let request = http
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, "application/json, text/event-stream")
        .body(message.to_string());
    match token {
        Some((token, Carried::Header)) => request.bearer_auth(token.expose()),
        Some((token, Carried::Query)) => request.query(&[("access_token", token.expose())]),
        None => request,
    }
}

/// The `initialize` request.
pub(crate) fn initialize(
    http: &reqwest::Client,
    url: &str,
    token: Option<(&Secret, Carried)>,
) -> reqwest::RequestBuilder {
    let message = json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": { "name": "gauntlet-reference-platform", "version": env!("CARGO_PKG_VERSION") },
        },
    });
    post(http, url, token, &message)
}

/// Calls tool `name` with the token: `initialize`, then `tools/call` in the session it opened.
/// The answer is the `initialize`'s when that was not a success (a 401 or 403 is the token's
/// verdict), else the `tools/call`'s.
pub(crate) async fn call_tool(
    http: &reqwest::Client,
    url: &str,
    token: (&Secret, Carried),
    name: &str,
) -> Result<reqwest::Response, reqwest::Error> {
    let initialized = initialize(http, url, Some(token)).send().await?;
    if !initialized.status().is_success() {
        return Ok(initialized);
    }
    let session = initialized.headers().get(SESSION_HEADER).cloned();
    let message = json!({
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": { "name": name, "arguments": {} },
    });
    let mut request = post(http, url, Some(token), &message).header(
        "mcp-protocol-version",
        HeaderValue::from_static(PROTOCOL_VERSION),
    );
    if let Some(session) = session {
        request = request.header(SESSION_HEADER, session);
    }
    request.send().await
}

/// The `sub` of a `whoami` tool result (`result.structuredContent.sub`); `None` for a JSON-RPC
/// error or a result without it.
pub(crate) fn tool_subject(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let sub = value.get("result")?.get("structuredContent")?.get("sub")?;
    sub.as_str().map(str::to_owned)
}

/// Whether a JSON-RPC answer is an error.
pub(crate) fn is_error(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body).map_or(true, |v| v.get("result").is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_comes_from_the_structured_result() {
        let ok = br#"{"jsonrpc":"2.0","id":2,"result":{"structuredContent":{"sub":"u-1"}}}"#;
        assert_eq!(tool_subject(ok).as_deref(), Some("u-1"));
        assert!(!is_error(ok));
        let error = br#"{"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"x"}}"#;
        assert_eq!(tool_subject(error), None);
        assert!(is_error(error));
        assert!(is_error(b"not json"));
    }
}
