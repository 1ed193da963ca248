//! The callback's checks: state, browser binding, single use, duplicates, errors, issuer.

use mock_provider::{Decision, ErrorCode, Fault, FaultKind};

use crate::support::*;

#[tokio::test]
async fn an_altered_state_is_refused_without_a_token_request() {
    let setup = setup().await;
    let browser = browser();
    let authorization_url = start_link(&setup, &browser, "s").await;
    let callback = authorize(&browser, &authorization_url).await;
    let mut state = param(&callback, "state").unwrap();
    state.replace_range(0..1, if state.starts_with('A') { "B" } else { "A" });
    let page = visit(&browser, &with_param(&callback, "state", Some(&state))).await;
    assert_failure(&page, "unknown, expired or already used state");
    assert!(code_grants(&setup).is_empty());
    assert_eq!(whoami(&setup, "s").await["linked"], false);
}

#[tokio::test]
async fn a_missing_state_is_refused_without_a_token_request() {
    let setup = setup().await;
    let browser = browser();
    let authorization_url = start_link(&setup, &browser, "s").await;
    let callback = authorize(&browser, &authorization_url).await;
    let page = visit(&browser, &with_param(&callback, "state", None)).await;
    assert_failure(&page, "no state");
    assert!(code_grants(&setup).is_empty());
}

#[tokio::test]
async fn a_callback_in_another_browser_is_refused() {
    let setup = setup().await;
    let alice = browser();
    let mallory = browser();
    let authorization_url = start_link(&setup, &alice, "alice-chat").await;
    let callback = authorize(&alice, &authorization_url).await;
    // Mallory has a cookie of her own from another flow, and none at all.
    let _ = start_link(&setup, &mallory, "mallory-chat").await;
    let page = visit(&mallory, &callback).await;
    assert_failure(&page, "another browser");
    let page = visit(&http(), &callback).await;
    assert_failure(&page, "Linking failed");
    assert!(code_grants(&setup).is_empty());
    assert_eq!(whoami(&setup, "alice-chat").await["linked"], false);
    assert_eq!(whoami(&setup, "mallory-chat").await["linked"], false);
}

#[tokio::test]
async fn a_replayed_callback_is_refused_and_the_code_redeemed_once() {
    let setup = setup().await;
    let browser = browser();
    let authorization_url = start_link(&setup, &browser, "s").await;
    let callback = authorize(&browser, &authorization_url).await;
    assert_linked_page(&visit(&browser, &callback).await);
    let page = visit(&browser, &callback).await;
    assert_failure(&page, "already used state");
    assert_eq!(code_grants(&setup).len(), 1);
    assert_eq!(whoami(&setup, "s").await["linked"], true);
}

#[tokio::test]
async fn repeated_code_or_state_is_refused() {
    let setup = setup().await;
    let browser = browser();
    for name in ["code", "state"] {
        let authorization_url = start_link(&setup, &browser, "s").await;
        let callback = authorize(&browser, &authorization_url).await;
        let value = param(&callback, name).unwrap();
        let mut doubled = callback.clone();
        doubled.query_pairs_mut().append_pair(name, &value);
        let page = visit(&browser, &doubled).await;
        assert_failure(&page, &format!("the {name} parameter is repeated"));
    }
    assert!(code_grants(&setup).is_empty());
}

#[tokio::test]
async fn the_repeated_code_forwarded_defect_sends_every_code_to_the_token_endpoint() {
    // Arrange
    let setup = setup_with(
        mock_provider::ProviderConfig::default(),
        |config| config.defects = "repeated_code_forwarded".parse().unwrap(),
        |_| {},
    )
    .await;
    let browser = browser();
    let authorization_url = start_link(&setup, &browser, "s").await;
    let callback = authorize(&browser, &authorization_url).await;
    let mut doubled = callback.clone();
    doubled
        .query_pairs_mut()
        .append_pair("code", "injected-by-an-attacker");
    // Act
    let page = visit(&browser, &doubled).await;
    // Assert: the provider refuses the repeat, so linking fails, after a token request.
    assert_failure(&page, "Linking failed");
    let grants = code_grants(&setup);
    assert_eq!(grants.len(), 1);
    let codes: Vec<&str> = grants[0]
        .form
        .iter()
        .filter(|(n, _)| n == "code")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        codes,
        [
            param(&callback, "code").unwrap().as_str(),
            "injected-by-an-attacker"
        ]
    );
}

#[tokio::test]
async fn an_error_callback_is_shown_without_a_token_request() {
    let setup = setup().await;
    let browser = browser();
    Decision::deny()
        .for_client(CLIENT_ID)
        .mount(&setup.provider)
        .unwrap();
    let page = link(&setup, &browser, "s").await;
    assert_failure(&page, "the provider answered access_denied");
    assert!(code_grants(&setup).is_empty());
    assert_eq!(whoami(&setup, "s").await["linked"], false);
}

