//! Token introspection ([RFC 7662](https://www.rfc-editor.org/rfc/rfc7662)).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::client_auth::authenticated_client;
use crate::endpoints::FormBody;
use crate::error::OAuthError;
use crate::response::noted;
use crate::state::{AppState, lock};
use crate::store::{TokenKind, TokenState};

/// `POST {introspect}`: the caller authenticates as a client; inactive tokens of any kind get
/// exactly `{"active":false}` (§2.2).
pub(crate) async fn handle(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    form: Result<FormBody, OAuthError>,
) -> Response {
    let result = (|| -> Result<_, OAuthError> {
        let FormBody(form) = form?;
        let client = authenticated_client(&state, &headers, &form)?;
        if client.is_public() {
            // A public client id is no secret: accepting it would allow token scanning (§2.1).
            return Err(OAuthError::invalid_client(
                "introspection requires client authentication; a public client has none",
            )
            .with_finding(oauth_vocab::Finding::ClientAuthPublicClientAtIntrospection));
        }
        let token = form.required("token")?;
        let stores = lock(&state.stores);
        let body = match stores.token_state(token) {
            (Some(r), TokenState::Active) => serde_json::json!({
                "active": true,
                "scope": r.scopes.join(" "),
                "client_id": r.client_id,
                "sub": r.subject,
                "exp": r.expires_at_unix,
                "iat": r.issued_at_unix,
                "iss": state.issuer(r.tenant.as_deref()),
                "token_type": match r.kind { TokenKind::Access => "Bearer", TokenKind::Refresh => "refresh_token" },
            }),
            _ => serde_json::json!({ "active": false }),
        };
        Ok((client.client_id, body))
    })();
    match result {
        Ok((client_id, body)) => noted(
            (StatusCode::OK, axum::Json(body)).into_response(),
            Some(&client_id),
            Vec::new(),
        ),
        Err(error) => error.into_response(),
    }
}
