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
    let page = visit(&browser, &callback).await;
    // The link waits for the chat user to send back the code the browser shows.
    let code = confirmation_code(&page);
    let answer = say(&setup, "chat-7", "who am I?").await;
    assert_eq!(answer["messages"][0]["type"], "oauth_button");
    let answer = say(&setup, "chat-7", &code).await;
    assert_eq!(
        answer["messages"][0]["text"],
        "Account linked. You can use it in this chat now."
    );

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

/// Mallory's chat asks for a login link; Alice opens it in her browser and logs in as
/// herself. Returns the callback page Alice sees.
async fn alice_opens_mallorys_link(setup: &Setup) -> Page {
    let answer = say(setup, "mallory-chat", "link my account").await;
    let link = Url::parse(answer["messages"][0]["url"].as_str().unwrap()).unwrap();
    let alice = browser();
    let authorization_url = location(&alice.get(link).send().await.unwrap());
    let callback = authorize(&alice, &authorization_url).await;
    visit(&alice, &callback).await
}

#[tokio::test]
async fn a_login_link_opened_by_someone_else_links_nobody_without_the_code() {
    let setup = setup().await;
    let page = alice_opens_mallorys_link(&setup).await;
    let code = confirmation_code(&page);
    // Mallory's chat is not linked to Alice's account; Alice's code does nothing in her own chat.
    assert_eq!(whoami(&setup, "mallory-chat").await["linked"], false);
    let answer = say(&setup, "alice-chat", &code).await;
    assert_linking_failed(&answer);
    assert_eq!(whoami(&setup, "alice-chat").await["linked"], false);
    // A wrong guess in Mallory's chat drops the link: the right code no longer works.
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let answer = say(&setup, "mallory-chat", wrong).await;
    assert_linking_failed(&answer);
    let answer = say(&setup, "mallory-chat", &code).await;
    assert_linking_failed(&answer);
    assert_eq!(whoami(&setup, "mallory-chat").await["linked"], false);
}

/// The chat's answer says linking failed.
fn assert_linking_failed(answer: &Value) {
    let text = answer["messages"][0]["text"].as_str().unwrap_or_default();
    assert!(text.starts_with("Linking failed"), "{answer}");
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
