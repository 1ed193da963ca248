//! The token endpoint: RFC 6749 §4.1.3, §5.1, §5.2, §6; RFC 7636 §4.6; RFC 9700 §4.14.

use crate::support::*;

#[tokio::test]
async fn redeems_a_code_once_with_a_no_store_bearer_response() {
    // Arrange
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    // Act
    let response = redeem(&provider, &http, &code).await;
    // Assert
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["pragma"], "no-cache");
    let body = json(response).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "read");
    assert!(body["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["refresh_token"].as_str().is_some());
    let _ = SECRET;
}
