//! The authorization endpoint, `response_type=code`
//! ([RFC 6749 §4.1.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1)): a pipeline of the
//! checks each rule family owns — the client (§2.2), its redirect URI (§3.1.2.3:
//! [`crate::redirect`]), then, with errors sent back to that URI (§4.1.2.1), the response type
//! (§3.1.1), the grant (§4.1), the scope (§3.3), PKCE ([RFC 7636 §4.3]: [`crate::pkce`]), the
//! resources (RFC 8707: [`crate::resource_indicator`]) and the authorization-endpoint faults ([`crate::faults`]) — before a scripted decision, auto-approval
//! or the login page answers, and an approval issues a code ([`crate::code`]).
//!
//! [RFC 7636 §4.3]: https://www.rfc-editor.org/rfc/rfc7636#section-4.3

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::CookieJar;

use oauth_vocab::{Finding, GrantType, Observation};

use crate::answer::{decide, error_uri};
use crate::clients::ClientConfig;
use crate::decision::Decision;
use crate::endpoints::{Tenant, login, redirect};
use crate::error::{ErrorCode, OAuthError};
use crate::faults::{self, FaultTarget};
use crate::interaction::{AuthorizationRequest, Pending};
use crate::params::Params;
use crate::redirect::{Callback, Resolved};
use crate::response::{browser_headers, noted};
use crate::state::{AppState, lock};
use crate::{pkce, resource_indicator, scope};

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

/// What the checks after the redirect URI yield.
struct Checked {
    scopes: Vec<String>,
    challenge: Option<(String, pkce::ChallengeMethod)>,
    extras: Vec<(String, String)>,
    resources: Vec<String>,
    /// What was noted without refusing (a missing `resource`).
    notes: Vec<Observation>,
}

/// `GET {authorize}`: validate, then answer by scripted decision, auto-approval or login.
pub(crate) async fn handle(
    State(state): State<AppState>,
    tenant: Tenant,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.as_deref().unwrap_or("");
    let fetched = match client_metadata(&state, query).await {
        Ok(fetched) => fetched,
        Err(error) => return refuse(&state, &tenant, metadata_refusal(&state, query, error)),
    };
    let (mut request, mut findings) = match validate(&state, &tenant, query) {
        Ok(validated) => validated,
        Err(refusal) => return refuse(&state, &tenant, refusal),
    };
    findings.extend(fetched);
    let client_id = request.client_id.clone();
    if let Some(uri) = fault(&state, &mut request, &mut findings) {
        return noted(found(&uri), Some(&client_id), findings);
    }
    let response = match decision(&state, &client_id, request.state.as_deref()) {
        Some(decision) => found(&decide(&state, request, decision)),
        None => interact(&state, &tenant, &jar, request),
    };
    noted(response, Some(&client_id), findings)
}

/// A valid request, with the findings it still earned (a near miss the `prefix` quirk let
/// through).
fn validate(
    state: &AppState,
    tenant: &Tenant,
    query: &str,
) -> Result<(AuthorizationRequest, Vec<Observation>), Refusal> {
    let params = Params::parse(query.as_bytes()).map_err(Refusal::Page)?;
    let client = known_client(state, &params).map_err(Refusal::Page)?;
    let matching = state.config.quirks.redirect_uri_match;
    let target = params
        .get("redirect_uri")
        .and_then(
            |given| match crate::redirect::check::resolve(&client, given, matching) {
                Err(error) if document_redirect_unchecked(state, &client) => {
                    unchecked_redirect(given, error)
                }
                resolved => resolved,
            },
        )
        .map_err(Refusal::Page)?;
    let refusal = |st: Option<&str>, mut error: OAuthError| {
        error.findings.extend(target.findings.iter().cloned());
        Refusal::Redirect(Box::new(RedirectRefusal {
            client_id: client.client_id.clone(),
            redirect_uri: target.uri.clone(),
            state: st.map(str::to_owned),
            error,
        }))
    };
    let st = params.get("state").map_err(|e| refusal(None, e))?;
    let checked = check(state, &client, &params).map_err(|e| refusal(st, e))?;
    let Resolved {
        uri,
        sent,
        mut findings,
    } = target;
    findings.extend(checked.notes);
    let request = AuthorizationRequest {
        client_id: client.client_id,
        tenant: tenant.0.clone(),
        redirect_uri: uri,
        redirect_uri_sent: sent,
        state: st.map(str::to_owned),
        scopes: checked.scopes,
        challenge: checked.challenge,
        extras: checked.extras,
        resources: checked.resources,
        iss: response_iss(state, tenant),
    };
    Ok((request, findings))
}

