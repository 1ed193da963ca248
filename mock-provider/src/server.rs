//! [`MockProvider`]: a running provider on a real socket, with its journal and control API, in
//! the spirit of wiremock's `MockServer`. Dropping the handle shuts the server down.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt as _;

use crate::app::{AppState, router};
use crate::clients::ClientConfig;
use crate::config::{ConfigError, ProviderConfig};
use crate::faults::Fault;
use crate::interaction::Decision;
use crate::journal::JournalEntry;
use crate::record::DropConnection;

/// Why the provider could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A running mock provider.
///
/// ```no_run
/// # async fn example() -> Result<(), mock_provider::StartError> {
/// use mock_provider::{MockProvider, ProviderConfig};
/// let provider = MockProvider::start(ProviderConfig::default()).await?;
/// println!("metadata at {}/.well-known/oauth-authorization-server", provider.uri());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MockProvider {
    state: AppState,
    address: SocketAddr,
    shutdown: watch::Sender<bool>,
}

/// Builds a [`MockProvider`]: configuration, address and seed.
#[derive(Debug, Default)]
#[must_use = "a builder does nothing until started"]
pub struct MockProviderBuilder {
    config: ProviderConfig,
    address: Option<SocketAddr>,
    seed: Option<u64>,
}

impl MockProviderBuilder {
    /// Replaces the whole configuration.
    pub fn config(mut self, config: ProviderConfig) -> Self {
        self.config = config;
        self
    }

    /// Adds a client registration.
    pub fn add_client(mut self, client: ClientConfig) -> Self {
        self.config.clients.push(client);
        self
    }

    /// Listens on this address (default `127.0.0.1:0`, a free port).
    pub fn address(mut self, address: SocketAddr) -> Self {
        self.address = Some(address);
        self
    }

    /// Makes codes, tokens and keys deterministic, for snapshots.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Validates the configuration, binds, and starts serving.
    pub async fn start(self) -> Result<MockProvider, StartError> {
        self.config.validate()?;
        let addr = self
            .address
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let state = AppState::new(self.config, format!("http://{address}"), self.seed);
        let (shutdown, stopped) = watch::channel(false);
        tokio::spawn(serve(listener, router(state.clone()), stopped));
        Ok(MockProvider {
            state,
            address,
            shutdown,
        })
    }
}

impl MockProvider {
    /// Starts a provider with this configuration on a free loopback port.
    pub async fn start(config: ProviderConfig) -> Result<Self, StartError> {
        Self::builder().config(config).start().await
    }

    /// A builder for more control (address, seed, extra clients).
    pub fn builder() -> MockProviderBuilder {
        MockProviderBuilder::default()
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`; also the root issuer.
    pub fn uri(&self) -> String {
        self.state.base_url.clone()
    }

    /// When it started; journal entries' `elapsed_ms` count from here.
    pub fn started_at(&self) -> std::time::Instant {
        self.state.started
    }

    /// The socket address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The issuer identifier, for the root or a tenant (`{uri}/t/{tenant}`).
    pub fn issuer(&self, tenant: Option<&str>) -> String {
        self.state.issuer(tenant)
    }

    /// The absolute URL of a configured path under an issuer, e.g.
    /// `provider.url(None, &provider.config().paths.token)`.
    pub fn url(&self, tenant: Option<&str>, path: &str) -> String {
        format!("{}{path}", self.issuer(tenant))
    }

    /// The configuration it runs with (clients registered later are not in it).
    pub fn config(&self) -> &ProviderConfig {
        &self.state.config
    }

    /// The metadata document ([RFC 8414](https://www.rfc-editor.org/rfc/rfc8414)).
    pub fn metadata(&self, tenant: Option<&str>) -> serde_json::Value {
        crate::endpoints::discovery::document(&self.state, tenant)
    }

    /// Every journaled request, oldest first, with raw (unredacted) values.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.state.journal.entries(None)
    }

    /// The journaled requests that concern one client.
    pub fn journal_for(&self, client_id: &str) -> Vec<JournalEntry> {
        self.state.journal.entries(Some(client_id))
    }

    /// Empties the journal.
    pub fn clear_journal(&self) {
        self.state.journal.clear();
    }

    /// Registers or replaces a client.
    pub fn register_client(&self, client: ClientConfig) -> Result<(), String> {
        self.state.add_client(client)
    }

    /// Scripts the decision for the next authorization of `client_id`.
    pub fn decide(&self, client_id: &str, decision: Decision) -> Result<(), String> {
        self.state
            .add_decision(client_id.to_owned(), None, decision)
    }

    /// Scripts the decision for the authorization request of `client_id` that carries `state`,
    /// leaving other flows of the same client alone (for tests that run concurrently).
    pub fn decide_for_state(
        &self,
        client_id: &str,
        state: &str,
        decision: Decision,
    ) -> Result<(), String> {
        self.state
            .add_decision(client_id.to_owned(), Some(state.to_owned()), decision)
    }

    /// Mounts a fault.
    pub fn inject_fault(&self, fault: Fault) {
        self.state.faults.add(fault);
    }

    /// Clears every fault, or one client's.
    pub fn clear_faults(&self, client_id: Option<&str>) {
        self.state.faults.clear(client_id);
    }
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Accepts connections until shut down. Each connection gets the peer address as
/// `ConnectInfo`, and is closed without an answer when a response carries [`DropConnection`].
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let (stream, peer) = tokio::select! {
            _ = stopped.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let on_drop = kill.clone();
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    let router = router.clone();
                    let on_drop = on_drop.clone();
                    async move {
                        let response = router
                            .oneshot(request.map(Body::new))
                            .await
                            .unwrap_or_else(|e| match e {});
                        if response.extensions().get::<DropConnection>().is_some() {
                            on_drop.notify_one();
                            std::future::pending::<()>().await;
                        }
                        Ok::<_, Infallible>(response)
                    }
                });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                () = kill.notified() => {}
                _ = stopped.changed() => {}
            }
        });
    }
}
