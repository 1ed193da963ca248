//! Why a TLS connection failed, in words: the one reading of a rustls error that the harness
//! and the reference platform share (the host and the advice are theirs to add).

use std::error::Error as StdError;

use rustls::CertificateError;

/// A TLS failure found in an error's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFailure {
    /// What went wrong, e.g. "it is signed by a CA this run does not trust".
    pub problem: String,
    /// Whether the peer's certificate was refused (rather than the handshake failing).
    pub certificate: bool,
}

/// The TLS failure behind `error`, if there is one in its chain; `truster` names who refused
/// an unknown issuer ("this run", "the platform").
pub fn tls_failure(error: &(dyn StdError + 'static), truster: &str) -> Option<TlsFailure> {
    let rustls_error = chain(error).find_map(|e| e.downcast_ref::<rustls::Error>())?;
    Some(describe(rustls_error, truster))
}

/// The error and its sources, looking inside `io::Error`s (whose `source` skips the error
/// they wrap, which is where rustls's error sits).
fn chain<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    let mut next = Some(error);
    std::iter::from_fn(move || {
        let current = next?;
        next = match current.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => current.source(),
        };
        Some(current)
    })
}

/// A rustls error in words.
fn describe(error: &rustls::Error, truster: &str) -> TlsFailure {
    let certificate = |problem: String| TlsFailure {
        problem,
        certificate: true,
    };
    let fixed = |why: &str| certificate(why.to_owned());
    match error {
        rustls::Error::InvalidCertificate(e) => match e {
            CertificateError::UnknownIssuer => {
                certificate(format!("it is signed by a CA {truster} does not trust"))
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                fixed("it is not valid for this host name")
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                fixed("it has expired")
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                fixed("it is not valid yet")
            }
            CertificateError::Revoked => fixed("it has been revoked"),
            CertificateError::BadSignature => fixed("its signature does not verify"),
            CertificateError::BadEncoding => fixed("it cannot be decoded"),
            other => certificate(format!("{other:?}")),
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            TlsFailure {
                problem: format!(
                    "the server's answer is not TLS ({error}); does it serve plain HTTP?"
                ),
                certificate: false,
            }
        }
        other => TlsFailure {
            problem: other.to_string(),
            certificate: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_issuer_names_who_does_not_trust_it() {
        let found = describe(
            &rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
            "the platform",
        );
        assert!(found.certificate);
        assert_eq!(
            found.problem,
            "it is signed by a CA the platform does not trust"
        );
    }

    #[test]
    fn the_chain_looks_inside_io_errors() {
        let inner = rustls::Error::InvalidCertificate(CertificateError::Expired);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, inner);
        let found = tls_failure(&io, "this run").expect("found inside the io::Error");
        assert_eq!(found.problem, "it has expired");
        assert!(found.certificate);
    }

    #[test]
    fn a_plain_error_is_no_tls_failure() {
        let io = std::io::Error::other("connection reset");
        assert_eq!(tls_failure(&io, "this run"), None);
    }
}
