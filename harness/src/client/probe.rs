//! The profile's `[probe]`: the "is this user linked?" request (a who-am-I call or the next chat
//! turn) and how its answer shows each state — by HTTP status, by any of several texts, or
//! both. The single-text keys (`linked_text`, `unlinked_text`) are read into the same
//! [`Signs`] as the lists, so the probe is judged one way whichever keys a profile uses.

use serde::Deserialize;

/// The "am I linked?" request, and what its answer shows.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "ProbeKeys")]
pub struct ProbeProfile {
    /// HTTP method.
    pub method: String,
    /// URL (templated with `{session}`).
    pub url: String,
    /// Request body (templated).
    pub body: Option<String>,
    /// Content-Type of the body.
    pub content_type: Option<String>,
    /// What an answer shows when the user is linked.
    pub linked: Signs,
    /// What an answer shows when the user is not linked.
    pub unlinked: Signs,
}

/// How an answer shows one state: its status is `status` (when given) and it contains any of
/// `texts` (when given). At least one of the two is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signs {
    /// The HTTP status of such an answer.
    pub status: Option<u16>,
    /// Texts any one of which such an answer contains.
    pub texts: Vec<String>,
}

/// What a probe's answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeReading {
    /// It shows linked only.
    Linked,
    /// It shows not linked only.
    Unlinked,
    /// It shows neither: the probe's settings do not fit the platform's answers.
    Neither,
    /// It shows both.
    Both,
}

impl ProbeProfile {
    /// What an answer with `status` and `body` says.
    pub fn read(&self, status: u16, body: &str) -> ProbeReading {
        match (
            self.linked.shown_by(status, body),
            self.unlinked.shown_by(status, body),
        ) {
            (true, false) => ProbeReading::Linked,
            (false, true) => ProbeReading::Unlinked,
            (false, false) => ProbeReading::Neither,
            (true, true) => ProbeReading::Both,
        }
    }
}

impl Signs {
    /// Whether an answer with `status` and `body` shows this state.
    pub fn shown_by(&self, status: u16, body: &str) -> bool {
        self.status.is_none_or(|s| s == status)
            && (self.texts.is_empty() || self.texts.iter().any(|t| body.contains(t.as_str())))
    }

    /// Whether every answer showing `self` also shows `other`: the same status where `other`
    /// names one, and each of `self`'s texts containing one of `other`'s where `other` has texts.
    fn implies(&self, other: &Signs) -> bool {
        let status = other.status.is_none() || self.status == other.status;
        let texts = other.texts.is_empty()
            || (!self.texts.is_empty()
                && self
                    .texts
                    .iter()
                    .all(|t| other.texts.iter().any(|o| t.contains(o.as_str()))));
        status && texts
    }
}

impl std::fmt::Display for Signs {
    /// `status 200 and "a" or "b"`, as explanations name the settings.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let texts: Vec<String> = self.texts.iter().map(|t| format!("{t:?}")).collect();
        match (self.status, texts.is_empty()) {
            (Some(status), true) => write!(f, "status {status}"),
            (Some(status), false) => write!(f, "status {status} and {}", texts.join(" or ")),
            (None, _) => f.write_str(&texts.join(" or ")),
        }
    }
}

/// The `[probe]` keys as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeKeys {
    #[serde(default = "default_get")]
    method: String,
    url: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    linked_status: Option<u16>,
    #[serde(default)]
    linked_text: Option<String>,
    #[serde(default)]
    linked_texts: Option<Vec<String>>,
    #[serde(default)]
    unlinked_status: Option<u16>,
    #[serde(default)]
    unlinked_text: Option<String>,
    #[serde(default)]
    unlinked_texts: Option<Vec<String>>,
}

fn default_get() -> String {
    "GET".into()
}

impl TryFrom<ProbeKeys> for ProbeProfile {
    type Error = String;

    fn try_from(keys: ProbeKeys) -> Result<Self, String> {
        let linked = signs(
            "linked",
            keys.linked_status,
            keys.linked_text,
            keys.linked_texts,
        )?;
        let unlinked = signs(
            "unlinked",
            keys.unlinked_status,
            keys.unlinked_text,
            keys.unlinked_texts,
        )?;
        for (a, a_name, b, b_name) in [
            (&linked, "linked", &unlinked, "not linked"),
            (&unlinked, "not linked", &linked, "linked"),
        ] {
            if a.implies(b) {
                return Err(format!(
                    "probe: every answer that shows {a_name} ({a}) also shows {b_name} ({b}), so \
                     the probe cannot tell them apart"
                ));
            }
        }
        Ok(Self {
            method: keys.method,
            url: keys.url,
            body: keys.body,
            content_type: keys.content_type,
            linked,
            unlinked,
        })
    }
}

