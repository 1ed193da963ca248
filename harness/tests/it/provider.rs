//! `gauntlet provider` against the embedded mock: its strict profiles pass every applicable
//! scenario, the lax profile fails exactly the scenarios of the rules it breaks, and the CLI
//! gives the documented exit codes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use gauntlet::provider::profile::ProviderTarget;
use gauntlet::provider::{ProviderOptions, run};
use gauntlet::report::{RunReport, Status};
use gauntlet::suite::Gate;

use crate::verdicts::{failures, names, skipped_but_mcp};

const BIN: &str = env!("CARGO_BIN_EXE_gauntlet");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/providers")
        .join(name)
}

/// A temporary report folder, removed when dropped.
fn report_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

async fn run_against(target: ProviderTarget, _name: &str) -> RunReport {
    let dir = report_dir();
    let options = ProviderOptions {
        gate: Gate::Should,
        ..ProviderOptions::new(target, dir.path().to_owned())
    };
    let result = run(options).await.expect("the run happens");
    assert_eq!(result.passed, result.report.passed());
    result.report
}

/// The scenario for servers that let PKCE be left out.
const PKCE_OPTIONAL: &str = "A verifier for a code issued without a challenge is refused";

/// The transport scenarios: judged only over TLS.
const TRANSPORT: [&str; 2] = [
    "The metadata names only https:// URLs",
    "Registration refuses an http redirect URI for a host that is not loopback",
];

