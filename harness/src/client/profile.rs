//! Platform profiles (`fixtures/platforms/*.toml`): everything Gauntlet needs to drive a platform
//! it has never seen — where it is or how to launch it, the client registration the mock holds
//! for it, how a flow starts, and how success and failure show.
//!
//! String values may hold `{placeholders}`, filled in by [`Vars`](crate::suite::placeholders::Vars); [`placeholders::PLATFORM`]
//! lists them, and a profile using any other is refused when it is read.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use mock_provider::AuthMethod;
use mock_provider::pkce::PkcePolicy;
use serde::Deserialize;

pub use super::probe::{ProbeProfile, ProbeReading, Signs};
use crate::suite::launch::Launch;
use crate::suite::placeholders::{self, Offers, Slot};
use crate::suite::profile::{ProfileError, ProfileFile};

/// What [`ProfileError`]s call this kind of profile.
const KIND: &str = "platform";

/// A platform under test.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformProfile {
    /// Shown in reports.
    pub name: String,
    /// Which platform shape it has: `web` (default), `csml`, `converse`, `kore`, `botpress` or
    /// `mcp`.
    /// Scenarios tagged with another shape do not apply.
    #[serde(default)]
    pub shape: ShapeKind,
    /// Where the platform is and how it runs.
    pub platform: PlatformLocation,
    /// The client registration the mock provider holds for it.
    pub client: ClientProfile,
    /// How a flow starts for an end user.
    pub start: StartProfile,
    /// How the user-visible outcome of the callback reads; only the embedded reference
    /// platform may leave it out (see [`PlatformProfile::outcome`]).
    #[serde(default)]
    pub outcome: Option<OutcomeProfile>,
    /// How Gauntlet asks whether a user is linked.
    pub probe: ProbeProfile,
    /// A request Gauntlet sends after the callback, for platforms that finish linking in a
    /// later step (Converse's Get Access Token); its answer is the outcome the user sees.
    #[serde(default)]
    pub after_callback: Option<Request>,
    /// How the chat user confirms a link the callback page holds, for chat platforms that
    /// link only once the code shown in the browser comes back in the chat.
    #[serde(default)]
    pub link_confirmation: Option<LinkConfirmation>,
    /// Shape-specific requests (see the README's shape reference).
    #[serde(default)]
    pub requests: BTreeMap<String, Request>,
    /// Timeouts.
    #[serde(default)]
    pub timeouts: Timeouts,
    /// Where the mock provider listens (a fixed address for platforms configured by hand).
    #[serde(default)]
    pub provider: ProviderPlacement,
    /// Where the platform puts the access token in calls to the API.
    #[serde(default)]
    pub api: ApiProfile,
    /// CSML's chatbot-wide service account, when the platform has one.
    #[serde(default)]
    pub service_account: Option<ServiceAccount>,
    /// How Gauntlet makes an MCP client call one of its server's tools, when it can.
    #[serde(default)]
    pub tool_call: Option<ToolCall>,
}

/// How Gauntlet makes an MCP client call a tool of its MCP server for a user (`{tool}` names
/// the tool): the `@tool_call` scenarios (step-up) apply with it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolCall {
    /// The request that makes the platform call the tool `{tool}` for the user.
    pub request: Request,
    /// Text its answer contains when the platform gives up on a call the server keeps
    /// refusing for lack of scope (a permanent authorization failure), instead of asking the
    /// user to authorize again.
    pub gave_up_text: String,
}

impl ToolCall {
    /// The request calling `tool`.
    pub fn for_tool(&self, tool: &str) -> Request {
        let mut request = self.request.clone();
        request.url = request.url.replace("{tool}", tool);
        request.body = request.body.map(|b| b.replace("{tool}", tool));
        request
    }
}

/// A chatbot-wide service account (CSML): one `client_credentials` token the platform obtains
/// server-side and uses for every user. The `@service_account` scenarios apply with it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccount {
    /// A chat turn whose answer comes from the API called with the service token.
    pub turn: Request,
    /// Text that answer contains when the service answered.
    pub answered_text: String,
}

/// Where the platform puts the access token in calls to the API: the `Authorization` header
/// unless the profile says otherwise.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiProfile {
    /// Kore.ai's "Path Param": the API path whose `{access_token}` segment carries the token,
    /// e.g. `/api/users/{access_token}/profile`. The mock serves it (under the tenant prefix
    /// too); the `@path_param` scenarios then apply and `@bearer_header` ones do not.
    pub token_path: Option<String>,
}

/// A platform Gauntlet carries inside itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Embedded {
    /// The bundled reference platform.
    Reference,
}

/// A profile of the embedded mock provider that a platform can be tested against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MockProfile {
    /// The strict default profile.
    Default,
    /// The mock playing OpenChatStudio (`/o/` paths, the `team` parameter, client
    /// authentication in the body, no `iss`).
    #[serde(rename = "openchatstudio")]
    OpenChatStudio,
}

