//! How the MCP shape finds its authorization server at start ([MCP authorization], 2025-11-25,
//! "Authorization Server Discovery"): it opens a session with its MCP server without a token;
//! from the `401` it reads the `resource_metadata` URL of the challenge or, without one, tries
//! the path-aware well-known URL, then the root one ("in the order listed"); it checks that the
//! protected-resource metadata describes the server it called ([RFC 9728 §3.3]); and it reads
//! the metadata of the first authorization server the document names at the well-known URLs
//! MCP lists, OpenID Connect discovery's included ([`metadata::mcp_well_known_urls`]), which
//! must name that issuer (RFC 8414 §3.3) and list S256 ("MUST refuse to proceed" when `code_challenge_methods_supported` is
//! absent). The `resource` it then sends is the server's URL as configured, byte for byte. The
//! scopes it asks for besides its configured ones follow MCP's "Scope Selection Strategy"
//! (2025-11-25 and later): the challenge's `scope`, else the metadata's `scopes_supported`.
//!
//! [MCP authorization]: https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization
//! [RFC 9728 §3.3]: https://www.rfc-editor.org/rfc/rfc9728#section-3.3

use url::Url;

use crate::defects::{Defect, Defects};
use crate::mcp_rpc;
use crate::metadata::{self, Metadata};
use crate::probe::bearer_params;
use crate::start_error::StartError;

/// The well-known segment of protected-resource metadata (RFC 9728 §3.1).
const SEGMENT: &str = "/.well-known/oauth-protected-resource";

/// What discovery found.
#[derive(Debug)]
pub(crate) struct Discovered {
    /// The authorization server's metadata.
    pub(crate) metadata: Metadata,
    /// The `resource` to send in the authorization and token requests (RFC 8707 §2).
    pub(crate) resource: String,
    /// The scopes the server asks for: its challenge's `scope`, else the protected-resource
    /// metadata's `scopes_supported` (MCP authorization, "Scope Selection Strategy").
    pub(crate) scopes: Vec<String>,
}

/// Discovers the authorization server of the MCP server at `server`.
pub(crate) async fn discover(
    http: &reqwest::Client,
    server: &str,
    defects: &Defects,
) -> Result<Discovered, StartError> {
    let failed = |reason: String| StartError::McpDiscovery { reason };
    let server_url = Url::parse(server).map_err(|e| failed(format!("{server:?}: {e}")))?;
    let answer = mcp_rpc::initialize(http, server, None)
        .send()
        .await
        .map_err(|e| failed(format!("{server}: {}", crate::http::describe_transport(&e))))?;
    if answer.status() != reqwest::StatusCode::UNAUTHORIZED {
        return Err(failed(format!(
            "{server} answered HTTP {} to an initialize without a token, not 401: it asks for no \
             authorization",
            answer.status().as_u16()
        )));
    }
    let challenges: Vec<&str> = answer
        .headers()
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let hinted = challenges.iter().find_map(|c| resource_metadata(c));
    let challenged = challenges.iter().find_map(|c| bearer_param(c, "scope"));
    let mut failures = Vec::new();
    let mut document = None;
    for url in metadata_urls(&server_url, hinted.as_deref(), defects) {
        match metadata::fetch(http, &url).await {
            Ok(found) => {
                document = Some(found);
                break;
            }
            Err(reason) => failures.push(format!("{url}: {reason}")),
        }
    }
    let document = document.ok_or_else(|| {
        failed(format!(
            "no protected-resource metadata: {}",
            failures.join("; ")
        ))
    })?;
    let described = document.get("resource").and_then(|v| v.as_str());
    if described != Some(server) && !defects.has(Defect::PrmResourceUnchecked) {
        return Err(StartError::McpResourceMismatch {
            expected: server.to_owned(),
            found: described.map(str::to_owned),
        });
    }
    let issuer = document
        .get("authorization_servers")
        .and_then(|v| v.as_array())
        .and_then(|a| a.first())
        .and_then(|v| v.as_str())
        .ok_or_else(|| {
            failed("the protected-resource metadata names no authorization server".into())
        })?;
    let urls = metadata::mcp_well_known_urls(&metadata::parse_issuer(issuer)?, defects);
    let metadata = metadata::discover(http, issuer, Some(urls), defects).await?;
    let scopes: Vec<String> = match challenged {
        Some(scope) => scope.split(' ').map(str::to_owned).collect(),
        None => (document.get("scopes_supported").and_then(|v| v.as_array()))
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
    };
    let resource = if defects.has(Defect::ResourceTrailingSlash) {
        format!("{server}/")
    } else {
        server.to_owned()
    };
    Ok(Discovered {
        metadata,
        resource,
        scopes: (scopes.into_iter())
            .filter(|s| crate::config::is_scope_token(s))
            .collect(),
    })
}

