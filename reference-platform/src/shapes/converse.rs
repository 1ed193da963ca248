//! Converse: the session variables `authCode` and `accessToken`. The callback only stores the
//! code; the "Get Access Token" step exchanges it (code in the POST body) and stores the token;
//! "Is Authenticated?" checks for a token; "Account Link" offers the login button, whose link
//! the chat user confirms with the code the callback page shows ("Confirm Link"). A channel
//! such as Apple Business Chat hands over the token directly, and no code is ever exchanged.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

use crate::confirm::{self, Claim};
use crate::defects::Defect;
use crate::flow::PendingFlow;
use crate::hooks::{CodeUse, ShapeHooks};
use crate::pages;
use crate::params::valid_session;
use crate::probe::{Probe, probe};
use crate::session::lock;
use crate::shape_state::StoredCode;
use crate::state::AppState;
use crate::token_client::TokenSet;
use oauth_vocab::Secret;

/// The Converse hooks.
#[derive(Debug)]
pub(crate) struct Converse;

impl ShapeHooks for Converse {
    fn routes(&self) -> Router<AppState> {
        Router::new()
            .route("/converse/turn", post(turn))
            .route("/converse/channel-token", post(channel_token))
    }

    /// The callback's part: keep the code (the `authCode` variable) for the Get Access Token
    /// step.
    fn use_code(&self, state: &AppState, flow: &PendingFlow, code: &str) -> CodeUse {
        lock(&state.shaped.codes).insert(
            flow.session.clone(),
            StoredCode {
                code: Secret::new(code),
                verifier: flow.verifier.clone(),
                scopes: flow.scopes.clone(),
            },
        );
        CodeUse::Kept
    }
}

#[derive(Debug, Deserialize)]
struct Step {
    session: String,
    step: String,
    /// The code the callback page showed (`confirm_link`).
    #[serde(default)]
    code: String,
}

/// `POST /converse/turn {"session","step"}` with `step` one of `is_authenticated`,
/// `account_link`, `get_access_token`, or `confirm_link` with the `code` the callback page
/// showed.
async fn turn(State(state): State<AppState>, body: Result<Json<Step>, JsonRejection>) -> Response {
    let bad = |why: &str| pages::json(StatusCode::BAD_REQUEST, json!({ "error": why }));
    let Ok(Json(step)) = body else {
        return bad("expected a JSON body {\"session\": \"…\", \"step\": \"…\"}");
    };
    if !valid_session(&step.session) {
        return bad("the session is not valid");
    }
    let sid = &step.session;
    let answer = match step.step.as_str() {
        "is_authenticated" => {
            let linked = matches!(probe(&state, sid).await, Probe::Linked { .. });
            json!({ "authenticated": linked })
        }
        "account_link" => json!({ "button": login_button(&state, sid) }),
        "get_access_token" => get_access_token(&state, sid).await,
        "confirm_link" => {
            let claim = confirm::claim(&state, sid, &step.code).unwrap_or(Claim::NothingWaiting);
            json!({
                "confirmed": claim == Claim::Linked,
                "message": claim.message(),
            })
        }
        other => return bad(&format!("unknown step {other:?}")),
    };
    pages::json(StatusCode::OK, answer)
}

fn login_button(state: &AppState, sid: &str) -> serde_json::Value {
    crate::chat::button(state, sid, "Link account").map_or(
        serde_json::Value::Null,
        |b| json!({ "text": b["text"], "url": b["url"] }),
    )
}

/// Get Access Token: a stored token is used as it is; else the stored code is exchanged;
/// else the user is sent to log in.
async fn get_access_token(state: &AppState, sid: &str) -> serde_json::Value {
    let again = state.config.defects.has(Defect::ConverseExchangesAgain);
    if state.sessions.get(sid).is_some() && !again {
        return json!({ "accessToken": true, "exchanged": false });
    }
    let stored = {
        let mut codes = lock(&state.shaped.codes);
        if again {
            codes.get(sid).cloned()
        } else {
            codes.remove(sid)
        }
    };
    let Some(stored) = stored else {
        if state.sessions.get(sid).is_some() {
            return json!({ "accessToken": true, "exchanged": false });
        }
        return json!({ "accessToken": false, "login": login_button(state, sid) });
    };
    let defects = &state.config.defects;
    let tokens =
        match crate::callback::exchange(state, &[stored.code.expose()], &stored.verifier).await {
            Ok(tokens) => tokens,
            Err(error) => {
                return json!({ "accessToken": false, "error": format!("Linking failed: {error}") });
            }
        };
    let mut answer = json!({ "accessToken": true, "exchanged": true });
    if defects.has(Defect::TokenInPage) {
        answer["token"] = json!(tokens.access_token.expose());
    }
    state.sessions.link(sid, tokens, &stored.scopes);
    answer
}

#[derive(Debug, Deserialize)]
struct ChannelToken {
    session: String,
    access_token: String,
}

/// `POST /converse/channel-token {"session","access_token"}`: a channel delivered the token.
async fn channel_token(
    State(state): State<AppState>,
    body: Result<Json<ChannelToken>, JsonRejection>,
) -> Response {
    let Ok(Json(delivered)) = body else {
        return pages::json(
            StatusCode::BAD_REQUEST,
            json!({ "error": "expected a JSON body {\"session\": \"…\", \"access_token\": \"…\"}" }),
        );
    };
    if !valid_session(&delivered.session) || delivered.access_token.is_empty() {
        return pages::json(
            StatusCode::BAD_REQUEST,
            json!({ "error": "session or token not valid" }),
        );
    }
    let tokens = TokenSet {
        access_token: Secret::new(delivered.access_token),
        refresh_token: None,
        scope: None,
    };
    state
        .sessions
        .link(&delivered.session, tokens, &state.config.scopes);
    pages::json(StatusCode::OK, json!({ "accessToken": true }))
}
