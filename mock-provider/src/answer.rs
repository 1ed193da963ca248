//! The answer to an authorization request once it is decided
//! ([RFC 6749 §4.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2), §4.1.2.1): the
//! redirect URI carrying a fresh code, or the error, for the authorization endpoint and the
//! consent page alike.

use crate::code;
use crate::decision::Decision;
use crate::error::OAuthError;
use crate::interaction::AuthorizationRequest;
use crate::redirect::Callback;
use crate::state::AppState;

/// Applies a decision: issues a code, or denies. Returns the redirect URI.
pub(crate) fn decide(
    state: &AppState,
    request: AuthorizationRequest,
    decision: Decision,
) -> String {
    match decision {
        Decision::Approve { user, scopes } => {
            let subject = state
                .user(&user)
                .map_or(user.clone(), |u| u.sub().to_owned());
            let scopes = scopes.unwrap_or_else(|| request.scopes.clone());
            let code = code::issue(state, &request, subject, scopes);
            request.callback().with_code(&code)
        }
        Decision::Deny { error, description } => {
            let description =
                description.unwrap_or_else(|| "the resource owner denied the request".into());
            error_uri(
                state,
                request.callback(),
                &OAuthError::new(error, description),
            )
        }
    }
}

/// The error response URI (§4.1.2.1), under the `state_dropped_on_error` quirk.
pub(crate) fn error_uri(state: &AppState, callback: Callback<'_>, error: &OAuthError) -> String {
    callback.with_error(error, state.config.quirks.state_dropped_on_error)
}