/// The `resource_metadata` URL of a `Bearer` challenge, if it has one.
fn resource_metadata(challenge: &str) -> Option<String> {
    bearer_param(challenge, "resource_metadata")
}

/// The parameter `name` of a `Bearer` challenge, if it has one.
fn bearer_param(challenge: &str, name: &str) -> Option<String> {
    bearer_params(challenge)?
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

/// The protected-resource metadata URLs to try, in order: the challenge's, else the path-aware
/// well-known URL, then the root one (RFC 9728 §3.1). The `prm_from_root_only` and
/// `prm_root_first` defects get the order wrong.
fn metadata_urls(server: &Url, hinted: Option<&str>, defects: &Defects) -> Vec<Url> {
    if let Some(url) = hinted.and_then(|h| Url::parse(h).ok()) {
        return vec![url];
    }
    let mut root = server.clone();
    root.set_path(SEGMENT);
    root.set_query(None);
    let path = server.path().trim_end_matches('/');
    let mut path_aware = root.clone();
    path_aware.set_path(&format!("{SEGMENT}{path}"));
    if defects.has(Defect::PrmFromRootOnly) || path.is_empty() {
        vec![root]
    } else if defects.has(Defect::PrmRootFirst) {
        vec![root, path_aware]
    } else {
        vec![path_aware, root]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(defects: &str, hinted: Option<&str>) -> Vec<String> {
        let server = Url::parse("http://127.0.0.1:9/tools/mcp").unwrap();
        metadata_urls(&server, hinted, &defects.parse().unwrap())
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn the_challenge_wins_then_the_path_aware_url_then_the_root() {
        assert_eq!(
            urls("", Some("http://127.0.0.1:9/prm")),
            ["http://127.0.0.1:9/prm"]
        );
        assert_eq!(
            urls("", None),
            [
                "http://127.0.0.1:9/.well-known/oauth-protected-resource/tools/mcp",
                "http://127.0.0.1:9/.well-known/oauth-protected-resource",
            ]
        );
        assert_eq!(
            urls("prm_root_first", None),
            [
                "http://127.0.0.1:9/.well-known/oauth-protected-resource",
                "http://127.0.0.1:9/.well-known/oauth-protected-resource/tools/mcp",
            ]
        );
        assert_eq!(
            urls("prm_from_root_only", None),
            ["http://127.0.0.1:9/.well-known/oauth-protected-resource"]
        );
    }

    #[test]
    fn the_resource_metadata_parameter_is_read_from_the_challenge() {
        assert_eq!(
            resource_metadata(r#"Bearer resource_metadata="http://h/prm", scope="read""#)
                .as_deref(),
            Some("http://h/prm")
        );
        assert_eq!(
            bearer_param(
                r#"Bearer resource_metadata="http://h/prm", scope="read x""#,
                "scope"
            )
            .as_deref(),
            Some("read x")
        );
        assert_eq!(resource_metadata("Bearer"), None);
        assert_eq!(resource_metadata(r#"Basic realm="x""#), None);
    }
}
