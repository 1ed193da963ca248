//! [`StartError`]: why the platform did not start.

use std::net::SocketAddr;

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
    /// No client at the MCP server's authorization server: not the one the client is
    /// registered with, and no registration worked (MCP authorization, client registration).
    #[error("no client at the MCP server's authorization server: {reason}")]
    Registration {
        /// Why.
        reason: String,
    },
    /// The MCP server's authorization server could not be found (MCP authorization,
    /// "Authorization Server Discovery").
    #[error("the MCP server's authorization server could not be discovered: {reason}")]
    McpDiscovery {
        /// What went wrong.
        reason: String,
    },
    /// The MCP server's protected-resource metadata describes another resource
    /// ([RFC 9728 §3.3](https://www.rfc-editor.org/rfc/rfc9728#section-3.3)).
    #[error(
        "the MCP server's protected-resource metadata names resource {found:?}, not the server \
         {expected:?}: it must not be used (RFC 9728 §3.3)"
    )]
    McpResourceMismatch {
        /// The MCP server's URL.
        expected: String,
        /// The document's `resource`.
        found: Option<String>,
    },
    /// An endpoint is plain HTTP on a non-loopback host.
    #[error("{name} {url} is neither HTTPS nor loopback (RFC 6749 §3.1, §3.2)")]
    Insecure {
        /// Which URL.
        name: &'static str,
        /// The URL.
        url: String,
    },
    /// An HTTPS issuer's metadata names a plain-HTTP endpoint (a downgrade).
    #[error(
        "{name} {url} is plain HTTP, yet the issuer is https:// (a downgrade: codes and \
         credentials would travel in the clear; RFC 6749 §10.9)"
    )]
    Downgrade {
        /// Which URL.
        name: &'static str,
        /// The URL.
        url: String,
    },
}
