//! TLS handshakes that failed (`tls = true`): a client that refuses the mock's certificate
//! sends an alert (`unknown_ca`, `bad_certificate`) and never makes a request, so the journal,
//! which holds requests, cannot show it. This record can: the most recent failures, a count of
//! all of them, and a way to wait until every handshake begun has ended. It holds peers and
//! reasons only, never a byte of what was sent.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;
use tokio::sync::watch;
use tokio_rustls::rustls::{self, AlertDescription};

use crate::state::lock;

/// The most failures kept; older ones are counted only.
pub const MAX_HANDSHAKE_FAILURES: usize = 32;

/// A TLS handshake with the mock that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandshakeFailure {
    /// The client's address.
    pub peer: SocketAddr,
    /// Milliseconds since the provider started.
    pub elapsed_ms: u64,
    /// What went wrong, e.g. `the client refused the certificate (alert unknown_ca)`.
    pub reason: String,
    /// Whether the client refused the mock's certificate (an alert such as `unknown_ca` or
    /// `bad_certificate`): it does not trust the mock's CA.
    pub certificate_refused: bool,
    /// Whether the client closed the connection in the middle of the handshake without an
    /// alert. Node.js does this when it does not trust the certificate; so does a client that
    /// simply went away.
    pub closed_without_alert: bool,
}

/// The failed handshakes of one provider, bounded, and the handshakes still going on.
#[derive(Debug)]
pub(crate) struct Handshakes {
    started: Instant,
    failures: Mutex<(u64, VecDeque<HandshakeFailure>)>,
    in_progress: watch::Sender<usize>,
}

/// One handshake going on; it ends when dropped.
pub(crate) struct Going(Arc<Handshakes>);

impl Drop for Going {
    fn drop(&mut self) {
        self.0.in_progress.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Handshakes {
    /// An empty record for a provider that started at `started`.
    pub(crate) fn new(started: Instant) -> Self {
        Self {
            started,
            failures: Mutex::new((0, VecDeque::new())),
            in_progress: watch::Sender::new(0),
        }
    }

    /// A handshake begins; it is going on until the returned guard is dropped.
    pub(crate) fn begin(self: &Arc<Self>) -> Going {
        self.in_progress.send_modify(|n| *n += 1);
        Going(self.clone())
    }

    /// Records a handshake with `peer` that failed with `error` (the acceptor's).
    pub(crate) fn failed(&self, peer: SocketAddr, error: &std::io::Error) {
        let (reason, certificate_refused) = describe(error);
        let closed_without_alert = closed_early(error);
        let failure = HandshakeFailure {
            peer,
            elapsed_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            reason,
            certificate_refused,
            closed_without_alert,
        };
        let mut failures = lock(&self.failures);
        failures.0 += 1;
        if failures.1.len() == MAX_HANDSHAKE_FAILURES {
            failures.1.pop_front();
        }
        failures.1.push_back(failure);
    }

    /// The most recent failures (at most [`MAX_HANDSHAKE_FAILURES`]), oldest first, and how
    /// many failed in all.
    pub(crate) fn failures(&self) -> (u64, Vec<HandshakeFailure>) {
        let failures = lock(&self.failures);
        (failures.0, failures.1.iter().cloned().collect())
    }

    /// Waits until no handshake is going on (each ends when it completes, fails, or runs out
    /// of `limits.header_read_timeout_ms`).
    pub(crate) async fn settled(&self) {
        let mut going = self.in_progress.subscribe();
        let _ = going.wait_for(|n| *n == 0).await;
    }
}

/// A failed handshake in words, and whether the client refused the certificate.
fn describe(error: &std::io::Error) -> (String, bool) {
    let rustls_error = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::AlertReceived(alert)) => {
            let name = alert_name(*alert);
            let refused = matches!(
                alert,
                AlertDescription::UnknownCA
                    | AlertDescription::BadCertificate
                    | AlertDescription::CertificateUnknown
                    | AlertDescription::UnsupportedCertificate
                    | AlertDescription::CertificateExpired
                    | AlertDescription::CertificateRevoked
                    | AlertDescription::AccessDenied
                    // A signature that does not verify: the chain of another CA of the same
                    // name (another mock's); the mock's own handshake signatures are sound.
                    | AlertDescription::DecryptError
            );
            if refused {
                (
                    format!("the client refused the certificate (alert {name})"),
                    true,
                )
            } else {
                (
                    format!("the client ended the handshake (alert {name})"),
                    false,
                )
            }
        }
        Some(other) => (format!("the handshake failed: {other}"), false),
        None if error.kind() == std::io::ErrorKind::UnexpectedEof => (
            "the client closed the connection during the handshake".to_owned(),
            false,
        ),
        None => (format!("the handshake failed: {error}"), false),
    }
}

/// Whether the client closed or reset the connection during the handshake, without an alert.
fn closed_early(error: &std::io::Error) -> bool {
    let rustls_error = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    rustls_error.is_none()
        && matches!(
            error.kind(),
            std::io::ErrorKind::UnexpectedEof
                | std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
        )
}

/// An alert's name as the TLS registry spells it (`unknown_ca`).
fn alert_name(alert: AlertDescription) -> String {
    let debug = format!("{alert:?}");
    let mut name = String::new();
    let mut previous_lower = false;
    for c in debug.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            name.push('_');
        }
        previous_lower = c.is_ascii_lowercase();
        name.push(c.to_ascii_lowercase());
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_named_as_the_registry_spells_them() {
        assert_eq!(alert_name(AlertDescription::UnknownCA), "unknown_ca");
        assert_eq!(
            alert_name(AlertDescription::BadCertificate),
            "bad_certificate"
        );
    }

    #[test]
    fn a_refused_certificate_is_told_from_other_failures_and_the_record_is_bounded() {
        let handshakes = Handshakes::new(Instant::now());
        let peer: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let alert = |a| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                rustls::Error::AlertReceived(a),
            )
        };
        handshakes.failed(peer, &alert(AlertDescription::UnknownCA));
        handshakes.failed(peer, &alert(AlertDescription::ProtocolVersion));
        handshakes.failed(peer, &std::io::ErrorKind::UnexpectedEof.into());
        handshakes.failed(peer, &std::io::ErrorKind::ConnectionReset.into());
        let (total, failures) = handshakes.failures();
        assert_eq!(total, 4);
        assert!(failures[0].certificate_refused);
        assert!(failures[0].reason.contains("unknown_ca"), "{failures:?}");
        assert!(!failures[1].certificate_refused);
        // Closed without an alert (as Node.js does on a certificate it does not trust): told
        // apart, but not a refusal on record.
        assert_eq!(
            failures
                .iter()
                .map(|f| (f.certificate_refused, f.closed_without_alert))
                .collect::<Vec<_>>(),
            [(true, false), (false, false), (false, true), (false, true)]
        );
        for _ in 0..MAX_HANDSHAKE_FAILURES {
            handshakes.failed(peer, &alert(AlertDescription::UnknownCA));
        }
        let (total, failures) = handshakes.failures();
        assert_eq!(total, 4 + MAX_HANDSHAKE_FAILURES as u64);
        assert_eq!(failures.len(), MAX_HANDSHAKE_FAILURES);
    }
}
