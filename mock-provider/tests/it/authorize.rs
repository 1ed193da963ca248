//! The authorization endpoint: RFC 6749 §4.1.1–§4.1.2.1, RFC 7636 §4.3–§4.4, RFC 9207.

use mock_provider::pkce::{PkcePolicy, s256_challenge};
use mock_provider::{AuthMethod, ClientConfig, Decision, ErrorCode, ProviderConfig, UnknownScopes};
use mock_provider::{Finding, GrantType};

use crate::support::*;

/// Replaces (or adds) one parameter of a valid request.
fn with(name: &'static str, value: &str) -> Vec<(&'static str, String)> {
    let mut params: Vec<_> = authorize_params("st")
        .into_iter()
        .filter(|(n, _)| *n != name)
        .collect();
    params.push((name, value.to_owned()));
    params
}

fn without(name: &str) -> Vec<(&'static str, String)> {
    authorize_params("st")
        .into_iter()
        .filter(|(n, _)| *n != name)
        .collect()
}

/// Asserts an error page: 400, HTML naming the error, and no redirect.
async fn assert_error_page(response: reqwest::Response, error: &str) {
    assert_eq!(response.status(), 400);
    assert!(
        response.headers().get("location").is_none(),
        "an untrusted request was redirected"
    );
    let body = response.text().await.expect("a body");
    assert!(
        body.contains(error),
        "the page does not name {error}: {body}"
    );
}

/// Asserts an error redirect to the registered URI with error, state and iss.
fn assert_error_redirect(response: &reqwest::Response, error: ErrorCode, state: Option<&str>) {
    assert_eq!(response.status(), 302);
    let location = location(response);
    assert!(location.as_str().starts_with(REDIRECT), "{location}");
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some(error.as_str()),
        "{location}"
    );
    assert!(query_param(&location, "error_description").is_some());
    assert_eq!(query_param(&location, "state").as_deref(), state);
    assert!(query_param(&location, "code").is_none());
    assert!(query_param(&location, "iss").is_some());
}

fn client_with(pkce: PkcePolicy, auth_method: AuthMethod) -> ClientConfig {
    let public = auth_method == AuthMethod::None;
    ClientConfig {
        client_id: "other".into(),
        client_secret: (!public).then(|| "s".into()),
        auth_method,
        pkce,
        ..ClientConfig::default()
    }
}

fn with_client(client: ClientConfig) -> ProviderConfig {
    let mut config = ProviderConfig::default();
    config.clients.push(client);
    config
}

#[tokio::test]
async fn approves_a_valid_request_with_code_state_and_iss() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let response = authorize(&provider, &http, &authorize_params("a b&c=d/é+%")).await;
    // Assert
    assert_eq!(response.status(), 302);
    let location = location(&response);
    assert!(location.as_str().starts_with(REDIRECT), "{location}");
    assert_eq!(
        query_param(&location, "state").as_deref(),
        Some("a b&c=d/é+%")
    );
    assert_eq!(query_param(&location, "iss"), Some(provider.uri()));
    assert!(query_param(&location, "code").is_some_and(|c| c.len() >= 43));
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
}

#[tokio::test]
async fn echoes_a_long_state_byte_for_byte() {
    let (provider, http) = start().await;
    let state: String = "~-._!*'();:@=+$,/?#[]αβγ".repeat(80);
    let response = authorize(&provider, &http, &authorize_params(&state)).await;
    assert_eq!(query_param(&location(&response), "state"), Some(state));
}

