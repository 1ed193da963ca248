//! `gauntlet provider` against a real outside server: django-oauth-toolkit (the library
//! OpenChatStudio is built on) with Django's login form and DOT's stock consent page, launched
//! by the profile in `fixtures/providers/` (the first run installs Django into a venv under
//! `target/`). The browser must get through both pages; the findings are pinned so a change in
//! the suite or the driver shows up here. The same site over HTTPS (gunicorn, a throwaway CA
//! the profile names) must give the same findings.

use std::collections::BTreeSet;

use gauntlet::report::{RunReport, Status};

use crate::verdicts::{failures, names, run_outside, set, skipped_but_mcp};

/// What django-oauth-toolkit 3.4 with the settings in scripts/django-provider gets wrong.
const DOT_FAILS: &[&str] = &[
    // oauthlib refuses repeated client_id, response_type, redirect_uri, scope and state only.
    "A repeated code_challenge is refused",
    // A replayed code is refused, but its tokens live on.
    "Tokens issued from a replayed code are revoked",
    // MismatchingRedirectURIError is invalid_request; RFC 6749 §5.2 says invalid_grant.
    "A different redirect_uri at the token endpoint is refused",
    "A redirect_uri with its trailing slash toggled at the token endpoint is refused",
    // 403 HTML, not 401, for an unauthenticated introspection caller (refused all the same).
    "An unauthenticated caller gets 401",
    // Its metadata lists the password grant (and response type "token": the implicit grant).
    "Neither the implicit nor the password grant is offered",
    // COMPLIANT_BCP_RFC9700_PKCE_METHOD is off by default in DOT 3.
    "plain is not advertised",
    "The plain method is refused",
    "A challenge without a method (plain) is refused",
    // The verifier's length is not checked when it matches.
    "A 42-character verifier is refused even when it matches",
    // REFRESH_TOKEN_REUSE_PROTECTION is off by default.
    "Reuse of a public client's rotated refresh token revokes its family",
    // ProtectedResourceView answers 403 without a Bearer challenge (RFC 6750 §3: MUST).
    "A request without a token gets a Bearer challenge",
    "A request without a token gets 401 and a challenge without error code",
    "An invalid token is refused with a Bearer challenge",
    "An invalid token gets invalid_token",
    // A token without the resource's scope: 403 without a Bearer challenge either.
    "A token without the resource's scope is refused with a Bearer challenge",
    "A token without the resource's scope gets insufficient_scope",
    // COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT is off by default.
    "A token in both the header and the query is a malformed request",
    // The 401 challenges with Bearer although the client used Basic.
    "A wrong secret over HTTP Basic gets 401 with WWW-Authenticate",
];

#[tokio::test(flavor = "multi_thread")]
async fn django_oauth_toolkit_is_driven_through_its_real_login_and_consent_pages() {
    dot_is_driven_through_its_pages("django-oauth-toolkit.toml", "http").await;
}

/// The same site served by gunicorn over HTTPS with a certificate from a throwaway CA, which the
/// profile's `[server] ca_file` makes Gauntlet trust: the same findings, reached over TLS.
#[tokio::test(flavor = "multi_thread")]
async fn django_oauth_toolkit_over_https_gets_the_same_verdicts() {
    let report = dot_is_driven_through_its_pages("django-oauth-toolkit-tls.toml", "https").await;
    // Django saw the requests as secure: DOT's metadata names an https:// issuer.
    let metadata = report
        .scenarios
        .iter()
        .flat_map(|s| &s.exchanges)
        .find(|e| e.url.ends_with("/.well-known/oauth-authorization-server/o"))
        .expect("an exchange fetching DOT's metadata");
    let document: serde_json::Value =
        serde_json::from_str(metadata.response_body.as_deref().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}: {metadata:#?}"));
    let issuer = document["issuer"].as_str().unwrap_or_default();
    assert!(issuer.starts_with("https://127.0.0.1:"), "{metadata:#?}");
}

/// Runs the provider suite against the DOT site `profile` launches and checks its verdicts
/// (the same for every way it is served), and that every exchange went over `scheme`.
async fn dot_is_driven_through_its_pages(profile: &str, scheme: &str) -> RunReport {
    // Django on SQLite (its development server, or gunicorn over TLS): a few requests at a
    // time, so that a busy machine does not turn its codes' 5-second lifetime or its locks
    // into findings.
    let report = run_outside(profile, 2).await;
    let with = |status| names(&report, status);
    let passed = with(Status::Passed);
    // Through Django's login form (csrfmiddlewaretoken) and DOT's consent form, both ways.
    for name in [
        "A valid request is answered with a code and the state",
        "Refused consent is an access_denied redirect with the state",
        "The token response is a Bearer token",
        "A revoked access token stops working",
        "An expired code is refused",
        "Posted credentials are never redirected with 307 or 308",
        // It refuses an unauthenticated introspection caller (with 403, which the @should
        // scenario for 401 reports).
        "The caller must be authorized",
    ] {
        assert!(passed.contains(name), "{name} did not pass: {report:#?}");
    }
    let expected = set(DOT_FAILS);
    let failures = failures(&report);
    assert_eq!(with(Status::Failed), expected, "{failures}");
    // Its RFC 8414 metadata is found and consistent; it sends no iss and says so.
    assert!(passed.contains("The metadata names the issuer and the endpoints"));
    assert!(passed.contains("iss is sent exactly when the metadata says so"));
    let mut skipped = BTreeSet::from([
        "iss is on success responses".to_owned(),
        "iss is on error responses".to_owned(),
        "A verifier for a code issued without a challenge is refused".to_owned(),
        // The profile names no registration endpoint.
        "Registration refuses an http redirect URI for a host that is not loopback".to_owned(),
    ]);
    if scheme == "https" {
        // Served over TLS, every URL its metadata names is https://.
        assert!(passed.contains("The metadata names only https:// URLs"));
    } else {
        // Reached over plain HTTP on loopback: the transport rule is not judged.
        skipped.insert("The metadata names only https:// URLs".to_owned());
    }
    assert_eq!(skipped_but_mcp(&report), skipped);
    let urls: Vec<&str> = report
        .scenarios
        .iter()
        .flat_map(|s| &s.exchanges)
        .map(|e| e.url.as_str())
        .collect();
    let prefix = format!("{scheme}://127.0.0.1:");
    assert!(!urls.is_empty(), "no exchanges recorded");
    let elsewhere: Vec<&&str> = urls.iter().filter(|u| !u.starts_with(&prefix)).collect();
    assert!(elsewhere.is_empty(), "not over {scheme}: {elsewhere:?}");
    report
}
