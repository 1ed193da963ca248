//! One provider conformance run: find or start the server, run `features/provider/` with
//! cucumber (scenarios needing a feature the server lacks are left out and reported as not
//! applicable), and write the same reports as `gauntlet run`.

use std::sync::Arc;

use anyhow::Context as _;

use super::context::{self, ProviderContext};
use super::profile::ProviderTarget;
use super::world::ProviderWorld;
use crate::features;
use crate::report::RunReport;
use crate::run::{RunResult, SuiteOptions, finish, run_applicable, take_outcomes};

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
    let inapplicable = ctx.inapplicable();
    let (duration_ms, parsing_errors) = context::scope(
        ctx.clone(),
        run_applicable::<ProviderWorld>(
            options.feature_run(features::PROVIDER)?,
            &inapplicable,
            &ctx.outcomes,
        ),
    )
    .await?;
    let report = RunReport {
        target: ctx.profile.name.clone(),
        direction: "provider".into(),
        duration_ms,
        scenarios: take_outcomes(&ctx.outcomes),
    };
    finish(report, parsing_errors, dir, options.gate)
}
