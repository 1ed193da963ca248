//! What a provider run shares across scenarios: the server under test (the embedded mock, a
//! launched process or a running server), its endpoints as given or discovered, its metadata,
//! and which optional features it has — scenarios needing a missing one are not applicable.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use mock_provider::{DocumentHost, MockProvider, ProviderConfig};

use super::client_document;
use super::profile::{ProviderProfile, ProviderTarget};
use crate::suite::launch::{Launched, free_port, launch, wait_ready};
use crate::suite::placeholders::Vars;
use crate::suite::tls::{self, Trust};
use crate::suite::{Inapplicable, Outcomes};

/// The server's endpoints, as the scenarios use them.
#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    /// The issuer identifier, if known.
    pub issuer: Option<String>,
    /// Where the metadata came from, if any was found.
    pub metadata_url: Option<String>,
    /// Authorization endpoint.
    pub authorization: String,
    /// Token endpoint.
    pub token: String,
    /// Revocation endpoint.
    pub revocation: Option<String>,
    /// Introspection endpoint.
    pub introspection: Option<String>,
    /// A protected resource.
    pub resource: Option<String>,
    /// The RFC 7591 dynamic client registration endpoint, if given or advertised.
    pub registration: Option<String>,
}

impl Endpoints {
    /// The URL the server was first reached at (the metadata's, else the authorization
    /// endpoint), when it is plain `http://`: the transport rules are then not judged.
    pub fn plain_http(&self) -> Option<&str> {
        let first = self.metadata_url.as_deref().unwrap_or(&self.authorization);
        first
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
            .then_some(first)
    }
}

/// The shared state of one provider run.
#[derive(Debug)]
pub struct ProviderContext {
    /// The profile (for the mock: derived from its configuration).
    pub profile: ProviderProfile,
    /// Endpoints after discovery.
    pub endpoints: Endpoints,
    /// The metadata document, if the server publishes one.
    pub metadata: Option<serde_json::Value>,
    /// Show secrets in reports.
    pub reveal_secrets: bool,
    /// The most bytes of an answer's body read ([`crate::suite::body`]).
    pub max_body_bytes: usize,
    /// The CAs every client of the run trusts: the web PKI roots, `--ca-file`, the profile's
    /// `ca_file`, the embedded mock's own CA when it serves HTTPS.
    pub trust: Trust,
    /// Scenario outcomes, filled by the after-hook.
    pub outcomes: Outcomes,
    /// Whether the preflight's plain authorization showed a login or consent page (unset
    /// without a preflight).
    pub login_pages: std::sync::OnceLock<bool>,
    _server: Server,
}

