//! [`MockProvider`]: a running provider on a real socket, with its journal and control API, in
//! the spirit of wiremock's `MockServer`. Dropping the handle shuts the server down and checks
//! the expectations of what was mounted on it.

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

use crate::app::router;
use crate::client_metadata::Fetcher;
use crate::clients::ClientConfig;
use crate::config::ProviderConfig;
use crate::connections::{Connections, Refusals, TrackedIo};
use crate::control::ControlError;
use crate::expect::Expectation;
use crate::handshakes::{HandshakeFailure, Handshakes};
use crate::journal::{JournalEntry, listing};
use crate::markers::DropConnection;
pub use crate::start_error::StartError;
use crate::state::{AppState, lock};
use crate::store::Evictions;
use crate::tls::Tls;
use crate::urls::IssuerUrls;

/// A running mock provider.
///
/// ```no_run
/// # async fn example() -> Result<(), mock_provider::StartError> {
/// use mock_provider::MockProvider;
/// let provider = MockProvider::start().await?;
/// println!("metadata at {}", provider.metadata_url());
/// # Ok(()) }
/// ```
///
/// Faults and decisions are [mounted](crate::Fault::mount) on it; their expectations are
/// checked by [`verify`](Self::verify) and when it is dropped.
pub struct MockProvider {
    state: AppState,
    address: SocketAddr,
    shutdown: watch::Sender<bool>,
    expectations: Mutex<Vec<Expectation>>,
    /// The CA and its file, with `tls`; the file's temporary directory lives as long as this.
    tls: Option<Tls>,
    /// The TLS handshakes that failed, and those going on.
    handshakes: Arc<Handshakes>,
    /// The plain-HTTP listener's address, with `plain_token_endpoint`.
    plain_address: Option<SocketAddr>,
}

impl fmt::Debug for MockProvider {
    /// The address and profile only: the stores hold live codes and tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockProvider")
            .field("uri", &self.state.base_url)
            .field("profile", &self.state.config.name)
            .finish_non_exhaustive()
    }
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
    /// Replaces the whole configuration (default: [`ProviderConfig::default`]).
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

    /// Serves HTTPS (sets [`ProviderConfig::tls`]): see [`MockProvider::ca_pem`] for the CA to
    /// trust.
    pub fn tls(mut self, tls: bool) -> Self {
        self.config.tls = tls;
        self
    }

    /// With [`tls`](Self::tls): also serves plain HTTP on a second port, and the metadata's
    /// `token_endpoint` names it (sets [`ProviderConfig::plain_token_endpoint`]): a downgrade,
    /// see [`MockProvider::plain_token_endpoint`].
    pub fn plain_token_endpoint(mut self, plain: bool) -> Self {
        self.config.plain_token_endpoint = plain;
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
        if self.config.plain_token_endpoint && !self.config.tls {
            return Err(StartError::PlainWithoutTls);
        }
        let addr = self
            .address
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let tls = if self.config.tls {
            let ca_file = self.config.tls_ca_file.as_deref();
            Some(Tls::generate(
                address.ip(),
                &self.config.admin.hosts,
                ca_file,
            )?)
        } else {
            None
        };
        let plain = if self.config.plain_token_endpoint {
            let plain_addr = SocketAddr::new(address.ip(), 0);
            let listener =
                TcpListener::bind(plain_addr)
                    .await
                    .map_err(|source| StartError::Bind {
                        addr: plain_addr,
                        source,
                    })?;
            let bound = listener.local_addr().map_err(|source| StartError::Bind {
                addr: plain_addr,
                source,
            })?;
            Some((listener, bound))
        } else {
            None
        };
        let plain_address = plain.as_ref().map(|(_, bound)| *bound);
        let scheme = if tls.is_some() { "https" } else { "http" };
        let client_metadata = Fetcher::new(&self.config.mcp).map_err(StartError::ClientMetadata)?;
        let state = AppState::new(
            self.config,
            format!("{scheme}://{address}"),
            plain_address.map(|a| format!("http://{a}")),
            self.seed,
            client_metadata,
        );
        crate::tokens::seed_expired_mcp_token(&state);
        let (shutdown, stopped) = watch::channel(false);
        let connections = Connections::new(&state.config.limits);
        let acceptor = tls.as_ref().map(Tls::acceptor);
        let app = router(state.clone());
        let handshakes = Arc::new(Handshakes::new(state.started));
        let tls_serve = acceptor.map(|acceptor| (acceptor, handshakes.clone()));
        if let Some((plain_listener, _)) = plain {
            let plain_app = crate::plain::router(app.clone());
            let (connections, stopped) = (connections.clone(), stopped.clone());
            tokio::spawn(serve(plain_listener, plain_app, connections, None, stopped));
        }
        tokio::spawn(serve(listener, app, connections, tls_serve, stopped));
        Ok(MockProvider {
            state,
            address,
            shutdown,
            expectations: Mutex::new(Vec::new()),
            tls,
            handshakes,
            plain_address,
        })
    }
}

