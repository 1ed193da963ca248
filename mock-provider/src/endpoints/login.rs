//! Login and consent pages with a cookie session, for interactive runs (when auto-approval is
//! off and no decision is scripted). Forms carry an anti-CSRF token bound to the browser that
//! loaded the login page (by a cookie), compared in constant time; after a POST the browser is
//! sent on with 303 ([RFC 9700 §4.12](https://www.rfc-editor.org/rfc/rfc9700#section-4.12)).
//! Every error is an HTML page.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use oauth_vocab::{Finding, constant_time_eq};
use serde::Deserialize;

use crate::answer::decide;
use crate::decision::Decision;
use crate::endpoints::{FormBody, Tenant, redirect};
use crate::error::OAuthError;
use crate::interaction::Pending;
use crate::pages;
use crate::response::{browser_headers, noted};
use crate::state::{AppState, lock};

const SESSION_COOKIE: &str = "mock_provider_session";
/// Names the browser that loaded a login page, so that its form is accepted from it only.
const BROWSER_COOKIE: &str = "mock_provider_browser";

/// A browser cookie for the whole issuer: HTTP-only, `SameSite=Lax`.
fn cookie(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .build()
}

/// The `?interaction=` query of the login and consent pages.
#[derive(Debug, Deserialize)]
pub(crate) struct InteractionQuery {
    interaction: String,
}

/// The interaction of a page's query, or the error saying it is missing.
fn interaction_of(
    query: Result<Query<InteractionQuery>, QueryRejection>,
) -> Result<String, OAuthError> {
    query.map(|Query(q)| q.interaction).map_err(|_| {
        OAuthError::invalid_request(
            "this page needs the ?interaction= of an authorization request in progress; \
             start again from the application",
        )
    })
}

/// An error as the HTML page a browser is shown.
fn error_page(error: OAuthError) -> Response {
    browser_headers(error.into_page())
}

/// The absolute URL of a page under the request's issuer.
fn path(state: &AppState, tenant: &Tenant, page: &str) -> String {
    format!("{}{page}", state.issuer(tenant.as_deref()))
}

fn logged_in(state: &AppState, jar: &CookieJar) -> Option<String> {
    let session = jar.get(SESSION_COOKIE)?;
    lock(&state.interactions)
        .user_of(session.value())
        .map(str::to_owned)
}

fn unknown_interaction() -> Response {
    error_page(OAuthError::invalid_request(
        "unknown or expired interaction; start again from the application",
    ))
}

fn pending(state: &AppState, id: &str) -> Option<Pending> {
    lock(&state.interactions).pending(id).cloned()
}

/// Sends the browser to the consent page if it has a session, else to the login page: with
/// `status` 302 after a GET, 303 after a POST.
pub(crate) fn begin(
    state: &AppState,
    tenant: &Tenant,
    jar: &CookieJar,
    interaction: &str,
    status: StatusCode,
) -> Response {
    let page = if logged_in(state, jar).is_some() {
        &state.config.paths.consent
    } else {
        &state.config.paths.login
    };
    redirect(
        status,
        &format!("{}?interaction={interaction}", path(state, tenant, page)),
    )
}

/// `GET {login}`.
pub(crate) async fn login_page(
    State(state): State<AppState>,
    tenant: Tenant,
    jar: CookieJar,
    query: Result<Query<InteractionQuery>, QueryRejection>,
) -> Response {
    let interaction = match interaction_of(query) {
        Ok(interaction) => interaction,
        Err(error) => return error_page(error),
    };
    let Some(pending) = pending(&state, &interaction) else {
        return unknown_interaction();
    };
    let client_id = pending.request.client_id.clone();
    let (jar, browser) = match jar.get(BROWSER_COOKIE) {
        Some(c) => {
            let browser = c.value().to_owned();
            (jar, browser)
        }
        None => {
            let browser = state.random.token("b_");
            (jar.add(cookie(BROWSER_COOKIE, browser.clone())), browser)
        }
    };
    if !lock(&state.interactions).bind_browser(&interaction, &browser) {
        let page = OAuthError::invalid_request(
            "this sign-in was started in another browser; start again from the application",
        )
        .into_page();
        return noted(browser_headers(page), Some(&client_id), Vec::new());
    }
    let action = path(&state, &tenant, &state.config.paths.login);
    let page = pages::login(&action, &interaction, &pending.csrf, &client_id, false);
    noted(
        (jar, browser_headers(page)).into_response(),
        Some(&client_id),
        Vec::new(),
    )
}

