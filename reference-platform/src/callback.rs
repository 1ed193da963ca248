//! The redirection endpoint ([RFC 6749 §4.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2)).
//!
//! In order: the query is parsed strictly (a repeated parameter is refused); the pending flow is
//! found by `state` and consumed, whatever happens next; it must belong to the requesting
//! browser (when a browser started it: a chat button that is the authorization URL binds the
//! flow to the chat session alone); `iss` must name the expected issuer ([RFC 9207 §2.4]); an
//! `error` is shown without calling the token endpoint; only then is the code redeemed, once,
//! with the flow's verifier. A flow started from a chat button completes under a holding
//! session, and its page shows the code the chat user sends back to make the link (`confirm`).
//! No page shows the code, state or tokens, and none redirects anywhere (so `return_to`-style
//! parameters are ignored: no open redirector).
//!
//! [RFC 9207 §2.4]: https://www.rfc-editor.org/rfc/rfc9207#section-2.4

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use axum::routing::{MethodRouter, get};

use crate::browser::{self, Presented};
use crate::confirm;
use crate::defects::{Defect, Defects};
use crate::flow::PendingFlow;
use crate::hooks::{CodeUse, ShapeHooks};
use crate::outcome::{Completed, Failed, Refusal};
use crate::pages;
use crate::params::{Params, Repeated};
use crate::session::lock;
use crate::state::AppState;
use crate::token_client::{TokenError, TokenSet, is_error_code};
use oauth_vocab::Secret;
use oauth_vocab::constant_time_eq;

/// The route of `GET {redirect_path}`, where the configured shape's hooks decide.
pub(crate) fn route(hooks: Arc<dyn ShapeHooks>) -> MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>,
              method: Method,
              headers: HeaderMap,
              RawQuery(query): RawQuery| {
            let hooks = Arc::clone(&hooks);
            async move { handle(state, &*hooks, method, headers, query).await }
        },
    )
}

/// `GET {redirect_path}`.
async fn handle(
    state: AppState,
    hooks: &dyn ShapeHooks,
    method: Method,
    headers: HeaderMap,
    query: Option<String>,
) -> Response {
    if method != Method::GET {
        return pages::page(StatusCode::METHOD_NOT_ALLOWED, "Use GET.");
    }
    let defects = &state.config.defects;
    let outcome = complete(&state, hooks, &headers, query.as_deref()).await;
    let shown_token = |done: &Completed| {
        done.access_token
            .as_ref()
            .filter(|_| defects.has(Defect::TokenInPage))
            .map(|t| t.expose().to_owned())
    };
    let mut response = match &outcome {
        Ok(done) if let Some(code) = &done.confirmation => {
            tracing::info!("link held until the chat user sends its code");
            pages::confirm(code, shown_token(done).as_deref())
        }
        Ok(done) if done.code_kept => {
            tracing::info!(session = %done.session, "authorization code stored");
            pages::page(
                StatusCode::OK,
                "Account link received. Return to the chat to finish.",
            )
        }
        Ok(done) => {
            tracing::info!(session = %done.session, "account linked");
            match shown_token(done) {
                Some(token) => pages::linked_showing(&token),
                None => pages::linked(),
            }
        }
        Err(failed) => {
            tracing::warn!(reason = %failed.refusal, "callback refused");
            pages::failure(&failed.refusal.to_string())
        }
    };
    hooks.after_callback(&state, &outcome).await;
    if defects.has(Defect::OpenRedirect) {
        let params = Params::parse(query.as_deref());
        if let Some(next) = params.first("next").or(params.first("return_to"))
            && let Ok(location) = HeaderValue::from_str(next)
        {
            *response.status_mut() = StatusCode::SEE_OTHER;
            response.headers_mut().insert(header::LOCATION, location);
        }
    }
    if defects.has(Defect::NoReferrerPolicy) {
        response = pages::leaky(response).await;
    }
    response
}

async fn complete(
    state: &AppState,
    hooks: &dyn ShapeHooks,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<Completed, Failed> {
    let defects = &state.config.defects;
    let params = Params::parse(query);
    let single = |name: &'static str| {
        if defects.has(Defect::RepeatedParamsAccepted) {
            Ok(params.first(name))
        } else {
            params.single(name)
        }
    };
    let flow_state = single("state")?;
    let mut flow = if defects.has(Defect::StateNotChecked) {
        latest_flow_of_browser(state, headers)?
    } else {
        let flow_state = flow_state.ok_or(Refusal::MissingState)?;
        let mut flows = lock(&state.flows);
        if defects.has(Defect::StateReusable) {
            flows.get(flow_state).cloned()
        } else {
            flows.remove(flow_state)
        }
        .ok_or(Refusal::UnknownState)?
    };
    hooks.route_callback(state, headers, &mut flow);
    let session = flow.session.clone();
    finish(state, hooks, headers, (&params, &single), flow)
        .await
        .map_err(|refusal| Failed {
            session: Some(session),
            refusal,
        })
}

