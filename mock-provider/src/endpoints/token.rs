//! The token endpoint ([RFC 6749 §3.2](https://www.rfc-editor.org/rfc/rfc6749#section-3.2)):
//! `authorization_code`, `refresh_token` and `client_credentials` grants, client
//! authentication, and the token-endpoint faults.

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::app::{AppState, Tenant, lock};
use crate::clients::{ClientConfig, authenticate, presented};
use crate::config::TokenFormat;
use crate::endpoints::{FormBody, noted};
use crate::error::{ErrorCode, OAuthError};
use crate::faults::{FaultKind, FaultTarget};
use crate::params::Params;
use crate::pkce;
use crate::record::DropConnection;
use crate::scope;
use crate::store::{Stores, TokenKind, TokenRecord, TokenState};

/// What a successful grant entitles the client to, before tokens are minted.
struct Issue {
    client_id: String,
    tenant: Option<String>,
    subject: String,
    scopes: Vec<String>,
    family: u64,
    extras: Vec<(String, String)>,
    with_refresh: bool,
    origin_state: Option<String>,
    /// What the client got wrong that a quirk let through, for the journal.
    findings: Vec<String>,
}

/// `POST {token}`.
pub(crate) async fn handle(
    State(state): State<AppState>,
    tenant: Tenant,
    headers: HeaderMap,
    form: Result<FormBody, OAuthError>,
) -> Response {
    let mut client_id = None;
    let result = match form {
        Ok(FormBody(form)) => respond(&state, &tenant, &headers, &form, &mut client_id).await,
        Err(error) => Err(error),
    };
    let response = result.unwrap_or_else(IntoResponse::into_response);
    noted(response, client_id.as_deref(), Vec::new())
}

/// Any method but POST at a POST-only endpoint: 405 with a JSON `invalid_request`.
pub(crate) async fn wrong_method() -> Response {
    let mut response =
        OAuthError::invalid_request("this endpoint accepts POST only").into_response();
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// Authenticates the client of a token, revocation or introspection request.
pub(crate) fn authenticated_client(
    state: &AppState,
    headers: &HeaderMap,
    form: &Params,
) -> Result<ClientConfig, OAuthError> {
    let presented = presented(headers, form)?.ok_or_else(|| {
        OAuthError::invalid_client("client authentication is required")
            .with_finding("client_auth.missing")
    })?;
    let basic = presented.method == crate::clients::AuthMethod::ClientSecretBasic;
    let Some(client) = state.client(&presented.client_id) else {
        let mut error =
            OAuthError::invalid_client(format!("unknown client_id {:?}", presented.client_id))
                .with_finding("client.unknown");
        error.basic_auth = basic;
        return Err(error);
    };
    authenticate(&client, &presented)?;
    Ok(client)
}

async fn respond(
    state: &AppState,
    tenant: &Tenant,
    headers: &HeaderMap,
    form: &Params,
    client_id: &mut Option<String>,
) -> Result<Response, OAuthError> {
    if let Some(name) = form.first_duplicate() {
        return Err(
            OAuthError::invalid_request(format!("parameter {name} is repeated"))
                .with_finding("request.duplicate_parameter"),
        );
    }
    if let Some(id) = form.get("client_id").ok().flatten() {
        *client_id = Some(id.to_owned());
    }
    let client = authenticated_client(state, headers, form)?;
    *client_id = Some(client.client_id.clone());
    let grant_type = form
        .get("grant_type")?
        .ok_or_else(|| OAuthError::invalid_request("grant_type is missing"))?;
    let target = if grant_type == "refresh_token" {
        FaultTarget::Refresh
    } else {
        FaultTarget::Token
    };
    let origin = origin_state(state, grant_type, form);
    let mut fault = state
        .faults
        .take(target, Some(&client.client_id), origin.as_deref());
    if let Some(FaultKind::Delay { ms }) = fault {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        fault = None;
    }
    if let Some(response) = fault.as_ref().and_then(early_fault) {
        return Ok(response);
    }
    if !["authorization_code", "refresh_token", "client_credentials"].contains(&grant_type) {
        return Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            format!("grant_type {grant_type:?} is not supported"),
        ));
    }
    if !client.allows_grant(grant_type) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            format!("this client may not use the {grant_type} grant"),
        ));
    }
    let issue = {
        let mut stores = lock(&state.stores);
        match grant_type {
            "authorization_code" => redeem_code(state, &mut stores, tenant, &client, form)?,
            "refresh_token" => refresh(state, &mut stores, &client, form)?,
            _ => client_credentials(&mut stores, tenant, &client, form)?,
        }
    };
    let early = match &fault {
        Some(FaultKind::ExpireEarly { after_secs }) => Some(Duration::from_secs(*after_secs)),
        _ => None,
    };
    let mut body = mint(state, &issue, early);
    match fault {
        Some(FaultKind::MissingAccessToken) => {
            body.as_object_mut().map(|o| o.remove("access_token"));
        }
        Some(FaultKind::WrongTokenType { token_type }) => body["token_type"] = token_type.into(),
        Some(FaultKind::OmitExpiresIn) => {
            body.as_object_mut().map(|o| o.remove("expires_in"));
        }
        Some(FaultKind::ExtraMembers) => {
            body["id_token_hint"] = "not-a-token".into();
            body["x_provider_extension"] = serde_json::json!({ "nested": [1, 2, 3] });
        }
        Some(FaultKind::OmitScope) => {
            body.as_object_mut().map(|o| o.remove("scope"));
        }
        _ => {}
    }
    let response = noted(
        (StatusCode::OK, axum::Json(body)).into_response(),
        None,
        issue.findings,
    );
    // The `omit_no_store` quirk: a token response that caches may leak (RFC 6749 §5.1).
    if state.config.quirks.omit_no_store {
        Ok(response)
    } else {
        Ok(no_store(response))
    }
}

