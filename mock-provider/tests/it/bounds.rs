//! Values that once panicked the provider: an `expire_early` fault or a profile lifetime too
//! long for the clock, statuses no response can carry, and an endless pile of faults. Each is
//! refused with an error naming the field, and the provider keeps serving.

use std::time::Duration;

use mock_provider::{
    ClientConfig, ControlError, Decision, Fault, FaultKind, MAX_FAULTS, MAX_LIFETIME_SECS,
    MockProvider, ProviderConfig,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::*;

async fn post_fault(
    provider: &MockProvider,
    http: &reqwest::Client,
    fault: &Value,
) -> reqwest::Response {
    http.post(admin_url(provider, "/faults"))
        .json(fault)
        .send()
        .await
        .expect("the control API answers")
}

/// Asserts that the control API lists no fault.
async fn assert_no_fault_mounted(provider: &MockProvider, http: &reqwest::Client) {
    let faults = http
        .get(admin_url(provider, "/faults"))
        .send()
        .await
        .expect("answers");
    assert_eq!(json(faults).await, json!([]));
}

/// Asserts a 400 naming `field`.
async fn refused_naming(response: reqwest::Response, field: &str) {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json(response).await;
    let why = body["error_description"].as_str().expect("a description");
    assert!(why.starts_with(field), "{why}");
}

#[tokio::test]
async fn a_huge_expire_early_is_refused_and_the_provider_keeps_issuing() {
    // Arrange
    let (provider, http) = start().await;
    let fault = json!({"on": "token", "kind": "expire_early", "after_secs": u64::MAX});
    // Act
    let response = post_fault(&provider, &http, &fault).await;
    let by_library =
        Fault::token(FaultKind::expire_early(Duration::from_secs(u64::MAX))).try_mount(&provider);
    // Assert
    refused_naming(response, "after_secs").await;
    assert!(
        matches!(by_library, Err(ControlError::InvalidFault { key, .. }) if key == "after_secs")
    );
    let tokens = issued_tokens(&provider, &http).await;
    assert!(tokens["access_token"].is_string(), "{tokens}");
}

#[tokio::test]
async fn the_longest_expire_early_issues_tokens() {
    // Arrange: the bound itself mounts, and the store takes the deadline.
    let (provider, http) = start().await;
    let fault = json!({"on": "token", "kind": "expire_early", "after_secs": MAX_LIFETIME_SECS});
    // Act
    let response = post_fault(&provider, &http, &fault).await;
    // Assert
    assert_eq!(response.status(), StatusCode::CREATED);
    let first = issued_tokens(&provider, &http).await;
    let second = issued_tokens(&provider, &http).await;
    assert!(first["access_token"].is_string() && second["access_token"].is_string());
}

#[tokio::test]
async fn statuses_that_are_not_final_http_statuses_are_refused() {
    // Arrange
    let (provider, http) = start().await;
    for status in [0, 101, 600, 999] {
        // Act
        let response = post_fault(
            &provider,
            &http,
            &json!({"on": "token", "kind": "status", "status": status}),
        )
        .await;
        // Assert
        refused_naming(response, "status").await;
        assert!(
            Fault::token(FaultKind::status(status))
                .try_mount(&provider)
                .is_err(),
            "{status}"
        );
    }
    assert_no_fault_mounted(&provider, &http).await;
}

#[tokio::test]
async fn an_endless_delay_is_refused() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let response = post_fault(
        &provider,
        &http,
        &json!({"on": "token", "kind": "delay", "ms": u64::MAX}),
    )
    .await;
    // Assert
    refused_naming(response, "ms").await;
}

#[tokio::test]
async fn the_fault_after_the_last_allowed_is_refused() {
    // Arrange
    let (provider, http) = start().await;
    for _ in 0..MAX_FAULTS {
        Fault::token(FaultKind::Html)
            .for_client("nobody")
            .mount(&provider);
    }
    // Act
    let response = post_fault(&provider, &http, &json!({"on": "token", "kind": "html"})).await;
    // Assert
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body = json(response).await;
    let why = body["error_description"].as_str().expect("a description");
    assert!(why.contains(&MAX_FAULTS.to_string()), "{why}");
    let cleared = http
        .delete(admin_url(&provider, "/faults"))
        .send()
        .await
        .expect("answers");
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    let again = post_fault(&provider, &http, &json!({"on": "token", "kind": "html"})).await;
    assert_eq!(again.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_lifetime_of_i64_max_is_refused_at_load_by_name() {
    for key in [
        "code_ttl_secs",
        "access_token_ttl_secs",
        "refresh_token_ttl_secs",
    ] {
        // Act
        let from_toml = ProviderConfig::from_toml(&format!("{key} = 9223372036854775807"));
        let mut config = ProviderConfig::default();
        match key {
            "code_ttl_secs" => config.code_ttl_secs = 9_223_372_036_854_775_807,
            "access_token_ttl_secs" => config.access_token_ttl_secs = 9_223_372_036_854_775_807,
            _ => config.refresh_token_ttl_secs = 9_223_372_036_854_775_807,
        }
        let started = MockProvider::builder().config(config).start().await;
        // Assert
        let err = from_toml.unwrap_err().to_string();
        assert!(err.starts_with(key), "{err}");
        let err = started.unwrap_err().to_string();
        assert!(err.starts_with(key), "{err}");
    }
}

#[tokio::test]
async fn a_control_body_over_max_body_bytes_is_refused_with_a_json_413() {
    // Arrange: a fault padded past the default 16 KiB.
    let (provider, http) = start().await;
    let fault = json!({"on": "token", "kind": "error", "error": "invalid_grant",
        "description": "x".repeat(20 * 1024)});
    // Act
    let response = post_fault(&provider, &http, &fault).await;
    // Assert
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = json(response).await;
    assert_eq!(body["error"], "invalid_request", "{body}");
    assert_no_fault_mounted(&provider, &http).await;
}

#[tokio::test]
async fn decisions_are_bounded_across_all_clients() {
    // Arrange: ten clients with a full queue each.
    let (provider, _) = start().await;
    for i in 0..11 {
        provider
            .register_client(ClientConfig {
                client_id: format!("c{i}"),
                ..ClientConfig::default()
            })
            .expect("registers");
    }
    for i in 0..10 {
        for _ in 0..1_000 {
            Decision::approve("alice")
                .for_client(format!("c{i}"))
                .mount(&provider)
                .expect("room");
        }
    }
    // Act
    let refused = Decision::approve("alice")
        .for_client("c10")
        .mount(&provider);
    // Assert
    assert_eq!(refused, Err(ControlError::DecisionsFull { limit: 10_000 }));
}