impl MockProvider {
    /// Starts a provider with the default profile on a free loopback port.
    pub async fn start() -> Result<Self, StartError> {
        Self::builder().start().await
    }

    /// A builder for more control (configuration, address, seed, extra clients).
    pub fn builder() -> MockProviderBuilder {
        MockProviderBuilder::default()
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (`https://…` with `tls`); also the root
    /// issuer.
    pub fn uri(&self) -> String {
        self.state.base_url.clone()
    }

    /// When it started; journal entries' `elapsed_ms` count from here.
    pub fn started_at(&self) -> std::time::Instant {
        self.state.started
    }

    /// The throwaway CA that signed its certificate, PEM, for a client to trust (e.g.
    /// `reqwest::Certificate::from_pem`); `None` without `tls`.
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(Tls::ca_pem)
    }

    /// The file holding [`ca_pem`](Self::ca_pem) (`tls_ca_file`, or a file in a temporary
    /// directory removed when the provider is dropped), for `NODE_EXTRA_CA_CERTS`,
    /// `SSL_CERT_FILE` or `curl --cacert`; `None` without `tls`.
    pub fn ca_file(&self) -> Option<&Path> {
        self.tls.as_ref().map(Tls::ca_file)
    }

    /// The TLS handshakes that failed (with `tls`), oldest first: the most recent
    /// [`MAX_HANDSHAKE_FAILURES`](crate::MAX_HANDSHAKE_FAILURES), and how many failed in all. A
    /// client that does not trust the mock's CA refuses its certificate here
    /// ([`HandshakeFailure::certificate_refused`]) and never makes a request the journal could
    /// show. Call [`handshakes_settled`](Self::handshakes_settled) first to see the handshakes
    /// a client has already given up on.
    pub fn handshake_failures(&self) -> (u64, Vec<HandshakeFailure>) {
        self.handshakes.failures()
    }

    /// Waits until no TLS handshake is going on: each ends when it completes, fails, or runs out
    /// of `limits.header_read_timeout_ms`. A client that has refused the certificate has sent
    /// its alert before it goes on, so once this returns its failure is recorded.
    pub async fn handshakes_settled(&self) {
        self.handshakes.settled().await;
    }

    /// The socket address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// With `plain_token_endpoint`: the base URL of the plain-HTTP listener, e.g.
    /// `http://127.0.0.1:41235`; `None` without it.
    pub fn plain_uri(&self) -> Option<String> {
        self.state.plain_base_url.clone()
    }

    /// With `plain_token_endpoint`: the plain-HTTP token endpoint the root issuer's metadata
    /// names, e.g. `http://127.0.0.1:41235/token` (the issuer stays `https://…`); `None`
    /// without it.
    pub fn plain_token_endpoint(&self) -> Option<String> {
        self.plain_address
            .map(|a| format!("http://{a}{}", self.state.config.paths.token))
    }

    /// The URLs of the root issuer (`None`) or of a tenant, whose issuer is
    /// `{uri}/t/{tenant}`; the root's have shorthands below.
    pub fn urls<'a>(&'a self, tenant: Option<&'a str>) -> IssuerUrls<'a> {
        IssuerUrls::new(self.uri(), tenant, &self.state.config.paths)
    }