/// The `state` of the authorization that a code or refresh token descends from, so that faults
/// scripted for one flow hit only that flow.
fn origin_state(state: &AppState, grant_type: &str, form: &Params) -> Option<String> {
    let stores = lock(&state.stores);
    match grant_type {
        "authorization_code" => stores.codes.get(form.get("code").ok()??)?.state.clone(),
        "refresh_token" => stores
            .token_state(form.get("refresh_token").ok()??)
            .0?
            .origin_state
            .clone(),
        _ => None,
    }
}

/// Faults that answer instead of the grant.
fn early_fault(fault: &FaultKind) -> Option<Response> {
    let response = match fault {
        FaultKind::Error { error, description } => OAuthError::new(
            *error,
            description
                .clone()
                .unwrap_or_else(|| "injected fault".into()),
        )
        .into_response(),
        FaultKind::Status { status } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, format!("{status} (injected fault)")).into_response()
        }
        FaultKind::MalformedJson => (
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"access_token": "at_truncated", "token_ty"#,
        )
            .into_response(),
        FaultKind::Html => {
            Html("<!DOCTYPE html><html><body><h1>Gateway says hello</h1></body></html>")
                .into_response()
        }
        FaultKind::DropConnection => {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
        _ => return None,
    };
    let findings = vec![format!("fault.token: {fault:?}")];
    Some(noted(no_store(response), None, findings))
}

fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// The `authorization_code` grant ([RFC 6749 §4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)).
fn redeem_code(
    state: &AppState,
    stores: &mut Stores,
    tenant: &Tenant,
    client: &ClientConfig,
    form: &Params,
) -> Result<Issue, OAuthError> {
    let code = form
        .get("code")?
        .ok_or_else(|| OAuthError::invalid_request("code is missing"))?;
    let new_family = stores.new_family();
    let Some(grant) = stores.codes.get_mut(code) else {
        return Err(
            OAuthError::invalid_grant("the authorization code is unknown or expired")
                .with_finding("code.unknown"),
        );
    };
    if grant.client_id != client.client_id {
        return Err(OAuthError::invalid_grant(
            "the authorization code was issued to another client",
        )
        .with_finding("code.wrong_client"));
    }
    let quirks = &state.config.quirks;
    // The `reusable_codes` quirk: a redeemed code redeems again (until it expires), with no
    // replay finding and no revocation.
    if let Some(family) = grant.redeemed_family.filter(|_| !quirks.reusable_codes) {
        stores.revoke_family(family);
        return Err(OAuthError::invalid_grant(
            "the authorization code was already used; the tokens issued from it are now revoked",
        )
        .with_finding("code.reused"));
    }
    if grant.expires_at <= Instant::now() {
        return Err(
            OAuthError::invalid_grant("the authorization code has expired")
                .with_finding("code.expired"),
        );
    }
    if grant.tenant != tenant.0 {
        return Err(OAuthError::invalid_grant(
            "the authorization code was issued by another tenant",
        )
        .with_finding("code.wrong_tenant"));
    }
    let mut findings = Vec::new();
    let redirect_error = match form.get("redirect_uri")? {
        Some(given) if given != grant.redirect_uri => Some(
            OAuthError::invalid_grant(format!(
                "redirect_uri {given:?} differs from the one used at the authorization endpoint"
            ))
            .with_finding("redirect_uri.differs_at_token"),
        ),
        None if grant.redirect_uri_sent => Some(
            OAuthError::invalid_grant(
                "redirect_uri is missing but was sent at the authorization endpoint",
            )
            .with_finding("redirect_uri.missing_at_token"),
        ),
        _ => None,
    };
    match redirect_error {
        // The `token_redirect_uri_unchecked` quirk: the mismatch is noted, not refused.
        Some(error) if quirks.token_redirect_uri_unchecked => findings.extend(
            error
                .findings
                .into_iter()
                .map(|f| format!("{f} (ignored: quirks.token_redirect_uri_unchecked)")),
        ),
        Some(error) => return Err(error),
        None => {}
    }
    let challenge = grant.challenge.as_ref().map(|(c, m)| (c.as_str(), *m));
    match pkce::verify(challenge, form.get("code_verifier")?) {
        Ok(()) => {}
        // The `verifier_optional` quirk: only a missing verifier is let through.
        Err(e @ pkce::VerifyError::Missing) if quirks.verifier_optional => findings.push(format!(
            "{} (accepted: quirks.verifier_optional)",
            e.finding()
        )),
        Err(e) => return Err(OAuthError::invalid_grant(e.to_string()).with_finding(e.finding())),
    }
    grant.redeemed_family = Some(new_family);
    let reflect = |(name, _): &(String, String)| state.config.reflect_params.contains(name);
    Ok(Issue {
        client_id: grant.client_id.clone(),
        tenant: grant.tenant.clone(),
        subject: grant.subject.clone(),
        scopes: grant.scopes.clone(),
        family: new_family,
        extras: grant
            .extras
            .iter()
            .filter(|p| reflect(p))
            .cloned()
            .collect(),
        with_refresh: client.allows_grant("refresh_token"),
        origin_state: grant.state.clone(),
        findings,
    })
}

