//! Why a mock provider could not start.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::config::ConfigError;

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
    /// The TLS certificates or the TLS configuration could not be made (`tls = true`).
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// `plain_token_endpoint` without `tls`: a downgrade needs an HTTPS issuer to downgrade.
    #[error(
        "plain_token_endpoint needs tls = true: it names a plain-HTTP token endpoint in the \
         metadata of an HTTPS issuer (a downgrade), which means nothing when the whole provider \
         is plain HTTP; set tls = true (--tls) or drop plain_token_endpoint"
    )]
    PlainWithoutTls,
    /// The Client ID Metadata Document fetcher could not be made (`mcp.client_metadata_ca_file`).
    #[error("cannot set up metadata-document fetches: {0}")]
    ClientMetadata(String),
    /// The CA certificate could not be written (`tls = true`).
    #[error("cannot write the CA certificate to {path}: {source}")]
    CaFile {
        /// The file, or the temporary directory it was to be made in.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}
