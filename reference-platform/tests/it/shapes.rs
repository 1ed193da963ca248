//! The shapes' own routes refuse bad input with a clear JSON error and never panic; the
//! Converse callback stores the code without exchanging it.

use mock_provider::{Endpoint, ProviderConfig};
use reference_platform::{KoreProfile, Placement, Shape};
use serde_json::{Value, json};

use crate::support::*;

async fn post(setup: &Setup, path: &str, body: Value) -> (u16, Value) {
    let response = http()
        .post(format!("{}{path}", setup.platform.uri()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn converse_steps_refuse_unknown_steps_and_offer_a_login_without_a_code() {
    let setup = setup_with(
        ProviderConfig::default(),
        |c| c.shape = Shape::Converse,
        |_| {},
    )
    .await;
    let (status, answer) = post(
        &setup,
        "/converse/turn",
        json!({"session": "s1", "step": "dance"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(answer["error"].as_str().unwrap().contains("dance"));
    let (status, _) = post(&setup, "/converse/turn", json!({"nope": 1})).await;
    assert_eq!(status, 400);
    let (status, answer) = post(
        &setup,
        "/converse/turn",
        json!({"session": "s1", "step": "get_access_token"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(answer["accessToken"], false);
    assert!(
        answer["login"]["url"]
            .as_str()
            .unwrap()
            .contains("/chat/link/")
    );
    let (status, _) = post(
        &setup,
        "/converse/channel-token",
        json!({"session": "s1", "access_token": ""}),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_converse_callback_stores_the_code_and_makes_no_token_request() {
    let setup = setup_with(
        ProviderConfig::default(),
        |c| c.shape = Shape::Converse,
        |_| {},
    )
    .await;
    let browser = browser();
    let authorization_url = start_link(&setup, &browser, "conv-1").await;
    let callback = authorize(&browser, &authorization_url).await;
    let page = browser.get(callback).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let token_requests = setup
        .provider
        .journal()
        .iter()
        .filter(|e| e.endpoint == Endpoint::Token)
        .count();
    assert_eq!(token_requests, 0, "the callback must not exchange the code");
    let (_, answer) = post(
        &setup,
        "/converse/turn",
        json!({"session": "conv-1", "step": "get_access_token"}),
    )
    .await;
    assert_eq!(answer["exchanged"], true);
}

#[tokio::test]
async fn a_converse_chat_link_stores_the_code_for_the_chat_only_once_confirmed() {
    let setup = setup_with(
        ProviderConfig::default(),
        |c| c.shape = Shape::Converse,
        |_| {},
    )
    .await;
    let (_, answer) = post(
        &setup,
        "/converse/turn",
        json!({"session": "conv-2", "step": "account_link"}),
    )
    .await;
    let link = url::Url::parse(answer["button"]["url"].as_str().unwrap()).unwrap();
    let browser = browser();
    let authorization_url = location(&browser.get(link).send().await.unwrap());
    let callback = authorize(&browser, &authorization_url).await;
    let code = confirmation_code(&visit(&browser, &callback).await);
    // Before the code comes back, Get Access Token finds no code for the chat.
    let get_token = json!({"session": "conv-2", "step": "get_access_token"});
    let (_, answer) = post(&setup, "/converse/turn", get_token.clone()).await;
    assert_eq!(answer["accessToken"], false);
    let (_, answer) = post(
        &setup,
        "/converse/turn",
        json!({"session": "conv-2", "step": "confirm_link", "code": code}),
    )
    .await;
    assert_eq!(answer["confirmed"], true, "{answer}");
    let (_, answer) = post(&setup, "/converse/turn", get_token).await;
    assert_eq!(answer["exchanged"], true, "{answer}");
    assert_eq!(code_grants(&setup).len(), 1);
}

#[tokio::test]
async fn botpress_refuses_unknown_bots_and_unknown_external_ids() {
    let setup = setup_with(
        ProviderConfig::default(),
        |c| {
            c.shape = Shape::Botpress {
                bots: vec!["bot-a".into()],
            };
            c.redirect_path = "/oauth".into();
        },
        |_| {},
    )
    .await;
    let response = http()
        .get(format!(
            "{}/botpress/bot-z/link?user=u1",
            setup.platform.uri()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = http()
        .get(format!(
            "{}/botpress/bot-a/link?user=a:b",
            setup.platform.uri()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        400,
        "a user id may not hold the separator"
    );
    let (status, _) = post(
        &setup,
        "/botpress/webhook",
        json!({"external_id": "nobody"}),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn kore_tests_an_unlinked_session_as_a_failure_and_csml_refuses_bad_sessions() {
    let setup = setup_with(
        ProviderConfig::default(),
        |c| {
            c.shape = Shape::Kore(KoreProfile {
                tenant: "acme".into(),
                authorization_url: "{provider}/t/{tenant}/authorize".into(),
                token_url: "{provider}/t/{tenant}/token".into(),
                fields: Vec::new(),
                scopes: Vec::new(),
                placement: Placement::Header,
            });
        },
        |_| {},
    )
    .await;
    let (status, answer) = post(&setup, "/kore/test-authorization", json!({"session": "k1"})).await;
    assert_eq!(status, 200);
    assert_eq!(answer["result"], "failure");
    let csml = setup_with(
        ProviderConfig::default(),
        |c| {
            c.shape = Shape::Csml {
                button_text: "Connect".into(),
            }
        },
        |_| {},
    )
    .await;
    let (status, _) = post(&csml, "/csml/chat", json!({"session": "", "text": "hi"})).await;
    assert_eq!(status, 400);
    let (status, answer) = post(&csml, "/csml/chat", json!({"session": "c1", "text": "hi"})).await;
    assert_eq!(status, 200);
    assert_eq!(answer["messages"][0]["type"], "OAuthRequest");
    assert_eq!(answer["messages"][0]["content"]["text"], "Connect");
    assert_eq!(answer["event"], Value::Null);
}

/// Links a session through the web channel at the auto-approving mock.
async fn link(setup: &Setup, sid: &str) {
    let browser = browser();
    let authorization_url = start_link(setup, &browser, sid).await;
    let callback = authorize(&browser, &authorization_url).await;
    let page = browser.get(callback).send().await.unwrap();
    assert_eq!(page.status(), 200, "{}", page.text().await.unwrap());
}

#[tokio::test]
async fn kore_places_the_token_where_the_profile_says() {
    for (placement, seen_in) in [
        (Placement::Header, "authorization"),
        (Placement::Query, "query"),
        (Placement::Payload, "body"),
    ] {
        let mut provider = ProviderConfig::default();
        provider.resource.bearer_in = vec![
            mock_provider::BearerPlacement::Header,
            mock_provider::BearerPlacement::Query,
            mock_provider::BearerPlacement::Body,
        ];
        let setup = setup_with(
            provider,
            |c| {
                c.shape = Shape::Kore(KoreProfile {
                    tenant: "acme".into(),
                    authorization_url: "{provider}/authorize?audience={audience}".into(),
                    token_url: "{provider}/token".into(),
                    fields: vec![("audience".into(), "bots".into())],
                    scopes: Vec::new(),
                    placement,
                });
            },
            |_| {},
        )
        .await;
        link(&setup, "k-1").await;
        let (status, answer) = post(
            &setup,
            "/kore/test-authorization",
            json!({"session": "k-1"}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(answer["result"], "success", "{placement:?}: {answer}");
        assert_eq!(answer["status"], 200);
        assert!(answer["headers"].is_object());
        let journal = setup.provider.journal();
        let call = journal
            .iter()
            .rev()
            .find(|e| e.endpoint == Endpoint::Resource)
            .expect("the API was called");
        let in_header = call.header("authorization").is_some();
        let in_query = call.param("access_token").is_some() && call.method == "GET";
        let in_body = call.param("access_token").is_some() && call.method == "POST";
        let actual = match (in_header, in_query, in_body) {
            (true, false, false) => "authorization",
            (false, true, false) => "query",
            (false, false, true) => "body",
            other => panic!("{placement:?}: the token was in {other:?}"),
        };
        assert_eq!(actual, seen_in, "{placement:?}");
        // The authorization URL template's dynamic field reached the provider.
        assert!(
            journal
                .iter()
                .any(|e| e.endpoint == Endpoint::Authorize && e.param("audience") == Some("bots"))
        );
    }
}
