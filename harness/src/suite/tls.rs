//! TLS for every client the harness builds: rustls with the web PKI roots, plus the CAs a
//! run is told to trust (`--ca-file`, a profile's `ca_file`, the mock's own throwaway CA), and
//! the words for a refused certificate (which host, which problem, how to trust a test CA).

use std::fmt;
use std::path::{Path, PathBuf};

/// The certificates a run trusts beyond the web PKI roots.
#[derive(Clone, Default)]
pub struct Trust {
    extra: Vec<reqwest::Certificate>,
    /// Where each added CA came from, for messages: file paths or "the mock provider's CA".
    sources: Vec<String>,
}

impl fmt::Debug for Trust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trust")
            .field("sources", &self.sources)
            .finish()
    }
}

/// A CA file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// It cannot be read.
    #[error("cannot read the CA file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It holds no PEM certificate, or a broken one.
    #[error(
        "the CA file {source_name} holds no usable PEM certificate (`-----BEGIN CERTIFICATE-----` \
         blocks expected): {why}"
    )]
    Pem {
        /// The file (or what the PEM came from).
        source_name: String,
        /// What the parser said.
        why: String,
    },
}

impl Trust {
    /// Trusts the web PKI roots and every certificate in each of `files` (PEM, one or more
    /// `CERTIFICATE` blocks a file).
    pub fn from_files<P: AsRef<Path>>(files: &[P]) -> Result<Self, TrustError> {
        let mut trust = Self::default();
        for path in files {
            trust.add_file(path.as_ref())?;
        }
        Ok(trust)
    }

    /// Adds the certificates of a PEM file.
    pub fn add_file(&mut self, path: &Path) -> Result<(), TrustError> {
        let pem = std::fs::read(path).map_err(|source| TrustError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.add_pem(&pem, &path.display().to_string())
    }

    /// Adds the certificates of a PEM document; `source` names it in messages.
    pub fn add_pem(&mut self, pem: &[u8], source: &str) -> Result<(), TrustError> {
        let broken = |why: String| TrustError::Pem {
            source_name: source.to_owned(),
            why,
        };
        let certificates =
            reqwest::Certificate::from_pem_bundle(pem).map_err(|e| broken(e.to_string()))?;
        if certificates.is_empty() {
            return Err(broken("none found".to_owned()));
        }
        self.extra.extend(certificates);
        self.sources.push(source.to_owned());
        Ok(())
    }

    /// Where the trusted extra CAs came from.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// A client builder that speaks TLS with rustls and trusts the web PKI roots and these
    /// CAs. Every HTTP client of the harness starts here.
    pub fn client(&self) -> reqwest::ClientBuilder {
        self.extra.iter().cloned().fold(
            reqwest::Client::builder().use_rustls_tls(),
            reqwest::ClientBuilder::add_root_certificate,
        )
    }
}

/// A TLS failure found in a request error: the host and what went wrong, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsProblem {
    /// The host (and port) the request went to.
    pub host: String,
    /// What went wrong, e.g. "its certificate is signed by a CA this run does not trust".
    pub problem: String,
    /// Whether the certificate itself was refused (rather than the handshake failing).
    pub certificate: bool,
}

/// How a [`TlsProblem`]'s words begin: a refused certificate, a failed handshake.
const OPENINGS: [&str; 2] = ["the TLS certificate of ", "the TLS handshake with "];

/// Whether `text` carries a [`TlsProblem`]'s words (an explanation built on one).
pub(crate) fn mentions_problem(text: &str) -> bool {
    OPENINGS.iter().any(|opening| text.contains(opening))
}

impl fmt::Display for TlsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [certificate, handshake] = OPENINGS;
        if self.certificate {
            write!(
                f,
                "{certificate}{} was refused: {}; if the server uses a test CA, trust \
                 it with --ca-file PATH (or `ca_file` in the profile; a PEM file with the CA \
                 certificate)",
                self.host, self.problem
            )
        } else {
            write!(f, "{handshake}{} failed: {}", self.host, self.problem)
        }
    }
}

/// The TLS problem behind a failed request, if that is why it failed.
pub fn problem(error: &reqwest::Error) -> Option<TlsProblem> {
    let host = error.url().map_or_else(
        || "the server".to_owned(),
        |url| match (url.host_str(), url.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            _ => url.to_string(),
        },
    );
    let found = oauth_vocab::tls_failure(error, "this run")?;
    Some(TlsProblem {
        host,
        problem: found.problem,
        certificate: found.certificate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_certificates_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let error = Trust::from_files(&[&path]).unwrap_err().to_string();
        assert!(error.contains("empty.pem"), "{error}");
        assert!(error.contains("no usable PEM certificate"), "{error}");
        let missing = Trust::from_files(&[dir.path().join("missing.pem")])
            .unwrap_err()
            .to_string();
        assert!(missing.starts_with("cannot read the CA file"), "{missing}");
    }

    #[test]
    fn an_unknown_issuer_names_the_host_and_how_to_trust_a_test_ca() {
        let shown = TlsProblem {
            host: "as.example:443".into(),
            problem: "it is signed by a CA this run does not trust".into(),
            certificate: true,
        }
        .to_string();
        assert!(shown.contains("as.example:443"), "{shown}");
        assert!(shown.contains("--ca-file"), "{shown}");
        assert!(mentions_problem(&shown));
        assert!(!mentions_problem(
            "the server answered 500 to POST https://as.example/token"
        ));
    }

    #[tokio::test]
    async fn a_tls_mock_is_refused_until_its_ca_is_trusted() {
        let mock = mock_provider::MockProvider::builder()
            .tls(true)
            .start()
            .await
            .unwrap();
        let url = format!("{}/.well-known/oauth-authorization-server", mock.uri());
        let untrusted = Trust::default().client().build().unwrap();
        let error = untrusted.get(&url).send().await.unwrap_err();
        let found = problem(&error).expect("a TLS problem is found in the error");
        assert!(found.certificate, "{found}");
        assert_eq!(
            found.problem,
            "it is signed by a CA this run does not trust"
        );
        let pem = mock.ca_pem().expect("a TLS mock has a CA");
        let mut trust = Trust::default();
        trust
            .add_pem(pem.as_bytes(), "the mock provider's CA")
            .unwrap();
        let answer = trust
            .client()
            .build()
            .unwrap()
            .get(&url)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
}
