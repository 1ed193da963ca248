//! The chat channel: a chat turn answers with text when the session is linked, or with an
//! OAuth button whose URL holds a single-use ticket (never the state or any secret) that maps
//! to the chat session. Following the button starts the flow in the browser, like `/link`;
//! configured so ([`ChatButton::AuthorizationUrl`]), the button is the authorization URL
//! itself. The link is made when the chat user sends back the code the callback page showed
//! (`confirm`). The text `unlink` unlinks.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::ChatButton;
use crate::confirm;
use crate::flow;
use crate::link;
use crate::pages;
use crate::params::valid_session;
use crate::probe::{Probe, forget_and_revoke, probe};
use crate::session::lock;
use crate::state::AppState;

/// One chat turn from the user.
#[derive(Debug, Deserialize)]
pub(crate) struct Turn {
    pub(crate) session: String,
    #[serde(default)]
    pub(crate) text: String,
}

impl Turn {
    /// The turn a request body holds, or the 400 to answer: not JSON
    /// `{"session": "…", "text": "…"}`, or a session that is not valid.
    pub(crate) fn read(body: Result<Json<Self>, JsonRejection>) -> Result<Self, Box<Response>> {
        let bad = |why: &str| {
            Box::new(pages::json(
                StatusCode::BAD_REQUEST,
                json!({ "error": why }),
            ))
        };
        let Ok(Json(turn)) = body else {
            return Err(bad(
                "expected a JSON body {\"session\": \"…\", \"text\": \"…\"}",
            ));
        };
        if !valid_session(&turn.session) {
            return Err(bad("the session is not valid"));
        }
        Ok(turn)
    }
}

/// `POST /chat` with `{"session": "…", "text": "…"}`.
pub(crate) async fn turn(
    State(state): State<AppState>,
    body: Result<Json<Turn>, JsonRejection>,
) -> Response {
    let turn = match Turn::read(body) {
        Ok(turn) => turn,
        Err(bad) => return *bad,
    };
    if turn.text.trim().eq_ignore_ascii_case("unlink") {
        forget_and_revoke(&state, &turn.session).await;
        let messages = vec![text("Your account is unlinked.")];
        return pages::json(StatusCode::OK, json!({ "messages": messages }));
    }
    if let Some(claim) = confirm::claim(&state, &turn.session, &turn.text) {
        let messages = vec![text(claim.message())];
        return pages::json(StatusCode::OK, json!({ "messages": messages }));
    }
    let messages = match probe(&state, &turn.session).await {
        Probe::Linked { sub, .. } => vec![text(&format!(
            "You are linked as {}.",
            sub.as_deref().unwrap_or("an unknown user")
        ))],
        Probe::NotLinked | Probe::LoginRequired => {
            match button(&state, &turn.session, "Link your account") {
                Some(button) => vec![button],
                None => vec![text("Linking is not available right now.")],
            }
        }
        Probe::InsufficientScope { .. } => {
            match button(&state, &turn.session, "Grant additional access") {
                Some(button) => vec![button],
                None => vec![text("Linking is not available right now.")],
            }
        }
        Probe::Unavailable => vec![text(
            "Your account is linked, but it cannot be reached right now.",
        )],
    };
    pages::json(StatusCode::OK, json!({ "messages": messages }))
}

/// `GET /chat/link/{ticket}`: the button's target. The ticket is used up at once.
pub(crate) async fn follow_button(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET {
        // HEAD (which axum routes here too) must not use up the ticket.
        return pages::page(StatusCode::METHOD_NOT_ALLOWED, "Use GET.");
    }
    let sid = lock(&state.tickets).remove(&ticket);
    match sid {
        Some(sid) => link::start(&state, &headers, &sid, flow::Channel::Chat),
        None => pages::failure("unknown or expired link"),
    }
}

fn text(text: &str) -> Value {
    json!({ "type": "text", "text": text })
}

/// An OAuth button for chat session `sid`: a single-use URL that starts a flow in the browser
/// following it, or (with [`ChatButton::AuthorizationUrl`]) the authorization URL of a flow
/// started now.
pub(crate) fn button(state: &AppState, sid: &str, label: &str) -> Option<Value> {
    let url = match state.config.chat_button {
        ChatButton::Ticket => {
            let ticket = flow::random_token().ok()?;
            lock(&state.tickets).insert(ticket.clone(), sid.to_owned());
            format!("{}/chat/link/{ticket}", state.base_url)
        }
        ChatButton::AuthorizationUrl => {
            link::begin(state, sid, None, flow::Channel::Chat).ok()??
        }
    };
    Some(json!({ "type": "oauth_button", "text": label, "url": url }))
}
