//! The control API under `/_admin` and its library equivalents on [`MockProvider`]: the
//! journal (with redaction), clients, scripted decisions and faults.

use mock_provider::{ClientConfig, Decision, ErrorCode, Fault, FaultKind, MockProvider};
use mock_provider::{Finding, Observation};
use oauth_vocab::redact::mask;
use serde_json::{Value, json};

use crate::support::*;

const BOT_REDIRECT: &str = "https://bot.test/oauth/cb";

async fn admin_get(provider: &MockProvider, http: &reqwest::Client, path: &str) -> Value {
    let response = http
        .get(admin_url(provider, path))
        .send()
        .await
        .expect("the control API answers");
    assert_eq!(response.status(), 200, "GET /_admin{path}");
    json(response).await
}

async fn admin_post(
    provider: &MockProvider,
    http: &reqwest::Client,
    path: &str,
    body: &Value,
) -> reqwest::Response {
    http.post(admin_url(provider, path))
        .json(body)
        .send()
        .await
        .expect("the control API answers")
}

async fn admin_delete(provider: &MockProvider, http: &reqwest::Client, path: &str) -> u16 {
    http.delete(admin_url(provider, path))
        .send()
        .await
        .expect("the control API answers")
        .status()
        .as_u16()
}

/// The journal entries, as the control API serves them.
async fn journal(provider: &MockProvider, http: &reqwest::Client, query: &str) -> Vec<Value> {
    let entries = admin_get(provider, http, &format!("/journal{query}")).await;
    entries.as_array().expect("a list of entries").clone()
}

/// A parameter of a journaled `[name, value]` pair list.
fn pair<'a>(pairs: &'a Value, name: &str) -> Option<&'a str> {
    pairs
        .as_array()?
        .iter()
        .find(|p| p[0] == name)
        .and_then(|p| p[1].as_str())
}

fn other_client() -> ClientConfig {
    ClientConfig {
        client_id: "other".into(),
        client_secret: Some("other-secret".into()),
        redirect_uris: vec![BOT_REDIRECT.into()],
        ..ClientConfig::default()
    }
}

/// Authorization request parameters for the `other` client.
fn other_params() -> Vec<(&'static str, String)> {
    let mut params = authorize_params("st");
    params.retain(|(n, _)| !matches!(*n, "client_id" | "redirect_uri"));
    params.push(("client_id", "other".into()));
    params.push(("redirect_uri", BOT_REDIRECT.into()));
    params
}

#[tokio::test]
async fn the_journal_lists_requests_with_parameters_status_and_findings() {
    // Arrange
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    let wrong_verifier = "w".repeat(43);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", wrong_verifier.as_str()),
    ];
    let refused = token(&provider, &http, &form).await;
    assert_eq!(refused.status(), 400);
    // Act
    let entries = journal(&provider, &http, "").await;
    // Assert
    assert_eq!(entries.len(), 2, "{entries:?}");
    let (authorize, token) = (&entries[0], &entries[1]);
    assert_eq!(authorize["method"], "GET");
    assert_eq!(authorize["path"], "/authorize");
    assert_eq!(authorize["client_id"], CLIENT_ID);
    assert_eq!(pair(&authorize["query"], "state"), Some("st"));
    assert_eq!(pair(&authorize["query"], "response_type"), Some("code"));
    assert_eq!(authorize["response"]["status"], 302);
    assert_eq!(token["method"], "POST");
    assert_eq!(token["path"], "/token");
    assert_eq!(token["route"], "/token");
    assert_eq!(token["endpoint"], "token");
    assert_eq!(token["client_id"], CLIENT_ID);
    assert_eq!(
        pair(&token["form"], "grant_type"),
        Some("authorization_code")
    );
    assert_eq!(token["response"]["status"], 400);
    let findings: Vec<Observation> = token["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.as_str()?.parse().ok())
        .collect();
    assert!(
        findings.iter().any(|f| f.is(Finding::PkceVerifierMismatch)),
        "{findings:?}"
    );
    assert!(
        entries[0]["seq"].as_u64().unwrap() < entries[1]["seq"].as_u64().unwrap(),
        "entries are in order"
    );
}

