//! The authorization endpoint, `response_type=code`
//! ([RFC 6749 §4.1.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1), RFC 7636 §4.3).

use std::time::{Duration, Instant};

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum_extra::extract::CookieJar;

use crate::app::{AppState, Tenant, lock};
use crate::clients::ClientConfig;
use crate::config::RedirectMatch;
use crate::endpoints::{browser_headers, login, noted, redirect};
use crate::error::{ErrorCode, OAuthError};
use crate::faults::{FaultKind, FaultTarget};
use crate::interaction::{AuthorizationRequest, Decision, Pending};
use crate::params::Params;
use crate::pkce::{ChallengeMethod, PkcePolicy, is_well_formed};
use crate::redirect::{exact_match, near_miss, with_params};
use crate::scope;
use crate::store::CodeGrant;

/// Why a request is refused: either the redirect target is untrusted (an error page), or the
/// error can go back to the client.
enum Refusal {
    Page(OAuthError),
    Redirect(Box<RedirectRefusal>),
}

struct RedirectRefusal {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    error: OAuthError,
}

/// `GET {authorize}`: validate, then answer by scripted decision, auto-approval or login.
pub(crate) async fn handle(
    State(state): State<AppState>,
    tenant: Tenant,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    let (request, mut findings) = match validate(&state, &tenant, query.as_deref().unwrap_or("")) {
        Ok(validated) => validated,
        Err(Refusal::Page(error)) => return browser_headers(error.into_page()),
        Err(Refusal::Redirect(refusal)) => {
            let RedirectRefusal {
                client_id,
                redirect_uri,
                state: st,
                error,
            } = *refusal;
            let iss = state
                .config
                .send_iss
                .then(|| state.issuer(tenant.as_deref()));
            let uri = error_uri(&state, &redirect_uri, st.as_deref(), iss.as_deref(), &error);
            let note = error
                .findings
                .iter()
                .cloned()
                .chain([format!("{}: {}", error.code, error.description)]);
            return noted(found(&uri), Some(&client_id), note.collect());
        }
    };
    let client_id = request.client_id.clone();
    let mut request = request;
    let fault = state.faults.take(
        FaultTarget::Authorize,
        Some(&client_id),
        request.state.as_deref(),
    );
    match fault {
        Some(FaultKind::Error { error, description }) => {
            let error = OAuthError::new(
                error,
                description.unwrap_or_else(|| "injected fault".into()),
            );
            let uri = error_uri(
                &state,
                &request.redirect_uri,
                request.state.as_deref(),
                request.iss.as_deref(),
                &error,
            );
            findings.push(format!("fault.authorize: {}", error.code));
            return noted(found(&uri), Some(&client_id), findings);
        }
        Some(FaultKind::WrongIssuer { issuer }) => {
            findings.push(format!("fault.authorize: iss replaced by {issuer:?}"));
            request.iss = Some(issuer);
        }
        Some(FaultKind::OmitIssuer) => {
            findings.push("fault.authorize: iss omitted".to_owned());
            request.iss = None;
        }
        Some(other) => findings.push(format!(
            "fault.authorize: {other:?} does not apply here; ignored"
        )),
        None => {}
    }
    let decision = match state.take_decision(&client_id, request.state.as_deref()) {
        Some(decision) => Some(decision),
        None if state.config.auto_approve => {
            Some(Decision::approve(state.config.default_user.clone()))
        }
        None => None,
    };
    let response = match decision {
        Some(decision) => found(&decide(&state, request, decision)),
        None => {
            let id = state.random.token("ia_");
            let csrf = state.random.token("");
            lock(&state.interactions).start(id.clone(), Pending { request, csrf });
            login::begin(&state, &tenant, &jar, &id)
        }
    };
    noted(response, Some(&client_id), findings)
}

/// Any method but GET.
pub(crate) async fn wrong_method() -> Response {
    let mut error =
        OAuthError::invalid_request("the authorization endpoint accepts GET only").into_page();
    *error.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    error
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET"));
    browser_headers(error)
}

