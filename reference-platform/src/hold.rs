//! [`Hold`]: a chat link waiting for its chat user's confirmation (see `confirm`) — the chat
//! session that asked for it, the holding session the callback completed under, and the
//! six-digit code the browser was shown.

use rand::TryRngCore as _;
use rand::rngs::OsRng;

use crate::flow::{self, RandomUnavailable};
use oauth_vocab::Secret;

/// How many digits a confirmation code has.
const CODE_DIGITS: usize = 6;

/// A link waiting for its chat user's confirmation.
#[derive(Debug)]
pub(crate) struct Hold {
    /// The chat session that asked for the link, the only one that can confirm it.
    pub(crate) chat_session: String,
    /// Where the callback completes meanwhile: unguessable, never shown.
    pub(crate) holding: String,
    /// What the chat user sends back.
    pub(crate) code: Secret,
}

impl Hold {
    /// A fresh hold for chat session `chat_session`.
    pub(crate) fn new(chat_session: &str) -> Result<Self, RandomUnavailable> {
        Ok(Self {
            chat_session: chat_session.to_owned(),
            holding: format!("held:{}", flow::random_token()?),
            code: new_code()?,
        })
    }
}

/// Whether a chat text has the shape of a confirmation code.
pub(crate) fn is_code(text: &str) -> bool {
    text.len() == CODE_DIGITS && text.bytes().all(|b| b.is_ascii_digit())
}

/// Six uniformly random digits from the OS generator.
fn new_code() -> Result<Secret, RandomUnavailable> {
    const RANGE: u32 = 1_000_000;
    // The largest multiple of RANGE that fits, so that every code is equally likely.
    const LIMIT: u32 = u32::MAX - u32::MAX % RANGE;
    loop {
        let mut bytes = [0u8; 4];
        OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|_| RandomUnavailable)?;
        let n = u32::from_le_bytes(bytes);
        if n < LIMIT {
            return Ok(Secret::new(format!(
                "{:0width$}",
                n % RANGE,
                width = CODE_DIGITS
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_fresh() {
        let codes: std::collections::HashSet<String> = (0..50)
            .map(|_| new_code().unwrap().expose().to_owned())
            .collect();
        assert!(codes.len() > 45, "codes repeat: {codes:?}");
        assert!(codes.iter().all(|c| is_code(c)));
    }

    #[test]
    fn only_six_digits_are_taken_for_a_code() {
        assert!(is_code("012345"));
        assert!(!is_code("12345"));
        assert!(!is_code("1234567"));
        assert!(!is_code("12345a"));
        assert!(!is_code("who am I?"));
    }

    #[test]
    fn holding_sessions_are_unguessable_and_distinct() {
        let a = Hold::new("chat").unwrap();
        let b = Hold::new("chat").unwrap();
        assert_ne!(a.holding, b.holding);
        assert!(a.holding.len() > 40);
        assert_eq!(a.chat_session, "chat");
    }
}
