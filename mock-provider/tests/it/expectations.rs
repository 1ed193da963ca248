//! Expectations on mounted faults and decisions: met ones pass silently, unmet ones fail the
//! test when the provider is verified or dropped, naming what was expected and what came.

use mock_provider::{ControlError, Decision, Family, Fault, FaultKind, Finding};

use crate::support::*;

#[tokio::test]
async fn a_met_expectation_passes_when_the_provider_drops() {
    let (provider, http) = start().await;
    Fault::token(FaultKind::status(503))
        .once()
        .expect(1)
        .mount(&provider);
    Fault::refresh(FaultKind::status(500))
        .expect(0)
        .mount(&provider);
    let code = code(&provider, &http).await;
    assert_eq!(redeem(&provider, &http, &code).await.status(), 503);
    provider.verify();
}

#[tokio::test]
#[should_panic(expected = "expected exactly 1 request(s), met 0")]
async fn an_unmet_fault_expectation_fails_when_the_provider_drops() {
    let (provider, http) = start().await;
    Fault::token(FaultKind::status(503))
        .expect(1)
        .mount(&provider);
    // An authorization request only: the token endpoint is never reached.
    let _ = code(&provider, &http).await;
    drop(provider);
}

#[tokio::test]
async fn verify_names_the_unmet_expectation_and_lists_the_journal() {
    let (provider, http) = start().await;
    Fault::token(FaultKind::status(503))
        .expect(2..)
        .mount(&provider);
    let code = code(&provider, &http).await;
    assert_eq!(redeem(&provider, &http, &code).await.status(), 503);
    let report = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| provider.verify()))
        .expect_err("one request of at least two")
        .downcast::<String>()
        .expect("a message");
    assert!(
        report.contains("expected at least 2 request(s), met 1"),
        "{report}"
    );
    assert!(
        report.contains("Status { status: 503 } on Token"),
        "{report}"
    );
    assert!(report.contains("GET /authorize -> 302"), "{report}");
    assert!(report.contains("POST /token -> 503"), "{report}");
    // Meet it, so that dropping the provider passes.
    let _ = redeem(&provider, &http, &code).await;
}

#[tokio::test]
async fn a_mounted_decision_is_taken_once_and_its_expectation_checked() {
    let (provider, http) = start().await;
    Decision::deny()
        .for_client(CLIENT_ID)
        .expect(1)
        .mount(&provider)
        .expect("known client");
    let denied = authorize(&provider, &http, &authorize_params("st")).await;
    assert_eq!(
        query_param(&location(&denied), "error").as_deref(),
        Some("access_denied")
    );
    provider.verify();
}

#[tokio::test]
async fn a_decision_for_an_unknown_client_or_user_is_refused_by_type() {
    let (provider, _) = start().await;
    assert_eq!(
        Decision::deny().for_client("nobody").mount(&provider),
        Err(ControlError::UnknownClient("nobody".into()))
    );
    assert_eq!(
        Decision::approve("mallory")
            .for_client(CLIENT_ID)
            .mount(&provider),
        Err(ControlError::UnknownUser("mallory".into()))
    );
}

#[tokio::test]
async fn finding_assertions_pass_on_what_was_seen_and_fail_listing_the_journal() {
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    assert_eq!(redeem(&provider, &http, &code).await.status(), 200);
    assert_eq!(redeem(&provider, &http, &code).await.status(), 400);
    provider.assert_finding(Finding::CodeReused);
    provider.assert_finding(Family::Code);
    provider.assert_no_finding(Family::Pkce);
    let report = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        provider.assert_no_finding(Finding::CodeReused)
    }))
    .expect_err("the code was reused")
    .downcast::<String>()
    .expect("a message");
    assert!(report.starts_with("a request got code.reused;"), "{report}");
    assert!(report.contains("POST /token -> 400 ["), "{report}");
    assert!(
        !report.contains(&code),
        "the listing shows no code: {report}"
    );
    let missing = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        provider.assert_finding(Finding::PkceVerifierMismatch)
    }))
    .expect_err("no verifier mismatch happened")
    .downcast::<String>()
    .expect("a message");
    assert!(
        missing.contains("no request got pkce.verifier_mismatch"),
        "{missing}"
    );
}
