//! The control API under `/_admin`: register clients, script decisions, mount and clear faults,
//! read and clear the journal. Answers only loopback peers unless `admin.allow_remote` is set.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::app::{AppState, lock};
use crate::clients::ClientConfig;
use crate::faults::Fault;
use crate::interaction::Decision;
use crate::journal::mask;

fn admin_error(status: StatusCode, description: impl Into<String>) -> Response {
    let body =
        serde_json::json!({ "error": "invalid_request", "error_description": description.into() });
    (status, axum::Json(body)).into_response()
}

/// Filters for reading the journal or listing clients.
#[derive(Debug, Deserialize)]
pub(crate) struct Filter {
    client_id: Option<String>,
    #[serde(default)]
    reveal: bool,
}

/// A decision for the next authorization of a client.
#[derive(Debug, Deserialize)]
pub(crate) struct ScriptedDecision {
    client_id: String,
    #[serde(flatten)]
    decision: Decision,
}

async fn loopback_only(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    match peer {
        Some(addr) if addr.ip().is_loopback() || state.config.admin.allow_remote => {
            next.run(request).await
        }
        _ => admin_error(
            StatusCode::FORBIDDEN,
            "the control API answers loopback clients only (admin.allow_remote)",
        ),
    }
}

async fn journal(State(state): State<AppState>, Query(filter): Query<Filter>) -> Response {
    let entries = state.journal.entries(filter.client_id.as_deref());
    let entries: Vec<_> = if filter.reveal {
        entries
    } else {
        entries.iter().map(|e| e.redacted()).collect()
    };
    axum::Json(entries).into_response()
}

async fn clear_journal(State(state): State<AppState>) -> StatusCode {
    state.journal.clear();
    StatusCode::NO_CONTENT
}

async fn clients(State(state): State<AppState>, Query(filter): Query<Filter>) -> Response {
    let mut clients = state.clients_snapshot();
    if !filter.reveal {
        for client in &mut clients {
            client.client_secret = client.client_secret.as_deref().map(mask);
        }
    }
    axum::Json(clients).into_response()
}

async fn add_client(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let client: ClientConfig = match serde_json::from_slice(&body) {
        Ok(client) => client,
        Err(e) => {
            return admin_error(
                StatusCode::BAD_REQUEST,
                format!("not a client registration: {e}"),
            );
        }
    };
    match state.add_client(client) {
        Ok(()) => StatusCode::CREATED.into_response(),
        Err(why) => admin_error(StatusCode::BAD_REQUEST, why),
    }
}

async fn add_decision(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let scripted: ScriptedDecision = match serde_json::from_slice(&body) {
        Ok(d) => d,
        Err(e) => return admin_error(StatusCode::BAD_REQUEST, format!("not a decision: {e}")),
    };
    match state.add_decision(scripted.client_id, scripted.decision) {
        Ok(()) => StatusCode::CREATED.into_response(),
        Err(why) => admin_error(StatusCode::BAD_REQUEST, why),
    }
}

async fn faults(State(state): State<AppState>) -> Response {
    axum::Json(state.faults.list()).into_response()
}

async fn add_fault(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<Fault>(&body) {
        Ok(fault) => {
            state.faults.add(fault);
            StatusCode::CREATED.into_response()
        }
        Err(e) => admin_error(StatusCode::BAD_REQUEST, format!("not a fault: {e}")),
    }
}

async fn clear_faults(State(state): State<AppState>, Query(filter): Query<Filter>) -> StatusCode {
    state.faults.clear(filter.client_id.as_deref());
    StatusCode::NO_CONTENT
}

async fn decisions(State(state): State<AppState>) -> Response {
    let pending: Vec<_> = lock(&state.decisions)
        .iter()
        .flat_map(|(id, queue)| {
            queue
                .iter()
                .map(move |d| serde_json::json!({ "client_id": id, "decision": d }))
        })
        .collect();
    axum::Json(pending).into_response()
}

pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/journal", get(journal).delete(clear_journal))
        .route("/clients", get(clients).post(add_client))
        .route("/decisions", get(decisions).post(add_decision))
        .route("/faults", get(faults).post(add_fault).delete(clear_faults))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            loopback_only,
        ))
}