/// A valid request, with the findings it still earned (a near miss the `prefix` quirk let
/// through).
fn validate(
    state: &AppState,
    tenant: &Tenant,
    query: &str,
) -> Result<(AuthorizationRequest, Vec<String>), Refusal> {
    let params = Params::parse(query.as_bytes()).map_err(Refusal::Page)?;
    let client_id = params
        .get("client_id")
        .map_err(Refusal::Page)?
        .ok_or_else(|| Refusal::Page(OAuthError::invalid_request("client_id is missing")))?;
    let client = state.client(client_id).ok_or_else(|| {
        Refusal::Page(
            OAuthError::invalid_request(format!("unknown client_id {client_id:?}"))
                .with_finding("client.unknown"),
        )
    })?;
    let (redirect_uri, redirect_uri_sent, findings) =
        redirect_uri(&client, &params, state.config.quirks.redirect_uri_match)
            .map_err(Refusal::Page)?;

    let redirect = |mut error: OAuthError, st: Option<&str>| {
        error.findings.extend(findings.iter().cloned());
        Refusal::Redirect(Box::new(RedirectRefusal {
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.clone(),
            state: st.map(str::to_owned),
            error,
        }))
    };
    let st = params.get("state").map_err(|e| redirect(e, None))?;
    let fail = |error: OAuthError| redirect(error, st);
    if let Some(name) = params.first_duplicate() {
        return Err(fail(
            OAuthError::invalid_request(format!("parameter {name} is repeated"))
                .with_finding("request.duplicate_parameter"),
        ));
    }
    match params.get("response_type").map_err(&fail)? {
        Some("code") => {}
        Some(other) => {
            return Err(fail(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
                format!("response_type {other:?} is not supported; use code"),
            )));
        }
        None => {
            return Err(fail(OAuthError::invalid_request(
                "response_type is missing",
            )));
        }
    }
    if !client.allows_grant("authorization_code") {
        return Err(fail(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "this client may not use the authorization_code grant",
        )));
    }
    let scopes = scope::resolve(
        params.get("scope").map_err(&fail)?,
        &client.allowed_scopes,
        client.default_scopes(),
    )
    .map_err(&fail)?;
    let challenge = challenge(&client, &params).map_err(&fail)?;
    let mut extras = Vec::new();
    for name in &state.config.reflect_params {
        if let Some(value) = params.get(name).map_err(&fail)? {
            extras.push((name.clone(), value.to_owned()));
        }
    }
    let request = AuthorizationRequest {
        client_id: client.client_id.clone(),
        tenant: tenant.0.clone(),
        redirect_uri: redirect_uri.clone(),
        redirect_uri_sent,
        state: st.map(str::to_owned),
        scopes,
        challenge,
        extras,
        iss: state
            .config
            .send_iss
            .then(|| state.issuer(tenant.as_deref())),
    };
    Ok((request, findings))
}

/// The redirect URI to answer to: the exact registered match, or the only registered one when
/// the request omits it ([RFC 6749 §3.1.2.3](https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3)),
/// whether the request sent it, and the findings of an accepted near miss.
/// Under the `prefix` quirk, any URI starting with a registered one is taken as it was sent
/// (the code is then bound to it); the journal still notes the near miss.
fn redirect_uri(
    client: &ClientConfig,
    params: &Params,
    matching: RedirectMatch,
) -> Result<(String, bool, Vec<String>), OAuthError> {
    match params.get("redirect_uri")? {
        Some(given) => match exact_match(&client.redirect_uris, given) {
            Some(registered) => Ok((registered.to_owned(), true, Vec::new())),
            None if matching == RedirectMatch::Prefix
                && client
                    .redirect_uris
                    .iter()
                    .any(|r| given.starts_with(r.as_str())) =>
            {
                let why = near_miss(&client.redirect_uris, given).unwrap_or_default();
                let finding = format!(
                    "redirect_uri.near_miss: {why} (accepted: quirks.redirect_uri_match = \"prefix\")"
                );
                Ok((given.to_owned(), true, vec![finding]))
            }
            None => {
                let mut error = OAuthError::invalid_request(format!(
                    "redirect_uri {given:?} is not registered for this client (exact match required)"
                ))
                .with_finding("redirect_uri.not_registered");
                if let Some(why) = near_miss(&client.redirect_uris, given) {
                    error = error.with_finding(format!("redirect_uri.near_miss: {why}"));
                }
                Err(error)
            }
        },
        None => match client.redirect_uris.as_slice() {
            [only] => Ok((only.clone(), false, Vec::new())),
            [] => Err(OAuthError::invalid_request(
                "the client has no registered redirect_uri",
            )),
            _ => Err(OAuthError::invalid_request(
                "redirect_uri is required: several are registered",
            )
            .with_finding("redirect_uri.missing")),
        },
    }
}

