//! Fault injection: every token-endpoint misbehaviour, per client, once or until cleared.

use std::time::{Duration, Instant};

use mock_provider::Finding;
use mock_provider::{ErrorCode, Fault, FaultKind, ProviderConfig};

use crate::support::*;

#[tokio::test]
async fn an_injected_oauth_error_is_answered_once_then_the_code_still_works() {
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    Fault::token(FaultKind::Error {
        error: ErrorCode::InvalidClient,
        description: None,
    })
    .once()
    .mount(&provider);
    let failed = redeem(&provider, &http, &code).await;
    assert_eq!(failed.status(), 401);
    assert_eq!(json(failed).await["error"], "invalid_client");
    assert_eq!(redeem(&provider, &http, &code).await.status(), 200);
}

#[tokio::test]
async fn an_injected_invalid_grant_spends_the_code_as_a_real_server_would() {
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    Fault::token(FaultKind::Error {
        error: ErrorCode::InvalidGrant,
        description: None,
    })
    .once()
    .mount(&provider);
    let failed = redeem(&provider, &http, &code).await;
    assert_eq!(failed.status(), 400);
    assert_eq!(json(failed).await["error"], "invalid_grant");
    // A client that sends the code again meets a code already used, not a second chance.
    let again = redeem(&provider, &http, &code).await;
    assert_eq!(again.status(), 400);
    assert_eq!(json(again).await["error"], "invalid_grant");
}

#[tokio::test]
async fn status_faults_last_until_cleared() {
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    Fault::token(FaultKind::status(503)).mount(&provider);
    assert_eq!(redeem(&provider, &http, &code).await.status(), 503);
    assert_eq!(redeem(&provider, &http, &code).await.status(), 503);
    provider.clear_faults(None);
    assert_eq!(redeem(&provider, &http, &code).await.status(), 200);
}

#[tokio::test]
async fn faults_apply_only_to_their_client() {
    let (provider, http) = start().await;
    Fault::token(FaultKind::status(500))
        .for_client("someone-else")
        .mount(&provider);
    let code = code(&provider, &http).await;
    assert_eq!(redeem(&provider, &http, &code).await.status(), 200);
}

