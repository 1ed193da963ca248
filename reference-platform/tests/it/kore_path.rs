//! Kore.ai's "Path Param": the token goes into the resource URL's `{access_token}` segment, at
//! the mock's `resource.token_path`, and after a refresh the path carries the new token.

use mock_provider::{Endpoint, Fault, FaultKind, JournalEntry, ProviderConfig, ResourceConfig};
use reference_platform::{KoreProfile, Placement, Shape};
use serde_json::Value;

use crate::support::*;

const TOKEN_PATH: &str = "/api/users/{access_token}/profile";

/// A Kore.ai platform placing the token in the path, with `defects` on.
async fn kore_path(defects: &str) -> Setup {
    let provider = ProviderConfig {
        resource: ResourceConfig {
            token_path: Some(TOKEN_PATH.into()),
            ..ResourceConfig::default()
        },
        ..ProviderConfig::default()
    };
    setup_with(
        provider,
        |c| {
            let origin = url::Url::parse(&c.issuer).unwrap().origin();
            c.resource_url = format!("{}{TOKEN_PATH}", origin.ascii_serialization());
            c.defects = defects.parse().unwrap();
            c.shape = Shape::Kore(KoreProfile {
                tenant: "acme".into(),
                authorization_url: "{provider}/authorize".into(),
                token_url: "{provider}/token".into(),
                fields: Vec::new(),
                scopes: Vec::new(),
                placement: Placement::Path,
            });
        },
        |_| {},
    )
    .await
}

async fn link(setup: &Setup, sid: &str) {
    let browser = browser();
    let authorization_url = start_link(setup, &browser, sid).await;
    let callback = authorize(&browser, &authorization_url).await;
    let page = browser.get(callback).send().await.unwrap();
    assert_eq!(page.status(), 200, "{}", page.text().await.unwrap());
}

async fn whoami(setup: &Setup, sid: &str) -> Value {
    http()
        .get(format!("{}/whoami", setup.platform.uri()))
        .query(&[("session", sid)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn api_calls(setup: &Setup) -> Vec<JournalEntry> {
    setup
        .provider
        .journal()
        .into_iter()
        .filter(|e| e.endpoint == Endpoint::Resource)
        .collect()
}

/// The access token of the last successful token response of `grant_type`.
fn issued(setup: &Setup, grant_type: &str) -> String {
    let entry = setup
        .provider
        .journal()
        .into_iter()
        .rev()
        .find(|e| e.param("grant_type") == Some(grant_type) && e.response.status == 200)
        .expect("a token response");
    let body: Value = serde_json::from_str(&entry.response.body).unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_token_goes_into_the_path_segment_and_nowhere_else() {
    // Arrange
    let setup = kore_path("").await;
    link(&setup, "kp-1").await;
    // Act
    let answer = whoami(&setup, "kp-1").await;
    // Assert
    assert_eq!(answer["linked"], true, "{answer}");
    let token = issued(&setup, "authorization_code");
    let calls = api_calls(&setup);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].path, format!("/api/users/{token}/profile"));
    assert!(calls[0].header("authorization").is_none());
    assert!(calls[0].param("access_token").is_none());
}

#[tokio::test]
async fn after_a_refresh_the_path_carries_the_new_token_unless_the_defect_keeps_the_old() {
    for (defects, linked) in [("", true), ("kore_path_stale_token", false)] {
        // Arrange
        let setup = kore_path(defects).await;
        Fault::token(FaultKind::ExpireEarly { after_secs: 0 })
            .once()
            .mount(&setup.provider);
        link(&setup, "kp-2").await;
        // Act
        let answer = whoami(&setup, "kp-2").await;
        // Assert
        assert_eq!(answer["linked"], linked, "{defects}: {answer}");
        let refreshed = issued(&setup, "refresh_token");
        let last = api_calls(&setup).pop().unwrap();
        let carries_new = last.path == format!("/api/users/{refreshed}/profile");
        assert_eq!(carries_new, linked, "{defects}: {}", last.path);
    }
}
