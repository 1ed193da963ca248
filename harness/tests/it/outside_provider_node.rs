//! `gauntlet provider` against a second real outside server, of another language and library:
//! panva's oidc-provider 8.8 (Node.js) with its built-in development login and consent pages,
//! launched by `fixtures/providers/oidc-provider.toml` (the first run installs it with `npm ci`
//! under `target/`). The browser must get through both pages — refusing through the consent
//! page's "[ Cancel ]" link — and the findings are pinned so a change in the suite, the driver or
//! the pinned version shows up here.

use gauntlet::report::Status;

use crate::verdicts::{explained, failures, names, run_outside, set, skipped_but_mcp};

/// What oidc-provider 8.8.1 with the configuration in scripts/oidc-provider/server.mjs gets
/// wrong.
const OIDC_PROVIDER_FAILS: &[&str] = &[
    // A request without scope ends, without a consent page, in access_denied ("authorization
    // request resolved without requesting interactions but no scope was granted",
    // lib/actions/authorization/interactions.js), where RFC 6749 §3.3 says to use a default
    // scope or fail indicating an invalid scope (invalid_scope). (An unknown scope next to a
    // known one is ignored and the granted scope stated, which §3.3 allows: that passes.)
    "A request without scope gets a default scope, stated, or invalid_scope",
    // Cache-Control: no-store only; RFC 6749 §5.1 also names Pragma: no-cache (OAuth 2.1 drops
    // it, so oidc-provider does not send it).
    "The token response also carries Pragma no-cache",
    // The development login and consent pages (devInteractions) send neither Referrer-Policy
    // nor X-Frame-Options / CSP frame-ancestors; a deployment renders its own pages.
    "The login and consent pages send a Referrer-Policy",
    "The login and consent pages may not be framed",
];

/// Not applicable to it.
const OIDC_PROVIDER_SKIPS: &[&str] = &[
    // pkce.required is true for every client, so every code has a challenge.
    "A verifier for a code issued without a challenge is refused",
    // It is reached over plain HTTP on loopback: the transport rules are not judged.
    "The metadata names only https:// URLs",
    "Registration refuses an http redirect URI for a host that is not loopback",
];

#[tokio::test(flavor = "multi_thread")]
async fn oidc_provider_is_driven_through_its_real_login_and_consent_pages() {
    // One Node.js process, in-memory: a few requests at a time, so that a busy machine does
    // not turn its codes' 10-second lifetime into findings.
    let report = run_outside("oidc-provider.toml", 2).await;
    let with = |status| names(&report, status);
    let failures = failures(&report);
    let expected = set(OIDC_PROVIDER_FAILS);
    assert_eq!(with(Status::Failed), expected, "{failures}");
    let passed = with(Status::Passed);
    // Through its login page (any login) and its consent page, approving with the "Continue"
    // button and refusing with the "[ Cancel ]" link.
    for name in [
        "A valid request is answered with a code and the state",
        "Refused consent is an access_denied redirect with the state",
        "The token response is a Bearer token",
        "A revoked access token stops working",
        "An expired code is refused",
        "Posted credentials are never redirected with 307 or 308",
        // RFC 9207: it advertises iss and sends it.
        "iss is sent exactly when the metadata says so",
        "iss is on success responses",
        "iss is on error responses",
        "The metadata names the issuer and the endpoints",
    ] {
        assert!(passed.contains(name), "{name} did not pass: {failures}");
    }
    // The refusal went through the consent page's "[ Cancel ]" link, as a person's would.
    let refused = report
        .scenarios
        .iter()
        .find(|s| s.name == "Refused consent is an access_denied redirect with the state")
        .unwrap();
    assert!(
        refused.exchanges.iter().any(|e| e.method == "GET"
            && e.url.contains("/interaction/")
            && e.url.ends_with("/abort")),
        "{:#?}",
        refused.exchanges.iter().map(|e| &e.url).collect::<Vec<_>>()
    );
    let skipped = set(OIDC_PROVIDER_SKIPS);
    let skips = explained(&report, Status::Skipped);
    assert_eq!(skipped_but_mcp(&report), skipped, "{skips}");
}
