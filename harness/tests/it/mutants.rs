//! `gauntlet mutants`: the whole defect catalogue against the client suite. The correct
//! reference platform passes every scenario and every defect is caught by at least one.

use std::process::Command;

use gauntlet::mutants::{MutantsOptions, run_mutants};
use gauntlet::profile::PlatformProfile;
use reference_platform::Defect;

#[tokio::test(flavor = "multi_thread")]
async fn every_defect_is_caught_and_the_reference_passes() {
    let dir = std::env::temp_dir().join(format!("gauntlet-mutants-{}", std::process::id()));
    let matrix = run_mutants(MutantsOptions::new(
        PlatformProfile::reference(),
        dir.clone(),
    ))
    .await
    .expect("the matrix runs");
    assert!(
        matrix.reference_failures.is_empty(),
        "{:?}",
        matrix.reference_failures
    );
    assert_eq!(matrix.rows.len(), Defect::ALL.len());
    assert!(matrix.rows.len() >= 30);
    let survivors: Vec<&str> = matrix.survivors().map(|r| r.defect.as_str()).collect();
    assert!(
        survivors.is_empty(),
        "defects no scenario caught: {survivors:?}"
    );
    assert!(matrix.passed());
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
    let markdown = std::fs::read_to_string(dir.join("mutants.md")).unwrap();
    assert!(markdown.contains("**Verdict: PASS**"), "{markdown}");
    assert!(markdown.contains("| `no_pkce` |"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("mutants.json")).unwrap()).unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), Defect::ALL.len());
}

#[test]
fn a_survivor_fails_the_command_and_a_bad_defect_name_is_a_usage_error() {
    let bin = env!("CARGO_BIN_EXE_gauntlet");
    let dir = std::env::temp_dir().join(format!("gauntlet-mutants-cli-{}", std::process::id()));
    let output = Command::new(bin)
        .args(["mutants", "--defects", "no_such_defect", "--report-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no_such_defect"));

    // Without the mix-up feature nothing catches a platform that checks no iss: it survives,
    // and the command exits 1 with the survivor named in the matrix.
    let features = dir.join("features");
    std::fs::create_dir_all(&features).unwrap();
    let (name, text) = gauntlet::features::CLIENT
        .iter()
        .find(|(n, _)| *n == "pkce.feature")
        .unwrap();
    std::fs::write(features.join(name), text).unwrap();
    let output = Command::new(bin)
        .args(["mutants", "--defects", "no_iss_check", "--features"])
        .arg(&features)
        .arg("--report-dir")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("no_iss_check: SURVIVED"), "{stdout}");
    let markdown = std::fs::read_to_string(dir.join("mutants.md")).unwrap();
    assert!(markdown.contains("| `no_iss_check` |") && markdown.contains("**SURVIVED**"));

    let list = Command::new(bin)
        .args(["mutants", "--list"])
        .output()
        .unwrap();
    assert!(list.status.success());
    let listed = String::from_utf8_lossy(&list.stdout);
    assert_eq!(listed.lines().count(), Defect::ALL.len());
    assert!(listed.contains("no_iss_check"));
}
