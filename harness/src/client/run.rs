//! `gauntlet run`: the client direction, a chatbot platform (the OAuth client) under test with
//! the mock provider on the other side.

use std::path::Path;
use std::sync::Arc;

use super::context::{self, RunContext};
use super::profile::{MockProfile, PlatformProfile, ShapeKind};
use super::world::GauntletWorld;
use crate::report::Preflight;
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
        max_body_bytes: usize,
        trust: crate::suite::tls::Trust,
        log: &Path,
    ) -> anyhow::Result<RunContext> {
        RunContext::start(target, trust, reveal_secrets, max_body_bytes, log).await
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

    async fn preflight(context: Arc<RunContext>) -> Option<Preflight> {
        Some(super::preflight::preflight(context).await)
    }

    fn lost_state(context: &RunContext) -> Option<String> {
        context.lost_state()
    }
}

/// Runs the client features against the platform the options describe.
pub async fn run(options: RunOptions) -> anyhow::Result<RunResult> {
    crate::suite::run::<Client>(options).await
}

/// The tags that do not apply to a platform: every other shape's, `@chat` unless its start
/// answers with a login link (a chat button), `@ocs` unless the mock plays OpenChatStudio (and
/// `@iss` when it does), `@discovery` when the platform does not read the provider's metadata,
/// `@mixup` when it talks to one authorization server only, `@path_param` unless the token goes
/// in an API path (`[api] token_path`) and `@bearer_header` when it does, `@service_account`
/// without a `[service_account]`, `@tool_call` without a `[tool_call]`, `@tls` unless the mock serves HTTPS (`[provider] tls`),
/// `@restart` unless Gauntlet can start a second instance of the platform.
pub fn shape_tags(profile: &PlatformProfile) -> Vec<Inapplicable> {
    let mut tags: Vec<Inapplicable> = ShapeKind::ALL
        .iter()
        .filter(|s| **s != profile.shape && **s != ShapeKind::Web)
        .map(|s| Inapplicable {
            tag: s.name().into(),
            reason: format!("the platform's shape is {}", profile.shape.name()),
        })
        .collect();
    if profile.start.button.is_none() {
        tags.push(Inapplicable {
            tag: "chat".into(),
            reason: "the platform's start answer carries no login link to hand over ([start] has \
                     no button): a web platform knows the session from its own cookie, so an \
                     attacker can only hand over the authorization URL, which \"An attacker's \
                     authorization link completed by a victim links nobody\" covers"
                .into(),
        });
    }
    if !profile.client.discovery {
        tags.push(Inapplicable {
            tag: "discovery".into(),
            reason: "the platform is configured with the provider's endpoints and does not read \
                     its metadata (client.discovery = false), so it cannot know what the \
                     metadata promises (RFC 9207 §2.4) nor be led by the endpoints it names"
                .into(),
        });
    }
    if !profile.provider.tls {
        tags.push(Inapplicable {
            tag: "tls".into(),
            reason: "the mock is not serving HTTPS: the profile does not set [provider] tls = \
                     true, so the run exercises no TLS and the transport rules (RFC 6749 \
                     §3.1.2.1; RFC 8252 §7.3) are not judged; set it, and give the platform \
                     {ca_file}, to judge them"
                .into(),
        });
    }
    if let Some(reason) = no_restart(profile) {
        tags.push(Inapplicable {
            tag: "restart".into(),
            reason,
        });
    }
    if profile.client.single_provider {
        tags.push(Inapplicable {
            tag: "mixup".into(),
            reason: "the platform talks to one authorization server only \
                     (client.single_provider = true), and RFC 9700 §4.4.2 asks a mix-up \
                     defence only of clients that interact with more than one"
                .into(),
        });
    }
    if profile.api.token_path.is_some() {
        tags.push(Inapplicable {
            tag: "bearer_header".into(),
            reason: "the profile puts the token in the API path ([api] token_path, Kore.ai's \
                     Path Param), the vendor's choice: the @path_param scenarios judge it"
                .into(),
        });
    } else {
        tags.push(Inapplicable {
            tag: "path_param".into(),
            reason: "the platform puts the token in no API path ([api] has no token_path)".into(),
        });
    }
    if profile.service_account.is_none() {
        tags.push(Inapplicable {
            tag: "service_account".into(),
            reason: "the profile names no chatbot-wide service account ([service_account])".into(),
        });
    }
    if profile.tool_call.is_none() {
        tags.push(Inapplicable {
            tag: "tool_call".into(),
            reason: "the profile names no way to make the platform call an MCP tool \
                     ([tool_call])"
                .into(),
        });
    }
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

/// Why Gauntlet cannot start the platform afresh beside the run's (an `@restart` scenario
/// does, against a mock of its own), or `None` when it can: embedded, or launched on a port it
/// picks (`{port}`).
fn no_restart(profile: &PlatformProfile) -> Option<String> {
    let platform = &profile.platform;
    if platform.embedded.is_some() {
        return None;
    }
    if platform.launch.is_none() {
        return Some(
            "Gauntlet cannot start the platform itself (it runs at platform.base_url, with no \
             [platform.launch]), so it cannot start it afresh against a provider of the \
             scenario's own: a platform reads the provider's metadata when it starts"
                .into(),
        );
    }
    (!profile.uses_port()).then(|| {
        "a second instance of the platform cannot run beside the run's: [platform.launch] \
         listens where platform.base_url says, a fixed port (no {port} for Gauntlet to pick)"
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(profile: &PlatformProfile) -> Vec<String> {
        shape_tags(profile).into_iter().map(|t| t.tag).collect()
    }

    #[test]
    fn what_the_metadata_promises_is_judged_only_for_a_platform_that_reads_it() {
        let mut profile = PlatformProfile::reference();
        assert!(
            profile.client.discovery,
            "reading the metadata is the default"
        );
        assert!(!tags(&profile).contains(&"discovery".to_owned()));
        profile.client.discovery = false;
        let inapplicable = shape_tags(&profile);
        let discovery = inapplicable
            .iter()
            .find(|t| t.tag == "discovery")
            .expect("@discovery is not applicable");
        assert!(discovery.reason.contains("client.discovery = false"));
    }

    #[test]
    fn transport_rules_are_judged_only_when_the_mock_serves_https() {
        let mut profile = PlatformProfile::reference();
        let tls = shape_tags(&profile)
            .into_iter()
            .find(|t| t.tag == "tls")
            .expect("@tls is not applicable over plain HTTP");
        assert!(
            tls.reason.starts_with("the mock is not serving HTTPS: "),
            "{}",
            tls.reason
        );
        profile.provider.tls = true;
        assert!(!tags(&profile).contains(&"tls".to_owned()));
    }

    #[test]
    fn restart_scenarios_apply_only_where_gauntlet_can_start_the_platform() {
        let reference = PlatformProfile::reference();
        assert!(
            !tags(&reference).contains(&"restart".to_owned()),
            "embedded"
        );
        let launched = PlatformProfile::from_file(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/platforms/reference-launched.toml"
        )))
        .unwrap();
        assert!(!tags(&launched).contains(&"restart".to_owned()), "launched");
        let mut fixed = launched.clone();
        // A launch that listens where base_url says (no {port}); never started here.
        fixed.platform.base_url = Some("http://platform.test:8080".into());
        if let Some(launch) = &mut fixed.platform.launch {
            launch
                .env
                .insert("REFERENCE_LISTEN".into(), "platform.test:8080".into());
        }
        let reason = |profile: &PlatformProfile| {
            shape_tags(profile)
                .into_iter()
                .find(|t| t.tag == "restart")
                .map(|t| t.reason)
                .expect("@restart is not applicable")
        };
        assert!(reason(&fixed).contains("no {port}"), "{}", reason(&fixed));
        let mut outside = fixed;
        outside.platform.launch = None;
        assert!(
            reason(&outside).starts_with("Gauntlet cannot start the platform itself"),
            "{}",
            reason(&outside)
        );
    }

    #[test]
    fn mix_up_is_judged_only_for_a_platform_with_several_providers() {
        let mut profile = PlatformProfile::reference();
        assert!(!tags(&profile).contains(&"mixup".to_owned()));
        profile.client.single_provider = true;
        let inapplicable = shape_tags(&profile);
        let mixup = inapplicable
            .iter()
            .find(|t| t.tag == "mixup")
            .expect("@mixup is not applicable");
        assert!(mixup.reason.contains("RFC 9700 §4.4.2"));
    }

    #[test]
    fn chat_scenarios_apply_only_to_a_start_that_answers_with_a_login_link() {
        let mut profile = PlatformProfile::reference();
        let chat = shape_tags(&profile)
            .into_iter()
            .find(|t| t.tag == "chat")
            .expect("@chat is not applicable in the web channel");
        assert!(chat.reason.contains("no button"), "{}", chat.reason);
        profile.start.button = Some(crate::client::profile::Button::JsonPointer(
            "/messages/0/url".into(),
        ));
        assert!(!tags(&profile).contains(&"chat".to_owned()));
    }

    #[test]
    fn path_param_scenarios_apply_only_where_the_token_goes_in_an_api_path() {
        let mut profile = PlatformProfile::reference();
        assert!(tags(&profile).contains(&"path_param".to_owned()));
        assert!(!tags(&profile).contains(&"bearer_header".to_owned()));
        profile.api.token_path = Some("/api/users/{access_token}/profile".into());
        assert!(!tags(&profile).contains(&"path_param".to_owned()));
        let header = shape_tags(&profile)
            .into_iter()
            .find(|t| t.tag == "bearer_header")
            .expect("@bearer_header is not applicable");
        assert!(header.reason.contains("token_path"), "{}", header.reason);
    }

    #[test]
    fn service_account_scenarios_apply_only_with_a_service_account() {
        let profile = PlatformProfile::reference();
        assert!(tags(&profile).contains(&"service_account".to_owned()));
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/platforms/csml.toml"
        );
        let csml = PlatformProfile::from_file(std::path::Path::new(path)).unwrap();
        assert!(!tags(&csml).contains(&"service_account".to_owned()));
    }
}
