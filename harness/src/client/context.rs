//! What a run shares across scenarios: the mock provider, the platform under test (embedded,
//! launched, or already running), the profile and its filled-in values.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use mock_provider::{ClientConfig, Limits, MockProvider, ProviderConfig, User};

use super::mcp_twist::McpTwist;
use super::profile::{MockProfile, PlatformProfile, ShapeKind};
use crate::suite::Outcomes;
use crate::suite::launch::{Launched, free_port, launch, wait_ready};
use crate::suite::placeholders::Vars;
use crate::suite::tls::Trust;

/// The provider accounts of the client scenarios, each logged in with under its user's own
/// name ("mallory logs in at the provider as himself"), beside the mock's own users.
const ACCOUNTS: &[(&str, &str)] = &[("alice", "Alice Liddell"), ("mallory", "Mallory Moriarty")];

/// The shared state of one run.
#[derive(Debug)]
pub struct RunContext {
    /// The mock provider.
    pub provider: MockProvider,
    /// The profile.
    pub profile: PlatformProfile,
    /// Values for templates (without `{session}`).
    pub vars: Vars,
    /// The platform's base URL.
    pub platform_base: String,
    /// The client registration held by the mock.
    pub client: ClientConfig,
    /// Show secrets in reports.
    pub reveal_secrets: bool,
    /// The most bytes of an answer's body read ([`crate::suite::body`]).
    pub max_body_bytes: usize,
    /// Scenario outcomes with their place in the feature files, filled by the after-hook.
    pub outcomes: Outcomes,
    /// The CAs every client of the run trusts besides the web PKI roots: `--ca-file`, and the
    /// mock's own with `[provider] tls = true`.
    pub trust: Trust,
    /// A client for requests Gauntlet sends the mock itself (as the platform's client, or as a
    /// channel), trusting [`trust`](Self::trust).
    pub http: reqwest::Client,
    /// Where a launched platform's output goes (the restarts of `@restart` scenarios write
    /// theirs beside it).
    pub platform_log: std::path::PathBuf,
    _platform: PlatformProcess,
}

/// Keeps the platform alive for the run; stops it when dropped.
#[derive(Debug)]
enum PlatformProcess {
    Embedded(
        #[expect(dead_code, reason = "held only to keep the platform running")]
        Box<reference_platform::Platform>,
    ),
    Launched(Launched),
    External,
}

tokio::task_local! {
    static CURRENT: Arc<RunContext>;
}

/// The context of the run this task belongs to (cucumber builds worlds without arguments, and
/// runs every scenario inside the run's own task, so several runs can go on at once).
pub fn current() -> Arc<RunContext> {
    CURRENT.with(Arc::clone)
}

/// Runs `future` (a whole cucumber run) with `context` as the one its worlds see.
pub async fn scope<F: std::future::Future>(context: Arc<RunContext>, future: F) -> F::Output {
    CURRENT.scope(context, future).await
}

/// The fewest journal entries the mock keeps for a run: the scenarios read their flows there.
const JOURNAL_ENTRIES: usize = 50_000;

/// The fewest journal bytes the mock keeps for a run: [`JOURNAL_ENTRIES`] at about 4 KiB an
/// ordinary entry (hostile ones are cut to size, and the budget still bounds them).
const JOURNAL_BYTES: usize = JOURNAL_ENTRIES * 4 * 1024;

/// The mock's bounds: the profile's `[provider.limits]`, or the mock's defaults, with a journal
/// long enough for the run.
fn limits(chosen: Option<Limits>) -> Limits {
    let limits = chosen.unwrap_or_default();
    Limits {
        journal_capacity: limits.journal_capacity.max(JOURNAL_ENTRIES),
        journal_bytes: limits.journal_bytes.max(JOURNAL_BYTES),
        ..limits
    }
}