#[tokio::test]
async fn secrets_are_redacted_unless_revealed() {
    // Arrange
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    let tokens = json(redeem(&provider, &http, &code).await).await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let userinfo = http
        .get(provider.url("/userinfo"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 200);
    let in_body = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
    ];
    let posted = http
        .post(provider.url("/token"))
        .form(&in_body)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 401, "the client is registered for Basic");
    let header = oauth_vocab::basic::encode(CLIENT_ID, SECRET);
    let basic = header.strip_prefix("Basic ").unwrap();
    // Act
    let redacted = journal(&provider, &http, "").await;
    let revealed = journal(&provider, &http, "?reveal=true").await;
    // Assert
    let (authorize, token, userinfo, posted) =
        (&redacted[0], &redacted[1], &redacted[2], &redacted[3]);
    let location = pair(&authorize["response"]["headers"], "location").unwrap();
    assert!(
        location.contains(&format!("code={}", mask(&code))),
        "{location}"
    );
    assert_eq!(pair(&token["form"], "code"), Some(mask(&code).as_str()));
    assert_eq!(
        pair(&token["form"], "code_verifier"),
        Some(mask(VERIFIER).as_str())
    );
    assert_eq!(
        pair(&token["headers"], "authorization"),
        Some(format!("Basic {}", mask(basic)).as_str())
    );
    let body: Value = serde_json::from_str(token["response"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["access_token"], mask(&access));
    assert_eq!(body["refresh_token"], mask(&refresh));
    assert_eq!(body["token_type"], "Bearer", "non-secrets are kept");
    assert_eq!(
        pair(&userinfo["headers"], "authorization"),
        Some(format!("Bearer {}", mask(&access)).as_str())
    );
    assert_eq!(
        pair(&posted["form"], "client_secret"),
        Some(mask(SECRET).as_str())
    );
    let text = serde_json::to_string(&redacted).unwrap();
    for secret in [&code, VERIFIER, &access, &refresh, basic, "gauntlet:secret"] {
        assert!(!text.contains(secret), "{secret} leaked into the journal");
    }
    let revealed_text = serde_json::to_string(&revealed).unwrap();
    for secret in [&code, VERIFIER, &access, &refresh, basic] {
        assert!(revealed_text.contains(secret), "{secret} is not revealed");
    }
    assert_eq!(pair(&revealed[3]["form"], "client_secret"), Some(SECRET));
}

#[tokio::test]
async fn the_journal_filters_by_client_id() {
    // Arrange
    let (provider, http) = start().await;
    provider.register_client(other_client()).unwrap();
    let _ = code(&provider, &http).await;
    let other = authorize(&provider, &http, &other_params()).await;
    assert_eq!(other.status(), 302);
    let _ = code(&provider, &http).await;
    // Act
    let entries = journal(&provider, &http, "?client_id=other").await;
    // Assert
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["client_id"], "other");
    assert_eq!(
        journal(&provider, &http, "?client_id=gauntlet-client")
            .await
            .len(),
        2
    );
    assert_eq!(
        journal(&provider, &http, "?client_id=nobody").await.len(),
        0
    );
}

#[tokio::test]
async fn delete_clears_the_journal() {
    // Arrange
    let (provider, http) = start().await;
    let _ = code(&provider, &http).await;
    assert_eq!(journal(&provider, &http, "").await.len(), 1);
    // Act
    let status = admin_delete(&provider, &http, "/journal").await;
    // Assert
    assert_eq!(status, 204);
    assert!(journal(&provider, &http, "").await.is_empty());
    assert!(provider.journal().is_empty());
}

#[tokio::test]
async fn control_requests_are_not_journaled() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let _ = admin_get(&provider, &http, "/journal").await;
    let _ = admin_get(&provider, &http, "/clients").await;
    let _ = admin_get(&provider, &http, "/faults").await;
    let _ = admin_get(&provider, &http, "/decisions").await;
    let bad = admin_post(&provider, &http, "/faults", &json!({ "on": "nowhere" })).await;
    assert_eq!(bad.status(), 400);
    let _ = code(&provider, &http).await;
    // Assert
    let entries = journal(&provider, &http, "").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["path"], "/authorize");
}

#[tokio::test]
async fn a_fault_mounted_over_http_applies_until_deleted() {
    // Arrange
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    let fault = json!({ "on": "token", "kind": "status", "status": 503 });
    // Act
    let mounted = admin_post(&provider, &http, "/faults", &fault).await;
    // Assert
    assert_eq!(mounted.status(), 201);
    let listed = admin_get(&provider, &http, "/faults").await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["status"], 503);
    assert_eq!(redeem(&provider, &http, &code).await.status(), 503);
    assert_eq!(redeem(&provider, &http, &code).await.status(), 503);
    assert_eq!(admin_delete(&provider, &http, "/faults").await, 204);
    assert_eq!(admin_get(&provider, &http, "/faults").await, json!([]));
    assert_eq!(redeem(&provider, &http, &code).await.status(), 200);
}

