//! Dynamic client registration ([RFC 7591](https://www.rfc-editor.org/rfc/rfc7591)).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oauth_vocab::GrantType;
use serde::Deserialize;

use crate::clients::{AuthMethod, ClientConfig};
use crate::error::{ErrorCode, OAuthError};
use crate::pkce::PkcePolicy;
use crate::response::noted;
use crate::scope;
use crate::state::AppState;

/// The client metadata this server understands; other members are ignored (§2).
#[derive(Debug, Deserialize)]
struct Metadata {
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    token_endpoint_auth_method: Option<AuthMethod>,
    #[serde(default)]
    grant_types: Option<Vec<String>>,
    #[serde(default)]
    response_types: Option<Vec<String>>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    client_name: Option<String>,
    /// OpenID Connect Dynamic Client Registration 1.0 §2, which MCP 2026-07-28 asks clients to
    /// send ("Application Type and Redirect URI Constraints"): `native` or `web`.
    #[serde(default)]
    application_type: Option<String>,
}

fn metadata_error(description: impl Into<String>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidClientMetadata, description)
}

/// `POST {register}`: 201 with the client information response (§3.2.1), or 400 with
/// `invalid_redirect_uri` / `invalid_client_metadata` (§3.2.2).
pub(crate) async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match register(&state, &headers, &body) {
        Ok((client, name)) => {
            let mut response = serde_json::json!({
                "client_id": client.client_id,
                "client_id_issued_at": AppState::now_unix(),
                "redirect_uris": client.redirect_uris,
                "token_endpoint_auth_method": client.auth_method.as_str(),
                "grant_types": client.grant_types,
                "response_types": ["code"],
                "scope": scope::join(&client.allowed_scopes),
            });
            if let Some(secret) = &client.client_secret {
                response["client_secret"] = secret.clone().into();
                response["client_secret_expires_at"] = 0.into();
            }
            if let Some(name) = name {
                response["client_name"] = name.into();
            }
            let response = (
                StatusCode::CREATED,
                [(header::CACHE_CONTROL, "no-store")],
                axum::Json(response),
            );
            noted(
                response.into_response(),
                Some(&client.client_id),
                Vec::new(),
            )
        }
        Err(error) => error.into_response(),
    }
}

fn register(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(ClientConfig, Option<String>), OAuthError> {
    if !is_json(headers) {
        return Err(metadata_error("Content-Type must be application/json"));
    }
    let meta = parse_metadata(body)?;
    check_redirect_uris(&meta.redirect_uris)?;
    check_response_types(meta.response_types.as_deref())?;
    if let Some(other) =
        (meta.application_type.as_deref()).filter(|t| !matches!(*t, "native" | "web"))
    {
        return Err(metadata_error(format!(
            "application_type {other:?} is neither native nor web"
        )));
    }
    let grant_types = grant_types(meta.grant_types)?;
    let allowed_scopes = match &meta.scope {
        Some(s) => scope::parse(s).map_err(|e| metadata_error(e.description))?,
        None => state.registrable_scopes(),
    };
    let auth_method = meta.token_endpoint_auth_method.unwrap_or_default();
    let client = ClientConfig {
        client_id: state.random.token("client_")[..23].to_owned(),
        client_secret: (auth_method != AuthMethod::None).then(|| state.random.token("secret_")),
        redirect_uris: meta.redirect_uris,
        allowed_scopes,
        default_scopes: None,
        auth_method,
        pkce: PkcePolicy::S256Required,
        grant_types,
    };
    state
        .add_client(client.clone())
        .map_err(|e| metadata_error(e.to_string()))?;
    Ok((client, meta.client_name))
}

/// Whether the request's Content-Type is `application/json`.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        })
}

/// The client metadata in the body.
fn parse_metadata(body: &[u8]) -> Result<Metadata, OAuthError> {
    let invalid = |e: serde_json::Error| {
        metadata_error(format!("the body is not valid client metadata: {e}"))
    };
    // A JSON object (§3.1); serde would otherwise also read a struct from an array.
    let value: serde_json::Value = serde_json::from_slice(body).map_err(invalid)?;
    if !value.is_object() {
        return Err(metadata_error("the client metadata must be a JSON object"));
    }
    serde_json::from_value(value).map_err(invalid)
}

/// At least one redirect URI, each one valid, and none plain `http://` on a host that is not
/// loopback: the redirection endpoint should require TLS ([RFC 6749 §3.1.2.1]), and only a
/// loopback one may do without ([RFC 8252 §7.3, §8.3]).
///
/// [RFC 6749 §3.1.2.1]: https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.1
/// [RFC 8252 §7.3, §8.3]: https://www.rfc-editor.org/rfc/rfc8252#section-7.3
fn check_redirect_uris(redirect_uris: &[String]) -> Result<(), OAuthError> {
    if redirect_uris.is_empty() {
        return Err(OAuthError::new(
            ErrorCode::InvalidRedirectUri,
            "redirect_uris is required",
        ));
    }
    for uri in redirect_uris {
        crate::redirect::validate_registered(uri)
            .map_err(|m| OAuthError::new(ErrorCode::InvalidRedirectUri, m))?;
        if plain_remote(uri) {
            return Err(OAuthError::new(
                ErrorCode::InvalidRedirectUri,
                format!(
                    "{uri:?} is plain http:// on a host that is not loopback: use https://, \
                     or http:// on 127.0.0.1, [::1] or localhost (RFC 8252 §7.3)"
                ),
            ));
        }
    }
    Ok(())
}

/// Whether `uri` is `http://` to a host other than a loopback address or `localhost`.
fn plain_remote(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    url.scheme() == "http" && !url.host_str().is_some_and(oauth_vocab::is_loopback_host)
}

/// Only the response type `code`.
fn check_response_types(response_types: Option<&[String]>) -> Result<(), OAuthError> {
    if response_types.is_some_and(|r| r.iter().any(|t| t != "code")) {
        return Err(metadata_error("only the response type code is supported"));
    }
    Ok(())
}

/// The grant types asked for (authorization_code and refresh_token if none are), all of
/// them supported.
fn grant_types(asked: Option<Vec<String>>) -> Result<Vec<GrantType>, OAuthError> {
    match asked {
        None => Ok(vec![GrantType::AuthorizationCode, GrantType::RefreshToken]),
        Some(names) => names
            .iter()
            .map(|name| name.parse::<GrantType>())
            .collect::<Result<_, _>>()
            .map_err(|bad| metadata_error(format!("grant type {:?} is not supported", bad.0))),
    }
}
