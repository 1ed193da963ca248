//! The MCP client Gauntlet plays that is identified by a Client ID Metadata Document (MCP
//! authorization, client registration, 2025-11-25 and later): its `client_id` is the URL of a
//! JSON document of its metadata, which the authorization server fetches. For the embedded mock
//! Gauntlet hosts the document itself (loopback HTTPS, a throwaway CA the mock is told to
//! trust); for another server, `[server.mcp] client_metadata_document` names one the integrator
//! hosts, which is read and checked before the run.

use anyhow::{Context, bail};
use mock_provider::{AuthMethod, DocumentHost, ProviderConfig};
use serde_json::{Value, json};

use crate::provider::profile::Registration;

/// The loopback redirect URI Gauntlet's MCP clients register or list (never listened on; a
/// native client picks its port at request time, RFC 8252 §7.3).
pub const LOOPBACK_REDIRECT: &str = "http://127.0.0.1/callback";

/// Where Gauntlet's document is served on its host.
const DOCUMENT_PATH: &str = "/gauntlet/mcp-client.json";

/// The metadata of Gauntlet's MCP client, as it registers (RFC 7591) or publishes it: a public
/// native application with the loopback redirect URI, using the authorization-code and
/// refresh-token grants.
pub fn native_client_metadata() -> Value {
    json!({
        "client_name": "Gauntlet MCP client",
        "redirect_uris": [LOOPBACK_REDIRECT],
        "application_type": "native",
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
    })
}

/// Gauntlet's Client ID Metadata Document at `url`: its metadata, with `url` as `client_id`.
fn document(url: &str) -> Value {
    let mut document = native_client_metadata();
    document["client_id"] = url.into();
    document
}

/// For a mock that accepts metadata documents from `127.0.0.1` and trusts no CA file of its
/// own: hosts Gauntlet's document and has the mock trust the host's CA. `None` otherwise (the
/// scenarios that need a document are then not applicable).
pub async fn host_for_mock(config: &mut ProviderConfig) -> anyhow::Result<Option<DocumentHost>> {
    let mcp = &mut config.mcp;
    if !mcp.enabled
        || !mcp.client_id_metadata_documents
        || mcp.client_metadata_ca_file.is_some()
        || !mcp.client_metadata_hosts.iter().any(|h| h == "127.0.0.1")
    {
        return Ok(None);
    }
    let host = DocumentHost::start(DOCUMENT_PATH, document)
        .await
        .context("cannot host Gauntlet's Client ID Metadata Document")?;
    mcp.client_metadata_ca_file = Some(host.ca_file().to_owned());
    Ok(Some(host))
}

/// The client a document at `url` listing `redirect_uri` identifies: public, PKCE, `scope`.
pub fn registration(url: &str, redirect_uri: &str, scope: &str) -> Registration {
    Registration {
        client_id: url.to_owned(),
        client_secret: None,
        auth_method: AuthMethod::None,
        redirect_uri: redirect_uri.to_owned(),
        other_redirect_uris: Vec::new(),
        scope: scope.to_owned(),
        extra_params: Default::default(),
    }
}

/// Reads the integrator's document at `url` (`[server.mcp] client_metadata_document`) for the
/// redirect URI it lists first; a document that could not identify a client is an error naming
/// what to fix.
pub async fn read(http: &reqwest::Client, url: &str, max_body: usize) -> anyhow::Result<String> {
    let context = || format!("[server.mcp] client_metadata_document {url}");
    let parsed = url::Url::parse(url).with_context(context)?;
    if parsed.scheme() != "https" || parsed.path().len() < 2 || parsed.fragment().is_some() {
        bail!(
            "{}: a client_id that names a metadata document is an https URL with a path and no \
             fragment",
            context()
        );
    }
    let response = http.get(url).send().await.with_context(context)?;
    let status = response.status();
    if !status.is_success() {
        bail!("{}: answered {status}", context());
    }
    let body = crate::suite::body::read(response, max_body)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", context()))?;
    if body.cut_at.is_some() {
        bail!("{}: {}", context(), crate::suite::body::cut_note(max_body));
    }
    let document: Value = serde_json::from_str(&body.text)
        .map_err(|e| anyhow::anyhow!("{}: not JSON: {e}", context()))?;
    if document.get("client_id").and_then(Value::as_str) != Some(url) {
        bail!(
            "{}: its client_id must be exactly the document's URL",
            context()
        );
    }
    (document.get("redirect_uris").and_then(Value::as_array))
        .and_then(|uris| uris.first()?.as_str().map(str::to_owned))
        .with_context(|| format!("{}: it lists no redirect_uris", context()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_hosted_document_names_its_own_url_and_is_read_back() {
        let mut config = ProviderConfig::default();
        assert!(host_for_mock(&mut config).await.unwrap().is_none());
        config.mcp.enabled = true;
        config.mcp.client_id_metadata_documents = true;
        config.mcp.client_metadata_hosts = vec!["127.0.0.1".into()];
        let host = host_for_mock(&mut config).await.unwrap().unwrap();
        assert_eq!(
            config.mcp.client_metadata_ca_file.as_deref(),
            Some(host.ca_file())
        );
        let mut trust = crate::suite::tls::Trust::default();
        trust.add_pem(host.ca_pem().as_bytes(), "test").unwrap();
        let http = trust.client().build().unwrap();
        let redirect = read(&http, host.url(), 4096).await.unwrap();
        assert_eq!(redirect, LOOPBACK_REDIRECT);
        let elsewhere = host.url().replace(DOCUMENT_PATH, "/other.json");
        let missing = read(&http, &elsewhere, 4096).await.unwrap_err();
        assert!(missing.to_string().contains("404"), "{missing}");
    }
}
