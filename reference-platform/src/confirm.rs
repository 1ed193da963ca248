//! The chat channel's link confirmation. A chat button's login link works for whoever opens
//! it: an attacker can ask for one in their own chat and get a victim to open it and log in at
//! the provider as themselves, and a platform that links on the callback alone hands the
//! victim's account to the attacker's chat (link phishing). The state cannot stop this — the
//! flow really runs in the victim's browser — because the chat user is known only in the chat.
//!
//! So a flow started from a chat button completes under a [`Hold`]'s holding session that
//! nobody can name, and the callback page shows the hold's six-digit code. The link is made —
//! everything held moves to the chat session — only when that code comes back in the chat that
//! asked for the link, as Bot Framework's "magic code" does; one wrong code drops the hold.
//! [RFC 6749 §10.12] binds the callback to the user's authenticated state, which in a chat
//! channel is the chat; [RFC 8628 §5.4] asks the same confirmation of a flow whose link
//! travels the same way.
//!
//! Tokens, events or codes held for a hold that expires unclaimed stay under its holding
//! session, which no request can name, until their own store forgets them.
//!
//! [RFC 6749 §10.12]: https://www.rfc-editor.org/rfc/rfc6749#section-10.12
//! [RFC 8628 §5.4]: https://www.rfc-editor.org/rfc/rfc8628#section-5.4

use crate::defects::Defect;
use crate::flow::{Channel, PendingFlow, RandomUnavailable};
use crate::hold::{Hold, is_code};
use crate::session::lock;
use crate::state::AppState;
use oauth_vocab::constant_time_eq;

/// What a chat turn did to a pending confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// The code matched: the chat session is linked.
    Linked,
    /// Another code: the hold is dropped and nothing is linked.
    Mismatch,
    /// A code in a chat that has no link waiting: nothing to confirm, nothing linked (the
    /// code was shown for another chat's flow, or this chat's hold is gone).
    NothingWaiting,
}

impl Claim {
    /// What the chat answers.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::Linked => "Account linked. You can use it in this chat now.",
            Self::Mismatch => {
                "Linking failed: this is not the code the browser showed. Start linking again."
            }
            Self::NothingWaiting => {
                "Linking failed: no link is waiting for a code in this chat. Start linking again."
            }
        }
    }
}

/// The hold for a flow whose link the chat user must confirm (one started from a chat button),
/// or `None` when the callback may link at once.
pub(crate) fn prepare(
    state: &AppState,
    flow: &PendingFlow,
) -> Result<Option<Hold>, RandomUnavailable> {
    if flow.channel != Channel::Chat || state.config.defects.has(Defect::NoLinkConfirmation) {
        return Ok(None);
    }
    Hold::new(&flow.session).map(Some)
}

/// Keeps `hold` until its chat user answers (dropping an older one of the same chat), and
/// returns the code to show in the browser.
pub(crate) fn register(state: &AppState, hold: Hold) -> String {
    let code = hold.code.expose().to_owned();
    let replaced = {
        let mut holds = lock(&state.confirmations);
        let replaced = holds.remove(&hold.chat_session);
        holds.insert(hold.chat_session.clone(), hold);
        replaced
    };
    if let Some(replaced) = replaced {
        release(state, &replaced.holding);
    }
    code
}

/// A chat turn of session `sid` saying `text`: when `sid` has a pending confirmation and the
/// text is a code, the hold is used up — linked when the code matches, dropped when not; a code
/// in a chat with nothing waiting is refused as such. `None`: the turn is not a code.
pub(crate) fn claim(state: &AppState, sid: &str, text: &str) -> Option<Claim> {
    let text = text.trim();
    if !is_code(text) {
        return None;
    }
    let Some(hold) = lock(&state.confirmations).remove(sid) else {
        return Some(Claim::NothingWaiting);
    };
    if constant_time_eq(hold.code.expose().as_bytes(), text.as_bytes()) {
        state.sessions.adopt(&hold.holding, sid);
        state.shaped.adopt(&hold.holding, sid);
        tracing::info!(session = %sid, "link confirmed in the chat");
        Some(Claim::Linked)
    } else {
        release(state, &hold.holding);
        tracing::warn!(session = %sid, "wrong confirmation code: the link is dropped");
        Some(Claim::Mismatch)
    }
}

/// Forgets everything held under `holding`.
fn release(state: &AppState, holding: &str) {
    state.sessions.take(holding);
    state.shaped.forget(holding);
}
