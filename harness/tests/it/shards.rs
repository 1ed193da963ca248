//! `--shard I/N` and `gauntlet merge`: the shards of a run together are the run, scenario by
//! scenario, and the merged reports carry one verdict.

use gauntlet::client::profile::PlatformProfile;
use gauntlet::client::{RunOptions, run};
use gauntlet::report::{RunReport, Shard, Status, files};

const BIN: &str = env!("CARGO_BIN_EXE_gauntlet");

/// The scenarios of a report as (file, line, name, status), in order.
fn verdicts(report: &RunReport) -> Vec<(String, usize, String, Status)> {
    report
        .scenarios
        .iter()
        .map(|s| (s.file.clone(), s.line, s.name.clone(), s.status))
        .collect()
}

async fn client_run(dir: &std::path::Path, shard: Option<Shard>) -> RunReport {
    let options = RunOptions {
        // Some scenarios of every kind: passing ones, and one not applicable (OpenChatStudio).
        tags: Some("@rfc7636 or @ocs or @rfc9207".into()),
        shard,
        ..RunOptions::new(PlatformProfile::reference(), dir.to_owned())
    };
    run(options).await.expect("the run completes").report
}

#[tokio::test(flavor = "multi_thread")]
async fn three_shards_merged_equal_the_whole_run() {
    // Arrange
    let root = tempfile::tempdir().unwrap();
    let whole = client_run(&root.path().join("whole"), None).await;
    let mut dirs = Vec::new();
    for index in 1..=3 {
        let dir = root.path().join(format!("shard-{index}"));
        let part = client_run(&dir, Some(Shard { index, count: 3 })).await;
        assert!(!part.scenarios.is_empty() && part.scenarios.len() < whole.scenarios.len());
        dirs.push(dir);
    }
    // Act
    let out = root.path().join("merged");
    let output = std::process::Command::new(BIN)
        .arg("merge")
        .args(&dirs)
        .arg("--report-dir")
        .arg(&out)
        .output()
        .unwrap();
    // Assert
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let merged = files::read(&out).unwrap();
    assert_eq!(verdicts(&merged), verdicts(&whole));
    assert!(whole.scenarios.iter().any(|s| s.status == Status::Skipped));
    assert_eq!(merged.shard, None);
    for name in files::FILES {
        assert!(out.join(name).exists(), "{name}");
    }
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase").count(), whole.scenarios.len());
    // The same shard twice is refused: exit 2.
    let twice = std::process::Command::new(BIN)
        .arg("merge")
        .args([&dirs[0], &dirs[0]])
        .arg("--report-dir")
        .arg(root.path().join("twice"))
        .output()
        .unwrap();
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("more than one report folder"));
    // Shards of different runs (another target) are refused: exit 2.
    let other = root.path().join("other");
    let mut foreign = files::read(&dirs[1]).unwrap();
    foreign.target = "another platform".into();
    files::write_all(&foreign, &other).unwrap();
    let mixed = std::process::Command::new(BIN)
        .arg("merge")
        .args([&dirs[0], &other])
        .arg("--report-dir")
        .arg(root.path().join("mixed"))
        .output()
        .unwrap();
    assert_eq!(mixed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&mixed.stderr).contains("only shards of one run"));
    // A folder without a report: exit 2.
    let none = std::process::Command::new(BIN)
        .args(["merge"])
        .arg(root.path())
        .arg("--report-dir")
        .arg(root.path().join("none"))
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_merged_failure_fails_the_merged_gate() {
    // Arrange: one shard's report with a MUST failure written into it.
    let root = tempfile::tempdir().unwrap();
    let mut dirs = Vec::new();
    for index in 1..=2 {
        let dir = root.path().join(format!("shard-{index}"));
        let mut part = client_run(&dir, Some(Shard { index, count: 2 })).await;
        if index == 2 {
            let must = part
                .scenarios
                .iter_mut()
                .find(|s| s.status == Status::Passed && s.tags.iter().any(|t| t == "must"))
                .expect("a passed MUST scenario");
            must.status = Status::Failed;
            must.explanation = Some("seeded failure".into());
            files::write_all(&part, &dir).unwrap();
        }
        dirs.push(dir);
    }
    // Act
    let merge = |gate: &str| {
        std::process::Command::new(BIN)
            .arg("merge")
            .args(&dirs)
            .args(["--gate", gate, "--report-dir"])
            .arg(root.path().join(format!("merged-{gate}")))
            .output()
            .unwrap()
    };
    // Assert
    assert_eq!(merge("must").status.code(), Some(1));
    assert_eq!(merge("none").status.code(), Some(0));
    let markdown =
        std::fs::read_to_string(root.path().join("merged-must").join("report.md")).unwrap();
    assert!(markdown.contains("**Gate: FAIL**") && markdown.contains("seeded failure"));
}