#[tokio::test]
async fn an_error_callback_with_a_foreign_state_is_refused_for_the_state() {
    let setup = setup().await;
    let browser = browser();
    Decision::deny()
        .for_client(CLIENT_ID)
        .mount(&setup.provider)
        .unwrap();
    let authorization_url = start_link(&setup, &browser, "s").await;
    let callback = authorize(&browser, &authorization_url).await;
    let page = visit(&browser, &with_param(&callback, "state", Some("forged"))).await;
    assert_failure(&page, "unknown, expired or already used state");
}

#[tokio::test]
async fn markup_in_an_error_is_escaped() {
    let setup = setup().await;
    let browser = browser();
    let authorization_url = start_link(&setup, &browser, "s").await;
    let callback = authorize(&browser, &authorization_url).await;
    let mut error = with_param(&callback, "code", None);
    error
        .query_pairs_mut()
        .append_pair("error", "<script>alert(1)</script>");
    let page = visit(&browser, &error).await;
    assert_failure(&page, "&lt;script&gt;");
    assert!(!page.body.contains("<script>"));
}

#[tokio::test]
async fn a_response_from_another_issuer_is_refused() {
    let setup = setup().await;
    let browser = browser();
    Fault::authorize(FaultKind::WrongIssuer {
        issuer: "https://attacker.invalid".into(),
    })
    .once()
    .mount(&setup.provider);
    let page = link(&setup, &browser, "s").await;
    assert_failure(&page, "another issuer");
    assert!(code_grants(&setup).is_empty());

    // The same with a real code and state and an iss edited in the browser.
    let authorization_url = start_link(&setup, &browser, "s").await;
    let callback = authorize(&browser, &authorization_url).await;
    let issuer = setup.provider.issuer();
    let page = visit(
        &browser,
        &with_param(&callback, "iss", Some(&format!("{issuer}/"))),
    )
    .await;
    assert_failure(&page, "another issuer");
    assert!(code_grants(&setup).is_empty());
    assert_eq!(whoami(&setup, "s").await["linked"], false);
}

#[tokio::test]
async fn a_missing_iss_is_refused_when_the_metadata_promises_it() {
    let setup = setup().await;
    let browser = browser();
    Fault::authorize(FaultKind::OmitIssuer)
        .once()
        .mount(&setup.provider);
    let page = link(&setup, &browser, "s").await;
    assert_failure(&page, "(iss)");
    assert!(code_grants(&setup).is_empty());
}

#[tokio::test]
async fn without_the_iss_promise_a_missing_iss_is_accepted() {
    let config = mock_provider::ProviderConfig {
        send_iss: false,
        ..mock_provider::ProviderConfig::default()
    };
    let setup = setup_with(config, |_| {}, |_| {}).await;
    let browser = browser();
    let page = link(&setup, &browser, "s").await;
    assert_linked_page(&page);
}

#[tokio::test]
async fn without_the_iss_promise_a_present_iss_is_still_compared() {
    // Arrange: the metadata says false, the response names another issuer (MCP 2026-07-28's
    // third row: compare regardless).
    let config = mock_provider::ProviderConfig {
        send_iss: false,
        ..mock_provider::ProviderConfig::default()
    };
    let setup = setup_with(config, |_| {}, |_| {}).await;
    let browser = browser();
    Fault::authorize(FaultKind::wrong_issuer("https://attacker.invalid"))
        .once()
        .mount(&setup.provider);
    // Act
    let page = link(&setup, &browser, "s").await;
    // Assert
    assert_failure(&page, "another issuer");
    assert!(code_grants(&setup).is_empty());
}

#[tokio::test]
async fn an_error_response_from_another_issuer_is_not_shown() {
    // Arrange
    let setup = setup().await;
    let browser = browser();
    Fault::authorize(FaultKind::WrongIssuerError {
        error: ErrorCode::TemporarilyUnavailable,
        description: Some("the attacker's words".into()),
        issuer: "https://attacker.invalid".into(),
    })
    .once()
    .mount(&setup.provider);
    // Act
    let page = link(&setup, &browser, "s").await;
    // Assert: refused for its issuer; neither the error nor its description shown.
    assert_failure(&page, "another issuer");
    assert!(
        !page.body.contains("temporarily_unavailable"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("the attacker"), "{}", page.body);
}

#[tokio::test]
async fn a_head_request_neither_consumes_the_flow_nor_redeems_the_code() {
    let setup = setup().await;
    let browser = browser();
    let authorization_url = start_link(&setup, &browser, "s").await;
    let callback = authorize(&browser, &authorization_url).await;
    let head = browser.head(callback.clone()).send().await.unwrap();
    assert_eq!(head.status(), 405);
    assert!(code_grants(&setup).is_empty());
    assert_linked_page(&visit(&browser, &callback).await);
}
