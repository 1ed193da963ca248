//! The journal: every request the provider received, in order, with its parsed parameters, the
//! response sent and the provider's own findings about it ("code already used", …).
//!
//! Entries hold raw values in memory; [`JournalEntry::redacted`] is what gets written out.

use oauth_vocab::redact::{
    Redactor, SecretValues, is_secret_header, is_secret_name, mask, redact_header, redact_json_text,
};
use oauth_vocab::{Endpoint, Family, Finding, Observation};
use serde::Serialize;

use crate::attribution::FlowTie;

/// What a handler tells the journal about the request it answered, carried as a response
/// extension.
#[derive(Debug, Clone, Default)]
pub(crate) struct Note {
    /// The client the request concerned, once known.
    pub client_id: Option<String>,
    /// What the provider found about the request.
    pub findings: Vec<Observation>,
}

impl Note {
    /// Adds the findings and client of `other` to this note.
    pub(crate) fn merge(&mut self, other: Note) {
        if other.client_id.is_some() {
            self.client_id = other.client_id;
        }
        self.findings.extend(other.findings);
    }
}

/// One request and the response it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// Position in the journal, from 1.
    pub seq: u64,
    /// Milliseconds since the provider started.
    pub elapsed_ms: u64,
    /// Microseconds since the provider started: orders entries against other clocks.
    #[serde(default)]
    pub elapsed_us: u64,
    /// HTTP method.
    pub method: String,
    /// Request path, without the query.
    pub path: String,
    /// The route that matched, e.g. `/t/{tenant}/token`.
    pub route: Option<String>,
    /// The endpoint the request reached, by role.
    pub endpoint: Endpoint,
    /// The tenant from a `/t/{tenant}/…` path.
    pub tenant: Option<String>,
    /// The client concerned, when the provider could tell.
    pub client_id: Option<String>,
    /// Query parameters in order.
    pub query: Vec<(String, String)>,
    /// Form body parameters in order (for form-encoded bodies).
    pub form: Vec<(String, String)>,
    /// The raw body when it is not a form.
    pub body: Option<String>,
    /// Request headers.
    pub headers: Vec<(String, String)>,
    /// The response.
    pub response: RecordedResponse,
    /// What the provider found wrong or notable, and the error it answered with.
    pub findings: Vec<Observation>,
    /// For a token request: the authorization flows it belongs to, tied by each code it
    /// carried, else by its `code_verifier`, even when it was refused before the client was
    /// identified. More than one when it carried several codes or a verifier several flows
    /// share.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<FlowTie>,
    /// Whether a value was cut to fit the journal (it then ends with `…[truncated from N
    /// bytes]`) or parameters or headers were left out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// Whether it came over plain HTTP to the listener of `plain_token_endpoint` (a
    /// downgrade), not to the provider's own (HTTPS) address.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub plain_http: bool,
}

/// The response as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedResponse {
    /// HTTP status; 0 when the connection was dropped without an answer.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8, cut at 8 KiB and marked).
    pub body: String,
}

impl JournalEntry {
    /// The value of a query or form parameter (the first one).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .chain(&self.form)
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a request header (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Whether the provider noted `finding` about this request.
    pub fn has_finding(&self, finding: Finding) -> bool {
        self.findings.iter().any(|o| o.is(finding))
    }

    /// Whether the provider noted any finding of `family` about this request.
    pub fn has_family(&self, family: Family) -> bool {
        self.findings.iter().any(|o| o.is_in(family))
    }

    /// Whether the request concerns `client_id`: the client it presented or was identified
    /// as, or the client of a flow it is tied to.
    pub fn concerns(&self, client_id: &str) -> bool {
        self.client_id.as_deref() == Some(client_id)
            || self.flows.iter().any(|f| f.client_id == client_id)
    }

    /// One line, secrets redacted: `#3 POST /token -> 400 [code.reused]` (`/token (plain
    /// http)` for a request to the plain listener).
    pub fn summary(&self) -> String {
        self.line(&self.redacted_path())
    }

    /// One line with this path shown.
    fn line(&self, path: &str) -> String {
        let findings: Vec<String> = self.findings.iter().map(ToString::to_string).collect();
        let plain = if self.plain_http { " (plain http)" } else { "" };
        format!(
            "#{} {} {}{plain} -> {} [{}]",
            self.seq,
            self.method,
            path,
            self.response.status,
            findings.join("; ")
        )
    }

    /// A copy with client secrets, codes, verifiers, tokens, passwords and cookies replaced by
    /// `[redacted:xxxx]`, where `xxxx` is a short hash so that equal values can still be matched:
    /// by name, and by value wherever a secret this entry carries appears (whatever the content
    /// type or header). The provider's journal listings redact with every secret it knows
    /// ([`MockProvider::redacted_journal`](crate::MockProvider::redacted_journal)).
    pub fn redacted(&self) -> Self {
        let mut secrets = SecretValues::new();
        self.collect_secrets(&mut secrets);
        self.redacted_with(&secrets.redactor())
    }

    /// Adds the secret values this entry carries to `secrets`: secret-named parameters wherever
    /// they appear (query, form, any body, the response), credentials in secret headers, codes
    /// of the flows it is tied to.
    pub fn collect_secrets(&self, secrets: &mut SecretValues) {
        for (name, value) in self.query.iter().chain(&self.form) {
            if is_secret_name(name) {
                secrets.add(value);
            }
        }
        for (name, segment) in self.named_segments().unwrap_or_default() {
            if name.is_some_and(is_secret_name) {
                secrets.add(segment);
            }
        }
        for text in self.body.iter().chain([&self.response.body]) {
            secrets.add_from_text(text);
        }
        for (name, value) in self.headers.iter().chain(&self.response.headers) {
            secrets.add_from_header(name, value);
            if name.eq_ignore_ascii_case("location") {
                secrets.add_from_text(value);
            }
        }
        for flow in &self.flows {
            secrets.add(&flow.code);
        }
    }

    /// A copy with secrets masked by name and every value `redactor` knows masked wherever it
    /// appears (build one from [`MockProvider::known_secrets`](crate::MockProvider::known_secrets)).
    pub fn redacted_with(&self, redactor: &Redactor) -> Self {
        let mut e = self.clone();
        e.path = redactor.redact(&self.redacted_path());
        redact_pairs(&mut e.query, redactor);
        redact_pairs(&mut e.form, redactor);
        redact_headers(&mut e.headers, redactor);
        redact_headers(&mut e.response.headers, redactor);
        e.body = e.body.map(|b| redactor.redact(&redact_json_text(&b)));
        e.response.body = redactor.redact(&redact_json_text(&e.response.body));
        for flow in &mut e.flows {
            flow.code = mask(&flow.code);
        }
        for finding in &mut e.findings {
            *finding = finding.redacted_with(|text| redactor.redact(text));
        }
        e
    }
}

impl JournalEntry {
    /// The segments of the path, each with the name its route gives it (`{access_token}` →
    /// `access_token`), when the route has that many segments.
    fn named_segments(&self) -> Option<Vec<(Option<&str>, &str)>> {
        let route = self.route.as_deref()?;
        let names: Vec<&str> = route.split('/').collect();
        let segments: Vec<&str> = self.path.split('/').collect();
        if names.len() != segments.len() {
            return None;
        }
        Some(
            names
                .into_iter()
                .map(|n| n.strip_prefix('{').and_then(|n| n.strip_suffix('}')))
                .zip(segments)
                .collect(),
        )
    }

