//! The `gauntlet` binary: documented options, exit codes.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_gauntlet");

#[test]
fn help_documents_every_run_option() {
    let output = Command::new(BIN).args(["run", "--help"]).output().unwrap();
    assert!(output.status.success());
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

#[test]
fn help_documents_every_provider_option() {
    let output = Command::new(BIN)
        .args(["provider", "--help"])
        .output()
        .unwrap();
    assert!(output.status.success());
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

#[test]
fn a_missing_profile_exits_2_with_its_path() {
    let output = Command::new(BIN)
        .args(["run", "--platform", "/nonexistent/profile.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/profile.toml"), "{stderr}");
}

/// Runs `gauntlet ARGS…`; returns the exit code, stdout and stderr.
fn gauntlet(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(BIN).args(args).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The arguments of a run of the PKCE scenarios with a profile, reports in `report_dir`.
pub(crate) fn pkce_run<'a>(profile: &'a str, report_dir: &'a str) -> [&'a str; 7] {
    [
        "run",
        "--tags",
        "@rfc7636",
        "--platform",
        profile,
        "--report-dir",
        report_dir,
    ]
}

/// A temporary folder holding `features` (file name, text), and a report folder beside it.
fn custom_features(features: &[(&str, &str)]) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("features");
    std::fs::create_dir(&folder).unwrap();
    for (name, text) in features {
        std::fs::write(folder.join(name), text).unwrap();
    }
    let reports = dir.path().join("reports").display().to_string();
    (dir, folder.display().to_string(), reports)
}

#[test]
fn a_bad_tag_expression_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().display().to_string();
    let (code, _, stderr) = gauntlet(&["run", "--tags", "@must and (", "--report-dir", &reports]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--tags"), "{stderr}");
}

#[test]
fn nothing_tested_is_never_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("r").display().to_string();
    // No scenario matches the tags.
    let (code, _, stderr) = gauntlet(&["run", "--tags", "@no_such_tag", "--report-dir", &reports]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("@no_such_tag") && stderr.contains("matched none"),
        "{stderr}"
    );
    // Every selected scenario is another shape's.
    let (code, _, stderr) = gauntlet(&["run", "--tags", "@kore", "--report-dir", &reports]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("the platform's shape is web"), "{stderr}");
    assert!(stderr.contains("nothing would be tested"), "{stderr}");
    // A features folder that is empty, or missing.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let empty = empty.display().to_string();
    let (code, _, stderr) = gauntlet(&["run", "--features", &empty, "--report-dir", &reports]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no .feature file"), "{stderr}");
    let missing = dir.path().join("missing").display().to_string();
    let (code, _, stderr) =
        gauntlet(&["provider", "--features", &missing, "--report-dir", &reports]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no such folder"), "{stderr}");
    // A shard with nothing in it.
    let (code, _, stderr) = gauntlet(&[
        "run",
        "--tags",
        "@rfc7636",
        "--shard",
        "40/40",
        "--report-dir",
        &reports,
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("shard 40/40"), "{stderr}");
    let (code, _, stderr) = gauntlet(&["run", "--shard", "4/3"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("I/N"), "{stderr}");
}

const TYPO: &str = "Feature: custom checks
  @should
  Scenario: A step with a typo fails its scenario
    Given a platfrom that nobody defined
";

#[test]
fn an_undefined_step_fails_its_scenario_and_every_output_agrees() {
    let (_dir, features, reports) = custom_features(&[("typo.feature", TYPO)]);
    let (code, stdout, stderr) = gauntlet(&[
        "run",
        "--features",
        &features,
        "--gate",
        "should",
        "--report-dir",
        &reports,
    ]);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 scenario: 0 passed, 1 failed, 0 not applicable"),
        "{stdout}"
    );
    assert!(stdout.contains("matches no step definition"), "{stdout}");
    let read = |name: &str| std::fs::read_to_string(format!("{reports}/{name}")).unwrap();
    let junit = read("junit.xml");
    assert!(junit.contains("<failure type=\"SHOULD\""), "{junit}");
    assert!(junit.contains("classname=\"typo.feature\""), "{junit}");
    assert!(read("report.md").contains("1 scenario: 0 passed, 1 failed"));
    let json: serde_json::Value = serde_json::from_str(&read("cucumber.json")).unwrap();
    assert_eq!(json[0]["uri"], "typo.feature");
    assert_eq!(
        json[0]["elements"][0]["steps"][0]["result"]["status"],
        "undefined"
    );
}

#[test]
fn the_reports_gate_is_the_exit_codes_gate() {
    let (_dir, features, reports) = custom_features(&[("typo.feature", TYPO)]);
    for (gate, code, word) in [
        ("must", 0, "PASS"),
        ("should", 1, "FAIL"),
        ("none", 0, "PASS"),
    ] {
        let (actual, stdout, stderr) = gauntlet(&[
            "run",
            "--features",
            &features,
            "--gate",
            gate,
            "--report-dir",
            &reports,
        ]);
        assert_eq!(actual, Some(code), "--gate {gate}: {stdout}\n{stderr}");
        assert!(stdout.contains(&format!("Gate {gate}: {word}")), "{stdout}");
        let markdown = std::fs::read_to_string(format!("{reports}/report.md")).unwrap();
        assert!(
            markdown.contains(&format!("**Gate: {word}**")),
            "--gate {gate}: {markdown}"
        );
        let html = std::fs::read_to_string(format!("{reports}/index.html")).unwrap();
        assert!(
            html.contains(&format!("<strong>Gate: {word}</strong>")),
            "--gate {gate}"
        );
    }
}

#[test]
fn a_passing_run_exits_0_and_a_failing_gate_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    let pass = Command::new(BIN)
        .args(["run", "--tags", "@rfc7636", "--report-dir"])
        .arg(&reports)
        .output()
        .unwrap();
    assert_eq!(
        pass.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&pass.stderr)
    );
    assert!(reports.join("index.html").exists());
    // Progress is reported scenario by scenario, then the one summary line.
    let stdout = String::from_utf8_lossy(&pass.stdout);
    assert_eq!(
        stdout.matches("  pass client/pkce.feature:").count(),
        5,
        "{stdout}"
    );
    assert!(
        stdout.contains("gauntlet: 5 scenarios: 5 passed, 0 failed, 0 not applicable"),
        "{stdout}"
    );
    assert!(stdout.contains("Gate must: PASS"), "{stdout}");
    assert!(
        stdout.contains("preflight: passed — a plain link works end to end"),
        "{stdout}"
    );
    // A platform that is not there: the preflight says so before any scenario, and nothing is
    // judged (exit 2) ...
    let profile = dir.path().join("absent.toml");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let text = include_str!("../../../fixtures/platforms/reference.toml").replace(
        "embedded = \"reference\"",
        &format!("base_url = \"http://{address}\""),
    );
    std::fs::write(&profile, text).unwrap();
    let absent = dir.path().join("absent-reports");
    let profile = profile.display().to_string();
    let absent_reports = absent.display().to_string();
    let args = pkce_run(&profile, &absent_reports);
    let (code, stdout, stderr) = gauntlet(&args);
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!(
            "preflight: FAILED, nothing can be judged — the platform is unreachable at \
             http://{address}"
        )) && !stdout.contains("client/pkce.feature"),
        "{stdout}"
    );
    assert!(stderr.contains("--no-preflight"), "{stderr}");
    assert!(!absent.join("report.json").exists());
    // ... and without the preflight every scenario fails: exit 1, not a crash.
    let (code, stdout, stderr) = gauntlet(&[&args[..], &["--no-preflight"]].concat());
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("connection refused"), "{stdout}");
    assert!(!stdout.contains("preflight:"), "{stdout}");
}

