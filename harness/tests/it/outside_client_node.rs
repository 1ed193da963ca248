//! `gauntlet run` against a second client Gauntlet's authors did not write, of another language
//! and library: a chatbot in Node.js on panva's openid-client 6 (`scripts/openid-client-chatbot/`),
//! launched by the profile `fixtures/platforms/openid-client-chatbot.toml` (the first run
//! installs openid-client with `npm ci` under `target/`). Unlike the Authlib chatbot it reads the
//! provider's metadata (`discovery()`), and the mock serves HTTPS, which it trusts through
//! `NODE_EXTRA_CA_CERTS` (never `allowInsecureRequests`): the `@discovery`, `@tls` and `@mixup`
//! scenarios are judged too. Its verdicts are pinned in [`FAILS`].

use std::path::{Path, PathBuf};
use std::process::Command;

use gauntlet::report::Status;

use crate::verdicts::{
    Why, check_not_applicable, check_pinned_failures, check_stopped, failures, names, platform_log,
    run_platform,
};

const BIN: &str = env!("CARGO_BIN_EXE_gauntlet");

/// Every scenario that fails against the chatbot, and why. Any scenario not listed here must
/// pass or be not applicable for a reason in [`NOT_APPLICABLE`].
const FAILS: &[(&str, Why)] = &[(
    "An attacker's chat login link opened by a victim does not link the attacker's chat",
    Why(
        "@should, the chatbot's design and not openid-client's: like the Authlib chatbot it \
         links the chat session whose button was opened, with no confirmation from the chat \
         user, so a victim who opens an attacker's login link links the attacker's chat to her \
         account (RFC 6749 §10.12; RFC 8628 §5.4 recommends such a confirmation for a link that \
         travels the same way). openid-client only sees the browser's flow (state, verifier), \
         which is the victim's own and valid",
    ),
)];

/// Tags whose scenarios do not apply to the chatbot, with (a fragment of) the reason the report
/// must give. `@discovery`, `@tls` and `@mixup` are not here: they all run, and pass.
const NOT_APPLICABLE: &[(&str, &str)] = &[
    ("csml", "the platform's shape is web"),
    ("converse", "the platform's shape is web"),
    ("kore", "the platform's shape is web"),
    ("botpress", "the platform's shape is web"),
    ("mcp", "the platform's shape is web"),
    ("ocs", "does not play OpenChatStudio"),
];

/// Scenarios whose passing shows the chatbot was really driven through its flows, and what
/// openid-client itself refuses (each a failure of the Authlib chatbot or not applicable to it).
const MUST_PASS: &[&str] = &[
    "A successful link",
    "The code is redeemed exactly once with the configured client authentication",
    "The verifier sent to the token endpoint matches the challenge",
    "A state issued in one user's session is refused in another's",
    "A replayed callback is refused",
    "An expired access token is refreshed",
    "The rotated refresh token replaces the old one",
    "A revoked token leads back to login",
    "A token endpoint that does not answer in time",
    "A token of a type the platform does not understand is not used",
    // oauth4webapi's validateAuthResponse: "\"code\" parameter must be provided only once".
    "A callback with a repeated code is refused",
    // processGenericAccessTokenResponse requires access_token (RFC 6749 §5.1).
    "A failed token exchange: without an access_token",
    // RFC 9207 §2.4: iss is compared with the metadata's issuer, and required when the metadata
    // says authorization_response_iss_parameter_supported.
    "A response from the wrong issuer is refused",
    "A response without iss is refused when the metadata promises it",
    // The transport verdicts: the mock serves HTTPS, so both are judged.
    "The redirect URIs are https or loopback",
    "A plain-HTTP token endpoint in TLS metadata is never sent the code",
];

fn profile_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/platforms/openid-client-chatbot.toml")
}

/// Fails with a clear message when the chatbot's install cannot work here.
fn require_node() {
    for tool in ["node", "npm"] {
        assert!(
            Command::new(tool).arg("--version").output().is_ok(),
            "`{tool}` is not installed: this test installs openid-client from the npm registry \
             into target/ and needs Node.js 20 or later with npm on the PATH"
        );
    }
}

