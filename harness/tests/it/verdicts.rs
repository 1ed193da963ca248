//! What the suite tests read off a run: the scenarios of one status, the failures with their
//! explanations, and a provider run against an outside server's profile.

use std::collections::BTreeSet;
use std::path::Path;

use gauntlet::provider::profile::ProviderTarget;
use gauntlet::provider::{ProviderOptions, run};
use gauntlet::report::{RunReport, Status};
use gauntlet::suite::Gate;

/// The names of the scenarios with `status`.
pub(crate) fn names(report: &RunReport, status: Status) -> BTreeSet<String> {
    report
        .scenarios
        .iter()
        .filter(|s| s.status == status)
        .map(|s| s.name.clone())
        .collect()
}

/// Each scenario with `status`, a line with its explanation: an assertion's message.
pub(crate) fn explained(report: &RunReport, status: Status) -> String {
    report
        .scenarios
        .iter()
        .filter(|s| s.status == status)
        .map(|s| format!("{}: {}\n", s.name, s.explanation.as_deref().unwrap_or("")))
        .collect()
}

/// The failures, a line each with its explanation.
pub(crate) fn failures(report: &RunReport) -> String {
    explained(report, Status::Failed)
}

/// `names` as a set, for comparing with [`names`].
pub(crate) fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// The provider suite against the server `fixtures/providers/<profile>` launches, at
/// `concurrency`, no gate; a run that cannot happen panics with the server's log.
pub(crate) async fn run_outside(profile: &str, concurrency: usize) -> RunReport {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/providers")
        .join(profile);
    let target = ProviderTarget::from_file(&file).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let options = ProviderOptions {
        gate: Gate::None,
        concurrency,
        ..ProviderOptions::new(target, dir.to_path_buf())
    };
    match run(options).await {
        Ok(result) => result.report,
        Err(error) => panic!(
            "{error:#}\n--- provider.log ---\n{}",
            std::fs::read_to_string(dir.join("provider.log")).unwrap_or_default()
        ),
    }
}

/// A client run's scenarios against the tags pinned as not applicable (each with a fragment of
/// its reason): every scenario of a pinned tag is not applicable for that reason, no other is
/// not applicable nor ends in an error, and every pinned tag is used.
pub(crate) fn check_not_applicable(report: &RunReport, pinned: &[(&str, &str)]) {
    let mut used = BTreeSet::new();
    for scenario in report.scenarios.iter() {
        let tag = pinned
            .iter()
            .find(|(tag, _)| scenario.tags.iter().any(|t| t == tag));
        match (scenario.status, tag) {
            (Status::Skipped, Some((tag, reason))) => {
                let given = scenario.explanation.as_deref().unwrap_or("");
                assert!(given.contains(reason), "{}: {given}", scenario.name);
                used.insert(*tag);
            }
            (Status::Skipped, None) => panic!(
                "{} is not applicable for a reason not pinned: {:?}",
                scenario.name, scenario.explanation
            ),
            (_, Some((tag, _))) => panic!("{} (@{tag}) ran: {:?}", scenario.name, scenario.status),
            (Status::Error, None) => panic!(
                "{} ended in an error, which the client direction never gives: {:?}",
                scenario.name, scenario.explanation
            ),
            (Status::Passed | Status::Failed, None) => {}
        }
    }
    let all: BTreeSet<&str> = pinned.iter().map(|(tag, _)| *tag).collect();
    assert_eq!(used, all, "every pinned reason is used");
}

/// The reason the `@mcp` scenarios do not apply to a server whose profile names no MCP server.
pub(crate) const NO_MCP_SERVER: &str = "not applicable: the profile names no MCP server";

/// The scenarios not applicable in `report` but the `@mcp` ones, after checking that every
/// `@mcp` scenario is not applicable for want of an MCP server: for the runs of servers
/// without one.
pub(crate) fn skipped_but_mcp(report: &RunReport) -> BTreeSet<String> {
    let mut mcp = 0;
    for scenario in report.scenarios.iter() {
        if scenario.tags.iter().any(|t| t == "mcp") {
            mcp += 1;
            let why = scenario.explanation.as_deref().unwrap_or("");
            assert!(
                scenario.status == Status::Skipped && why.starts_with(NO_MCP_SERVER),
                "{} ({:?}): {why}",
                scenario.name,
                scenario.status
            );
        }
    }
    assert!(mcp > 0, "the run has no @mcp scenario");
    report
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Skipped && !s.tags.iter().any(|t| t == "mcp"))
        .map(|s| s.name.clone())
        .collect()
}

/// Asserts that the launched chatbot whose output is `log` is stopped: it printed where it
/// listened (`http://…`) and its process id (`pid N`), and no process of that id runs
/// `script` any more. The process, not the port, is checked: on a busy machine another test
/// may be listening on the freed port by now.
pub(crate) fn check_stopped(log: &str, script: &str) {
    let address = (log.lines())
        .find_map(|l| l.strip_prefix("http://"))
        .unwrap_or_else(|| panic!("the chatbot printed no address: {log}"));
    let pid: u32 = (log.lines())
        .find_map(|l| l.strip_prefix("pid ")?.trim().parse().ok())
        .unwrap_or_else(|| panic!("the chatbot printed no process id: {log}"));
    let command = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    assert!(
        !String::from_utf8_lossy(&command).contains(script),
        "the chatbot (pid {pid}, listening at {address}) still runs after the run"
    );
}

/// Why a scenario fails against an outside component: what its library (or the app around it)
/// really does, against the section named. A false verdict of Gauntlet is a bug to fix, never a
/// row.
#[derive(Debug)]
pub(crate) struct Why(pub(crate) &'static str);

/// `gauntlet run` on the platform `profile`, reports in `reports`: the report and the command's
/// output. No report is a panic with the command's stderr and the platform's log.
pub(crate) fn run_platform(profile: &Path, reports: &Path) -> (RunReport, std::process::Output) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .arg("run")
        .arg("--platform")
        .arg(profile)
        .arg("--report-dir")
        .arg(reports)
        .output()
        .unwrap();
    let Ok(text) = std::fs::read_to_string(reports.join("report.json")) else {
        panic!(
            "no report ({:?}): {}\n--- platform.log ---\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr),
            platform_log(reports)
        );
    };
    (serde_json::from_str(&text).unwrap(), output)
}

/// The launched platform's log in `reports`.
pub(crate) fn platform_log(reports: &Path) -> String {
    std::fs::read_to_string(reports.join("platform.log")).unwrap_or_default()
}

/// Asserts that `who` (the outside component) failed exactly the `pinned` scenarios; if not,
/// the message lists the new failures, the pinned ones that no longer fail with why they were
/// pinned, every failure's explanation and the platform's log in `reports`, and says to update
/// `file`.
pub(crate) fn check_pinned_failures(
    report: &RunReport,
    pinned: &[(&str, Why)],
    who: &str,
    file: &str,
    reports: &Path,
) {
    let failed = names(report, Status::Failed);
    let expected: BTreeSet<String> = pinned.iter().map(|(name, _)| (*name).to_owned()).collect();
    let gone: String = (pinned.iter())
        .filter(|(name, _)| !failed.contains(*name))
        .map(|(name, Why(reason))| format!("  {name}: pinned because {reason}\n"))
        .collect();
    assert_eq!(
        failed,
        expected,
        "{who}'s failures changed; update FAILS in {file}.\nfailing now, not pinned: {:#?}\n\
         pinned, not failing now:\n{gone}every failure now:\n{}--- platform.log ---\n{}",
        failed.difference(&expected).collect::<Vec<_>>(),
        failures(report),
        platform_log(reports)
    );
}