/// The checks and the exchange once the flow is known, reading the callback's parameters
/// (`single` reads one as the defects allow).
async fn finish<'p>(
    state: &AppState,
    hooks: &dyn ShapeHooks,
    headers: &HeaderMap,
    (params, single): (
        &'p Params,
        &impl Fn(&'static str) -> Result<Option<&'p str>, Repeated>,
    ),
    mut flow: PendingFlow,
) -> Result<Completed, Refusal> {
    let defects = &state.config.defects;
    if let Some(browser) = flow.browser.clone() {
        if defects.has(Defect::CallbackSessionLinked) {
            flow.session = session_of_browser(state, headers, &flow.session, browser.expose())?;
        } else if !defects.has(Defect::StateNotBoundToBrowser) {
            check_browser(headers, browser.expose())?;
        }
    }
    // The `repeated_code_forwarded` defect takes every code and sends them all on.
    let codes = if defects.has(Defect::RepeatedCodeForwarded) {
        params.all("code")
    } else {
        single("code")?.into_iter().collect()
    };
    let code = codes.first().copied();
    let iss = single("iss")?;
    let error = single("error")?;
    // The `error_shown_despite_wrong_iss` defect reads an error before its iss.
    let error_first = error.is_some() && defects.has(Defect::ErrorShownDespiteWrongIss);
    if !defects.has(Defect::NoIssCheck) && !error_first {
        check_issuer(
            iss,
            &state.metadata.issuer,
            state.metadata.iss_parameter_supported,
            defects,
        )?;
    }
    if let Some(error) = error {
        if defects.has(Defect::TokenRequestAfterError) {
            let _ = state
                .tokens
                .exchange_code(&[code.unwrap_or("")], &state.redirect_uri, &flow.verifier)
                .await;
        }
        if defects.has(Defect::ErrorAsSuccess) {
            return Ok(Completed {
                session: flow.session,
                access_token: None,
                code_kept: false,
                confirmation: None,
            });
        }
        let shown = shown_error(error);
        return Err(Refusal::ProviderError(match single("error_description")? {
            Some(description) if error_first => format!("{shown}: {description}"),
            _ => shown,
        }));
    }
    let code = code.ok_or(Refusal::MissingCode)?;
    // A chat link completes under a holding session until the chat user confirms it.
    let hold = confirm::prepare(state, &flow).map_err(|_| Refusal::Unavailable)?;
    if let Some(hold) = &hold {
        flow.session = hold.holding.clone();
    }
    let code_kept = hooks.use_code(state, &flow, code) == CodeUse::Kept;
    let access_token = if code_kept {
        None
    } else {
        let tokens = exchange(state, &codes, &flow.verifier).await?;
        let access_token = tokens.access_token.clone();
        state.sessions.link(&flow.session, tokens, &flow.scopes);
        Some(access_token)
    };
    Ok(Completed {
        session: flow.session,
        access_token,
        code_kept,
        confirmation: hold.map(|hold| confirm::register(state, hold)),
    })
}

/// Redeems a code (one, but for the `repeated_code_forwarded` defect) for the session's tokens
/// (the `partial_token_stored` defect keeps an empty token from a response it could not use).
pub(crate) async fn exchange(
    state: &AppState,
    codes: &[&str],
    verifier: &Secret,
) -> Result<TokenSet, TokenError> {
    match state
        .tokens
        .exchange_code(codes, &state.redirect_uri, verifier)
        .await
    {
        Err(TokenError::Malformed(_)) if state.config.defects.has(Defect::PartialTokenStored) => {
            Ok(TokenSet {
                access_token: Secret::new(String::new()),
                refresh_token: None,
                scope: None,
            })
        }
        result => result,
    }
}

/// The newest flow the presenting browser started, whatever the state says (the
/// `state_not_checked` defect).
fn latest_flow_of_browser(state: &AppState, headers: &HeaderMap) -> Result<PendingFlow, Refusal> {
    let Presented::One(browser) = browser::presented(headers) else {
        return Err(Refusal::WrongBrowser);
    };
    let mut flows = lock(&state.flows);
    let key = flows
        .newest_key(|f| f.browser.as_ref().is_some_and(|b| b.expose() == browser))
        .ok_or(Refusal::UnknownState)?;
    flows.remove(&key).ok_or(Refusal::UnknownState)
}

