//! Kore.ai: an authorization profile — URLs with `{tenant}` and dynamic fields, scopes as
//! key/value pairs, the token placed in the header, payload or query of later API calls — and
//! its "test authorization" action, whose verdict is what the API really answered.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::config::{KoreProfile, Placement, Shape};
use crate::defects::Defect;
use crate::http::read_limited;
use crate::pages;
use crate::params::valid_session;
use crate::secret::Secret;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/kore/test-authorization", post(test_authorization))
}

/// Fills `{provider}` (the issuer's origin), `{tenant}` and the dynamic fields.
pub(crate) fn fill(template: &str, provider: &str, profile: &KoreProfile) -> String {
    let mut out = template
        .replace("{provider}", provider)
        .replace("{tenant}", &profile.tenant);
    for (name, value) in &profile.fields {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Where the token goes: the profile's placement (the `kore_field_misplaced` defect: the query).
pub(crate) fn placement(state: &AppState) -> Placement {
    match &state.config.shape {
        Shape::Kore(_) if state.config.defects.has(Defect::KoreFieldMisplaced) => Placement::Query,
        Shape::Kore(profile) => profile.placement,
        _ => Placement::Header,
    }
}

/// A GET (or, for the payload, a POST) to `url` with the token where `placement` says.
pub(crate) fn placed(
    http: &reqwest::Client,
    url: &str,
    token: &Secret,
    placement: Placement,
) -> reqwest::RequestBuilder {
    let request = match placement {
        Placement::Header => http.get(url).bearer_auth(token.expose()),
        Placement::Query => http.get(url).query(&[("access_token", token.expose())]),
        Placement::Payload => http
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("access_token", token.expose())
                    .finish(),
            ),
    };
    request.header(reqwest::header::ACCEPT, "application/json")
}

#[derive(Debug, Deserialize)]
struct Test {
    session: String,
}

/// `POST /kore/test-authorization {"session"}`: calls the API with the session's token and
/// reports `{"result": "success"|"failure", "status", "headers", "body"}` as it came back.
async fn test_authorization(
    State(state): State<AppState>,
    body: Result<Json<Test>, JsonRejection>,
) -> Response {
    let Ok(Json(test)) = body else {
        return pages::json(
            StatusCode::BAD_REQUEST,
            json!({ "error": "expected {\"session\": \"…\"}" }),
        );
    };
    if !valid_session(&test.session) {
        return pages::json(
            StatusCode::BAD_REQUEST,
            json!({ "error": "the session is not valid" }),
        );
    }
    let Some(linked) = state.sessions.get(&test.session) else {
        return pages::json(
            StatusCode::OK,
            json!({ "result": "failure", "reason": "no authorization for this session" }),
        );
    };
    let request = placed(
        &state.http,
        &state.config.resource_url,
        &linked.access_token,
        placement(&state),
    );
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => {
            return pages::json(
                StatusCode::OK,
                json!({ "result": "failure", "reason": crate::http::describe_transport(&error) }),
            );
        }
    };
    let status = response.status().as_u16();
    let headers: serde_json::Map<String, serde_json::Value> = response
        .headers()
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), json!(v.to_str().ok()?))))
        .collect();
    let body = read_limited(response).await.unwrap_or_default();
    let result = if (200..300).contains(&status) {
        "success"
    } else {
        "failure"
    };
    pages::json(
        StatusCode::OK,
        json!({
            "result": result,
            "status": status,
            "headers": headers,
            "body": String::from_utf8_lossy(&body),
        }),
    )
}