#[test]
fn the_openid_client_chatbot_fails_exactly_the_pinned_scenarios() {
    require_node();
    let reports = tempfile::tempdir().unwrap();
    let (report, output) = run_platform(&profile_path(), reports.path());
    check_pinned_failures(
        &report,
        FAILS,
        "the openid-client chatbot",
        file!(),
        reports.path(),
    );
    let explained = failures(&report);

    // The default gate (@must): its only failure is a SHOULD, so exit 0.
    let must = |name: &str| {
        report
            .scenarios
            .iter()
            .any(|s| s.name == name && s.tags.iter().any(|t| t == "must"))
    };
    assert!(!FAILS.iter().any(|(name, _)| must(name)));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let passed = names(&report, Status::Passed);
    for name in MUST_PASS {
        assert!(passed.contains(*name), "{name} did not pass:\n{explained}");
    }
    check_not_applicable(&report, NOT_APPLICABLE);
    assert!(passed.len() >= 45, "{} passed", passed.len());

    // The downgrade, as it really happens: the second instance starts (discovery() reads the
    // https metadata and does not check the endpoints it names), takes the flow to the callback,
    // and there oauth4webapi refuses to send the token request to the plain-HTTP token endpoint
    // (checkProtocol: "only requests to HTTPS are allowed"), so nothing reaches the plain
    // listener and linking fails.
    let downgrade =
        std::fs::read_to_string(reports.path().join("platform-downgrade.log")).unwrap_or_default();
    assert!(
        downgrade.contains("linking failed: ClientError: OAUTH_HTTP_REQUEST_FORBIDDEN"),
        "--- platform-downgrade.log ---\n{downgrade}"
    );

    // The chatbot printed where it listens (the port Gauntlet picked), is stopped, and never
    // logged a secret.
    let log = platform_log(reports.path());
    check_stopped(&log, "app.mjs");
    for secret in ["gauntlet:secret", "code=", "state="] {
        assert!(
            !log.contains(secret) && !downgrade.contains(secret),
            "the chatbot logged {secret:?}:\n{log}"
        );
    }
}

/// The chatbot without `NODE_EXTRA_CA_CERTS`: it does not trust the mock's CA, cannot read the
/// metadata and exits before it is ready, so the run ends with exit 2. Node.js sends no TLS
/// alert (its client checks the certificate after the handshake and drops the connection), so
/// the mock records a handshake closed without an alert, and Gauntlet names that as the most
/// likely cause, with the CA to give.
#[test]
fn without_the_ca_the_chatbot_exits_and_gauntlet_names_the_untrusted_ca() {
    require_node();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(profile_path()).unwrap();
    let workdir = format!(
        "workdir = {:?}",
        root.canonicalize().unwrap().display().to_string()
    );
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("NODE_EXTRA_CA_CERTS"))
        .map(|l| {
            if l.starts_with("workdir = ") {
                workdir.clone()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("no-ca.toml");
    std::fs::write(&profile, text).unwrap();
    let reports = dir.path().join("reports");
    let output = Command::new(BIN)
        .arg("run")
        .arg("--platform")
        .arg(&profile)
        .arg("--report-dir")
        .arg(&reports)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let log = std::fs::read_to_string(reports.join("platform.log")).unwrap_or_default();
    assert_eq!(output.status.code(), Some(2), "{stderr}\n{log}");
    // The chatbot's own words: Node.js refused the certificate.
    assert!(
        log.contains("the provider's metadata could not be read: TypeError: fetch failed")
            && log.contains("UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
        "{log}"
    );
    assert!(
        stderr.contains("the platform exited (exit status: 1) before it was ready"),
        "{stderr}"
    );
    assert!(
        stderr.contains("closed its connection in the middle of the mock's TLS handshake")
            && stderr.contains("most likely does not trust the mock's CA")
            && stderr.contains("NODE_EXTRA_CA_CERTS"),
        "{stderr}"
    );
}
