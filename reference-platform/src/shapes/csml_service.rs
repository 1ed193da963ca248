//! CSML's chatbot-wide service account: one `client_credentials` token ([RFC 6749 §4.4]),
//! obtained server-side with the client's authentication and used for every user's service
//! turns; obtained anew once the API refuses it (the grant has no refresh token, §4.4.3), at
//! most once per turn; never shown in a chat answer.
//!
//! [RFC 6749 §4.4]: https://www.rfc-editor.org/rfc/rfc6749#section-4.4

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::chat::Turn;
use crate::config::Placement;
use crate::defects::Defect;
use crate::http::{describe_transport, placed, read_limited};
use crate::pages;
use crate::state::AppState;
use oauth_vocab::Secret;

/// What one call to the API with the service token gave.
enum Call {
    /// 2xx: the answer's `sub`.
    Answered(String),
    /// 401: the token is no longer accepted.
    Refused,
    /// Anything else, described without a secret.
    Failed(String),
}

/// `POST /csml/service {"session","text"}`: a turn whose bot flow calls the API with the
/// service account: `{"messages": [{"type": "text", "content": {"text": …}}]}`.
pub(super) async fn service_turn(
    State(state): State<AppState>,
    body: Result<Json<Turn>, JsonRejection>,
) -> Response {
    if let Err(bad) = Turn::read(body) {
        return *bad;
    }
    let text = match use_service(&state).await {
        Ok((sub, token)) if state.config.defects.has(Defect::ServiceTokenShownToUser) => {
            format!("The service answered for {sub} (token {})", token.expose())
        }
        Ok((sub, _)) => format!("The service answered for {sub}"),
        Err(why) => format!("The service cannot be reached right now: {why}"),
    };
    let message: Value = json!({ "type": "text", "content": { "text": text } });
    pages::json(StatusCode::OK, json!({ "messages": [message] }))
}

/// Calls the API with the service token, obtaining a new one once if it is refused.
async fn use_service(state: &AppState) -> Result<(String, Secret), String> {
    let token = service_token(state, None).await?;
    let token = match call(state, &token).await {
        Call::Answered(sub) => return Ok((sub, token)),
        Call::Failed(why) => return Err(why),
        Call::Refused if state.config.defects.has(Defect::ServiceTokenNotRenewed) => {
            return Err("the service refused the token".into());
        }
        Call::Refused => service_token(state, Some(&token)).await?,
    };
    match call(state, &token).await {
        Call::Answered(sub) => Ok((sub, token)),
        Call::Refused => Err("the service refused a new token too".into()),
        Call::Failed(why) => Err(why),
    }
}

/// The service token: the one held, or a new one when none is held or the held one is
/// `refused` (unless another turn already replaced it).
async fn service_token(state: &AppState, refused: Option<&Secret>) -> Result<Secret, String> {
    let mut held = state.shaped.service_token.lock().await;
    // The `service_token_per_turn` defect: every turn starts with a new grant.
    let per_turn = refused.is_none() && state.config.defects.has(Defect::ServiceTokenPerTurn);
    if let Some(token) = held.as_ref() {
        let stale = refused.is_some_and(|r| r.expose() == token.expose());
        if !stale && !per_turn {
            return Ok(token.clone());
        }
    }
    let tokens = state
        .tokens
        .client_credentials(&state.config.scopes)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("service account token obtained");
    *held = Some(tokens.access_token.clone());
    Ok(tokens.access_token)
}

/// One API call with the token in the `Authorization` header.
async fn call(state: &AppState, token: &Secret) -> Call {
    let request = placed(
        &state.http,
        &state.config.resource_url,
        token,
        Placement::Header,
    );
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => return Call::Failed(format!("the service {}", describe_transport(&error))),
    };
    let status = response.status().as_u16();
    match status {
        200..=299 => {
            let body = read_limited(response).await.unwrap_or_default();
            let value: Value = serde_json::from_slice(&body).unwrap_or_default();
            Call::Answered(value["sub"].as_str().unwrap_or("the bot").to_owned())
        }
        401 => Call::Refused,
        status => Call::Failed(format!("the service answered HTTP {status}")),
    }
}