impl RunContext {
    /// Why the run's verdicts cannot be trusted, if the mock dropped live codes or tokens of its
    /// flows to make room (its stores were full), or requests from its journal (where the
    /// scenarios read what the platform sent): which, and what to change.
    pub fn lost_state(&self) -> Option<String> {
        let lost = self.provider.evictions();
        if lost.is_empty() {
            let dropped = self.provider.journal_dropped();
            return (dropped > 0).then(|| {
                let limits = &self.provider.config().limits;
                format!(
                    "the mock provider dropped {dropped} request(s) from its journal to stay \
                     within its bounds ([limits] journal_capacity = {}, journal_bytes = {}), so \
                     scenarios could not see everything the platform sent; raise them under \
                     [provider.limits] in the profile, or run fewer scenarios at once",
                    limits.journal_capacity, limits.journal_bytes
                )
            });
        }
        let clients: Vec<String> = lost
            .iter()
            .map(|e| {
                let flows = if e.states.is_empty() {
                    String::new()
                } else {
                    format!(", flows with state {}", e.states.join(", "))
                };
                format!(
                    "client {:?}: {} code(s), {} token(s){flows}",
                    e.client_id, e.codes, e.tokens
                )
            })
            .collect();
        let limits = &self.provider.config().limits;
        Some(format!(
            "the mock provider dropped live state of the run's flows because its stores were \
             full ({}; [limits] max_codes = {}, max_tokens = {}), so verdicts built on it could \
             be wrong; raise max_codes or max_tokens under [provider.limits] in the profile, or \
             lower --concurrency",
            clients.join("; "),
            limits.max_codes,
            limits.max_tokens
        ))
    }

    /// Starts the mock provider and the platform, and registers the platform's client; every
    /// client of the run trusts `trust`'s CAs, and the mock's with `[provider] tls = true`.
    /// A launched platform's stdout and stderr go to `platform_log`.
    pub async fn start(
        profile: PlatformProfile,
        trust: Trust,
        reveal_secrets: bool,
        max_body_bytes: usize,
        platform_log: &std::path::Path,
    ) -> anyhow::Result<Self> {
        let mock = StartedMock::start(&profile, trust, MockVariant::Run).await?;
        mock.with_platform(profile, reveal_secrets, max_body_bytes, platform_log)
            .await
            .map_err(|not_started| not_started.error)
    }

    /// The timeout for every request to the platform: `timeouts.request_ms`, plus the
    /// platform's own token timeout, since a callback may wait for the token endpoint.
    pub fn request_timeout(&self) -> Duration {
        let token = self.profile.timeouts.platform_token_timeout_ms.duration();
        Duration::from_millis(self.profile.timeouts.request_ms) + token.unwrap_or_default()
    }
}

/// Which mock provider a platform is started against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MockVariant {
    /// The run's own, as the profile describes it.
    Run,
    /// The profile's, on a free port of its address, with a plain-HTTP token endpoint in its
    /// metadata (a downgrade; needs `[provider] tls`).
    Downgraded,
    /// The profile's, on a free port of its address, with its MCP server changed so.
    Mcp(McpTwist),
}

/// A started mock provider and what the platform's start needs from it: the values for
/// templates, the CAs to trust, and a client trusting them.
#[derive(Debug)]
pub(crate) struct StartedMock {
    provider: MockProvider,
    vars: Vars,
    trust: Trust,
    http: reqwest::Client,
    /// Whether the platform's client is registered with this mock (pre-registration): not
    /// when an MCP twist gives the platform an authorization server it must register with.
    registers_platform: bool,
}

/// A platform that did not start against its mock.
#[derive(Debug)]
pub(crate) struct NotStarted {
    /// The mock: its journal shows what the platform read before it gave up.
    pub(crate) provider: MockProvider,
    /// Why, with the refused certificate named first when that is why.
    pub(crate) error: anyhow::Error,
    /// Whether the platform itself refused: its start failed (embedded), or it exited or never
    /// became ready (launched), for a reason other than the mock's certificate. `false` when
    /// Gauntlet could not even launch it.
    pub(crate) refused: bool,
}

/// The mock's configuration for a run of `profile`: an MCP server too in the `mcp` shape,
/// changed as `variant` says.
fn mock_config(profile: &PlatformProfile, variant: MockVariant) -> anyhow::Result<ProviderConfig> {
    let base = match profile.provider.profile {
        Some(MockProfile::OpenChatStudio) => ProviderConfig::from_toml(include_str!(
            "../../../fixtures/providers/openchatstudio.toml"
        ))
        .context("the bundled openchatstudio profile")?,
        _ => ProviderConfig::default(),
    };
    let mut users = base.users.clone();
    for (username, name) in ACCOUNTS {
        if !users.iter().any(|u| u.username == *username) {
            users.push(User {
                username: (*username).into(),
                password: format!("{username}-password"),
                subject: None,
                name: (*name).into(),
                email: format!("{username}@example.test"),
            });
        }
    }
    let mut resource = base.resource.clone();
    resource.token_path = profile.api.token_path.clone();
    let mut mcp = base.mcp.clone();
    mcp.enabled |= profile.shape == ShapeKind::Mcp;
    let mut config = ProviderConfig {
        name: format!("gauntlet ({})", base.name),
        resource,
        users,
        clients: Vec::new(),
        limits: limits(profile.provider.limits.clone()),
        mcp,
        ..base
    };
    if let MockVariant::Mcp(twist) = variant {
        twist.apply(&mut config);
    }
    Ok(config)
}

