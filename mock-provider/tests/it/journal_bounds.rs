//! The journal over HTTP stays within its byte budget when every request carries a huge
//! header: values are cut and marked, the oldest entries dropped and counted.

use mock_provider::{Limits, ProviderConfig};

use crate::support::*;

const BUDGET: usize = 1024 * 1024;

#[tokio::test]
async fn huge_headers_are_cut_and_the_journal_keeps_its_byte_budget() {
    // Arrange: the smallest budget, so that a few dozen requests overflow it.
    let (provider, http) = start_with(ProviderConfig {
        limits: Limits {
            journal_bytes: BUDGET,
            ..Limits::default()
        },
        ..ProviderConfig::default()
    })
    .await;
    // Just under the 64 KiB head bound, so that every request reaches the journal.
    let big = "a".repeat(60 * 1024);
    // Act
    for _ in 0..150 {
        let response = http
            .get(provider.userinfo_endpoint())
            .header("x-big", &big)
            .send()
            .await
            .expect("the mock answers");
        assert_eq!(response.status(), 401);
    }
    let listing = http
        .get(admin_url(&provider, "/journal"))
        .send()
        .await
        .expect("the journal is listed");
    // Assert
    let header = |name: &str| -> u64 {
        listing.headers()[name]
            .to_str()
            .unwrap()
            .parse()
            .expect("a number")
    };
    let (bytes, dropped) = (header("x-journal-bytes"), header("x-journal-dropped"));
    assert!(bytes <= BUDGET as u64, "{bytes} bytes kept");
    let entries: Vec<serde_json::Value> = listing.json().await.expect("a JSON array");
    assert_eq!(dropped, 150 - entries.len() as u64);
    assert_eq!(dropped, provider.journal_dropped());
    assert!(!entries.is_empty());
    for entry in &entries {
        assert_eq!(entry["truncated"], true, "{entry}");
        let value = entry["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0] == "x-big")
            .expect("the header is kept, cut")[1]
            .as_str()
            .unwrap();
        assert!(value.ends_with("…[truncated from 61440 bytes]"));
        assert!(value.len() < 9 * 1024);
    }
}
