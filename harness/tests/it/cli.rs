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

#[test]
fn a_bad_tag_expression_exits_2() {
    let dir = std::env::temp_dir().join(format!("gauntlet-cli-tags-{}", std::process::id()));
    let output = Command::new(BIN)
        .args(["run", "--tags", "@must and (", "--report-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--tags"));
}

#[test]
fn a_passing_run_exits_0_and_a_failing_gate_exits_1() {
    let dir = std::env::temp_dir().join(format!("gauntlet-cli-run-{}", std::process::id()));
    let pass = Command::new(BIN)
        .args(["run", "--tags", "@rfc7636", "--report-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        pass.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&pass.stderr)
    );
    assert!(dir.join("index.html").exists());
    // Progress is reported scenario by scenario, then a summary line.
    let stdout = String::from_utf8_lossy(&pass.stdout);
    assert!(stdout.matches("Scenario:").count() >= 5, "{stdout}");
    assert!(
        stdout.contains("gauntlet: 5 scenarios, 0 failed"),
        "{stdout}"
    );
    // A platform that is not there fails every scenario: exit 1, not a crash.
    let profile = dir.join("absent.toml");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let text = include_str!("../../../fixtures/platforms/reference.toml").replace(
        "embedded = \"reference\"",
        &format!("base_url = \"http://{address}\""),
    );
    std::fs::write(&profile, text).unwrap();
    let fail = Command::new(BIN)
        .args(["run", "--tags", "@rfc7636", "--platform"])
        .arg(&profile)
        .arg("--report-dir")
        .arg(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        fail.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&fail.stderr)
    );
}
