//! Login and consent pages with a cookie session, for interactive runs (when auto-approval is
//! off and no decision is scripted). Forms carry an anti-CSRF token; after a POST the browser
//! is sent on with 303 ([RFC 9700 §4.12](https://www.rfc-editor.org/rfc/rfc9700#section-4.12)).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use oauth_vocab::Finding;
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

/// The `?interaction=` query of the login and consent pages.
#[derive(Debug, Deserialize)]
pub(crate) struct InteractionQuery {
    interaction: String,
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
    browser_headers(
        OAuthError::invalid_request(
            "unknown or expired interaction; start again from the application",
        )
        .into_page(),
    )
}

fn pending(state: &AppState, id: &str) -> Option<Pending> {
    lock(&state.interactions).pending(id).cloned()
}

/// Sends the browser to the consent page if it has a session, else to the login page.
pub(crate) fn begin(
    state: &AppState,
    tenant: &Tenant,
    jar: &CookieJar,
    interaction: &str,
) -> Response {
    let page = if logged_in(state, jar).is_some() {
        &state.config.paths.consent
    } else {
        &state.config.paths.login
    };
    redirect(
        StatusCode::FOUND,
        &format!("{}?interaction={interaction}", path(state, tenant, page)),
    )
}

/// `GET {login}`.
pub(crate) async fn login_page(
    State(state): State<AppState>,
    tenant: Tenant,
    Query(query): Query<InteractionQuery>,
) -> Response {
    let Some(pending) = pending(&state, &query.interaction) else {
        return unknown_interaction();
    };
    let action = path(&state, &tenant, &state.config.paths.login);
    let page = pages::login(
        &action,
        &query.interaction,
        &pending.csrf,
        &pending.request.client_id,
        false,
    );
    noted(
        browser_headers(page),
        Some(&pending.request.client_id),
        Vec::new(),
    )
}

/// `POST {login}`: checks the CSRF token and the credentials, opens a session.
pub(crate) async fn login_submit(
    State(state): State<AppState>,
    tenant: Tenant,
    jar: CookieJar,
    FormBody(form): FormBody,
) -> Response {
    let field = |name| form.get(name).ok().flatten().unwrap_or("");
    let interaction = field("interaction");
    let Some(pending) = pending(&state, interaction) else {
        return unknown_interaction();
    };
    let client_id = pending.request.client_id.clone();
    if field("csrf") != pending.csrf {
        let page =
            OAuthError::invalid_request("the login form's CSRF token does not match").into_page();
        return noted(
            browser_headers(page),
            Some(&client_id),
            vec![Finding::LoginCsrfMismatch.into()],
        );
    }
    let user = state
        .user(field("username"))
        .filter(|u| u.password == field("password"));
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
    let cookie = Cookie::build((SESSION_COOKIE, session))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax);
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
    Query(query): Query<InteractionQuery>,
) -> Response {
    let Some(pending) = pending(&state, &query.interaction) else {
        return unknown_interaction();
    };
    let Some(user) = logged_in(&state, &jar) else {
        return begin(&state, &tenant, &jar, &query.interaction);
    };
    let action = path(&state, &tenant, &state.config.paths.consent);
    let request = &pending.request;
    let page = pages::consent(
        &action,
        &query.interaction,
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
    FormBody(form): FormBody,
) -> Response {
    let field = |name| form.get(name).ok().flatten().unwrap_or("");
    let interaction = field("interaction");
    let Some(pending) = pending(&state, interaction) else {
        return unknown_interaction();
    };
    let client_id = pending.request.client_id.clone();
    let Some(user) = logged_in(&state, &jar) else {
        return begin(&state, &tenant, &jar, interaction);
    };
    if field("csrf") != pending.csrf {
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
