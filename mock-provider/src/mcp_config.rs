//! The `[mcp]` table: the mock as an MCP server (Streamable HTTP, JSON-RPC 2.0) protected by its
//! own tokens, with RFC 9728 protected-resource metadata and RFC 8707 resource indicators at the
//! authorization and token endpoints. Off by default: a profile without the table behaves as if
//! MCP did not exist.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a `401` from the MCP endpoint carries in `WWW-Authenticate`
/// ([RFC 9728 §5.1](https://www.rfc-editor.org/rfc/rfc9728#section-5.1), RFC 6750 §3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum McpChallenge {
    /// `Bearer resource_metadata="…", scope="…"`: what MCP servers should send.
    #[default]
    Full,
    /// `Bearer resource_metadata="…"`, without the scope.
    NoScope,
    /// A bare `Bearer` challenge (clients must fall back to the well-known URLs).
    Bare,
    /// No `WWW-Authenticate` header at all.
    None,
}

/// The MCP server the mock serves beside its authorization server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct McpConfig {
    /// Serve the MCP endpoint and its metadata, and check `resource` at the authorization and
    /// token endpoints.
    pub enabled: bool,
    /// The MCP endpoint's path (POST JSON-RPC); its absolute URL is the resource identifier.
    pub path: String,
    /// The tenant whose issuer is the MCP server's authorization server (`{base}/t/{tenant}`,
    /// an issuer with a path); the root issuer when absent. Tokens of other issuers are refused.
    pub tenant: Option<String>,
    /// More resource identifiers the authorization server issues tokens for, besides the MCP
    /// endpoint's URL (absolute URIs without fragment). The MCP endpoint refuses their tokens.
    pub extra_resources: Vec<String>,
    /// Refuse an authorization or token request without `resource` (`invalid_target`); by
    /// default it is only noted (`resource.missing`).
    pub require_resource: bool,
    /// The scopes every MCP request needs, challenged in the 401 and listed in
    /// `scopes_supported`.
    pub scopes: Vec<String>,
    /// The scopes each tool needs besides [`McpConfig::scopes`]; a call without them is a 403
    /// `insufficient_scope` naming them. Tools: `whoami`, `echo`.
    pub tool_scopes: BTreeMap<String, Vec<String>>,
    /// What a 401 says in `WWW-Authenticate`.
    pub challenge: McpChallenge,
    /// Serve the protected-resource metadata at the path-aware well-known URL
    /// (`/.well-known/oauth-protected-resource{path}`, RFC 9728 §3.1).
    pub metadata_at_path: bool,
    /// Serve it at the root well-known URL (`/.well-known/oauth-protected-resource`).
    pub metadata_at_root: bool,
    /// The `resource` the protected-resource metadata names instead of the endpoint's URL: a
    /// server whose metadata describes another resource, which a client must not use
    /// ([RFC 9728 §3.3](https://www.rfc-editor.org/rfc/rfc9728#section-3.3)). For client tests.
    pub metadata_resource: Option<String>,
    /// Accept Client ID Metadata Documents (MCP authorization, client registration): advertise
    /// `client_id_metadata_document_supported`, and fetch the document an authorization
    /// request's `client_id` names when it is an `https` URL with a path
    /// ([`crate::client_metadata`]).
    pub client_id_metadata_documents: bool,
    /// The hosts (as the URL writes them, e.g. `127.0.0.1`, `[::1]`, `localhost`) documents
    /// may be fetched from; a `client_id` on any other host is refused unfetched.
    pub client_metadata_hosts: Vec<String>,
    /// A PEM file of CA certificates trusted for document fetches besides the web PKI, e.g.
    /// the CA of a test's loopback HTTPS server.
    pub client_metadata_ca_file: Option<std::path::PathBuf>,
    /// Test-only allowance, off by default: also accept `http://` `client_id` URLs on a loopback
    /// host, for a client under test that cannot serve HTTPS. The spec requires `https`.
    pub client_metadata_plain_http: bool,
    /// An access token the mock holds from start-up as issued for the MCP endpoint (its
    /// audience, the endpoint's issuer, the first client, the first user and
    /// [`McpConfig::scopes`]) that has already expired: what a provider suite presents to see
    /// an expired token refused. For provider tests.
    pub expired_token: Option<String>,
}

/// The tools the MCP endpoint offers.
pub(crate) const TOOLS: [&str; 2] = ["whoami", "echo"];

impl Default for McpConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            path: "/mcp".into(),
            tenant: None,
            extra_resources: Vec::new(),
            require_resource: false,
            scopes: vec!["read".into()],
            tool_scopes: BTreeMap::from([("whoami".into(), vec!["profile".into()])]),
            challenge: McpChallenge::Full,
            metadata_at_path: true,
            metadata_at_root: true,
            metadata_resource: None,
            client_id_metadata_documents: false,
            client_metadata_hosts: Vec::new(),
            client_metadata_ca_file: None,
            client_metadata_plain_http: false,
            expired_token: None,
        }
    }
}

