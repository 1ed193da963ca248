//! What a callback comes to: [`Completed`] (a session linked, or its code kept for a later
//! step) or [`Failed`] with the [`Refusal`] shown to the user. The callback builds them; the
//! shapes' hooks read them.

use crate::params::Repeated;
use crate::token_client::TokenError;
use oauth_vocab::Secret;

/// Why a callback was refused; the text is shown to the user and names no secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    /// A parameter appears twice ([RFC 6749 §3.1]).
    ///
    /// [RFC 6749 §3.1]: https://www.rfc-editor.org/rfc/rfc6749#section-3.1
    #[error(transparent)]
    Repeated(#[from] Repeated),
    /// No `state`.
    #[error("the response carries no state")]
    MissingState,
    /// A `state` the platform did not issue, or issued and already used, or expired.
    #[error("unknown, expired or already used state")]
    UnknownState,
    /// The flow was started in another browser.
    #[error("this link was started in another browser")]
    WrongBrowser,
    /// No `iss` although the metadata promises it.
    #[error("the response does not name its issuer (iss)")]
    MissingIssuer,
    /// `iss` names another issuer (a mix-up attack).
    #[error("the response comes from another issuer")]
    WrongIssuer,
    /// The provider answered with an error.
    #[error("the provider answered {0}")]
    ProviderError(String),
    /// No `code`.
    #[error("the response carries no code")]
    MissingCode,
    /// The code exchange failed.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The operating system's random generator failed (no confirmation code could be made).
    #[error("linking is not available right now, please try again later")]
    Unavailable,
}

/// A callback that linked a session (or whose code the shape kept for a later step).
pub(crate) struct Completed {
    /// The session linked.
    pub(crate) session: String,
    /// The access token obtained, if the code was exchanged.
    pub(crate) access_token: Option<Secret>,
    /// The shape kept the code for a later step ([`CodeUse::Kept`](crate::hooks::CodeUse::Kept)); it was not exchanged.
    pub(crate) code_kept: bool,
    /// The code the chat user must send back in the chat before the link is made (a flow
    /// started from a chat button, see `confirm`); `session` is then the holding session.
    pub(crate) confirmation: Option<String>,
}

/// A refused callback, with the session of its flow once the flow was found.
pub(crate) struct Failed {
    pub(crate) session: Option<String>,
    pub(crate) refusal: Refusal,
}

impl<E: Into<Refusal>> From<E> for Failed {
    fn from(refusal: E) -> Self {
        Self {
            session: None,
            refusal: refusal.into(),
        }
    }
}

impl Refusal {
    /// What a bot is told: the provider's error code, or why the platform refused.
    pub(crate) fn cause(&self) -> String {
        match self {
            Self::ProviderError(error) => error.clone(),
            Self::Token(TokenError::Rejected {
                error: Some(error), ..
            }) => error.clone(),
            other => other.to_string(),
        }
    }
}