/// Where the platform is.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlatformLocation {
    /// Its base URL, for a platform that is already running or launched by command.
    pub base_url: Option<String>,
    /// `"reference"`: the bundled reference platform, started inside Gauntlet.
    pub embedded: Option<Embedded>,
    /// How to launch it; absent when it is already running.
    pub launch: Option<Launch>,
    /// Deliberate bugs to switch on in the embedded reference platform (names from
    /// `reference_platform::Defect`), as `gauntlet mutants` does one at a time.
    pub defects: Vec<String>,
    /// Settings of the embedded reference platform's shape.
    pub reference: ReferenceSettings,
}

/// The platform shapes of `shared/seeds/`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShapeKind {
    /// A web or generic chat channel.
    #[default]
    Web,
    /// CSML Studio.
    Csml,
    /// Converse.
    Converse,
    /// Kore.ai.
    Kore,
    /// Botpress.
    Botpress,
    /// An MCP client: the mock is also its MCP server (`{mcp_url}`), and the platform finds
    /// the authorization server through it.
    Mcp,
}

impl ShapeKind {
    /// Every shape.
    pub const ALL: [ShapeKind; 6] = [
        Self::Web,
        Self::Csml,
        Self::Converse,
        Self::Kore,
        Self::Botpress,
        Self::Mcp,
    ];

    /// Its name, which is also its scenario tag.
    pub fn name(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Csml => "csml",
            Self::Converse => "converse",
            Self::Kore => "kore",
            Self::Botpress => "botpress",
            Self::Mcp => "mcp",
        }
    }
}

/// How the embedded reference platform plays its shape.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReferenceSettings {
    /// CSML: the OAuth button's text.
    pub button_text: Option<String>,
    /// Kore.ai: the tenant.
    pub tenant: Option<String>,
    /// Kore.ai: the authorization URL template (`{provider}`, `{tenant}`, dynamic fields).
    pub authorization_url: Option<String>,
    /// Kore.ai: the token URL template.
    pub token_url: Option<String>,
    /// Kore.ai: dynamic fields.
    pub fields: BTreeMap<String, String>,
    /// Kore.ai: scopes as key/value pairs.
    pub scopes: BTreeMap<String, String>,
    /// Kore.ai: where the token goes in API calls (`header`, `payload`, `query`, `path`: the
    /// `{access_token}` segment of `api.token_path`).
    pub placement: Option<String>,
    /// Botpress: the bots sharing the global callback.
    pub bots: Vec<String>,
    /// Parameters the platform adds to every authorization request.
    pub extra_params: BTreeMap<String, String>,
    /// What a chat answer's login button points at: `ticket` (a platform URL that starts the
    /// flow in the browser, the default) or `authorization_url` (the authorization URL itself).
    pub chat_button: reference_platform::ChatButton,
}

/// A request Gauntlet makes to the platform (templated).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// HTTP method.
    #[serde(default = "default_get")]
    pub method: String,
    /// URL.
    pub url: String,
    /// Body.
    #[serde(default)]
    pub body: Option<String>,
    /// Content-Type of the body.
    #[serde(default)]
    pub content_type: Option<String>,
}

/// A chat platform's link confirmation: the callback page shows a code, and the link is made
/// once the chat user sends it back in the chat (Bot Framework's "magic code").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfirmation {
    /// A regex whose first group is the code in the callback page.
    pub code: String,
    /// The chat request that sends the code back (`{code}` is the code).
    pub send: Request,
}

impl LinkConfirmation {
    /// The code a page shows, if it shows one.
    pub fn code_in(&self, page: &str) -> Option<String> {
        let re = regex::Regex::new(&self.code).ok()?;
        Some(re.captures(page)?.get(1)?.as_str().to_owned())
    }

    /// The regex compiles and has a group.
    fn check(&self) -> Result<(), String> {
        let re = regex::Regex::new(&self.code)
            .map_err(|e| format!("link_confirmation.code is not a valid regex: {e}"))?;
        if re.captures_len() < 2 {
            return Err(
                "link_confirmation.code has no group: its first group must capture the code".into(),
            );
        }
        Ok(())
    }
}

/// The client registration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientProfile {
    /// The client id.
    pub client_id: String,
    /// The secret (absent for a public client).
    #[serde(default)]
    pub client_secret: Option<oauth_vocab::Secret>,
    /// The registered redirect URIs (templated; usually `{base_url}/callback`).
    pub redirect_uris: Vec<String>,
    /// The scopes the platform is configured to request.
    pub scopes: Vec<String>,
    /// How the platform authenticates at the token endpoint.
    #[serde(default)]
    pub auth_method: AuthMethod,
    /// The PKCE policy the mock enforces.
    #[serde(default)]
    pub pkce: PkcePolicy,
    /// Whether the platform reads the provider's RFC 8414 metadata (default `true`); `false`
    /// for one configured with the endpoints, which cannot know what the metadata promises.
    #[serde(default = "reads_metadata")]
    pub discovery: bool,
    /// Whether the platform talks to one authorization server only (default `false`): it then
    /// needs no mix-up defence (RFC 9700 §4.4.2).
    #[serde(default)]
    pub single_provider: bool,
}