#[tokio::test]
async fn deleting_one_clients_faults_keeps_the_others() {
    // Arrange
    let (provider, http) = start().await;
    for client in ["other", CLIENT_ID] {
        let fault = json!({ "on": "token", "client_id": client, "kind": "status", "status": 500 });
        assert_eq!(
            admin_post(&provider, &http, "/faults", &fault)
                .await
                .status(),
            201
        );
    }
    // Act
    let status = admin_delete(&provider, &http, "/faults?client_id=other").await;
    // Assert
    assert_eq!(status, 204);
    let listed = admin_get(&provider, &http, "/faults").await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["client_id"], CLIENT_ID);
    let code = code(&provider, &http).await;
    assert_eq!(redeem(&provider, &http, &code).await.status(), 500);
}

#[tokio::test]
async fn a_deny_decision_makes_the_next_authorization_access_denied() {
    // Arrange
    let (provider, http) = start().await;
    let decision = json!({ "client_id": CLIENT_ID, "decision": "deny", "error": "access_denied" });
    // Act
    let scripted = admin_post(&provider, &http, "/decisions", &decision).await;
    // Assert
    assert_eq!(scripted.status(), 201);
    let pending = admin_get(&provider, &http, "/decisions").await;
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
    let denied = authorize(&provider, &http, &authorize_params("xyz")).await;
    assert_eq!(denied.status(), 302);
    let location = location(&denied);
    assert!(location.as_str().starts_with(REDIRECT), "{location}");
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("xyz"));
    assert!(query_param(&location, "code").is_none());
    let _ = code(&provider, &http).await; // the decision was used up: auto-approval again
    assert_eq!(admin_get(&provider, &http, "/decisions").await, json!([]));
}

#[tokio::test]
async fn an_approve_decision_can_narrow_the_granted_scopes() {
    // Arrange
    let (provider, http) = start().await;
    let decision = json!({ "client_id": CLIENT_ID, "decision": "approve", "user": "alice", "scopes": ["read"] });
    assert_eq!(
        admin_post(&provider, &http, "/decisions", &decision)
            .await
            .status(),
        201
    );
    let mut params = authorize_params("st");
    params.push(("scope", "read write".into()));
    // Act
    let approved = authorize(&provider, &http, &params).await;
    // Assert
    let code = query_param(&location(&approved), "code").expect("a code");
    let tokens = json(redeem(&provider, &http, &code).await).await;
    assert_eq!(tokens["scope"], "read");
}

#[tokio::test]
async fn a_client_registered_over_http_can_authorize() {
    // Arrange
    let (provider, http) = start().await;
    let client = json!({
        "client_id": "other",
        "client_secret": "other-secret",
        "redirect_uris": [BOT_REDIRECT],
    });
    // Act
    let registered = admin_post(&provider, &http, "/clients", &client).await;
    // Assert
    assert_eq!(registered.status(), 201);
    let clients = admin_get(&provider, &http, "/clients").await;
    let listed = clients
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == "other")
        .expect("the new client is listed");
    assert_eq!(
        listed["client_secret"],
        mask("other-secret"),
        "secrets are masked"
    );
    let response = authorize(&provider, &http, &other_params()).await;
    assert_eq!(response.status(), 302);
    let location = location(&response);
    assert!(location.as_str().starts_with(BOT_REDIRECT), "{location}");
    assert!(query_param(&location, "code").is_some());
}

