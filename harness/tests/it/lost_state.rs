//! A run whose flows lost state at the mock (its stores full) is not judged: the run ends with
//! an error naming what was lost and what to change, and writes no report.

use gauntlet::client::profile::PlatformProfile;
use gauntlet::client::{RunOptions, run};
use gauntlet::suite::StateLost;

#[tokio::test]
async fn a_run_whose_flows_lost_codes_at_the_mock_ends_unjudged() {
    // Arrange: the reference platform, with a mock that holds one code at a time, so the
    // tombstone of the preflight's redeemed code (still in its replay window) must go.
    let text = format!(
        "{}\n[provider.limits]\nmax_codes = 1\n",
        include_str!("../../../fixtures/platforms/reference.toml")
    );
    let profile: PlatformProfile = toml::from_str(&text).expect("the edited profile parses");
    let report_dir = tempfile::tempdir().unwrap();
    let options = RunOptions {
        tags: Some("@rfc7636".into()),
        ..RunOptions::new(profile, report_dir.path().to_path_buf())
    };
    // Act
    let error = run(options).await.expect_err("the run is not judged");
    // Assert
    let lost = error
        .downcast_ref::<StateLost>()
        .unwrap_or_else(|| panic!("not a lost-state error: {error:#}"));
    let message = error.to_string();
    for part in [
        "nothing was judged",
        "dropped live state",
        "code(s)",
        "max_codes = 1",
        "[provider.limits]",
    ] {
        assert!(message.contains(part), "{part:?} missing in {message}");
    }
    assert!(lost.diagnosis.contains("client \""), "{}", lost.diagnosis);
    assert!(
        !report_dir.path().join("report.md").exists(),
        "no verdict is reported"
    );
}
