//! What happens between a valid authorization request and its answer: pending login/consent
//! interactions (bounded in count and in bytes, as each holds a whole authorization request)
//! and browser sessions. Scripted answers are [`crate::decision`].

use std::time::{Duration, Instant};

use oauth_vocab::constant_time_eq;
use oauth_vocab::redact::SecretValues;

use crate::pkce::ChallengeMethod;
use crate::redirect::Callback;
use crate::store::Bounded;

/// A validated authorization request, waiting for the resource owner's decision.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizationRequest {
    pub(crate) client_id: String,
    pub(crate) tenant: Option<String>,
    pub(crate) redirect_uri: String,
    pub(crate) redirect_uri_sent: bool,
    pub(crate) state: Option<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) challenge: Option<(String, ChallengeMethod)>,
    pub(crate) extras: Vec<(String, String)>,
    /// The resources it names (RFC 8707), checked.
    pub(crate) resources: Vec<String>,
    /// The `iss` to send in the response (RFC 9207); `None` to send none.
    pub(crate) iss: Option<String>,
}

impl AuthorizationRequest {
    /// Where the answer to this request goes.
    pub(crate) fn callback(&self) -> Callback<'_> {
        Callback {
            redirect_uri: &self.redirect_uri,
            state: self.state.as_deref(),
            iss: self.iss.as_deref(),
        }
    }
}

/// A login/consent interaction in progress.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) request: AuthorizationRequest,
    /// Anti-CSRF token for the login and consent forms.
    pub(crate) csrf: String,
    /// The browser (its cookie) that first loaded the login page: the only one whose login form
    /// is accepted.
    pub(crate) browser: Option<String>,
}

impl Pending {
    /// About how many bytes it holds: the lengths of its strings, plus its own size.
    fn weight(&self) -> usize {
        let r = &self.request;
        let strings = [
            Some(&r.client_id),
            r.tenant.as_ref(),
            Some(&r.redirect_uri),
            r.state.as_ref(),
            r.iss.as_ref(),
            r.challenge.as_ref().map(|(c, _)| c),
            Some(&self.csrf),
            self.browser.as_ref(),
        ]
        .into_iter()
        .flatten()
        .chain(&r.scopes)
        .chain(&r.resources)
        .chain(r.extras.iter().flat_map(|(n, v)| [n, v]))
        .map(String::len)
        .fold(0, usize::saturating_add);
        strings.saturating_add(size_of::<Self>())
    }
}

const INTERACTION_TTL: Duration = Duration::from_secs(600);
const SESSION_TTL: Duration = Duration::from_secs(3600);

/// Pending interactions and logged-in browser sessions.
///
/// At most `limits.max_sessions` of each, and the pending interactions weigh at most
/// `limits.max_session_bytes` together: when either is reached the oldest go first.
#[derive(Debug)]
pub(crate) struct Interactions {
    pending: Bounded<Pending>,
    sessions: Bounded<String>,
}

impl Interactions {
    pub(crate) fn new(capacity: usize, pending_bytes: usize) -> Self {
        Self {
            pending: Bounded::with_byte_budget(capacity, pending_bytes),
            sessions: Bounded::new(capacity),
        }
    }

    pub(crate) fn start(&mut self, id: String, pending: Pending) {
        let weight = pending.weight();
        self.pending
            .insert_weighing(id, pending, weight, Instant::now() + INTERACTION_TTL);
    }

    pub(crate) fn pending(&self, id: &str) -> Option<&Pending> {
        self.pending.get(id)
    }

    /// Binds the interaction to the browser loading its login page, if none is bound yet;
    /// whether `browser` is the bound one. `true` for an unknown interaction (nothing to bind).
    pub(crate) fn bind_browser(&mut self, id: &str, browser: &str) -> bool {
        match self.pending.get_mut(id) {
            Some(pending) => match &pending.browser {
                Some(bound) => constant_time_eq(bound.as_bytes(), browser.as_bytes()),
                None => {
                    pending.browser = Some(browser.to_owned());
                    true
                }
            },
            None => true,
        }
    }

    pub(crate) fn finish(&mut self, id: &str) -> Option<Pending> {
        self.pending.remove(id)
    }

    pub(crate) fn log_in(&mut self, session: String, username: String) {
        self.sessions
            .insert(session, username, Instant::now() + SESSION_TTL);
    }

    pub(crate) fn user_of(&self, session: &str) -> Option<&str> {
        self.sessions.get(session).map(String::as_str)
    }

    /// Adds the CSRF tokens of pending interactions and the browser session ids to `secrets`.
    pub(crate) fn collect_secrets(&self, secrets: &mut SecretValues) {
        for (_, pending) in self.pending.iter() {
            secrets.add(&pending.csrf);
            if let Some(browser) = &pending.browser {
                secrets.add(browser);
            }
        }
        for (session, _) in self.sessions.iter() {
            secrets.add(session);
        }
    }
}