#[tokio::test]
async fn body_faults_break_the_token_response_as_configured() {
    let (provider, http) = start().await;
    type Check = fn(&str, &str) -> bool;
    let cases: Vec<(FaultKind, Check)> = vec![
        (FaultKind::MalformedJson, |_, body| {
            serde_json::from_str::<serde_json::Value>(body).is_err()
        }),
        (FaultKind::MissingAccessToken, |_, body| {
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            v.get("access_token").is_none() && v["token_type"] == "Bearer"
        }),
        (
            FaultKind::WrongTokenType {
                token_type: "mac".into(),
            },
            |_, body| body.contains("\"token_type\":\"mac\""),
        ),
        (FaultKind::Html, |content_type, body| {
            content_type.starts_with("text/html") && body.contains("<html")
        }),
    ];
    for (kind, check) in cases {
        let code = code(&provider, &http).await;
        Fault::token(kind.clone()).once().mount(&provider);
        let response = redeem(&provider, &http, &code).await;
        assert_eq!(response.status(), 200, "{kind:?}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let body = response.text().await.unwrap();
        assert!(
            check(&content_type, &body),
            "{kind:?}: {content_type} {body}"
        );
    }
}

/// A delay, and a hold that no second request ends, keep the answer for their time, then
/// answer normally.
#[tokio::test]
async fn a_delay_or_a_lone_hold_waits_its_time_then_answers_normally() {
    for kind in [FaultKind::Delay { ms: 300 }, FaultKind::Hold { ms: 300 }] {
        let (provider, http) = start().await;
        let code = code(&provider, &http).await;
        Fault::token(kind.clone()).once().mount(&provider);
        let started = Instant::now();
        let response = redeem(&provider, &http, &code).await;
        assert!(started.elapsed() >= Duration::from_millis(300), "{kind:?}");
        assert_eq!(response.status(), 200, "{kind:?}");
    }
}

#[tokio::test]
async fn a_hold_fault_keeps_a_refresh_until_the_same_refresh_token_comes_again() {
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    let body = json(redeem(&provider, &http, &code).await).await;
    let refresh = body["refresh_token"].as_str().unwrap();
    // Ten minutes: only the second refresh can end the hold within the test's bound.
    Fault::refresh(FaultKind::Hold { ms: 600_000 })
        .once()
        .mount(&provider);
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    let both = tokio::time::timeout(Duration::from_secs(120), async {
        tokio::join!(
            token(&provider, &http, &form),
            token(&provider, &http, &form)
        )
    });
    let (first, second) = both.await.expect("the second refresh ended the hold");
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    // Both were in flight at once: one rotated the token, the other presented it again.
    assert_eq!(statuses, [200, 400]);
}

#[tokio::test]
async fn a_dropped_connection_gives_the_client_no_response_and_the_server_survives() {
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    Fault::token(FaultKind::DropConnection)
        .once()
        .mount(&provider);
    let result = http
        .post(provider.url("/token"))
        .header(
            "authorization",
            oauth_vocab::basic::encode(CLIENT_ID, SECRET),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await;
    assert!(
        result.is_err(),
        "a response arrived: {:?}",
        result.map(|r| r.status())
    );
    assert_eq!(redeem(&provider, &http, &code).await.status(), 200);
    let last = provider.journal().into_iter().rev().nth(1).unwrap();
    assert!(
        last.has_finding(Finding::FaultDropConnection),
        "{:?}",
        last.findings
    );
    assert_eq!(last.response.status, 0);
}

#[tokio::test]
async fn expire_early_tokens_die_while_expires_in_claims_the_usual_lifetime() {
    let (provider, http) = start().await;
    Fault::token(FaultKind::ExpireEarly { after_secs: 0 })
        .once()
        .mount(&provider);
    let code = code(&provider, &http).await;
    let body = json(redeem(&provider, &http, &code).await).await;
    assert_eq!(body["expires_in"], 3600);
    let userinfo = http
        .get(provider.url("/userinfo"))
        .bearer_auth(body["access_token"].as_str().unwrap());
    let response = userinfo.send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
}

#[tokio::test]
async fn refresh_faults_hit_only_the_refresh_grant() {
    let (provider, http) = start().await;
    Fault::refresh(FaultKind::Error {
        error: ErrorCode::InvalidGrant,
        description: Some("refresh disabled".into()),
    })
    .mount(&provider);
    let code = code(&provider, &http).await;
    let body = json(redeem(&provider, &http, &code).await).await;
    let refresh = body["refresh_token"].as_str().unwrap();
    let response = token(
        &provider,
        &http,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    let body = json(response).await;
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_description"], "refresh disabled");
}

#[tokio::test]
async fn authorize_faults_redirect_with_the_error_and_state() {
    let (provider, http) = start().await;
    let fault = Fault::authorize(FaultKind::Error {
        error: ErrorCode::TemporarilyUnavailable,
        description: None,
    })
    .for_client(CLIENT_ID)
    .once();
    fault.mount(&provider);
    let response = authorize(&provider, &http, &authorize_params("st")).await;
    let location = location(&response);
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("temporarily_unavailable")
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("st"));
    let next = authorize(&provider, &http, &authorize_params("st")).await;
    assert!(query_param(&location_of(&next), "code").is_some());
}

fn location_of(response: &reqwest::Response) -> url::Url {
    location(response)
}

#[tokio::test]
async fn faults_can_be_configured_in_a_profile() {
    let text = r#"
        [[faults]]
        on = "token"
        kind = "status"
        status = 500
        times = 1
    "#;
    let (provider, http) = start_with(ProviderConfig::from_toml(text).unwrap()).await;
    let code = code(&provider, &http).await;
    assert_eq!(redeem(&provider, &http, &code).await.status(), 500);
    assert_eq!(redeem(&provider, &http, &code).await.status(), 200);
}

#[tokio::test]
async fn state_scoped_faults_and_decisions_leave_other_flows_alone() {
    let (provider, http) = start().await;
    Fault::token(FaultKind::status(500))
        .for_state("mine")
        .mount(&provider);
    mock_provider::Decision::approve("alice")
        .for_client(CLIENT_ID)
        .for_state("mine")
        .mount(&provider)
        .unwrap();
    // Another flow is untouched.
    let other = code(&provider, &http).await;
    assert_eq!(redeem(&provider, &http, &other).await.status(), 200);
    // The flow with state "mine" gets the fault at the token endpoint.
    let response = authorize(&provider, &http, &authorize_params("mine")).await;
    let code = query_param(&location(&response), "code").unwrap();
    assert_eq!(redeem(&provider, &http, &code).await.status(), 500);
}

#[tokio::test]
async fn issuer_faults_send_a_wrong_or_no_iss() {
    let (provider, http) = start().await;
    let wrong = FaultKind::WrongIssuer {
        issuer: "https://attacker.invalid".into(),
    };
    Fault::authorize(wrong).once().mount(&provider);
    Fault::authorize(FaultKind::OmitIssuer)
        .once()
        .mount(&provider);
    let first = location(&authorize(&provider, &http, &authorize_params("a")).await);
    assert_eq!(
        query_param(&first, "iss").as_deref(),
        Some("https://attacker.invalid")
    );
    assert!(query_param(&first, "code").is_some());
    let second = location(&authorize(&provider, &http, &authorize_params("b")).await);
    assert_eq!(query_param(&second, "iss"), None);
    assert!(query_param(&second, "code").is_some());
}

#[tokio::test]
async fn an_error_from_a_wrong_issuer_carries_that_iss_and_no_code() {
    // Arrange
    let (provider, http) = start().await;
    let kind = FaultKind::WrongIssuerError {
        error: ErrorCode::TemporarilyUnavailable,
        description: Some("retry at the attacker's".into()),
        issuer: "https://attacker.invalid".into(),
    };
    Fault::authorize(kind).once().mount(&provider);
    // Act
    let first = location(&authorize(&provider, &http, &authorize_params("a")).await);
    let second = location(&authorize(&provider, &http, &authorize_params("b")).await);
    // Assert: the error, its description and the claimed iss, with the state; then normal.
    assert_eq!(
        query_param(&first, "error").as_deref(),
        Some("temporarily_unavailable")
    );
    assert_eq!(
        query_param(&first, "error_description").as_deref(),
        Some("retry at the attacker's")
    );
    assert_eq!(
        query_param(&first, "iss").as_deref(),
        Some("https://attacker.invalid")
    );
    assert_eq!(query_param(&first, "state").as_deref(), Some("a"));
    assert_eq!(query_param(&first, "code"), None);
    assert_eq!(query_param(&second, "iss"), Some(provider.issuer()));
    assert!(query_param(&second, "code").is_some());
}

#[test]
fn the_error_from_a_wrong_issuer_reads_from_a_profile() {
    let fault: Fault = toml::from_str(
        "on = \"authorize\"\nkind = \"wrong_issuer_error\"\nerror = \"access_denied\"\n\
         issuer = \"https://attacker.invalid\"\n",
    )
    .unwrap();
    assert_eq!(
        fault.kind,
        FaultKind::WrongIssuerError {
            error: ErrorCode::AccessDenied,
            description: None,
            issuer: "https://attacker.invalid".into(),
        }
    );
}

#[tokio::test]
async fn omit_scope_sends_a_token_response_without_scope() {
    let (provider, http) = start().await;
    Fault::token(FaultKind::OmitScope).once().mount(&provider);
    let code = code(&provider, &http).await;
    let body = json(redeem(&provider, &http, &code).await).await;
    assert!(body.get("scope").is_none(), "{body}");
    assert!(body["access_token"].is_string());
}

#[tokio::test]
async fn token_response_variants_omit_expires_in_or_add_members() {
    let (provider, http) = start().await;
    Fault::token(FaultKind::OmitExpiresIn)
        .once()
        .mount(&provider);
    let code1 = code(&provider, &http).await;
    let body = json(redeem(&provider, &http, &code1).await).await;
    assert!(
        body.get("expires_in").is_none() && body["access_token"].is_string(),
        "{body}"
    );
    Fault::token(FaultKind::ExtraMembers)
        .once()
        .mount(&provider);
    let code2 = code(&provider, &http).await;
    let body = json(redeem(&provider, &http, &code2).await).await;
    assert!(
        body.get("x_provider_extension").is_some() && body["access_token"].is_string(),
        "{body}"
    );
}
