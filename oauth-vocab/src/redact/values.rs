//! Redaction by value: the secrets known to a writer (registered client secrets, passwords,
//! issued codes and tokens, the values of secret-named parameters wherever they were seen) are
//! masked wherever they occur in a text, whatever its content type or the header it came in.
//! Redaction by name alone misses a secret sent as `text/plain`, as multipart, as broken JSON
//! or in an unusual header.

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::{SECRET_NAMES, mask};
use crate::{basic, form_decode, form_encode};

/// Values shorter than this are masked only where their name marks them as secret: replacing a
/// short value everywhere would mangle unrelated text.
pub const MIN_VALUE_LEN: usize = 6;

/// How far after a multipart part's name its headers may run.
const MAX_PART_HEADERS: usize = 512;

/// The secret values a writer knows, collected before anything is written out.
#[derive(Default, Clone)]
pub struct SecretValues {
    values: BTreeSet<String>,
}

impl std::fmt::Debug for SecretValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretValues")
            .field("len", &self.values.len())
            .finish_non_exhaustive()
    }
}

impl SecretValues {
    /// No value yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a secret value (ignored when shorter than [`MIN_VALUE_LEN`]), and its form-decoded
    /// form when that differs.
    pub fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.len() >= MIN_VALUE_LEN {
            if let Some(decoded) = form_decode(value).filter(|d| d != value) {
                self.add(&decoded);
            }
            self.values.insert(value.to_owned());
        }
    }

    /// Adds the values that follow a secret name anywhere in `text`: `code=…` in a form or a
    /// URL, `"client_secret": "…"` in JSON (even broken), `name="code_verifier"` and its value
    /// in a multipart body, `name="csrf" value="…"` in an HTML form.
    pub fn add_from_text(&mut self, text: &str) {
        for name in SECRET_NAMES {
            for (at, _) in text.match_indices(name) {
                let before = text[..at].chars().next_back();
                let after = &text[at + name.len()..];
                if before.is_some_and(is_name_char)
                    || after.chars().next().is_some_and(is_name_char)
                {
                    continue;
                }
                if let Some(value) = value_after_name(after) {
                    self.add(value);
                }
            }
        }
    }

    /// Adds the secrets a header carries: the credentials of `Authorization` and
    /// `Proxy-Authorization` (and the secret inside HTTP Basic), the values of cookies, and the
    /// whole value of any other secret header ([`super::is_secret_header`]).
    pub fn add_from_header(&mut self, name: &str, value: &str) {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "authorization" | "proxy-authorization" => {
                let credentials = value.split_once(' ').map_or(value, |(_, c)| c);
                self.add(credentials);
                if let Ok((_, secret)) = basic::decode(value.as_bytes()) {
                    self.add(&secret);
                }
                if let Ok(raw) = basic::decode_unencoded(value.as_bytes())
                    && let Some((_, secret)) = raw.split_once(':')
                {
                    self.add(secret);
                }
            }
            "cookie" | "set-cookie" => {
                let cookies = if lower == "cookie" {
                    value.split(';').collect::<Vec<_>>()
                } else {
                    value.split(';').take(1).collect()
                };
                for cookie in cookies {
                    if let Some((_, v)) = cookie.split_once('=') {
                        self.add(v);
                    }
                }
            }
            _ if super::is_secret_header(name) => self.add(value),
            _ => {}
        }
    }

    /// How many values are known.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no value is known.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The redactor that masks every known value.
    pub fn redactor(&self) -> Redactor {
        Redactor::new(&self.values)
    }
}

/// Masks every occurrence of known secret values in a text, in one pass. Each value becomes
/// [`mask`] of itself, its form-urlencoded spelling the same mask, so that equal values can
/// still be matched.
pub struct Redactor {
    automaton: Option<AhoCorasick>,
    masks: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("patterns", &self.masks.len())
            .finish_non_exhaustive()
    }
}