/// `POST {login}`: checks the CSRF token and the credentials, opens a session.
pub(crate) async fn login_submit(
    State(state): State<AppState>,
    tenant: Tenant,
    jar: CookieJar,
    form: Result<FormBody, OAuthError>,
) -> Response {
    let form = match form {
        Ok(FormBody(form)) => form,
        Err(error) => return error_page(error),
    };
    let field = |name| form.get(name).ok().flatten().unwrap_or("");
    let interaction = field("interaction");
    let Some(pending) = pending(&state, interaction) else {
        return unknown_interaction();
    };
    let client_id = pending.request.client_id.clone();
    let same_browser = match (jar.get(BROWSER_COOKIE), &pending.browser) {
        (Some(cookie), Some(bound)) => {
            constant_time_eq(cookie.value().as_bytes(), bound.as_bytes())
        }
        _ => false,
    };
    let why = if !same_browser {
        Some(
            "the login form was not sent by the browser that loaded it (its browser cookie is missing or different)",
        )
    } else if !constant_time_eq(field("csrf").as_bytes(), pending.csrf.as_bytes()) {
        Some("the login form's CSRF token does not match")
    } else {
        None
    };
    if let Some(why) = why {
        let page = OAuthError::invalid_request(why).into_page();
        return noted(
            browser_headers(page),
            Some(&client_id),
            vec![Finding::LoginCsrfMismatch.into()],
        );
    }
    let user = state
        .user(field("username"))
        .filter(|u| constant_time_eq(u.password.as_bytes(), field("password").as_bytes()));
    let Some(user) = user else {
        let action = path(&state, &tenant, &state.config.paths.login);
        let page = pages::login(&action, interaction, &pending.csrf, &client_id, true);
        return noted(
            browser_headers(page),
            Some(&client_id),
            vec![Finding::LoginBadCredentials.into()],
        );
    };
    let session = state.random.token("s_");
    lock(&state.interactions).log_in(session.clone(), user.username.clone());
    let cookie = cookie(SESSION_COOKIE, session);
    let consent = format!(
        "{}?interaction={interaction}",
        path(&state, &tenant, &state.config.paths.consent)
    );
    noted(
        (jar.add(cookie), redirect(StatusCode::SEE_OTHER, &consent)).into_response(),
        Some(&client_id),
        Vec::new(),
    )
}

/// `GET {consent}`.
pub(crate) async fn consent_page(
    State(state): State<AppState>,
    tenant: Tenant,
    jar: CookieJar,
    query: Result<Query<InteractionQuery>, QueryRejection>,
) -> Response {
    let interaction = match interaction_of(query) {
        Ok(interaction) => interaction,
        Err(error) => return error_page(error),
    };
    let Some(pending) = pending(&state, &interaction) else {
        return unknown_interaction();
    };
    let Some(user) = logged_in(&state, &jar) else {
        return begin(&state, &tenant, &jar, &interaction, StatusCode::FOUND);
    };
    let action = path(&state, &tenant, &state.config.paths.consent);
    let request = &pending.request;
    let page = pages::consent(
        &action,
        &interaction,
        &pending.csrf,
        &request.client_id,
        &user,
        &request.scopes,
    );
    noted(browser_headers(page), Some(&request.client_id), Vec::new())
}

/// `POST {consent}`: approve or deny, then 303 back to the client.
pub(crate) async fn consent_submit(
    State(state): State<AppState>,
    tenant: Tenant,
    jar: CookieJar,
    form: Result<FormBody, OAuthError>,
) -> Response {
    let form = match form {
        Ok(FormBody(form)) => form,
        Err(error) => return error_page(error),
    };
    let field = |name| form.get(name).ok().flatten().unwrap_or("");
    let interaction = field("interaction");
    let Some(pending) = pending(&state, interaction) else {
        return unknown_interaction();
    };
    let client_id = pending.request.client_id.clone();
    let Some(user) = logged_in(&state, &jar) else {
        return begin(&state, &tenant, &jar, interaction, StatusCode::SEE_OTHER);
    };
    if !constant_time_eq(field("csrf").as_bytes(), pending.csrf.as_bytes()) {
        let page =
            OAuthError::invalid_request("the consent form's CSRF token does not match").into_page();
        return noted(
            browser_headers(page),
            Some(&client_id),
            vec![Finding::ConsentCsrfMismatch.into()],
        );
    }
    let decision = match field("decision") {
        "approve" => Decision::approve(user),
        "deny" => Decision::deny(),
        other => {
            let page = OAuthError::invalid_request(format!(
                "decision must be approve or deny, not {other:?}"
            ))
            .into_page();
            return noted(browser_headers(page), Some(&client_id), Vec::new());
        }
    };
    let Some(pending) = lock(&state.interactions).finish(interaction) else {
        return unknown_interaction();
    };
    let uri = decide(&state, pending.request, decision);
    noted(
        redirect(StatusCode::SEE_OTHER, &uri),
        Some(&client_id),
        Vec::new(),
    )
}
