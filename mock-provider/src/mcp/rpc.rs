//! JSON-RPC 2.0 framing as MCP's Streamable HTTP transport uses it: one message per POST (no
//! batches since 2025-06-18), requests with a string or integer `id`, notifications without
//! one, and the error objects of JSON-RPC 2.0 §5.1 for anything else.

use serde_json::{Value, json};

/// Invalid JSON (§5.1).
pub(crate) const PARSE_ERROR: i64 = -32700;
/// Not a valid request object.
pub(crate) const INVALID_REQUEST: i64 = -32600;
/// No such method.
pub(crate) const METHOD_NOT_FOUND: i64 = -32601;
/// Invalid parameters.
pub(crate) const INVALID_PARAMS: i64 = -32602;

/// The protocol revisions the endpoint speaks, newest first.
pub(crate) const PROTOCOL_VERSIONS: [&str; 4] =
    ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"];

/// One message a client posted.
#[derive(Debug)]
pub(crate) enum Message {
    /// A request, to be answered.
    Request {
        id: Value,
        method: String,
        params: Value,
    },
    /// A notification or a response to the server: accepted with `202`, unanswered.
    Accepted,
}

/// A JSON-RPC error, for the request `id` (`null` when it could not be read).
#[derive(Debug)]
pub(crate) struct RpcError {
    pub(crate) id: Value,
    pub(crate) code: i64,
    pub(crate) message: String,
}

impl RpcError {
    /// An error for `id`.
    pub(crate) fn new(id: Value, code: i64, message: impl Into<String>) -> Self {
        Self {
            id,
            code,
            message: message.into(),
        }
    }

    /// The error response object.
    pub(crate) fn body(&self) -> Value {
        json!({
            "jsonrpc": "2.0",
            "id": self.id,
            "error": { "code": self.code, "message": self.message },
        })
    }

    /// Whether the message itself was unusable (parse error, invalid request), not merely
    /// answered with an error.
    pub(crate) fn is_malformed(&self) -> bool {
        matches!(self.code, PARSE_ERROR | INVALID_REQUEST)
    }
}

/// A success response object.
pub(crate) fn result(id: Value, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

/// Reads one message.
pub(crate) fn parse(body: &[u8]) -> Result<Message, RpcError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| RpcError::new(Value::Null, PARSE_ERROR, format!("parse error: {e}")))?;
    let invalid = |id: Value, why: &str| RpcError::new(id, INVALID_REQUEST, why);
    let Value::Object(object) = value else {
        let why = if value.is_array() {
            "batches are not supported (removed in MCP 2025-06-18); send one message"
        } else {
            "a JSON-RPC message is an object"
        };
        return Err(invalid(Value::Null, why));
    };
    let id = object.get("id").cloned();
    let usable_id = id
        .clone()
        .filter(|id| id.is_string() || id.is_i64() || id.is_u64());
    if object.get("jsonrpc") != Some(&json!("2.0")) {
        return Err(invalid(
            usable_id.unwrap_or(Value::Null),
            "jsonrpc must be \"2.0\"",
        ));
    }
    let Some(method) = object.get("method") else {
        return if object.contains_key("result") || object.contains_key("error") {
            Ok(Message::Accepted)
        } else {
            Err(invalid(
                usable_id.unwrap_or(Value::Null),
                "the message has no method",
            ))
        };
    };
    let Some(method) = method.as_str() else {
        return Err(invalid(
            usable_id.unwrap_or(Value::Null),
            "method must be a string",
        ));
    };
    let params = object.get("params").cloned().unwrap_or(json!({}));
    if !params.is_object() {
        return Err(invalid(
            usable_id.unwrap_or(Value::Null),
            "params must be an object",
        ));
    }
    match (id, usable_id) {
        (None, _) => Ok(Message::Accepted),
        (Some(_), None) => Err(invalid(
            Value::Null,
            "id must be a string or an integer (MCP: never null)",
        )),
        (Some(_), Some(id)) => Ok(Message::Request {
            id,
            method: method.to_owned(),
            params,
        }),
    }
}

/// The `initialize` result's protocol version: the one asked for when spoken, else the newest.
pub(crate) fn negotiate(asked: &str) -> &'static str {
    PROTOCOL_VERSIONS
        .into_iter()
        .find(|v| *v == asked)
        .unwrap_or(PROTOCOL_VERSIONS[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_messages_get_their_error_codes() {
        let code = |body: &str| parse(body.as_bytes()).unwrap_err().code;
        assert_eq!(code("{"), PARSE_ERROR);
        assert_eq!(code("[]"), INVALID_REQUEST);
        assert_eq!(
            code(r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#),
            INVALID_REQUEST
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#),
            INVALID_REQUEST
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1,"method":7}"#),
            INVALID_REQUEST
        );
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1}"#), INVALID_REQUEST);
    }

    #[test]
    fn notifications_and_responses_are_accepted_and_requests_read() {
        let accepted = |body: &str| matches!(parse(body.as_bytes()), Ok(Message::Accepted));
        assert!(accepted(
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#
        ));
        assert!(accepted(r#"{"jsonrpc":"2.0","id":3,"result":{}}"#));
        let Ok(Message::Request { id, method, .. }) =
            parse(br#"{"jsonrpc":"2.0","id":"a","method":"ping"}"#)
        else {
            panic!("a request");
        };
        assert_eq!((id, method.as_str()), (json!("a"), "ping"));
    }

    #[test]
    fn an_unknown_version_negotiates_to_the_newest() {
        assert_eq!(negotiate("2025-06-18"), "2025-06-18");
        assert_eq!(negotiate("1999-01-01"), PROTOCOL_VERSIONS[0]);
    }
}