/// The `refresh_token` grant ([RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6)),
/// with rotation and reuse detection ([RFC 9700 §4.14.2](https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2)).
fn refresh(
    state: &AppState,
    stores: &mut Stores,
    client: &ClientConfig,
    form: &Params,
) -> Result<Issue, OAuthError> {
    let token = form
        .get("refresh_token")?
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing"))?;
    let (record, token_state) = stores.token_state(token);
    let record = match record {
        Some(r) if r.kind == TokenKind::Refresh => r.clone(),
        _ => {
            return Err(OAuthError::invalid_grant("the refresh token is unknown")
                .with_finding("refresh.unknown"));
        }
    };
    if record.client_id != client.client_id {
        return Err(
            OAuthError::invalid_grant("the refresh token was issued to another client")
                .with_finding("refresh.wrong_client"),
        );
    }
    match token_state {
        TokenState::Active => {}
        TokenState::Rotated => {
            stores.revoke_family(record.family);
            return Err(OAuthError::invalid_grant(
                "the refresh token was already rotated; every token of its family is now revoked",
            )
            .with_finding("refresh.reused"));
        }
        other => {
            return Err(OAuthError::invalid_grant(format!(
                "the refresh token is {}",
                other.describe()
            ))
            .with_finding(format!("refresh.{other:?}").to_lowercase()));
        }
    }
    let scopes = match form.get("scope")? {
        None => record.scopes.clone(),
        Some(requested) => {
            let requested = scope::parse(requested)?;
            if let Some(extra) = requested.iter().find(|s| !record.scopes.contains(s)) {
                return Err(OAuthError::new(
                    ErrorCode::InvalidScope,
                    format!("scope {extra:?} exceeds the scope originally granted"),
                )
                .with_finding("refresh.scope_expansion"));
            }
            requested
        }
    };
    let rotate = state.config.rotate_refresh_tokens;
    if rotate && let Some(old) = stores.tokens.get_mut(token) {
        old.rotated = true;
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
        findings: Vec::new(),
    })
}

/// The `client_credentials` grant ([RFC 6749 §4.4](https://www.rfc-editor.org/rfc/rfc6749#section-4.4)):
/// a service account, no user and no refresh token.
fn client_credentials(
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
    let scopes = scope::resolve(
        form.get("scope")?,
        &client.allowed_scopes,
        client.default_scopes(),
    )?;
    Ok(Issue {
        client_id: client.client_id.clone(),
        tenant: tenant.0.clone(),
        subject: client.client_id.clone(),
        scopes,
        family: stores.new_family(),
        extras: Vec::new(),
        with_refresh: false,
        origin_state: None,
        findings: Vec::new(),
    })
}

/// Mints and stores the tokens of an issue; returns the token response body.
fn mint(state: &AppState, issue: &Issue, expire_early: Option<Duration>) -> serde_json::Value {
    let config = &state.config;
    let now = AppState::now_unix();
    let access_ttl = Duration::from_secs(config.access_token_ttl_secs);
    let access_token = match &state.signer {
        Some(signer) if config.token_format == TokenFormat::Jwt => {
            signer.sign(&serde_json::json!({
                "iss": state.issuer(issue.tenant.as_deref()),
                "sub": issue.subject,
                "aud": issue.client_id,
                "client_id": issue.client_id,
                "scope": scope::join(&issue.scopes),
                "iat": now,
                "exp": now + config.access_token_ttl_secs,
                "jti": state.random.token(""),
            }))
        }
        _ => state.random.token("at_"),
    };
    let refresh_token = issue.with_refresh.then(|| state.random.token("rt_"));
    let record = |kind, ttl: Duration, real: Duration| TokenRecord {
        kind,
        client_id: issue.client_id.clone(),
        tenant: issue.tenant.clone(),
        subject: issue.subject.clone(),
        scopes: issue.scopes.clone(),
        family: issue.family,
        issued_at_unix: now,
        expires_at_unix: now + ttl.as_secs(),
        expires_at: Instant::now() + real,
        revoked: false,
        rotated: false,
        extras: issue.extras.clone(),
        origin_state: issue.origin_state.clone(),
    };
    {
        let keep = Duration::from_secs(60);
        let mut stores = lock(&state.stores);
        let real = expire_early.unwrap_or(access_ttl);
        stores.insert_token(
            access_token.clone(),
            record(TokenKind::Access, access_ttl, real),
            keep,
        );
        if let Some(refresh) = &refresh_token {
            let ttl = Duration::from_secs(config.refresh_token_ttl_secs);
            stores.insert_token(refresh.clone(), record(TokenKind::Refresh, ttl, ttl), keep);
        }
    }
    let mut body = serde_json::json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": config.access_token_ttl_secs,
        "scope": scope::join(&issue.scopes),
    });
    if let Some(refresh) = refresh_token {
        body["refresh_token"] = refresh.into();
    }
    for (name, value) in &issue.extras {
        body[name] = value.clone().into();
    }
    body
}
