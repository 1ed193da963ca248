//! HTTPS for the mock (`tls = true`): a throwaway CA made at start-up, a leaf certificate it
//! signs for the provider's names, the CA's PEM written where a client can trust it, and the
//! rustls acceptor (ring, HTTP/1.1 by ALPN) that wraps each accepted connection.
//!
//! Both keys are ECDSA P-256, fast to generate, and live only in memory: the CA can sign nothing
//! after the provider stops, so trusting its file is safe for as long as the file lives.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, SanType,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::start_error::StartError;

/// The CA certificate's common name, to tell it apart in a trust store.
const CA_NAME: &str = "Gauntlet mock provider throwaway CA";

/// A provider's TLS: the acceptor, and the CA a client must trust.
pub(crate) struct Tls {
    acceptor: TlsAcceptor,
    ca_pem: String,
    ca_file: PathBuf,
    /// The temporary directory holding `ca_file` when no `tls_ca_file` was set; removed when
    /// the provider is dropped.
    _dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

impl Tls {
    /// Makes the CA and the leaf for `listen` and the extra `hosts` (`host:port` entries of
    /// `admin.hosts`), writes the CA to `ca_file` (or a fresh temporary directory), and builds
    /// the acceptor.
    pub(crate) fn generate(
        listen: IpAddr,
        hosts: &[String],
        ca_file: Option<&Path>,
    ) -> Result<Self, StartError> {
        let failed =
            |what: &str, e: &dyn std::fmt::Display| StartError::Tls(format!("{what}: {e}"));
        let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
            .map_err(|e| failed("cannot generate the CA key", &e))?;
        let ca_params = ca_params();
        let ca_cert = ca_params
            .self_signed(&ca_key)
            .map_err(|e| failed("cannot sign the CA certificate", &e))?;
        let issuer = Issuer::new(ca_params, ca_key);

        let leaf_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
            .map_err(|e| failed("cannot generate the server key", &e))?;
        let leaf_cert = leaf_params(listen, hosts)?
            .signed_by(&leaf_key, &issuer)
            .map_err(|e| failed("cannot sign the server certificate", &e))?;

        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        // rustls marks ring's provider deprecated for want of post-quantum key exchange, which a
        // throwaway loopback CA does not need; ring spares the build aws-lc-rs's C toolchain.
        #[allow(deprecated)]
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| failed("cannot configure rustls", &e))?
            .with_no_client_auth()
            .with_single_cert(vec![leaf_cert.der().clone()], key)
            .map_err(|e| failed("rustls refuses the server certificate", &e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];

        let ca_pem = ca_cert.pem();
        let (ca_file, dir) = write_ca(&ca_pem, ca_file)?;
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            ca_pem,
            ca_file,
            _dir: dir,
        })
    }

    /// The acceptor that wraps each connection.
    pub(crate) fn acceptor(&self) -> TlsAcceptor {
        self.acceptor.clone()
    }

    /// The CA certificate, PEM.
    pub(crate) fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Where the CA certificate was written.
    pub(crate) fn ca_file(&self) -> &Path {
        &self.ca_file
    }
}

/// A CA that may sign server certificates only (path length 0).
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, CA_NAME);
    params.distinguished_name = name;
    params
}

/// The server certificate's parameters: a TLS server, named for every address and host.
fn leaf_params(listen: IpAddr, hosts: &[String]) -> Result<CertificateParams, StartError> {
    let mut params = CertificateParams::default();
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "localhost");
    params.distinguished_name = name;
    params.subject_alt_names = subject_alt_names(listen, hosts)?;
    Ok(params)
}

/// The names the certificate is valid for: the listening address (unless it is a wildcard),
/// the loopback addresses, `localhost`, and each host of `admin.hosts` without its port.
fn subject_alt_names(listen: IpAddr, hosts: &[String]) -> Result<Vec<SanType>, StartError> {
    let mut ips = BTreeSet::from([
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ]);
    if !listen.is_unspecified() {
        ips.insert(listen.to_canonical());
    }
    let mut names = BTreeSet::from(["localhost".to_owned()]);
    for entry in hosts {
        let host = host_of(entry);
        match host.parse::<IpAddr>() {
            Ok(ip) => {
                ips.insert(ip);
            }
            Err(_) => {
                names.insert(host.to_ascii_lowercase());
            }
        }
    }
    let mut sans: Vec<SanType> = ips.into_iter().map(SanType::IpAddress).collect();
    for name in names {
        let dns = name.as_str().try_into().map_err(|e| {
            StartError::Tls(format!(
                "admin.hosts: {name:?} cannot be a certificate name: {e}"
            ))
        })?;
        sans.push(SanType::DnsName(dns));
    }
    Ok(sans)
}

/// The host of a `host:port`, `[v6]:port` or bare host entry.
fn host_of(entry: &str) -> &str {
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            host
        }
        _ => entry,
    }
}

/// Writes the CA's PEM to `path`, or to `ca.pem` in a fresh temporary directory (returned, to be
/// kept for as long as the file is needed).
fn write_ca(
    pem: &str,
    path: Option<&Path>,
) -> Result<(PathBuf, Option<tempfile::TempDir>), StartError> {
    let (path, dir) = match path {
        Some(path) => (path.to_path_buf(), None),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("mock-provider-ca-")
                .tempdir()
                .map_err(|source| StartError::CaFile {
                    path: std::env::temp_dir(),
                    source,
                })?;
            (dir.path().join("ca.pem"), Some(dir))
        }
    };
    std::fs::write(&path, pem).map_err(|source| StartError::CaFile {
        path: path.clone(),
        source,
    })?;
    Ok((path, dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_loses_its_port_but_keeps_its_brackets_meaning() {
        assert_eq!(host_of("mock.lan:9090"), "mock.lan");
        assert_eq!(host_of("[fe80::1]:9090"), "fe80::1");
        assert_eq!(host_of("mock.lan"), "mock.lan");
        assert_eq!(host_of("::1"), "::1");
    }

    #[test]
    fn the_certificate_names_loopback_localhost_the_address_and_admin_hosts() {
        let listen: IpAddr = "127.0.0.2".parse().unwrap();
        let sans =
            subject_alt_names(listen, &["Mock.LAN:9090".into(), "[fe80::1]:1".into()]).unwrap();
        let ip = |s: &str| SanType::IpAddress(s.parse().unwrap());
        let dns = |s: &str| SanType::DnsName(s.try_into().unwrap());
        for expected in [
            ip("127.0.0.1"),
            ip("127.0.0.2"),
            ip("::1"),
            ip("fe80::1"),
            dns("localhost"),
            dns("mock.lan"),
        ] {
            assert!(
                sans.contains(&expected),
                "{expected:?} missing from {sans:?}"
            );
        }
    }

    #[test]
    fn a_wildcard_address_is_not_a_name() {
        let sans = subject_alt_names(IpAddr::V4(Ipv4Addr::UNSPECIFIED), &[]).unwrap();
        assert!(!sans.contains(&SanType::IpAddress(IpAddr::V4(Ipv4Addr::UNSPECIFIED))));
    }

    #[test]
    fn the_ca_is_written_to_a_temporary_file_removed_with_the_provider() {
        let tls = Tls::generate(IpAddr::V4(Ipv4Addr::LOCALHOST), &[], None).unwrap();
        let file = tls.ca_file().to_path_buf();
        let written = std::fs::read_to_string(&file).unwrap();
        assert_eq!(written, tls.ca_pem());
        assert!(written.starts_with("-----BEGIN CERTIFICATE-----"));
        drop(tls);
        assert!(!file.exists());
    }
}