/// The session of the browser the callback arrived in, whichever browser the state was issued
/// to: the flow's own when that browser started it, else that of the newest flow the browser
/// started (the `callback_session_linked` defect: the state is looked up among every flow the
/// platform issued, and the token goes to the session the callback's browser is in).
fn session_of_browser(
    state: &AppState,
    headers: &HeaderMap,
    session: &str,
    expected: &str,
) -> Result<String, Refusal> {
    let Presented::One(browser) = browser::presented(headers) else {
        return Err(Refusal::WrongBrowser);
    };
    if constant_time_eq(browser.as_bytes(), expected.as_bytes()) {
        return Ok(session.to_owned());
    }
    let flows = lock(&state.flows);
    flows
        .newest_key(|f| f.browser.as_ref().is_some_and(|b| b.expose() == browser))
        .and_then(|key| flows.get(&key))
        .map(|f| f.session.clone())
        .ok_or(Refusal::WrongBrowser)
}

fn check_browser(headers: &HeaderMap, expected: &str) -> Result<(), Refusal> {
    match browser::presented(headers) {
        Presented::One(id) if constant_time_eq(id.as_bytes(), expected.as_bytes()) => Ok(()),
        _ => Err(Refusal::WrongBrowser),
    }
}

/// [RFC 9207 §2.4](https://www.rfc-editor.org/rfc/rfc9207#section-2.4) as MCP 2026-07-28
/// tabulates it ("Authorization Response Validation"): a present `iss` must be the expected
/// issuer byte for byte (simple string comparison, no normalisation), whatever the metadata
/// says; a missing one is refused only when the metadata says the provider sends it.
pub(crate) fn check_issuer(
    iss: Option<&str>,
    expected: &str,
    promised: bool,
    defects: &Defects,
) -> Result<(), Refusal> {
    let same = |iss: &str| {
        if defects.has(Defect::IssNormalised) {
            normalised(iss) == normalised(expected)
        } else {
            iss == expected
        }
    };
    match iss {
        Some(iss) if same(iss) => Ok(()),
        Some(_) if !promised && defects.has(Defect::IssCheckedOnlyWhenAdvertised) => Ok(()),
        Some(_) => Err(Refusal::WrongIssuer),
        None if promised || defects.has(Defect::IssRequiredWhenNotAdvertised) => {
            Err(Refusal::MissingIssuer)
        }
        None => Ok(()),
    }
}

/// An issuer as the `iss_normalised` defect compares it: lower case, no trailing slash.
fn normalised(issuer: &str) -> String {
    issuer.trim_end_matches('/').to_ascii_lowercase()
}

/// The error code as shown: only when it is a well-formed RFC 6749 §4.1.2.1 code.
fn shown_error(error: &str) -> String {
    if is_error_code(error) {
        error.to_owned()
    } else {
        "an unreadable error".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_rules_follow_the_mcp_table() {
        let expected = "http://127.0.0.1:1";
        let none = &Defects::none();
        assert_eq!(check_issuer(Some(expected), expected, true, none), Ok(()));
        assert_eq!(check_issuer(Some(expected), expected, false, none), Ok(()));
        assert_eq!(check_issuer(None, expected, false, none), Ok(()));
        assert_eq!(
            check_issuer(None, expected, true, none),
            Err(Refusal::MissingIssuer)
        );
        for near in [
            "http://127.0.0.1:1/",
            "HTTP://127.0.0.1:1",
            "https://a.invalid",
        ] {
            for promised in [true, false] {
                assert_eq!(
                    check_issuer(Some(near), expected, promised, none),
                    Err(Refusal::WrongIssuer),
                    "{near} {promised}"
                );
            }
        }
    }

    #[test]
    fn each_iss_defect_breaks_one_rule() {
        let expected = "http://127.0.0.1:1";
        let with = |name: &str| name.parse::<Defects>().unwrap();
        let normalising = &with("iss_normalised");
        assert_eq!(
            check_issuer(Some("HTTP://127.0.0.1:1/"), expected, true, normalising),
            Ok(())
        );
        let lax = &with("iss_checked_only_when_advertised");
        assert_eq!(
            check_issuer(Some("https://a.invalid"), expected, false, lax),
            Ok(())
        );
        assert_eq!(
            check_issuer(Some("https://a.invalid"), expected, true, lax),
            Err(Refusal::WrongIssuer)
        );
        let strict = &with("iss_required_when_not_advertised");
        assert_eq!(
            check_issuer(None, expected, false, strict),
            Err(Refusal::MissingIssuer)
        );
    }

    #[test]
    fn provider_errors_are_shown_only_when_well_formed() {
        assert_eq!(shown_error("access_denied"), "access_denied");
        assert_eq!(shown_error("a\"b"), "an unreadable error");
        assert_eq!(shown_error(""), "an unreadable error");
    }
}
