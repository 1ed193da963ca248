//! Every token request is tied to its flow, even one refused before the client is identified,
//! and the journal says what was wrong with it.

use mock_provider::{Endpoint, Finding, JournalEntry, MockProvider, Tie};

use crate::support::{
    CLIENT_ID, REDIRECT, SECRET, VERIFIER, authorize, authorize_params, http, location,
    query_param, start,
};

/// Runs an authorization with `state` and returns the code.
async fn code_for(provider: &MockProvider, http: &reqwest::Client, state: &str) -> String {
    let response = authorize(provider, http, &authorize_params(state)).await;
    query_param(&location(&response), "code").expect("a code")
}

/// Posts a raw form body with this Authorization header; returns the status.
async fn post_token(provider: &MockProvider, authorization: &str, body: String) -> u16 {
    http()
        .post(provider.token_endpoint())
        .header("authorization", authorization)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("the token endpoint answers")
        .status()
        .as_u16()
}

/// The token requests the journal has for the default client.
fn token_requests(provider: &MockProvider) -> Vec<JournalEntry> {
    provider
        .journal_for(CLIENT_ID)
        .into_iter()
        .filter(|e| e.endpoint == Endpoint::Token)
        .collect()
}

fn form(code: &str) -> String {
    format!(
        "grant_type=authorization_code&code={code}&redirect_uri={}&code_verifier={VERIFIER}",
        urlencoding(REDIRECT)
    )
}

fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn a_token_request_with_a_repeated_code_is_tied_to_its_flow_and_names_the_parameter() {
    // Arrange
    let (provider, http) = start().await;
    let code = code_for(&provider, &http, "flow-a").await;
    let basic = oauth_vocab::basic::encode(CLIENT_ID, SECRET);
    // Act
    let body = format!("{}&code=injected-by-an-attacker", form(&code));
    let status = post_token(&provider, &basic, body).await;
    // Assert
    assert_eq!(status, 400);
    let requests = token_requests(&provider);
    assert_eq!(requests.len(), 1, "the refused request concerns the client");
    let request = &requests[0];
    assert_eq!(
        request.client_id, None,
        "refused before the client was read"
    );
    assert_eq!(request.flows.len(), 1);
    assert_eq!(request.flows[0].state.as_deref(), Some("flow-a"));
    assert_eq!(request.flows[0].by, Tie::Code);
    let finding = request
        .findings
        .iter()
        .find(|o| o.is(Finding::RequestDuplicateParameter))
        .expect("the repeat is a finding");
    assert_eq!(finding.to_string(), "request.duplicate_parameter: code");
}

#[tokio::test]
async fn basic_credentials_that_are_not_form_encoded_are_named_and_the_request_tied_to_its_flow() {
    // Arrange: the secret holds ':' '+' '/' '=' '&' '%', which must be form-encoded.
    let (provider, http) = start().await;
    let code = code_for(&provider, &http, "flow-b").await;
    let raw = oauth_vocab::basic::encode_raw(CLIENT_ID, SECRET);
    // Act
    let status = post_token(&provider, &raw, form(&code)).await;
    // Assert
    assert_eq!(status, 401);
    let requests = token_requests(&provider);
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert!(
        request.has_finding(Finding::ClientAuthBasicNotFormEncoded),
        "{:?}",
        request.findings
    );
    assert!(!request.has_finding(Finding::ClientAuthBasicMalformed));
    assert_eq!(request.flows[0].state.as_deref(), Some("flow-b"));
    assert!(
        Finding::ClientAuthBasicNotFormEncoded
            .description()
            .contains("RFC 6749 §2.3.1")
    );
}