/// Keeps the server alive for the run.
#[derive(Debug)]
enum Server {
    /// The mock, and the host of Gauntlet's Client ID Metadata Document when the mock takes them.
    Embedded(
        #[expect(dead_code, reason = "held only to keep the mock running")]
        Box<(MockProvider, Option<DocumentHost>)>,
    ),
    Launched(#[expect(dead_code, reason = "held only to keep the server running")] Launched),
    External,
}

tokio::task_local! {
    static CURRENT: Arc<ProviderContext>;
}

/// The provider run this task belongs to.
pub fn current() -> Arc<ProviderContext> {
    CURRENT.with(Arc::clone)
}

/// Runs `future` (a whole cucumber run) with `context` as the one its worlds see.
pub async fn scope<F: std::future::Future>(context: Arc<ProviderContext>, future: F) -> F::Output {
    CURRENT.scope(context, future).await
}

impl ProviderContext {
    /// Starts (or finds) the server, reads its metadata and settles its endpoints, trusting
    /// `trust`'s CAs and the server's own (the profile's `ca_file`, read once a launched server
    /// is ready; the embedded mock's CA). A launched server's output goes to `log`. A
    /// certificate the run does not accept at any of the server's HTTPS origins is an error
    /// naming the host, the problem and how to trust a test CA.
    pub async fn start(
        target: ProviderTarget,
        reveal_secrets: bool,
        max_body_bytes: usize,
        mut trust: Trust,
        log: &std::path::Path,
    ) -> anyhow::Result<Self> {
        let (mut profile, server) = match target {
            ProviderTarget::Mock(mut config) => {
                let document_host = client_document::host_for_mock(&mut config).await?;
                let (mut profile, mock) = start_mock(*config).await?;
                if let Some(pem) = mock.ca_pem() {
                    trust.add_pem(pem.as_bytes(), "the mock provider's CA")?;
                }
                profile.document_client = document_host.as_ref().map(|host| {
                    let redirect = client_document::LOOPBACK_REDIRECT;
                    client_document::registration(host.url(), redirect, &profile.client.scope)
                });
                (profile, Server::Embedded(Box::new((mock, document_host))))
            }
            ProviderTarget::Server(mut profile) => {
                let server = start_server(&mut profile, log).await?;
                if let Some(file) = &profile.server.ca_file {
                    trust
                        .add_file(std::path::Path::new(file))
                        .context("the provider profile's [server] ca_file")?;
                }
                (*profile, server)
            }
        };
        let http = trust
            .client()
            .timeout(Duration::from_millis(profile.server.request_timeout_ms))
            .build()?;
        let document =
            (profile.server.mcp.as_ref()).and_then(|m| m.client_metadata_document.clone());
        if let Some(url) = document {
            let redirect = client_document::read(&http, &url, max_body_bytes).await?;
            profile.document_client = Some(client_document::registration(
                &url,
                &redirect,
                &profile.client.scope,
            ));
        }
        let (metadata_url, metadata) = match discover(&http, max_body_bytes, &profile).await? {
            (url, Ok(document)) => (url, Some(document)),
            (url, Err(why)) => {
                let why = url
                    .map(|u| format!(" (metadata at {u}: {why})"))
                    .unwrap_or_default();
                let endpoints =
                    endpoints(&profile, None, None).map_err(|e| anyhow::anyhow!("{e}{why}"))?;
                reach(&http, &endpoints, None).await?;
                return Ok(Self::new(
                    profile,
                    endpoints,
                    None,
                    (reveal_secrets, max_body_bytes, trust),
                    server,
                ));
            }
        };
        let endpoints = endpoints(&profile, metadata_url, metadata.as_ref())?;
        reach(&http, &endpoints, endpoints.metadata_url.as_deref()).await?;
        Ok(Self::new(
            profile,
            endpoints,
            metadata,
            (reveal_secrets, max_body_bytes, trust),
            server,
        ))
    }

    fn new(
        profile: ProviderProfile,
        endpoints: Endpoints,
        metadata: Option<serde_json::Value>,
        (reveal_secrets, max_body_bytes, trust): (bool, usize, Trust),
        server: Server,
    ) -> Self {
        Self {
            profile,
            endpoints,
            metadata,
            reveal_secrets,
            max_body_bytes,
            trust,
            outcomes: Outcomes::default(),
            login_pages: std::sync::OnceLock::new(),
            _server: server,
        }
    }