fn reads_metadata() -> bool {
    true
}

impl ClientProfile {
    /// The secret's value, for the places that hand it on (the mock's registration, the
    /// embedded platform, the `{client_secret}` placeholder).
    pub(crate) fn secret_value(&self) -> Option<String> {
        self.client_secret.as_ref().map(|s| s.expose().to_owned())
    }
}

/// How a flow starts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartProfile {
    /// HTTP method.
    #[serde(default = "default_get")]
    pub method: String,
    /// URL (templated with `{session}`).
    pub url: String,
    /// Request body (templated), for chat turns.
    #[serde(default)]
    pub body: Option<String>,
    /// Content-Type of the body.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Where the login button's URL is in the answer; absent for a web channel, whose answer
    /// redirects to the authorization URL.
    #[serde(default)]
    pub button: Option<Button>,
}

/// Where a chat answer carries the login URL.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Button {
    /// A JSON pointer into the answer, e.g. `/messages/0/url`.
    JsonPointer(String),
    /// A regex whose first group is the URL (HTML or text answers).
    Regex(String),
}

fn default_get() -> String {
    "GET".into()
}

/// What the user sees after the callback.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeProfile {
    /// Text the success page contains.
    pub success_text: String,
    /// Text a failure page contains.
    pub failure_text: String,
}

/// What the answer after a callback says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeReading {
    /// It says the success text only.
    Succeeded,
    /// It says the failure text only.
    Failed,
    /// It says neither.
    Neither,
    /// It says both.
    Both,
}

impl OutcomeProfile {
    /// What an answer with `body` says.
    pub fn read(&self, body: &str) -> OutcomeReading {
        match (
            body.contains(self.success_text.as_str()),
            body.contains(self.failure_text.as_str()),
        ) {
            (true, false) => OutcomeReading::Succeeded,
            (false, true) => OutcomeReading::Failed,
            (false, false) => OutcomeReading::Neither,
            (true, true) => OutcomeReading::Both,
        }
    }

    /// The embedded reference platform's texts.
    fn reference() -> Self {
        Self {
            success_text: "Account linked".into(),
            failure_text: "Linking failed".into(),
        }
    }

    /// Neither text is empty, and neither contains the other (a page saying one would then
    /// also say the other).
    fn check(&self) -> Result<(), String> {
        let (success, failure) = (&self.success_text, &self.failure_text);
        if success.is_empty() || failure.is_empty() {
            return Err(
                "outcome.success_text and outcome.failure_text must not be empty: every page \
                 contains the empty text"
                    .into(),
            );
        }
        if failure.contains(success.as_str()) || success.contains(failure.as_str()) {
            return Err(format!(
                "outcome.success_text {success:?} and outcome.failure_text {failure:?}: one \
                 contains the other, so a page saying one also says the other"
            ));
        }
        Ok(())
    }
}

/// Timeouts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeouts {
    /// Every request Gauntlet makes to the platform.
    pub request_ms: u64,
    /// How long the platform waits for the token endpoint: the timeout scenario delays the
    /// token response beyond it.
    pub platform_token_timeout_ms: TokenTimeout,
}

/// The platform's own timeout for token requests, as the profile states it: milliseconds, or
/// `"none"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawTimeout")]
pub enum TokenTimeout {
    /// Milliseconds.
    Millis(u64),
    /// The platform waits for the token endpoint as long as it takes.
    None,
}

/// What a profile may write for a [`TokenTimeout`].
#[derive(Deserialize)]
#[serde(untagged)]
enum RawTimeout {
    Millis(u64),
    Word(String),
}

impl TryFrom<RawTimeout> for TokenTimeout {
    type Error = String;

    fn try_from(raw: RawTimeout) -> Result<Self, String> {
        match raw {
            RawTimeout::Millis(ms) => Ok(Self::Millis(ms)),
            RawTimeout::Word(w) if w == "none" => Ok(Self::None),
            RawTimeout::Word(w) => Err(format!(
                "{w:?} is not a token timeout: write milliseconds (e.g. 2000) or \"none\""
            )),
        }
    }
}

impl TokenTimeout {
    /// The timeout, or `None` when the platform has none.
    pub fn duration(self) -> Option<std::time::Duration> {
        match self {
            Self::Millis(ms) => Some(std::time::Duration::from_millis(ms)),
            Self::None => None,
        }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            request_ms: 5_000,
            platform_token_timeout_ms: TokenTimeout::Millis(2_000),
        }
    }
}

