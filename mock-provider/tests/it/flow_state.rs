//! A flow whose `state` is long (40 KiB, within `limits.max_head_bytes`): the callback carries
//! the whole state, faults and decisions scripted `for_state` with it still hit that flow, and
//! the stores keep only its compact label (first 64 bytes, length, SHA-256), which is what an
//! eviction names.

use mock_provider::{Decision, ErrorCode, Fault, FaultKind, Limits, ProviderConfig};
use sha2::{Digest, Sha256};

use crate::support::*;

/// A 40 KiB state, unique to the end (two such states differ only in their last bytes).
fn long_state(tail: &str) -> String {
    format!("{}{tail}", "s".repeat(40 * 1024 - tail.len()))
}

/// The label the stores keep for a state longer than 256 bytes, computed independently.
fn label(state: &str) -> String {
    let digest = Sha256::digest(state.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{}…[{} bytes, sha256 {hex}]", &state[..64], state.len())
}

/// Authorizes with `state` (auto-approved) and returns the redirect's state and code.
async fn authorized(
    provider: &mock_provider::MockProvider,
    http: &reqwest::Client,
    state: &str,
) -> (Option<String>, String) {
    let response = authorize(provider, http, &authorize_params(state)).await;
    assert_eq!(response.status(), 302);
    let callback = location(&response);
    let code = query_param(&callback, "code").expect("a code");
    (query_param(&callback, "state"), code)
}

#[tokio::test]
async fn a_long_state_comes_back_whole_and_its_token_fault_hits_its_flow() {
    let (provider, http) = start().await;
    let state = long_state("-mine");
    let other = long_state("-else");
    Fault::token(FaultKind::status(503))
        .for_state(state.clone())
        .once()
        .expect(1)
        .mount(&provider);
    // A flow whose long state differs only at the end is untouched.
    let (_, other_code) = authorized(&provider, &http, &other).await;
    assert_eq!(redeem(&provider, &http, &other_code).await.status(), 200);
    // The long-state flow: the callback carries the whole state, the fault hits its token
    // request, and the code still works afterwards.
    let (returned, code) = authorized(&provider, &http, &state).await;
    assert_eq!(returned.as_deref(), Some(state.as_str()), "the whole state");
    assert_eq!(redeem(&provider, &http, &code).await.status(), 503);
    assert_eq!(redeem(&provider, &http, &code).await.status(), 200);
    // The journal ties the token requests to the flow by the label the stores keep.
    let tied: Vec<_> = provider
        .journal()
        .into_iter()
        .flat_map(|e| e.flows)
        .filter_map(|f| f.state)
        .collect();
    assert!(tied.contains(&label(&state)), "{tied:?}");
    assert!(tied.iter().all(|s| s.len() < 256), "{tied:?}");
    provider.verify();
}

#[tokio::test]
async fn a_refresh_fault_for_a_long_state_hits_the_refresh_of_its_flow() {
    let (provider, http) = start().await;
    let state = long_state("-refresh");
    Fault::refresh(FaultKind::status(500))
        .for_state(state.clone())
        .mount(&provider);
    let (_, code) = authorized(&provider, &http, &state).await;
    let tokens = json(redeem(&provider, &http, &code).await).await;
    let refresh = tokens["refresh_token"].as_str().expect("a refresh token");
    let response = token(
        &provider,
        &http,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_eq!(response.status(), 500);
}

#[tokio::test]
async fn a_decision_for_a_long_state_answers_its_flow_with_the_whole_state() {
    let (provider, http) = start().await;
    let state = long_state("-denied");
    Decision::deny()
        .for_client(CLIENT_ID)
        .for_state(state.clone())
        .mount(&provider)
        .unwrap();
    // Another long state leaves the decision queued.
    let (_, _) = authorized(&provider, &http, &long_state("-approved")).await;
    let response = authorize(&provider, &http, &authorize_params(&state)).await;
    assert_eq!(response.status(), 302);
    let callback = location(&response);
    assert_eq!(
        query_param(&callback, "error").as_deref(),
        Some(ErrorCode::AccessDenied.as_str())
    );
    assert_eq!(query_param(&callback, "state"), Some(state));
}

#[tokio::test]
async fn an_evicted_long_state_flow_is_named_by_its_label() {
    let (provider, http) = start_with(ProviderConfig {
        limits: Limits {
            max_codes: 1,
            ..Limits::default()
        },
        ..ProviderConfig::default()
    })
    .await;
    let state = long_state("-evicted");
    let (returned, _) = authorized(&provider, &http, &state).await;
    assert_eq!(returned.as_deref(), Some(state.as_str()));
    // The next flow's code pushes out the live long-state code.
    authorized(&provider, &http, "short").await;
    let evictions = provider.evictions();
    assert_eq!(evictions.len(), 1, "{evictions:?}");
    assert_eq!(evictions[0].codes, 1);
    assert_eq!(evictions[0].states, vec![label(&state)]);
}
