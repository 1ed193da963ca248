//! `gauntlet run`: the client direction, a chatbot platform (the OAuth client) under test with
//! the mock provider on the other side.

use std::path::Path;
use std::sync::Arc;

use super::context::{self, RunContext};
use super::profile::{MockProfile, PlatformProfile, ShapeKind};
use super::world::GauntletWorld;
use crate::suite::{Direction, Inapplicable, Outcomes, RunResult, SuiteOptions};

/// The options of `gauntlet run`: a platform under test.
pub type RunOptions = SuiteOptions<PlatformProfile>;

/// The client direction.
#[derive(Debug)]
pub struct Client;

impl Direction for Client {
    type Target = PlatformProfile;
    type Context = RunContext;
    type World = GauntletWorld;
    const NAME: &'static str = "client";
    const FEATURES: &'static [(&'static str, &'static str)] = crate::suite::features::CLIENT;

    const LOG: &'static str = "platform.log";

    async fn start(
        target: PlatformProfile,
        reveal_secrets: bool,
        log: &Path,
    ) -> anyhow::Result<RunContext> {
        RunContext::start(target, reveal_secrets, log).await
    }

    fn inapplicable(_: &RunContext, target: &PlatformProfile) -> Vec<Inapplicable> {
        shape_tags(target)
    }

    fn target_name(_: &RunContext, target: &PlatformProfile) -> String {
        target.name.clone()
    }

    fn evidence(context: &RunContext) -> &Outcomes {
        &context.outcomes
    }

    fn scope<F: std::future::Future>(
        context: Arc<RunContext>,
        future: F,
    ) -> impl std::future::Future<Output = F::Output> {
        context::scope(context, future)
    }
}

/// Runs the client features against the platform the options describe.
pub async fn run(options: RunOptions) -> anyhow::Result<RunResult> {
    crate::suite::run::<Client>(options).await
}

/// The shape tags that do not apply to a platform: every other shape's, and `@ocs` unless the
/// mock plays OpenChatStudio.
pub fn shape_tags(profile: &PlatformProfile) -> Vec<Inapplicable> {
    let mut tags: Vec<Inapplicable> = ShapeKind::ALL
        .iter()
        .filter(|s| **s != profile.shape && **s != ShapeKind::Web)
        .map(|s| Inapplicable {
            tag: s.name().into(),
            reason: format!("the platform's shape is {}", profile.shape.name()),
        })
        .collect();
    if profile.provider.profile == Some(MockProfile::OpenChatStudio) {
        tags.push(Inapplicable {
            tag: "iss".into(),
            reason: "the mock plays OpenChatStudio, which neither sends nor promises iss".into(),
        });
    } else {
        tags.push(Inapplicable {
            tag: "ocs".into(),
            reason: "the mock provider does not play OpenChatStudio here".into(),
        });
    }
    tags
}
