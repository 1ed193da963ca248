//! Using the token: the `whoami` probe calls the resource API with `Authorization: Bearer`
//! (never the query, [RFC 6750 §2.1]); on 401 it refreshes once and retries once; on 403
//! `insufficient_scope` it remembers the challenged scope for the next flow (step-up); it never
//! loops. `unlink` revokes ([RFC 7009 §2.1]) and forgets.
//!
//! [RFC 6750 §2.1]: https://www.rfc-editor.org/rfc/rfc6750#section-2.1
//! [RFC 7009 §2.1]: https://www.rfc-editor.org/rfc/rfc7009#section-2.1

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use reqwest::header::{self, HeaderValue};
use serde_json::{Value, json};

use crate::config::is_scope_token;
use crate::config::{Placement, Shape};
use crate::defects::Defect;
use crate::http::{placed, read_limited};
use crate::mcp_rpc;
use crate::pages;
use crate::params::{Params, valid_session};
use crate::session::Linked;
use crate::state::AppState;
use crate::token_client::RevokeOutcome;
use oauth_vocab::Secret;

/// What the platform knows about a chat session after asking the resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Probe {
    /// Never linked, or unlinked.
    NotLinked,
    /// The tokens no longer work and could not be refreshed: the user must link again.
    LoginRequired,
    /// The resource answered.
    Linked { sub: Option<String>, scope: String },
    /// The token needs more scope; the next flow asks for `required`.
    InsufficientScope { required: Vec<String> },
    /// The resource failed (5xx, timeout, …); the tokens are kept.
    Unavailable,
}

impl Probe {
    /// The `whoami` JSON.
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Self::NotLinked => json!({ "linked": false }),
            Self::LoginRequired => json!({ "linked": false, "reason": "login required" }),
            Self::Linked { sub, scope } => json!({ "linked": true, "sub": sub, "scope": scope }),
            Self::InsufficientScope { required } => json!({
                "linked": true,
                "error": "insufficient_scope",
                "required_scope": required.join(" "),
            }),
            Self::Unavailable => json!({ "linked": true, "error": "resource unavailable" }),
        }
    }
}

/// One resource call's outcome.
#[derive(Debug)]
enum Answer {
    Ok(Option<String>),
    Unauthorized,
    InsufficientScope(Vec<String>),
    Unavailable,
}

/// `GET /whoami?session={sid}`.
pub(crate) async fn whoami(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    match session_param(query.as_deref()) {
        Ok(sid) => answer(&state, &sid).await,
        Err(why) => bad_request(&why),
    }
}

/// The `whoami` JSON answer for a session.
pub(crate) async fn answer(state: &AppState, sid: &str) -> Response {
    pages::json(StatusCode::OK, probe(state, sid).await.to_json())
}

/// `POST /unlink?session={sid}`.
pub(crate) async fn unlink(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    match session_param(query.as_deref()) {
        Ok(sid) => {
            forget_and_revoke(&state, &sid).await;
            pages::json(StatusCode::OK, json!({ "linked": false }))
        }
        Err(why) => bad_request(&why),
    }
}

pub(crate) fn bad_request(why: &str) -> Response {
    pages::json(StatusCode::BAD_REQUEST, json!({ "error": why }))
}

/// The one valid `session` parameter, or why not.
pub(crate) fn session_param(query: Option<&str>) -> Result<String, String> {
    match Params::parse(query).single("session") {
        Ok(Some(sid)) if valid_session(sid) => Ok(sid.to_owned()),
        Ok(Some(_)) => Err("the session parameter is not valid".into()),
        Ok(None) => Err("the session parameter is missing".into()),
        Err(repeated) => Err(repeated.to_string()),
    }
}

/// Asks the resource who the session's user is, refreshing once if the token is refused.
pub(crate) async fn probe(state: &AppState, sid: &str) -> Probe {
    probe_tool(state, sid, WHOAMI).await
}

/// The MCP tool the probe calls.
const WHOAMI: &str = "whoami";

/// Calls the resource (in the MCP shape, the tool `tool`) with the session's token, refreshing
/// once if the token is refused.
pub(crate) async fn probe_tool(state: &AppState, sid: &str, tool: &str) -> Probe {
    let Some(linked) = state.sessions.get(sid) else {
        return Probe::NotLinked;
    };
    match call_resource(state, &linked.access_token, tool).await {
        Answer::Unauthorized => {}
        other => return conclude(state, sid, &linked, other),
    }
    let Some(current) = recover(state, sid, &linked).await else {
        if state.config.defects.has(Defect::RevokedTokenStillUsed) {
            return Probe::Linked {
                sub: None,
                scope: linked.scope.clone(),
            };
        }
        return Probe::LoginRequired;
    };
    // The `kore_path_stale_token` defect: the API path was filled once, with the refused token.
    let stale =
        state.config.defects.has(Defect::KorePathStaleToken) && state.placement == Placement::Path;
    let retry = if stale { &linked } else { &current };
    match call_resource(state, &retry.access_token, tool).await {
        Answer::Unauthorized => {
            tracing::info!(session = %sid, "the refreshed token is refused too: login required");
            state.sessions.forget_if(sid, current.generation);
            Probe::LoginRequired
        }
        other => conclude(state, sid, &current, other),
    }
}