    /// The path segment that the route names `{name}`, as sent (e.g. the token of a
    /// `resource.token_path`).
    pub fn path_param(&self, name: &str) -> Option<&str> {
        self.named_segments()?
            .into_iter()
            .find(|(n, _)| *n == Some(name))
            .map(|(_, segment)| segment)
    }

    /// The path with each segment that its route names a secret (`{access_token}`) masked.
    pub fn redacted_path(&self) -> String {
        let Some(segments) = self.named_segments() else {
            return self.path.clone();
        };
        segments
            .into_iter()
            .map(|(name, segment)| match name {
                Some(name) if is_secret_name(name) => mask(segment),
                _ => segment.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

fn redact_pairs(pairs: &mut [(String, String)], redactor: &Redactor) {
    for (name, value) in pairs {
        *value = if is_secret_name(name) {
            mask(value)
        } else {
            redactor.redact(value)
        };
    }
}

fn redact_headers(headers: &mut [(String, String)], redactor: &Redactor) {
    for (name, value) in headers {
        *value = if is_secret_header(name) {
            redact_header(name, value)
        } else {
            redactor.redact(&redact_header(name, value))
        };
    }
}

pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// One summary line per request of an already redacted journal.
pub(crate) fn listing(journal: &[JournalEntry]) -> String {
    if journal.is_empty() {
        return "  (no request)\n".to_owned();
    }
    journal
        .iter()
        .map(|e| format!("  {}\n", e.line(&e.path)))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An ordinary token request and its answer, with secrets in every place.
    pub(crate) fn entry() -> JournalEntry {
        JournalEntry {
            seq: 0,
            elapsed_ms: 0,
            elapsed_us: 0,
            method: "POST".into(),
            path: "/token".into(),
            route: None,
            endpoint: Endpoint::Token,
            tenant: None,
            client_id: Some("c".into()),
            query: vec![],
            form: vec![("code".into(), "ac_secret".into()), ("grant_type".into(), "authorization_code".into())],
            body: None,
            headers: vec![("authorization".into(), "Basic Yzpz".into())],
            response: RecordedResponse {
                status: 200,
                headers: vec![("location".into(), "https://a.test/cb?code=ac_1&state=s".into())],
                body: r#"{"access_token":"at_1","nested":{"refresh_token":"rt_1"},"token_type":"Bearer"}"#.into(),
            },
            findings: vec![],
            flows: vec![],
            truncated: false,
            plain_http: false,
        }
    }

    #[test]
    fn redaction_hides_every_secret_and_keeps_the_rest() {
        let text = serde_json::to_string(&entry().redacted()).unwrap();
        for secret in ["ac_secret", "Yzpz", "ac_1", "at_1", "rt_1"] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
        for kept in [
            "authorization_code",
            "Basic [redacted:",
            "state=s",
            "Bearer",
        ] {
            assert!(text.contains(kept), "{kept} missing in {text}");
        }
    }

    #[test]
    fn a_token_in_the_path_is_redacted_where_the_route_names_it() {
        let mut e = entry();
        e.path = "/t/acme/api/users/at_path/profile".into();
        e.route = Some("/t/{tenant}/api/users/{access_token}/profile".into());
        let redacted = e.redacted();
        assert_eq!(
            redacted.path,
            format!("/t/acme/api/users/{}/profile", mask("at_path"))
        );
        assert!(!e.summary().contains("at_path"), "{}", e.summary());
        assert_eq!(e.path_param("access_token"), Some("at_path"));
        assert_eq!(e.path_param("tenant"), Some("acme"));
        // The raw entry keeps the value for matching; a route without secrets changes nothing.
        assert_eq!(e.path, "/t/acme/api/users/at_path/profile");
        e.route = Some("/t/{tenant}/api/users/{id}/profile".into());
        assert_eq!(e.redacted_path(), e.path);
    }
}
