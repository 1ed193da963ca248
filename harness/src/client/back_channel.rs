//! The platform's requests to the mock provider (the back channel), as the mock journaled them,
//! in the shape of a scenario's evidence.

use mock_provider::{JournalEntry, MockProvider};

use crate::report::{Exchange, Party};

/// The header Gauntlet puts on the requests it sends to the mock itself with the platform's
/// client credentials (a revocation a scenario arranges), so that the evidence does not show
/// them as the platform's.
pub(crate) const SENT_BY_GAUNTLET: &str = "x-gauntlet-sender";

/// Whether Gauntlet, not the platform, sent `entry`.
fn sent_by_gauntlet(entry: &JournalEntry) -> bool {
    entry
        .headers
        .iter()
        .any(|(name, _)| name == SENT_BY_GAUNTLET)
}

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
    let (from, by) = if sent_by_gauntlet(entry) {
        (
            Party::Client,
            "Gauntlet (with the platform's client credentials)",
        )
    } else {
        (Party::Platform, "the platform (back channel)")
    };
    Exchange {
        at_ms: at_us / 1000,
        at_us,
        from,
        by: Some(by.to_owned()),
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

#[cfg(test)]
mod tests {
    use mock_provider::MockProvider;

    use super::{SENT_BY_GAUNTLET, exchange};
    use crate::report::Party;

    /// Revokes an unknown token at `mock` (RFC 7009 §2.2 answers 200), with or without the marker.
    async fn revoke(mock: &MockProvider, marked: bool) {
        let mut request = reqwest::Client::new()
            .post(mock.revocation_endpoint())
            .form(&[("token", "unknown"), ("client_id", "x")]);
        if marked {
            request = request.header(SENT_BY_GAUNTLET, "revocation");
        }
        request.send().await.expect("the mock answers");
    }

    #[tokio::test]
    async fn a_request_gauntlet_sent_is_not_shown_as_the_platforms() {
        let mock = MockProvider::start().await.expect("the mock starts");
        revoke(&mock, true).await;
        revoke(&mock, false).await;
        let journal = mock.journal();
        let shown: Vec<_> = journal
            .iter()
            .map(|entry| {
                let exchange = exchange(entry, &mock, 0);
                (exchange.from, exchange.by.unwrap_or_default())
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    Party::Client,
                    "Gauntlet (with the platform's client credentials)".to_owned()
                ),
                (Party::Platform, "the platform (back channel)".to_owned()),
            ]
        );
    }
}