/// One state's signs from its keys (`which` is `linked` or `unlinked`).
fn signs(
    which: &str,
    status: Option<u16>,
    text: Option<String>,
    texts: Option<Vec<String>>,
) -> Result<Signs, String> {
    let texts = match (text, texts) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "probe: {which}_text and {which}_texts are both given; use one"
            ));
        }
        (Some(text), None) => vec![text],
        (None, Some(texts)) if texts.is_empty() => {
            return Err(format!(
                "probe.{which}_texts is empty: list at least one text, or leave it out"
            ));
        }
        (None, Some(texts)) => texts,
        (None, None) => Vec::new(),
    };
    if texts.iter().any(String::is_empty) {
        return Err(format!(
            "probe: an empty {which} text, which every answer contains"
        ));
    }
    if let Some(status) = status
        && !(100..=599).contains(&status)
    {
        return Err(format!(
            "probe.{which}_status = {status} is no HTTP status (100 to 599)"
        ));
    }
    if status.is_none() && texts.is_empty() {
        let state = if which == "linked" {
            "linked"
        } else {
            "not linked"
        };
        return Err(format!(
            "probe: nothing says how an answer shows that the user is {state}; give \
             {which}_status, {which}_text or {which}_texts"
        ));
    }
    Ok(Signs { status, texts })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(keys: &str) -> Result<ProbeProfile, String> {
        toml::from_str::<ProbeProfile>(&format!("url = \"http://127.0.0.1:1/whoami\"\n{keys}"))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_single_text_keys_read_as_one_text_lists() {
        let probe = probe("linked_text = 'yes'\nunlinked_text = 'no'").unwrap();
        assert_eq!(
            (probe.linked.texts, probe.unlinked.texts),
            (vec!["yes".to_owned()], vec!["no".to_owned()])
        );
        assert_eq!((probe.linked.status, probe.method.as_str()), (None, "GET"));
    }

    #[test]
    fn an_answer_is_judged_by_status_and_by_any_of_several_texts() {
        let probe = probe(
            "linked_status = 200\nlinked_texts = ['Hello', 'Welcome back']\n\
             unlinked_status = 401",
        )
        .unwrap();
        assert_eq!(probe.read(200, "Welcome back, alice"), ProbeReading::Linked);
        assert_eq!(probe.read(200, "Hello"), ProbeReading::Linked);
        assert_eq!(probe.read(401, "Hello"), ProbeReading::Unlinked);
        assert_eq!(probe.read(200, "Who are you?"), ProbeReading::Neither);
        assert_eq!(probe.read(500, "Welcome back"), ProbeReading::Neither);
        let texts = self::probe("linked_texts = ['a']\nunlinked_texts = ['b', 'c']").unwrap();
        assert_eq!(texts.read(200, "c"), ProbeReading::Unlinked);
        assert_eq!(texts.read(200, "a b"), ProbeReading::Both);
    }

    #[test]
    fn empty_or_contradictory_settings_are_refused_with_the_keys() {
        for (keys, expected) in [
            (
                "linked_text = 'a'\nlinked_texts = ['b']\nunlinked_text = 'c'",
                "linked_text and linked_texts are both given",
            ),
            (
                "linked_texts = []\nunlinked_text = 'c'",
                "probe.linked_texts is empty",
            ),
            (
                "linked_text = ''\nunlinked_text = 'c'",
                "an empty linked text",
            ),
            (
                "linked_text = 'a'",
                "the user is not linked; give unlinked_status, unlinked_text or unlinked_texts",
            ),
            (
                "linked_text = 'a'\nunlinked_status = 42",
                "probe.unlinked_status = 42 is no HTTP status",
            ),
            (
                "linked_status = 200\nunlinked_status = 200",
                "every answer that shows linked (status 200) also shows not linked (status 200)",
            ),
            (
                // "not linked" contains "linked": a not-linked answer reads as linked too.
                "linked_text = 'linked'\nunlinked_text = 'not linked'",
                "every answer that shows not linked (\"not linked\") also shows linked",
            ),
            (
                "linked_status = 200\nunlinked_status = 200\nunlinked_texts = ['x']",
                "every answer that shows not linked (status 200 and \"x\") also shows linked",
            ),
        ] {
            let err = probe(keys).unwrap_err();
            assert!(err.contains(expected), "{keys}: {err}");
        }
        // Statuses or texts that can tell the two apart are accepted.
        for keys in [
            "linked_status = 200\nunlinked_status = 401",
            "linked_status = 200\nunlinked_status = 200\nlinked_text = 'yes'\nunlinked_text = 'no'",
            "linked_texts = ['linked as']\nunlinked_status = 401",
            "linked_text = 'Account linked'\nunlinked_text = 'not linked'",
        ] {
            probe(keys).unwrap_or_else(|e| panic!("{keys}: {e}"));
        }
    }
}