/// Whether the `client_metadata_redirect_unchecked` quirk takes any redirect URI for `client`,
/// a client identified by a metadata document.
fn document_redirect_unchecked(state: &AppState, client: &ClientConfig) -> bool {
    state.config.quirks.client_metadata_redirect_unchecked
        && (state.client_metadata.as_ref()).is_some_and(|f| f.names_document(&client.client_id))
}

/// The redirect URI `given` taken although it failed the check (`error`): the quirk's answer,
/// noted with the check's findings marked tolerated.
fn unchecked_redirect(given: Option<&str>, error: OAuthError) -> Result<Resolved, OAuthError> {
    let Some(given) = given else {
        return Err(error);
    };
    let tolerated = "accepted: quirks.client_metadata_redirect_unchecked";
    Ok(Resolved {
        uri: given.to_owned(),
        sent: true,
        findings: (error.findings.into_iter())
            .map(|f| f.tolerated(tolerated))
            .collect(),
    })
}

/// With `mcp.client_id_metadata_documents`, a `client_id` URL's document fetched (unless a
/// fresh one is cached), validated and registered before the request is checked
/// ([`crate::client_metadata`]), and the note of the fetch; an invalid document is an error
/// page, the redirect URI being unvalidated.
async fn client_metadata(state: &AppState, query: &str) -> Result<Option<Observation>, OAuthError> {
    let Some(fetcher) = &state.client_metadata else {
        return Ok(None);
    };
    let params = Params::parse(query.as_bytes())?;
    let Some(client_id) = params
        .get("client_id")?
        .filter(|id| fetcher.names_document(id))
    else {
        return Ok(None);
    };
    if fetcher.fresh(client_id) && state.client(client_id).is_some() {
        return Ok(None);
    }
    let (client, note) = fetcher
        .resolve(client_id, state.registrable_scopes())
        .await?;
    state.add_client(client).map_err(|e| {
        OAuthError::new(ErrorCode::InvalidClient, e.to_string()).with_finding(note.clone())
    })?;
    Ok(Some(note))
}

/// How a Client ID Metadata Document that failed is refused: an error page, or with the
/// `client_metadata_error_redirects` quirk a redirect to the unvalidated `redirect_uri`.
fn metadata_refusal(state: &AppState, query: &str, error: OAuthError) -> Refusal {
    let params = Params::parse(query.as_bytes()).ok();
    let param = |name: &str| {
        let value = params.as_ref().and_then(|p| p.get(name).ok().flatten());
        value.map(str::to_owned)
    };
    match (param("client_id"), param("redirect_uri")) {
        (Some(client_id), Some(redirect_uri))
            if state.config.quirks.client_metadata_error_redirects =>
        {
            Refusal::Redirect(Box::new(RedirectRefusal {
                client_id,
                redirect_uri,
                state: param("state"),
                error,
            }))
        }
        _ => Refusal::Page(error),
    }
}

/// The registered client the request names; unknown, it gets an error page (§4.1.2.1).
fn known_client(state: &AppState, params: &Params) -> Result<ClientConfig, OAuthError> {
    let client_id = params.required("client_id")?;
    state.client(client_id).ok_or_else(|| {
        OAuthError::invalid_request(format!("unknown client_id {client_id:?}"))
            .with_finding(Finding::ClientUnknown)
    })
}

