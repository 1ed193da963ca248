//! One provider conformance run: find or start the server, run `features/provider/` with
//! cucumber (scenarios needing a feature the server lacks are left out and reported as not
//! applicable), and write the same reports as `gauntlet run`.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use cucumber::gherkin;
use cucumber::tag::Ext as _;

use super::context::{self, Feature, ProviderContext};
use super::profile::ProviderTarget;
use super::world::ProviderWorld;
use crate::features;
use crate::report::{RunReport, ScenarioOutcome, Status, Strength};
use crate::run::{
    FeatureRun, RunResult, ScenarioPlace, SuiteOptions, finish, run_features, take_outcomes,
};

/// The options of `gauntlet provider`: an authorization server under test.
pub type ProviderOptions = SuiteOptions<ProviderTarget>;

/// Runs the provider features against the server the options describe.
pub async fn run(options: ProviderOptions) -> anyhow::Result<RunResult> {
    let dir = &options.report_dir;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the report directory {}", dir.display()))?;
    let ctx = Arc::new(
        ProviderContext::start(
            options.target.clone(),
            options.reveal_secrets,
            &dir.join("provider.log"),
        )
        .await?,
    );
    let missing = ctx.missing_features();
    let features = match &options.features {
        Some(path) => path.clone(),
        None => features::materialize(features::PROVIDER)
            .context("cannot write the bundled feature files")?,
    };
    let user_filter: Option<gherkin::tagexpr::TagOperation> = match &options.tags {
        Some(tags) => Some(
            tags.parse()
                .map_err(|e| anyhow::anyhow!("--tags {tags:?} is not a tag expression: {e}"))?,
        ),
        None => None,
    };
    let tags = applicable_filter(options.tags.as_deref(), &missing);
    let result = context::scope(
        ctx.clone(),
        run_features::<ProviderWorld>(FeatureRun {
            report_dir: dir,
            features: features.clone(),
            tags,
            concurrency: options.concurrency,
            progress: options.progress,
        }),
    )
    .await;
    let (duration_ms, parsing_errors) = result?;
    ctx.outcomes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(not_applicable(&features, &missing, user_filter.as_ref()));
    let report = RunReport {
        target: ctx.profile.name.clone(),
        direction: "provider".into(),
        duration_ms,
        scenarios: take_outcomes(&ctx.outcomes),
    };
    finish(report, parsing_errors, dir, options.gate)
}

/// The user's tag expression with every scenario needing a missing feature left out.
fn applicable_filter(user: Option<&str>, missing: &[Feature]) -> Option<String> {
    let mut parts: Vec<String> = user.map(|u| format!("({u})")).into_iter().collect();
    parts.extend(missing.iter().map(|f| format!("not @{}", f.tag)));
    (!parts.is_empty()).then(|| parts.join(" and "))
}

/// Outcomes for the scenarios left out because the server lacks a feature they need (those
/// the user's filter would have run), with their places in the feature files.
fn not_applicable(
    dir: &std::path::Path,
    missing: &[Feature],
    user: Option<&gherkin::tagexpr::TagOperation>,
) -> Vec<(ScenarioPlace, ScenarioOutcome)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "feature"));
    files.sort();
    let mut outcomes = Vec::new();
    for file in files {
        let Ok(feature) = gherkin::Feature::parse_path(&file, gherkin::GherkinEnv::default())
        else {
            continue;
        };
        for scenario in &feature.scenarios {
            let tags: Vec<String> = feature.tags.iter().chain(&scenario.tags).cloned().collect();
            let Some(lacking) = missing.iter().find(|f| tags.iter().any(|t| t == f.tag)) else {
                continue;
            };
            if user.is_some_and(|u| !u.eval(tags.iter())) {
                continue;
            }
            let place = (
                file.display().to_string(),
                scenario.position.line,
                scenario.position.col,
            );
            outcomes.push((
                place,
                ScenarioOutcome {
                    feature: feature.name.clone(),
                    name: scenario.name.clone(),
                    strength: Strength::of(&tags),
                    source: crate::run::source_line(scenario.description.as_deref()),
                    tags,
                    status: Status::Skipped,
                    explanation: Some(format!("not applicable: {}", lacking.missing)),
                    exchanges: Vec::new(),
                },
            ));
        }
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_features_are_filtered_out_after_the_users_expression() {
        let missing = [context::FEATURES[2], context::FEATURES[4]];
        assert_eq!(
            applicable_filter(Some("@must or @should"), &missing).as_deref(),
            Some("(@must or @should) and not @revocation and not @resource")
        );
        assert_eq!(applicable_filter(None, &[]), None);
    }

    #[test]
    fn not_applicable_scenarios_are_reported_as_skipped_with_the_reason() {
        let dir = features::materialize(features::PROVIDER).unwrap();
        let revocation = context::FEATURES
            .iter()
            .find(|f| f.tag == "revocation")
            .copied()
            .unwrap();
        let skipped = not_applicable(&dir, &[revocation], None);
        assert!(!skipped.is_empty());
        assert!(skipped.iter().all(|(_, s)| {
            s.status == Status::Skipped
                && s.explanation
                    .as_deref()
                    .is_some_and(|e| e.contains("revocation endpoint"))
        }));
        let should: gherkin::tagexpr::TagOperation = "@should".parse().unwrap();
        let only_should = not_applicable(&dir, &[revocation], Some(&should));
        assert!(only_should.len() < skipped.len());
        assert!(
            only_should
                .iter()
                .all(|(_, s)| s.strength == Strength::Should)
        );
    }
}
