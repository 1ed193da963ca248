//! `reference-platform`: run the reference chatbot platform standalone.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use reference_platform::{AuthMethod, Defects, Platform, PlatformConfig};

/// A small, correct chatbot-platform OAuth 2.0 client (authorization code + PKCE S256).
///
/// Prints its base URL on one line once ready; logs go to stderr (RUST_LOG to tune). Exit
/// status 2 means it could not start (bad option, unusable provider metadata, busy address).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Opts {
    /// The provider's issuer; its RFC 8414 metadata is read at start.
    #[arg(
        long,
        env = "REFERENCE_ISSUER",
        default_value = "http://127.0.0.1:9090"
    )]
    issuer: String,
    /// The protected API the probe calls (default: {issuer}/api/resource).
    #[arg(long, env = "REFERENCE_RESOURCE_URL")]
    resource_url: Option<String>,
    /// The registered client id.
    #[arg(long, env = "REFERENCE_CLIENT_ID", default_value = "gauntlet-client")]
    client_id: String,
    /// The client secret (absent for a public client).
    #[arg(long, env = "REFERENCE_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// client_secret_basic, client_secret_post or none.
    #[arg(
        long,
        env = "REFERENCE_AUTH_METHOD",
        default_value = "client_secret_basic"
    )]
    auth_method: AuthMethod,
    /// A scope to request; repeat it, or give several separated by spaces.
    #[arg(
        long = "scope",
        env = "REFERENCE_SCOPES",
        value_delimiter = ' ',
        default_value = "read"
    )]
    scopes: Vec<String>,
    /// The callback path; the redirect URI is http://{listen}{redirect_path}.
    #[arg(long, env = "REFERENCE_REDIRECT_PATH", default_value = "/callback")]
    redirect_path: String,
    /// Where to listen (loopback); port 0 picks a free port.
    #[arg(long, env = "REFERENCE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Timeout of every request to the provider, in milliseconds.
    #[arg(long, env = "REFERENCE_TOKEN_TIMEOUT_MS", default_value_t = 2000)]
    token_timeout_ms: u64,
    /// A PEM file of CAs to trust besides the web PKI roots when talking to the provider (a
    /// test provider's own CA).
    #[arg(long, env = "REFERENCE_CA_FILE")]
    ca_file: Option<std::path::PathBuf>,
    /// Deliberate bugs to switch on, comma-separated (see `reference_platform::Defect`).
    #[arg(long, env = "REFERENCE_DEFECTS", default_value = "")]
    defects: Defects,
}

#[tokio::main]
async fn main() -> ExitCode {
    let opts = Opts::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "reference_platform=info".into()),
        )
        .init();
    let resource_url = opts
        .resource_url
        .unwrap_or_else(|| format!("{}/api/resource", opts.issuer.trim_end_matches('/')));
    let config = PlatformConfig {
        issuer: opts.issuer,
        resource_url,
        client_id: opts.client_id,
        client_secret: opts.client_secret,
        auth_method: opts.auth_method,
        scopes: opts.scopes.into_iter().filter(|s| !s.is_empty()).collect(),
        redirect_path: opts.redirect_path,
        token_timeout: Duration::from_millis(opts.token_timeout_ms),
        listen: opts.listen,
        defects: opts.defects,
        ca_file: opts.ca_file,
        ..PlatformConfig::default()
    };
    let platform = match Platform::start(config).await {
        Ok(platform) => platform,
        Err(error) => {
            eprintln!("reference-platform: {error}");
            return ExitCode::from(2);
        }
    };
    println!("{}", platform.uri());
    let _ = tokio::signal::ctrl_c().await;
    drop(platform);
    ExitCode::SUCCESS
}