fn conclude(state: &AppState, sid: &str, linked: &Linked, answer: Answer) -> Probe {
    match answer {
        Answer::Ok(sub) => Probe::Linked {
            sub,
            scope: linked.scope.clone(),
        },
        Answer::InsufficientScope(required) => {
            state.sessions.add_step_up(sid, required.clone());
            Probe::InsufficientScope { required }
        }
        Answer::Unavailable | Answer::Unauthorized => Probe::Unavailable,
    }
}

/// After a 401: refreshes once (one refresh serves concurrent probes), or forgets the tokens.
/// Returns the tokens to retry with, if any.
async fn recover(state: &AppState, sid: &str, refused: &Linked) -> Option<Linked> {
    let defects = &state.config.defects;
    let single_flight = !defects.has(Defect::RefreshNotSingleFlight);
    let _guard = if single_flight {
        Some(refused.refresh_lock.lock().await)
    } else {
        None
    };
    let current = state.sessions.get(sid)?;
    if single_flight && current.generation != refused.generation {
        // Refreshed (or linked again) while this probe waited.
        return Some(current);
    }
    let refresh_token = current
        .refresh_token
        .as_ref()
        .filter(|_| !defects.has(Defect::NoRefresh));
    let Some(refresh_token) = refresh_token else {
        tracing::info!(session = %sid, "access token refused and no refresh token: login required");
        state.sessions.forget_if(sid, current.generation);
        return None;
    };
    let guessed = if defects.has(Defect::RefreshAtGuessedEndpoint) {
        guessed_token_client(state).await
    } else {
        None
    };
    match guessed
        .as_ref()
        .unwrap_or(&state.tokens)
        .refresh(refresh_token)
        .await
    {
        Ok(mut tokens) => {
            if defects.has(Defect::RefreshTokenDropped) {
                tokens.refresh_token = Some(refresh_token.clone());
            }
            tracing::info!(session = %sid, "access token refreshed");
            state.sessions.refreshed(sid, current.generation, tokens)
        }
        Err(error) => {
            tracing::warn!(session = %sid, %error, "refresh failed: login required");
            state.sessions.forget_if(sid, current.generation);
            None
        }
    }
}

/// The `refresh_at_guessed_endpoint` defect: the metadata is read again before refreshing, and
/// when it fails the token client talks to `/token` at the MCP server's origin, as MCP
/// 2025-03-26's "Fallbacks for Servers without Metadata Discovery" had it. `None` when the
/// metadata still answers (the learned endpoint is used).
async fn guessed_token_client(state: &AppState) -> Option<crate::token_client::TokenClient> {
    let issuer = url::Url::parse(&state.metadata.issuer).ok()?;
    let read = crate::metadata::well_known_urls(&issuer)
        .into_iter()
        .next()?;
    if crate::metadata::fetch(&state.http, &read).await.is_ok() {
        return None;
    }
    let mut guessed = url::Url::parse(&state.config.resource_url).ok()?;
    guessed.set_path("/token");
    guessed.set_query(None);
    Some(state.tokens.at_token_endpoint(guessed))
}

