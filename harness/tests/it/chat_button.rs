//! A chat answer whose login button is the authorization URL itself (no platform hop), as many
//! chat platforms hand it out: the flow starts at the chat turn, and the browser's first stop is
//! the provider.

use gauntlet::client::profile::PlatformProfile;
use gauntlet::client::{RunOptions, run};
use gauntlet::report::{Party, PreflightVerdict, Status};
use gauntlet::suite::Gate;

/// The reference chat channel handing out the authorization URL itself as its button.
fn direct_button_profile() -> PlatformProfile {
    let text = include_str!("../../../fixtures/platforms/reference-chat.toml").replace(
        "embedded = \"reference\"",
        "embedded = \"reference\"\n[platform.reference]\nchat_button = \"authorization_url\"",
    );
    toml::from_str(&text).expect("the adapted profile parses")
}

#[tokio::test]
async fn a_button_that_is_the_authorization_url_starts_the_flow_and_the_suite_passes() {
    // Arrange
    let report_dir = tempfile::tempdir().unwrap();
    let options = RunOptions {
        gate: Gate::Should,
        ..RunOptions::new(direct_button_profile(), report_dir.path().to_path_buf())
    };
    // Act
    let result = run(options).await.expect("the run completes");
    // Assert
    let report = &result.report;
    let preflight = report.preflight.as_ref().expect("the preflight ran");
    assert_eq!(preflight.verdict, PreflightVerdict::Passed, "{preflight:?}");
    // No browser went through the platform's button page: the button led to the provider.
    let exchanges: Vec<_> = report.scenarios.iter().flat_map(|s| &s.exchanges).collect();
    assert!(
        exchanges.iter().any(|e| e.from == Party::Browser
            && e.to == Party::Provider
            && e.url.contains("/authorize?")),
        "no browser reached the authorization endpoint"
    );
    assert!(
        !exchanges.iter().any(|e| e.url.contains("/chat/link/")),
        "a browser visited the platform's ticket page"
    );
    // Everything passes: with no browser at the platform before the provider, the chat's link
    // confirmation stops a callback delivered in another browser (the code it shows is refused
    // in any chat but the one that asked for the link).
    let failed: Vec<_> = report
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
        .map(|s| (s.name.as_str(), s.explanation.as_deref()))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(report.count(Status::Passed) >= 30);
}
