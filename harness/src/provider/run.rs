//! `gauntlet provider`: the provider direction. Find or start the server, run
//! `features/provider/` (scenarios needing a feature the server lacks are reported as not
//! applicable), and write the same reports as `gauntlet run`.

use std::path::Path;
use std::sync::Arc;

use super::context::{self, ProviderContext};
use super::preflight;
use super::profile::ProviderTarget;
use super::world::ProviderWorld;
use crate::report::Preflight;
use crate::suite::tls::Trust;
use crate::suite::{Direction, Inapplicable, Outcomes, RunResult, SuiteOptions};

/// The options of `gauntlet provider`: an authorization server under test.
pub type ProviderOptions = SuiteOptions<ProviderTarget>;

/// The provider direction.
#[derive(Debug)]
pub struct Provider;

impl Direction for Provider {
    type Target = ProviderTarget;
    type Context = ProviderContext;
    type World = ProviderWorld;
    const NAME: &'static str = "provider";
    const FEATURES: &'static [(&'static str, &'static str)] = crate::suite::features::PROVIDER;

    const LOG: &'static str = "provider.log";

    async fn start(
        target: ProviderTarget,
        reveal_secrets: bool,
        max_body_bytes: usize,
        log: &Path,
    ) -> anyhow::Result<ProviderContext> {
        Self::start_trusting(
            target,
            reveal_secrets,
            max_body_bytes,
            Trust::default(),
            log,
        )
        .await
    }

    async fn start_trusting(
        target: ProviderTarget,
        reveal_secrets: bool,
        max_body_bytes: usize,
        trust: Trust,
        log: &Path,
    ) -> anyhow::Result<ProviderContext> {
        ProviderContext::start(target, reveal_secrets, max_body_bytes, trust, log).await
    }

    fn inapplicable(context: &ProviderContext, _: &ProviderTarget) -> Vec<Inapplicable> {
        context.inapplicable()
    }

    fn target_name(context: &ProviderContext, _: &ProviderTarget) -> String {
        context.profile.name.clone()
    }

    fn evidence(context: &ProviderContext) -> &Outcomes {
        &context.outcomes
    }

    async fn preflight(context: Arc<ProviderContext>) -> Option<Preflight> {
        Some(preflight::preflight(context).await)
    }

    fn scope<F: std::future::Future>(
        context: Arc<ProviderContext>,
        future: F,
    ) -> impl std::future::Future<Output = F::Output> {
        context::scope(context, future)
    }
}

/// Runs the provider features against the server the options describe.
pub async fn run(options: ProviderOptions) -> anyhow::Result<RunResult> {
    crate::suite::run::<Provider>(options).await
}
