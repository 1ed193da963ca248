//! Cutting a journal entry down to size before it is stored, and accounting what it holds.
//!
//! Every value longer than [`VALUE_LIMIT`] (a header, a parameter, a body, the path) is cut at
//! a character boundary and ends with a visible marker, `…[truncated from N bytes]`; parameters
//! and headers past [`PAIRS_LIMIT`] bytes in one list are left out. An entry so cut has
//! [`JournalEntry::truncated`] set. [`size`] is what the journal's byte budget counts.

use std::mem::size_of;

use oauth_vocab::Observation;

use crate::attribution::FlowTie;
use crate::journal::JournalEntry;

/// The longest value kept whole, in bytes.
pub(crate) const VALUE_LIMIT: usize = 8 * 1024;

/// The most bytes of names and values kept from one list of parameters or headers.
pub(crate) const PAIRS_LIMIT: usize = 32 * 1024;

/// What a string costs besides its bytes.
const STRING_OVERHEAD: usize = size_of::<String>();

/// Cuts `entry` to size, setting [`JournalEntry::truncated`] when anything was cut.
pub(crate) fn truncate(entry: &mut JournalEntry) {
    let mut cut = false;
    for value in [&mut entry.method, &mut entry.path, &mut entry.response.body] {
        cut |= truncate_value(value);
    }
    for value in [&mut entry.tenant, &mut entry.client_id, &mut entry.body]
        .into_iter()
        .flatten()
    {
        cut |= truncate_value(value);
    }
    for pairs in [
        &mut entry.query,
        &mut entry.form,
        &mut entry.headers,
        &mut entry.response.headers,
    ] {
        cut |= truncate_pairs(pairs);
    }
    for observation in &mut entry.findings {
        cut |= truncate_observation(observation);
    }
    for flow in &mut entry.flows {
        for value in [
            Some(&mut flow.client_id),
            flow.state.as_mut(),
            Some(&mut flow.code),
        ]
        .into_iter()
        .flatten()
        {
            cut |= truncate_value(value);
        }
    }
    entry.truncated |= cut;
}

/// Cuts a value longer than [`VALUE_LIMIT`] and marks it; whether it did.
pub(crate) fn truncate_value(value: &mut String) -> bool {
    if value.len() <= VALUE_LIMIT {
        return false;
    }
    let original = value.len();
    mark(value, original);
    true
}

/// `bytes` as text (lossy UTF-8), cut and marked past [`VALUE_LIMIT`] without converting the
/// rest; and whether it was cut.
pub(crate) fn lossy(bytes: &[u8]) -> (String, bool) {
    let Some(head) = bytes
        .get(..VALUE_LIMIT)
        .filter(|_| bytes.len() > VALUE_LIMIT)
    else {
        let mut value = String::from_utf8_lossy(bytes).into_owned();
        let cut = truncate_value(&mut value);
        return (value, cut);
    };
    let mut value = String::from_utf8_lossy(head).into_owned();
    mark(&mut value, bytes.len());
    (value, true)
}

/// Cuts `value` at a character boundary so that with the marker naming its `original` length
/// it holds at most [`VALUE_LIMIT`] bytes.
fn mark(value: &mut String, original: usize) {
    let marker = format!("…[truncated from {original} bytes]");
    let mut end = VALUE_LIMIT.saturating_sub(marker.len()).min(value.len());
    while !value.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    value.truncate(end);
    value.push_str(&marker);
    value.shrink_to_fit();
}

/// Cuts each pair's name and value, and leaves out the pairs past [`PAIRS_LIMIT`].
fn truncate_pairs(pairs: &mut Vec<(String, String)>) -> bool {
    let mut cut = false;
    let mut spent = 0_usize;
    let mut kept = pairs.len();
    for (i, (name, value)) in pairs.iter_mut().enumerate() {
        cut |= truncate_value(name);
        cut |= truncate_value(value);
        spent = spent.saturating_add(name.len().saturating_add(value.len()));
        if spent > PAIRS_LIMIT {
            kept = i;
            break;
        }
    }
    if kept < pairs.len() {
        pairs.truncate(kept);
        pairs.shrink_to_fit();
        cut = true;
    }
    cut
}

