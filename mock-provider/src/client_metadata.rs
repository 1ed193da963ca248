//! Client ID Metadata Documents (MCP authorization, [client registration]; the
//! [OAuth Client ID Metadata Document draft]): a `client_id` that is an `https` URL with a path
//! names a JSON document of client metadata the authorization server fetches, validates and
//! uses as the client's registration (`[mcp] client_id_metadata_documents`).
//!
//! A fetch goes only to a host `client_metadata_hosts` lists, follows no redirect, waits at
//! most [`FETCH_TIMEOUT`] and reads at most [`MAX_DOCUMENT_BYTES`]. A valid document replaces
//! the registration, which the token endpoint then uses, and is cached for as long as its
//! `Cache-Control: max-age` says (at most [`MAX_CACHE_LIFETIME`]; `no-store`, `no-cache` or no
//! `max-age`: fetched at every authorization request).
//!
//! [client registration]: https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization/client-registration
//! [OAuth Client ID Metadata Document draft]: https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-02

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use oauth_vocab::{Finding, GrantType, Observation};
use serde::Deserialize;

use crate::clients::{AuthMethod, ClientConfig};
use crate::error::{ErrorCode, OAuthError};
use crate::mcp_config::McpConfig;
use crate::pkce::PkcePolicy;

/// The largest document read; a larger one is refused (a bound of the mock's own: metadata
/// documents are a few hundred bytes).
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024;

/// How long a fetch may take, connection included.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest a document is cached, whatever its `Cache-Control` says.
pub const MAX_CACHE_LIFETIME: Duration = Duration::from_secs(3600);

/// How many documents are cached at most; beyond, the others are fetched every time.
const MAX_CACHED: usize = 1_000;

/// The document fetcher: an HTTP client that follows no redirect, trusting the web PKI and the
/// configured CA file.
#[derive(Debug)]
pub(crate) struct Fetcher {
    http: reqwest::Client,
    hosts: Vec<String>,
    plain_http: bool,
    /// Until when each cached document (by URL) is fresh (locked with poison recovery, as
    /// `state::lock` does; that module depends on this one).
    cache: Mutex<HashMap<String, Instant>>,
}

/// The members of a document this server reads; others are ignored.
#[derive(Deserialize)]
struct Document {
    client_id: Option<serde_json::Value>,
    client_name: Option<serde_json::Value>,
    redirect_uris: Option<Vec<String>>,
    client_secret: Option<serde_json::Value>,
    token_endpoint_auth_method: Option<String>,
    grant_types: Option<Vec<String>>,
}

