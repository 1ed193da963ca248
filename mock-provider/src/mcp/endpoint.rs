//! `POST {mcp.path}`: the Streamable HTTP endpoint. The bearer token is checked first
//! ([`guard`]), then the transport's rules (a JSON body, an `Accept` listing
//! `application/json` and `text/event-stream`, a spoken `MCP-Protocol-Version`), then the
//! message ([`rpc`]): `initialize`, `ping`, `tools/list` and `tools/call` are answered in JSON,
//! notifications with `202 Accepted`.

use axum::body::Bytes;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oauth_vocab::{Finding, Observation};
use serde_json::{Value, json};

use crate::markers::BodyTooLarge;
use crate::mcp::guard::{self, Refusal};
use crate::mcp::rpc::{self, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, Message, RpcError};
use crate::mcp::tools;
use crate::response::noted;
use crate::state::AppState;
use crate::store::TokenRecord;

/// The header naming the negotiated revision on every request after `initialize`.
const PROTOCOL_VERSION_HEADER: &str = "mcp-protocol-version";

/// `POST {mcp.path}`.
pub(crate) async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let record = match guard::admit(&state, &headers, query.as_deref()) {
        Ok(record) => record,
        Err(refusal) => return refusal.into_response(&state),
    };
    let too_large = request.extensions().get::<BodyTooLarge>().is_some();
    let body = axum::body::to_bytes(request.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let client_id = record.client_id.clone();
    let answer = match transport(&headers, too_large) {
        Ok(()) => message(&state, &record, &body),
        Err(answer) => Answer::Error(answer),
    };
    match answer {
        Answer::Result(value) => noted(axum::Json(value).into_response(), Some(&client_id), vec![]),
        Answer::Accepted => noted(
            StatusCode::ACCEPTED.into_response(),
            Some(&client_id),
            vec![],
        ),
        Answer::Refused(refusal) => refusal.into_response(&state),
        Answer::Error((status, error)) => {
            let finding = Observation::detailed(Finding::RequestJsonRpcInvalid, &error.message);
            let response = (status, axum::Json(error.body())).into_response();
            noted(response, Some(&client_id), vec![finding])
        }
    }
}

/// What a message gets.
enum Answer {
    Result(Value),
    Accepted,
    Refused(Refusal),
    Error((StatusCode, RpcError)),
}

/// The transport's rules (Streamable HTTP: sending messages to the server).
fn transport(headers: &HeaderMap, too_large: bool) -> Result<(), (StatusCode, RpcError)> {
    let refuse =
        |status, why: &str| Err((status, RpcError::new(Value::Null, INVALID_REQUEST, why)));
    let text = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    if too_large {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "the message is too large");
    }
    let content_type = text(header::CONTENT_TYPE);
    if content_type.split(';').next().map(str::trim) != Some("application/json") {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        );
    }
    let accept = text(header::ACCEPT);
    if !(accept.contains("application/json") && accept.contains("text/event-stream")) {
        return refuse(
            StatusCode::NOT_ACCEPTABLE,
            "Accept must list both application/json and text/event-stream",
        );
    }
    let version = text(header::HeaderName::from_static(PROTOCOL_VERSION_HEADER));
    if !version.is_empty() && !rpc::PROTOCOL_VERSIONS.contains(&version.as_str()) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "MCP-Protocol-Version names a revision this server does not speak",
        );
    }
    Ok(())
}

/// Reads and answers one message.
fn message(state: &AppState, record: &TokenRecord, body: &Bytes) -> Answer {
    let (id, method, params) = match rpc::parse(body) {
        Ok(Message::Accepted) => return Answer::Accepted,
        Ok(Message::Request { id, method, params }) => (id, method, params),
        Err(error) => return Answer::Error((StatusCode::BAD_REQUEST, error)),
    };
    let answered = match method.as_str() {
        "initialize" => initialize(&id, &params),
        "ping" => Ok(json!({})),
        "tools/list" => Ok(tools::list()),
        "tools/call" => return call(state, record, id, &params),
        other => Err(RpcError::new(
            id.clone(),
            METHOD_NOT_FOUND,
            format!("method {other:?} not found"),
        )),
    };
    match answered {
        Ok(result) => Answer::Result(rpc::result(id, result)),
        Err(error) => Answer::Error((status_of(&error), error)),
    }
}

/// A JSON-RPC error about a readable request is still a `200` response; an unreadable message
/// is a `400`.
fn status_of(error: &RpcError) -> StatusCode {
    if error.is_malformed() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

/// `initialize`: the negotiated revision, the server and its one capability.
fn initialize(id: &Value, params: &Value) -> Result<Value, RpcError> {
    let asked = params
        .get("protocolVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::new(id.clone(), INVALID_PARAMS, "protocolVersion is missing"))?;
    Ok(json!({
        "protocolVersion": rpc::negotiate(asked),
        "capabilities": { "tools": { "listChanged": false } },
        "serverInfo": { "name": "mock-provider", "version": env!("CARGO_PKG_VERSION") },
    }))
}

/// `tools/call`: a known tool, called with the scopes it needs.
fn call(state: &AppState, record: &TokenRecord, id: Value, params: &Value) -> Answer {
    let Some(name) = params.get("name").and_then(Value::as_str) else {
        let error = RpcError::new(id, INVALID_PARAMS, "name is missing");
        return Answer::Error((StatusCode::OK, error));
    };
    if !tools::known(name) {
        let error = RpcError::new(id, INVALID_PARAMS, format!("unknown tool {name:?}"));
        return Answer::Error((StatusCode::OK, error));
    }
    let needed = tools::needed_scopes(state, name);
    if needed.iter().any(|s| !record.scopes.contains(s)) {
        return Answer::Refused(Refusal::insufficient_scope(record, needed));
    }
    let arguments = params.get("arguments").cloned().unwrap_or(json!({}));
    match tools::call(&id, record, name, &arguments) {
        Ok(result) => Answer::Result(rpc::result(id, result)),
        Err(error) => Answer::Error((StatusCode::OK, error)),
    }
}