    /// The scenario tags this server (or its profile) cannot serve, with the reason: the
    /// optional features a scenario tagged with their name needs.
    pub fn inapplicable(&self) -> Vec<Inapplicable> {
        let (e, p) = (&self.endpoints, &self.profile);
        let pkce_optional = p.server.pkce == mock_provider::pkce::PkcePolicy::Optional;
        let mcp = p.server.mcp.as_ref();
        [
            (
                "mcp",
                mcp.is_some(),
                "the profile names no MCP server ([server.mcp]; in a mock profile, [mcp] \
                 enabled = true, without tenant)",
            ),
            (
                "mcp_other_resource",
                mcp.is_some_and(|m| m.other_resource.is_some()),
                "[server.mcp] names no other_resource, a resource the authorization server \
                 issues tokens for that is not the MCP server",
            ),
            (
                "mcp_step_up",
                mcp.is_some_and(|m| m.step_up_tool.is_some()),
                "[server.mcp] names no step_up_tool, a tool whose call needs more scope than \
                 server.mcp.scope",
            ),
            (
                "mcp_cimd",
                self.metadata_value("client_id_metadata_document_supported")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false),
                "the metadata does not advertise client_id_metadata_document_supported (Client \
                 ID Metadata Documents, MCP 2025-11-25 and later)",
            ),
            (
                "mcp_cimd_document",
                p.document_client.is_some(),
                "no Client ID Metadata Document is at hand: name one the authorization server can \
                 fetch in [server.mcp] client_metadata_document (Gauntlet hosts one itself for \
                 the embedded mock when [mcp] client_metadata_hosts lists 127.0.0.1)",
            ),
            (
                "mcp_expired_token",
                mcp.is_some_and(|m| m.expired_token.is_some()),
                "[server.mcp] names no expired_token, an access token the authorization server \
                 issued for the MCP server that has expired (Gauntlet cannot make a token \
                 expire at will)",
            ),
            (
                "metadata",
                self.metadata.is_some(),
                "the server publishes no RFC 8414 metadata",
            ),
            (
                "iss",
                self.advertises_iss(),
                "the metadata does not advertise authorization_response_iss_parameter_supported",
            ),
            (
                "tls",
                e.plain_http().is_none(),
                "the server is reached over plain HTTP, not TLS: the transport rules (RFC 6749 \
                 §3.1, §3.2; RFC 8414 §2) are judged only for a server served over HTTPS",
            ),
            (
                "registration",
                e.registration.is_some(),
                "no registration endpoint is given or advertised (RFC 7591)",
            ),
            (
                "revocation",
                e.revocation.is_some(),
                "no revocation endpoint is given or advertised",
            ),
            (
                "introspection",
                e.introspection.is_some(),
                "no introspection endpoint is given or advertised",
            ),
            (
                "resource",
                e.resource.is_some(),
                "the profile names no resource_url",
            ),
            (
                "token_check",
                e.introspection.is_some() || e.resource.is_some(),
                "neither an introspection endpoint nor a resource_url to check a token with",
            ),
            (
                "refresh",
                self.issues_refresh_tokens(),
                "the server issues no refresh tokens",
            ),
            (
                "public_client",
                p.public_client.is_some(),
                "the profile has no public_client",
            ),
            (
                "other_client",
                p.other_client.is_some(),
                "the profile has no other_client",
            ),
            (
                "several_redirect_uris",
                !p.client.other_redirect_uris.is_empty(),
                "the client has only one registered redirect URI",
            ),
            (
                "deny",
                p.login.deny.is_some(),
                "the profile names no deny button",
            ),
            (
                "code_expiry",
                p.server.code_lifetime_secs.is_some(),
                "the profile gives no code_lifetime_secs",
            ),
            (
                "insufficient_scope",
                e.resource.is_some() && p.server.insufficient_scope.is_some(),
                "the profile names no insufficient_scope for its resource",
            ),
            (
                "login_pages",
                self.login_pages.get() != Some(&false),
                "the preflight's plain authorization showed no login or consent page (the server approved at once), so there is no page to judge",
            ),
            (
                "plain_refused",
                p.server.pkce == mock_provider::pkce::PkcePolicy::S256Required,
                "the profile says the server accepts plain PKCE (pkce = \"s256_or_plain\" or \"optional\"), which RFC 7636 §4.2 allows; RFC 9700 §2.1.1 asks clients to use S256",
            ),
            (
                "unknown_client",
                p.server.client_registry,
                "the profile says the server has no client registry (client_registry = false): it accepts any client_id",
            ),
            (
                "pkce_required",
                !pkce_optional,
                "the server does not require PKCE of the client (pkce = \"optional\")",
            ),
            (
                "pkce_optional",
                pkce_optional,
                "the server requires PKCE of the client, so every code has a challenge",
            ),
        ]
        .into_iter()
        .filter(|(_, has, _)| !has)
        .map(|(tag, _, reason)| Inapplicable {
            tag: tag.into(),
            reason: reason.into(),
        })
        .collect()
    }