impl Fetcher {
    /// The fetcher `[mcp]` asks for, if it accepts metadata documents; an unreadable CA file is
    /// an error.
    pub(crate) fn new(config: &McpConfig) -> Result<Option<Self>, String> {
        if !config.client_id_metadata_documents {
            return Ok(None);
        }
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(FETCH_TIMEOUT)
            .no_proxy();
        if let Some(path) = &config.client_metadata_ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| format!("mcp.client_metadata_ca_file {}: {e}", path.display()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("mcp.client_metadata_ca_file {}: {e}", path.display()))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| format!("cannot build the metadata-document client: {e}"))?;
        Ok(Some(Self {
            http,
            hosts: config.client_metadata_hosts.clone(),
            plain_http: config.client_metadata_plain_http,
            cache: Mutex::new(HashMap::new()),
        }))
    }

    /// Whether `client_id` is meant as a metadata-document URL (`https://…`, or `http://…`
    /// with the test-only allowance): such a `client_id` is fetched, never looked up.
    pub(crate) fn names_document(&self, client_id: &str) -> bool {
        let lower = client_id.get(..8).unwrap_or(client_id).to_ascii_lowercase();
        lower.starts_with("https://") || (self.plain_http && lower.starts_with("http://"))
    }

    /// Fetches and validates the document `client_id` names: the registration it makes (allowed
    /// `scopes`) and the journal's note of the fetch, or the `invalid_client` error to show
    /// (never sent to the unvalidated redirect URI).
    pub(crate) async fn resolve(
        &self,
        client_id: &str,
        scopes: Vec<String>,
    ) -> Result<(ClientConfig, Observation), OAuthError> {
        let url = self.check_url(client_id)?;
        let (body, lifetime) = self.fetch(&url).await?;
        let client = registration(client_id, &body, scopes)?;
        let cached = self.remember(client_id, lifetime);
        let note = Observation::detailed(
            Finding::ClientMetadataFetched,
            match cached {
                Some(lifetime) => format!(
                    "{client_id}: {} bytes, cached for {} s",
                    body.len(),
                    lifetime.as_secs()
                ),
                None => format!("{client_id}: {} bytes, not cached", body.len()),
            },
        );
        Ok((client, note))
    }

    /// Whether the document of `client_id` was fetched and is still fresh.
    pub(crate) fn fresh(&self, client_id: &str) -> bool {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .get(client_id)
            .is_some_and(|until| *until > Instant::now())
    }

    /// Caches the document of `client_id` for `lifetime` (capped), if it may be cached and
    /// there is room: the lifetime it is cached for.
    fn remember(&self, client_id: &str, lifetime: Option<Duration>) -> Option<Duration> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        cache.retain(|_, until| *until > now);
        let Some(lifetime) = lifetime.filter(|l| !l.is_zero()) else {
            cache.remove(client_id);
            return None;
        };
        if cache.len() >= MAX_CACHED && !cache.contains_key(client_id) {
            return None;
        }
        let lifetime = lifetime.min(MAX_CACHE_LIFETIME);
        cache.insert(client_id.to_owned(), now + lifetime);
        Some(lifetime)
    }

    /// The `client_id` as a URL the spec allows and the configuration lets the mock fetch.
    fn check_url(&self, client_id: &str) -> Result<url::Url, OAuthError> {
        let url = url::Url::parse(client_id)
            .map_err(|e| invalid(format!("the client_id {client_id:?} is no URL: {e}")))?;
        let host = url.host_str().unwrap_or("");
        let scheme_ok = url.scheme() == "https"
            || (self.plain_http && url.scheme() == "http" && oauth_vocab::is_loopback_host(host));
        if !scheme_ok {
            return Err(invalid(format!(
                "the client_id {client_id:?} must use the https scheme"
            )));
        }
        if url.path() == "/" {
            return Err(invalid(format!(
                "the client_id {client_id:?} must contain a path, e.g. /client.json"
            )));
        }
        if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(format!(
                "the client_id {client_id:?} must not carry a fragment or credentials"
            )));
        }
        if url.as_str() != client_id {
            return Err(invalid(format!(
                "the client_id {client_id:?} is not in normal form (dot segments, case, \
                 default port or encoding): it would name {:?}",
                url.as_str()
            )));
        }
        if !self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            return Err(invalid(format!(
                "the host {host:?} of the client_id is not one this server fetches metadata \
                 documents from (mcp.client_metadata_hosts)"
            )));
        }
        Ok(url)
    }

    /// GETs the document: status 200, at most [`MAX_DOCUMENT_BYTES`]; the body and how long
    /// it may be cached.
    async fn fetch(&self, url: &url::Url) -> Result<(Vec<u8>, Option<Duration>), OAuthError> {
        let unreachable =
            |e: reqwest::Error| invalid(format!("cannot fetch the metadata document {url}: {e}"));
        let mut response = self
            .http
            .get(url.as_str())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(unreachable)?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(invalid(format!(
                "the metadata document {url} answered {}, not 200",
                response.status()
            )));
        }
        let too_large = || {
            invalid(format!(
                "the metadata document {url} is larger than {MAX_DOCUMENT_BYTES} bytes"
            ))
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
        {
            return Err(too_large());
        }
        let lifetime = cache_lifetime(
            response
                .headers()
                .get(reqwest::header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
        );
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, lifetime))
    }
}

/// How long a response may be cached by its `Cache-Control` ([RFC 9111 §5.2.2]): its
/// `max-age`, unless `no-store` or `no-cache` says not at all; `None` without one.
///
/// [RFC 9111 §5.2.2]: https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2
fn cache_lifetime(cache_control: Option<&str>) -> Option<Duration> {
    let mut max_age = None;
    for directive in cache_control?.split(',') {
        let directive = directive.trim().to_ascii_lowercase();
        if directive == "no-store" || directive == "no-cache" {
            return None;
        }
        if let Some(seconds) = directive.strip_prefix("max-age=") {
            max_age = seconds
                .trim_matches('"')
                .parse()
                .ok()
                .map(Duration::from_secs);
        }
    }
    max_age
}

