//! A conformance sequence beside a flood of flows from another client, against one mock with
//! small `[limits]`, gets the same answers and findings as the sequence alone: the flood never
//! pushes out the entries the sequence relies on (a code redeemed after other flows, a
//! redeemed code whose replay revokes its tokens, a rotated refresh token whose reuse revokes
//! its family), and every live entry the flood loses is counted and journaled.
//!
//! The flood runs all along, from tasks of its own, and also as concurrent bursts between the
//! sequence's steps, each burst more flows than both stores hold, so every step meets full
//! stores whatever the machine's speed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mock_provider::{ClientConfig, Family, Finding, Limits, MockProvider, ProviderConfig};

use crate::support::{
    CLIENT_ID, REDIRECT, VERIFIER, authorize, authorize_params, location, query_param, redeem,
    start_with, token,
};

const FLOOD_CLIENT: &str = "flood-client";
const FLOOD_SECRET: &str = "flood-secret";
const MAX_CODES: usize = 200;
const MAX_TOKENS: usize = 400;
/// Flows per burst: more codes than the code store holds, more tokens than the token store.
const BURST_FLOWS: usize = 240;
/// Flows of a burst in flight at once.
const BURST_CONCURRENCY: usize = 8;

fn config() -> ProviderConfig {
    ProviderConfig {
        limits: Limits {
            max_codes: MAX_CODES,
            max_tokens: MAX_TOKENS,
            journal_capacity: 100_000,
            journal_bytes: 64 * 1024 * 1024,
            ..Limits::default()
        },
        ..ProviderConfig::default()
    }
}

fn flood_client() -> ClientConfig {
    ClientConfig {
        client_id: FLOOD_CLIENT.into(),
        client_secret: Some(FLOOD_SECRET.into()),
        ..ClientConfig::default()
    }
}

/// One full flow of the flood client: authorize, redeem.
async fn flood_flow(http: reqwest::Client, authorize_url: String, token_url: String, n: usize) {
    let mut params = authorize_params(&format!("flood-{n}"));
    params[1].1 = FLOOD_CLIENT.into();
    let response = http
        .get(authorize_url)
        .query(&params)
        .send()
        .await
        .expect("authorize answers");
    assert_eq!(response.status(), 302, "the flood's authorization");
    let code = query_param(&location(&response), "code").expect("a code");
    let response = http
        .post(token_url)
        .header(
            "authorization",
            oauth_vocab::basic::encode(FLOOD_CLIENT, FLOOD_SECRET),
        )
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .expect("the token endpoint answers");
    assert_eq!(response.status(), 200, "the flood's redemption");
}

/// A burst of flood flows, several in flight at once.
async fn burst(provider: &MockProvider, http: &reqwest::Client) {
    let mut flows = tokio::task::JoinSet::new();
    for n in 0..BURST_FLOWS {
        if flows.len() >= BURST_CONCURRENCY
            && let Some(flow) = flows.join_next().await
        {
            flow.expect("a flood flow");
        }
        flows.spawn(flood_flow(
            http.clone(),
            provider.authorization_endpoint(),
            provider.token_endpoint(),
            n,
        ));
    }
    while let Some(flow) = flows.join_next().await {
        flow.expect("a flood flow");
    }
}

/// Flood flows one after another until `stop` is set.
async fn flood_until(
    stop: Arc<AtomicBool>,
    http: reqwest::Client,
    authorize: String,
    token: String,
) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        flood_flow(http.clone(), authorize.clone(), token.clone(), n).await;
        n += 1;
    }
}