/// One call to the resource API (in the MCP shape, of the tool `tool`) with the token in the
/// `Authorization` header.
async fn call_resource(state: &AppState, token: &Secret, tool: &str) -> Answer {
    if HeaderValue::from_str(&format!("Bearer {}", token.expose())).is_err() {
        return Answer::Unauthorized;
    }
    let placement = if state.config.defects.has(Defect::BearerInQuery) {
        Placement::Query
    } else {
        state.placement
    };
    let mcp = state.config.shape == Shape::Mcp;
    let sent = if mcp {
        let carried = if placement == Placement::Query {
            mcp_rpc::Carried::Query
        } else {
            mcp_rpc::Carried::Header
        };
        let url = &state.config.resource_url;
        mcp_rpc::call_tool(&state.http, url, (token, carried), tool).await
    } else {
        placed(&state.http, &state.config.resource_url, token, placement)
            .send()
            .await
    };
    let response = match sent {
        Ok(response) => response,
        Err(error) => {
            tracing::warn!(reason = %crate::http::describe_transport(&error), "resource call failed");
            return Answer::Unavailable;
        }
    };
    match response.status().as_u16() {
        200 => match read_limited(response).await {
            Ok(body) if mcp && mcp_rpc::is_error(&body) => Answer::Unavailable,
            Ok(body) if mcp => Answer::Ok(mcp_rpc::tool_subject(&body)),
            Ok(body) => Answer::Ok(subject(&body)),
            Err(_) => Answer::Unavailable,
        },
        401 => Answer::Unauthorized,
        403 => {
            let challenge = response
                .headers()
                .get_all(header::WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(insufficient_scope);
            challenge.map_or(Answer::Unavailable, Answer::InsufficientScope)
        }
        status => {
            tracing::warn!(status, "resource answered an error");
            Answer::Unavailable
        }
    }
}

/// The `sub` member of a JSON body.
fn subject(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value.get("sub")?.as_str().map(str::to_owned)
}

/// From a `Bearer` challenge with `error="insufficient_scope"`, the scope tokens it asks for
/// ([RFC 6750 §3](https://www.rfc-editor.org/rfc/rfc6750#section-3)).
pub(crate) fn insufficient_scope(challenge: &str) -> Option<Vec<String>> {
    let params = bearer_params(challenge)?;
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if get("error") != Some(oauth_vocab::ErrorCode::InsufficientScope.as_str()) {
        return None;
    }
    Some(
        get("scope")
            .unwrap_or("")
            .split(' ')
            .filter(|s| is_scope_token(s))
            .take(16)
            .map(str::to_owned)
            .collect(),
    )
}

/// The auth-params of a `Bearer` challenge: `Bearer k="v", k2=v2`.
pub(crate) fn bearer_params(challenge: &str) -> Option<Vec<(String, String)>> {
    let rest = challenge.trim_start();
    let (scheme, mut rest) = rest.split_at(rest.find(' ').unwrap_or(rest.len()));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut params = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', ',']);
        let Some(eq) = rest.find('=') else {
            break;
        };
        let name = rest[..eq].trim().to_owned();
        rest = rest[eq + 1..].trim_start();
        let value = if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            rest = &quoted[end.min(quoted.len())..];
            value
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let value = rest[..end].trim().to_owned();
            rest = &rest[end..];
            value
        };
        params.push((name, value));
    }
    Some(params)
}

/// Forgets the session's tokens and revokes them ([RFC 7009 §2.1]): the refresh token (which
/// should take its access tokens with it), or the access token when there is no refresh token or
/// the server does not revoke refresh tokens (`unsupported_token_type`, §2.2.1).
///
/// [RFC 7009 §2.1]: https://www.rfc-editor.org/rfc/rfc7009#section-2.1
pub(crate) async fn forget_and_revoke(state: &AppState, sid: &str) {
    let Some(linked) = state.sessions.take(sid) else {
        return;
    };
    tracing::info!(session = %sid, "unlinked");
    if !state.tokens.can_revoke() {
        return;
    }
    if let Some(refresh_token) = &linked.refresh_token {
        match state.tokens.revoke(refresh_token, "refresh_token").await {
            RevokeOutcome::Revoked => return,
            RevokeOutcome::UnsupportedTokenType => {}
            RevokeOutcome::Failed(why) => {
                tracing::warn!(reason = %why, "revoking the refresh token failed");
                return;
            }
        }
    }
    match state
        .tokens
        .revoke(&linked.access_token, "access_token")
        .await
    {
        RevokeOutcome::Revoked => {}
        RevokeOutcome::UnsupportedTokenType => {
            tracing::warn!("the provider does not revoke access tokens");
        }
        RevokeOutcome::Failed(why) => {
            tracing::warn!(reason = %why, "revoking the access token failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insufficient_scope_challenges_are_read() {
        assert_eq!(
            insufficient_scope(
                r#"Bearer realm="mock-provider", error="insufficient_scope", error_description="scope \"write\" is required", scope="write admin""#
            ),
            Some(vec!["write".to_owned(), "admin".to_owned()])
        );
        assert_eq!(
            insufficient_scope("Bearer error=insufficient_scope, scope=write"),
            Some(vec!["write".to_owned()])
        );
        assert_eq!(insufficient_scope(r#"Bearer error="invalid_token""#), None);
        assert_eq!(insufficient_scope(r#"Basic realm="x""#), None);
        assert_eq!(
            insufficient_scope(r#"Bearer error="insufficient_scope", scope="a\"b""#),
            Some(vec![])
        );
        assert_eq!(insufficient_scope("Bearer error=\"unterminated"), None);
    }

    #[test]
    fn the_subject_is_read_from_json() {
        assert_eq!(
            subject(br#"{"sub":"alice","x":1}"#).as_deref(),
            Some("alice")
        );
        assert_eq!(subject(br#"{"sub":5}"#), None);
        assert_eq!(subject(b"<html>"), None);
    }

    #[test]
    fn probe_json_matches_the_documented_shapes() {
        assert_eq!(Probe::NotLinked.to_json(), json!({"linked": false}));
        assert_eq!(
            Probe::LoginRequired.to_json(),
            json!({"linked": false, "reason": "login required"})
        );
        assert_eq!(
            Probe::Linked {
                sub: Some("alice".into()),
                scope: "read".into()
            }
            .to_json(),
            json!({"linked": true, "sub": "alice", "scope": "read"})
        );
        assert_eq!(
            Probe::Unavailable.to_json(),
            json!({"linked": true, "error": "resource unavailable"})
        );
    }
}
