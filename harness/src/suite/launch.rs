//! Launching a process a profile asks for (a platform or a provider) and waiting until it is
//! ready, while watching it: a launch that exits, or a port another process holds, is an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde::Deserialize;

use super::placeholders::Vars;

/// A command that starts the target (`[platform.launch]`, `[server.launch]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Launch {
    /// The program.
    pub command: String,
    /// Its arguments (templated).
    #[serde(default)]
    pub args: Vec<String>,
    /// Working directory, relative to the profile file.
    #[serde(default)]
    pub workdir: Option<PathBuf>,
    /// Environment (values templated).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Polled until it answers below 500 (templated).
    pub ready_url: String,
    /// How long to wait for readiness.
    #[serde(default = "default_ready_timeout")]
    pub ready_timeout_secs: u64,
}

fn default_ready_timeout() -> u64 {
    30
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

/// The client that polls ready URLs. Readiness is not a verdict: it takes any certificate, so
/// a server whose CA file is written at start-up can be waited for before that file is read.
fn ready_client() -> anyhow::Result<reqwest::Client> {
    Ok(crate::suite::tls::Trust::default()
        .client()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(2))
        .build()?)
}

/// The status `url` answers with, if anything answers.
async fn answer(client: &reqwest::Client, url: &str) -> Option<u16> {
    let response = client.get(url).send().await.ok()?;
    Some(response.status().as_u16())
}
