//! `GET /call_tool?session={sid}&tool={name}` (MCP shape): calls the MCP server's tool `name`
//! for the session, with step-up on a 403 `insufficient_scope` ([MCP authorization], "Step-Up
//! Authorization Flow"): the session's next flow asks for the challenged scopes together with
//! those it asked for before, and after [`MAX_STEP_UPS`] re-authorizations the tool still
//! refuses, the refusal is permanent and the user is told so instead of being sent to authorize
//! again.
//!
//! [MCP authorization]: https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#step-up-authorization-flow

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::defects::Defect;
use crate::pages;
use crate::params::Params;
use crate::probe::{self, Probe, bad_request, session_param};
use crate::session::MAX_STEP_UPS;
use crate::state::AppState;

/// The longest tool name accepted.
const MAX_TOOL_NAME: usize = 64;

/// `GET /call_tool?session={sid}&tool={name}`.
pub(crate) async fn call_tool(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let sid = match session_param(query.as_deref()) {
        Ok(sid) => sid,
        Err(why) => return bad_request(&why),
    };
    let tool = match tool_param(query.as_deref()) {
        Ok(tool) => tool,
        Err(why) => return bad_request(&why),
    };
    let answer = match probe::probe_tool(&state, &sid, &tool).await {
        Probe::Linked { .. } => {
            state.sessions.step_up_succeeded(&sid, &tool);
            json!({ "linked": true, "tool": tool, "called": true })
        }
        Probe::InsufficientScope { required } => {
            let attempts = state.sessions.step_up_attempt(&sid, &tool);
            if attempts > MAX_STEP_UPS && !state.config.defects.has(Defect::StepUpUnbounded) {
                tracing::info!(session = %sid, %tool, attempts, "step-up refused again: giving up");
                state.sessions.drop_step_up(&sid);
                json!({
                    "linked": true,
                    "tool": tool,
                    "error": "insufficient_scope",
                    "gave_up": true,
                    "message": format!(
                        "the MCP server still refuses {tool} after {MAX_STEP_UPS} \
                         re-authorizations: it needs a scope the authorization server does not \
                         grant"
                    ),
                })
            } else {
                json!({
                    "linked": true,
                    "tool": tool,
                    "error": "insufficient_scope",
                    "required_scope": required.join(" "),
                    "reauthorize": format!("/link?session={}", oauth_vocab::form_encode(&sid)),
                })
            }
        }
        other => other.to_json(),
    };
    pages::json(StatusCode::OK, answer)
}

/// The one valid `tool` parameter, or why not.
fn tool_param(query: Option<&str>) -> Result<String, String> {
    match Params::parse(query).single("tool") {
        Ok(Some(tool))
            if !tool.is_empty()
                && tool.len() <= MAX_TOOL_NAME
                && tool
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) =>
        {
            Ok(tool.to_owned())
        }
        Ok(Some(_)) => Err("the tool parameter is not a tool name".into()),
        Ok(None) => Err("the tool parameter is missing".into()),
        Err(repeated) => Err(repeated.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::tool_param;

    #[test]
    fn only_one_plain_tool_name_is_taken() {
        assert_eq!(tool_param(Some("session=s&tool=echo")).unwrap(), "echo");
        assert!(tool_param(Some("session=s")).is_err());
        assert!(tool_param(Some("tool=a&tool=b")).is_err());
        assert!(tool_param(Some("tool=a%20b")).is_err());
        assert!(tool_param(Some(&format!("tool={}", "a".repeat(65)))).is_err());
    }
}
