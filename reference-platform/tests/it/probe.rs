//! Using the token: refresh on 401 (once, with rotation), login required when that fails,
//! resource errors, step-up on insufficient scope, and revocation on unlink.

use mock_provider::{ErrorCode, Fault, FaultKind, FaultTarget, ProviderConfig, ResourceConfig};
use serde_json::json;

use crate::support::*;

fn expire_at_once(target: FaultTarget) -> Fault {
    Fault::new(target, FaultKind::ExpireEarly { after_secs: 0 }).once()
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once() {
    let setup = setup().await;
    expire_at_once(FaultTarget::Token).mount(&setup.provider);
    assert_linked_page(&link(&setup, &browser(), "s").await);
    let who = whoami(&setup, "s").await;
    assert_eq!(who["linked"], true, "{who}");
    assert_eq!(who["sub"], "alice");
    let refreshes = grants(&setup, "refresh_token");
    assert_eq!(refreshes.len(), 1);
    assert_eq!(refreshes[0].response.status, 200);
    assert!(
        refreshes[0]
            .header("authorization")
            .unwrap()
            .starts_with("Basic ")
    );
    assert_eq!(refreshes[0].param("scope"), None);
    let statuses: Vec<u16> = requests_to(&setup, "/api/resource")
        .iter()
        .map(|e| e.response.status)
        .collect();
    assert_eq!(statuses, [401, 200]);
}

#[tokio::test]
async fn a_refreshed_token_refused_again_means_login_required_without_a_loop() {
    let setup = setup().await;
    expire_at_once(FaultTarget::Token).mount(&setup.provider);
    expire_at_once(FaultTarget::Refresh).mount(&setup.provider);
    assert_linked_page(&link(&setup, &browser(), "s").await);
    assert_eq!(
        whoami(&setup, "s").await,
        json!({"linked": false, "reason": "login required"})
    );
    assert_eq!(grants(&setup, "refresh_token").len(), 1);
    assert_eq!(requests_to(&setup, "/api/resource").len(), 2);
}

#[tokio::test]
async fn the_rotated_refresh_token_replaces_the_old_one() {
    let setup = setup().await;
    expire_at_once(FaultTarget::Token).mount(&setup.provider);
    Fault::new(
        FaultTarget::Refresh,
        FaultKind::ExpireEarly { after_secs: 1 },
    )
    .once()
    .mount(&setup.provider);
    assert_linked_page(&link(&setup, &browser(), "s").await);
    // Probe 1 refreshes (rt1 → rt2) and gets an access token that dies after a second.
    assert_eq!(whoami(&setup, "s").await["linked"], true);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    // Probe 2 must refresh with rt2: the provider would revoke the family for a reused rt1.
    assert_eq!(whoami(&setup, "s").await["linked"], true);
    let refreshes = grants(&setup, "refresh_token");
    assert_eq!(refreshes.len(), 2);
    let issued = |entry: &mock_provider::JournalEntry, member: &str| {
        let body: serde_json::Value = serde_json::from_str(&entry.response.body).unwrap();
        body[member].as_str().unwrap().to_owned()
    };
    let rt1 = issued(&code_grants(&setup)[0], "refresh_token");
    let rt2 = issued(&refreshes[0], "refresh_token");
    assert_ne!(rt1, rt2, "the provider rotates");
    assert_eq!(refreshes[0].param("refresh_token"), Some(rt1.as_str()));
    assert_eq!(refreshes[1].param("refresh_token"), Some(rt2.as_str()));
    assert!(refreshes.iter().all(|e| e.response.status == 200));
}

#[tokio::test]
async fn a_failed_refresh_means_login_required() {
    let setup = setup().await;
    expire_at_once(FaultTarget::Token).mount(&setup.provider);
    Fault::new(
        FaultTarget::Refresh,
        FaultKind::Error {
            error: ErrorCode::InvalidGrant,
            description: None,
        },
    )
    .once()
    .mount(&setup.provider);
    assert_linked_page(&link(&setup, &browser(), "s").await);
    assert_eq!(
        whoami(&setup, "s").await,
        json!({"linked": false, "reason": "login required"})
    );
    assert_eq!(whoami(&setup, "s").await, json!({"linked": false}));
    assert_eq!(grants(&setup, "refresh_token").len(), 1);
}

#[tokio::test]
async fn concurrent_probes_refresh_only_once() {
    let setup = setup().await;
    expire_at_once(FaultTarget::Token).mount(&setup.provider);
    assert_linked_page(&link(&setup, &browser(), "s").await);
    let (a, b, c, d) = tokio::join!(
        whoami(&setup, "s"),
        whoami(&setup, "s"),
        whoami(&setup, "s"),
        whoami(&setup, "s")
    );
    for who in [a, b, c, d] {
        assert_eq!(who["linked"], true, "{who}");
    }
    assert_eq!(grants(&setup, "refresh_token").len(), 1);
}

#[tokio::test]
async fn a_token_revoked_at_the_provider_leads_back_to_login() {
    let setup = setup().await;
    assert_linked_page(&link(&setup, &browser(), "s").await);
    // Revoke the refresh token (and its family) directly at the provider.
    let refresh_token = code_grants(&setup)[0].response.body.clone();
    let refresh_token: serde_json::Value = serde_json::from_str(&refresh_token).unwrap();
    let revoked = http()
        .post(setup.provider.url("/revoke"))
        .header(
            "authorization",
            oauth_vocab::basic::encode(CLIENT_ID, SECRET),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "token={}&token_type_hint=refresh_token",
            refresh_token["refresh_token"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(
        whoami(&setup, "s").await,
        json!({"linked": false, "reason": "login required"})
    );
}

#[tokio::test]
async fn an_unreachable_resource_keeps_the_link() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let resource = format!("http://{}/api", closed.local_addr().unwrap());
    drop(closed);
    let setup = setup_with(
        ProviderConfig::default(),
        |p| p.resource_url = resource,
        |_| {},
    )
    .await;
    assert_linked_page(&link(&setup, &browser(), "s").await);
    assert_eq!(
        whoami(&setup, "s").await,
        json!({"linked": true, "error": "resource unavailable"})
    );
    assert!(grants(&setup, "refresh_token").is_empty());
}

#[tokio::test]
async fn insufficient_scope_steps_up_in_the_next_flow() {
    let config = ProviderConfig {
        resource: ResourceConfig {
            required_scope: Some("write".into()),
            ..ResourceConfig::default()
        },
        ..ProviderConfig::default()
    };
    let setup = setup_with(config, |_| {}, |_| {}).await;
    let browser = browser();
    assert_linked_page(&link(&setup, &browser, "s").await);
    assert_eq!(
        whoami(&setup, "s").await,
        json!({"linked": true, "error": "insufficient_scope", "required_scope": "write"})
    );
    let authorization_url = start_link(&setup, &browser, "s").await;
    assert_eq!(
        param(&authorization_url, "scope").as_deref(),
        Some("read profile write")
    );
    // Another session still asks for exactly the configured scopes.
    let other = start_link(&setup, &browser, "other").await;
    assert_eq!(param(&other, "scope").as_deref(), Some("read profile"));
    let callback = authorize(&browser, &authorization_url).await;
    assert_linked_page(&visit(&browser, &callback).await);
    let who = whoami(&setup, "s").await;
    assert_eq!(who["linked"], true);
    assert_eq!(who["scope"], "read profile write");
    assert!(grants(&setup, "refresh_token").is_empty());
}

#[tokio::test]
async fn unlink_revokes_and_forgets() {
    let setup = setup().await;
    assert_linked_page(&link(&setup, &browser(), "s").await);
    let response = http()
        .post(format!("{}/unlink?session=s", setup.platform.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        json!({"linked": false})
    );
    let revocations = requests_to(&setup, "/revoke");
    assert_eq!(revocations.len(), 1);
    assert_eq!(revocations[0].response.status, 200);
    assert_eq!(
        revocations[0].param("token_type_hint"),
        Some("refresh_token")
    );
    assert!(
        revocations[0]
            .header("authorization")
            .unwrap()
            .starts_with("Basic ")
    );
    assert_eq!(whoami(&setup, "s").await, json!({"linked": false}));
    // Unlinking an unlinked session is harmless.
    let again = http()
        .post(format!("{}/unlink?session=s", setup.platform.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(requests_to(&setup, "/revoke").len(), 1);
}