#[tokio::test(flavor = "multi_thread")]
async fn the_default_mock_passes_every_applicable_scenario() {
    let report = run_against(ProviderTarget::default_mock(), "default").await;
    assert_eq!(report.direction, "provider");
    assert!(
        names(&report, Status::Failed).is_empty(),
        "{}",
        failures(&report)
    );
    assert!(
        report.scenarios.len() >= 80,
        "{} scenarios",
        report.scenarios.len()
    );
    // Only the scenario for servers that let PKCE be left out, the transport rules (the mock
    // is reached over plain HTTP) and the MCP scenarios (it serves no MCP endpoint) do not
    // apply to the mock.
    let mut not_applicable = BTreeSet::from([PKCE_OPTIONAL.to_owned()]);
    not_applicable.extend(TRANSPORT.iter().map(|s| (*s).to_owned()));
    assert_eq!(skipped_but_mcp(&report), not_applicable);
    let explanation = |name: &str| {
        let scenario = report.scenarios.iter().find(|s| s.name == name).unwrap();
        scenario.explanation.clone().unwrap()
    };
    assert!(explanation(PKCE_OPTIONAL).starts_with("not applicable: the server requires PKCE"));
    for name in TRANSPORT {
        assert!(
            explanation(name)
                .starts_with("not applicable: the server is reached over plain HTTP, not TLS"),
            "{name}: {}",
            explanation(name)
        );
    }
    // Every passing scenario carries its HTTP evidence, secrets redacted.
    let redeemed = report
        .scenarios
        .iter()
        .find(|s| s.name == "The token response is a Bearer token")
        .unwrap();
    assert!(redeemed.exchanges.iter().any(|e| e.url.ends_with("/token")));
    let text = serde_json::to_string(&report).unwrap();
    assert!(
        !text.contains("suite:secret"),
        "the client secret leaked into the report"
    );
    // The login pages' CSRF tokens and interaction ids are masked by value.
    assert!(
        text.contains("interaction=[redacted:"),
        "no login interaction in the evidence"
    );
    let clear = regex::Regex::new(
        r#"interaction=[A-Za-z0-9_-]{8}|name=\\"(csrf|interaction)\\" value=\\"[A-Za-z0-9_-]"#,
    )
    .unwrap();
    assert!(
        !clear.is_match(&text),
        "a CSRF token or interaction id in clear: {:?}",
        clear.find(&text)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_openchatstudio_mock_passes_every_applicable_scenario() {
    let target = ProviderTarget::from_file(&fixture("openchatstudio.toml")).unwrap();
    let report = run_against(target, "ocs").await;
    assert!(
        report.target.contains("openchatstudio"),
        "{}",
        report.target
    );
    assert!(
        names(&report, Status::Failed).is_empty(),
        "{}",
        failures(&report)
    );
    // OpenChatStudio sends no iss, so the RFC 9207 scenarios do not apply.
    let skipped = names(&report, Status::Skipped);
    assert!(
        skipped.contains("iss is on success responses"),
        "{skipped:?}"
    );
    assert!(names(&report, Status::Passed).contains("The token response is a Bearer token"));
}

/// What the lax profile breaks, quirk by quirk, and the scenarios that must catch it.
const LAX_CATCHES: &[(&str, &[&str])] = &[
    (
        "redirect_uri_match = \"prefix\"",
        &[
            "A redirect URI with the trailing slash added or removed is refused without a redirect",
            "A redirect URI with an extra query parameter is refused without a redirect",
            "A redirect URI with a path suffix is refused without a redirect",
            "A redirect URI with a fragment is refused without a redirect",
        ],
    ),
    (
        "state_dropped_on_error",
        &[
            "A request without response_type is an error redirect",
            "An unknown response_type is an error redirect",
            "An unknown scope is refused, or ignored and the granted scope stated",
            "Refused consent is an access_denied redirect with the state",
        ],
    ),
    (
        "reusable_codes",
        &[
            "A code is redeemed once",
            "Tokens issued from a replayed code are revoked",
        ],
    ),
    (
        "token_redirect_uri_unchecked",
        &[
            "A different redirect_uri at the token endpoint is refused",
            "A redirect_uri with its trailing slash toggled at the token endpoint is refused",
            "A missing redirect_uri at the token endpoint is refused",
        ],
    ),
    ("verifier_optional", &["A missing verifier is refused"]),
    (
        "omit_no_store",
        &[
            "The token response may not be cached",
            "The token response also carries Pragma no-cache",
        ],
    ),
    (
        "rotate_refresh_tokens = false",
        &[
            "A public client's refresh tokens are rotated",
            "Reuse of a public client's rotated refresh token revokes its family",
        ],
    ),
];

#[tokio::test(flavor = "multi_thread")]
async fn the_lax_mock_fails_exactly_the_scenarios_of_the_rules_it_breaks() {
    let target = ProviderTarget::from_file(&fixture("lax.toml")).unwrap();
    let report = run_against(target, "lax").await;
    let expected: BTreeSet<String> = LAX_CATCHES
        .iter()
        .flat_map(|(_, names)| names.iter().map(|n| (*n).to_owned()))
        .collect();
    assert_eq!(
        names(&report, Status::Failed),
        expected,
        "{}",
        failures(&report)
    );
    // send_iss = false: the metadata says so, so the iss scenarios do not apply.
    let skipped = names(&report, Status::Skipped);
    assert!(skipped.contains("iss is on error responses"), "{skipped:?}");
    // pkce = "s256_or_plain": accepting plain is the client's registered policy, which RFC 7636
    // allows, so the scenarios that ask plain to be refused do not apply.
    for plain in [
        "plain is not advertised",
        "The plain method is refused",
        "A challenge without a method (plain) is refused",
    ] {
        assert!(skipped.contains(plain), "{plain}: {skipped:?}");
    }
    // Each failure says what the server did.
    let leak = report
        .scenarios
        .iter()
        .find(|s| s.name == "A redirect URI with a path suffix is refused without a redirect")
        .unwrap();
    let why = leak.explanation.as_deref().unwrap();
    assert!(
        why.contains("redirected the browser to https://client.gauntlet.test/callback/gauntlet"),
        "{why}"
    );
    assert!(!leak.exchanges.is_empty());
}

/// RFC 6749 §3.3 lets a server ignore an unknown scope as long as the token response states
/// what it granted: a mock that does so passes; one that then leaves `scope` out fails, §3.3
/// named.
#[tokio::test(flavor = "multi_thread")]
async fn an_ignored_unknown_scope_passes_only_when_the_granted_scope_is_stated() {
    const SCENARIO: &str = "An unknown scope is refused, or ignored and the granted scope stated";
    let default = std::fs::read_to_string(fixture("default.toml")).unwrap();
    let dir = report_dir();
    let mut verdicts = Vec::new();
    // The fault that leaves `scope` out of every token response.
    let silent = "\n[[faults]]\non = \"token\"\nkind = \"omit_scope\"\n";
    for (name, extra) in [("ignoring", ""), ("silent", silent)] {
        let text =
            default.replace("unknown_scopes = \"refuse\"", "unknown_scopes = \"ignore\"") + extra;
        let file = dir.path().join(format!("{name}.toml"));
        std::fs::write(&file, text).unwrap();
        let options = ProviderOptions {
            tags: Some("@rfc6749".into()),
            ..ProviderOptions::new(
                ProviderTarget::from_file(&file).unwrap(),
                dir.path().join(name),
            )
        };
        let report = run(options).await.expect("the run happens").report;
        let scenario = report
            .scenarios
            .iter()
            .find(|s| s.name == SCENARIO)
            .unwrap();
        verdicts.push((
            scenario.status,
            scenario.explanation.clone().unwrap_or_default(),
        ));
    }
    assert_eq!(verdicts[0].0, Status::Passed, "{}", verdicts[0].1);
    assert_eq!(verdicts[1].0, Status::Failed);
    assert!(verdicts[1].1.contains("RFC 6749 §3.3"), "{}", verdicts[1].1);
}

/// The default mock with `fault` on every token request, as a profile file in `dir`.
fn faulty_mock(dir: &Path, name: &str, fault: &str) -> PathBuf {
    let default = std::fs::read_to_string(fixture("default.toml")).unwrap();
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(
        &file,
        format!("{default}\n[[faults]]\non = \"token\"\n{fault}\n"),
    )
    .unwrap();
    file
}

/// A server that answers 500 at its token endpoint (SQLite's "database is locked" under load)
/// or drops the connection: the PKCE scenarios that redeem a code end in an error, not a
/// failure — in report.json, junit.xml, messages.ndjson and the summary line — and the gate
/// fails (exit 1). The scenarios that never reach the token endpoint still pass.
#[tokio::test(flavor = "multi_thread")]
async fn a_5xx_or_a_dropped_connection_at_the_token_endpoint_is_an_error_not_a_failure() {
    let dir = report_dir();
    for (name, fault, answer) in [
        (
            "status",
            "kind = \"status\"\nstatus = 500",
            "the server answered 500 to POST ",
        ),
        (
            "drop",
            "kind = \"drop_connection\"",
            "the server did not answer POST ",
        ),
    ] {
        let file = faulty_mock(dir.path(), name, fault);
        let reports = dir.path().join(name);
        let options = ProviderOptions {
            tags: Some("@rfc7636".into()),
            // The preflight's own token request would hit the fault and stop the run.
            preflight: false,
            ..ProviderOptions::new(ProviderTarget::from_file(&file).unwrap(), reports.clone())
        };
        let result = run(options).await.expect("the run happens");
        let report = &result.report;
        assert!(!result.passed, "{name}: an error is never a pass");
        assert!(
            names(report, Status::Failed).is_empty(),
            "{name}: {}",
            failures(report)
        );
        let errors = names(report, Status::Error);
        assert!(
            errors.contains("A wrong verifier is refused")
                && errors.contains("The matching verifier redeems the code"),
            "{name}: {errors:?}"
        );
        assert!(
            names(report, Status::Passed).contains("A request without code_challenge is refused")
        );
        for s in report
            .scenarios
            .iter()
            .filter(|s| s.status == Status::Error)
        {
            let why = s.explanation.as_deref().unwrap_or_default();
            assert!(
                why.starts_with(answer) && why.contains("lower --concurrency"),
                "{name}: {why}"
            );
        }
        let junit = std::fs::read_to_string(reports.join("junit.xml")).unwrap();
        assert_eq!(junit.matches("<error ").count(), errors.len(), "{junit}");
        assert_eq!(junit.matches("<failure").count(), 0, "{junit}");
        let ndjson = std::fs::read_to_string(reports.join("messages.ndjson")).unwrap();
        assert_eq!(
            ndjson.matches("\"type\":\"gauntlet::ServerError\"").count(),
            errors.len()
        );
        let summary = gauntlet::report::markdown::summary_line(report);
        assert!(
            summary.contains(&format!("0 failed, {} errors,", errors.len())),
            "{summary}"
        );
        let markdown = std::fs::read_to_string(reports.join("report.md")).unwrap();
        assert!(markdown.contains("\n## Errors\n"), "{markdown}");
        // report.json says "error", and `gauntlet merge` keeps it.
        let json = std::fs::read_to_string(reports.join("report.json")).unwrap();
        assert!(json.contains("\"status\": \"error\""), "{json}");
        let merged = gauntlet::suite::merge::merge(&[reports], None).unwrap();
        assert_eq!(names(&merged, Status::Error), errors);
        assert!(!merged.passed());
    }
    // The command says so and exits 1, even with the scenario's failure in the baseline: the
    // baseline accepts a rule violation, not an error, and the entry is not stale either.
    let file = faulty_mock(dir.path(), "cli", "kind = \"status\"\nstatus = 503");
    let baseline = dir.path().join("baseline.toml");
    std::fs::write(
        &baseline,
        "[[accepted]]\nfeature = \"provider/pkce.feature\"\n\
         scenario = \"A wrong verifier is refused\"\nreason = \"known\"\n",
    )
    .unwrap();
    let output = Command::new(BIN)
        .args(["provider", "--no-preflight", "--tags", "@rfc7636"])
        .arg("--provider")
        .arg(&file)
        .arg("--baseline")
        .arg(&baseline)
        .arg("--report-dir")
        .arg(dir.path().join("cli"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("\"A wrong verifier is refused\" ended in an error, not the accepted"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 failed (0 accepted by the baseline), ") && stdout.contains(" errors, "),
        "{stdout}"
    );
    assert!(!stdout.contains("stale"), "{stdout}");
    assert!(stdout.contains("  ERR  provider/pkce.feature:"), "{stdout}");
    assert!(stdout.contains("ended in a server error"), "{stdout}");
}

/// `gauntlet provider` with a profile file holding `text`: exit code and stderr.
fn provider_with_profile(name: &str, text: &str) -> (Option<i32>, String) {
    let guard = report_dir();
    let dir = guard.path();
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    let output = Command::new(BIN)
        .args(["provider", "--provider"])
        .arg(&file)
        .arg("--report-dir")
        .arg(dir)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_profile_that_is_neither_kind_exits_2_and_says_why() {
    let (code, stderr) = provider_with_profile(
        "bad",
        "name = \"x\"\n[server]\n[client]\nclient_id = \"c\"\n",
    );
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("bad.toml") && stderr.contains("redirect_uri"),
        "{stderr}"
    );
}

#[test]
fn a_server_that_is_not_there_exits_2() {
    let (code, stderr) = provider_with_profile(
        "absent",
        "name = \"absent\"\n[server]\nmetadata_url = \"http://127.0.0.1:9/.well-known/oauth-authorization-server\"\n\
         [client]\nclient_id = \"c\"\nclient_secret = \"s\"\nredirect_uri = \"https://c.test/cb\"\n",
    );
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("metadata") && stderr.contains("127.0.0.1:9"),
        "{stderr}"
    );
}

#[test]
fn the_cli_runs_the_embedded_mock_and_exits_0() {
    let guard = report_dir();
    let dir = guard.path();
    let output = Command::new(BIN)
        .args(["provider", "--tags", "@rfc7636", "--report-dir"])
        .arg(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("0 failed, 1 not applicable"), "{stdout}");
    for file in gauntlet::report::files::FILES {
        assert!(dir.join(file).exists(), "{file}");
    }
    let markdown = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(markdown.contains("provider direction"), "{markdown}");
}

/// Each scenario's name and verdict.
fn verdicts(report: &RunReport) -> std::collections::BTreeMap<String, Status> {
    report
        .scenarios
        .iter()
        .map(|s| (s.name.clone(), s.status))
        .collect()
}

/// The schemes of the URLs the run sent requests to the server at.
fn schemes(report: &RunReport) -> BTreeSet<String> {
    report
        .scenarios
        .iter()
        .flat_map(|s| &s.exchanges)
        .filter(|e| e.to == gauntlet::report::Party::Provider)
        .map(|e| e.url.split_once("://").map_or("", |(s, _)| s).to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mock_over_https_gets_the_verdicts_it_gets_over_plain_http() {
    let tls = ProviderTarget::from_file(&fixture("tls.toml")).unwrap();
    let ProviderTarget::Mock(config) = &tls else {
        panic!("tls.toml is a mock-provider profile");
    };
    assert!(config.tls);
    let (over_tls, plain) = tokio::join!(
        run_against(tls, "tls"),
        run_against(ProviderTarget::default_mock(), "plain")
    );
    assert!(
        names(&over_tls, Status::Failed).is_empty(),
        "{}",
        failures(&over_tls)
    );
    assert!(over_tls.scenarios.len() >= 80);
    // The same verdicts, but for the transport rules: passed over TLS (every URL of the
    // metadata is https://, registration refuses http://client.gauntlet.test/callback), not
    // applicable over plain HTTP.
    let (mut tls_verdicts, mut plain_verdicts) = (verdicts(&over_tls), verdicts(&plain));
    for name in TRANSPORT {
        assert_eq!(tls_verdicts.remove(name), Some(Status::Passed), "{name}");
        assert_eq!(plain_verdicts.remove(name), Some(Status::Skipped), "{name}");
    }
    assert_eq!(tls_verdicts, plain_verdicts);
    assert_eq!(schemes(&over_tls), BTreeSet::from(["https".to_owned()]));
    assert_eq!(schemes(&plain), BTreeSet::from(["http".to_owned()]));
}

/// A provider profile for a mock running elsewhere (its default clients and user), with
/// `extra` added to its `[server]` table.
fn outside_profile(server: &mock_provider::MockProvider, extra: &str) -> String {
    format!(
        "name = \"tls elsewhere\"\n[server]\nissuer = \"{}\"\n{extra}\n\
         [client]\nclient_id = \"gauntlet-client\"\nclient_secret = \"gauntlet:secret+/=&%\"\n\
         redirect_uri = \"http://127.0.0.1:8080/callback\"\nscope = \"read\"\n\
         [login]\nfields = {{ username = \"alice\", password = \"wonderland\" }}\n",
        server.issuer()
    )
}

/// `gauntlet provider` on the PKCE scenarios with `args` and the profile `text` (written to
/// `dir`), off the test's runtime so that the mock it tests keeps serving: exit code, stdout,
/// stderr.
async fn provider_run(dir: &Path, text: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let file = dir.join("elsewhere.toml");
    std::fs::write(&file, text).unwrap();
    let mut command = Command::new(BIN);
    command
        .args(["provider", "--tags", "@rfc7636", "--provider"])
        .arg(&file)
        .arg("--report-dir")
        .arg(dir.join("report"))
        .args(args);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_whose_ca_is_not_trusted_exits_2_until_its_ca_is_given() {
    let server = mock_provider::MockProvider::builder()
        .tls(true)
        .start()
        .await
        .unwrap();
    let ca = server.ca_file().unwrap().to_str().unwrap().to_owned();
    let guard = report_dir();
    let dir = guard.path();
    let host = server.address().to_string();

    // Nothing says to trust the mock's throwaway CA: nothing is judged.
    let (code, stdout, stderr) = provider_run(dir, &outside_profile(&server, ""), &[]).await;
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    for needed in [
        format!("the TLS certificate of {host} was refused"),
        "signed by a CA this run does not trust".to_owned(),
        "--ca-file".to_owned(),
    ] {
        assert!(stderr.contains(&needed), "{needed:?} not in {stderr}");
    }
    assert!(!dir.join("report/report.json").exists(), "no reports");
    // Without metadata to fetch, the endpoints' origin is tried: the same stop.
    let endpoints = format!(
        "authorization_endpoint = \"{}\"\ntoken_endpoint = \"{}\"",
        server.url("/authorize"),
        server.url("/token")
    );
    let text = outside_profile(&server, &endpoints)
        .replace(&format!("issuer = \"{}\"\n", server.issuer()), "");
    assert!(!text.contains("issuer"), "{text}");
    let (code, stdout, stderr) = provider_run(dir, &text, &["--no-preflight"]).await;
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!("the TLS certificate of {host} was refused"))
            && stderr.contains("--ca-file"),
        "{stderr}"
    );

    // --ca-file with the mock's CA: the same run goes through.
    let (code, stdout, stderr) =
        provider_run(dir, &outside_profile(&server, ""), &["--ca-file", &ca]).await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("preflight: passed"), "{stdout}");
    assert!(stdout.contains(" 0 failed"), "{stdout}");

    // So does the profile's ca_file, relative to the profile's directory.
    std::fs::copy(&ca, dir.join("as-ca.pem")).unwrap();
    let (code, stdout, stderr) = provider_run(
        dir,
        &outside_profile(&server, "ca_file = \"as-ca.pem\""),
        &[],
    )
    .await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");

    // A CA file that is no certificate is exit 2, naming the file and the key.
    std::fs::write(dir.join("broken.pem"), "not a certificate\n").unwrap();
    let (code, stdout, stderr) = provider_run(
        dir,
        &outside_profile(&server, "ca_file = \"broken.pem\""),
        &[],
    )
    .await;
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("[server] ca_file")
            && stderr.contains("broken.pem")
            && stderr.contains("no usable PEM certificate"),
        "{stderr}"
    );
    let (code, _, stderr) = provider_run(
        dir,
        &outside_profile(&server, ""),
        &["--ca-file", "missing-ca.pem"],
    )
    .await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--ca-file") && stderr.contains("cannot read the CA file missing-ca.pem"),
        "{stderr}"
    );
}
