//! The platform's requests to the mock provider (the back channel), as the mock journaled them,
//! in the shape of a scenario's evidence.

use mock_provider::{JournalEntry, MockProvider};

use crate::report::{Exchange, Party};

/// `entry` (already redacted, unless secrets are revealed) as an exchange from the platform to
/// `provider`, at `at_us` microseconds into the scenario. A request to the plain-HTTP listener
/// (`plain_token_endpoint`) shows that listener's URL.
pub(crate) fn exchange(entry: &JournalEntry, provider: &MockProvider, at_us: u64) -> Exchange {
    let base = match provider.plain_uri() {
        Some(plain) if entry.plain_http => plain,
        _ => provider.uri(),
    };
    let query: Vec<String> = entry
        .query
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    let mut url = format!("{base}{}", entry.path);
    if !query.is_empty() {
        url = format!("{url}?{}", query.join("&"));
    }
    let form: Vec<String> = entry.form.iter().map(|(n, v)| format!("{n}={v}")).collect();
    let keep = ["authorization", "content-type"];
    Exchange {
        at_ms: at_us / 1000,
        at_us,
        from: Party::Platform,
        by: Some("the platform (back channel)".to_owned()),
        to: Party::Provider,
        method: entry.method.clone(),
        url,
        request_headers: entry
            .headers
            .iter()
            .filter(|(n, _)| keep.contains(&n.as_str()))
            .cloned()
            .collect(),
        request_body: if form.is_empty() {
            entry.body.clone()
        } else {
            Some(form.join("&"))
        },
        status: (entry.response.status != 0).then_some(entry.response.status),
        response_headers: entry
            .response
            .headers
            .iter()
            .filter(|(n, _)| n == "content-type" || n == "www-authenticate")
            .cloned()
            .collect(),
        response_body: (!entry.response.body.is_empty()).then(|| entry.response.body.clone()),
        note: (!entry.findings.is_empty()).then(|| {
            let findings: Vec<_> = entry.findings.iter().map(ToString::to_string).collect();
            format!("provider findings: {}", findings.join("; "))
        }),
    }
}