impl StartedMock {
    /// Starts the mock for `profile`, and fills in the values its URLs give the templates.
    pub(crate) async fn start(
        profile: &PlatformProfile,
        mut trust: Trust,
        variant: MockVariant,
    ) -> anyhow::Result<Self> {
        let mut builder = MockProvider::builder()
            .config(mock_config(profile, variant)?)
            .tls(profile.provider.tls)
            .plain_token_endpoint(variant == MockVariant::Downgraded);
        if let Some(address) = profile.provider.address {
            builder = builder.address(match variant {
                MockVariant::Run => address,
                // The run's mock holds the profile's port.
                MockVariant::Downgraded | MockVariant::Mcp(_) => {
                    std::net::SocketAddr::new(address.ip(), 0)
                }
            });
        }
        let provider = builder
            .start()
            .await
            .context("the mock provider did not start")?;
        let mut vars = Vars::default();
        if let (Some(pem), Some(file)) = (provider.ca_pem(), provider.ca_file()) {
            trust
                .add_pem(pem.as_bytes(), "the mock provider's CA")
                .context("the mock provider's CA")?;
            vars.set("ca_file", file.display().to_string());
        }
        let http = trust
            .client()
            .build()
            .context("the HTTP client could not be built")?;
        // Kore.ai's tenant, or that of an MCP server's authorization server, selects the mock's
        // tenant issuer (`/t/{tenant}`).
        let tenant = (profile.platform.reference.tenant.as_deref()).or(provider
            .config()
            .mcp
            .tenant
            .as_deref());
        let urls = provider.urls(tenant);
        vars.set("issuer", urls.issuer());
        vars.set("authorization_endpoint", urls.authorization_endpoint());
        vars.set("token_endpoint", urls.token_endpoint());
        vars.set("userinfo_endpoint", urls.userinfo_endpoint());
        vars.set("revocation_endpoint", urls.revocation_endpoint());
        vars.set("resource_url", urls.url(&provider.config().resource.path));
        if provider.config().mcp.enabled {
            vars.set("mcp_url", provider.mcp_url());
        }
        if let Some(user) = provider.config().users.first() {
            vars.set("sub", user.sub().to_owned());
        }
        if let Some(bot) = profile.platform.reference.bots.first() {
            vars.set("bot", bot.clone());
        }
        vars.set("client_id", profile.client.client_id.clone());
        vars.set("scopes", profile.client.scopes.join(" "));
        vars.set(
            "client_secret",
            profile.client.secret_value().unwrap_or_default(),
        );
        let registers_platform = match variant {
            MockVariant::Mcp(twist) => twist.registers_platform(),
            MockVariant::Run | MockVariant::Downgraded => true,
        };
        Ok(Self {
            provider,
            vars,
            trust,
            http,
            registers_platform,
        })
    }

