//! The token endpoint ([RFC 6749 §3.2](https://www.rfc-editor.org/rfc/rfc6749#section-3.2)): a
//! pipeline of the checks each rule family owns — client authentication
//! ([`crate::client_auth`], §2.3), the token-endpoint faults ([`crate::faults`]), the grant type
//! (§5.2), then one grant: `authorization_code` (§4.1.3: [`crate::code`], [`crate::redirect`],
//! [`crate::pkce`]), `refresh_token` (§6: [`crate::refresh`]) or `client_credentials` (§4.4) —
//! and the tokens it earns ([`crate::tokens`], §5.1).

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use oauth_vocab::GrantType;

use crate::client_auth::{authenticated_client, claimed_client_id};
use crate::clients::ClientConfig;
use crate::endpoints::{FormBody, Tenant};
use crate::error::{ErrorCode, OAuthError};
use crate::faults::FaultKind;
use crate::params::Params;
use crate::plain::PlainHttp;
use crate::response::{no_store, noted};
use crate::state::{AppState, lock};
use crate::store::Stores;
use crate::tokens::{Issue, mint};
use crate::{code, faults, pkce, redirect, refresh, resource_indicator, scope};

/// `POST {token}`. Over plain HTTP (`plain_token_endpoint`'s listener) it is refused whatever
/// it carries: the token endpoint requires TLS (§3.2, §10.9).
pub(crate) async fn handle(
    State(state): State<AppState>,
    tenant: Tenant,
    plain: Option<Extension<PlainHttp>>,
    headers: HeaderMap,
    form: Result<FormBody, OAuthError>,
) -> Response {
    if plain.is_some() {
        let form = form.as_ref().ok().map(|FormBody(form)| form);
        return crate::plain::refused(&state, &headers, form);
    }
    let mut client_id = None;
    let result = match form {
        Ok(FormBody(form)) => respond(&state, &tenant, &headers, &form, &mut client_id).await,
        Err(error) => Err(error),
    };
    let response = result.unwrap_or_else(IntoResponse::into_response);
    noted(response, client_id.as_deref(), Vec::new())
}

/// An injected `invalid_grant` for an authorization code says the code is no good, and a real
/// server keeps saying so: the code is spent (with a family no token belongs to), so that a
/// client that sends it again meets a replay, not a second chance the fault's count gave it.
fn burn_refused_code(state: &AppState, fault: Option<&FaultKind>, grant_type: &str, form: &Params) {
    let invalid_grant = matches!(
        fault,
        Some(FaultKind::Error { error, .. }) if *error == ErrorCode::InvalidGrant
    );
    if !invalid_grant || grant_type != "authorization_code" {
        return;
    }
    if let Ok(Some(code)) = form.get("code") {
        let mut stores = lock(&state.stores);
        let family = stores.new_family();
        code::spend(&mut stores, code, family, false);
    }
}

async fn respond(
    state: &AppState,
    tenant: &Tenant,
    headers: &HeaderMap,
    form: &Params,
    client_id: &mut Option<String>,
) -> Result<Response, OAuthError> {
    form.no_duplicates_but(resource_indicator::repeatable(state))?;
    *client_id = claimed_client_id(state, headers, form);
    let client = authenticated_client(state, headers, form)?;
    *client_id = Some(client.client_id.clone());
    let grant_type = form.required("grant_type")?;
    let fault = faults::apply::at_token(state, grant_type, &client.client_id, form).await;
    if let Some(answer) = fault.as_ref().and_then(faults::apply::token_answer) {
        burn_refused_code(state, fault.as_ref(), grant_type, form);
        return Ok(answer);
    }
    let grant_type = grant_type_allowed(&client, grant_type)?;
    let issue = grant(state, tenant, &client, grant_type, form)?;
    let mut body = mint(state, &issue, faults::apply::expires_early(fault.as_ref()));
    faults::apply::alter_token_body(fault, &mut body);
    let response = (StatusCode::OK, axum::Json(body)).into_response();
    let response = noted(response, None, issue.findings);
    // The `omit_no_store` quirk: a token response that caches may leak (RFC 6749 §5.1).
    Ok(if state.config.quirks.omit_no_store {
        response
    } else {
        no_store(response)
    })
}

/// A grant type this server supports and the client is registered for (§5.2).
fn grant_type_allowed(client: &ClientConfig, grant_type: &str) -> Result<GrantType, OAuthError> {
    let grant_type: GrantType = grant_type
        .parse()
        .map_err(|e| OAuthError::new(ErrorCode::UnsupportedGrantType, format!("{e}")))?;
    if !client.allows_grant(grant_type) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            format!("this client may not use the {grant_type} grant"),
        ));
    }
    Ok(grant_type)
}