/// What the sequence saw at one step: its name, the status and the `error` of the answer.
type Seen = (&'static str, u16, Option<String>);

async fn seen(step: &'static str, response: reqwest::Response) -> (Seen, serde_json::Value) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let error = body["error"].as_str().map(str::to_owned);
    ((step, status, error), body)
}

async fn code_for(provider: &MockProvider, http: &reqwest::Client, state: &str) -> String {
    let response = authorize(provider, http, &authorize_params(state)).await;
    assert_eq!(response.status(), 302);
    query_param(&location(&response), "code").expect("a code")
}

async fn userinfo(provider: &MockProvider, http: &reqwest::Client, access: &str) -> Seen {
    let response = http
        .get(provider.userinfo_endpoint())
        .bearer_auth(access)
        .send()
        .await
        .expect("userinfo answers");
    seen("userinfo", response).await.0
}

async fn refresh(
    provider: &MockProvider,
    http: &reqwest::Client,
    step: &'static str,
    refresh_token: &str,
) -> (Seen, serde_json::Value) {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    seen(step, token(provider, http, &form).await).await
}

/// The scripted conformance sequence, with `flood` run between its steps; returns what each
/// step saw and the findings the provider journaled about the sequence's client.
async fn sequence(flooded: bool) -> (Vec<Seen>, Vec<Vec<String>>, MockProvider) {
    let (provider, http) = start_with(config()).await;
    provider
        .register_client(flood_client())
        .expect("the flood client registers");
    let stop = Arc::new(AtomicBool::new(false));
    let mut background = tokio::task::JoinSet::new();
    for _ in 0..usize::from(flooded) * 2 {
        background.spawn(flood_until(
            Arc::clone(&stop),
            http.clone(),
            provider.authorization_endpoint(),
            provider.token_endpoint(),
        ));
    }
    let flood = || async {
        if flooded {
            burst(&provider, &http).await;
        }
    };
    let mut steps = Vec::new();

    // A code redeemed after other flows filled the stores still works.
    let late = code_for(&provider, &http, "late").await;
    flood().await;
    let (step, _) = seen("late redemption", redeem(&provider, &http, &late).await).await;
    steps.push(step);

    // A replayed code is refused and revokes the tokens issued from it.
    let replayed = code_for(&provider, &http, "replay").await;
    let (step, tokens) = seen("redemption", redeem(&provider, &http, &replayed).await).await;
    steps.push(step);
    let access = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    flood().await;
    let (step, _) = seen("replay", redeem(&provider, &http, &replayed).await).await;
    steps.push(step);
    flood().await;
    steps.push(userinfo(&provider, &http, &access).await);

    // A rotated refresh token presented again revokes its whole family.
    let reused = code_for(&provider, &http, "reuse").await;
    let (_, tokens) = seen("redemption", redeem(&provider, &http, &reused).await).await;
    let first = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    flood().await;
    let (step, rotated) = refresh(&provider, &http, "refresh", &first).await;
    steps.push(step);
    let second = rotated["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    flood().await;
    steps.push(refresh(&provider, &http, "reuse", &first).await.0);
    flood().await;
    steps.push(refresh(&provider, &http, "after reuse", &second).await.0);
    stop.store(true, Ordering::Relaxed);
    while let Some(flow) = background.join_next().await {
        flow.expect("the background flood");
    }

    let findings = provider
        .journal_for(CLIENT_ID)
        .iter()
        .filter(|e| e.client_id.as_deref() == Some(CLIENT_ID))
        // The sequence's own requests may push out flood entries: those findings name the
        // flood client and are checked apart.
        .map(|e| {
            e.findings
                .iter()
                .filter(|o| !o.is_in(Family::Store))
                .map(ToString::to_string)
                .collect()
        })
        .collect();
    (steps, findings, provider)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conformance_sequence_beside_a_flood_sees_what_it_sees_alone() {
    // Arrange, act: the sequence alone, then beside the flood.
    let (alone, alone_findings, quiet) = sequence(false).await;
    let (flooded, flooded_findings, busy) = sequence(true).await;

    // Assert: the sequence's verdicts are the expected ones, and the same in both runs.
    let expected: Vec<Seen> = vec![
        ("late redemption", 200, None),
        ("redemption", 200, None),
        ("replay", 400, Some("invalid_grant".into())),
        ("userinfo", 401, Some("invalid_token".into())),
        ("refresh", 200, None),
        ("reuse", 400, Some("invalid_grant".into())),
        ("after reuse", 400, Some("invalid_grant".into())),
    ];
    assert_eq!(alone, expected);
    assert_eq!(flooded, alone);
    assert_eq!(flooded_findings, alone_findings);
    let all: Vec<&String> = alone_findings.iter().flatten().collect();
    for code in ["code.reused", "refresh.reused", "refresh.revoked"] {
        assert!(all.iter().any(|f| f.starts_with(code)), "{code} in {all:?}");
    }
    // The flood really overflowed both stores, and only the flood lost entries.
    assert!(quiet.evictions().is_empty(), "{:?}", quiet.evictions());
    let lost = busy.evictions();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(lost[0].client_id, FLOOD_CLIENT);
    assert!(lost[0].codes > 0 && lost[0].tokens > 0, "{lost:?}");
    let journaled: Vec<String> = busy
        .journal()
        .iter()
        .flat_map(|e| &e.findings)
        .filter(|o| o.is(Finding::StoreLiveEntryEvicted))
        .map(ToString::to_string)
        .collect();
    assert!(!journaled.is_empty(), "no eviction was journaled");
    assert!(
        journaled
            .iter()
            .all(|f| f.contains(FLOOD_CLIENT) && !f.contains(CLIENT_ID)),
        "{journaled:?}"
    );
}
