//! Authorization server metadata ([RFC 8414](https://www.rfc-editor.org/rfc/rfc8414)), the JWKS,
//! and the answer for paths that serve nothing.

use std::sync::atomic::Ordering;

use axum::extract::{OriginalUri, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::endpoints::Tenant;
use crate::pkce::PkcePolicy;
use crate::state::AppState;

/// The metadata document for the root issuer or a tenant's.
pub(crate) fn document(state: &AppState, tenant: Option<&str>) -> serde_json::Value {
    let issuer = state.issuer(tenant);
    let paths = &state.config.paths;
    let at = |path: &str| format!("{issuer}{path}");
    let plain_allowed = state
        .clients_snapshot()
        .iter()
        .any(|c| c.pkce != PkcePolicy::S256Required);
    let methods: &[&str] = if plain_allowed {
        &["S256", "plain"]
    } else {
        &["S256"]
    };
    let auth_methods = ["client_secret_basic", "client_secret_post"];
    // `plain_token_endpoint`: the same path on the plain-HTTP listener (a downgrade).
    let token_endpoint = match &state.plain_base_url {
        Some(plain) => {
            let tenant = tenant.map(|t| format!("/t/{t}")).unwrap_or_default();
            format!("{plain}{tenant}{}", paths.token)
        }
        None => at(&paths.token),
    };
    let mut doc = serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": at(&paths.authorize),
        "token_endpoint": token_endpoint,
        "userinfo_endpoint": at(&paths.userinfo),
        "revocation_endpoint": at(&paths.revoke),
        "introspection_endpoint": at(&paths.introspect),
        "registration_endpoint": at(&paths.register),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        // Public clients may revoke their own tokens (RFC 7009 §5) but not introspect.
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": auth_methods,
        "code_challenge_methods_supported": methods,
        "scopes_supported": state.scopes_supported(),
        "subject_types_supported": ["public"],
        "authorization_response_iss_parameter_supported": state.config.send_iss,
    });
    if state.signer.is_some() {
        doc["jwks_uri"] = at(&paths.jwks).into();
    }
    if state.client_metadata.is_some() {
        // MCP authorization, client registration: "Advertising CIMD Support".
        doc["client_id_metadata_document_supported"] = true.into();
    }
    let quirks = &state.config.quirks;
    if let Some(members) = doc.as_object_mut() {
        if quirks.openid_discovery_only {
            // The member OpenID Connect Discovery 1.0 §3 requires besides `jwks_uri`.
            members.insert(
                "id_token_signing_alg_values_supported".into(),
                serde_json::json!(["ES256"]),
            );
        }
        if quirks.omit_code_challenge_methods {
            members.remove("code_challenge_methods_supported");
        }
        if quirks.iss_unadvertised {
            members.remove("authorization_response_iss_parameter_supported");
        }
        for (name, value) in &quirks.metadata_overrides {
            members.insert(name.clone(), value.clone().into());
        }
    }
    doc
}

/// `GET /.well-known/oauth-authorization-server` (and the OpenID Connect alias), at the root,
/// under a tenant prefix, or with the tenant path inserted after the well-known segment (§3.1);
/// under `quirks.openid_discovery_only`, the OpenID Connect URLs only; 503 during a metadata
/// outage.
pub(crate) async fn metadata(
    State(state): State<AppState>,
    tenant: Tenant,
    OriginalUri(uri): OriginalUri,
) -> Response {
    if state.metadata_outage.load(Ordering::Relaxed) {
        let body = "the authorization server's metadata is unavailable (an outage switched on \
                    through /_admin/metadata_outage)\n";
        return (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
    }
    if state.config.quirks.openid_discovery_only
        && uri
            .path()
            .contains("/.well-known/oauth-authorization-server")
    {
        return not_found(uri).await;
    }
    axum::Json(document(&state, tenant.as_deref())).into_response()
}

/// `GET {jwks}`.
pub(crate) async fn jwks(State(state): State<AppState>) -> Response {
    match &state.signer {
        Some(signer) => axum::Json(signer.jwks()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Any path that serves nothing: 404 naming the metadata document.
pub(crate) async fn not_found(uri: Uri) -> Response {
    let body = format!(
        "mock-provider serves nothing at {}; the endpoints are listed at /.well-known/oauth-authorization-server\n",
        uri.path()
    );
    (StatusCode::NOT_FOUND, body).into_response()
}