    fn root(&self) -> IssuerUrls<'_> {
        self.urls(None)
    }

    /// The root issuer identifier (the base URL).
    pub fn issuer(&self) -> String {
        self.root().issuer()
    }

    /// An absolute URL for `path` (with any query) under the root issuer.
    pub fn url(&self, path: &str) -> String {
        self.root().url(path)
    }

    /// The MCP endpoint's URL, its resource identifier (`[mcp]`; served only when enabled).
    pub fn mcp_url(&self) -> String {
        self.url(&self.config().mcp.path)
    }

    /// The root issuer's metadata URL ([RFC 8414](https://www.rfc-editor.org/rfc/rfc8414)).
    pub fn metadata_url(&self) -> String {
        self.root().metadata_url()
    }

    /// The root issuer's authorization endpoint.
    pub fn authorization_endpoint(&self) -> String {
        self.root().authorization_endpoint()
    }

    /// The root issuer's token endpoint.
    pub fn token_endpoint(&self) -> String {
        self.root().token_endpoint()
    }

    /// The root issuer's revocation endpoint.
    pub fn revocation_endpoint(&self) -> String {
        self.root().revocation_endpoint()
    }

    /// The root issuer's introspection endpoint.
    pub fn introspection_endpoint(&self) -> String {
        self.root().introspection_endpoint()
    }

    /// The root issuer's registration endpoint.
    pub fn registration_endpoint(&self) -> String {
        self.root().registration_endpoint()
    }

    /// The root issuer's protected resource (userinfo-style API).
    pub fn userinfo_endpoint(&self) -> String {
        self.root().userinfo_endpoint()
    }

    /// The root issuer's JWKS (the keys of JWT access tokens).
    pub fn jwks_uri(&self) -> String {
        self.root().jwks_uri()
    }

    /// The root issuer's login page.
    pub fn login_url(&self) -> String {
        self.root().login_url()
    }

    /// The root issuer's consent page.
    pub fn consent_url(&self) -> String {
        self.root().consent_url()
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

    /// Every journaled request, oldest first, with every secret the provider knows masked
    /// wherever it appears (as `/_admin/journal` lists it without `reveal`).
    pub fn redacted_journal(&self) -> Vec<JournalEntry> {
        crate::redaction::redacted(&self.state, &self.journal())
    }

    /// Every secret value the provider holds or saw (client secrets, passwords, CSRF tokens,
    /// sessions, and the codes, tokens and verifiers in its journal), for masking them wherever
    /// they appear in what a caller writes out.
    pub fn known_secrets(&self) -> oauth_vocab::redact::SecretValues {
        crate::redaction::known_secrets(&self.state)
    }

    /// The journaled requests that concern one client.
    pub fn journal_for(&self, client_id: &str) -> Vec<JournalEntry> {
        self.state.journal.entries(Some(client_id))
    }

    /// How many journal entries were dropped to keep it within `limits.journal_capacity` and
    /// `limits.journal_bytes`.
    pub fn journal_dropped(&self) -> u64 {
        self.state.journal.dropped()
    }

    /// Makes the authorization server's metadata documents (RFC 8414 and OpenID Connect
    /// discovery, every issuer) answer 503 while `on`: a provider whose discovery fails after
    /// the client read it (`POST`/`DELETE /_admin/metadata_outage`).
    pub fn set_metadata_outage(&self, on: bool) {
        self.state.set_metadata_outage(on);
    }

    /// Empties the journal.
    pub fn clear_journal(&self) {
        self.state.journal.clear();
    }

    /// The live codes and tokens each client lost because a store was full (see `[limits]`
    /// `max_codes` and `max_tokens`), by client id; empty when no flow lost state. Each loss
    /// is also a `store.live_entry_evicted` finding on the journal entry of the request that
    /// caused it.
    pub fn evictions(&self) -> Vec<Evictions> {
        lock(&self.state.stores).evictions()
    }

    /// Registers or replaces a client.
    pub fn register_client(&self, client: ClientConfig) -> Result<(), ControlError> {
        self.state.add_client(client)
    }

    /// Clears every fault, or one client's.
    pub fn clear_faults(&self, client_id: Option<&str>) {
        self.state.faults.clear(client_id);
    }

    /// Checks every expectation set with `.expect(…)` on what was mounted.
    ///
    /// # Panics
    /// When one does not hold, naming each and listing the journal.
    pub fn verify(&self) {
        if let Some(report) = self.unmet() {
            panic!("{report}");
        }
    }

    /// The unmet expectations and the journal, or `None` when all hold.
    fn unmet(&self) -> Option<String> {
        let expectations = lock(&self.expectations);
        let unmet: Vec<String> = expectations.iter().filter_map(Expectation::unmet).collect();
        if unmet.is_empty() {
            return None;
        }
        let mut report = format!(
            "mock provider at {}: {} expectation(s) not met:\n",
            self.state.base_url,
            unmet.len()
        );
        for line in unmet {
            report.push_str(&format!("  - {line}\n"));
        }
        report.push_str("the requests it received:\n");
        let dropped = self.journal_dropped();
        if dropped > 0 {
            report.push_str(&format!(
                "  ({dropped} earlier requests dropped from the journal)\n"
            ));
        }
        report.push_str(&listing(&self.redacted_journal()));
        Some(report)
    }

    pub(crate) fn state(&self) -> &AppState {
        &self.state
    }

    pub(crate) fn expect(&self, expectation: Expectation) {
        lock(&self.expectations).push(expectation);
    }
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if !std::thread::panicking()
            && let Some(report) = self.unmet()
        {
            panic!("{report}");
        }
    }
}