#[tokio::test]
async fn omits_iss_when_configured_off() {
    let config = ProviderConfig {
        send_iss: false,
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    let response = authorize(&provider, &http, &authorize_params("st")).await;
    assert!(query_param(&location(&response), "iss").is_none());
}

#[tokio::test]
async fn unknown_or_missing_client_gets_an_error_page_and_no_redirect() {
    let (provider, http) = start().await;
    assert_error_page(
        authorize(&provider, &http, &with("client_id", "nobody")).await,
        "invalid_request",
    )
    .await;
    assert_error_page(
        authorize(&provider, &http, &without("client_id")).await,
        "client_id",
    )
    .await;
    let journal = provider.journal();
    assert!(
        journal[0].has_finding(Finding::ClientUnknown),
        "{:?}",
        journal[0].findings
    );
}

#[tokio::test]
async fn redirect_uri_must_match_a_registered_one_byte_for_byte() {
    let (provider, http) = start().await;
    // Variants of the registered URI (a string compared, never bound): each one change away.
    let registered = url::Url::parse(REDIRECT).unwrap();
    let (host, port) = (registered.host_str().unwrap(), registered.port().unwrap());
    let mut next_port = registered.clone();
    next_port.set_port(Some(port.wrapping_add(1))).unwrap();
    let variants = [
        format!("{REDIRECT}/"),
        REDIRECT.replace("callback", "Callback"),
        REDIRECT.replace("http:", "HTTP:"),
        next_port.to_string(),
        REDIRECT.replace(&format!(":{port}"), ""),
        REDIRECT.replace("http:", "https:"),
        format!("{REDIRECT}?x=1"),
        format!("{REDIRECT}/evil"),
        format!("{REDIRECT}#frag"),
        REDIRECT.replace("//", "//attacker@"),
        REDIRECT.replace("callback", "%63allback"),
        REDIRECT.replace(host, "localhost"),
    ];
    for variant in &variants {
        let response = authorize(&provider, &http, &with("redirect_uri", variant)).await;
        assert_eq!(response.status(), 400, "{variant} was accepted");
        assert!(
            response.headers().get("location").is_none(),
            "{variant} was redirected to"
        );
    }
    let journal = provider.journal();
    assert!(
        journal
            .iter()
            .all(|e| e.has_finding(Finding::RedirectUriNotRegistered))
    );
    assert!(
        journal[0].has_finding(Finding::RedirectUriNearMiss),
        "{:?}",
        journal[0].findings
    );
}

#[tokio::test]
async fn omitted_redirect_uri_uses_the_only_registered_one_and_is_refused_among_several() {
    // One registered: allowed.
    let (provider, http) = start().await;
    let response = authorize(&provider, &http, &without("redirect_uri")).await;
    assert_eq!(response.status(), 302);
    assert!(location(&response).as_str().starts_with(REDIRECT));
    // Several registered: an error page.
    let mut config = ProviderConfig::default();
    config.clients[0]
        .redirect_uris
        .push(REDIRECT.replace("callback", "other"));
    let (provider, http) = start_with(config).await;
    assert_error_page(
        authorize(&provider, &http, &without("redirect_uri")).await,
        "redirect_uri",
    )
    .await;
}

#[tokio::test]
async fn a_registered_query_is_kept_and_must_match_exactly() {
    let mut config = ProviderConfig::default();
    config.clients[0].redirect_uris = vec!["http://127.0.0.1:8080/cb?tenant=a".into()];
    let (provider, http) = start_with(config).await;
    let ok = authorize(
        &provider,
        &http,
        &with("redirect_uri", "http://127.0.0.1:8080/cb?tenant=a"),
    )
    .await;
    let location = location(&ok);
    assert_eq!(query_param(&location, "tenant").as_deref(), Some("a"));
    assert!(query_param(&location, "code").is_some());
    let other = authorize(
        &provider,
        &http,
        &with("redirect_uri", "http://127.0.0.1:8080/cb?tenant=b"),
    )
    .await;
    assert_eq!(other.status(), 400);
}

#[tokio::test]
async fn response_type_missing_or_unknown_redirects_with_the_error_and_state() {
    let (provider, http) = start().await;
    let missing = authorize(&provider, &http, &without("response_type")).await;
    assert_error_redirect(&missing, ErrorCode::InvalidRequest, Some("st"));
    let token = authorize(&provider, &http, &with("response_type", "token")).await;
    assert_error_redirect(&token, ErrorCode::UnsupportedResponseType, Some("st"));
}

#[tokio::test]
async fn repeated_parameters_are_invalid_request() {
    let (provider, http) = start().await;
    let mut params = authorize_params("st");
    params.push(("scope", "read".into()));
    params.push(("scope", "write".into()));
    let response = authorize(&provider, &http, &params).await;
    assert_error_redirect(&response, ErrorCode::InvalidRequest, Some("st"));
    // A repeated client_id cannot be trusted to redirect at all.
    let mut params = authorize_params("st");
    params.push(("client_id", CLIENT_ID.into()));
    assert_error_page(authorize(&provider, &http, &params).await, "client_id").await;
}

#[tokio::test]
async fn unknown_parameters_are_ignored_and_order_does_not_matter() {
    let (provider, http) = start().await;
    let mut params = with("x-unknown", "1");
    params.reverse();
    let response = authorize(&provider, &http, &params).await;
    assert!(query_param(&location(&response), "code").is_some());
}

#[tokio::test]
async fn scope_outside_the_allowed_set_is_invalid_scope() {
    let (provider, http) = start().await;
    let response = authorize(&provider, &http, &with("scope", "read admin")).await;
    assert_error_redirect(&response, ErrorCode::InvalidScope, Some("st"));
    let case = authorize(&provider, &http, &with("scope", "READ")).await;
    assert_error_redirect(&case, ErrorCode::InvalidScope, Some("st"));
}

#[tokio::test]
async fn omitted_scope_grants_the_client_default_and_requested_scope_is_granted() {
    let (provider, http) = start().await;
    let code = code(&provider, &http).await;
    assert_eq!(
        json(redeem(&provider, &http, &code).await).await["scope"],
        "read"
    );
    let response = authorize(&provider, &http, &with("scope", "read write")).await;
    let code = query_param(&location(&response), "code").unwrap();
    assert_eq!(
        json(redeem(&provider, &http, &code).await).await["scope"],
        "read write"
    );
}

/// RFC 6749 §3.3's other answer: a profile that ignores scopes the client may not have grants
/// the rest (or the default) and says so in the token response.
#[tokio::test]
async fn ignored_unknown_scopes_are_left_out_of_the_grant_and_the_response_says_so() {
    let (provider, http) = start_with(ProviderConfig {
        unknown_scopes: UnknownScopes::Ignore,
        ..ProviderConfig::default()
    })
    .await;
    for (requested, granted) in [("read admin", "read"), ("no-such-scope", "read")] {
        let response = authorize(&provider, &http, &with("scope", requested)).await;
        let code = query_param(&location(&response), "code")
            .unwrap_or_else(|| panic!("no code for {requested:?}"));
        assert_eq!(
            json(redeem(&provider, &http, &code).await).await["scope"],
            granted
        );
    }
    // A malformed scope is still refused.
    let response = authorize(&provider, &http, &with("scope", "read  write")).await;
    assert_error_redirect(&response, ErrorCode::InvalidScope, Some("st"));
}

#[tokio::test]
async fn s256_required_refuses_missing_plain_unknown_and_malformed_challenges() {
    let (provider, http) = start().await;
    let mut no_pkce = without("code_challenge");
    no_pkce.retain(|(n, _)| *n != "code_challenge_method");
    let cases = [
        no_pkce,
        without("code_challenge"),
        with("code_challenge_method", "plain"),
        without("code_challenge_method"),
        with("code_challenge_method", "s256"),
        with("code_challenge", "too-short"),
        with(
            "code_challenge",
            &format!("{}=", &s256_challenge(VERIFIER)[..42]),
        ),
    ];
    for params in cases {
        let response = authorize(&provider, &http, &params).await;
        assert_error_redirect(&response, ErrorCode::InvalidRequest, Some("st"));
    }
    let findings: Vec<_> = provider
        .journal()
        .into_iter()
        .flat_map(|e| e.findings)
        .collect();
    let expected_findings = [
        Finding::PkceChallengeMissing,
        Finding::PkcePlainRefused,
        Finding::PkceMethodUnsupported,
        Finding::PkceChallengeMalformed,
    ];
    for expected in expected_findings {
        assert!(
            findings.iter().any(|f| f.is(expected)),
            "no {expected} in {findings:?}"
        );
    }
}

#[tokio::test]
async fn s256_or_plain_accepts_plain_and_treats_a_missing_method_as_plain() {
    let config = with_client(client_with(
        PkcePolicy::S256OrPlain,
        AuthMethod::ClientSecretBasic,
    ));
    let (provider, http) = start_with(config).await;
    let verifier = "a".repeat(43);
    let mut params = with("client_id", "other");
    params.retain(|(n, _)| !n.starts_with("code_challenge"));
    params.push(("code_challenge", verifier.clone()));
    let response = authorize(&provider, &http, &params).await;
    assert!(
        query_param(&location(&response), "code").is_some(),
        "plain was refused"
    );
    // Without a challenge at all: still refused.
    let mut params = with("client_id", "other");
    params.retain(|(n, _)| !n.starts_with("code_challenge"));
    let response = authorize(&provider, &http, &params).await;
    assert_error_redirect(&response, ErrorCode::InvalidRequest, Some("st"));
}

#[tokio::test]
async fn optional_pkce_allows_no_challenge_except_for_public_clients() {
    let mut config = with_client(client_with(
        PkcePolicy::Optional,
        AuthMethod::ClientSecretBasic,
    ));
    let mut public = client_with(PkcePolicy::Optional, AuthMethod::None);
    public.client_id = "public".into();
    config.clients.push(public);
    let (provider, http) = start_with(config).await;
    let mut params = with("client_id", "other");
    params.retain(|(n, _)| !n.starts_with("code_challenge"));
    let response = authorize(&provider, &http, &params).await;
    assert!(query_param(&location(&response), "code").is_some());
    let mut params = with("client_id", "public");
    params.retain(|(n, _)| !n.starts_with("code_challenge"));
    let response = authorize(&provider, &http, &params).await;
    assert_error_redirect(&response, ErrorCode::InvalidRequest, Some("st"));
}

#[tokio::test]
async fn a_client_without_the_code_grant_is_unauthorized_client() {
    let mut client = client_with(PkcePolicy::S256Required, AuthMethod::ClientSecretBasic);
    client.grant_types = vec![GrantType::ClientCredentials];
    let (provider, http) = start_with(with_client(client)).await;
    let response = authorize(&provider, &http, &with("client_id", "other")).await;
    assert_error_redirect(&response, ErrorCode::UnauthorizedClient, Some("st"));
}

#[tokio::test]
async fn scripted_decisions_deny_or_narrow_the_next_authorization_only() {
    let (provider, http) = start().await;
    Decision::deny()
        .for_client(CLIENT_ID)
        .mount(&provider)
        .unwrap();
    let narrowed = Decision::Approve {
        user: "alice".into(),
        scopes: Some(vec!["openid".into()]),
    };
    narrowed.for_client(CLIENT_ID).mount(&provider).unwrap();
    // First: denied.
    let denied = authorize(&provider, &http, &with("scope", "read write")).await;
    assert_error_redirect(&denied, ErrorCode::AccessDenied, Some("st"));
    // Second: approved with a narrower grant, which the token response reports.
    let response = authorize(&provider, &http, &with("scope", "read write")).await;
    let code = query_param(&location(&response), "code").unwrap();
    assert_eq!(
        json(redeem(&provider, &http, &code).await).await["scope"],
        "openid"
    );
    // Third: back to auto-approval.
    assert!(
        query_param(
            &location(&authorize(&provider, &http, &authorize_params("x")).await),
            "code"
        )
        .is_some()
    );
    // Unknown users and clients are refused when scripting.
    assert!(
        Decision::approve("mallory")
            .for_client(CLIENT_ID)
            .mount(&provider)
            .is_err()
    );
    assert!(
        Decision::deny()
            .for_client("nobody")
            .mount(&provider)
            .is_err()
    );
}

#[tokio::test]
async fn non_utf8_queries_and_other_methods_get_an_error_page() {
    let (provider, http) = start().await;
    let url = format!(
        "{}?client_id=%FF%FE&response_type=code",
        provider.url("/authorize")
    );
    let response = http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
    let post = http.post(provider.url("/authorize")).send().await.unwrap();
    assert_eq!(post.status(), 405);
}

#[tokio::test]
async fn tenant_paths_issue_codes_with_the_tenant_issuer() {
    let (provider, http) = start().await;
    let url = provider.urls(Some("acme")).url("/authorize");
    let response = http
        .get(url)
        .query(&authorize_params("st"))
        .send()
        .await
        .unwrap();
    let location = location(&response);
    assert_eq!(
        query_param(&location, "iss"),
        Some(format!("{}/t/acme", provider.uri()))
    );
    // The code is bound to the tenant: the root token endpoint refuses it.
    let code = query_param(&location, "code").unwrap();
    let refused = redeem(&provider, &http, &code).await;
    assert_eq!(json(refused).await["error"], "invalid_grant");
}
