//! `gauntlet run` against a client Gauntlet's authors did not write: a chatbot in Python on
//! Authlib's requests client (`scripts/authlib-chatbot/`), launched by the profile
//! `fixtures/platforms/authlib-chatbot.toml` (the first run installs Authlib into a venv under
//! `target/`). Its verdicts are pinned in [`FAILS`]: a change in the suite, the driver or the
//! mock that changes them shows up here, with the actual and pinned sets side by side.

use std::path::{Path, PathBuf};
use std::process::Command;

use gauntlet::client::profile::PlatformProfile;
use gauntlet::client::{RunOptions, run};
use gauntlet::report::Status;
use gauntlet::suite::Gate;
use mock_provider::AuthMethod;

use crate::verdicts::{
    Why, check_not_applicable, check_pinned_failures, check_stopped, failures, names, platform_log,
    run_platform,
};

/// Every scenario that fails against the chatbot, and why. Any scenario not listed here must
/// pass or be not applicable for a reason in [`NOT_APPLICABLE`]. When the suite changes, the
/// test's failure message prints the actual failures with their explanations: move rows here.
const FAILS: &[(&str, Why)] = &[
    (
        "A callback with a repeated code is refused",
        Why(
            "Authlib's parse_authorization_code_response reads the callback with \
             dict(parse_qsl(...)), so of `code=<real>&code=<injected>` the last wins and is \
             redeemed: parameters must not be repeated (RFC 6749 §3.1) and an injected code must \
             not reach the token endpoint (RFC 9700 §4.5)",
        ),
    ),
    (
        "A failed token exchange: without an access_token",
        Why(
            "fetch_token returns a token response without access_token, which RFC 6749 §5.1 \
             makes REQUIRED, as a token (Authlib checks access_token only in the implicit \
             grant's fragment): the chatbot stores it and says \"Account linked\"",
        ),
    ),
    (
        "An attacker's chat login link opened by a victim does not link the attacker's chat",
        Why(
            "@should: the chatbot links the chat session whose button was opened, with no \
             confirmation from the chat user, so a victim who opens an attacker's login link \
             links the attacker's chat to her account (RFC 6749 §10.12; RFC 8628 §5.4 \
             recommends such a confirmation for a link that travels the same way)",
        ),
    ),
];

/// Tags whose scenarios do not apply to the chatbot, with (a fragment of) the reason the report
/// must give.
const NOT_APPLICABLE: &[(&str, &str)] = &[
    ("csml", "the platform's shape is web"),
    ("converse", "the platform's shape is web"),
    ("kore", "the platform's shape is web"),
    ("botpress", "the platform's shape is web"),
    ("mcp", "the platform's shape is web"),
    ("ocs", "does not play OpenChatStudio"),
    ("discovery", "client.discovery = false"),
    ("tls", "the mock is not serving HTTPS: "),
    ("mixup", "client.single_provider = true"),
];

/// Scenarios whose passing shows the chatbot was really driven through its flows.
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
    "The callback page does not leak the code through Referer",
];

fn profile_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/platforms/authlib-chatbot.toml")
}

/// Fails with a clear message when the chatbot's install cannot work here.
fn require_python() {
    let venv = Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .output();
    assert!(
        venv.is_ok_and(|o| o.status.success()),
        "this test installs Authlib from PyPI into a venv under target/ and needs `python3` \
         with the venv module (Debian: python3-venv) on the PATH"
    );
}

#[test]
fn the_authlib_chatbot_fails_exactly_the_pinned_scenarios() {
    require_python();
    let reports = tempfile::tempdir().unwrap();
    let (report, output) = run_platform(&profile_path(), reports.path());
    check_pinned_failures(
        &report,
        FAILS,
        "the Authlib chatbot",
        file!(),
        reports.path(),
    );
    let explained = failures(&report);

    // The default gate (@must): exit 1 when a pinned failure is a MUST, else 0.
    let must = |name: &str| {
        report
            .scenarios
            .iter()
            .any(|s| s.name == name && s.tags.iter().any(|t| t == "must"))
    };
    let expected_code = if FAILS.iter().any(|(name, _)| must(name)) {
        1
    } else {
        0
    };
    assert_eq!(
        output.status.code(),
        Some(expected_code),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Everything else passed, or does not apply for the reason pinned for its tag.
    let passed = names(&report, Status::Passed);
    for name in MUST_PASS {
        assert!(passed.contains(*name), "{name} did not pass:\n{explained}");
    }
    check_not_applicable(&report, NOT_APPLICABLE);
    assert!(passed.len() >= 35, "{} passed", passed.len());

    // The chatbot printed where it listens (the port Gauntlet picked), and is stopped.
    check_stopped(&platform_log(reports.path()), "app.py");
}

/// One plain link, with Authlib's default client authentication: `client_secret_basic`.
const BASIC_FEATURE: &str = "\
@rfc6749
Feature: client authentication with HTTP Basic
  @must
  Scenario: A successful link
    Source: RFC 6749 §2.3.1, §4.1
    When alice links her account
    Then the platform tells alice that linking succeeded
    And alice is linked
";

/// The profile's chatbot uses `client_secret_post`. Switched to Authlib's default,
/// `client_secret_basic`, it cannot link at all: `encode_client_secret_basic` joins the id and
/// secret with `:` and Base64-encodes them without form-encoding each first (RFC 6749 §2.3.1),
/// so the profile's secret `gauntlet:secret+/=&%` reaches the provider as another secret and
/// every token request is refused as invalid_client.
#[tokio::test(flavor = "multi_thread")]
async fn authlib_basic_credentials_are_not_form_encoded() {
    require_python();
    let mut profile = PlatformProfile::from_file(&profile_path()).unwrap();
    profile.client.auth_method = AuthMethod::ClientSecretBasic;
    let launch = profile.platform.launch.as_mut().unwrap();
    launch
        .env
        .insert("OAUTH_AUTH_METHOD".into(), "client_secret_basic".into());
    let features = tempfile::tempdir().unwrap();
    std::fs::write(features.path().join("basic.feature"), BASIC_FEATURE).unwrap();
    let reports = tempfile::tempdir().unwrap();
    let options = RunOptions {
        gate: Gate::Must,
        features: Some(features.path().to_path_buf()),
        ..RunOptions::new(profile, reports.path().to_path_buf())
    };
    let result = run(options)
        .await
        .expect("the chatbot starts and is judged");
    let scenario = &result.report.scenarios[0];
    assert_eq!(
        scenario.status,
        Status::Failed,
        "with client_secret_basic the chatbot linked: does Authlib form-encode the credentials \
         now? Then pin client_secret_basic in the profile. {scenario:#?}"
    );
    assert!(!result.passed);
    // The cause, from the chatbot's own log: the provider refused the client's credentials.
    let log = std::fs::read_to_string(reports.path().join("platform.log")).unwrap();
    assert!(
        log.contains("token request failed: invalid_client"),
        "{log}"
    );
}
