//! The `mock-provider` binary: prints its base URL once ready, refuses bad profiles with exit 2.

use crate::support::{Running, binary};

#[tokio::test]
async fn prints_its_base_url_and_serves_the_openchatstudio_profile() {
    let profile = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/providers/openchatstudio.toml"
    );
    let running = Running::start(&mut binary([
        "--addr",
        "127.0.0.1:0",
        "--config",
        profile,
        "--seed",
        "1",
    ]));
    let base = running.base.clone();
    let metadata: serde_json::Value =
        reqwest::get(format!("{base}/.well-known/oauth-authorization-server"))
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("metadata answers")
            .json()
            .await
            .unwrap();
    drop(running);
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert_eq!(metadata["issuer"], base);
    assert_eq!(
        metadata["authorization_endpoint"],
        format!("{base}/o/authorize/")
    );
}

#[test]
fn a_bad_profile_exits_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("bad.toml");
    std::fs::write(&profile, "code_ttl = 5\n").unwrap();
    let output = binary(["--addr", "127.0.0.1:0", "--config"])
        .arg(&profile)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("code_ttl"), "{stderr}");
}