#[tokio::test]
async fn bad_control_requests_are_400_with_a_json_error() {
    // Arrange
    let (provider, http) = start().await;
    let cases = [
        ("/clients", "{not json".to_owned()),
        ("/decisions", "{not json".to_owned()),
        ("/faults", "{not json".to_owned()),
        (
            "/clients",
            json!({ "client_id": "x", "colour": "red" }).to_string(),
        ),
        ("/clients", json!(["evil", "s", [BOT_REDIRECT]]).to_string()),
        (
            "/clients",
            json!({ "client_id": "x", "client_secret": null }).to_string(),
        ),
        (
            "/decisions",
            json!({ "client_id": "nobody", "decision": "deny", "error": "access_denied" })
                .to_string(),
        ),
        (
            "/decisions",
            json!({ "client_id": CLIENT_ID, "decision": "approve", "user": "mallory" }).to_string(),
        ),
        (
            "/faults",
            json!({ "on": "token", "kind": "explode" }).to_string(),
        ),
    ];
    for (path, body) in cases {
        // Act
        let response = http
            .post(admin_url(&provider, path))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        // Assert
        assert_eq!(response.status(), 400, "{path} {body}");
        let error = json(response).await;
        assert_eq!(error["error"], "invalid_request", "{path} {body}");
        assert!(error["error_description"].is_string(), "{error}");
    }
    assert_eq!(
        admin_get(&provider, &http, "/clients")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(admin_get(&provider, &http, "/faults").await, json!([]));
    assert_eq!(admin_get(&provider, &http, "/decisions").await, json!([]));
}

#[tokio::test]
async fn the_library_handle_reads_filters_and_clears_the_journal() {
    // Arrange
    let (provider, http) = start().await;
    provider.register_client(other_client()).unwrap();
    let code = code(&provider, &http).await;
    let _ = authorize(&provider, &http, &other_params()).await;
    // Act
    let all = provider.journal();
    let mine = provider.journal_for(CLIENT_ID);
    let theirs = provider.journal_for("other");
    // Assert
    assert_eq!(all.len(), 2);
    assert_eq!(mine.len(), 1);
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].param("client_id"), Some("other"));
    let location = mine[0]
        .response
        .headers
        .iter()
        .find(|(n, _)| n == "location")
        .map(|(_, v)| v.as_str())
        .unwrap();
    assert!(
        location.contains(&format!("code={code}")),
        "the library handle gives raw values: {location}"
    );
    provider.clear_journal();
    assert!(provider.journal().is_empty());
    assert!(journal(&provider, &http, "").await.is_empty());
}

#[tokio::test]
async fn the_library_handle_registers_clients_and_scripts_decisions() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    provider.register_client(other_client()).unwrap();
    Decision::deny()
        .for_client("other")
        .mount(&provider)
        .unwrap();
    // Assert
    let denied = authorize(&provider, &http, &other_params()).await;
    assert_eq!(
        query_param(&location(&denied), "error").as_deref(),
        Some("access_denied")
    );
    let approved = authorize(&provider, &http, &other_params()).await;
    assert!(query_param(&location(&approved), "code").is_some());
    assert!(
        Decision::deny()
            .for_client("nobody")
            .mount(&provider)
            .is_err()
    );
    assert!(
        Decision::approve("mallory")
            .for_client(CLIENT_ID)
            .mount(&provider)
            .is_err()
    );
    let invalid = ClientConfig {
        client_id: "broken".into(),
        client_secret: None,
        ..ClientConfig::default()
    };
    assert!(provider.register_client(invalid).is_err());
}

#[tokio::test]
async fn the_library_handle_mounts_and_clears_faults() {
    // Arrange
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    let status = |status| Fault::token(FaultKind::Status { status });
    status(502).for_client("other").mount(&provider);
    Fault::token(FaultKind::Error {
        error: ErrorCode::TemporarilyUnavailable,
        description: None,
    })
    .for_client(CLIENT_ID)
    .mount(&provider);
    // Act
    let faulted = redeem(&provider, &http, &code).await;
    provider.clear_faults(Some("other"));
    let still_faulted = redeem(&provider, &http, &code).await;
    provider.clear_faults(None);
    let cleared = redeem(&provider, &http, &code).await;
    // Assert
    assert_eq!(faulted.status(), 503);
    assert_eq!(json(faulted).await["error"], "temporarily_unavailable");
    assert_eq!(still_faulted.status(), 503);
    assert_eq!(cleared.status(), 200);
    assert_eq!(admin_get(&provider, &http, "/faults").await, json!([]));
}

#[tokio::test]
async fn a_decision_over_http_can_aim_at_one_flow_by_state() {
    let (provider, http) = start().await;
    let body = serde_json::json!({ "client_id": CLIENT_ID, "state": "target", "decision": "deny", "error": "access_denied" });
    let response = http
        .post(admin_url(&provider, "/decisions"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let other = authorize(&provider, &http, &authorize_params("other")).await;
    assert!(
        query_param(&location(&other), "code").is_some(),
        "another flow took the decision"
    );
    let target = authorize(&provider, &http, &authorize_params("target")).await;
    assert_eq!(
        query_param(&location(&target), "error").as_deref(),
        Some("access_denied")
    );
}

#[tokio::test]
async fn a_bad_control_query_is_a_json_error() {
    let (provider, http) = start().await;
    let response = http
        .get(admin_url(&provider, "/journal?reveal=maybe"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("reveal"),
        "{body}"
    );
}