/// Accepts connections until shut down, within the bounds of [`Connections`]. Each connection
/// gets the peer address as `ConnectInfo`, and is closed without an answer when a response
/// carries [`DropConnection`]. With a TLS acceptor each connection is a TLS one: its handshake
/// counts as reading a request head (bounded by `header_read_timeout_ms` from its first byte),
/// and a failed handshake closes that connection only.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    connections: Arc<Connections>,
    tls: Option<(TlsAcceptor, Arc<Handshakes>)>,
    mut stopped: watch::Receiver<bool>,
) {
    let refusals = Refusals::new();
    let max_head = connections.max_head();
    loop {
        let (stream, peer) = tokio::select! {
            _ = stopped.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    if out_of_files(&error) {
                        connections.shed_one();
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let Some(ticket) = connections.admit() else {
            if tls.is_some() {
                // A plain-text 503 means nothing to a TLS client: close at once.
                tracing::warn!(%peer, "every connection busy: closed");
            } else {
                tracing::warn!(%peer, "every connection busy: answered 503");
                refusals.refuse(stream, connections.max());
            }
            continue;
        };
        let tls = tls.clone();
        let router = router.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let on_drop = kill.clone();
            let conn = ticket.conn().clone();
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    let router = router.clone();
                    let on_drop = on_drop.clone();
                    let conn = conn.clone();
                    async move {
                        let _busy = conn.busy();
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
            // Reads of the TLS handshake mark the connection as reading a head, too.
            let io = TrackedIo::new(stream, ticket.conn().clone());
            let connection = async move {
                match tls {
                    None => http1(io, service, max_head).await,
                    Some((acceptor, handshakes)) => {
                        let going = handshakes.begin();
                        let accepted = acceptor.accept(io).await;
                        if let Err(error) = &accepted {
                            tracing::debug!(%peer, %error, "TLS handshake failed");
                            handshakes.failed(peer, error);
                        }
                        drop(going);
                        if let Ok(io) = accepted {
                            http1(io, service, max_head).await;
                        }
                    }
                }
            };
            tokio::select! {
                _ = connection => {}
                () = kill.notified() => {}
                () = ticket.ended() => {}
                _ = stopped.changed() => {}
            }
        });
    }
}

/// Serves HTTP/1.1 on one connection until it closes. A head past `max_head` bytes gets hyper's
/// 431 and the connection is closed.
async fn http1<I, S>(io: I, service: S, max_head: usize)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::HttpService<Incoming, ResBody = Body>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let _ = hyper::server::conn::http1::Builder::new()
        .max_header_size(max_head)
        .serve_connection(TokioIo::new(io), service)
        .await;
}

/// Whether accepting failed for want of file descriptors (`EMFILE`, `ENFILE`).
fn out_of_files(error: &std::io::Error) -> bool {
    matches!(error.raw_os_error(), Some(23 | 24))
}
