//! `mock-provider`: run the mock OAuth authorization server standalone.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mock_provider::{MockProvider, ProviderConfig};

/// A strict, scriptable OAuth 2.0 authorization server (RFC 6749, RFC 7636, RFC 9700).
///
/// Prints its base URL on one line once ready; logs go to stderr (RUST_LOG to tune).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Opts {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:9090", env = "MOCK_PROVIDER_ADDR")]
    addr: SocketAddr,
    /// A TOML profile, e.g. fixtures/providers/openchatstudio.toml (default: the built-in profile).
    #[arg(long, env = "MOCK_PROVIDER_CONFIG")]
    config: Option<PathBuf>,
    /// Make codes, tokens and keys deterministic (for snapshots; never for real secrets).
    #[arg(long)]
    seed: Option<u64>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let opts = Opts::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "mock_provider=info".into()),
        )
        .init();
    let config = match &opts.config {
        Some(path) => match ProviderConfig::from_file(path) {
            Ok(config) => config,
            Err(error) => {
                eprintln!("mock-provider: {error}");
                return ExitCode::from(2);
            }
        },
        None => ProviderConfig::default(),
    };
    let mut builder = MockProvider::builder().config(config).address(opts.addr);
    if let Some(seed) = opts.seed {
        builder = builder.seed(seed);
    }
    let provider = match builder.start().await {
        Ok(provider) => provider,
        Err(error) => {
            eprintln!("mock-provider: {error}");
            return ExitCode::from(2);
        }
    };
    println!("{}", provider.uri());
    tracing::info!(profile = %provider.config().name, "ready; metadata at {}/.well-known/oauth-authorization-server", provider.uri());
    let _ = tokio::signal::ctrl_c().await;
    drop(provider);
    ExitCode::SUCCESS
}
