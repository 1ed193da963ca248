//! Command-line interface: `gauntlet run` (a platform), `gauntlet provider` (an
//! authorization server), `gauntlet mutants` (the kill matrix), `gauntlet merge` (sharded
//! reports) and `gauntlet profiles` (the bundled profiles).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::client::RunOptions;
use crate::client::mutants::MutantsOptions;
use crate::client::profile::PlatformProfile;
use crate::provider::ProviderOptions;
use crate::provider::profile::ProviderTarget;
use crate::report::Shard;
use crate::suite::mcp_revision::McpRevision;
use crate::suite::{Gate, SuiteOptions};

/// OAuth 2.0 conformance harness for chatbot platforms.
#[derive(Debug, Parser)]
#[command(name = "gauntlet", version, about, long_about = None)]
pub struct Opts {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the client suite (features/client) against a chatbot platform.
    Run(RunArgs),
    /// Run the provider suite (features/provider) against an OAuth authorization server.
    Provider(ProviderArgs),
    /// Prove the client suite: run it against the reference platform with each catalogued
    /// defect switched on, and print the kill matrix.
    Mutants(MutantsArgs),
    /// Combine the report folders of sharded runs (`--shard I/N`) into one, with one verdict.
    Merge(MergeArgs),
    /// List the profiles bundled in the binary (`--platform NAME`, `--provider NAME`), or
    /// print one with `profiles show NAME`.
    Profiles(ProfilesArgs),
}

/// Arguments of `gauntlet mutants`.
#[derive(Debug, clap::Args)]
pub struct MutantsArgs {
    /// An embedded reference-platform profile: a file, or the name of a bundled one
    /// (`gauntlet profiles`); default: the bundled web-channel one.
    #[arg(long, env = "GAUNTLET_PLATFORM")]
    pub platform: Option<PathBuf>,
    /// Where to write mutants.md, mutants.json and each run's reports (under runs/).
    #[arg(long, default_value = "reports", env = "GAUNTLET_REPORT_DIR")]
    pub report_dir: PathBuf,
    /// Suite runs at once.
    #[arg(long, default_value_t = 4)]
    pub jobs: usize,
    /// Only these defects, comma-separated (default: the whole catalogue).
    #[arg(long, value_delimiter = ',')]
    pub defects: Vec<String>,
    /// Run these feature files instead of the bundled client suite.
    #[arg(long)]
    pub features: Option<PathBuf>,
    /// List the defect catalogue and exit.
    #[arg(long)]
    pub list: bool,
}

impl MutantsArgs {
    /// Reads the profile and builds the options.
    pub fn options(&self) -> anyhow::Result<MutantsOptions> {
        let profile = match &self.platform {
            Some(arg) => crate::bundled::platform(arg)?,
            None => PlatformProfile::reference(),
        };
        let defects = if self.defects.is_empty() {
            crate::client::mutants::applicable_defects(&profile)
        } else {
            self.defects
                .iter()
                .map(|d| {
                    d.trim()
                        .parse()
                        .map_err(|e: String| anyhow::anyhow!("--defects: {e}"))
                })
                .collect::<anyhow::Result<_>>()?
        };
        Ok(MutantsOptions {
            jobs: self.jobs,
            defects,
            features: self.features.clone(),
            progress: true,
            ..MutantsOptions::new(profile, self.report_dir.clone())
        })
    }
}

/// Arguments of `gauntlet run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Platform profile: a TOML file, or the name of a bundled one such as `reference-chat`
    /// (`gauntlet profiles`); default: the bundled reference platform.
    #[arg(long, env = "GAUNTLET_PLATFORM")]
    pub platform: Option<PathBuf>,
    /// The options every suite shares.
    #[command(flatten)]
    pub suite: SuiteArgs,
}

/// Arguments of `gauntlet provider`.
#[derive(Debug, clap::Args)]
pub struct ProviderArgs {
    /// Provider profile (TOML with a `[server]` table), or a mock-provider profile to test the
    /// embedded mock with: a file, or the name of a bundled one such as `lax` (`gauntlet
    /// profiles`); default: the embedded mock's default profile.
    #[arg(long, env = "GAUNTLET_PROVIDER")]
    pub provider: Option<PathBuf>,
    /// The options every suite shares.
    #[command(flatten)]
    pub suite: SuiteArgs,
}

