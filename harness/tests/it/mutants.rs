//! `gauntlet mutants`: the whole defect catalogue against the client suite. The correct
//! reference platform passes every scenario and every defect is caught by at least one.

use std::process::Command;

use gauntlet::client::mutants::{MutantsOptions, run_mutants};
use gauntlet::client::profile::PlatformProfile;
use reference_platform::Defect;

/// The full matrix for one shape's profile: the reference passes, every defect is caught.
async fn full_matrix(file: &str) -> gauntlet::client::mutants::Matrix {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/platforms")
        .join(file);
    let profile = PlatformProfile::from_file(&path).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let defects = gauntlet::client::mutants::applicable_defects(&profile);
    let matrix = run_mutants(MutantsOptions::new(profile, dir.to_path_buf()))
        .await
        .expect("the matrix runs");
    assert!(
        matrix.reference_failures.is_empty(),
        "[{file}] {:?}",
        matrix.reference_failures
    );
    assert_eq!(matrix.rows.len(), defects.len());
    let survivors: Vec<&str> = matrix.survivors().map(|r| r.defect.as_str()).collect();
    assert!(
        survivors.is_empty(),
        "[{file}] defects no scenario caught: {survivors:?}"
    );
    assert!(matrix.passed());
    let markdown = std::fs::read_to_string(dir.join("mutants.md")).unwrap();
    assert!(markdown.contains("**Verdict: PASS**"), "{markdown}");
    matrix
}

