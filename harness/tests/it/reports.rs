//! Snapshots of the Markdown report and the JUnit output of a run against the reference
//! platform, with times, ports, paths and masks replaced so that they are stable.

use gauntlet::profile::PlatformProfile;
use gauntlet::run::{Gate, RunOptions, run};

fn stable(text: &str) -> String {
    let rules = [
        (r#"[^ "]*gauntlet-features-\d+-\d+"#, "features"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
        (
            r#"(time="|timestamp="|duration[^0-9]{0,12})[0-9.:TZ+-]+"#,
            "${1}T",
        ),
        (r"\[redacted:[0-9a-f]{4}\]", "[redacted:xxxx]"),
        (r"session=[A-Za-z0-9_-]+", "session=S"),
    ];
    let mut text = text.to_owned();
    for (pattern, replacement) in rules {
        text = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&text, replacement)
            .into_owned();
    }
    text
}

#[tokio::test]
async fn a_passing_run_writes_stable_reports() {
    // Arrange
    let dir = std::env::temp_dir().join(format!("gauntlet-report-snap-{}", std::process::id()));
    let options = RunOptions {
        profile: PlatformProfile::reference(),
        tags: Some("@rfc7636".into()),
        report_dir: dir.clone(),
        concurrency: 1,
        gate: Gate::Must,
        reveal_secrets: false,
        features: None,
        progress: false,
    };
    // Act
    let result = run(options).await.unwrap();
    // Assert
    let explanations: Vec<_> = result
        .report
        .scenarios
        .iter()
        .map(|s| (&s.name, &s.explanation))
        .collect();
    assert!(result.passed, "{explanations:#?}");
    let markdown = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(
        std::fs::read_to_string(dir.join("index.html"))
            .unwrap()
            .contains("Gauntlet report")
    );
    assert!(dir.join("cucumber.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
    insta::assert_snapshot!("markdown", stable(&markdown));
    insta::assert_snapshot!("junit", stable(&junit));
}
