//! Bad input gets the endpoint's RFC error, never a panic, and nothing already issued is lost.

use mock_provider::Finding;
use mock_provider::{Limits, ProviderConfig};

use crate::support::*;

#[tokio::test]
async fn garbage_at_the_token_endpoint_is_invalid_request_and_issued_tokens_survive() {
    // Arrange: a live token.
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    let access = json(redeem(&provider, &http, &code).await).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = provider.url("/token");
    let form = "application/x-www-form-urlencoded";
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        (form, b"grant_type=%FF%FE".to_vec()),
        (form, b"\xff\xfe\xfd".to_vec()),
        (form, b"grant_type=authorization_code&code=%".to_vec()),
        (form, vec![b'a'; 64 * 1024]),
        ("text/plain", b"grant_type=client_credentials".to_vec()),
        ("application/json", b"{\"grant_type\":".to_vec()),
        ("", Vec::new()),
    ];
    // Act / Assert
    for (content_type, body) in bodies {
        let mut request = http.post(&url).body(body);
        if !content_type.is_empty() {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.expect("the server answers");
        assert!(
            matches!(response.status().as_u16(), 400 | 401),
            "{content_type}: {}",
            response.status()
        );
        let error = json(response).await;
        assert!(error["error"].is_string(), "{error}");
    }
    let userinfo = http
        .get(provider.url("/userinfo"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        userinfo.status(),
        200,
        "a token issued before the garbage was lost"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_invalid_request() {
    let config = ProviderConfig {
        limits: Limits {
            max_body_bytes: 256,
            ..Limits::default()
        },
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    let big = format!("grant_type=client_credentials&pad={}", "x".repeat(1024));
    let response = http
        .post(provider.url("/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(json(response).await["error"], "invalid_request");
    assert!(provider.journal()[0].has_finding(Finding::RequestTooLarge));
}

#[tokio::test]
async fn stores_stay_bounded_under_many_flows() {
    let limits = Limits {
        max_codes: 5,
        max_tokens: 10,
        journal_capacity: 20,
        ..Limits::default()
    };
    let config = ProviderConfig {
        limits,
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    let mut tokens = Vec::new();
    for _ in 0..30 {
        let code = code(&provider, &http).await;
        tokens.push(
            json(redeem(&provider, &http, &code).await).await["access_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(provider.journal().len(), 20, "the journal is not bounded");
    // The oldest tokens were forgotten; the newest still work.
    let status = |t: String| {
        let request = http.get(provider.url("/userinfo")).bearer_auth(t);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(tokens[0].clone()).await, 401);
    assert_eq!(status(tokens[29].clone()).await, 200);
    // Every live entry dropped is counted against its client.
    let lost = provider.evictions();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(lost[0].codes > 0 && lost[0].tokens > 0, "{lost:?}");
}

#[tokio::test]
async fn unknown_paths_are_404_not_a_crash() {
    let (provider, http) = start().await;
    let response = http
        .get(provider.url("/nothing/here"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn a_form_in_any_letter_case_is_parsed_and_redacted_in_the_journal() {
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri={}&code_verifier={VERIFIER}",
        oauth_vocab::form_encode(REDIRECT)
    );
    let response = http
        .post(provider.url("/token"))
        .header(
            "authorization",
            oauth_vocab::basic::encode(CLIENT_ID, SECRET),
        )
        .header(
            "content-type",
            "Application/X-WWW-Form-Urlencoded; Charset=UTF-8",
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let entry = provider.journal().pop().unwrap();
    assert_eq!(entry.param("code"), Some(code.as_str()));
    let written = serde_json::to_string(&entry.redacted()).unwrap();
    assert!(
        !written.contains(&code) && !written.contains(VERIFIER),
        "{written}"
    );
}
