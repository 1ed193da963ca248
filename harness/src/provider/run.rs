//! One provider conformance run: find or start the server, run `features/provider/` with
//! cucumber (scenarios needing a feature the server lacks are left out and reported as not
//! applicable), and write the same reports as `gauntlet run`.

use std::sync::Arc;

use super::context::{self, ProviderContext};
use super::profile::ProviderTarget;
use super::world::ProviderWorld;
use crate::features;
use crate::report::RunReport;
use crate::run::{RunResult, SuiteOptions, finish, prepare};

/// The options of `gauntlet provider`: an authorization server under test.
pub type ProviderOptions = SuiteOptions<ProviderTarget>;

/// Runs the provider features against the server the options describe.
pub async fn run(options: ProviderOptions) -> anyhow::Result<RunResult> {
    let prepared = prepare(&options, "provider", features::PROVIDER)?;
    let ctx = Arc::new(
        ProviderContext::start(
            options.target.clone(),
            options.reveal_secrets,
            &options.report_dir.join("provider.log"),
        )
        .await?,
    );
    let inapplicable = ctx.inapplicable();
    let report = context::scope(
        ctx.clone(),
        prepared.run::<ProviderWorld, _>(&options, &inapplicable, &ctx.outcomes),
    )
    .await?;
    finish(
        RunReport {
            target: ctx.profile.name.clone(),
            direction: "provider".into(),
            ..report
        },
        &options,
    )
}