#[tokio::test(flavor = "multi_thread")]
async fn every_defect_is_caught_in_the_web_shape() {
    let matrix = full_matrix("reference.toml").await;
    assert!(matrix.rows.len() >= 30);
    // Each defect is caught where its rule is checked.
    let row = |name: &str| matrix.rows.iter().find(|r| r.defect == name).unwrap();
    assert!(
        row("weak_state")
            .killed_by
            .contains(&"The state is unguessable".to_owned())
    );
    assert!(
        row("open_redirect")
            .killed_by
            .contains(&"The callback is not an open redirector".to_owned())
    );
    // Rotation is judged on the refreshes a platform makes: dropping the rotated refresh token
    // fails it, never refreshing does not (the refresh scenario catches that).
    let rotation = "The rotated refresh token replaces the old one".to_owned();
    assert!(row("refresh_token_dropped").killed_by.contains(&rotation));
    assert!(!row("no_refresh").killed_by.contains(&rotation));
    assert!(
        row("no_refresh")
            .killed_by
            .contains(&"An expired access token is refreshed".to_owned())
    );
    // Concurrent refreshes are judged on the refreshes made: only the refresh storm fails it.
    let single_flight = "Requests that find the access token refused at once share one refresh";
    assert_eq!(row("refresh_not_single_flight").killed_by, [single_flight]);
    assert!(
        !row("no_refresh")
            .killed_by
            .contains(&single_flight.to_owned())
    );
    // The Referer scenario judges what can leak: a page linking elsewhere without a policy.
    assert!(
        row("no_referrer_policy")
            .killed_by
            .contains(&"The callback page does not leak the code through Referer".to_owned())
    );
    assert!(
        row("no_token_timeout")
            .killed_by
            .contains(&"A token endpoint that does not answer in time".to_owned())
    );
    // A platform that takes the session of the callback's browser passes when that browser
    // has no flow of its own; only an attacker's browser with a flow in progress shows it.
    let hijack = &row("callback_session_linked").killed_by;
    assert!(hijack.contains(&VICTIMS_CALLBACK.to_owned()), "{hijack:?}");
    assert!(hijack.contains(&LOGIN_CSRF.to_owned()), "{hijack:?}");
    assert!(
        !hijack
            .contains(&"A state issued in one user's session is refused in another's".to_owned())
    );
    // A token request that forwards a repeated code is refused by the provider before it knows
    // the client; the mock ties it to its flow, so the repeated-code scenario, and it alone,
    // sees the request.
    assert_eq!(
        row("repeated_code_forwarded").killed_by,
        ["A callback with a repeated code is refused"]
    );
    // Shape defects are tried only in their shape, the chat link's confirmation only in a
    // chat channel.
    assert!(!matrix.rows.iter().any(|r| r.defect == "botpress_wrong_bot"));
    assert!(
        !matrix
            .rows
            .iter()
            .any(|r| r.defect == "no_link_confirmation")
    );
    // A TLS downgrade only against a mock serving HTTPS (reference-tls, below).
    assert!(
        !matrix
            .rows
            .iter()
            .any(|r| r.defect == "plain_token_endpoint")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_downgrade_defect_is_tried_and_caught_against_an_https_provider() {
    // Arrange
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/platforms/reference-tls.toml");
    let profile = PlatformProfile::from_file(&path).unwrap();
    let defects = gauntlet::client::mutants::applicable_defects(&profile);
    let tmp = tempfile::tempdir().unwrap();

    // Act
    let matrix = run_mutants(MutantsOptions {
        defects: vec![Defect::PlainTokenEndpoint],
        ..MutantsOptions::new(profile, tmp.path().to_path_buf())
    })
    .await
    .expect("the matrix runs");

    // Assert: tried over HTTPS only; the reference passes, the downgrade scenario alone kills it.
    assert!(defects.contains(&Defect::PlainTokenEndpoint));
    let plain = gauntlet::client::mutants::applicable_defects(&PlatformProfile::reference());
    assert!(!plain.contains(&Defect::PlainTokenEndpoint));
    assert!(
        matrix.reference_failures.is_empty(),
        "{:?}",
        matrix.reference_failures
    );
    assert_eq!(
        matrix.rows[0].killed_by,
        ["A plain-HTTP token endpoint in TLS metadata is never sent the code"]
    );
    assert!(matrix.passed());
}

const VICTIMS_CALLBACK: &str =
    "A victim's callback in an attacker's browser with a flow of its own links nobody";
const LOGIN_CSRF: &str =
    "An attacker's callback in a victim's browser with a flow of its own links nobody";

#[tokio::test(flavor = "multi_thread")]
async fn every_defect_is_caught_in_the_chat_channel() {
    let matrix = full_matrix("reference-chat.toml").await;
    let row = |name: &str| matrix.rows.iter().find(|r| r.defect == name).unwrap();
    // Link phishing: only the chat user's confirmation stops it, and only its scenario sees it.
    assert_eq!(
        row("no_link_confirmation").killed_by,
        ["An attacker's chat login link opened by a victim does not link the attacker's chat"]
    );
    let hijack = &row("callback_session_linked").killed_by;
    assert!(hijack.contains(&VICTIMS_CALLBACK.to_owned()), "{hijack:?}");
    assert!(hijack.contains(&LOGIN_CSRF.to_owned()), "{hijack:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_defect_is_caught_in_the_csml_shape() {
    let matrix = full_matrix("csml.toml").await;
    let row = |name: &str| matrix.rows.iter().find(|r| r.defect == name).unwrap();
    let caught = |defect: &str, scenario: &str| {
        assert!(
            row(defect).killed_by.contains(&scenario.to_owned()),
            "{defect}: {:?}",
            row(defect).killed_by
        );
    };
    caught(
        "csml_token_in_chat",
        "The next chat turn carries the success event, without the token",
    );
    // The chatbot-wide service account.
    caught(
        "service_token_per_turn",
        "One service token serves every user's turns",
    );
    caught(
        "service_token_shown_to_user",
        "The service token is never shown to a user",
    );
    caught(
        "service_token_not_renewed",
        "A service token the provider no longer accepts is obtained anew, once",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_defect_is_caught_in_the_converse_shape() {
    let matrix = full_matrix("converse.toml").await;
    let row = matrix
        .rows
        .iter()
        .find(|r| r.defect == "converse_exchanges_again")
        .unwrap();
    assert!(
        row.killed_by
            .contains(&"A stored token is used as it is: no second exchange".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_defect_is_caught_in_the_kore_shape() {
    let matrix = full_matrix("kore.toml").await;
    let row = |name: &str| matrix.rows.iter().find(|r| r.defect == name).unwrap();
    // The profile places the token in the API path (Path Param).
    assert!(row("kore_field_misplaced").killed_by.contains(
        &"The token goes in the API path the profile names, and nowhere else".to_owned()
    ));
    assert!(
        row("kore_path_stale_token")
            .killed_by
            .contains(&"After a refresh the API path carries the new access token".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_defect_is_caught_in_the_botpress_shape() {
    let matrix = full_matrix("botpress.toml").await;
    let row = matrix
        .rows
        .iter()
        .find(|r| r.defect == "botpress_wrong_bot")
        .unwrap();
    assert!(
        row.killed_by
            .contains(&"A callback meant for bot A links bot A, never bot B".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_defect_is_caught_in_the_mcp_shape() {
    let matrix = full_matrix("reference-mcp.toml").await;
    let killed_by = |defect: &str| {
        (matrix.rows.iter())
            .find(|r| r.defect == defect)
            .unwrap_or_else(|| panic!("{defect} is tried in the mcp shape"))
            .killed_by
            .clone()
    };
    // Each MCP defect is caught by the scenario that names its rule.
    for (defect, scenario) in [
        (
            "resource_trailing_slash",
            "The authorization request names the MCP server byte for byte",
        ),
        (
            "resource_only_in_authorization",
            "The token request names the resource of the authorization request",
        ),
        (
            "ignores_missing_pkce_methods",
            "No authorization when the metadata does not list code_challenge_methods_supported",
        ),
        (
            "prm_resource_unchecked",
            "Protected-resource metadata that describes another resource is not used",
        ),
        (
            "prm_from_root_only",
            "Without a metadata URL in the 401, the path-aware well-known URL is read",
        ),
        (
            "prm_root_first",
            "The path-aware well-known URL is read before the root one",
        ),
        (
            "no_oidc_discovery",
            "An authorization server that publishes only OpenID Connect discovery is found",
        ),
        (
            "as_metadata_root_only",
            "The metadata of an authorization server with a path is read at the path-inserted URL first",
        ),
        (
            "as_issuer_unchecked",
            "Authorization server metadata that names another issuer is not used",
        ),
        (
            "opens_any_authorization_endpoint",
            "An authorization endpoint no browser may open is never handed to one",
        ),
        (
            "ignores_challenged_scope",
            "The first authorization asks for the scope the 401 names",
        ),
        (
            "dcr_despite_cimd",
            "The Client ID Metadata Document is used when the authorization server advertises it",
        ),
        (
            "no_application_type",
            "A dynamic registration names an application_type",
        ),
        (
            "client_id_reused_across_issuers",
            "A client_id registered with one authorization server is never sent to another",
        ),
        (
            "cimd_client_id_mismatch",
            "The Client ID Metadata Document names its own URL as client_id",
        ),
        (
            "step_up_drops_granted_scopes",
            "Step-up asks for the challenged scope together with the scopes asked before",
        ),
        (
            "step_up_unbounded",
            "A step-up that does not help is not retried for ever",
        ),
        (
            "refresh_at_guessed_endpoint",
            "A refresh token is never sent to a guessed endpoint when discovery fails at refresh time",
        ),
    ] {
        assert!(
            killed_by(defect).contains(&scenario.to_owned()),
            "{defect}: {:?}",
            killed_by(defect)
        );
    }
    // MCP's "Access Token Usage" (the header, never the query) is the generic Bearer-header
    // rule applied to the MCP server: the generic defect is caught by it in this shape too.
    assert!(
        killed_by("bearer_in_query")
            .contains(&"The access token is sent as a Bearer header".to_owned()),
        "{:?}",
        killed_by("bearer_in_query")
    );
    // Every row of the hostile authorization endpoint outline catches it, and nothing else does.
    let hostile = killed_by("opens_any_authorization_endpoint");
    assert_eq!(hostile.len(), 4, "{hostile:?}");
    // Both ways of naming the server's scope catch the client that ignores them, and only they.
    assert_eq!(
        killed_by("ignores_challenged_scope"),
        [
            "The first authorization asks for the scope the 401 names",
            "Without a scope in the 401, the first authorization asks for the metadata's scopes",
        ]
    );
    // The RFC 9207 iss table of MCP 2026-07-28: each defect is caught by exactly the rows it
    // breaks (a too strict client by the rows that proceed, a lax one by the rows that reject).
    let outline_4 = "A response without iss is accepted when the metadata does not promise iss";
    for (defect, scenarios) in [
        (
            "iss_normalised",
            &[
                "An iss that differs from the recorded issuer only by a trailing slash is rejected",
                "An iss that differs from the recorded issuer only in the case of its scheme and host is rejected",
            ][..],
        ),
        (
            "iss_checked_only_when_advertised",
            &["A present iss is compared even when the metadata does not promise iss"][..],
        ),
        (
            "iss_required_when_not_advertised",
            &[outline_4, outline_4][..],
        ),
        (
            "error_shown_despite_wrong_iss",
            &["An error response from another issuer is neither acted on nor shown"][..],
        ),
    ] {
        let mut killed = killed_by(defect);
        killed.sort();
        assert_eq!(killed, scenarios, "{defect}");
    }
    // The rules only an MCP client has are caught by nothing else.
    for defect in [
        "resource_only_in_authorization",
        "ignores_missing_pkce_methods",
        "prm_resource_unchecked",
        "prm_root_first",
        "no_oidc_discovery",
        "as_issuer_unchecked",
        "step_up_drops_granted_scopes",
        "step_up_unbounded",
        "refresh_at_guessed_endpoint",
    ] {
        assert_eq!(
            killed_by(defect).len(),
            1,
            "{defect}: {:?}",
            killed_by(defect)
        );
    }
}

#[test]
fn survivors_a_failing_reference_and_bad_defect_names_set_the_exit_code() {
    let bin = env!("CARGO_BIN_EXE_gauntlet");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let output = Command::new(bin)
        .args(["mutants", "--defects", "no_such_defect", "--report-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no_such_defect"));

    // Without the mix-up feature nothing catches a platform that checks no iss: it survives,
    // and the command exits 1 with the survivor named in the matrix.
    let features = dir.join("features");
    std::fs::create_dir_all(&features).unwrap();
    let (name, text) = gauntlet::suite::features::CLIENT
        .iter()
        .find(|(n, _)| *n == "pkce.feature")
        .unwrap();
    std::fs::write(features.join(name), text).unwrap();
    let output = Command::new(bin)
        .args(["mutants", "--defects", "no_iss_check", "--features"])
        .arg(&features)
        .arg("--report-dir")
        .arg(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("no_iss_check: SURVIVED"), "{stdout}");
    let markdown = std::fs::read_to_string(dir.join("mutants.md")).unwrap();
    assert!(markdown.contains("| `no_iss_check` |") && markdown.contains("**SURVIVED**"));

    // A suite the correct reference fails: the matrix means nothing, the command exits 1.
    let broken = dir.join("broken-features");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(
        broken.join("never.feature"),
        "Feature: a rule the reference rightly breaks\n\n  @must\n  Scenario: No code is ever redeemed\n    \
         When alice links her account\n    Then the platform made no token request\n",
    )
    .unwrap();
    let output = Command::new(bin)
        .args(["mutants", "--defects", "no_pkce", "--features"])
        .arg(&broken)
        .arg("--report-dir")
        .arg(dir.join("broken"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("reference: FAILS 1 scenario(s)"),
        "{stdout}"
    );
    assert!(stdout.contains("**Verdict: FAIL**"), "{stdout}");

    let list = Command::new(bin)
        .args(["mutants", "--list"])
        .output()
        .unwrap();
    assert!(list.status.success());
    let listed = String::from_utf8_lossy(&list.stdout);
    assert_eq!(listed.lines().count(), Defect::ALL.len());
    assert!(listed.contains("no_iss_check"));
}
