//! What a run shares across scenarios: the mock provider, the platform under test (embedded,
//! launched, or already running), the profile and its filled-in values.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, bail};
use mock_provider::{ClientConfig, Limits, MockProvider, ProviderConfig};

use crate::profile::{Launch, PlatformProfile, Vars};
use crate::run::Outcomes;

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
    /// Scenario outcomes with their place in the feature files, filled by the after-hook.
    pub outcomes: Outcomes,
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

/// A process Gauntlet launched (a platform or a provider), killed when dropped.
#[derive(Debug)]
pub(crate) struct Launched(Child);

impl Drop for Launched {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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

impl RunContext {
    /// Starts the mock provider and the platform, and registers the platform's client.
    /// A launched platform's stdout and stderr go to `platform_log`.
    pub async fn start(
        profile: PlatformProfile,
        reveal_secrets: bool,
        platform_log: &std::path::Path,
    ) -> anyhow::Result<Self> {
        let base = match profile.provider.profile.as_deref() {
            Some("openchatstudio") => ProviderConfig::from_toml(include_str!(
                "../../fixtures/providers/openchatstudio.toml"
            ))
            .context("the bundled openchatstudio profile")?,
            _ => ProviderConfig::default(),
        };
        let config = ProviderConfig {
            name: format!("gauntlet ({})", base.name),
            clients: Vec::new(),
            limits: Limits {
                journal_capacity: 50_000,
                ..Limits::default()
            },
            ..base
        };
        let mut builder = MockProvider::builder().config(config);
        if let Some(address) = profile.provider.address {
            builder = builder.address(address);
        }
        let provider = builder
            .start()
            .await
            .context("the mock provider did not start")?;
        let mut vars = Vars::default();
        // Kore.ai's tenant selects the mock's tenant issuer (`/t/{tenant}`).
        let tenant = profile.platform.reference.tenant.as_deref();
        vars.set("issuer", provider.issuer(tenant));
        let paths = &provider.config().paths;
        vars.set(
            "authorization_endpoint",
            provider.url(tenant, &paths.authorize),
        );
        vars.set("token_endpoint", provider.url(tenant, &paths.token));
        vars.set("userinfo_endpoint", provider.url(tenant, &paths.userinfo));
        vars.set("revocation_endpoint", provider.url(tenant, &paths.revoke));
        vars.set(
            "resource_url",
            provider.url(tenant, &provider.config().resource.path),
        );
        if let Some(user) = provider.config().users.first() {
            vars.set("sub", user.sub().to_owned());
        }
        if let Some(bot) = profile.platform.reference.bots.first() {
            vars.set("bot", bot.clone());
        }
        vars.set("client_id", profile.client.client_id.clone());
        vars.set(
            "client_secret",
            profile.client.client_secret.clone().unwrap_or_default(),
        );

        let (platform, platform_base) = start_platform(&profile, &mut vars, platform_log).await?;
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
            client_secret: profile.client.client_secret.clone(),
            redirect_uris,
            allowed_scopes: profile.client.scopes.clone(),
            default_scopes: None,
            auth_method: profile.client.auth_method,
            pkce: profile.client.pkce,
            // client_credentials: Gauntlet plays a channel that hands the platform a token.
            grant_types: vec![
                "authorization_code".into(),
                "refresh_token".into(),
                "client_credentials".into(),
            ],
        };
        provider
            .register_client(client.clone())
            .map_err(|e| anyhow::anyhow!("client registration refused: {e}"))?;
        let mut platform = platform;
        if let PlatformProcess::Launched(child) = &mut platform {
            let launch = profile
                .platform
                .launch
                .as_ref()
                .expect("launched from a launch section");
            let timeout = Duration::from_secs(launch.ready_timeout_secs);
            let url = vars.fill(&launch.ready_url);
            wait_ready(child, &url, timeout, platform_log, "platform").await?;
        }
        Ok(Self {
            provider,
            profile,
            vars,
            platform_base,
            client,
            reveal_secrets,
            outcomes: Mutex::new(Vec::new()),
            _platform: platform,
        })
    }

    /// The timeout for every request to the platform.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.profile.timeouts.request_ms)
    }
}