/// Checks the grant under the stores' lock; returns what it entitles the client to.
fn grant(
    state: &AppState,
    tenant: &Tenant,
    client: &ClientConfig,
    grant_type: GrantType,
    form: &Params,
) -> Result<Issue, OAuthError> {
    let mut stores = lock(&state.stores);
    match grant_type {
        GrantType::AuthorizationCode => {
            authorization_code(state, &mut stores, tenant, client, form)
        }
        GrantType::RefreshToken => refresh_token(state, &mut stores, client, form),
        GrantType::ClientCredentials => {
            client_credentials(state, &mut stores, tenant, client, form)
        }
    }
}

/// The `authorization_code` grant ([RFC 6749 §4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)).
fn authorization_code(
    state: &AppState,
    stores: &mut Stores,
    tenant: &Tenant,
    client: &ClientConfig,
    form: &Params,
) -> Result<Issue, OAuthError> {
    let quirks = &state.config.quirks;
    let code = form.required("code")?;
    let family = stores.new_family();
    let grant = code::redeemable(
        stores,
        code,
        &client.client_id,
        tenant.as_deref(),
        quirks.reusable_codes,
    )?;
    let mut findings = redirect::check::check_at_token(
        &grant.redirect_uri,
        grant.redirect_uri_sent,
        form.get("redirect_uri")?,
        quirks.token_redirect_uri_unchecked,
    )?;
    let verifier = form.get("code_verifier")?;
    findings.extend(pkce::check::check_verifier(
        grant.challenge.as_ref(),
        verifier,
        quirks.verifier_optional,
    )?);
    let audience = resource_indicator::audience(state, &grant.resources, form, &mut findings)?;
    code::spend(stores, code, family, quirks.reusable_codes);
    let reflect = &state.config.reflect_params;
    Ok(Issue {
        client_id: grant.client_id,
        tenant: grant.tenant,
        subject: grant.subject,
        scopes: grant.scopes,
        family,
        extras: grant
            .extras
            .into_iter()
            .filter(|(name, _)| reflect.contains(name))
            .collect(),
        with_refresh: client.allows_grant(GrantType::RefreshToken),
        origin_state: grant.state,
        resources: granted_resources(grant.resources, audience.as_ref()),
        audience,
        findings,
    })
}

/// The `refresh_token` grant ([RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6)).
fn refresh_token(
    state: &AppState,
    stores: &mut Stores,
    client: &ClientConfig,
    form: &Params,
) -> Result<Issue, OAuthError> {
    let token = form.required("refresh_token")?;
    let record = refresh::redeemable(stores, token, &client.client_id)?;
    let scopes = refresh::narrowed_scope(&record.scopes, form.get("scope")?)?;
    let mut findings = Vec::new();
    let audience = resource_indicator::audience(state, &record.resources, form, &mut findings)?;
    let rotate = state.config.rotate_refresh_tokens;
    if rotate {
        refresh::rotate(stores, token);
    }
    Ok(Issue {
        client_id: record.client_id,
        tenant: record.tenant,
        subject: record.subject,
        scopes,
        family: record.family,
        extras: record.extras,
        with_refresh: rotate,
        origin_state: record.origin_state,
        resources: granted_resources(record.resources, audience.as_ref()),
        audience,
        findings,
    })
}

/// The `client_credentials` grant ([RFC 6749 §4.4](https://www.rfc-editor.org/rfc/rfc6749#section-4.4)):
/// a service account, no user and no refresh token.
fn client_credentials(
    state: &AppState,
    stores: &mut Stores,
    tenant: &Tenant,
    client: &ClientConfig,
    form: &Params,
) -> Result<Issue, OAuthError> {
    if client.is_public() {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "a public client cannot use client_credentials",
        ));
    }
    let scopes = scope::for_client(client, form.get("scope")?)?;
    let mut findings = Vec::new();
    let audience = resource_indicator::audience(state, &[], form, &mut findings)?;
    Ok(Issue {
        client_id: client.client_id.clone(),
        tenant: tenant.0.clone(),
        subject: client.client_id.clone(),
        scopes,
        family: stores.new_family(),
        extras: Vec::new(),
        with_refresh: false,
        origin_state: None,
        resources: audience.iter().cloned().collect(),
        audience,
        findings,
    })
}

/// The resources a grant's tokens carry on: those the authorization named, else the one the
/// token request named (what a later refresh may name, RFC 8707 §2.2).
fn granted_resources(granted: Vec<String>, audience: Option<&String>) -> Vec<String> {
    if granted.is_empty() {
        audience.into_iter().cloned().collect()
    } else {
        granted
    }
}
