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
