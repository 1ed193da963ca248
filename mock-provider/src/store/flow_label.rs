//! The compact label the stores keep for a flow's `state`: the state itself when short, else a
//! prefix, its length and a hash, so that a flood of long-state requests cannot make every
//! code and token record hold kilobytes. Faults and decisions scripted for a state match by
//! label on both sides, so they still find a flow started with a long state.

use std::borrow::Cow;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// The longest state kept whole.
pub(crate) const MAX_WHOLE: usize = 256;

/// How many bytes of a longer state its label keeps (cut back to a char boundary).
const PREFIX: usize = 64;

/// What the stores keep for `state`: `state` itself when at most [`MAX_WHOLE`] bytes, else its
/// first 64 bytes followed by `…[N bytes, sha256 XXXXXXXXXXXXXXXX]` (the first 16 hex digits
/// of the SHA-256 of the whole state). Deterministic and idempotent: a label is short, so it is
/// its own label.
pub(crate) fn flow_label(state: &str) -> Cow<'_, str> {
    if state.len() <= MAX_WHOLE {
        return Cow::Borrowed(state);
    }
    let mut cut = PREFIX;
    while !state.is_char_boundary(cut) {
        cut -= 1;
    }
    let digest = Sha256::digest(state.as_bytes());
    let mut label = String::with_capacity(cut + 48);
    label.push_str(&state[..cut]);
    let _ = write!(label, "…[{} bytes, sha256 ", state.len());
    for byte in &digest[..8] {
        let _ = write!(label, "{byte:02x}");
    }
    label.push(']');
    Cow::Owned(label)
}

/// [`flow_label`] of an owned state, reusing it when it is short.
pub(crate) fn into_label(state: String) -> String {
    match flow_label(&state) {
        Cow::Borrowed(_) => state,
        Cow::Owned(label) => label,
    }
}

/// Whether two states name the same flow as the stores see it (equal labels).
pub(crate) fn same_flow(a: &str, b: &str) -> bool {
    a == b || flow_label(a) == flow_label(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_state_is_kept_whole() {
        assert_eq!(flow_label("conformance"), "conformance");
        let edge = "s".repeat(MAX_WHOLE);
        assert_eq!(flow_label(&edge), edge);
        assert!(matches!(flow_label(&edge), Cow::Borrowed(_)));
    }

    #[test]
    fn a_long_state_is_cut_and_hashed() {
        let state = "x".repeat(40 * 1024);
        let label = flow_label(&state);
        let digest = Sha256::digest(state.as_bytes());
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            label,
            format!("{}…[{} bytes, sha256 {hex}]", "x".repeat(64), 40 * 1024)
        );
        assert!(label.len() < MAX_WHOLE);
        assert_eq!(flow_label(&state), label, "deterministic");
    }

    #[test]
    fn the_label_is_idempotent() {
        for state in ["", "short", &"y".repeat(MAX_WHOLE + 1), &"é".repeat(10_000)] {
            let once = flow_label(state).into_owned();
            assert_eq!(flow_label(&once), once);
        }
    }

    #[test]
    fn the_cut_falls_on_a_char_boundary() {
        // 'é' is two bytes: byte 64 is a boundary, but with one ASCII byte first it is not.
        let state = format!("a{}", "é".repeat(200));
        let label = flow_label(&state);
        assert!(
            label.starts_with(&format!("a{}…[", "é".repeat(31))),
            "{label}"
        );
    }

    #[test]
    fn long_states_differing_only_at_the_end_get_different_labels() {
        let a = format!("{}A", "z".repeat(1000));
        let b = format!("{}B", "z".repeat(1000));
        assert_ne!(flow_label(&a), flow_label(&b));
        assert!(!same_flow(&a, &b));
        assert!(same_flow(&a, &flow_label(&a)));
    }
}