impl McpConfig {
    /// Checks the path, the extra resources and the tools, naming the key at fault.
    pub(crate) fn validate(&self) -> Result<(), (String, String)> {
        let bad = |key: &str, message: &str| Err((format!("mcp.{key}"), message.to_owned()));
        let path = &self.path;
        if path.len() < 2
            || !path.starts_with('/')
            || path.starts_with("/_admin")
            || path.starts_with("/t/")
            || path.starts_with("/.well-known")
            || path.ends_with('/')
            || path.contains(['{', '}', '*', '?', '#'])
        {
            return bad(
                "path",
                "must be a path like /mcp: not '/', no trailing '/', placeholder, query or \
                 fragment, and not under /_admin, /t/ or /.well-known",
            );
        }
        for (i, resource) in self.extra_resources.iter().enumerate() {
            if malformed_resource(resource).is_some() {
                return bad(
                    &format!("extra_resources[{i}]"),
                    "must be an absolute URI without fragment",
                );
            }
        }
        if self
            .metadata_resource
            .as_deref()
            .is_some_and(|r| malformed_resource(r).is_some())
        {
            return bad(
                "metadata_resource",
                "must be an absolute URI without fragment",
            );
        }
        if let Some(tenant) = &self.tenant
            && (tenant.is_empty() || tenant.contains(['/', '?', '#', '%']))
        {
            return bad("tenant", "must be one non-empty path segment");
        }
        for (tool, scopes) in &self.tool_scopes {
            if !TOOLS.contains(&tool.as_str()) {
                return bad(
                    &format!("tool_scopes.{tool}"),
                    "names no tool (whoami, echo)",
                );
            }
            if scopes
                .iter()
                .chain(&self.scopes)
                .any(|s| !is_scope_token(s))
            {
                return bad(&format!("tool_scopes.{tool}"), "holds a malformed scope");
            }
        }
        if self.scopes.iter().any(|s| !is_scope_token(s)) {
            return bad("scopes", "holds a malformed scope");
        }
        for (i, host) in self.client_metadata_hosts.iter().enumerate() {
            if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
                return bad(
                    &format!("client_metadata_hosts[{i}]"),
                    "must be a host as a URL writes it, e.g. 127.0.0.1 or [::1]",
                );
            }
        }
        if let Some(token) = &self.expired_token
            && (token.len() < 8
                || token.len() > 256
                || !token
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\'))
        {
            return bad(
                "expired_token",
                "must be 8 to 256 visible ASCII characters, without quotes or backslashes",
            );
        }
        Ok(())
    }
}

/// Why `value` is no valid resource indicator ([RFC 8707 §2](https://www.rfc-editor.org/rfc/rfc8707#section-2):
/// an absolute URI without fragment), if it is none.
pub(crate) fn malformed_resource(value: &str) -> Option<&'static str> {
    if value.contains('#') {
        Some("it has a fragment")
    } else if value.trim() != value || value.contains(char::is_control) {
        Some("it has whitespace or control characters")
    } else if url::Url::parse(value).is_err() {
        Some("it is not an absolute URI")
    } else {
        None
    }
}

/// A scope token: one or more printable ASCII characters but space, `"` and `\`
/// ([RFC 6749 §3.3](https://www.rfc-editor.org/rfc/rfc6749#section-3.3)).
fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_is_an_absolute_uri_without_fragment() {
        assert_eq!(malformed_resource("https://mcp.example.test/mcp"), None);
        assert_eq!(malformed_resource("https://mcp.example.test"), None);
        for bad in [
            "mcp.example.test",
            "/mcp",
            "https://mcp.example.test/mcp#x",
            "https://mcp.example.test/mcp#",
            " https://mcp.example.test",
        ] {
            assert!(malformed_resource(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn mcp_is_off_by_default() {
        assert!(!McpConfig::default().enabled);
        assert!(McpConfig::default().validate().is_ok());
    }

    #[test]
    fn bad_paths_resources_and_tools_are_refused_by_key() {
        for (config, key) in [
            (
                McpConfig {
                    path: "/".into(),
                    ..McpConfig::default()
                },
                "mcp.path",
            ),
            (
                McpConfig {
                    path: "/mcp/".into(),
                    ..McpConfig::default()
                },
                "mcp.path",
            ),
            (
                McpConfig {
                    extra_resources: vec!["https://a.test/x#f".into()],
                    ..McpConfig::default()
                },
                "mcp.extra_resources[0]",
            ),
            (
                McpConfig {
                    tool_scopes: BTreeMap::from([("rm".into(), vec![])]),
                    ..McpConfig::default()
                },
                "mcp.tool_scopes.rm",
            ),
            (
                McpConfig {
                    tenant: Some("a/b".into()),
                    ..McpConfig::default()
                },
                "mcp.tenant",
            ),
        ] {
            assert_eq!(config.validate().unwrap_err().0, key);
        }
    }
}