/// What to run and where to report, for either suite.
#[derive(Debug, clap::Args)]
pub struct SuiteArgs {
    /// Skip the preflight: the one plain link (`run`) or plain authorization (`provider`) run
    /// before the suite, which stops a run whose profile does not fit the target, or whose
    /// target cannot be reached (exit 2).
    #[arg(long)]
    pub no_preflight: bool,
    /// Run only scenarios matching this tag expression, e.g. "@must and not @rfc9207".
    #[arg(long, env = "GAUNTLET_TAGS")]
    pub tags: Option<String>,
    /// Run the set a component of this MCP authorization revision must pass: every scenario
    /// outside MCP and the MCP scenarios of that revision (with `--tags`, both must match).
    #[arg(long, value_enum, value_name = "REV", env = "GAUNTLET_MCP_REVISION")]
    pub mcp_revision: Option<McpRevision>,
    /// Where to write junit.xml, cucumber.json, report.md, index.html and report.json.
    #[arg(long, default_value = "reports", env = "GAUNTLET_REPORT_DIR")]
    pub report_dir: PathBuf,
    /// Scenarios run at once.
    #[arg(long, default_value_t = 8, env = "GAUNTLET_CONCURRENCY")]
    pub concurrency: usize,
    /// Which failures give a non-zero exit code.
    #[arg(long, value_enum, default_value_t = Gate::Must, env = "GAUNTLET_GATE")]
    pub gate: Gate,
    /// Show client secrets, codes and tokens in reports instead of redacting them.
    #[arg(long)]
    pub reveal_secrets: bool,
    /// Run these feature files instead of the bundled ones.
    #[arg(long)]
    pub features: Option<PathBuf>,
    /// Run only part I of N of the selected scenarios (e.g. 2/3), to spread a suite over CI
    /// jobs; `gauntlet merge` combines the parts' reports.
    #[arg(long, value_name = "I/N", env = "GAUNTLET_SHARD")]
    pub shard: Option<Shard>,
    /// The most bytes of an answer's body Gauntlet reads (default 1 MiB); a longer body is cut
    /// there and the evidence says so, so a server that streams forever cannot exhaust memory.
    #[arg(long, value_name = "BYTES", default_value_t = crate::suite::body::DEFAULT_MAX_BODY_BYTES, env = "GAUNTLET_MAX_BODY_BYTES")]
    pub max_body_bytes: usize,
    /// A PEM file of CA certificates to trust besides the web PKI roots (repeatable), e.g. a
    /// test CA of the server under test; a provider profile's `ca_file` adds to these.
    #[arg(long = "ca-file", value_name = "FILE", env = "GAUNTLET_CA_FILE")]
    pub ca_files: Vec<PathBuf>,
    /// The baseline of accepted failures.
    #[command(flatten)]
    pub baseline: BaselineArgs,
}

/// The baseline options of `run`, `provider` and `merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct BaselineArgs {
    /// A TOML file of accepted failures (`[[accepted]]` feature, scenario, reason): they do not
    /// fail the gate; a listed scenario that passes does (a stale entry).
    #[arg(long, value_name = "FILE", env = "GAUNTLET_BASELINE")]
    pub baseline: Option<PathBuf>,
    /// Write the failures the gate counts as a baseline file (overwritten), and judge the run
    /// by it.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// Arguments of `gauntlet merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The report folders of the shards (each holds a report.json).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged reports.
    #[arg(long, default_value = "reports", env = "GAUNTLET_REPORT_DIR")]
    pub report_dir: PathBuf,
    /// Which failures give a non-zero exit code; default: the gate the shards ran with.
    #[arg(long, value_enum)]
    pub gate: Option<Gate>,
    /// The baseline of accepted failures; default: the one the shards were judged by, if any.
    #[command(flatten)]
    pub baseline: BaselineArgs,
}

impl SuiteArgs {
    /// The options for `target`, with progress on stdout.
    pub fn options<T>(&self, target: T) -> SuiteOptions<T> {
        SuiteOptions {
            tags: match self.mcp_revision {
                Some(revision) => Some(revision.narrow(self.tags.as_deref())),
                None => self.tags.clone(),
            },
            concurrency: self.concurrency,
            gate: self.gate,
            reveal_secrets: self.reveal_secrets,
            features: self.features.clone(),
            progress: true,
            shard: self.shard,
            baseline: self.baseline.baseline.clone(),
            write_baseline: self.baseline.write_baseline.clone(),
            preflight: !self.no_preflight,
            max_body_bytes: self.max_body_bytes,
            ca_files: self.ca_files.clone(),
            ..SuiteOptions::new(target, self.report_dir.clone())
        }
    }
}

impl RunArgs {
    /// Reads the profile and builds the run options.
    pub fn options(&self) -> anyhow::Result<RunOptions> {
        let profile = match &self.platform {
            Some(arg) => crate::bundled::platform(arg)?,
            None => PlatformProfile::reference(),
        };
        Ok(self.suite.options(profile))
    }
}

impl ProviderArgs {
    /// Reads the profile and builds the run options.
    pub fn options(&self) -> anyhow::Result<ProviderOptions> {
        let target = match &self.provider {
            Some(arg) => crate::bundled::provider(arg)?,
            None => ProviderTarget::default_mock(),
        };
        Ok(self.suite.options(target))
    }
}

/// Arguments of `gauntlet profiles`.
#[derive(Debug, clap::Args)]
pub struct ProfilesArgs {
    /// `show NAME`; without it, the list.
    #[command(subcommand)]
    pub command: Option<ProfilesCommand>,
}

/// What `gauntlet profiles` does besides listing.
#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// Print a bundled profile's TOML, e.g. to write it out and edit it.
    Show {
        /// Its name, as `gauntlet profiles` lists it.
        name: String,
    },
}
