//! Reading a request body within the limits: `limits.max_body_bytes`, and
//! `limits.header_read_timeout_ms` once more for the body after the head, so that a client that
//! announces a body and never sends it cannot hold its connection busy for ever.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::config::Limits;

/// How reading a body went.
#[derive(Debug)]
pub(crate) enum BodyRead {
    /// The whole body.
    Whole(Bytes),
    /// Longer than `limits.max_body_bytes`.
    TooLarge,
    /// Not all there within the timeout.
    TimedOut,
    /// The connection failed while it arrived.
    Broken(String),
}

/// Reads `body` within `limits`.
pub(crate) async fn read(body: Body, limits: &Limits) -> BodyRead {
    let timeout = Duration::from_millis(limits.header_read_timeout_ms);
    let collected = Limited::new(body, limits.max_body_bytes).collect();
    match tokio::time::timeout(timeout, collected).await {
        Ok(Ok(collected)) => BodyRead::Whole(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => BodyRead::TooLarge,
        Ok(Err(e)) => BodyRead::Broken(e.to_string()),
        Err(_) => BodyRead::TimedOut,
    }
}

/// The answer to a body that did not arrive in time: a JSON `408` that closes the connection.
pub(crate) fn timed_out(limits: &Limits) -> Response {
    let body = serde_json::json!({
        "error": "invalid_request",
        "error_description": format!(
            "the request body did not arrive within limits.header_read_timeout_ms ({} ms)",
            limits.header_read_timeout_ms
        ),
    });
    (
        StatusCode::REQUEST_TIMEOUT,
        [(header::CONNECTION, "close")],
        axum::Json(body),
    )
        .into_response()
}
