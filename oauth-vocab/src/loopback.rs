//! Loopback hosts: where plain `http://` is allowed for redirect URIs and local endpoints
//! ([RFC 8252 §7.3, §8.3](https://www.rfc-editor.org/rfc/rfc8252#section-8.3)).

use std::net::IpAddr;

/// Whether `host` — a URL's host as `url::Url::host_str` gives it (`127.0.0.1`, `[::1]`,
/// `localhost`) — is a loopback address or `localhost`.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn loopback_addresses_and_localhost_only() {
        for host in [
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
            "::1",
            "localhost",
            "LocalHost",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "10.0.0.1",
            "[::2]",
            "localhost.example",
            "platform.test",
            "",
            "[127.0.0.1",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
