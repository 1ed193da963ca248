//! CSML's chatbot-wide service account: one `client_credentials` token for every user, obtained
//! anew once refused, never in a chat answer; each service defect breaks exactly that.

use mock_provider::{Endpoint, GrantType, JournalEntry, ProviderConfig};
use reference_platform::Shape;
use serde_json::{Value, json};

use crate::support::*;

async fn csml(defects: &str) -> Setup {
    setup_with(
        ProviderConfig::default(),
        |c| {
            c.shape = Shape::Csml {
                button_text: "Connect".into(),
            };
            c.defects = defects.parse().unwrap();
        },
        |r| r.grant_types = GrantType::ALL.to_vec(),
    )
    .await
}

/// A service turn's answer text.
async fn service_turn(setup: &Setup, sid: &str) -> String {
    let answer: Value = http()
        .post(format!("{}/csml/service", setup.platform.uri()))
        .json(&json!({ "session": sid, "text": "opening hours?" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["messages"][0]["content"]["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn grants(setup: &Setup) -> Vec<JournalEntry> {
    setup
        .provider
        .journal()
        .into_iter()
        .filter(|e| e.param("grant_type") == Some("client_credentials"))
        .collect()
}

fn issued(grant: &JournalEntry) -> String {
    let body: Value = serde_json::from_str(&grant.response.body).unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// The Bearer tokens of the API calls, in order.
fn used(setup: &Setup) -> Vec<String> {
    setup
        .provider
        .journal()
        .into_iter()
        .filter(|e| e.endpoint == Endpoint::Resource)
        .filter_map(|e| {
            Some(
                e.header("authorization")?
                    .strip_prefix("Bearer ")?
                    .to_owned(),
            )
        })
        .collect()
}

/// Revokes `token` at the mock as the platform's client (RFC 7009).
async fn revoke(setup: &Setup, token: &str) {
    let response = http()
        .post(setup.provider.revocation_endpoint())
        .basic_auth(
            oauth_vocab::form_encode(CLIENT_ID),
            Some(oauth_vocab::form_encode(SECRET)),
        )
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn one_authenticated_grant_serves_every_user_and_is_never_shown() {
    // Arrange
    let setup = csml("").await;
    // Act
    let mut answers = Vec::new();
    for sid in ["s-alice", "s-bob", "s-alice"] {
        answers.push(service_turn(&setup, sid).await);
    }
    // Assert
    let grants = grants(&setup);
    assert_eq!(grants.len(), 1, "one grant for three turns of two users");
    assert!(
        grants[0]
            .header("authorization")
            .is_some_and(|h| h.starts_with("Basic "))
    );
    assert_eq!(grants[0].response.status, 200);
    let token = issued(&grants[0]);
    assert_eq!(used(&setup), vec![token.clone(); 3]);
    for answer in &answers {
        assert_eq!(answer, &format!("The service answered for {CLIENT_ID}"));
        assert!(!answer.contains(&token));
    }
}

#[tokio::test]
async fn a_refused_service_token_is_obtained_anew_once() {
    // Arrange
    let setup = csml("").await;
    service_turn(&setup, "s-alice").await;
    revoke(&setup, &issued(&grants(&setup)[0])).await;
    // Act
    let answer = service_turn(&setup, "s-bob").await;
    // Assert
    assert_eq!(answer, format!("The service answered for {CLIENT_ID}"));
    let grants = grants(&setup);
    assert_eq!(grants.len(), 2);
    assert_eq!(used(&setup).last(), Some(&issued(&grants[1])));
    assert!(
        !setup
            .provider
            .journal()
            .iter()
            .any(|e| e.param("grant_type") == Some("refresh_token")),
        "client_credentials has no refresh token (RFC 6749 §4.4.3)"
    );
}

#[tokio::test]
async fn each_service_defect_breaks_its_rule() {
    // A grant per turn.
    let setup = csml("service_token_per_turn").await;
    for sid in ["s-alice", "s-bob"] {
        service_turn(&setup, sid).await;
    }
    assert_eq!(grants(&setup).len(), 2);
    // The token in the chat answer.
    let setup = csml("service_token_shown_to_user").await;
    let answer = service_turn(&setup, "s-alice").await;
    assert!(answer.contains(&issued(&grants(&setup)[0])), "{answer}");
    // A refused token kept.
    let setup = csml("service_token_not_renewed").await;
    service_turn(&setup, "s-alice").await;
    revoke(&setup, &issued(&grants(&setup)[0])).await;
    let answer = service_turn(&setup, "s-bob").await;
    assert!(
        answer.starts_with("The service cannot be reached"),
        "{answer}"
    );
    assert_eq!(grants(&setup).len(), 1);
}

#[tokio::test]
async fn a_service_turn_refuses_bad_input() {
    let setup = csml("").await;
    let response = http()
        .post(format!("{}/csml/service", setup.platform.uri()))
        .json(&json!({ "session": "" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(grants(&setup).is_empty());
}
