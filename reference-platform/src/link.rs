//! Starting a flow, from the web channel (`GET /link?session=…`) or a chat button: a fresh
//! state and verifier, bound to the browser's `rp_browser` cookie and to the chat session,
//! then a 302 to the authorization endpoint. A chat button that is the authorization URL
//! itself ([`crate::ChatButton::AuthorizationUrl`]) starts the flow with no browser: [`begin`].

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oauth_vocab::Secret;

use crate::browser;
use crate::defects::Defect;
use crate::flow::{self, AuthorizationRequest, Channel, PendingFlow, RandomUnavailable};
use crate::pages;
use crate::params::{Params, valid_session};
use crate::session::lock;
use crate::state::AppState;

/// `GET /link?session={sid}`.
pub(crate) async fn web(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.as_deref());
    match params.single("session") {
        Ok(Some(sid)) if valid_session(sid) => start(&state, &headers, sid, Channel::Web),
        Ok(Some(_)) => pages::failure("the session parameter is not valid"),
        Ok(None) => pages::failure("the session parameter is missing"),
        Err(repeated) => pages::failure(&repeated.to_string()),
    }
}

/// Starts a flow for chat session `sid` in the requesting browser.
pub(crate) fn start(
    state: &AppState,
    headers: &HeaderMap,
    sid: &str,
    channel: Channel,
) -> Response {
    match try_start(state, headers, sid, channel) {
        Ok(response) => response,
        Err(RandomUnavailable) => {
            tracing::error!("no randomness for a new flow");
            pages::page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Linking failed: please try again later",
            )
        }
    }
}

fn try_start(
    state: &AppState,
    headers: &HeaderMap,
    sid: &str,
    channel: Channel,
) -> Result<Response, RandomUnavailable> {
    let (browser_id, new_cookie) = match browser::presented(headers) {
        browser::Presented::One(id) => (id, false),
        browser::Presented::Absent | browser::Presented::Unusable => (flow::random_token()?, true),
    };
    let Some(url) = begin(state, sid, Some(Secret::new(browser_id.clone())), channel)? else {
        return Ok(pages::failure("the authorization URL is not valid"));
    };
    let Ok(location) = HeaderValue::from_str(&url) else {
        return Ok(pages::failure("the authorization URL is not valid"));
    };
    let cookie = if new_cookie {
        browser::set_cookie(&browser_id)
    } else {
        None
    };
    let mut response = pages::harden(StatusCode::FOUND.into_response());
    response.headers_mut().insert(header::LOCATION, location);
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// A new pending flow for chat session `sid`, started in `channel`, bound to `browser` when a
/// browser started it: its authorization URL, or `None` when that would be no valid URL.
pub(crate) fn begin(
    state: &AppState,
    sid: &str,
    browser: Option<Secret>,
    channel: Channel,
) -> Result<Option<String>, RandomUnavailable> {
    let defects = &state.config.defects;
    let flow_state = if defects.has(Defect::StaticState) {
        "gauntlet-static-state".to_owned()
    } else if defects.has(Defect::WeakState) {
        flow::new_state()?[..6].to_owned()
    } else {
        flow::new_state()?
    };
    let verifier = if defects.has(Defect::ReusedVerifier) {
        static ONE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let one = match ONE.get() {
            Some(one) => one.clone(),
            None => ONE
                .get_or_init(|| flow::random_token().unwrap_or_default())
                .clone(),
        };
        Secret::new(one)
    } else if defects.has(Defect::ShortVerifier) {
        Secret::new(flow::new_verifier()?.expose()[..42].to_owned())
    } else {
        flow::new_verifier()?
    };
    let mut scopes = match state.sessions.pending_step_up(sid) {
        Some(challenged) if defects.has(Defect::StepUpDropsGrantedScopes) => challenged,
        _ => state.sessions.scopes_for_flow(sid, &state.config.scopes),
    };
    if defects.has(Defect::ExtraScopes) {
        scopes.push("admin".into());
    }
    let challenge = flow::s256_challenge(verifier.expose());
    let code_challenge = if defects.has(Defect::NoPkce) {
        None
    } else if defects.has(Defect::PlainPkce) {
        Some((verifier.expose(), "plain"))
    } else {
        Some((challenge.as_str(), "S256"))
    };
    let url = flow::authorization_url(
        &state.metadata.authorization_endpoint,
        &AuthorizationRequest {
            client_id: &state.config.client_id,
            redirect_uri: &state.redirect_uri,
            scopes: &scopes,
            scope_separator: if defects.has(Defect::CommaScopes) {
                ","
            } else {
                " "
            },
            state: &flow_state,
            code_challenge,
            extra: &state.config.extra_params,
        },
    );
    if HeaderValue::from_str(&url).is_err() {
        return Ok(None);
    }
    lock(&state.flows).insert(
        flow_state,
        PendingFlow {
            browser,
            session: sid.to_owned(),
            channel,
            verifier,
            scopes,
        },
    );
    tracing::info!(session = %sid, "flow started");
    Ok(Some(url))
}