/// Where the mock provider listens.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderPlacement {
    /// An address of your choosing (`127.0.0.1:PORT`); a free port when absent.
    pub address: Option<std::net::SocketAddr>,
    /// The mock's profile: `default` or `openchatstudio` (its paths, PKCE rule, `team`
    /// parameter and client authentication in the body).
    pub profile: Option<MockProfile>,
    /// The mock's `[limits]` (`[provider.limits]`), e.g. a larger `max_codes` or `max_tokens`
    /// for a run whose flows would otherwise push each other out; the journal keeps at least
    /// 50,000 requests whatever this says.
    pub limits: Option<mock_provider::Limits>,
    /// Serve HTTPS with a throwaway CA; `{ca_file}` is the file of its certificate, for the
    /// platform to trust.
    pub tls: bool,
}

impl PlatformProfile {
    /// Reads and checks a profile. A launch's `workdir` is resolved against the profile's
    /// directory.
    pub fn from_file(path: &Path) -> Result<Self, ProfileError> {
        let file = ProfileFile::new(path, KIND);
        let mut profile: Self = file.toml(&file.text()?)?;
        file.place(profile.platform.launch.as_mut())?;
        profile.check().map_err(|message| file.invalid(message))?;
        Ok(profile)
    }

    /// The bundled reference platform's web-channel profile.
    pub fn reference() -> Self {
        toml::from_str(include_str!("../../../fixtures/platforms/reference.toml"))
            .expect("the bundled profile parses")
    }

    /// The embedded reference platform's shape, from `shape` and `[platform.reference]`.
    pub fn reference_shape(&self) -> Result<reference_platform::Shape, String> {
        let r = &self.platform.reference;
        Ok(match self.shape {
            ShapeKind::Web => reference_platform::Shape::Web,
            ShapeKind::Csml => reference_platform::Shape::Csml {
                button_text: r
                    .button_text
                    .clone()
                    .unwrap_or_else(|| "Connect your account".into()),
            },
            ShapeKind::Converse => reference_platform::Shape::Converse,
            ShapeKind::Kore => {
                let need = |v: &Option<String>, name: &str| {
                    v.clone()
                        .ok_or_else(|| format!("platform.reference.{name} is required for kore"))
                };
                reference_platform::Shape::Kore(reference_platform::KoreProfile {
                    tenant: need(&r.tenant, "tenant")?,
                    authorization_url: need(&r.authorization_url, "authorization_url")?,
                    token_url: need(&r.token_url, "token_url")?,
                    fields: r.fields.clone().into_iter().collect(),
                    scopes: r.scopes.clone().into_iter().collect(),
                    placement: r
                        .placement
                        .as_deref()
                        .unwrap_or("header")
                        .parse()
                        .map_err(|e| format!("platform.reference.placement: {e}"))?,
                })
            }
            ShapeKind::Mcp => reference_platform::Shape::Mcp,
            ShapeKind::Botpress => reference_platform::Shape::Botpress {
                bots: r.bots.clone(),
            },
        })
    }

    /// The embedded reference platform's callback path: the path of the first redirect URI
    /// (Botpress's global `/oauth`), `/callback` when it has no path of its own.
    pub fn redirect_path(&self) -> String {
        let uri = self
            .client
            .redirect_uris
            .first()
            .map(String::as_str)
            .unwrap_or("");
        match uri.strip_prefix("{base_url}") {
            Some(path) if path.starts_with('/') => path.to_owned(),
            _ => "/callback".into(),
        }
    }

    /// The embedded reference platform's defects.
    pub fn defects(&self) -> Result<reference_platform::Defects, String> {
        self.platform
            .defects
            .join(",")
            .parse()
            .map_err(|e| format!("platform.defects: {e}"))
    }

