//! [`Handoff`]: how a flow passed from one user to another in an account-linking attack — a
//! callback delivered in another user's browser, an authorization URL or a chat login link
//! opened by another user — and what a platform that then accepted the callback or linked the
//! wrong session did wrong, in words a platform developer can act on.

/// One user's flow reaching another user's browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handoff {
    /// `to`'s browser delivered the callback of the flow `from`'s browser started.
    Callback {
        /// Whose flow it was.
        from: String,
        /// Whose browser delivered it.
        to: String,
    },
    /// `to`'s browser went to the authorization URL `from`'s browser was sent to.
    AuthorizationLink {
        /// Whose browser the platform sent there.
        from: String,
        /// Whose browser went there instead.
        to: String,
    },
    /// `to`'s browser opened the login link `from`'s chat was given.
    LoginLink {
        /// Whose chat was given the link.
        from: String,
        /// Whose browser opened it.
        to: String,
    },
}

impl Handoff {
    /// Why the platform linked `linked`'s session to `identity`'s provider account, when this
    /// handoff explains it.
    pub fn explain(&self, linked: &str, identity: &str) -> Option<String> {
        let wrong =
            format!("the platform linked {linked}'s session to {identity}'s provider account");
        match self {
            Self::Callback { from, to } if to == linked && from == identity => Some(format!(
                "{wrong}: it accepted, in {linked}'s browser, a callback whose state it had \
                 issued to {identity}'s browser, and stored the token for the session of the \
                 browser the callback arrived in. Bind the state to the browser that started \
                 the flow, refuse it in any other, and link only the session the state was \
                 issued for (RFC 6749 §10.12, RFC 9700 §4.7.1)"
            )),
            Self::AuthorizationLink { from, to } if from == linked && to == identity => {
                Some(format!(
                    "{wrong}: {identity}'s browser completed the authorization request \
                     {linked}'s browser had been sent to, and the platform accepted the \
                     callback in a browser other than the one its state was issued to. Bind \
                     the state to the browser that started the flow and refuse it in any \
                     other (RFC 6749 §10.12, RFC 9700 §4.7.1)"
                ))
            }
            Self::LoginLink { from, to } if from == linked && to == identity => Some(format!(
                "{wrong}: {identity} opened the login link {linked}'s chat was given and \
                 logged in as {identity}, and the platform linked {linked}'s chat on the \
                 callback alone, although nothing tied the browser that logged in to that \
                 chat. Have the chat user confirm before linking: show a code on the callback \
                 page that must come back in the same chat, or name the identity and ask the \
                 chat user to confirm it (RFC 6749 §10.12; RFC 8628 §5.4 asks the same of the \
                 device flow)"
            )),
            _ => None,
        }
    }
}

impl Handoff {
    /// Why the callback in `user`'s browser had to be refused, when this handoff put a flow
    /// started in another browser into `user`'s hands.
    pub fn refusal_cause(&self, user: &str) -> Option<String> {
        let bind = "bind the state to the browser that started the flow and refuse it in any \
                    other (RFC 6749 §10.12, RFC 9700 §4.7.1)";
        match self {
            Self::Callback { from, to } if to == user => Some(format!(
                "the platform did not refuse {user}'s browser delivering the callback of a flow \
                 {from}'s browser started: {bind}"
            )),
            Self::AuthorizationLink { from, to } if to == user => Some(format!(
                "the platform did not refuse the callback of the authorization request \
                 {from}'s browser had been sent to, completed in {user}'s browser: {bind}"
            )),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handoff(kind: fn(String, String) -> Handoff) -> Handoff {
        kind("alice".into(), "mallory".into())
    }

    #[test]
    fn each_handoff_names_its_cause_only_for_the_session_it_could_have_linked() {
        let callback = handoff(|from, to| Handoff::Callback { from, to });
        let why = callback.explain("mallory", "alice").unwrap();
        assert!(why.starts_with(
            "the platform linked mallory's session to alice's provider account: it accepted, \
             in mallory's browser"
        ));
        assert!(why.contains("browser the callback arrived in"));
        assert_eq!(callback.explain("alice", "mallory"), None);

        let authorization = handoff(|from, to| Handoff::AuthorizationLink { from, to });
        let why = authorization.explain("alice", "mallory").unwrap();
        assert!(why.contains("mallory's browser completed the authorization request"));
        assert_eq!(authorization.explain("mallory", "alice"), None);

        let login = handoff(|from, to| Handoff::LoginLink { from, to });
        let why = login.explain("alice", "mallory").unwrap();
        assert!(why.contains("mallory opened the login link alice's chat was given"));
        assert!(why.contains("confirm"));
        assert_eq!(login.explain("mallory", "alice"), None);
    }

    #[test]
    fn a_flow_started_in_another_browser_names_why_its_callback_had_to_be_refused() {
        let callback = handoff(|from, to| Handoff::Callback { from, to });
        let why = callback.refusal_cause("mallory").unwrap();
        assert!(why.contains("mallory's browser delivering the callback of a flow alice's"));
        assert_eq!(callback.refusal_cause("alice"), None);
        let authorization = handoff(|from, to| Handoff::AuthorizationLink { from, to });
        assert!(authorization.refusal_cause("mallory").is_some());
        // A login link opened elsewhere starts the flow in that browser: nothing to refuse.
        let login = handoff(|from, to| Handoff::LoginLink { from, to });
        assert_eq!(login.refusal_cause("mallory"), None);
    }
}
