//! How the MCP shape gets a client at the authorization server it discovered ([MCP
//! authorization, client registration]): in the spec's order of priority, its pre-registered
//! client when that server is the one it is registered with (credentials are bound to the
//! issuer, "Authorization Server Binding": another issuer never gets them), else its Client ID
//! Metadata Document's URL as `client_id` when the server advertises
//! `client_id_metadata_document_supported` (the platform serves the document), else a dynamic
//! registration ([RFC 7591]) with `application_type` at the server's `registration_endpoint`;
//! with none of these it does not start.
//!
//! [MCP authorization, client registration]: https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization/client-registration
//! [RFC 7591]: https://www.rfc-editor.org/rfc/rfc7591

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::config::{AuthMethod, PlatformConfig};
use crate::defects::{Defect, Defects};
use crate::http::read_limited;
use crate::metadata::Metadata;
use crate::start_error::StartError;
use crate::state::AppState;

/// The name the platform registers under.
const CLIENT_NAME: &str = "Gauntlet reference platform";

/// Chooses the client for the discovered authorization server and sets it in `config`:
/// `client_id`, secret and authentication method.
pub(crate) async fn register(
    http: &reqwest::Client,
    config: &mut PlatformConfig,
    metadata: &Metadata,
    base_url: &str,
) -> Result<(), StartError> {
    let defects = &config.defects;
    if metadata.issuer == config.issuer || defects.has(Defect::ClientIdReusedAcrossIssuers) {
        return Ok(());
    }
    tracing::info!(
        discovered = %metadata.issuer,
        registered_with = %config.issuer,
        "the MCP server's authorization server is not the one the client is registered with: \
         registering anew"
    );
    let document = config
        .client_metadata_path
        .as_ref()
        .filter(|_| metadata.client_id_metadata_document_supported)
        .filter(|_| !defects.has(Defect::DcrDespiteCimd));
    let (client_id, client_secret, auth_method) = if let Some(path) = document {
        (format!("{base_url}{path}"), None, AuthMethod::None)
    } else if let Some(endpoint) = &metadata.registration_endpoint {
        let redirect_uri = config.redirect_uri_for(base_url);
        dynamic(http, endpoint, &redirect_uri, defects).await?
    } else {
        return Err(StartError::Registration {
            reason: format!(
                "the authorization server {} is not the one the client is registered with ({}), \
                 and offers neither Client ID Metadata Documents (that the platform serves) nor \
                 a registration_endpoint",
                metadata.issuer, config.issuer
            ),
        });
    };
    config.client_id = client_id;
    config.client_secret = client_secret;
    config.auth_method = auth_method;
    Ok(())
}

/// Registers at `endpoint` ([RFC 7591 §3.1]) as a native public client: the registered
/// `client_id`, and the secret and method the server chose if it issued one.
///
/// [RFC 7591 §3.1]: https://www.rfc-editor.org/rfc/rfc7591#section-3.1
async fn dynamic(
    http: &reqwest::Client,
    endpoint: &url::Url,
    redirect_uri: &str,
    defects: &Defects,
) -> Result<(String, Option<String>, AuthMethod), StartError> {
    let failed = |reason: String| StartError::Registration {
        reason: format!("{endpoint}: {reason}"),
    };
    let mut request = json!({
        "client_name": CLIENT_NAME,
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    if !defects.has(Defect::NoApplicationType) {
        // A loopback redirect URI makes a native application (MCP 2026-07-28, "Application Type
        // and Redirect URI Constraints").
        request["application_type"] = "native".into();
    }
    let response = http
        .post(endpoint.clone())
        .json(&request)
        .send()
        .await
        .map_err(|e| failed(crate::http::describe_transport(&e)))?;
    let status = response.status();
    let body = read_limited(response)
        .await
        .map_err(|e| failed(format!("the body could not be read: {e}")))?;
    let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(failed(format!(
            "registration refused (HTTP {}): {} {}",
            status.as_u16(),
            answer["error"].as_str().unwrap_or("no error code"),
            answer["error_description"].as_str().unwrap_or("")
        )));
    }
    let client_id = answer["client_id"]
        .as_str()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| failed("the registration response has no client_id".into()))?;
    let secret = answer["client_secret"].as_str().map(str::to_owned);
    let method = match (&secret, answer["token_endpoint_auth_method"].as_str()) {
        (None, _) => AuthMethod::None,
        (Some(_), Some("client_secret_post")) => AuthMethod::ClientSecretPost,
        (Some(_), _) => AuthMethod::ClientSecretBasic,
    };
    Ok((client_id.to_owned(), secret, method))
}

/// `GET {client_metadata_path}`: the platform's Client ID Metadata Document, whose `client_id`
/// is its own URL (the `cimd_client_id_mismatch` defect names the platform's base URL instead).
pub(crate) async fn document(State(state): State<AppState>) -> Response {
    let path = state.config.client_metadata_path.as_deref().unwrap_or("");
    let url = format!("{}{path}", state.base_url);
    let client_id = if state.config.defects.has(Defect::CimdClientIdMismatch) {
        format!("{}/", state.base_url)
    } else {
        url
    };
    let document = json!({
        "client_id": client_id,
        "client_name": CLIENT_NAME,
        "redirect_uris": [state.redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    ([(header::CACHE_CONTROL, "max-age=300")], Json(document)).into_response()
}