#[test]
fn a_run_whose_flows_lost_state_at_the_mock_exits_2_with_the_reason() {
    // Arrange: a mock that holds one code at a time, so the run's flows push each other out.
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("tiny-limits.toml");
    let text = format!(
        "{}\n[provider.limits]\nmax_codes = 1\n",
        include_str!("../../../fixtures/platforms/reference.toml")
    );
    std::fs::write(&profile, text).unwrap();
    let reports = dir.path().join("reports");
    let (profile, report_dir) = (profile.display().to_string(), reports.display().to_string());
    // Act
    let (code, stdout, stderr) = gauntlet(&pkce_run(&profile, &report_dir));
    // Assert
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("gauntlet: nothing was judged: the mock provider dropped live state")
            && stderr.contains("max_codes = 1")
            && stderr.contains("[provider.limits]"),
        "{stderr}"
    );
    assert!(!stdout.contains("Gate must"), "{stdout}");
    assert!(!reports.join("report.json").exists());
}

#[test]
fn bundled_profiles_work_by_name_from_any_directory() {
    // Arrange: a directory with no fixtures in it, as after `cargo install`.
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = Command::new(BIN)
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    // Act and assert
    let (code, listing, _) = run(&["profiles"]);
    assert_eq!(code, Some(0));
    assert!(
        listing.contains("reference-chat") && listing.contains("lax"),
        "{listing}"
    );
    let (code, lax, _) = run(&["profiles", "show", "lax"]);
    assert_eq!(code, Some(0));
    assert_eq!(lax, include_str!("../../../fixtures/providers/lax.toml"));
    let (code, stdout, stderr) = run(&[
        "run",
        "--platform",
        "reference-chat",
        "--tags",
        "@rfc7636",
        "--report-dir",
        "r",
    ]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(dir.path().join("r/junit.xml").exists());
    let (code, _, stderr) = run(&["run", "--platform", "nonesuch"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("nonesuch") && stderr.contains("reference-chat"),
        "{stderr}"
    );
}

#[test]
fn runs_leave_no_temporary_folder_and_no_stray_panic_behind() {
    // Arrange: the commands' temporary folder is one of their own, empty.
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let reports = dir.path().join("reports");
    for args in [
        vec!["run", "--tags", "@rfc7636"],
        vec!["provider", "--tags", "@rfc7636"],
        vec!["mutants", "--defects", "no_pkce,plain_pkce"],
    ] {
        // Act
        let output = Command::new(BIN)
            .env("TMPDIR", &tmp)
            .args(&args)
            .arg("--report-dir")
            .arg(&reports)
            .output()
            .unwrap();
        // Assert
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
        assert!(left.is_empty(), "{args:?} left {left:?}");
        // A step's failure is the report's business: no stray panic text from a passing run.
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
