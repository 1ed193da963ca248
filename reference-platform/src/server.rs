//! [`Platform`]: the running platform on a real socket. Dropping the handle shuts it down.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::router;
use crate::config::{PlatformConfig, Shape};
use crate::metadata::{discover, parse_issuer, require_secure};
use crate::start_error::StartError;
use crate::state::AppState;
use crate::token_client::TokenClient;
use crate::{mcp_discovery, mcp_registration};
use oauth_vocab::Secret;

/// How long start-up waits for the provider's metadata.
const STARTUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

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
    /// Binds, reads the provider's metadata (in the MCP shape: discovers it through the MCP
    /// server), and starts serving. Refuses to start when the metadata cannot be fetched, names
    /// another issuer, or does not offer S256.
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

        let cas = match &config.ca_file {
            Some(path) => crate::http::read_cas(path).map_err(|reason| StartError::Config {
                field: "ca_file",
                reason,
            })?,
            None => Vec::new(),
        };
        let http =
            crate::http::client(config.token_timeout, &cas).map_err(StartError::HttpClient)?;
        // Start-up is not a scenario: a busy machine must not turn a slow metadata answer into a
        // platform that did not start, so discovery gets its own, generous timeout.
        let startup = crate::http::client(STARTUP_TIMEOUT, &cas).map_err(StartError::HttpClient)?;
        let mut config = config;
        let (mut metadata, resource) = if config.shape == Shape::Mcp {
            let found =
                mcp_discovery::discover(&startup, &config.resource_url, &config.defects).await?;
            if !config
                .defects
                .has(crate::defects::Defect::IgnoresChallengedScope)
            {
                for scope in found.scopes {
                    if !config.scopes.contains(&scope) {
                        config.scopes.push(scope);
                    }
                }
            }
            mcp_registration::register(&startup, &mut config, &found.metadata, &base_url).await?;
            (found.metadata, Some(found.resource))
        } else {
            (
                discover(&startup, &config.issuer, None, &config.defects).await?,
                None,
            )
        };
        if let Some(resource) = &resource {
            config
                .extra_params
                .push(("resource".into(), resource.clone()));
        }
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
        )
        .with_resource(resource.filter(|_| {
            !config
                .defects
                .has(crate::defects::Defect::ResourceOnlyInAuthorization)
        }));
        let placement = hooks.placement(&config.defects);
        let state = AppState::new(config, metadata, placement, base_url.clone(), http, tokens);
        let redirect_uri = state.redirect_uri.clone();
        let (shutdown, mut stopped) = watch::channel(false);
        let app = router(state, hooks);
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
