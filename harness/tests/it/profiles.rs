//! Profiles are checked when they are read: the `gauntlet` binary refuses a bad one with exit
//! code 2 and one clear message, before it runs anything.

use std::path::Path;
use std::process::Output;

/// Runs the built `gauntlet` in `dir` with `args`.
fn gauntlet(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(args)
        .current_dir(dir)
        .env_remove("GAUNTLET_PLATFORM")
        .env_remove("GAUNTLET_PROVIDER")
        .output()
        .expect("gauntlet runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const REFERENCE: &str = include_str!("../../../fixtures/platforms/reference.toml");
const LAUNCHED: &str = include_str!("../../../fixtures/platforms/reference-launched.toml");

#[test]
fn an_unknown_placeholder_is_a_profile_error_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let text = REFERENCE.replace("{base_url}/link?", "{bsae_url}/link?");
    std::fs::write(dir.path().join("typo.toml"), text).unwrap();
    let output = gauntlet(
        dir.path(),
        &["run", "--platform", "typo.toml", "--report-dir", "reports"],
    );
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("start.url")
            && message.contains("unknown placeholder {bsae_url}")
            && message.contains("{base_url}, "),
        "{message}"
    );
    assert!(!dir.path().join("reports").exists(), "nothing ran");
}

#[test]
fn a_provider_profile_with_an_unknown_placeholder_has_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let text = "name = \"x\"\n[server]\nissuer = \"http://127.0.0.1:{prot}\"\n\
                [server.launch]\ncommand = \"false\"\nready_url = \"http://127.0.0.1:{port}/\"\n\
                [client]\nclient_id = \"c\"\nclient_secret = \"s\"\nredirect_uri = \"https://c.test/cb\"\n";
    std::fs::write(dir.path().join("as.toml"), text).unwrap();
    let output = gauntlet(
        dir.path(),
        &[
            "provider",
            "--provider",
            "as.toml",
            "--report-dir",
            "reports",
        ],
    );
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("server.issuer") && message.contains("{prot}"),
        "{message}"
    );
}

#[test]
fn a_toml_error_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let text = REFERENCE.replace("[probe]", "[probe]\nlinked_txt = \"x\"");
    std::fs::write(dir.path().join("bad.toml"), text).unwrap();
    let output = gauntlet(dir.path(), &["run", "--platform", "bad.toml"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert_eq!(
        message.matches("unknown field `linked_txt`").count(),
        1,
        "{message}"
    );
}

#[test]
fn a_bare_named_profile_launches_in_its_own_directory() {
    // No workdir: the launch runs in the profile's directory, the current one. The command
    // exits, so the run ends there, with the exit (not "No such file or directory").
    let dir = tempfile::tempdir().unwrap();
    let text = LAUNCHED
        .replace("workdir = \"../..\"", "")
        .replace("command = \"cargo\"", "command = \"false\"")
        .replace("ready_timeout_secs = 300", "ready_timeout_secs = 600");
    std::fs::write(dir.path().join("bare.toml"), text).unwrap();
    let output = gauntlet(
        dir.path(),
        &["run", "--platform", "bare.toml", "--report-dir", "reports"],
    );
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("the platform exited") && !message.contains("cannot launch"),
        "{message}"
    );
}

#[test]
fn an_outside_platform_without_outcome_texts_is_refused_before_anything_runs() {
    // Without [outcome], the reference platform's texts would silently judge every callback.
    let dir = tempfile::tempdir().unwrap();
    let outcome = "[outcome]                                  # what the callback page says\n\
                   success_text = \"Account linked\"\nfailure_text = \"Linking failed\"\n";
    assert!(LAUNCHED.contains(outcome), "the fixture's [outcome] moved");
    std::fs::write(dir.path().join("p.toml"), LAUNCHED.replace(outcome, "")).unwrap();
    let output = gauntlet(
        dir.path(),
        &["run", "--platform", "p.toml", "--report-dir", "reports"],
    );
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("[outcome] is missing") && message.contains("success_text"),
        "{message}"
    );
    assert!(!dir.path().join("reports").exists(), "nothing ran");
}
