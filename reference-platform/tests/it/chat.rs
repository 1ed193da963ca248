//! The chat channel: an OAuth button with a single-use ticket, then the same flow.

use serde_json::{Value, json};
use url::Url;

use crate::support::*;

async fn say(setup: &Setup, sid: &str, text: &str) -> Value {
    let response = http()
        .post(format!("{}/chat", setup.platform.uri()))
        .json(&json!({ "session": sid, "text": text }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_chat_button_links_the_chat_session() {
    // Arrange
    let setup = setup().await;
    let browser = browser();

    // Act: the unlinked user gets a button.
    let answer = say(&setup, "chat-7", "link my account").await;
    let button = &answer["messages"][0];
    assert_eq!(button["type"], "oauth_button");
    assert_eq!(button["text"], "Link your account");
    let url = Url::parse(button["url"].as_str().unwrap()).unwrap();
    assert!(
        url.as_str()
            .starts_with(&format!("{}/chat/link/", setup.platform.uri()))
    );
    assert!(url.query().is_none());
    // Following it starts the flow in the browser.
    let response = browser.get(url.clone()).send().await.unwrap();
    assert!(
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("rp_browser=")
    );
    let authorization_url = location(&response);
    assert_eq!(
        param(&authorization_url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let callback = authorize(&browser, &authorization_url).await;
    assert_linked_page(&visit(&browser, &callback).await);

    // Assert
    let answer = say(&setup, "chat-7", "who am I?").await;
    assert_eq!(
        answer,
        json!({"messages": [{"type": "text", "text": "You are linked as alice."}]})
    );
    assert_eq!(whoami(&setup, "chat-7").await["sub"], "alice");
    // The ticket was single-use.
    let again = visit(&browser, &url).await;
    assert_failure(&again, "unknown or expired link");
}

#[tokio::test]
async fn every_turn_gets_a_fresh_ticket() {
    let setup = setup().await;
    let a = say(&setup, "s", "hi").await;
    let b = say(&setup, "s", "hi").await;
    assert_ne!(a["messages"][0]["url"], b["messages"][0]["url"]);
}

#[tokio::test]
async fn unlink_in_the_chat_brings_the_button_back() {
    let setup = setup().await;
    assert_linked_page(&link(&setup, &browser(), "s").await);
    let answer = say(&setup, "s", "unlink").await;
    assert_eq!(answer["messages"][0]["text"], "Your account is unlinked.");
    let answer = say(&setup, "s", "who am I?").await;
    assert_eq!(answer["messages"][0]["type"], "oauth_button");
    assert_eq!(requests_to(&setup, "/revoke").len(), 1);
}

#[tokio::test]
async fn bad_chat_turns_get_400() {
    let setup = setup().await;
    let http = http();
    let url = format!("{}/chat", setup.platform.uri());
    for body in [
        "",
        "not json",
        "[]",
        r#"{"text":"hi"}"#,
        r#"{"session":""}"#,
    ] {
        let response = http
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert!(answer["error"].is_string());
    }
    let huge = json!({ "session": "s", "text": "x".repeat(100_000) });
    let response = http.post(&url).json(&huge).send().await.unwrap();
    assert_eq!(response.status(), 400);
}