/// The PKCE challenge under the client's policy ([RFC 7636 §4.4.1], [RFC 9700 §2.1.1]).
///
/// [RFC 7636 §4.4.1]: https://www.rfc-editor.org/rfc/rfc7636#section-4.4.1
/// [RFC 9700 §2.1.1]: https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
fn challenge(
    client: &ClientConfig,
    params: &Params,
) -> Result<Option<(String, ChallengeMethod)>, OAuthError> {
    let challenge = params.get("code_challenge")?;
    let method = params.get("code_challenge_method")?;
    let Some(challenge) = challenge else {
        if method.is_some() {
            return Err(OAuthError::invalid_request(
                "code_challenge_method sent without code_challenge",
            ));
        }
        if client.pkce != PkcePolicy::Optional || client.is_public() {
            return Err(
                OAuthError::invalid_request("code_challenge is required (PKCE)")
                    .with_finding("pkce.challenge_missing"),
            );
        }
        return Ok(None);
    };
    let method = match method {
        None => ChallengeMethod::Plain,
        Some(name) => ChallengeMethod::parse(name).ok_or_else(|| {
            OAuthError::invalid_request(format!("code_challenge_method {name:?} is not supported"))
                .with_finding("pkce.method_unsupported")
        })?,
    };
    if method == ChallengeMethod::Plain && client.pkce == PkcePolicy::S256Required {
        return Err(OAuthError::invalid_request(
            "code_challenge_method must be S256 (plain is not allowed)",
        )
        .with_finding("pkce.plain_refused"));
    }
    let well_formed = match method {
        ChallengeMethod::S256 => challenge.len() == 43 && is_well_formed(challenge),
        ChallengeMethod::Plain => is_well_formed(challenge),
    };
    if !well_formed {
        return Err(OAuthError::invalid_request(format!(
            "code_challenge is malformed for method {}",
            method.as_str()
        ))
        .with_finding("pkce.challenge_malformed"));
    }
    Ok(Some((challenge.to_owned(), method)))
}

/// Applies a decision: issues a code, or denies. Returns the redirect URI.
pub(crate) fn decide(
    state: &AppState,
    request: AuthorizationRequest,
    decision: Decision,
) -> String {
    match decision {
        Decision::Approve { user, scopes } => {
            let subject = state
                .user(&user)
                .map_or(user.clone(), |u| u.sub().to_owned());
            let code = state.random.token("ac_");
            let grant = CodeGrant {
                client_id: request.client_id,
                tenant: request.tenant,
                redirect_uri: request.redirect_uri.clone(),
                redirect_uri_sent: request.redirect_uri_sent,
                scopes: scopes.unwrap_or(request.scopes),
                challenge: request.challenge,
                subject,
                extras: request.extras,
                expires_at: Instant::now() + Duration::from_secs(state.config.code_ttl_secs),
                state: request.state.clone(),
                redeemed_family: None,
            };
            // Codes are kept a minute past expiry so that late and replayed redemptions are
            // recognised as such.
            let reap_at = grant.expires_at + Duration::from_secs(60);
            lock(&state.stores)
                .codes
                .insert(code.clone(), grant, reap_at);
            let mut params = vec![("code", code.as_str())];
            if let Some(st) = &request.state {
                params.push(("state", st));
            }
            if let Some(iss) = &request.iss {
                params.push(("iss", iss));
            }
            with_params(&request.redirect_uri, &params)
        }
        Decision::Deny { error, description } => {
            let description =
                description.unwrap_or_else(|| "the resource owner denied the request".into());
            let error = OAuthError::new(error, description);
            error_uri(
                state,
                &request.redirect_uri,
                request.state.as_deref(),
                request.iss.as_deref(),
                &error,
            )
        }
    }
}

/// An error response URI ([RFC 6749 §4.1.2.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1)).
fn error_uri(
    state: &AppState,
    redirect_uri: &str,
    st: Option<&str>,
    iss: Option<&str>,
    error: &OAuthError,
) -> String {
    let st = st.filter(|_| !state.config.quirks.state_dropped_on_error);
    let mut params = vec![
        ("error", error.code.as_str()),
        ("error_description", error.description.as_str()),
    ];
    if let Some(st) = st {
        params.push(("state", st));
    }
    if let Some(iss) = iss {
        params.push(("iss", iss));
    }
    with_params(redirect_uri, &params)
}

fn found(uri: &str) -> Response {
    redirect(StatusCode::FOUND, uri)
}
