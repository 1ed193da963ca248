//! How a mounted fault bends an endpoint's answer: the error or `iss` tampering at the
//! authorization endpoint, and at the token endpoint the fault drawn for a request's client and
//! flow, the response sent instead of the grant's, and the changes to a successful one.

use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use oauth_vocab::{Finding, Observation};

use crate::error::{ErrorCode, OAuthError};
use crate::faults::{FaultKind, FaultTarget};
use crate::markers::DropConnection;
use crate::params::Params;
use crate::response::{no_store, noted};
use crate::state::{AppState, lock};

/// The error of an `error` fault; the default description names the fault.
fn injected(error: ErrorCode, description: Option<String>) -> OAuthError {
    OAuthError::new(
        error,
        description.unwrap_or_else(|| "injected fault".into()),
    )
}

/// Applies a fault at the authorization endpoint: the finding for the journal and, for an
/// `error` fault (and its mix-up variant), the error to send back instead of an answer. The
/// mix-up faults replace or drop the `iss` to send.
pub(crate) fn at_authorize(
    kind: FaultKind,
    iss: &mut Option<String>,
) -> (Observation, Option<OAuthError>) {
    match kind {
        FaultKind::Error { error, description } => {
            let error = injected(error, description);
            let finding = Observation::detailed(Finding::FaultAuthorize, error.code.as_str());
            (finding, Some(error))
        }
        FaultKind::WrongIssuer { issuer } => {
            let finding = Observation::detailed(
                Finding::FaultAuthorize,
                format!("iss replaced by {issuer:?}"),
            );
            *iss = Some(issuer);
            (finding, None)
        }
        FaultKind::WrongIssuerError {
            error,
            description,
            issuer,
        } => {
            let error = injected(error, description);
            let finding = Observation::detailed(
                Finding::FaultAuthorize,
                format!("{} with iss replaced by {issuer:?}", error.code.as_str()),
            );
            *iss = Some(issuer);
            (finding, Some(error))
        }
        FaultKind::OmitIssuer => {
            *iss = None;
            (
                Observation::detailed(Finding::FaultAuthorize, "iss omitted"),
                None,
            )
        }
        other => (
            Observation::detailed(
                Finding::FaultAuthorize,
                format!("{other:?} does not apply here; ignored"),
            ),
            None,
        ),
    }
}

/// The fault for a token request, if one is mounted for its client and flow (a `refresh_token`
/// grant draws from the `refresh` faults). A `delay` or `hold` is waited out here and leaves
/// none.
pub(crate) async fn at_token(
    state: &AppState,
    grant_type: &str,
    client_id: &str,
    form: &Params,
) -> Option<FaultKind> {
    let target = if grant_type == "refresh_token" {
        FaultTarget::Refresh
    } else {
        FaultTarget::Token
    };
    let origin = origin_state(state, grant_type, form);
    let (client, flow) = (Some(client_id), origin.as_deref());
    state.faults.arrive(target, client, flow);
    match state.faults.take(target, client, flow) {
        Some(FaultKind::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            None
        }
        Some(FaultKind::Hold { ms }) => {
            let longest = Duration::from_millis(ms);
            state.faults.hold(target, client, flow, longest).await;
            None
        }
        fault => fault,
    }
}

/// The `state` of the authorization that a code or refresh token descends from, so that faults
/// scripted for one flow hit only that flow: the label the stores keep, which
/// [`Faults::take`](crate::faults::Faults::take) compares by label.
fn origin_state(state: &AppState, grant_type: &str, form: &Params) -> Option<String> {
    let stores = lock(&state.stores);
    match grant_type {
        "authorization_code" => stores
            .code(form.get("code").ok()??)?
            .flow()
            .state
            .map(str::to_owned),
        "refresh_token" => stores.token_origin(form.get("refresh_token").ok()??),
        _ => None,
    }
}

/// The response a token-endpoint fault sends instead of the grant's, for the faults that do.
pub(crate) fn token_answer(fault: &FaultKind) -> Option<Response> {
    let response = match fault {
        FaultKind::Error { error, description } => {
            injected(*error, description.clone()).into_response()
        }
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
    let findings = vec![Observation::detailed(
        Finding::FaultToken,
        format!("{fault:?}"),
    )];
    Some(noted(no_store(response), None, findings))
}

/// How soon the tokens really expire under an `expire_early` fault.
pub(crate) fn expires_early(fault: Option<&FaultKind>) -> Option<Duration> {
    match fault {
        Some(FaultKind::ExpireEarly { after_secs }) => Some(Duration::from_secs(*after_secs)),
        _ => None,
    }
}

/// Bends a successful token response body as the fault says.
pub(crate) fn alter_token_body(fault: Option<FaultKind>, body: &mut serde_json::Value) {
    let mut remove = |name: &str| {
        body.as_object_mut().map(|o| o.remove(name));
    };
    match fault {
        Some(FaultKind::MissingAccessToken) => remove("access_token"),
        Some(FaultKind::OmitExpiresIn) => remove("expires_in"),
        Some(FaultKind::OmitScope) => remove("scope"),
        Some(FaultKind::WrongTokenType { token_type }) => body["token_type"] = token_type.into(),
        Some(FaultKind::ExtraMembers) => {
            body["id_token_hint"] = "not-a-token".into();
            body["x_provider_extension"] = serde_json::json!({ "nested": [1, 2, 3] });
        }
        _ => {}
    }
}
