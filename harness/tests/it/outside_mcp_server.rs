//! `gauntlet provider` against a real MCP server with authorization, on the official MCP
//! TypeScript SDK 1.32.2: the SDK's `mcpAuthRouter` and `requireBearerAuth` with a thin in-memory
//! provider of ours (`scripts/mcp-sdk-server/`), launched by
//! `fixtures/providers/mcp-sdk-server.toml` (the first run installs the SDK with `npm ci` under
//! `target/`). It approves at once, without pages. The command line's verdicts and exit code are
//! pinned, so a change in the suite or the pinned SDK shows up here.

use std::path::Path;

use gauntlet::report::{RunReport, Status};

use crate::verdicts::{explained, failures, names, set};

/// What the SDK's server auth, with our provider in scripts/mcp-sdk-server/server.mjs, gets
/// wrong. "SDK": the SDK's handlers or middleware; "ours": our provider's code.
const MCP_SDK_SERVER_FAILS: &[&str] = &[
    // SDK (authorize handler): a request that fails its schema is redirected with error, but
    // without the state, which it reads only from a request that parsed (RFC 6749 §4.1.2.1: state
    // REQUIRED on the error response if the request had it).
    "A request without response_type is an error redirect",
    // SDK (authorize handler): response_type is z.literal("code"), so an unknown one is
    // invalid_request, where RFC 6749 §4.1.2.1 names unsupported_response_type (and the state
    // is lost as above).
    "An unknown response_type is an error redirect",
    // Ours: a redeemed code is deleted, so a replay is refused (invalid_grant), but the tokens
    // issued from it live on; RFC 6749 §4.1.2 says they SHOULD be revoked. The SDK's demo
    // provider does no more.
    "Tokens issued from a replayed code are revoked",
    // SDK (token handler): code_verifier is any string; pkce-challenge's verifyChallenge hashes
    // it without checking RFC 7636 §4.1's 43 to 128 characters.
    "A 42-character verifier is refused even when it matches",
    // Ours: refresh tokens rotate (the used one is spent, its reuse is invalid_grant), but a
    // reuse does not revoke the active refresh token of the family (RFC 9700 §4.14.2).
    "Reuse of a public client's rotated refresh token revokes its family",
    // Ours: revokeToken deletes the token given only; RFC 7009 §2.1 says revoking a refresh
    // token SHOULD also invalidate the access tokens of the same grant.
    "Revoking a refresh token also revokes its access tokens",
    // SDK (token handler): Cache-Control: no-store only, no Pragma: no-cache (RFC 6749 §5.1;
    // OAuth 2.1 drops it).
    "The token response also carries Pragma no-cache",
    // SDK (authenticateClient): credentials are read from the form body only; HTTP Basic,
    // which RFC 6749 §2.3.1 says the server MUST support, ends in 400 invalid_request (no
    // client_id in the body), not §5.2's 401 invalid_client with WWW-Authenticate.
    "A wrong secret over HTTP Basic gets 401 with WWW-Authenticate",
    // SDK (requireBearerAuth): a request without any Authorization header gets
    // error="invalid_token"; RFC 6750 §3.1 says such a challenge SHOULD NOT carry an error code.
    "A request without a token gets 401 and a challenge without error code",
    // SDK (requireBearerAuth): reads the header only, so a token also in the query is served
    // (200), where RFC 6750 §2 and §3.1 make it invalid_request (400).
    "A token in both the header and the query is a malformed request",
    // SDK (authorize handler): redirects with code and state only, never iss, and its metadata
    // router has no authorization_response_iss_parameter_supported. MCP 2026-07-28
    // ("Authorization Response Validation") says MCP authorization servers SHOULD send iss
    // (RFC 9207 §2), so that clients can reject a mix-up.
    "The MCP server's authorization server sends iss in a successful authorization response",
];

