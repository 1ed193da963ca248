//! Token revocation ([RFC 7009](https://www.rfc-editor.org/rfc/rfc7009)).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::client_auth::authenticated_client;
use crate::endpoints::FormBody;
use crate::error::{ErrorCode, OAuthError};
use crate::response::noted;
use crate::state::{AppState, lock};
use crate::store::TokenKind;
use oauth_vocab::Finding;

/// `POST {revoke}`: 200 for unknown and already revoked tokens (§2.2); revoking a refresh token
/// also revokes the access tokens issued with it (§2.1).
pub(crate) async fn handle(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    form: Result<FormBody, OAuthError>,
) -> Response {
    let mut client_id = None;
    let result = (|| -> Result<_, OAuthError> {
        let FormBody(form) = form?;
        client_id = form.get("client_id").ok().flatten().map(str::to_owned);
        let client = authenticated_client(&state, &headers, &form)?;
        client_id = Some(client.client_id.clone());
        let token = form.required("token")?;
        match form.get("token_type_hint")? {
            None | Some("access_token" | "refresh_token") => {}
            Some(other) => {
                return Err(OAuthError::new(
                    ErrorCode::UnsupportedTokenType,
                    format!("token_type_hint {other:?} is not supported"),
                ));
            }
        }
        let mut stores = lock(&state.stores);
        let (record, _) = stores.token_state(token);
        let finding = match record.map(|r| (r.kind, r.family, r.client_id == client.client_id)) {
            None => Finding::RevokeUnknownToken,
            Some((_, _, false)) => Finding::RevokeOtherClientsToken,
            Some((TokenKind::Refresh, family, true)) => {
                stores.revoke_family(family);
                Finding::RevokeRefreshTokenAndItsAccessTokens
            }
            Some((TokenKind::Access, _, true)) => {
                stores.revoke_token(token);
                Finding::RevokeAccessToken
            }
        };
        Ok(finding)
    })();
    match result {
        Ok(finding) => noted(
            StatusCode::OK.into_response(),
            client_id.as_deref(),
            vec![finding.into()],
        ),
        Err(error) => noted(error.into_response(), client_id.as_deref(), Vec::new()),
    }
}
