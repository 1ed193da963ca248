//! [`Platform`]: the running platform on a real socket. Dropping the handle shuts it down.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::{AppState, router};
use crate::config::PlatformConfig;
use crate::metadata::{discover, parse_issuer, require_secure};
use crate::token_client::TokenClient;
use oauth_vocab::Secret;

/// How long start-up waits for the provider's metadata.
const STARTUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Why the platform did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A configuration value is unusable.
    #[error("invalid configuration: {field}: {reason}")]
    Config {
        /// The field at fault.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built: {0}")]
    HttpClient(#[source] reqwest::Error),
    /// The metadata document could not be fetched.
    #[error("the provider's metadata could not be fetched: {reason}")]
    Discovery {
        /// What went wrong, per URL tried.
        reason: String,
    },
    /// The metadata document is unusable.
    #[error("the provider's metadata is unusable: {reason}")]
    Metadata {
        /// Why.
        reason: String,
    },
    /// The metadata names another issuer ([RFC 8414 §3.3](https://www.rfc-editor.org/rfc/rfc8414#section-3.3)).
    #[error("the provider's metadata names issuer {found:?}, not {expected:?} (RFC 8414 §3.3)")]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The document's `issuer`.
        found: Option<String>,
    },
    /// The provider does not offer S256 PKCE ([RFC 7636 §7.2](https://www.rfc-editor.org/rfc/rfc7636#section-7.2)).
    #[error(
        "the provider does not list S256 in code_challenge_methods_supported ({methods:?}); \
         refusing to run without PKCE S256 (RFC 7636 §7.2, RFC 9700 §2.1.1)"
    )]
    S256Unsupported {
        /// The methods it lists.
        methods: Vec<String>,
    },
    /// An endpoint is plain HTTP on a non-loopback host.
    #[error("{name} {url} is neither HTTPS nor loopback (RFC 6749 §3.1, §3.2)")]
    Insecure {
        /// Which URL.
        name: &'static str,
        /// The URL.
        url: String,
    },
}

/// A running reference platform.
///
/// ```no_run
/// # async fn example() -> Result<(), reference_platform::StartError> {
/// use reference_platform::{Platform, PlatformConfig};
/// let platform = Platform::start(PlatformConfig {
///     issuer: "http://127.0.0.1:9090".into(),
///     client_secret: Some("secret".into()),
///     ..PlatformConfig::default()
/// })
/// .await?;
/// println!("link at {}/link?session=42; register {}", platform.uri(), platform.redirect_uri());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Platform {
    base_url: String,
    redirect_uri: String,
    address: SocketAddr,
    shutdown: watch::Sender<bool>,
}

impl Platform {
    /// Binds, reads the provider's metadata, and starts serving. Refuses to start when the
    /// metadata cannot be fetched, names another issuer, or does not offer S256.
    pub async fn start(config: PlatformConfig) -> Result<Self, StartError> {
        config.validate()?;
        parse_issuer(&config.issuer)?;
        let resource = url::Url::parse(&config.resource_url).map_err(|e| StartError::Config {
            field: "resource_url",
            reason: format!("{:?} is not a URL: {e}", config.resource_url),
        })?;
        require_secure("resource_url", &resource)?;

        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| StartError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let address = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
        let base_url = format!(
            "http://{}",
            SocketAddr::new(reachable(address.ip()), address.port())
        );

        let http = crate::http::client(config.token_timeout).map_err(StartError::HttpClient)?;
        // Start-up is not a scenario: a busy machine must not turn a slow metadata answer into a
        // platform that did not start, so discovery gets its own, generous timeout.
        let startup = crate::http::client(STARTUP_TIMEOUT).map_err(StartError::HttpClient)?;
        let mut metadata = discover(&startup, &config.issuer).await?;
        let mut config = config;
        let hooks = crate::shapes::hooks(&config.shape);
        hooks.prepare(&mut config, &mut metadata)?;
        let tokens = TokenClient::new(
            http.clone(),
            metadata.token_endpoint.clone(),
            metadata.revocation_endpoint.clone(),
            config.client_id.clone(),
            config.client_secret.clone().map(Secret::new),
            config.auth_method,
            config.defects.clone(),
        );
        let state = AppState::new(config, metadata, hooks, base_url.clone(), http, tokens);
        let redirect_uri = state.redirect_uri.clone();
        let (shutdown, mut stopped) = watch::channel(false);
        let app = router(state);
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "the platform stopped serving");
            }
        });
        tracing::info!(%base_url, %redirect_uri, "reference platform ready");
        Ok(Self {
            base_url,
            redirect_uri,
            address,
            shutdown,
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn uri(&self) -> String {
        self.base_url.clone()
    }

    /// The redirect URI to register at the provider: `{uri}{redirect_path}`.
    pub fn redirect_uri(&self) -> String {
        self.redirect_uri.clone()
    }

    /// The socket address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// The address a browser on this machine uses: the loopback for an unspecified listen address.
fn reachable(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handle_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<Platform>();
        shareable::<StartError>();
    }

    #[test]
    fn an_unspecified_address_is_reached_through_the_loopback() {
        assert_eq!(
            reachable("0.0.0.0".parse().unwrap()),
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        );
        assert_eq!(
            reachable("::".parse().unwrap()),
            IpAddr::V6(Ipv6Addr::LOCALHOST)
        );
        assert_eq!(
            reachable("127.0.0.2".parse().unwrap()),
            "127.0.0.2".parse::<IpAddr>().unwrap()
        );
    }
}