/// Not applicable to it.
const MCP_SDK_SERVER_SKIPS: &[&str] = &[
    // It approves at once as alice: no consent to refuse, no login or consent page to judge.
    "Refused consent is an access_denied redirect with the state",
    "Posted credentials are never redirected with 307 or 308",
    "The login and consent pages send a Referrer-Policy",
    "The login and consent pages may not be framed",
    // Its metadata does not advertise RFC 9207's authorization_response_iss_parameter_supported.
    "iss is on success responses",
    "iss is on error responses",
    // It approves at once: no consent to refuse, so no error response to judge the MCP iss
    // rule on (the success response fails it above).
    "The MCP server's authorization server sends iss in an error response",
    // The SDK has no introspection endpoint.
    "The caller must be authorized",
    "An unauthenticated caller gets 401",
    "An active token is active",
    "An active token's scope, client_id and exp are given",
    "Introspecting an unknown token gives exactly {\"active\": false}",
    "Introspecting a malformed token gives exactly {\"active\": false}",
    "A revoked token is exactly {\"active\": false}",
    // The SDK's authorize handler needs an S256 challenge: every code has one.
    "A verifier for a code issued without a challenge is refused",
    // It is reached over plain HTTP on loopback: the transport rules are not judged.
    "The metadata names only https:// URLs",
    "Registration refuses an http redirect URI for a host that is not loopback",
    // MCP: its authorization server issues tokens for its own /mcp only (any other resource is
    // invalid_target), so there is no token for another resource to present (other_resource).
    "A token issued for another resource is refused with 401",
    // MCP: its metadata does not advertise client_id_metadata_document_supported (and the
    // profile names no client_metadata_document).
    "A metadata-document client_id whose document cannot be fetched is refused without a redirect",
    "A client identified by its metadata document gets a token the MCP server accepts",
    "A redirect URI the metadata document does not list is refused without a redirect",
    // MCP: the profile names no expired_token, and its tokens live an hour (expires_in 3600):
    // Gauntlet cannot make one expire at will.
    "An expired token is refused with 401",
    "The 401 for an expired token says invalid_token",
];

#[test]
fn the_mcp_sdk_server_gets_its_pinned_verdicts_and_fails_the_must_gate() {
    let profile =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/providers/mcp-sdk-server.toml");
    let reports = tempfile::tempdir().unwrap();
    // One Node.js process, in memory: a few requests at a time, so that a busy machine does not
    // turn its codes' 10-second lifetime into findings.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(["provider", "--concurrency", "2", "--provider"])
        .arg(&profile)
        .arg("--report-dir")
        .arg(reports.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let log = std::fs::read_to_string(reports.path().join("provider.log")).unwrap_or_default();
    let json = std::fs::read_to_string(reports.path().join("report.json"))
        .unwrap_or_else(|e| panic!("{e}\n{stdout}\n{stderr}\n--- provider.log ---\n{log}"));
    let report: RunReport = serde_json::from_str(&json).unwrap();
    let with = |status| names(&report, status);
    let failures = failures(&report);

    assert_eq!(
        with(Status::Failed),
        set(MCP_SDK_SERVER_FAILS),
        "{failures}"
    );
    let skips = explained(&report, Status::Skipped);
    assert_eq!(with(Status::Skipped), set(MCP_SDK_SERVER_SKIPS), "{skips}");
    assert!(
        with(Status::Error).is_empty(),
        "{}",
        explained(&report, Status::Error)
    );
    let passed = with(Status::Passed);
    assert_eq!(
        (
            passed.len(),
            MCP_SDK_SERVER_FAILS.len(),
            MCP_SDK_SERVER_SKIPS.len()
        ),
        // 80: the SDK's authorization server registers a native MCP client (RFC 7591 §3.2.1).
        (80, 11, 23),
        "{stdout}"
    );
    // What the SDK and our provider get right, among them the checks that are ours.
    for name in [
        "A valid request is answered with a code and the state",
        "The token response is a Bearer token",
        "The access token opens the resource",
        "An invalid token gets invalid_token",
        "A token without the resource's scope gets insufficient_scope",
        "A revoked access token stops working",
        "An expired code is refused",
        "A different redirect_uri at the token endpoint is refused",
        "A refresh may not widen the scope",
        "The metadata names the issuer and the endpoints",
        // The MCP checks ([server.mcp]): the SDK's requireBearerAuth and metadata routers.
        "A request without a token gets 401 and a way to the protected-resource metadata",
        "The protected-resource metadata describes the MCP server",
        "The MCP server's authorization server advertises S256",
        "A token issued for the MCP server opens it",
        "A tool call needing more scope is refused with 403",
        "An authorization request for an unknown resource is refused with invalid_target",
    ] {
        assert!(passed.contains(name), "{name} did not pass: {failures}");
    }
    // Failed @must scenarios (the response_type ones, Basic, the refresh family): the default
    // gate fails the run.
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
}
