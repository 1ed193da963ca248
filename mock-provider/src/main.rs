//! `mock-provider`: run the mock OAuth authorization server standalone.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mock_provider::{MockProvider, ProviderConfig};

/// A strict, scriptable OAuth 2.0 authorization server (RFC 6749, RFC 7636, RFC 9700).
///
/// Prints its base URL on one line once ready; logs go to stderr (RUST_LOG to tune). With
/// --tls, the path of the CA certificate to trust is printed on stderr.
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
    /// Serve HTTPS with a throwaway CA made at start-up (the profile's `tls = true`).
    #[arg(long)]
    tls: bool,
    /// Where to write the CA certificate (PEM); implies --tls (the profile's `tls_ca_file`;
    /// default: a file in a temporary directory removed on exit).
    #[arg(long, value_name = "PATH")]
    ca_out: Option<PathBuf>,
    /// With --tls: also serve plain HTTP on a second port and name its /token as the metadata's
    /// token_endpoint, a downgrade for a client to refuse (the profile's `plain_token_endpoint`).
    #[arg(long)]
    plain_token_endpoint: bool,
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
    let mut config = match &opts.config {
        Some(path) => match ProviderConfig::from_file(path) {
            Ok(config) => config,
            Err(error) => {
                eprintln!("mock-provider: {error}");
                return ExitCode::from(2);
            }
        },
        None => ProviderConfig::default(),
    };
    config.tls |= opts.tls || opts.ca_out.is_some();
    config.plain_token_endpoint |= opts.plain_token_endpoint;
    if let Some(path) = opts.ca_out {
        config.tls_ca_file = Some(path);
    }
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
    if let Some(ca_file) = provider.ca_file() {
        // A plain line, whatever RUST_LOG says: a caller needs it to trust the server.
        eprintln!("mock-provider: CA certificate at {}", ca_file.display());
    }
    if let Some(plain) = provider.plain_token_endpoint() {
        eprintln!("mock-provider: the metadata names the plain-HTTP token endpoint {plain}");
    }
    tracing::info!(profile = %provider.config().name, "ready; metadata at {}/.well-known/oauth-authorization-server", provider.uri());
    stop_signal().await;
    drop(provider);
    ExitCode::SUCCESS
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM, so that the provider is dropped (and a temporary CA
/// file removed) either way.
async fn stop_signal() {
    #[cfg(unix)]
    if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        return;
    }
    let _ = tokio::signal::ctrl_c().await;
}