/// The registration a valid document makes: a public client (`none`) with the document's
/// redirect URIs, the `scopes` given, and PKCE S256.
fn registration(
    client_id: &str,
    body: &[u8],
    scopes: Vec<String>,
) -> Result<ClientConfig, OAuthError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| invalid(format!("the metadata document is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(invalid("the metadata document must be a JSON object"));
    }
    let doc: Document = serde_json::from_value(value)
        .map_err(|e| invalid(format!("the metadata document is malformed: {e}")))?;
    match doc.client_id.as_ref().and_then(|v| v.as_str()) {
        Some(id) if id == client_id => {}
        Some(id) => {
            return Err(invalid(format!(
                "the metadata document's client_id {id:?} differs from its URL {client_id:?}; \
                 they must match exactly"
            )));
        }
        None => return Err(invalid("the metadata document has no client_id string")),
    }
    if !doc.client_name.as_ref().is_some_and(|v| v.is_string()) {
        return Err(invalid("the metadata document has no client_name string"));
    }
    let redirect_uris = doc.redirect_uris.unwrap_or_default();
    if redirect_uris.is_empty() {
        return Err(invalid("the metadata document lists no redirect_uris"));
    }
    for uri in &redirect_uris {
        crate::redirect::validate_registered(uri)
            .map_err(|m| invalid(format!("the metadata document's redirect_uris: {m}")))?;
    }
    if doc.client_secret.is_some() {
        return Err(invalid(
            "the metadata document holds a client_secret: a published document has no secret",
        ));
    }
    match doc.token_endpoint_auth_method.as_deref() {
        None | Some("none") => {}
        Some(other) => {
            return Err(invalid(format!(
                "token_endpoint_auth_method {other:?}: this server takes metadata-document \
                 clients as public clients (none) only"
            )));
        }
    }
    let grant_types = match doc.grant_types {
        None => vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        Some(names) => names
            .iter()
            .map(|n| n.parse::<GrantType>())
            .collect::<Result<_, _>>()
            .map_err(|bad| invalid(format!("grant type {:?} is not supported", bad.0)))?,
    };
    Ok(ClientConfig {
        client_id: client_id.to_owned(),
        client_secret: None,
        redirect_uris,
        allowed_scopes: scopes,
        default_scopes: None,
        auth_method: AuthMethod::None,
        pkce: PkcePolicy::S256Required,
        grant_types,
    })
}

/// `invalid_client` with the finding `client.metadata_invalid` (the flow diagram's answer to a
/// document that fails validation).
fn invalid(description: impl Into<String>) -> OAuthError {
    let description = description.into();
    OAuthError::new(ErrorCode::InvalidClient, description.clone()).with_finding(
        Observation::detailed(Finding::ClientMetadataInvalid, description),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetcher(plain_http: bool) -> Fetcher {
        Fetcher::new(&McpConfig {
            client_id_metadata_documents: true,
            client_metadata_hosts: vec!["127.0.0.1".into()],
            client_metadata_plain_http: plain_http,
            ..McpConfig::default()
        })
        .unwrap()
        .unwrap()
    }

    #[test]
    fn only_https_urls_with_a_path_on_allowed_hosts_in_normal_form_are_fetched() {
        let f = fetcher(false);
        assert!(f.check_url("https://127.0.0.1/client.json").is_ok());
        for bad in [
            "https://127.0.0.1",
            "https://127.0.0.1/",
            "http://127.0.0.1/client.json",
            "https://127.0.0.1/a/../client.json",
            "https://127.0.0.1/client.json#x",
            "https://u:p@127.0.0.1/client.json",
            "https://mcp.example.test/client.json",
        ] {
            assert!(f.check_url(bad).is_err(), "{bad}");
        }
        assert!(fetcher(true).check_url("http://127.0.0.1/c.json").is_ok());
    }

    #[test]
    fn max_age_caches_unless_no_store_or_no_cache() {
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(cache_lifetime(Some("max-age=300")), secs(300));
        assert_eq!(cache_lifetime(Some("public, Max-Age=\"60\"")), secs(60));
        assert_eq!(cache_lifetime(Some("max-age=300, no-store")), None);
        assert_eq!(cache_lifetime(Some("no-cache")), None);
        assert_eq!(cache_lifetime(Some("public")), None);
        assert_eq!(cache_lifetime(None), None);
        let f = fetcher(false);
        assert_eq!(
            f.remember("https://a.test/c", secs(7200)),
            Some(MAX_CACHE_LIFETIME)
        );
        assert!(f.fresh("https://a.test/c"));
        assert_eq!(f.remember("https://a.test/c", None), None);
        assert!(!f.fresh("https://a.test/c"));
    }

    #[test]
    fn urls_name_documents_and_other_ids_do_not() {
        assert!(fetcher(false).names_document("HTTPS://a.test/c"));
        assert!(!fetcher(false).names_document("http://a.test/c"));
        assert!(fetcher(true).names_document("http://a.test/c"));
        assert!(!fetcher(true).names_document("gauntlet-client"));
    }
}