#[tokio::test]
async fn unencoded_credentials_that_still_decode_are_named_too_and_a_wrong_secret_is_not() {
    // Arrange: a '+' decodes to a space, so the decoded secret is wrong but readable.
    let (provider, http) = start().await;
    let client = mock_provider::ClientConfig {
        client_id: "plus-client".into(),
        client_secret: Some("a+b".into()),
        redirect_uris: vec![REDIRECT.into()],
        ..mock_provider::ClientConfig::default()
    };
    provider.register_client(client).unwrap();
    let url = provider.token_endpoint();
    let send = |authorization: String| {
        http.post(&url)
            .header("authorization", authorization)
            .form(&[("grant_type", "client_credentials")])
            .send()
    };
    // Act
    let raw = send(oauth_vocab::basic::encode_raw("plus-client", "a+b"))
        .await
        .unwrap();
    let wrong = send(oauth_vocab::basic::encode_raw("plus-client", "a+c"))
        .await
        .unwrap();
    // Assert
    assert_eq!((raw.status().as_u16(), wrong.status().as_u16()), (401, 401));
    let journal = provider.journal_for("plus-client");
    assert!(journal[0].has_finding(Finding::ClientAuthBasicNotFormEncoded));
    assert!(journal[1].has_finding(Finding::ClientAuthWrongSecret));
    assert!(!journal[1].has_finding(Finding::ClientAuthBasicNotFormEncoded));
}

#[tokio::test]
async fn an_unknown_client_with_a_real_code_is_tied_to_the_codes_flow() {
    // Arrange
    let (provider, http) = start().await;
    let code = code_for(&provider, &http, "flow-c").await;
    let stranger = oauth_vocab::basic::encode("stranger", "x");
    // Act
    let status = post_token(&provider, &stranger, form(&code)).await;
    // Assert
    assert_eq!(status, 401);
    let requests = token_requests(&provider);
    assert_eq!(requests.len(), 1);
    assert!(requests[0].has_finding(Finding::ClientUnknown));
    assert_eq!(requests[0].flows[0].client_id, CLIENT_ID);
}

#[tokio::test]
async fn a_verifier_shared_by_flows_ties_a_codeless_request_to_all_of_them() {
    // Arrange: two flows with one verifier (support's authorize_params use a fixed one).
    let (provider, http) = start().await;
    let first = code_for(&provider, &http, "flow-1").await;
    let second = code_for(&provider, &http, "flow-2").await;
    let basic = oauth_vocab::basic::encode(CLIENT_ID, SECRET);
    // Act: a code nobody issued, with the shared verifier.
    let status = post_token(&provider, &basic, form("ac_not_issued")).await;
    // Assert
    assert_eq!(status, 400);
    let request = token_requests(&provider).pop().expect("journaled");
    let mut states: Vec<_> = request
        .flows
        .iter()
        .map(|f| (f.state.clone().unwrap_or_default(), f.by))
        .collect();
    states.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        states,
        [
            ("flow-1".into(), Tie::Verifier),
            ("flow-2".into(), Tie::Verifier)
        ]
    );
    // The issued codes are in memory for the harness, masked in what is written out.
    let codes: Vec<_> = request.flows.iter().map(|f| f.code.clone()).collect();
    assert!(codes.contains(&first) && codes.contains(&second));
    let written = serde_json::to_string(&request.redacted()).unwrap();
    assert!(
        !written.contains(&first) && !written.contains(&second),
        "{written}"
    );
    assert!(written.contains("\"state\":\"flow-1\""), "{written}");
}

#[tokio::test]
async fn a_request_with_the_code_is_tied_by_the_code_alone() {
    // Arrange
    let (provider, http) = start().await;
    let code = code_for(&provider, &http, "flow-x").await;
    let _other = code_for(&provider, &http, "flow-y").await;
    let basic = oauth_vocab::basic::encode(CLIENT_ID, SECRET);
    // Act
    let status = post_token(&provider, &basic, form(&code)).await;
    // Assert: the shared verifier does not pull the other flow in.
    assert_eq!(status, 200);
    let request = token_requests(&provider).pop().expect("journaled");
    assert_eq!(request.flows.len(), 1);
    assert_eq!(request.flows[0].state.as_deref(), Some("flow-x"));
    assert_eq!(request.flows[0].by, Tie::Code);
}
