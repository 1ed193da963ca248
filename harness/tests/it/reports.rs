//! Snapshots of the Markdown report, the JUnit output and the cucumber JSON of a run against
//! the reference platform, with times, ports and masks replaced so that they are stable (and no
//! path masked: a temporary path or pid in a test name breaks the snapshot).

use gauntlet::client::profile::PlatformProfile;
use gauntlet::client::{RunOptions, run};

fn stable(text: &str) -> String {
    let rules = [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
        (
            r#"(time="|timestamp="|duration[^0-9]{0,12})[0-9.:TZ+-]+"#,
            "${1}T",
        ),
        // A run of a second or more is shown in seconds.
        (r"duration T m?s\.", "duration T."),
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
    let guard = tempfile::tempdir().unwrap();
    let dir = guard.path().to_owned();
    let options = RunOptions {
        tags: Some("@rfc7636".into()),
        concurrency: 1,
        ..RunOptions::new(PlatformProfile::reference(), dir.clone())
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
    let json = std::fs::read_to_string(dir.join("cucumber.json")).unwrap();
    // No temporary path may creep back into names (the snapshots mask no path either).
    let temp = std::env::temp_dir().display().to_string();
    for text in [&markdown, &junit, &json] {
        assert!(!text.contains(&temp), "a temporary path in a report");
    }
    insta::assert_snapshot!("markdown", stable(&markdown));
    insta::assert_snapshot!("junit", stable(&junit));
    insta::assert_snapshot!("cucumber_json", stable(&json));
}

/// Runs the token feature and returns the text of every report file.
async fn report_texts(reveal_secrets: bool) -> String {
    profile_report_texts(PlatformProfile::reference(), "@rfc6750", reveal_secrets).await
}

/// Every report file of a run of `profile`'s scenarios tagged `tags`, concatenated.
async fn profile_report_texts(
    profile: PlatformProfile,
    tags: &str,
    reveal_secrets: bool,
) -> String {
    let guard = tempfile::tempdir().unwrap();
    let dir = guard.path().to_owned();
    let options = RunOptions {
        tags: Some(tags.into()),
        reveal_secrets,
        ..RunOptions::new(profile, dir.clone())
    };
    run(options).await.unwrap();
    let mut text = String::new();
    for name in gauntlet::report::files::FILES {
        text.push_str(&std::fs::read_to_string(dir.join(name)).unwrap());
    }
    text
}

#[tokio::test]
async fn reports_redact_secrets_unless_asked() {
    let token = regex::Regex::new(r"\b(at|rt|ac)_[A-Za-z0-9_-]{43}").unwrap();
    let secret = "gauntlet:secret+/=&%";
    let encoded = oauth_vocab::form_encode(secret);

    let redacted = report_texts(false).await;
    assert!(
        redacted.contains("[redacted:"),
        "nothing was redacted: is there any evidence at all?"
    );
    assert!(
        !token.is_match(&redacted),
        "a code or token leaked: {:?}",
        token.find(&redacted)
    );
    assert!(
        !redacted.contains(secret) && !redacted.contains(&encoded),
        "the client secret leaked"
    );

    let revealed = report_texts(true).await;
    assert!(token.is_match(&revealed), "--reveal-secrets shows no token");
}

/// Asserts that the reports of `profile`'s `tags` scenarios show `masked` and nothing `secret`
/// matches, and that with `--reveal-secrets` something does.
async fn assert_masked_unless_revealed(
    profile: PlatformProfile,
    tags: &str,
    secret: &str,
    masked: &str,
) {
    let secret = regex::Regex::new(secret).unwrap();
    let redacted = profile_report_texts(profile.clone(), tags, false).await;
    assert!(
        redacted.contains(masked),
        "no {masked:?} in the reports: did the scenarios run?"
    );
    assert!(
        !secret.is_match(&redacted),
        "a secret leaked: {:?}",
        secret.find(&redacted)
    );
    let revealed = profile_report_texts(profile, tags, true).await;
    assert!(
        secret.is_match(&revealed),
        "--reveal-secrets shows no secret"
    );
}

#[tokio::test]
async fn a_token_in_the_api_path_is_masked_in_every_report_unless_asked() {
    // Kore.ai's Path Param: the token is a URL path segment, where no parameter name marks it.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/platforms/kore.toml"
    );
    let kore = PlatformProfile::from_file(std::path::Path::new(path)).unwrap();
    assert_masked_unless_revealed(
        kore,
        "@path_param",
        r"/api/users/at_[A-Za-z0-9_-]{43}/profile",
        "/api/users/[redacted:",
    )
    .await;
}

#[tokio::test]
async fn a_token_the_platform_prints_in_its_page_is_masked_in_every_report_unless_asked() {
    // The `token_in_page` defect shows the access token on the callback page, where no name
    // marks it: only redaction by value hides it.
    let text = include_str!("../../../fixtures/platforms/reference.toml").replace(
        "embedded = \"reference\"",
        "embedded = \"reference\"\ndefects = [\"token_in_page\"]",
    );
    let profile: PlatformProfile = toml::from_str(&text).unwrap();
    assert_masked_unless_revealed(
        profile,
        "@rfc9700",
        r"\bat_[A-Za-z0-9_-]{43}",
        "Your token: [redacted:",
    )
    .await;
}

#[tokio::test]
async fn failures_are_grouped_under_their_root_cause() {
    let guard = tempfile::tempdir().unwrap();
    let mut profile = PlatformProfile::reference();
    profile.platform.defects = vec!["no_pkce".into()];
    let options = RunOptions {
        tags: Some("@rfc7636 or @rfc6750".into()),
        ..RunOptions::new(profile, guard.path().to_owned())
    };
    let result = run(options).await.unwrap();
    let groups = gauntlet::report::root_causes::groups(&result.report);
    assert_eq!(groups.len(), 1, "{groups:?}");
    let group = &groups[0];
    assert_eq!(group.cause.code, "pkce.challenge_missing");
    assert!(
        group
            .headline()
            .contains("failed because the authorization request carries no code_challenge"),
        "{}",
        group.headline()
    );
    // The PKCE scenarios judge the rule; the bearer scenarios failed on what followed.
    assert!(
        group
            .direct
            .iter()
            .all(|s| s.file.ends_with("pkce.feature"))
    );
    assert!(!group.knock_on.is_empty());
    for scenario in &group.knock_on {
        let why = scenario.explanation.as_deref().unwrap_or_default();
        assert!(why.starts_with("root cause (the first thing that went wrong in this flow): the authorization request carries no code_challenge"), "{why}");
    }
    let markdown = std::fs::read_to_string(guard.path().join("report.md")).unwrap();
    let causes = markdown
        .find("## Root causes")
        .expect("a root-cause section");
    assert!(causes < markdown.find("## Verdicts").unwrap());
    assert!(markdown.contains("_(knock-on)_"));
    let html = std::fs::read_to_string(guard.path().join("index.html")).unwrap();
    assert!(html.contains("<h2>Root causes</h2>") && html.contains("(knock-on)"));

    // A correct platform has nothing to group.
    let clean = tempfile::tempdir().unwrap();
    let options = RunOptions {
        tags: Some("@rfc7636".into()),
        ..RunOptions::new(PlatformProfile::reference(), clean.path().to_owned())
    };
    let result = run(options).await.unwrap();
    assert!(gauntlet::report::root_causes::groups(&result.report).is_empty());
    let markdown = std::fs::read_to_string(clean.path().join("report.md")).unwrap();
    assert!(!markdown.contains("## Root causes"));
}
