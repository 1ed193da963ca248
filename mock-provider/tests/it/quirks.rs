//! The `[quirks]` table: each deliberate violation is off by default (the strict mock refuses)
//! and, once turned on, lets exactly its own violation through. And the `lax` profile.

use mock_provider::Finding;
use mock_provider::pkce::PkcePolicy;
use mock_provider::{Decision, MockProvider, ProviderConfig, Quirks, RedirectMatch};

use crate::support::*;

/// Another well-formed verifier: not the one the default challenge was made from.
const WRONG_VERIFIER: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn lax_path() -> &'static str {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/providers/lax.toml"
    )
}

/// The strict default and the same profile with `quirks`.
async fn strict_and_quirky(quirks: Quirks) -> (MockProvider, MockProvider, reqwest::Client) {
    let (strict, http) = start().await;
    let (quirky, _) = start_with(ProviderConfig {
        quirks,
        ..ProviderConfig::default()
    })
    .await;
    (strict, quirky, http)
}

fn has_finding(provider: &MockProvider, finding: Finding) -> bool {
    provider.journal().iter().any(|e| e.has_finding(finding))
}

async fn userinfo_status(provider: &MockProvider, access_token: &str) -> u16 {
    http()
        .get(provider.url("/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Redeems `code` with the default client, sending `redirect_uri` and `code_verifier` as given.
async fn redeem_with(
    provider: &MockProvider,
    http: &reqwest::Client,
    code: &str,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> reqwest::Response {
    let mut form = vec![("grant_type", "authorization_code"), ("code", code)];
    form.extend(redirect_uri.map(|r| ("redirect_uri", r)));
    form.extend(verifier.map(|v| ("code_verifier", v)));
    token(provider, http, &form).await
}

async fn assert_invalid_grant(response: reqwest::Response) {
    assert_eq!(response.status(), 400);
    assert_eq!(json(response).await["error"], "invalid_grant");
}

#[test]
fn every_quirk_is_off_by_default() {
    assert_eq!(ProviderConfig::default().quirks, Quirks::default());
    assert_eq!(Quirks::default().redirect_uri_match, RedirectMatch::Exact);
    let quirks = ProviderConfig::from_toml("[quirks]").unwrap().quirks;
    assert_eq!(quirks, Quirks::default());
    let err = ProviderConfig::from_toml("[quirks]\nredirect_uri_match = \"loose\"").unwrap_err();
    assert!(err.to_string().contains("loose"), "{err}");
}

#[tokio::test]
async fn prefix_redirect_matching_accepts_a_longer_uri_and_binds_the_code_to_it() {
    let (strict, quirky, http) = strict_and_quirky(Quirks {
        redirect_uri_match: RedirectMatch::Prefix,
        ..Quirks::default()
    })
    .await;
    let evil = format!("{REDIRECT}/evil");
    let mut params = authorize_params("st");
    params.retain(|(n, _)| *n != "redirect_uri");
    params.push(("redirect_uri", evil.clone()));

    let refused = authorize(&strict, &http, &params).await;
    assert_eq!(refused.status(), 400);
    assert!(refused.headers().get("location").is_none());

    let accepted = authorize(&quirky, &http, &params).await;
    assert_eq!(accepted.status(), 302);
    let location = location(&accepted);
    assert!(location.as_str().starts_with(&evil), "{location}");
    assert_eq!(query_param(&location, "state").as_deref(), Some("st"));
    assert!(
        has_finding(&quirky, Finding::RedirectUriNearMiss),
        "the journal notes the near miss it let through"
    );
    let ac = query_param(&location, "code").expect("a code");
    let registered = redeem_with(&quirky, &http, &ac, Some(REDIRECT), Some(VERIFIER)).await;
    assert_invalid_grant(registered).await;
    let sent = redeem_with(&quirky, &http, &ac, Some(&evil), Some(VERIFIER)).await;
    assert_eq!(
        sent.status(),
        200,
        "the code is bound to the URI actually sent"
    );

    let mut unrelated = authorize_params("st");
    unrelated.retain(|(n, _)| *n != "redirect_uri");
    unrelated.push(("redirect_uri", "http://127.0.0.1:8080/other".into()));
    let response = authorize(&quirky, &http, &unrelated).await;
    assert_eq!(
        response.status(),
        400,
        "a URI that is no extension is refused"
    );
}

#[tokio::test]
async fn an_optional_verifier_lets_a_missing_one_through_but_not_a_wrong_one() {
    let (strict, quirky, http) = strict_and_quirky(Quirks {
        verifier_optional: true,
        ..Quirks::default()
    })
    .await;

    let ac = code(&strict, &http).await;
    assert_invalid_grant(redeem_with(&strict, &http, &ac, Some(REDIRECT), None).await).await;
    assert!(has_finding(&strict, Finding::PkceVerifierMissing));

    let ac = code(&quirky, &http).await;
    let wrong = redeem_with(&quirky, &http, &ac, Some(REDIRECT), Some(WRONG_VERIFIER)).await;
    assert_invalid_grant(wrong).await;
    let missing = redeem_with(&quirky, &http, &ac, Some(REDIRECT), None).await;
    assert_eq!(missing.status(), 200);
    assert!(
        has_finding(&quirky, Finding::PkceVerifierMissing),
        "the journal still notes the missing verifier"
    );
}

#[tokio::test]
async fn reusable_codes_redeem_again_without_revocation() {
    let (strict, quirky, http) = strict_and_quirky(Quirks {
        reusable_codes: true,
        ..Quirks::default()
    })
    .await;

    let ac = code(&strict, &http).await;
    assert_eq!(redeem(&strict, &http, &ac).await.status(), 200);
    assert_invalid_grant(redeem(&strict, &http, &ac).await).await;

    let ac = code(&quirky, &http).await;
    let first = json(redeem(&quirky, &http, &ac).await).await;
    for _ in 0..3 {
        assert_eq!(redeem(&quirky, &http, &ac).await.status(), 200);
    }
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(
        userinfo_status(&quirky, access).await,
        200,
        "the first tokens are not revoked"
    );
    assert!(!has_finding(&quirky, Finding::CodeReused));
}

#[tokio::test]
async fn a_reusable_code_still_expires() {
    let config = ProviderConfig {
        code_ttl_secs: 0,
        quirks: Quirks {
            reusable_codes: true,
            ..Quirks::default()
        },
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    let ac = code(&provider, &http).await;
    assert_invalid_grant(redeem(&provider, &http, &ac).await).await;
}

#[tokio::test]
async fn an_unchecked_token_redirect_uri_may_be_missing_or_different() {
    let (strict, quirky, http) = strict_and_quirky(Quirks {
        token_redirect_uri_unchecked: true,
        ..Quirks::default()
    })
    .await;
    let other = REDIRECT.replace("callback", "elsewhere");
    let other = other.as_str();

    for redirect_uri in [None, Some(other)] {
        let ac = code(&strict, &http).await;
        let refused = redeem_with(&strict, &http, &ac, redirect_uri, Some(VERIFIER)).await;
        assert_invalid_grant(refused).await;

        let ac = code(&quirky, &http).await;
        let accepted = redeem_with(&quirky, &http, &ac, redirect_uri, Some(VERIFIER)).await;
        assert_eq!(accepted.status(), 200, "redirect_uri {redirect_uri:?}");
    }
    assert!(has_finding(&quirky, Finding::RedirectUriMissingAtToken));
    assert!(has_finding(&quirky, Finding::RedirectUriDiffersAtToken));
}

#[tokio::test]
async fn omitting_no_store_drops_both_cache_headers_from_token_responses_only() {
    let (strict, quirky, http) = strict_and_quirky(Quirks {
        omit_no_store: true,
        ..Quirks::default()
    })
    .await;

    let ac = code(&strict, &http).await;
    let response = redeem(&strict, &http, &ac).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["pragma"], "no-cache");

    let ac = code(&quirky, &http).await;
    let response = redeem(&quirky, &http, &ac).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("cache-control").is_none());
    assert!(response.headers().get("pragma").is_none());

    let error = redeem(&quirky, &http, &ac).await;
    assert_eq!(error.status(), 400);
    assert_eq!(
        error.headers()["cache-control"],
        "no-store",
        "error responses keep it"
    );
}

#[tokio::test]
async fn dropping_state_on_error_leaves_it_out_of_error_redirects_only() {
    let (strict, quirky, http) = strict_and_quirky(Quirks {
        state_dropped_on_error: true,
        ..Quirks::default()
    })
    .await;
    let mut params = authorize_params("st-42");
    params.retain(|(n, _)| *n != "response_type");
    params.push(("response_type", "token".into()));

    let response = authorize(&strict, &http, &params).await;
    let strict_location = location(&response);
    assert_eq!(
        query_param(&strict_location, "error").as_deref(),
        Some("unsupported_response_type")
    );
    assert_eq!(
        query_param(&strict_location, "state").as_deref(),
        Some("st-42")
    );

    let response = authorize(&quirky, &http, &params).await;
    assert_eq!(response.status(), 302);
    let quirky_location = location(&response);
    assert_eq!(
        query_param(&quirky_location, "error").as_deref(),
        Some("unsupported_response_type")
    );
    assert_eq!(query_param(&quirky_location, "state"), None);

    Decision::deny()
        .for_client(CLIENT_ID)
        .mount(&quirky)
        .unwrap();
    let denied = location(&authorize(&quirky, &http, &authorize_params("st-43")).await);
    assert_eq!(
        query_param(&denied, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_param(&denied, "state"), None, "a denial loses it too");

    let approved = location(&authorize(&quirky, &http, &authorize_params("st-44")).await);
    assert!(query_param(&approved, "code").is_some());
    assert_eq!(query_param(&approved, "state").as_deref(), Some("st-44"));
}

#[test]
fn the_lax_profile_turns_on_exactly_its_quirks() {
    let lax = ProviderConfig::from_file(lax_path()).expect("lax.toml parses");
    assert_eq!(lax.name, "lax");
    assert_eq!(
        lax.quirks,
        Quirks {
            redirect_uri_match: RedirectMatch::Prefix,
            verifier_optional: true,
            reusable_codes: true,
            token_redirect_uri_unchecked: true,
            omit_no_store: true,
            state_dropped_on_error: true,
            omit_code_challenge_methods: false,
            mcp_audience_unchecked: false,
            mcp_query_token: false,
            openid_discovery_only: false,
            metadata_overrides: Default::default(),
            iss_unadvertised: false,
            mcp_expiry_unchecked: false,
            client_metadata_error_redirects: false,
            client_metadata_redirect_unchecked: false,
        }
    );
    assert!(!lax.rotate_refresh_tokens);
    assert!(!lax.send_iss);
    let [client] = lax.clients.as_slice() else {
        panic!("one client: {:?}", lax.clients)
    };
    assert_eq!(client.pkce, PkcePolicy::S256OrPlain);
    assert!(client.client_secret.is_some());
    assert!(!client.redirect_uris.is_empty());
    assert!(!lax.users.is_empty());

    // Everything else is the default profile.
    let default = ProviderConfig::default();
    let rest = ProviderConfig {
        name: default.name.clone(),
        quirks: Quirks::default(),
        rotate_refresh_tokens: default.rotate_refresh_tokens,
        send_iss: default.send_iss,
        clients: default.clients.clone(),
        ..lax
    };
    assert_eq!(rest, default);
}

#[tokio::test]
async fn the_lax_profile_serves_a_plain_pkce_flow_without_iss() {
    let lax = ProviderConfig::from_file(lax_path()).unwrap();
    let client = lax.clients[0].clone();
    let (provider, http) = start_with(lax).await;
    let challenge = "p".repeat(43);
    let params = [
        ("response_type", "code".to_owned()),
        ("client_id", client.client_id.clone()),
        ("redirect_uri", client.redirect_uris[0].clone()),
        ("state", "st".into()),
        ("code_challenge", challenge.clone()),
        ("code_challenge_method", "plain".into()),
    ];
    let response = authorize(&provider, &http, &params).await;
    assert_eq!(response.status(), 302);
    let location = location(&response);
    assert_eq!(query_param(&location, "iss"), None);
    let ac = query_param(&location, "code").expect("a code");

    let response = http
        .post(provider.token_endpoint())
        .header(
            "authorization",
            oauth_vocab::basic::encode(
                &client.client_id,
                client.client_secret.as_deref().unwrap_or_default(),
            ),
        )
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &ac),
            ("code_verifier", &challenge),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("cache-control").is_none());
}
