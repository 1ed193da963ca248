//! Every token request is seen: a request the mock refused before it knew the client is still
//! in its flow's journal slice, another scenario's never is, and the failures name the mock's
//! finding instead of "no token request".

use gauntlet::client::mutants::{MutantsOptions, run_mutants};
use gauntlet::client::profile::PlatformProfile;
use reference_platform::Defect;
use serde_json::Value;

/// The failed scenarios of one defect's run: (name, explanation, root cause code).
fn failures(dir: &std::path::Path, defect: &str) -> Vec<(String, String, Option<String>)> {
    let path = dir.join("runs").join(defect).join("report.json");
    let text = std::fs::read_to_string(&path).expect("the run wrote report.json");
    let report: Value = serde_json::from_str(&text).expect("report.json is JSON");
    report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .filter(|s| s["status"] == "failed")
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default().to_owned(),
                s["explanation"].as_str().unwrap_or_default().to_owned(),
                s["root_cause"]["code"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_token_requests_are_in_their_flow_and_shared_verifiers_merge_no_flows() {
    // Arrange
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/platforms/reference.toml"
    );
    let profile = PlatformProfile::from_file(std::path::Path::new(path)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut options = MutantsOptions::new(profile, tmp.path().to_path_buf());
    options.defects = vec![
        Defect::ReusedVerifier,
        Defect::BasicNotFormEncoded,
        Defect::RepeatedCodeForwarded,
    ];
    // Act
    let matrix = run_mutants(options).await.expect("the runs complete");
    // Assert
    assert!(matrix.passed(), "{:?}", matrix.rows);

    // One verifier for every flow: only the verifier scenario fails. Slicing by verifier
    // merged every scenario's token requests into each (26 failures before).
    let reused = failures(tmp.path(), "reused_verifier");
    let names: Vec<&str> = reused.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["Every flow uses a fresh verifier"], "{reused:#?}");

    // Basic credentials not form-encoded: the refused token request is seen, and every
    // failure is traced to the provider's finding, none to a missing token request.
    let basic = failures(tmp.path(), "basic_not_form_encoded");
    assert!(!basic.is_empty());
    for (name, explanation, cause) in &basic {
        assert_eq!(
            cause.as_deref(),
            Some("client_auth.basic_not_form_encoded"),
            "{name}: {explanation}"
        );
        assert!(
            !explanation.contains("made no token request") && !explanation.contains("0 times"),
            "{name}: {explanation}"
        );
    }
    let authenticates = basic
        .iter()
        .find(|f| {
            f.0 == "The code is redeemed exactly once with the configured client authentication"
        })
        .expect("the client authentication scenario fails");
    assert!(
        authenticates
            .1
            .contains("the Basic credentials match only without form-decoding (RFC 6749 §2.3.1)"),
        "{}",
        authenticates.1
    );

    // A callback's repeated code forwarded to the token endpoint: the provider refused the
    // request before it knew the client, and the repeated-code scenario still counts it.
    let repeated = failures(tmp.path(), "repeated_code_forwarded");
    assert_eq!(repeated.len(), 1, "{repeated:#?}");
    let (name, explanation, cause) = &repeated[0];
    assert_eq!(name, "A callback with a repeated code is refused");
    assert_eq!(cause.as_deref(), Some("request.duplicate_parameter"));
    assert!(
        explanation.contains("made 1 token request(s)")
            && explanation.contains("a request parameter is repeated (RFC 6749 §3.1, §3.2): code"),
        "{explanation}"
    );
}