    /// How the callback's outcome reads: the `[outcome]` section, or the embedded reference
    /// platform's own texts when it has none (a profile of any other platform must have one).
    pub fn outcome(&self) -> Cow<'_, OutcomeProfile> {
        match &self.outcome {
            Some(outcome) => Cow::Borrowed(outcome),
            None => Cow::Owned(OutcomeProfile::reference()),
        }
    }

    fn check(&self) -> Result<(), String> {
        let p = &self.platform;
        if p.embedded.is_none() && p.base_url.is_none() {
            return Err("platform.base_url is required unless platform.embedded is set".into());
        }
        match &self.outcome {
            Some(outcome) => outcome.check()?,
            None if p.embedded.is_none() => {
                return Err(
                    "[outcome] is missing: say what the platform answers after the callback \
                     when linking succeeded and when it failed (success_text, failure_text); \
                     only the embedded reference platform's texts are known without it"
                        .into(),
                );
            }
            None => {}
        }
        if !p.defects.is_empty() && p.embedded.is_none() {
            return Err("platform.defects apply only to the embedded reference platform".into());
        }
        self.defects()?;
        if p.embedded.is_some() {
            self.reference_shape()?;
        }
        if self.client.redirect_uris.is_empty() {
            return Err("client.redirect_uris must name at least one URI".into());
        }
        if let Some(confirmation) = &self.link_confirmation {
            confirmation.check()?;
        }
        self.check_api()?;
        if self
            .service_account
            .as_ref()
            .is_some_and(|a| a.answered_text.is_empty())
        {
            return Err("service_account.answered_text must not be empty".into());
        }
        if (self.tool_call.as_ref()).is_some_and(|c| c.gave_up_text.is_empty()) {
            return Err("tool_call.gave_up_text must not be empty".into());
        }
        self.check_placeholders()
    }

    /// `api.token_path` is a path the mock can serve, and the embedded reference platform puts
    /// the token where it says (Kore.ai's `placement = "path"`, and only there).
    fn check_api(&self) -> Result<(), String> {
        let token_path = self.api.token_path.as_ref();
        if let Some(path) = token_path {
            let mut config = mock_provider::ProviderConfig::default();
            config.resource.token_path = Some(path.clone());
            config
                .validate()
                .map_err(|e| format!("api.token_path {path:?}: {e}"))?;
        }
        if self.platform.embedded.is_none() {
            return Ok(());
        }
        let path_placement = self.platform.reference.placement.as_deref() == Some("path");
        match (token_path.is_some(), path_placement) {
            (true, _) if self.shape != ShapeKind::Kore => Err(
                "api.token_path: only the reference platform's kore shape puts the token in a path"
                    .into(),
            ),
            (true, false) => Err(
                "api.token_path says the token goes in the path: set platform.reference.placement                  = \"path\""
                    .into(),
            ),
            (false, true) => Err(
                "platform.reference.placement = \"path\" needs api.token_path, the path whose                  {access_token} segment carries the token"
                    .into(),
            ),
            _ => Ok(()),
        }
    }

    /// Every placeholder has a value where it is used; Kore.ai's templates, which the
    /// reference platform fills, use `{provider}`, `{tenant}` and the names of its fields.
    fn check_placeholders(&self) -> Result<(), String> {
        let offers = Offers {
            launch: self.platform.launch.is_some(),
            bots: !self.platform.reference.bots.is_empty(),
            tls: self.provider.tls,
            mcp: self.shape == ShapeKind::Mcp,
        };
        for (key, text, slot) in self.templates() {
            placeholders::check_platform(&key, text, slot, offers)?;
        }
        let r = &self.platform.reference;
        let kore: Vec<&str> = ["provider", "tenant"]
            .into_iter()
            .chain(r.fields.keys().map(String::as_str))
            .collect();
        for (name, template) in [
            ("authorization_url", &r.authorization_url),
            ("token_url", &r.token_url),
        ] {
            if let Some(template) = template {
                let key = format!("platform.reference.{name}");
                placeholders::check(&key, template, &kore, &[])?;
            }
        }
        Ok(())
    }

    /// Whether a string uses `{port}`: Gauntlet then picks a free port for the launch.
    pub fn uses_port(&self) -> bool {
        self.templates()
            .iter()
            .any(|(_, text, _)| placeholders::names(text).any(|n| n == placeholders::PORT.name))
    }

    /// Every string Gauntlet fills in, with its key and slot.
    fn templates(&self) -> Vec<(String, &str, Slot)> {
        let mut out = Vec::new();
        let p = &self.platform;
        if let Some(base) = &p.base_url {
            out.push(("platform.base_url".to_owned(), base.as_str(), Slot::BaseUrl));
        }
        if let Some(launch) = &p.launch {
            for (i, arg) in launch.args.iter().enumerate() {
                out.push((
                    format!("platform.launch.args[{i}]"),
                    arg.as_str(),
                    Slot::Setup,
                ));
            }
            for (name, value) in &launch.env {
                out.push((format!("platform.launch.env.{name}"), value, Slot::Setup));
            }
            let ready = launch.ready_url.as_str();
            out.push(("platform.launch.ready_url".to_owned(), ready, Slot::Setup));
        }
        for (i, uri) in self.client.redirect_uris.iter().enumerate() {
            out.push((
                format!("client.redirect_uris[{i}]"),
                uri.as_str(),
                Slot::Setup,
            ));
        }
        let mut requests = vec![
            ("start".to_owned(), &self.start.url, &self.start.body),
            ("probe".to_owned(), &self.probe.url, &self.probe.body),
        ];
        if let Some(after) = &self.after_callback {
            requests.push(("after_callback".to_owned(), &after.url, &after.body));
        }
        for (name, r) in &self.requests {
            requests.push((format!("requests.{name}"), &r.url, &r.body));
        }
        if let Some(account) = &self.service_account {
            let turn = &account.turn;
            requests.push(("service_account.turn".to_owned(), &turn.url, &turn.body));
        }
        if let Some(call) = &self.tool_call {
            let request = &call.request;
            requests.push(("tool_call.request".to_owned(), &request.url, &request.body));
        }
        for (key, url, body) in requests {
            // Gauntlet fills `{token}` in the body of the channel's hand-over request only, and
            // `{tool}` in the tool call only.
            let (url_slot, body_slot) = match key.as_str() {
                "requests.channel_token" => (Slot::Request, Slot::HandOver),
                "tool_call.request" => (Slot::ToolCall, Slot::ToolCall),
                _ => (Slot::Request, Slot::Request),
            };
            out.push((format!("{key}.url"), url.as_str(), url_slot));
            if let Some(body) = body {
                out.push((format!("{key}.body"), body.as_str(), body_slot));
            }
        }
        if let Some(send) = self.link_confirmation.as_ref().map(|c| &c.send) {
            let key = "link_confirmation.send";
            out.push((format!("{key}.url"), send.url.as_str(), Slot::Confirmation));
            if let Some(body) = &send.body {
                out.push((format!("{key}.body"), body.as_str(), Slot::Confirmation));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::placeholders::Vars;
    use crate::suite::profile::profile_dir;
    use std::path::PathBuf;

    #[test]
    fn the_bundled_profiles_parse() {
        let reference = PlatformProfile::reference();
        assert_eq!(reference.platform.embedded, Some(Embedded::Reference));
        for entry in std::fs::read_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/platforms"
        ))
        .unwrap()
        {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                PlatformProfile::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }

    /// The bundled web-channel profile with `edit` applied, written to a file in `dir`.
    fn written(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
        let path = dir.join("profile.toml");
        let text = include_str!("../../../fixtures/platforms/reference.toml").to_owned();
        std::fs::write(&path, edit(text)).unwrap();
        path
    }

    #[test]
    fn the_token_timeout_is_milliseconds_or_none() {
        let dir = tempfile::tempdir().unwrap();
        let with = |value: &str| {
            let path = written(dir.path(), |t| {
                t.replace(
                    "platform_token_timeout_ms = 1000",
                    &format!("platform_token_timeout_ms = {value}"),
                )
            });
            PlatformProfile::from_file(&path).map(|p| p.timeouts.platform_token_timeout_ms)
        };
        let ms = with("30000").unwrap();
        assert_eq!(ms.duration(), Some(std::time::Duration::from_secs(30)));
        assert_eq!(with("\"none\"").unwrap().duration(), None);
        let err = with("\"never\"").unwrap_err().to_string();
        assert!(
            err.contains("milliseconds") && err.contains("never"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = written(dir.path(), |t| {
            t.replace("[probe]", "[probe]\nlinked_txt = \"x\"")
        });
        let err = PlatformProfile::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("linked_txt"), "{err}");
    }

    #[test]
    fn an_unknown_embedded_platform_or_mock_profile_names_the_choices() {
        let dir = tempfile::tempdir().unwrap();
        let path = written(dir.path(), |t| {
            t.replace("embedded = \"reference\"", "embedded = \"botpress\"")
        });
        let err = PlatformProfile::from_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("unknown variant `botpress`, expected `reference`"),
            "{err}"
        );
        let path = written(dir.path(), |t| {
            t.replace("[probe]", "[provider]\nprofile = \"lax\"\n\n[probe]")
        });
        let err = PlatformProfile::from_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("unknown variant `lax`, expected `default` or `openchatstudio`"),
            "{err}"
        );
    }

    #[test]
    fn a_toml_error_is_shown_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = written(dir.path(), |t| {
            t.replace("[probe]", "[probe]\nlinked_txt = 1")
        });
        let err = PlatformProfile::from_file(&path).unwrap_err();
        let shown = format!("{:#}", anyhow::Error::from(err));
        assert_eq!(
            shown.matches("unknown field `linked_txt`").count(),
            1,
            "{shown}"
        );
        assert_eq!(shown.matches("TOML parse error").count(), 1, "{shown}");
        let missing = dir.path().join("missing.toml");
        let err = PlatformProfile::from_file(&missing).unwrap_err();
        let shown = format!("{:#}", anyhow::Error::from(err));
        assert_eq!(shown.matches("(os error 2)").count(), 1, "{shown}");
    }

    #[test]
    fn an_unknown_placeholder_is_refused_with_its_key_and_the_known_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = written(dir.path(), |t| {
            t.replace("{base_url}/link?", "{bsae_url}/link?")
        });
        let err = PlatformProfile::from_file(&path).unwrap_err();
        assert!(matches!(err, ProfileError::Invalid { .. }), "{err:?}");
        let err = err.to_string();
        for part in [
            "start.url",
            "{bsae_url}",
            "{base_url}",
            "{session}",
            "{redirect_uri}",
        ] {
            assert!(err.contains(part), "{part} missing: {err}");
        }
        // `{port}` needs a launch; `{token}` only has a value in the channel's hand-over.
        for (from, to, key) in [
            (
                "{base_url}/link?",
                "http://127.0.0.1:{port}/link?",
                "start.url",
            ),
            (
                "session={session}\"\nlinked",
                "t={token}\"\nlinked",
                "probe.url",
            ),
        ] {
            let path = written(dir.path(), |t| t.replace(from, to));
            let err = PlatformProfile::from_file(&path).unwrap_err().to_string();
            assert!(
                err.contains(key) && err.contains("which has a value"),
                "{err}"
            );
        }
    }

    #[test]
    fn the_ca_file_placeholder_needs_a_mock_serving_https() {
        let dir = tempfile::tempdir().unwrap();
        let with_ca =
            |t: String| t.replace("session={session}\"\nlinked", "ca={ca_file}\"\nlinked");
        let err = PlatformProfile::from_file(&written(dir.path(), with_ca))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("probe.url")
                && err.contains("{ca_file}")
                && err.contains("[provider] tls = true"),
            "{err}"
        );
        let https = PlatformProfile::from_file(&written(dir.path(), |t| {
            with_ca(t) + "\n[provider]\ntls = true\n"
        }))
        .unwrap();
        assert!(https.provider.tls);
    }

    #[test]
    fn a_link_confirmation_needs_a_regex_with_a_group_and_fills_the_code() {
        let dir = tempfile::tempdir().unwrap();
        let confirmation = |code: &str, body: &str| {
            format!(
                "[link_confirmation]\ncode = '{code}'\n[link_confirmation.send]\nmethod = \"POST\"\n\
                 url = \"{{base_url}}/chat\"\nbody = '{body}'\n\n[probe]"
            )
        };
        let good = confirmation(
            r"code: (\d{6})",
            r#"{"session":"{session}","text":"{code}"}"#,
        );
        let path = written(dir.path(), |t| t.replace("[probe]", &good));
        let profile = PlatformProfile::from_file(&path).unwrap();
        let confirmation_of = profile.link_confirmation.unwrap();
        assert_eq!(
            confirmation_of.code_in("<p>send this code: 012345</p>"),
            Some("012345".into())
        );
        assert_eq!(confirmation_of.code_in("Account linked"), None);
        for (code, expected) in [
            (r"code: \d{6}", "has no group"),
            (r"code: (\d{6}", "not a valid regex"),
        ] {
            let bad = confirmation(code, "{code}");
            let path = written(dir.path(), |t| t.replace("[probe]", &bad));
            let err = PlatformProfile::from_file(&path).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
        // `{code}` has a value only where the code is sent back.
        let path = written(dir.path(), |t| {
            t.replace("session={session}\"\nlinked", "c={code}\"\nlinked")
        });
        let err = PlatformProfile::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("[link_confirmation.send]"), "{err}");
    }

    #[test]
    fn only_the_embedded_reference_platform_may_leave_out_the_outcome_texts() {
        let dir = tempfile::tempdir().unwrap();
        let without_outcome = |t: String| {
            t.replace(
                "[outcome]\nsuccess_text = \"Account linked\"\nfailure_text = \"Linking failed\"\n",
                "",
            )
        };
        let embedded = PlatformProfile::from_file(&written(dir.path(), without_outcome)).unwrap();
        assert!(embedded.outcome.is_none());
        assert_eq!(embedded.outcome().success_text, "Account linked");
        let path = written(dir.path(), |t| {
            without_outcome(t).replace(
                "embedded = \"reference\"",
                "base_url = \"https://platform.test\"",
            )
        });
        let err = PlatformProfile::from_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("[outcome] is missing") && err.contains("success_text, failure_text"),
            "{err}"
        );
        // Texts that cannot tell success from failure.
        for (success, expected) in [
            ("", "must not be empty"),
            ("failed", "one contains the other"),
        ] {
            let path = written(dir.path(), |t| {
                t.replace(
                    "success_text = \"Account linked\"",
                    &format!("success_text = {success:?}"),
                )
            });
            let err = PlatformProfile::from_file(&path).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn probe_keys_for_statuses_and_several_texts_are_read_and_checked_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let probe_texts = "linked_text = '\"linked\":true'\nunlinked_text = '\"linked\":false'";
        let text = include_str!("../../../fixtures/platforms/reference.toml");
        assert!(text.contains(probe_texts), "the fixture's probe keys moved");
        let path = written(dir.path(), |t| {
            t.replace(
                probe_texts,
                "linked_texts = ['\"linked\":true', 'linked as']\nunlinked_status = 401",
            )
        });
        let profile = PlatformProfile::from_file(&path).unwrap();
        assert_eq!(profile.probe.linked.texts.len(), 2);
        assert_eq!(profile.probe.unlinked.status, Some(401));
        let path = written(dir.path(), |t| {
            t.replace(probe_texts, "linked_status = 200\nunlinked_status = 200")
        });
        let err = PlatformProfile::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("cannot tell them apart"), "{err}");
    }

    #[test]
    fn kore_templates_have_their_own_names() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/platforms/kore.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("kore.toml");
        std::fs::write(
            &copy,
            text.replace("audience={audience}", "audience={audiense}"),
        )
        .unwrap();
        let err = PlatformProfile::from_file(&copy).unwrap_err().to_string();
        assert!(
            err.contains("platform.reference.authorization_url")
                && err.contains("{audiense}")
                && err.contains("{provider}, {tenant}, {audience}"),
            "{err}"
        );
    }

    #[test]
    fn a_launch_in_a_bare_named_profile_runs_in_the_profile_directory() {
        // A file in the current directory, named without a directory: `--platform x.toml`.
        let file = tempfile::Builder::new()
            .prefix("gauntlet-bare-")
            .suffix(".toml")
            .tempfile_in(".")
            .unwrap();
        let text = include_str!("../../../fixtures/platforms/reference-launched.toml")
            .replace("workdir = \"../..\"", "");
        std::fs::write(file.path(), text).unwrap();
        let bare = Path::new(file.path().file_name().unwrap());
        let profile = PlatformProfile::from_file(bare).unwrap();
        let workdir = profile.platform.launch.unwrap().workdir.unwrap();
        assert_eq!(workdir, Path::new(".").canonicalize().unwrap());
        assert_eq!(
            profile_dir(Path::new("x.toml")).unwrap(),
            std::env::current_dir().unwrap().canonicalize().unwrap()
        );
    }

    #[test]
    fn the_launched_fixture_picks_its_port() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/platforms/reference-launched.toml");
        let profile = PlatformProfile::from_file(&path).unwrap();
        assert!(profile.uses_port());
        assert!(!PlatformProfile::reference().uses_port());
    }

    #[test]
    fn placeholders_are_filled() {
        let mut vars = Vars::default();
        vars.set("base_url", "http://127.0.0.1:1");
        assert_eq!(
            vars.with_session("s1")
                .fill("{base_url}/link?session={session}&x={other}"),
            "http://127.0.0.1:1/link?session=s1&x={other}"
        );
    }

    #[test]
    fn the_api_token_path_must_be_servable_and_match_the_reference_placement() {
        let text = include_str!("../../../fixtures/platforms/kore.toml");
        let parsed = |t: &str| toml::from_str::<PlatformProfile>(t).unwrap().check();
        assert_eq!(parsed(text), Ok(()));
        let path = "token_path = \"/api/users/{access_token}/profile\"";
        assert!(text.contains(path), "the fixture's token path moved");
        for (from, to, expected) in [
            (
                path,
                "token_path = \"/api/users\"",
                "api.token_path \"/api/users\"",
            ),
            (path, "", "needs api.token_path"),
            (
                "placement = \"path\"",
                "placement = \"header\"",
                "set platform.reference.placement",
            ),
            (
                "shape = \"kore\"",
                "shape = \"web\"",
                "only the reference platform's kore shape",
            ),
        ] {
            let err = parsed(&text.replacen(from, to, 1)).unwrap_err();
            assert!(err.contains(expected), "{to}: {err}");
        }
    }

    #[test]
    fn a_service_account_needs_an_answered_text() {
        let text = include_str!("../../../fixtures/platforms/csml.toml");
        let answered = "answered_text = \"The service answered\"";
        assert!(
            text.contains(answered),
            "the fixture's service account moved"
        );
        let profile: PlatformProfile = toml::from_str(text).unwrap();
        assert_eq!(profile.check(), Ok(()));
        let empty = text.replace(answered, "answered_text = \"\"");
        let err = toml::from_str::<PlatformProfile>(&empty)
            .unwrap()
            .check()
            .unwrap_err();
        assert!(err.contains("service_account.answered_text"), "{err}");
    }

    #[test]
    fn a_tool_call_fills_its_tool_and_needs_a_gave_up_text() {
        let text = include_str!("../../../fixtures/platforms/reference-mcp.toml");
        let gave_up = "gave_up_text = '\"gave_up\":true'";
        assert!(text.contains(gave_up), "the fixture's tool call moved");
        let profile: PlatformProfile = toml::from_str(text).unwrap();
        assert_eq!(profile.check(), Ok(()));
        let call = profile.tool_call.as_ref().unwrap().for_tool("echo");
        assert!(call.url.ends_with("&tool=echo"), "{}", call.url);
        let empty = text.replace(gave_up, "gave_up_text = \"\"");
        let err = toml::from_str::<PlatformProfile>(&empty)
            .unwrap()
            .check()
            .unwrap_err();
        assert!(err.contains("tool_call.gave_up_text"), "{err}");
        let probe = "/whoami?session={session}\"";
        assert!(text.contains(probe), "the fixture's probe moved");
        let misplaced = text.replace(probe, "/whoami?session={session}&t={tool}\"");
        let err = toml::from_str::<PlatformProfile>(&misplaced)
            .unwrap()
            .check()
            .unwrap_err();
        assert!(err.contains("{tool}"), "{err}");
    }
}
