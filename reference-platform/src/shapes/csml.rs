//! CSML Studio: a chat turn answers with an `OAuthRequest` (button text, scope, URL); after
//! the callback the bot flow receives an event — success, or the error cause — delivered with
//! the next chat turn. The access token stays on the server. `POST /csml/service` is a turn
//! whose flow uses the chatbot-wide service account (`csml_service`).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use crate::chat::Turn;
use crate::config::Shape;
use crate::confirm;
use crate::defects::Defect;
use crate::hooks::{HookFuture, ShapeHooks};
use crate::outcome::{Completed, Failed};
use crate::pages;
use crate::probe::{Probe, probe};
use crate::session::lock;
use crate::state::AppState;

/// The CSML Studio hooks.
#[derive(Debug)]
pub(crate) struct Csml;

impl ShapeHooks for Csml {
    fn routes(&self) -> Router<AppState> {
        Router::new()
            .route("/csml/chat", post(turn))
            .route("/csml/service", post(super::csml_service::service_turn))
    }

    /// Records the bot flow's event for the next chat turn.
    fn after_callback<'a>(
        &'a self,
        state: &'a AppState,
        outcome: &'a Result<Completed, Failed>,
    ) -> HookFuture<'a> {
        record_event(state, outcome);
        Box::pin(async {})
    }
}

/// `POST /csml/chat {"session","text"}`: `{"messages": […], "event": …}`.
async fn turn(State(state): State<AppState>, body: Result<Json<Turn>, JsonRejection>) -> Response {
    let turn = match Turn::read(body) {
        Ok(turn) => turn,
        Err(bad) => return *bad,
    };
    if let Some(claim) = confirm::claim(&state, &turn.session, &turn.text) {
        // The confirming turn only confirms: the event waits for the next one.
        let message = json!({ "type": "text", "content": { "text": claim.message() } });
        return pages::json(
            StatusCode::OK,
            json!({ "messages": [message], "event": null }),
        );
    }
    let event = lock(&state.shaped.events).remove(&turn.session);
    let messages = match probe(&state, &turn.session).await {
        Probe::Linked { .. } => {
            vec![json!({ "type": "text", "content": { "text": "You are linked" } })]
        }
        Probe::Unavailable => vec![json!({
            "type": "text",
            "content": { "text": "Your account is linked, but it cannot be reached right now." }
        })],
        Probe::NotLinked | Probe::LoginRequired | Probe::InsufficientScope { .. } => {
            oauth_request(&state, &turn.session).into_iter().collect()
        }
    };
    pages::json(
        StatusCode::OK,
        json!({ "messages": messages, "event": event }),
    )
}

/// The `OAuthRequest` component: button text, scope and the single-use URL.
fn oauth_request(state: &AppState, sid: &str) -> Option<Value> {
    let Shape::Csml { button_text } = &state.config.shape else {
        return None;
    };
    let button = crate::chat::button(state, sid, button_text)?;
    Some(json!({
        "type": "OAuthRequest",
        "content": {
            "text": button_text,
            "scope": state.sessions.scopes_for_flow(sid, &state.config.scopes).join(" "),
            "url": button["url"],
        }
    }))
}

/// The bot flow's event for the callback's session: success, or the error cause.
fn record_event(state: &AppState, outcome: &Result<Completed, Failed>) {
    let (session, event) = match outcome {
        Ok(done) => {
            let mut event = json!({ "type": "oauth_success", "access_token_received": true });
            if state.config.defects.has(Defect::CsmlTokenInChat)
                && let Some(token) = &done.access_token
            {
                event["access_token"] = json!(token.expose());
            }
            (done.session.clone(), event)
        }
        Err(Failed {
            session: Some(session),
            refusal,
        }) => (
            session.clone(),
            json!({ "type": "oauth_error", "cause": refusal.cause() }),
        ),
        Err(_) => return,
    };
    lock(&state.shaped.events).insert(session, event);
}