    /// Whether the metadata says `iss` is sent in authorization responses.
    pub fn advertises_iss(&self) -> bool {
        self.metadata_value("authorization_response_iss_parameter_supported")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    }

    /// A member of the metadata document.
    pub fn metadata_value(&self, name: &str) -> Option<&serde_json::Value> {
        self.metadata.as_ref()?.get(name)
    }

    fn issues_refresh_tokens(&self) -> bool {
        self.profile.server.refresh.unwrap_or_else(|| {
            self.metadata_value("grant_types_supported")
                .and_then(serde_json::Value::as_array)
                .is_none_or(|grants| grants.iter().any(|g| g == "refresh_token"))
        })
    }

    /// The timeout of every request.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.profile.server.request_timeout_ms)
    }
}

/// Starts the mock with `config`, Gauntlet's clients registered, real login and consent pages
/// (no auto-approval), codes that live 3 s so that the expiry scenario is quick, and a resource
/// that requires the scope Gauntlet asks for (unless the profile names one), so that a token
/// for another scope can be refused.
async fn start_mock(mut config: ProviderConfig) -> anyhow::Result<(ProviderProfile, MockProvider)> {
    config.auto_approve = false;
    config.code_ttl_secs = 3;
    if config.resource.required_scope.is_none() {
        config.resource.required_scope = ProviderProfile::mock_scopes(&config).into_iter().next();
    }
    let clients = ProviderProfile::mock_clients(&config);
    let mut builder = MockProvider::builder().config(config.clone());
    for client in clients {
        builder = builder.add_client(client);
    }
    let mock = builder
        .start()
        .await
        .context("the mock provider did not start")?;
    let profile = ProviderProfile::for_mock(mock.config(), &mock.issuer());
    Ok((profile, mock))
}

/// Launches the profile's server, if it has a launch (a free port filled into the profile's
/// `{port}`), and waits until it is ready; else the server is already running elsewhere.
async fn start_server(
    profile: &mut ProviderProfile,
    log: &std::path::Path,
) -> anyhow::Result<Server> {
    let Some(how) = profile.server.launch.clone() else {
        return Ok(Server::External);
    };
    let mut vars = Vars::default();
    if profile.uses_port() {
        vars.set("port", free_port()?.to_string());
        profile.fill(&vars);
    }
    let mut child = launch(&how, &vars, log, "provider").await?;
    let timeout = Duration::from_secs(how.ready_timeout_secs);
    let url = vars.fill(&how.ready_url);
    wait_ready(&mut child, &url, timeout, log, "provider").await?;
    Ok(Server::Launched(child))
}

/// Checks that the run speaks TLS with every HTTPS origin of the server's endpoints (besides
/// `reached`'s, whose metadata was fetched): one GET each, its answer ignored. A refused
/// certificate is an error naming the host, the problem and how to trust a test CA; any other
/// failure is left to the preflight to diagnose.
async fn reach(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    reached: Option<&str>,
) -> anyhow::Result<()> {
    let origin = |url: &str| {
        url::Url::parse(url)
            .ok()
            .filter(|u| u.scheme() == "https")
            .map(|u| u.origin().ascii_serialization())
    };
    let mut seen: Vec<String> = reached.and_then(origin).into_iter().collect();
    let urls = [
        Some(&endpoints.authorization),
        Some(&endpoints.token),
        endpoints.revocation.as_ref(),
        endpoints.introspection.as_ref(),
        endpoints.resource.as_ref(),
    ];
    for url in urls.into_iter().flatten() {
        let Some(origin) = origin(url).filter(|o| !seen.contains(o)) else {
            continue;
        };
        seen.push(origin);
        if let Err(error) = http.get(url).send().await
            && let Some(problem) = tls::problem(&error)
        {
            anyhow::bail!("GET {url}: {problem}");
        }
    }
    Ok(())
}