fn truncate_observation(observation: &mut Observation) -> bool {
    match observation {
        Observation::Finding {
            detail, tolerated, ..
        } => [detail.as_mut(), tolerated.as_mut()]
            .into_iter()
            .flatten()
            .fold(false, |cut, value| truncate_value(value) | cut),
        Observation::Error { description, .. } => truncate_value(description),
    }
}

/// About how many bytes of memory `entry` holds: its own size and every string's.
pub(crate) fn size(entry: &JournalEntry) -> usize {
    let strings = [&entry.method, &entry.path, &entry.response.body]
        .into_iter()
        .chain(
            [&entry.route, &entry.tenant, &entry.client_id, &entry.body]
                .into_iter()
                .flatten(),
        )
        .map(string_size)
        .fold(0, usize::saturating_add);
    let pairs = [
        &entry.query,
        &entry.form,
        &entry.headers,
        &entry.response.headers,
    ]
    .into_iter()
    .flatten()
    .map(|(name, value)| string_size(name).saturating_add(string_size(value)))
    .fold(0, usize::saturating_add);
    let findings = entry
        .findings
        .iter()
        .map(observation_size)
        .fold(0, usize::saturating_add);
    let flows = entry
        .flows
        .iter()
        .map(flow_size)
        .fold(0, usize::saturating_add);
    [size_of::<JournalEntry>(), strings, pairs, findings, flows]
        .into_iter()
        .fold(0, usize::saturating_add)
}

fn string_size(value: &String) -> usize {
    value.capacity().saturating_add(STRING_OVERHEAD)
}

fn observation_size(observation: &Observation) -> usize {
    let strings = match observation {
        Observation::Finding {
            detail, tolerated, ..
        } => [detail, tolerated]
            .into_iter()
            .flatten()
            .map(string_size)
            .fold(0, usize::saturating_add),
        Observation::Error { description, .. } => string_size(description),
    };
    size_of::<Observation>().saturating_add(strings)
}

fn flow_size(flow: &FlowTie) -> usize {
    [Some(&flow.client_id), flow.state.as_ref(), Some(&flow.code)]
        .into_iter()
        .flatten()
        .map(string_size)
        .fold(size_of::<FlowTie>(), usize::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_value_is_cut_at_a_character_boundary_and_marked() {
        let mut value = "é".repeat(VALUE_LIMIT);
        assert!(truncate_value(&mut value));
        assert!(value.ends_with(&format!("…[truncated from {} bytes]", 2 * VALUE_LIMIT)));
        assert!(value.len() <= VALUE_LIMIT);
        assert!(!truncate_value(&mut value), "a cut value is not cut again");
        let mut short = "short".to_owned();
        assert!(!truncate_value(&mut short));
        assert_eq!(short, "short");
    }

    #[test]
    fn long_bytes_are_cut_before_they_are_converted() {
        let (value, cut) = lossy(&[0xff; 4 * VALUE_LIMIT]);
        assert!(cut);
        assert!(value.len() <= VALUE_LIMIT);
        assert!(value.ends_with(&format!("…[truncated from {} bytes]", 4 * VALUE_LIMIT)));
        assert_eq!(lossy(b"short"), ("short".to_owned(), false));
    }

    #[test]
    fn pairs_past_the_list_budget_are_left_out() {
        let mut pairs: Vec<(String, String)> = (0..100)
            .map(|i| (format!("h{i}"), "v".repeat(4 * 1024)))
            .collect();
        assert!(truncate_pairs(&mut pairs));
        assert!(pairs.len() < 10, "{}", pairs.len());
        assert_eq!(pairs[0].0, "h0", "the first ones are kept");
    }
}
