//! The conformance run of the soak and its verdicts: `gauntlet provider` against the mock,
//! described by a provider profile as a server elsewhere, every scenario's status by name.

use std::collections::BTreeMap;

use gauntlet::provider::profile::ProviderTarget;
use gauntlet::provider::{ProviderOptions, run as run_provider};
use gauntlet::report::Status;
use gauntlet::suite::Gate;

use crate::child::Spawned;

/// Each scenario's status, by name.
pub(crate) struct Verdicts(BTreeMap<String, Status>);

/// Runs the whole provider suite against `mock`.
pub(crate) async fn run(mock: &Spawned) -> Verdicts {
    run_profile(&mock.profile()).await
}

/// Runs the whole provider suite against the server the profile `text` describes.
pub(crate) async fn run_profile(text: &str) -> Verdicts {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("soak.toml");
    std::fs::write(&file, text).expect("the profile is written");
    let target = ProviderTarget::from_file(&file).expect("the soak's profile parses");
    let options = ProviderOptions {
        gate: Gate::None,
        ..ProviderOptions::new(target, dir.path().join("report"))
    };
    let report = run_provider(options)
        .await
        .unwrap_or_else(|e| panic!("the provider run could not happen: {e:#}"))
        .report;
    Verdicts(
        report
            .scenarios
            .into_iter()
            .map(|s| (s.name, s.status))
            .collect(),
    )
}

impl Verdicts {
    /// How many scenarios have each status.
    pub(crate) fn summary(&self) -> String {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for status in self.0.values() {
            *counts
                .entry(format!("{status:?}").to_lowercase())
                .or_default() += 1;
        }
        let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
        format!("{} scenarios: {}", self.0.len(), parts.join(", "))
    }

    /// A line per scenario whose status differs from `other`'s, or that only one run has.
    pub(crate) fn differences(&self, other: &Verdicts) -> Vec<String> {
        let names: std::collections::BTreeSet<&String> =
            self.0.keys().chain(other.0.keys()).collect();
        names
            .into_iter()
            .filter_map(|name| {
                let (a, b) = (self.0.get(name), other.0.get(name));
                (a != b).then(|| format!("{name}: quiet {a:?}, loaded {b:?}"))
            })
            .collect()
    }
}
