//! The authorization endpoint: RFC 6749 §4.1.1–§4.1.2.1, RFC 7636 §4.3–§4.4, RFC 9207.

use crate::support::*;

#[tokio::test]
async fn approves_a_valid_request_with_code_state_and_iss() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let response = authorize(&provider, &http, &authorize_params("a b&c=d/é")).await;
    // Assert
    assert_eq!(response.status(), 302);
    let location = location(&response);
    assert!(location.as_str().starts_with(REDIRECT), "{location}");
    assert_eq!(
        query_param(&location, "state").as_deref(),
        Some("a b&c=d/é")
    );
    assert_eq!(query_param(&location, "iss"), Some(provider.uri()));
    assert!(query_param(&location, "code").is_some_and(|c| c.len() >= 43));
    assert_eq!(response.headers()["cache-control"], "no-store");
}