/// The checks whose errors go back to the client's redirect URI, in order.
fn check(state: &AppState, client: &ClientConfig, params: &Params) -> Result<Checked, OAuthError> {
    params.no_duplicates_but(resource_indicator::repeatable(state))?;
    response_type_is_code(params)?;
    if !client.allows_grant(GrantType::AuthorizationCode) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "this client may not use the authorization_code grant",
        ));
    }
    let scopes =
        scope::for_authorization(client, params.get("scope")?, state.config.unknown_scopes)?;
    let challenge = pkce::check::check_challenge(client, params)?;
    let mut notes = Vec::new();
    let resources = resource_indicator::requested(state, params, &mut notes)?;
    let mut extras = Vec::new();
    for name in &state.config.reflect_params {
        if let Some(value) = params.get(name)? {
            extras.push((name.clone(), value.to_owned()));
        }
    }
    Ok(Checked {
        scopes,
        challenge,
        extras,
        resources,
        notes,
    })
}

/// `response_type=code`, the only one supported (§3.1.1).
fn response_type_is_code(params: &Params) -> Result<(), OAuthError> {
    match params.required("response_type")? {
        "code" => Ok(()),
        other => Err(OAuthError::new(
            ErrorCode::UnsupportedResponseType,
            format!("response_type {other:?} is not supported; use code"),
        )),
    }
}

/// The `iss` to send with every answer ([RFC 9207](https://www.rfc-editor.org/rfc/rfc9207)), if
/// so configured.
fn response_iss(state: &AppState, tenant: &Tenant) -> Option<String> {
    state
        .config
        .send_iss
        .then(|| state.issuer(tenant.as_deref()))
}

/// Answers a refused request: an error page, or the error sent back to the client.
fn refuse(state: &AppState, tenant: &Tenant, refusal: Refusal) -> Response {
    let refusal = match refusal {
        Refusal::Page(error) => return browser_headers(error.into_page()),
        Refusal::Redirect(refusal) => *refusal,
    };
    let iss = response_iss(state, tenant);
    let callback = Callback {
        redirect_uri: &refusal.redirect_uri,
        state: refusal.state.as_deref(),
        iss: iss.as_deref(),
    };
    let uri = error_uri(state, callback, &refusal.error);
    let error = refusal.error;
    let note = (error.findings.iter().cloned())
        .chain([error.observation()])
        .collect();
    noted(found(&uri), Some(&refusal.client_id), note)
}

/// Applies the authorization-endpoint fault mounted for this client and flow, if any, and notes
/// it; an `error` fault yields the error response URI to answer with instead.
fn fault(
    state: &AppState,
    request: &mut AuthorizationRequest,
    findings: &mut Vec<Observation>,
) -> Option<String> {
    let kind = state.faults.take(
        FaultTarget::Authorize,
        Some(&request.client_id),
        request.state.as_deref(),
    )?;
    let (finding, error) = faults::apply::at_authorize(kind, &mut request.iss);
    findings.push(finding);
    error.map(|error| error_uri(state, request.callback(), &error))
}

/// The scripted decision for this request, else approval as the default user when
/// auto-approval is on; `None` sends the browser to log in.
fn decision(state: &AppState, client_id: &str, request_state: Option<&str>) -> Option<Decision> {
    state.take_decision(client_id, request_state).or_else(|| {
        (state.config.auto_approve).then(|| Decision::approve(state.config.default_user.clone()))
    })
}

/// Parks the request as a pending interaction and sends the browser to log in or consent.
fn interact(
    state: &AppState,
    tenant: &Tenant,
    jar: &CookieJar,
    request: AuthorizationRequest,
) -> Response {
    let id = state.random.token("ia_");
    let csrf = state.random.token("");
    lock(&state.interactions).start(
        id.clone(),
        Pending {
            request,
            csrf,
            browser: None,
        },
    );
    login::begin(state, tenant, jar, &id, StatusCode::FOUND)
}

fn found(uri: &str) -> Response {
    redirect(StatusCode::FOUND, uri)
}
