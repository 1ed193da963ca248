//! Botpress: several bots share one global callback (`/oauth`); the state alone routes each
//! callback to the bot whose flow it is (sessions are `{bot}:{user}`), the token lands in that
//! bot's integration state, and webhooks reach the bot linked to the provider's external id.

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use crate::config::Shape;
use crate::defects::Defect;
use crate::flow::{Channel, PendingFlow};
use crate::hooks::{HookFuture, ShapeHooks};
use crate::link;
use crate::outcome::{Completed, Failed};
use crate::pages;
use crate::params::{Params, valid_session};
use crate::probe::{Probe, probe};
use crate::session::lock;
use crate::state::AppState;

/// The cookie the `botpress_wrong_bot` defect routes by.
const LAST_BOT_COOKIE: &str = "bp_last_bot";

/// The Botpress hooks.
#[derive(Debug)]
pub(crate) struct Botpress;

impl ShapeHooks for Botpress {
    fn routes(&self) -> Router<AppState> {
        Router::new()
            .route("/botpress/{bot}/link", get(start))
            .route("/botpress/{bot}/whoami", get(whoami))
            .route("/botpress/webhook", post(webhook))
    }

    /// The `botpress_wrong_bot` defect: the callback goes to the bot the browser visited last.
    fn route_callback(&self, state: &AppState, headers: &HeaderMap, flow: &mut PendingFlow) {
        if !state.config.defects.has(Defect::BotpressWrongBot) {
            return;
        }
        let last = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| {
                c.trim()
                    .strip_prefix(&format!("{LAST_BOT_COOKIE}="))
                    .map(str::to_owned)
            });
        if let (Some(bot), Some((_, user))) = (last, flow.session.split_once(':')) {
            flow.session = session(&bot, user);
        }
    }

    /// After a link, routes webhooks for the provider's `sub` to this bot.
    fn after_callback<'a>(
        &'a self,
        state: &'a AppState,
        outcome: &'a Result<Completed, Failed>,
    ) -> HookFuture<'a> {
        Box::pin(async move {
            if let Ok(done) = outcome {
                link_external_id(state, &done.session).await;
            }
        })
    }
}

fn is_bot(state: &AppState, bot: &str) -> bool {
    matches!(&state.config.shape, Shape::Botpress { bots } if bots.iter().any(|b| b == bot))
}

/// The session of `user` in `bot`.
fn session(bot: &str, user: &str) -> String {
    format!("{bot}:{user}")
}

fn user_param(query: Option<&str>) -> Result<String, String> {
    match Params::parse(query).single("user") {
        Ok(Some(user)) if valid_session(user) && !user.contains(':') => Ok(user.to_owned()),
        Ok(Some(_)) => Err("the user parameter is not valid".into()),
        Ok(None) => Err("the user parameter is missing".into()),
        Err(repeated) => Err(repeated.to_string()),
    }
}

/// `GET /botpress/{bot}/link?user=…`: starts the bot's flow; the callback is the global one.
async fn start(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if !is_bot(&state, &bot) {
        return pages::page(StatusCode::NOT_FOUND, "No such bot.");
    }
    let user = match user_param(query.as_deref()) {
        Ok(user) => user,
        Err(why) => return pages::failure(&why),
    };
    let mut response = link::start(&state, &headers, &session(&bot, &user), Channel::Web);
    if state.config.defects.has(Defect::BotpressWrongBot)
        && let Ok(cookie) =
            HeaderValue::from_str(&format!("{LAST_BOT_COOKIE}={bot}; Path=/; HttpOnly"))
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// After a link: learn the provider's `sub` and route webhooks for it to this bot.
async fn link_external_id(state: &AppState, sid: &str) {
    if let Probe::Linked { sub: Some(sub), .. } = probe(state, sid).await {
        lock(&state.shaped.external_ids).insert(sub, sid.to_owned());
    }
}

/// `GET /botpress/{bot}/whoami?user=…`: the bot's integration state, as `/whoami` answers.
async fn whoami(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    if !is_bot(&state, &bot) {
        return pages::json(StatusCode::NOT_FOUND, json!({ "error": "no such bot" }));
    }
    match user_param(query.as_deref()) {
        Ok(user) => crate::probe::answer(&state, &session(&bot, &user)).await,
        Err(why) => pages::json(StatusCode::BAD_REQUEST, json!({ "error": why })),
    }
}

#[derive(Debug, Deserialize)]
struct Webhook {
    external_id: String,
}

/// `POST /botpress/webhook {"external_id"}`: `{"bot","user"}` of the linked integration.
async fn webhook(
    State(state): State<AppState>,
    body: Result<Json<Webhook>, JsonRejection>,
) -> Response {
    let Ok(Json(hook)) = body else {
        return pages::json(
            StatusCode::BAD_REQUEST,
            json!({ "error": "expected {\"external_id\": \"…\"}" }),
        );
    };
    let target = lock(&state.shaped.external_ids)
        .get(&hook.external_id)
        .cloned();
    match target.as_deref().and_then(|s| s.split_once(':')) {
        Some((bot, user)) => pages::json(StatusCode::OK, json!({ "bot": bot, "user": user })),
        None => pages::json(
            StatusCode::NOT_FOUND,
            json!({ "error": "no bot is linked to this external id" }),
        ),
    }
}
