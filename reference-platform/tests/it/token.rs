//! The code exchange: client authentication methods, token-response rules, and every failure
//! leaving the session unlinked after at most one token request.

use std::time::Duration;

use mock_provider::Family;
use mock_provider::{
    AuthMethod as MockAuth, Decision, ErrorCode, Fault, FaultKind, ProviderConfig,
};
use reference_platform::AuthMethod;

use crate::support::*;

#[tokio::test]
async fn a_failed_exchange_leaves_the_session_unlinked() {
    // A token timeout a busy machine cannot reach, far below the delay fault's.
    let setup = setup_with(
        ProviderConfig::default(),
        |c| c.token_timeout = Duration::from_secs(5),
        |_| {},
    )
    .await;
    let browser = browser();
    let failures = [
        FaultKind::Error {
            error: ErrorCode::InvalidGrant,
            description: None,
        },
        FaultKind::Error {
            error: ErrorCode::InvalidClient,
            description: None,
        },
        FaultKind::status(500),
        FaultKind::status(503),
        FaultKind::MalformedJson,
        FaultKind::MissingAccessToken,
        FaultKind::WrongTokenType {
            token_type: "mac".into(),
        },
        FaultKind::Html,
        FaultKind::DropConnection,
        FaultKind::Delay { ms: 60_000 },
    ];
    for (i, kind) in failures.into_iter().enumerate() {
        let sid = format!("chat-{i}");
        setup.provider.clear_journal();
        Fault::token(kind.clone()).once().mount(&setup.provider);
        let page = link(&setup, &browser, &sid).await;
        assert_failure(&page, "the token endpoint");
        assert_eq!(
            whoami(&setup, &sid).await,
            serde_json::json!({"linked": false}),
            "{kind:?}"
        );
        assert!(code_grants(&setup).len() <= 1, "{kind:?}: retried");
    }
    // The platform still links afterwards.
    assert_linked_page(&link(&setup, &browser, "after").await);
}

#[tokio::test]
async fn a_timeout_is_reported_as_such() {
    let setup = setup_with(
        ProviderConfig::default(),
        |c| c.token_timeout = Duration::from_secs(5),
        |_| {},
    )
    .await;
    let browser = browser();
    Fault::token(FaultKind::Delay { ms: 60_000 })
        .once()
        .mount(&setup.provider);
    let started = std::time::Instant::now();
    let page = link(&setup, &browser, "s").await;
    assert_failure(&page, "did not answer in time");
    // The platform gave up before the provider answered.
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[tokio::test]
async fn token_type_is_compared_case_insensitively() {
    let setup = setup().await;
    let browser = browser();
    for (i, token_type) in ["bearer", "BEARER"].into_iter().enumerate() {
        Fault::token(FaultKind::WrongTokenType {
            token_type: token_type.into(),
        })
        .once()
        .mount(&setup.provider);
        let sid = format!("s{i}");
        assert_linked_page(&link(&setup, &browser, &sid).await);
        assert_eq!(whoami(&setup, &sid).await["linked"], true);
    }
}

#[tokio::test]
async fn basic_credentials_with_reserved_characters_are_encoded() {
    let setup = setup().await;
    assert_linked_page(&link(&setup, &browser(), "s").await);
    let token = &code_grants(&setup)[0];
    assert_eq!(token.response.status, 200);
    assert!(
        !token.has_family(Family::ClientAuth),
        "{:?}",
        token.findings
    );
}

#[tokio::test]
async fn client_secret_post_puts_the_credentials_in_the_body() {
    let setup = setup_with(
        ProviderConfig::default(),
        |p| p.auth_method = AuthMethod::ClientSecretPost,
        |c| c.auth_method = MockAuth::ClientSecretPost,
    )
    .await;
    assert_linked_page(&link(&setup, &browser(), "s").await);
    let token = &code_grants(&setup)[0];
    assert_eq!(token.param("client_id"), Some(CLIENT_ID));
    assert_eq!(token.param("client_secret"), Some(SECRET));
    assert_eq!(token.header("authorization"), None);
}

#[tokio::test]
async fn a_public_client_sends_its_id_and_no_secret() {
    let setup = setup_with(
        ProviderConfig::default(),
        |p| {
            p.auth_method = AuthMethod::None;
            p.client_secret = None;
        },
        |c| {
            c.auth_method = MockAuth::None;
            c.client_secret = None;
        },
    )
    .await;
    assert_linked_page(&link(&setup, &browser(), "s").await);
    let token = &code_grants(&setup)[0];
    assert_eq!(token.param("client_id"), Some(CLIENT_ID));
    assert_eq!(token.param("client_secret"), None);
    assert_eq!(token.header("authorization"), None);
    assert_eq!(whoami(&setup, "s").await["sub"], "alice");
}

#[tokio::test]
async fn a_narrower_grant_is_honoured() {
    let setup = setup().await;
    Decision::Approve {
        user: "alice".into(),
        scopes: Some(vec!["read".into()]),
    }
    .for_client(CLIENT_ID)
    .mount(&setup.provider)
    .unwrap();
    assert_linked_page(&link(&setup, &browser(), "s").await);
    assert_eq!(whoami(&setup, "s").await["scope"], "read");
}

#[tokio::test]
async fn an_absent_scope_means_as_requested() {
    let setup = setup().await;
    Fault::token(FaultKind::OmitScope)
        .once()
        .mount(&setup.provider);
    assert_linked_page(&link(&setup, &browser(), "s").await);
    assert_eq!(whoami(&setup, "s").await["scope"], "read profile");
}
