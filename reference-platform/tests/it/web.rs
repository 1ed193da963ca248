//! The web channel end to end: what the platform sends at each step of a successful link.

use mock_provider::pkce::s256_challenge;

use crate::support::*;

#[tokio::test]
async fn links_an_account_and_reports_the_user() {
    // Arrange
    let setup = setup().await;
    let browser = browser();

    // Act
    let authorization_url = start_link(&setup, &browser, "chat-1").await;
    let callback = authorize(&browser, &authorization_url).await;
    let page = visit(&browser, &callback).await;
    let who = whoami(&setup, "chat-1").await;

    // Assert: the authorization request.
    let expected_endpoint = setup.provider.url("/authorize");
    assert!(authorization_url.as_str().starts_with(&expected_endpoint));
    assert_eq!(
        param(&authorization_url, "response_type").as_deref(),
        Some("code")
    );
    assert_eq!(
        param(&authorization_url, "client_id").as_deref(),
        Some(CLIENT_ID)
    );
    assert_eq!(
        param(&authorization_url, "redirect_uri"),
        Some(setup.platform.redirect_uri())
    );
    assert_eq!(
        param(&authorization_url, "scope").as_deref(),
        Some("read profile")
    );
    assert!(
        authorization_url
            .query()
            .unwrap()
            .contains("scope=read+profile")
    );
    assert_eq!(
        param(&authorization_url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let state = param(&authorization_url, "state").unwrap();
    assert_eq!(state.len(), 43);
    // The callback and the page.
    assert_eq!(param(&callback, "state"), Some(state));
    assert_linked_page(&page);
    let code = param(&callback, "code").unwrap();
    assert!(!page.body.contains(&code));
    // The token request: once, form-encoded, verifier matching the challenge, same redirect URI.
    let redemptions = code_grants(&setup);
    assert_eq!(redemptions.len(), 1);
    let token = &redemptions[0];
    assert_eq!(token.response.status, 200);
    assert!(token.findings.is_empty(), "{:?}", token.findings);
    assert_eq!(
        token.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(token.param("code"), Some(code.as_str()));
    assert_eq!(
        token.param("redirect_uri"),
        Some(setup.platform.redirect_uri().as_str())
    );
    let verifier = token.param("code_verifier").unwrap();
    assert_eq!(
        Some(s256_challenge(verifier)),
        param(&authorization_url, "code_challenge")
    );
    assert!(token.header("authorization").unwrap().starts_with("Basic "));
    assert_eq!(token.param("client_secret"), None);
    // The probe: Bearer header, never a query.
    assert_eq!(who["linked"], true);
    assert_eq!(who["sub"], "alice");
    assert_eq!(who["scope"], "read profile");
    let resource = requests_to(&setup, "/api/resource");
    assert_eq!(resource.len(), 1);
    assert!(
        resource[0]
            .header("authorization")
            .unwrap()
            .starts_with("Bearer ")
    );
    assert!(resource[0].query.is_empty());
    assert_eq!(resource[0].response.status, 200);
}

#[tokio::test]
async fn the_browser_cookie_is_http_only_and_lax_and_set_once() {
    let setup = setup().await;
    let browser = browser();
    let response = browser
        .get(format!("{}/link?session=s", setup.platform.uri()))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("rp_browser="), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Path=/"));
    assert_eq!(response.headers()["cache-control"], "no-store");
    let again = browser
        .get(format!("{}/link?session=s", setup.platform.uri()))
        .send()
        .await
        .unwrap();
    assert!(again.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn every_flow_gets_a_fresh_state_and_challenge() {
    let setup = setup().await;
    let browser = browser();
    let mut states = std::collections::HashSet::new();
    let mut challenges = std::collections::HashSet::new();
    for _ in 0..10 {
        let url = start_link(&setup, &browser, "s").await;
        states.insert(param(&url, "state").unwrap());
        challenges.insert(param(&url, "code_challenge").unwrap());
    }
    assert_eq!(states.len(), 10);
    assert_eq!(challenges.len(), 10);
}

#[tokio::test]
async fn return_to_parameters_never_redirect() {
    let setup = setup().await;
    let browser = browser();
    let authorization_url = start_link(&setup, &browser, "s").await;
    let callback = authorize(&browser, &authorization_url).await;
    let mut evil = callback.clone();
    evil.query_pairs_mut()
        .append_pair("return_to", "https://evil.invalid/")
        .append_pair("next", "https://evil.invalid/")
        .append_pair("redirect", "https://evil.invalid/");
    let page = visit(&browser, &evil).await;
    assert_linked_page(&page);
    assert!(!page.body.contains("evil"));
}

#[tokio::test]
async fn bad_input_gets_an_answer_not_a_panic() {
    let setup = setup().await;
    let base = setup.platform.uri();
    let http = http();
    let get = |path: &str| http.get(format!("{base}{path}")).send();

    let health = get("/health").await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    for (path, status) in [
        ("/link", 400),
        ("/link?session=", 400),
        ("/link?session=a&session=b", 400),
        ("/link?session=%00", 400),
        ("/callback", 400),
        ("/callback?state=%FF%FE", 400),
        ("/callback?code=x", 400),
        ("/whoami", 400),
        ("/whoami?session=a&session=b", 400),
        ("/chat/link/nope", 400),
        ("/nowhere", 404),
    ] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), status, "{path}");
    }
    let long = format!("/whoami?session={}", "x".repeat(10_000));
    assert_eq!(get(&long).await.unwrap().status(), 400);
    let unlink = http.post(format!("{base}/unlink")).send().await.unwrap();
    assert_eq!(unlink.status(), 400);
    // The platform still works.
    assert_eq!(get("/health").await.unwrap().status(), 200);
    assert!(code_grants(&setup).is_empty());
}