/// Fetches the metadata: from `metadata_url`, else from the issuer's RFC 8414 well-known URL
/// (path inserted after the host, §3.1). Returns where it looked and what it found; a server
/// without metadata is fine unless its endpoints are not given either, but a `metadata_url`
/// that cannot be read is an error, and so is a certificate the run does not accept.
async fn discover(
    http: &reqwest::Client,
    max_body: usize,
    profile: &ProviderProfile,
) -> anyhow::Result<(Option<String>, Result<serde_json::Value, String>)> {
    let given = profile.server.metadata_url.clone();
    let url = given
        .clone()
        .or_else(|| profile.server.issuer.as_deref().and_then(well_known));
    let Some(url) = url else {
        return Ok((None, Err("no issuer or metadata_url to look for it".into())));
    };
    let fetched = match http.get(&url).send().await {
        Ok(response) => read_metadata(response, max_body).await,
        Err(error) => {
            if let Some(problem) = tls::problem(&error) {
                anyhow::bail!("the metadata at {url} could not be fetched: {problem}");
            }
            Err(error_chain(&error))
        }
    };
    match fetched {
        Err(why) if given.is_some() => {
            anyhow::bail!("the metadata at {url} could not be read: {why}")
        }
        result => Ok((Some(url), result)),
    }
}

/// A metadata document from its answer, or why it is none.
async fn read_metadata(
    response: reqwest::Response,
    max_body: usize,
) -> Result<serde_json::Value, String> {
    if !response.status().is_success() {
        return Err(format!("it answered {}", response.status()));
    }
    let body = crate::suite::body::read(response, max_body)
        .await
        .map_err(|e| format!("its body could not be read: {e}"))?;
    if let Some(max) = body.cut_at {
        return Err(crate::suite::body::cut_note(max));
    }
    serde_json::from_str::<serde_json::Value>(&body.text)
        .map_err(|e| format!("it is not JSON: {e}"))
}

/// An error and its sources, joined by `: `.
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text = format!("{text}: {inner}");
        source = inner.source();
    }
    text
}

/// `https://host/.well-known/oauth-authorization-server/path` for `https://host/path`.
pub fn well_known(issuer: &str) -> Option<String> {
    let url = url::Url::parse(issuer).ok()?;
    let path = url.path().trim_end_matches('/');
    Some(format!(
        "{}/.well-known/oauth-authorization-server{path}",
        url.origin().ascii_serialization()
    ))
}

fn endpoints(
    profile: &ProviderProfile,
    metadata_url: Option<String>,
    metadata: Option<&serde_json::Value>,
) -> anyhow::Result<Endpoints> {
    let s = &profile.server;
    let advertised = |name: &str| {
        metadata
            .and_then(|m| m.get(name))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let required = |given: &Option<String>, name: &str| {
        given.clone().or_else(|| advertised(name)).with_context(|| {
            format!("the profile gives no server.{name} and no metadata names one")
        })
    };
    Ok(Endpoints {
        issuer: s.issuer.clone().or_else(|| advertised("issuer")),
        metadata_url,
        authorization: required(&s.authorization_endpoint, "authorization_endpoint")?,
        token: required(&s.token_endpoint, "token_endpoint")?,
        revocation: s
            .revocation_endpoint
            .clone()
            .or_else(|| advertised("revocation_endpoint")),
        introspection: s
            .introspection_endpoint
            .clone()
            .or_else(|| advertised("introspection_endpoint")),
        resource: s.resource_url.clone(),
        registration: s
            .registration_endpoint
            .clone()
            .or_else(|| advertised("registration_endpoint")),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_well_known_url_inserts_the_issuer_path_after_the_host() {
        assert_eq!(
            super::well_known("https://as.test").as_deref(),
            Some("https://as.test/.well-known/oauth-authorization-server")
        );
        assert_eq!(
            super::well_known("https://as.test/t/acme/").as_deref(),
            Some("https://as.test/.well-known/oauth-authorization-server/t/acme")
        );
    }
}