    /// Starts the platform against this mock, registers its client and waits until it is
    /// ready; a launched platform's output goes to `platform_log`.
    pub(crate) async fn with_platform(
        self,
        profile: PlatformProfile,
        reveal_secrets: bool,
        max_body_bytes: usize,
        platform_log: &std::path::Path,
    ) -> Result<RunContext, NotStarted> {
        let Self {
            provider,
            mut vars,
            trust,
            http,
            registers_platform,
        } = self;
        let tenant = profile.platform.reference.tenant.as_deref();
        // Kore.ai's Path Param: the embedded platform calls the API at the token path.
        // An MCP client's resource is its MCP server.
        let api_url = match &profile.api.token_path {
            Some(path) => provider.urls(tenant).url(path),
            None if profile.shape == ShapeKind::Mcp => vars.fill("{mcp_url}"),
            None => vars.fill("{resource_url}"),
        };
        let (mut platform, platform_base) = match start_platform(
            &profile,
            &mut vars,
            &api_url,
            registers_platform,
            platform_log,
        )
        .await
        {
            Ok(started) => started,
            Err(PlatformStart::Failed(error)) => return Err(not_started(provider, error).await),
            Err(PlatformStart::NotLaunched(error)) => {
                return Err(NotStarted {
                    provider,
                    error,
                    refused: false,
                });
            }
        };
        vars.set("base_url", platform_base.clone());
        let redirect_uris: Vec<String> = profile
            .client
            .redirect_uris
            .iter()
            .map(|u| vars.fill(u))
            .collect();
        vars.set("redirect_uri", redirect_uris[0].clone());
        let client = ClientConfig {
            client_id: profile.client.client_id.clone(),
            client_secret: profile.client.secret_value(),
            redirect_uris,
            allowed_scopes: allowed_scopes(&profile.client.scopes, provider.config()),
            default_scopes: None,
            auth_method: profile.client.auth_method,
            pkce: profile.client.pkce,
            // client_credentials: Gauntlet plays a channel that hands the platform a token.
            grant_types: mock_provider::GrantType::ALL.to_vec(),
        };
        if registers_platform && let Err(e) = provider.register_client(client.clone()) {
            return Err(NotStarted {
                provider,
                error: anyhow::anyhow!("client registration refused: {e}"),
                refused: false,
            });
        }
        if let PlatformProcess::Launched(child) = &mut platform {
            let launch = profile
                .platform
                .launch
                .as_ref()
                .expect("launched from a launch section");
            let timeout = Duration::from_secs(launch.ready_timeout_secs);
            let url = vars.fill(&launch.ready_url);
            if let Err(error) = wait_ready(child, &url, timeout, platform_log, "platform").await {
                return Err(not_started(provider, error).await);
            }
        }
        Ok(RunContext {
            provider,
            profile,
            vars,
            platform_base,
            client,
            reveal_secrets,
            max_body_bytes,
            outcomes: Mutex::new(Vec::new()),
            trust,
            http,
            platform_log: platform_log.to_owned(),
            _platform: platform,
        })
    }
}

/// A platform that failed to start or to become ready: refused by itself, unless it refused
/// the mock's certificate (then the diagnosis leads the error).
async fn not_started(provider: MockProvider, error: anyhow::Error) -> NotStarted {
    let diagnosis = match refused_certificate(&provider, 0).await {
        Some(diagnosis) => Some(diagnosis),
        None => closed_in_handshake(&provider),
    };
    match diagnosis {
        Some(diagnosis) => NotStarted {
            provider,
            error: error.context(diagnosis),
            refused: false,
        },
        None => NotStarted {
            provider,
            error,
            refused: true,
        },
    }
}

/// Why a platform did not start: it failed (an embedded start error, a launched process that
/// exited or never became ready), or Gauntlet could not launch it at all.
enum PlatformStart {
    Failed(anyhow::Error),
    NotLaunched(anyhow::Error),
}

impl From<anyhow::Error> for PlatformStart {
    fn from(error: anyhow::Error) -> Self {
        Self::NotLaunched(error)
    }
}

/// The words for a platform that refused the mock's TLS certificate, if the mock saw it do so
/// after its first `since` failed handshakes (see [`MockProvider::handshake_failures`]): the
/// handshakes the platform gave up on are settled first, so a refusal that came before the
/// failure is on record.
pub async fn refused_certificate(provider: &MockProvider, since: u64) -> Option<String> {
    let file = provider.ca_file()?;
    provider.handshakes_settled().await;
    let (total, failures) = provider.handshake_failures();
    let new = usize::try_from(total.saturating_sub(since)).unwrap_or(usize::MAX);
    let refusal = failures
        .iter()
        .rev()
        .take(new)
        .find(|f| f.certificate_refused)?;
    Some(format!(
        "the platform refused the mock's TLS certificate: give it the CA at {} \
         (NODE_EXTRA_CA_CERTS / REQUESTS_CA_BUNDLE / SSL_CERT_FILE; `{{ca_file}}` in the \
         profile) — the mock saw: {}",
        file.display(),
        refusal.reason
    ))
}

