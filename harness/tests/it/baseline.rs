//! `--baseline` and `--write-baseline` through the binary: the reference platform with a
//! seeded defect fails a PKCE scenario; a baseline accepting it passes the gate, a baseline
//! entry whose scenario passes fails it (stale), a typo or a bad file is a usage error.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_gauntlet");

/// Runs `gauntlet ARGS…`; returns the exit code and stdout with stderr.
fn gauntlet(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(BIN).args(args).output().unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), text)
}

/// The bundled reference profile with `defects` switched on, written into `dir`.
fn profile(dir: &Path, defects: &str) -> String {
    let text = include_str!("../../../fixtures/platforms/reference.toml").replace(
        "embedded = \"reference\"",
        &format!("embedded = \"reference\"\ndefects = [{defects}]"),
    );
    let path = dir.join(format!("profile-{}.toml", defects.len()));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// `gauntlet run --tags @rfc7636` against `profile`, reports into `reports`, with `extra`.
fn run_pkce(profile: &str, reports: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let reports = reports.display().to_string();
    let mut args = crate::cli::pkce_run(profile, &reports).to_vec();
    args.extend_from_slice(extra);
    gauntlet(&args)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// The failed scenarios' (feature file, name) of a report folder.
fn failed(dir: &Path) -> Vec<(String, String)> {
    let report: serde_json::Value = serde_json::from_str(&read(dir, "report.json")).unwrap();
    report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "failed")
        .map(|s| {
            (
                s["file"].as_str().unwrap().to_owned(),
                s["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn write_baseline(path: &Path, entries: &[(&str, &str, &str)]) -> String {
    let mut text = String::new();
    for (feature, scenario, reason) in entries {
        text.push_str(&format!(
            "[[accepted]]\nfeature = {feature:?}\nscenario = {scenario:?}\nreason = {reason:?}\n\n"
        ));
    }
    std::fs::write(path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_baselined_failure_passes_the_gate_and_a_fixed_one_is_stale() {
    let dir = tempfile::tempdir().unwrap();
    let defective = profile(dir.path(), "\"short_verifier\"");
    let healthy = profile(dir.path(), "");
    let reports: PathBuf = dir.path().join("reports");

    // Without a baseline the defect fails the gate.
    let (code, out) = run_pkce(&defective, &reports, &[]);
    assert_eq!(code, Some(1), "{out}");
    let failures = failed(&reports);
    assert_eq!(
        failures.len(),
        1,
        "one PKCE scenario should fail: {failures:?}"
    );
    let (feature, scenario) = &failures[0];

    // Accepted by a baseline: exit 0, marked in every human report, raw in cucumber.json.
    let file = write_baseline(
        &dir.path().join("baseline.toml"),
        &[
            (feature, scenario, "JIRA-123: short verifier"),
            (
                "client/errors.feature",
                "An error at the authorization endpoint: access_denied",
                "not selected here",
            ),
        ],
    );
    let (code, out) = run_pkce(&defective, &reports, &["--baseline", &file]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("1 failed (1 accepted by the baseline)"),
        "{out}"
    );
    assert!(
        out.contains("warning") && out.contains("access_denied") && out.contains("not in this run"),
        "{out}"
    );
    let markdown = read(&reports, "report.md");
    assert!(
        markdown.contains("accepted by the baseline: JIRA-123: short verifier"),
        "{markdown}"
    );
    assert!(
        markdown.contains("1 failed (1 accepted by the baseline)"),
        "{markdown}"
    );
    assert!(
        read(&reports, "index.html").contains("accepted by the baseline: JIRA-123: short verifier")
    );
    let junit = read(&reports, "junit.xml");
    assert!(!junit.contains("<failure"), "{junit}");
    assert!(
        junit.contains("message=\"accepted by the baseline: JIRA-123: short verifier\""),
        "{junit}"
    );
    assert!(read(&reports, "cucumber.json").contains("\"failed\""));
    let report: serde_json::Value = serde_json::from_str(&read(&reports, "report.json")).unwrap();
    assert_eq!(report["baseline"]["absent"].as_array().unwrap().len(), 1);

    // The same through the environment.
    let output = Command::new(BIN)
        .args([
            "run",
            "--tags",
            "@rfc7636",
            "--platform",
            &defective,
            "--report-dir",
        ])
        .arg(&reports)
        .env("GAUNTLET_BASELINE", &file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));

    // Fixed: the entry is stale, the gate fails and says which entry.
    let (code, out) = run_pkce(&healthy, &reports, &["--baseline", &file]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("stale baseline entry") && out.contains(scenario.as_str()),
        "{out}"
    );
    let markdown = read(&reports, "report.md");
    assert!(
        markdown.contains("Stale entries") && markdown.contains("JIRA-123"),
        "{markdown}"
    );
}

#[test]
fn a_written_baseline_accepts_the_run_it_was_written_from() {
    let dir = tempfile::tempdir().unwrap();
    let defective = profile(dir.path(), "\"short_verifier\"");
    let reports = dir.path().join("reports");
    let written = dir.path().join("written.toml");
    std::fs::write(&written, "old content").unwrap();
    let file = written.display().to_string();
    let (code, out) = run_pkce(&defective, &reports, &["--write-baseline", &file]);
    assert_eq!(code, Some(0), "{out}");
    let text = std::fs::read_to_string(&written).unwrap();
    let (feature, scenario) = failed(&reports).remove(0);
    assert!(
        text.contains(&format!("feature = \"{feature}\""))
            && text.contains(&format!("scenario = \"{scenario}\""))
            && text.contains("reason = \"TODO: why is this accepted?\""),
        "{text}"
    );
    assert_eq!(text.matches("[[accepted]]").count(), 1, "{text}");
    let (code, out) = run_pkce(&defective, &reports, &["--baseline", &file]);
    assert_eq!(code, Some(0), "{out}");

    // Shards judged by it merge into a run judged by it too.
    let (one, two) = (dir.path().join("s1"), dir.path().join("s2"));
    for (shard, folder) in [("1/2", &one), ("2/2", &two)] {
        let (code, out) = run_pkce(&defective, folder, &["--shard", shard, "--baseline", &file]);
        assert_eq!(code, Some(0), "{out}");
    }
    let merged = dir.path().join("merged");
    let (s1, s2, m) = (
        one.display().to_string(),
        two.display().to_string(),
        merged.display().to_string(),
    );
    for extra in [&[][..], &["--baseline", &file][..]] {
        let mut args = vec!["merge", &s1, &s2, "--report-dir", &m];
        args.extend_from_slice(extra);
        let (code, out) = gauntlet(&args);
        assert_eq!(code, Some(0), "{extra:?}: {out}");
        assert!(
            out.contains("1 failed (1 accepted by the baseline)"),
            "{out}"
        );
        assert!(!out.contains("not in this run"), "{out}");
    }
    // Without the baseline, the merged run fails.
    let unjudged = write_baseline(&dir.path().join("empty.toml"), &[]);
    let (code, out) = gauntlet(&[
        "merge",
        &s1,
        &s2,
        "--report-dir",
        &m,
        "--baseline",
        &unjudged,
    ]);
    assert_eq!(code, Some(1), "{out}");
}

#[test]
fn a_typo_or_a_bad_baseline_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports").display().to_string();
    let typo = write_baseline(
        &dir.path().join("typo.toml"),
        &[("client/pkce.feature", "The verifier is 42 characters", "r")],
    );
    let (code, out) = gauntlet(&["run", "--baseline", &typo, "--report-dir", &reports]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("typo.toml") && out.contains("The verifier is 42 characters"),
        "{out}"
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[accepted]]\nfeature = \"client/pkce.feature\"\nscenario = \"x\"\n",
    )
    .unwrap();
    let bad = bad.display().to_string();
    let (code, out) = gauntlet(&["provider", "--baseline", &bad, "--report-dir", &reports]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("bad.toml") && out.contains("`reason`"),
        "{out}"
    );
}