async fn start_platform(
    profile: &PlatformProfile,
    vars: &mut Vars,
    platform_log: &std::path::Path,
) -> anyhow::Result<(PlatformProcess, String)> {
    let location = &profile.platform;
    if location.embedded.is_some() {
        let config = reference_platform::PlatformConfig {
            issuer: vars.fill("{issuer}"),
            resource_url: vars.fill("{resource_url}"),
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
            client_secret: profile.client.client_secret.clone(),
            auth_method: match profile.client.auth_method {
                mock_provider::AuthMethod::ClientSecretBasic => {
                    reference_platform::AuthMethod::ClientSecretBasic
                }
                mock_provider::AuthMethod::ClientSecretPost => {
                    reference_platform::AuthMethod::ClientSecretPost
                }
                mock_provider::AuthMethod::None => reference_platform::AuthMethod::None,
            },
            scopes: profile.client.scopes.clone(),
            token_timeout: Duration::from_millis(profile.timeouts.platform_token_timeout_ms),
            defects: profile.defects().map_err(|e| anyhow::anyhow!(e))?,
            ..reference_platform::PlatformConfig::default()
        };
        let platform = reference_platform::Platform::start(config)
            .await
            .context("the reference platform did not start")?;
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

/// A port that was free a moment ago (bound on 127.0.0.1:0, read, released), for `{port}`.
pub(crate) fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .context("cannot find a free port for {port}")?;
    Ok(listener.local_addr()?.port())
}

/// How often a launch's ready URL is polled.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Starts `launch`'s command (arguments and environment filled from `vars`, output to `log`),
/// unless something already answers at its ready URL: that would be another process, and the
/// launched one could never be told from it.
pub(crate) async fn launch(
    launch: &Launch,
    vars: &Vars,
    log: &Path,
    what: &str,
) -> anyhow::Result<Launched> {
    let ready_url = vars.fill(&launch.ready_url);
    if answer(&ready_client()?, &ready_url).await.is_some() {
        bail!(
            "something already answers at {ready_url} before the {what} was launched; \
             another process holds the port"
        );
    }
    let log_file =
        std::fs::File::create(log).with_context(|| format!("cannot write {}", log.display()))?;
    let mut command = Command::new(&launch.command);
    command
        .args(launch.args.iter().map(|a| vars.fill(a)))
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file);
    if let Some(dir) = &launch.workdir {
        command.current_dir(dir);
    }
    for (name, value) in &launch.env {
        command.env(name, vars.fill(value));
    }
    let child = command
        .spawn()
        .with_context(|| format!("cannot launch the {what} with {:?}", launch.command))?;
    Ok(Launched(child))
}

/// Polls `url` until it answers below 500 while the launched process lives. The process
/// exiting is an error at once, and so is an answer once it has exited: then another process
/// holds the port.
pub(crate) async fn wait_ready(
    launched: &mut Launched,
    url: &str,
    timeout: Duration,
    log: &Path,
    what: &str,
) -> anyhow::Result<()> {
    let client = ready_client()?;
    let child = &mut launched.0;
    let poll = async {
        let mut tick = tokio::time::interval(POLL_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Some(status) = child.try_wait()? {
                bail!(
                    "the {what} exited ({status}) before it was ready; its output is in {}",
                    log.display()
                );
            }
            if answer(&client, url)
                .await
                .is_some_and(|status| status < 500)
            {
                if let Some(status) = child.try_wait()? {
                    bail!(
                        "the {what} exited ({status}), yet something answers at {url}: another \
                         process holds the port; the {what}'s output is in {}",
                        log.display()
                    );
                }
                return Ok(());
            }
        }
    };
    tokio::time::timeout(timeout, poll)
        .await
        .unwrap_or_else(|_| {
            bail!(
                "the {what} was not ready at {url} within {} s; its output is in {}",
                timeout.as_secs(),
                log.display()
            )
        })
}

/// The client that polls ready URLs.
fn ready_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()?)
}

/// The status `url` answers with, if anything answers.
async fn answer(client: &reqwest::Client, url: &str) -> Option<u16> {
    let response = client.get(url).send().await.ok()?;
    Some(response.status().as_u16())
}