/// The words for a platform that did not start after closing its connections in the middle of
/// the mock's TLS handshake, without an alert and without one request: most likely a client that
/// does not trust the mock's CA and says nothing (Node.js). Call after the handshakes settled.
fn closed_in_handshake(provider: &MockProvider) -> Option<String> {
    let file = provider.ca_file()?;
    if !provider.journal().is_empty() {
        return None;
    }
    let (_, failures) = provider.handshake_failures();
    let closed = failures.iter().rev().find(|f| f.closed_without_alert)?;
    Some(format!(
        "the platform closed its connection in the middle of the mock's TLS handshake, sent no          request and did not start: it most likely does not trust the mock's CA (Node.js ends          the handshake without saying why). Give it the CA at {} (NODE_EXTRA_CA_CERTS /          REQUESTS_CA_BUNDLE / SSL_CERT_FILE; `{{ca_file}}` in the profile) — the mock saw: {}",
        file.display(),
        closed.reason
    ))
}

/// The issuer the platform's client is registered with (`{registered_issuer}`) when the
/// scenario's mock has not registered it: a name only, never contacted.
const REGISTERED_ELSEWHERE: &str = "https://registered-elsewhere.example.test";

/// Where the embedded MCP client serves its Client ID Metadata Document.
const CLIENT_METADATA_PATH: &str = "/oauth/client-metadata.json";

async fn start_platform(
    profile: &PlatformProfile,
    vars: &mut Vars,
    api_url: &str,
    registered: bool,
    platform_log: &std::path::Path,
) -> Result<(PlatformProcess, String), PlatformStart> {
    // The issuer the platform's client is registered with: another one when this mock has not
    // registered it (an MCP client then registers anew), never contacted.
    let registered_issuer = if registered {
        vars.fill("{issuer}")
    } else {
        REGISTERED_ELSEWHERE.to_owned()
    };
    vars.set("registered_issuer", registered_issuer.clone());
    let location = &profile.platform;
    if location.embedded.is_some() {
        let mcp = profile.shape == ShapeKind::Mcp;
        let config = reference_platform::PlatformConfig {
            issuer: registered_issuer,
            // An MCP client serves its Client ID Metadata Document.
            client_metadata_path: mcp.then(|| CLIENT_METADATA_PATH.to_owned()),
            resource_url: api_url.to_owned(),
            shape: profile.reference_shape().map_err(|e| anyhow::anyhow!(e))?,
            extra_params: profile
                .platform
                .reference
                .extra_params
                .iter()
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect(),
            redirect_path: profile.redirect_path(),
            client_id: profile.client.client_id.clone(),
            client_secret: profile.client.secret_value(),
            auth_method: profile.client.auth_method,
            scopes: profile.client.scopes.clone(),
            token_timeout: profile
                .timeouts
                .platform_token_timeout_ms
                .duration()
                .unwrap_or(reference_platform::PlatformConfig::default().token_timeout),
            defects: profile.defects().map_err(|e| anyhow::anyhow!(e))?,
            chat_button: profile.platform.reference.chat_button,
            ca_file: vars.get("ca_file").map(Into::into),
            ..reference_platform::PlatformConfig::default()
        };
        let platform = reference_platform::Platform::start(config)
            .await
            .context("the reference platform did not start")
            .map_err(PlatformStart::Failed)?;
        let base = platform.uri();
        return Ok((PlatformProcess::Embedded(Box::new(platform)), base));
    }
    if location.launch.is_some() && profile.uses_port() {
        vars.set("port", free_port()?.to_string());
    }
    let base = vars.fill(
        location
            .base_url
            .as_deref()
            .context("platform.base_url is required unless platform.embedded is set")?,
    );
    vars.set("base_url", base.clone());
    let Some(launch) = &location.launch else {
        return Ok((PlatformProcess::External, base));
    };
    vars.set("redirect_uri", vars.fill(&profile.client.redirect_uris[0]));
    let child = self::launch(launch, vars, platform_log, "platform").await?;
    Ok((PlatformProcess::Launched(child), base))
}

/// The scopes the mock lets the platform's client ask for: its configured ones and, when the
/// mock is also an MCP server, the scopes that server's 401 challenges for (an authorization
/// server issues the scopes its MCP server asks every client to request). A tool's own scopes
/// are not added: a step-up scenario needs one the client may not get.
fn allowed_scopes(configured: &[String], config: &ProviderConfig) -> Vec<String> {
    let mut allowed = configured.to_vec();
    if config.mcp.enabled {
        for scope in &config.mcp.scopes {
            if !allowed.contains(scope) {
                allowed.push(scope.clone());
            }
        }
    }
    allowed
}
