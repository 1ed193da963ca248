//! `gauntlet run` against an MCP client Gauntlet's authors did not write the OAuth of: a chatbot
//! in Node.js on the official MCP TypeScript SDK (`scripts/mcp-sdk-chatbot/`,
//! `@modelcontextprotocol/sdk`), launched by the profile `fixtures/platforms/mcp-sdk-chatbot.toml`
//! (the first run installs the SDK with `npm ci` under `target/`). The SDK does the whole OAuth
//! side (`auth()`: RFC 9728 and RFC 8414 discovery, PKCE, `resource`, the token requests,
//! refresh); the chatbot only keeps flows by `state` and answers the routes. The mock is its
//! MCP server over HTTPS. Its verdicts are pinned in [`FAILS`].

use std::path::Path;
use std::process::Command;

use gauntlet::report::Status;

use crate::verdicts::{
    Why, check_not_applicable, check_pinned_failures, failures, names, platform_log, run_platform,
};

/// Every scenario that fails against the chatbot, and why. Any other must pass or be not
/// applicable for a reason in [`NOT_APPLICABLE`].
const FAILS: &[(&str, Why)] = &[
    (
        "No authorization when the metadata does not list code_challenge_methods_supported",
        Why(
            "the SDK (1.32.2) refuses metadata whose list lacks S256 but goes on when the list is \
             absent, which MCP 2025-11-25 (\"Authorization Code Protection\") says clients must \
             refuse",
        ),
    ),
    (
        "A failed token exchange: with invalid_grant",
        Why(
            "on invalid_grant the SDK invalidates its credentials and runs auth() again with the \
             same code and verifier: a second token request for a code the server just refused \
             (the mock then sees a replay)",
        ),
    ),
    (
        "A token of a type the platform does not understand is not used",
        Why(
            "the SDK stores the token response without reading token_type and sends any access \
             token as a Bearer header (RFC 6749 §7.1: a client must not use a token whose type \
             it does not understand)",
        ),
    ),
    (
        "A plain-HTTP token endpoint in TLS metadata is never sent the code",
        Why(
            "the SDK takes the token endpoint from the https metadata without checking its \
             scheme and sends the code, the verifier and the client secret over plain http \
             (RFC 6749 §10.9, §3.2)",
        ),
    ),
    (
        "A callback with a repeated code is refused",
        Why(
            "the chatbot's, not the SDK's (auth() is handed one code): it reads the callback \
             with URLSearchParams.get(), which takes the first of repeated parameters (RFC 6749 \
             §3.1: parameters must not be repeated)",
        ),
    ),
    (
        "A callback with a repeated state is refused",
        Why("the same URLSearchParams.get() in the chatbot's callback"),
    ),
    (
        "Authorization server metadata that names another issuer is not used",
        Why(
            "the SDK (1.32.2) does not compare the metadata's issuer with the URL it built the \
             well-known URL from (its auth.js says so: \"this version does not check that the \
             metadata document echoes the URL it was fetched from\"), and authorizes with it \
             (RFC 8414 §3.3; MCP 2026-07-28, \"Authorization Server Metadata Discovery\")",
        ),
    ),
    (
        "An authorization endpoint no browser may open is never handed to one",
        Why(
            "the SDK's SafeUrlSchema refuses only javascript:, data: and vbscript: (those rows \
             pass); a file: URL and a made-up scheme carrying a shell substitution \
             (CVE-2025-6514) pass it, and the chatbot redirects the browser there (MCP \
             \"Communication Security\": authorization server endpoints MUST be HTTPS)",
        ),
    ),
    (
        "A response without iss is rejected when the metadata promises iss",
        Why(
            "the SDK's auth() (1.32.2) takes the authorization code alone, never the callback's \
             iss, and nothing else checks it: the code goes to the token endpoint though the \
             metadata promises iss and the response has none (MCP 2026-07-28, \"Authorization \
             Response Validation\", row 2; RFC 9207 §2.4)",
        ),
    ),
    (
        "A present iss is compared even when the metadata does not promise iss",
        Why(
            "no iss check at all, as above: a response naming another issuer is redeemed (MCP \
             2026-07-28, \"Authorization Response Validation\", row 3)",
        ),
    ),
    (
        "An iss that differs from the recorded issuer only by a trailing slash is rejected",
        Why(
            "no iss check at all, as above, so no byte-for-byte comparison either (MCP \
             2026-07-28, \"Authorization Response Validation\": no normalisation)",
        ),
    ),
    (
        "An iss that differs from the recorded issuer only in the case of its scheme and host is rejected",
        Why("the same: any iss passes"),
    ),
    (
        "An error response from another issuer is neither acted on nor shown",
        Why(
            "the chatbot's, as the SDK has no iss check to call: its callback shows the error code \
             of any error response (\"the provider answered temporarily_unavailable\") without \
             looking at iss, which MCP 2026-07-28 (\"Authorization Response Validation\") \
             forbids on a mismatch",
        ),
    ),
    (
        "A client_id registered with one authorization server is never sent to another",
        Why(
            "the chatbot's clientInformation() hands the SDK its one pre-registered client \
             whatever the authorization server (it takes no issuer with it, though the profile \
             could give {registered_issuer}), so auth() sends that client_id to an issuer \
             that never registered it instead of registering there (MCP 2026-07-28, \
             \"Authorization Server Binding\")",
        ),
    ),
    (
        "The Client ID Metadata Document is used when the authorization server advertises it",
        Why(
            "the same: with client information at hand the SDK neither uses a metadata document \
             (the chatbot configures none) nor registers (MCP 2025-11-25 and later, \
             client registration priority order)",
        ),
    ),
    (
        "Dynamic registration is used when Client ID Metadata Documents are not advertised",
        Why("the same: no registration at an authorization server that has not registered it"),
    ),
];

