//! The platform started afresh for one scenario, against a mock of its own: one whose metadata
//! names a plain-HTTP token endpoint (a downgrade, `@restart`), or whose MCP server differs
//! from the run's (`@mcp`). A platform reads the metadata once at start (an MCP client when it
//! connects to its server), so only a new start can show what it does with such a provider.
//! The new platform and mock live as long as the scenario's world holds them.

use std::path::{Path, PathBuf};

use mock_provider::MockProvider;

use super::context::{MockVariant, RunContext, StartedMock};

/// What starting the platform afresh gave.
#[derive(Debug)]
pub(crate) enum Restart {
    /// It started: the scenario's own context (mock, platform, client).
    Started(Box<RunContext>),
    /// It refused to start.
    Refused(Box<Refusal>),
}

/// A platform that refused to start against the scenario's mock.
#[derive(Debug)]
pub(crate) struct Refusal {
    /// The scenario's mock: its journal shows what the platform read.
    pub(crate) provider: MockProvider,
    /// The start error, or how the launched platform ended.
    pub(crate) why: String,
}

/// The log of a restarted launched platform: beside the run's, `platform.log` →
/// `platform-{kind}.log`, `kind` `downgrade` or `mcp`.
pub(crate) fn restart_log(platform_log: &Path, kind: &str) -> PathBuf {
    let stem = platform_log
        .file_stem()
        .map_or_else(|| "platform".into(), |s| s.to_string_lossy().into_owned());
    platform_log.with_file_name(format!("{stem}-{kind}.log"))
}

/// Starts the run's platform afresh against a mock of the scenario's `variant` (the run's own
/// keeps running). An error is Gauntlet's: the mock did not start, the platform could not be
/// launched, or it refused the mock's certificate.
pub(crate) async fn afresh(run: &RunContext, variant: MockVariant) -> anyhow::Result<Restart> {
    let mock = StartedMock::start(&run.profile, run.trust.clone(), variant).await?;
    let kind = match variant {
        MockVariant::Mcp(_) => "mcp",
        MockVariant::Run | MockVariant::Downgraded => "downgrade",
    };
    let log = restart_log(&run.platform_log, kind);
    match mock
        .with_platform(
            run.profile.clone(),
            run.reveal_secrets,
            run.max_body_bytes,
            &log,
        )
        .await
    {
        Ok(context) => Ok(Restart::Started(Box::new(context))),
        Err(not_started) if not_started.refused => Ok(Restart::Refused(Box::new(Refusal {
            why: format!("{:#}", not_started.error),
            provider: not_started.provider,
        }))),
        Err(not_started) => Err(not_started
            .error
            .context("Gauntlet could not start the platform afresh")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_restart_log_is_beside_the_runs() {
        assert_eq!(
            restart_log(Path::new("/r/platform.log"), "downgrade"),
            Path::new("/r/platform-downgrade.log")
        );
        assert_eq!(
            restart_log(Path::new("platform"), "mcp"),
            Path::new("platform-mcp.log")
        );
    }
}