impl Redactor {
    fn new(values: &BTreeSet<String>) -> Self {
        let mut patterns = Vec::new();
        let mut masks = Vec::new();
        for value in values {
            let masked = mask(value);
            let encoded = form_encode(value);
            if encoded != *value {
                patterns.push(encoded);
                masks.push(masked.clone());
            }
            patterns.push(value.clone());
            masks.push(masked);
        }
        let automaton = (!patterns.is_empty())
            .then(|| {
                // A contiguous NFA builds in time linear in the patterns; a DFA's build grows
                // far faster with thousands of values (a journal full of hostile requests).
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        Self { automaton, masks }
    }

    /// `text` with every known secret value masked.
    pub fn redact(&self, text: &str) -> String {
        match &self.automaton {
            Some(automaton) => {
                let mut out = String::with_capacity(text.len());
                automaton.replace_all_with(text, &mut out, |m, _, out| {
                    out.push_str(&self.masks[m.pattern().as_usize()]);
                    true
                });
                out
            }
            None => text.to_owned(),
        }
    }
}

/// Whether `c` may be part of a parameter name (so that `code` inside `authorization_code` or
/// `code_challenge` is not taken for the name `code`).
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The value that follows a secret name, when a separator shows it is one: `=`, `:`, a blank
/// line (multipart) or ` value=` (an HTML input).
fn value_after_name(after: &str) -> Option<&str> {
    let rest = after.trim_start_matches(['"', '\'', '\\']);
    let rest = if let Some(r) = rest.strip_prefix(['=', ':']) {
        r
    } else if rest.starts_with(['\r', '\n', ';']) {
        // A multipart part: its value is the line after the blank line that ends its headers.
        let headers = &rest[..rest.len().min(MAX_PART_HEADERS)];
        let (at, blank) = ["\r\n\r\n", "\n\n"]
            .iter()
            .filter_map(|blank| headers.find(blank).map(|at| (at, blank.len())))
            .min()?;
        return Some(rest[at + blank..].lines().next().unwrap_or(""));
    } else {
        let r = rest.trim_start().strip_prefix("value")?;
        r.trim_start().strip_prefix('=')?
    };
    let rest = rest.trim_start().trim_start_matches(['"', '\'', '\\']);
    let end = rest
        .find(|c: char| c.is_whitespace() || "\"'&,;}]<>\\".contains(c))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(known: &[&str], from_text: &str, text: &str) -> String {
        let mut values = SecretValues::new();
        known.iter().for_each(|v| values.add(v));
        values.add_from_text(from_text);
        values.redactor().redact(text)
    }

    #[test]
    fn values_after_secret_names_are_found_in_any_shape() {
        let cases = [
            "grant_type=authorization_code&code=ac_form_1&code_verifier=ver_form_2",
            r#"{"client_secret": "cs_json_1", "code":"ac_json_2""#,
            "--b\r\nContent-Disposition: form-data; name=\"code_verifier\"\r\n\r\nver_multi_1\r\n--b--",
            "--b\r\nContent-Disposition: form-data; name=\"code\"; filename=\"c\"\r\nContent-Type: text/plain\r\n\r\nac_part_1\r\n--b--",
            r#"<input type="hidden" name="csrf" value="csrf_html_1">"#,
        ];
        for text in cases {
            let out = redacted(&[], text, text);
            for secret in [
                "ac_form_1",
                "ver_form_2",
                "cs_json_1",
                "ac_json_2",
                "ver_multi_1",
                "csrf_html_1",
                "ac_part_1",
            ] {
                assert!(!out.contains(secret), "{secret} left in {out}");
            }
            assert!(out.contains("[redacted:"), "{out}");
        }
    }

    #[test]
    fn prose_and_longer_names_are_not_taken_for_secrets() {
        let text = r#"{"error_description":"the code already expired","token_type":"Bearer","grant_type":"authorization_code"}"#;
        assert_eq!(redacted(&[], text, text), text);
    }

    #[test]
    fn known_values_are_masked_everywhere_and_consistently() {
        let out = redacted(&["pass word!"], "", "a pass word! b pass+word%21 c");
        let m = mask("pass word!");
        assert_eq!(out, format!("a {m} b {m} c"));
    }

    #[test]
    fn short_values_are_not_replaced_everywhere() {
        assert_eq!(redacted(&["s"], "code=abc", "s abc"), "s abc");
    }

    #[test]
    fn header_credentials_and_cookies_are_collected() {
        let mut values = SecretValues::new();
        values.add_from_header("Proxy-Authorization", "Basic Y2xpZW50OnNlY3JldC0x");
        values.add_from_header("Cookie", "a=sess_1234; b=sess_5678");
        values.add_from_header("X-Api-Key", "key-123456");
        let out = values
            .redactor()
            .redact("secret-1 Y2xpZW50OnNlY3JldC0x sess_1234 sess_5678 key-123456");
        assert!(
            !out.contains("secret-1") && !out.contains("sess_") && !out.contains("key-"),
            "{out}"
        );
    }
}