/// Tags whose scenarios do not apply, with (a fragment of) the reason the report gives.
const NOT_APPLICABLE: &[(&str, &str)] = &[
    ("csml", "the platform's shape is mcp"),
    ("converse", "the platform's shape is mcp"),
    ("kore", "the platform's shape is mcp"),
    ("botpress", "the platform's shape is mcp"),
    ("chat", "carries no login link"),
    ("mixup", "talks to one authorization server only"),
    ("ocs", "does not play OpenChatStudio"),
    // The chatbot has no request that calls a chosen tool: the step-up scenarios need one.
    ("tool_call", "no way to make the platform call an MCP tool"),
];

/// Scenarios whose passing shows the SDK was really driven, and what it gets right.
const MUST_PASS: &[&str] = &[
    "A successful link",
    "The authorization request names the MCP server byte for byte",
    "The token request names the resource of the authorization request",
    "Protected-resource metadata that describes another resource is not used",
    "Without a metadata URL in the 401, the path-aware well-known URL is read",
    "The path-aware well-known URL is read before the root one",
    "The metadata of an authorization server with a path is read at the path-inserted URL first",
    "An authorization server that publishes only OpenID Connect discovery is found",
    "The first authorization asks for the scope the 401 names",
    "Without a scope in the 401, the first authorization asks for the metadata's scopes",
    "The verifier sent to the token endpoint matches the challenge",
    "An expired access token is refreshed",
    "The rotated refresh token replaces the old one",
    "A revoked token leads back to login",
    // The rows of the iss table that proceed: the SDK never demands iss.
    "A response whose iss is the recorded issuer is accepted when the metadata promises iss",
    "A response without iss is accepted when the metadata does not promise iss",
];

fn require_node() {
    for tool in ["node", "npm"] {
        assert!(
            Command::new(tool).arg("--version").output().is_ok(),
            "`{tool}` is not installed: this test installs @modelcontextprotocol/sdk from the npm \
             registry into target/ and needs Node.js 20 or later with npm on the PATH"
        );
    }
}

#[test]
fn the_mcp_sdk_chatbot_fails_exactly_the_pinned_scenarios() {
    require_node();
    let profile =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/platforms/mcp-sdk-chatbot.toml");
    let reports = tempfile::tempdir().unwrap();
    let (report, output) = run_platform(&profile, reports.path());
    check_pinned_failures(
        &report,
        FAILS,
        "the MCP SDK chatbot",
        file!(),
        reports.path(),
    );
    // The counts the README gives: failed rows (an outline's rows share a name), passed, not
    // applicable.
    let count = |status| {
        (report.scenarios.iter())
            .filter(|s| s.status == status)
            .count()
    };
    assert_eq!(
        (
            count(Status::Passed),
            count(Status::Failed),
            count(Status::Skipped)
        ),
        (61, 17, 27)
    );
    // @must scenarios fail: the default gate's exit 1.
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Each failure names its cause (an outline's failing row, as its rows share the name).
    let explanation = |name: &str| {
        (report.scenarios.iter())
            .find(|s| s.name == name && s.status == Status::Failed)
            .and_then(|s| s.explanation.clone())
            .unwrap_or_default()
    };
    for (name, cause) in [
        (FAILS[0].0, "lists no code_challenge_methods_supported"),
        (FAILS[1].0, "2 token requests"),
        (FAILS[2].0, "type \"mac\""),
        (FAILS[3].0, "in the clear"),
        (FAILS[6].0, "elsewhere.example.test"),
        (FAILS[7].0, "CVE-2025-6514"),
        (FAILS[8].0, "row 2 of the table"),
        (FAILS[9].0, "row 3 of the table"),
        (FAILS[10].0, "only by a trailing slash"),
        (FAILS[12].0, "temporarily_unavailable"),
    ] {
        assert!(
            explanation(name).contains(cause),
            "{name}: {}",
            explanation(name)
        );
    }

    let passed = names(&report, Status::Passed);
    for name in MUST_PASS {
        assert!(
            passed.contains(*name),
            "{name} did not pass:\n{}",
            failures(&report)
        );
    }
    check_not_applicable(&report, NOT_APPLICABLE);
    // The chatbot never logged a secret.
    let log = platform_log(reports.path());
    for secret in ["gauntlet:secret", "code=", "state="] {
        assert!(
            !log.contains(secret),
            "the chatbot logged {secret:?}:\n{log}"
        );
    }
}
