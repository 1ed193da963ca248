//! Snapshots of stable artefacts on a seeded run: the error page and a token response.

use crate::support::*;

#[tokio::test]
async fn error_page_snapshot() {
    let (provider, http) = start().await;
    let params = [
        ("client_id", "nobody".to_owned()),
        ("response_type", "code".to_owned()),
    ];
    let response = authorize(&provider, &http, &params).await;
    assert_eq!(response.status(), 400);
    insta::assert_snapshot!(response.text().await.unwrap());
}

#[tokio::test]
async fn token_response_snapshot_on_a_seeded_run() {
    // Two providers with the same seed issue the same code and tokens.
    let mut bodies = Vec::new();
    for _ in 0..2 {
        let (provider, http) = start().await;
        let code = code(&provider, &http).await;
        bodies.push(json(redeem(&provider, &http, &code).await).await);
    }
    assert_eq!(bodies[0], bodies[1], "a seeded run is not deterministic");
    insta::assert_json_snapshot!(bodies[0]);
}
