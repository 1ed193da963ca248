//! Where a URL leads, judged as a browser judges it: by its parsed origin (scheme, host, port;
//! [RFC 6454 §4](https://www.rfc-editor.org/rfc/rfc6454#section-4)), never by a string prefix.
//! `http://127.0.0.1:8080@example.com/` starts with `http://127.0.0.1:8080` but its host is
//! `example.com`; so does `http://127.0.0.1:80801/`, on another port. A URL carrying userinfo
//! (`user:pass@` before the host) is refused outright: no party Gauntlet tests has a reason to
//! send one, and it is the trick that hides a host behind what looks like another.

use url::Url;

/// Why a URL is not on the expected origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Off {
    /// It is no absolute URL.
    NoUrl,
    /// It carries userinfo before the host: [`Off::explain`] names the host it really leads to.
    Userinfo {
        /// The host the URL really leads to.
        host: String,
    },
    /// Another scheme, host or port.
    Elsewhere,
}

impl Off {
    /// The reason in words, for an explanation: `url` is the URL judged (as it may be shown).
    pub fn explain(&self, url: &str) -> String {
        match self {
            Self::NoUrl => format!("{url} is no absolute URL"),
            Self::Userinfo { host } => format!(
                "{url} carries userinfo (user:pass@) before its host, the trick that makes a URL \
                 look like one origin while it leads to another (its host is {host}); Gauntlet \
                 does not follow such URLs"
            ),
            Self::Elsewhere => format!("{url} is on another origin (scheme, host or port)"),
        }
    }
}

/// `Ok` when `url` is on `base`'s origin (same scheme, host and port, no userinfo).
pub fn check(url: &str, base: &str) -> Result<Url, Off> {
    let url = Url::parse(url).map_err(|_| Off::NoUrl)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Off::Userinfo {
            host: url.host_str().unwrap_or_default().to_owned(),
        });
    }
    let base = Url::parse(base).map_err(|_| Off::Elsewhere)?;
    if url.origin() == base.origin() && url.origin().is_tuple() {
        Ok(url)
    } else {
        Err(Off::Elsewhere)
    }
}

/// Whether `url` is on `base`'s origin ([`check`]).
pub fn same(url: &str, base: &str) -> bool {
    check(url, base).is_ok()
}

/// Whether `url` is at `target`: on its origin ([`check`]) and with the same path, whatever
/// the query (e.g. a redirect to the redirect URI carrying `code` and `state`).
pub fn at(url: &str, target: &str) -> bool {
    match (check(url, target), Url::parse(target)) {
        (Ok(url), Ok(target)) => url.path() == target.path(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://platform.test:8080";

    #[test]
    fn the_same_origin_is_on_it_whatever_the_path() {
        assert!(same("http://platform.test:8080/link?x=1", BASE));
        assert!(same(
            "http://platform.test:8080",
            "http://platform.test:8080/app/"
        ));
        assert!(same("https://p.test/x", "https://p.test:443/"));
    }

    #[test]
    fn userinfo_that_looks_like_the_base_is_refused_and_named() {
        let off = check("http://platform.test:8080@example.com/", BASE).unwrap_err();
        assert_eq!(
            off,
            Off::Userinfo {
                host: "example.com".into()
            }
        );
        let why = off.explain("http://platform.test:8080@example.com/");
        assert!(
            why.contains("userinfo") && why.contains("example.com"),
            "{why}"
        );
        // Userinfo is refused even on the base's own host.
        assert!(!same("http://u:p@platform.test:8080/", BASE));
    }

    #[test]
    fn a_longer_host_sharing_the_prefix_is_elsewhere() {
        assert_eq!(
            check("http://platform.test:8080.evil.test/", BASE).unwrap_err(),
            Off::NoUrl,
            "a port followed by a host part does not parse as a URL"
        );
        assert_eq!(
            check("http://p.test.evil.test/", "http://p.test").unwrap_err(),
            Off::Elsewhere
        );
    }

    #[test]
    fn another_port_sharing_the_prefix_is_elsewhere() {
        assert_eq!(
            check("http://platform.test:80801/", BASE).unwrap_err(),
            Off::NoUrl,
            "port 80801 is out of range"
        );
        assert_eq!(
            check("http://platform.test:8081/", "http://platform.test:808").unwrap_err(),
            Off::Elsewhere
        );
    }

    #[test]
    fn another_scheme_is_elsewhere() {
        assert_eq!(
            check("https://platform.test:8080/", BASE).unwrap_err(),
            Off::Elsewhere
        );
        assert!(!same("ftp://platform.test:8080/", BASE));
    }

    /// A server on 127.0.0.1:0 whose `/go` redirects to `location(base)`; what the browser did.
    async fn redirected(location: impl Fn(&str) -> String) -> (Result<String, String>, usize) {
        use std::time::Duration;

        use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

        use crate::suite::browser::{Browser, Evidence};
        let server = MockServer::start().await;
        let base = server.uri();
        Mock::given(path("/go"))
            .respond_with(ResponseTemplate::new(302).insert_header("location", location(&base)))
            .mount(&server)
            .await;
        let evidence = Evidence::new(false);
        let browser = Browser::new(
            evidence.clone(),
            &base,
            Duration::from_secs(20),
            &crate::suite::tls::Trust::default(),
        );
        let reply = browser.get_on_platform(&format!("{base}/go")).await;
        let requests = server.received_requests().await.unwrap_or_default().len();
        assert_eq!(evidence.exchanges().len(), requests);
        (reply.map(|r| r.url), requests)
    }

    #[tokio::test]
    async fn the_browser_refuses_a_redirect_with_userinfo_and_names_the_trick() {
        let (reply, requests) = redirected(|base| format!("{base}@example.com/")).await;
        let error = reply.expect_err("a redirect with userinfo is refused");
        assert!(
            error.contains("userinfo") && error.contains("its host is example.com"),
            "{error}"
        );
        assert_eq!(requests, 1);
    }

    #[tokio::test]
    async fn the_browser_stays_put_on_redirects_that_only_start_like_the_platform() {
        for trick in [
            |base: &str| format!("{base}.evil.test/"),
            |base: &str| format!("{base}1/"),
            |base: &str| format!("{}/", base.replace("http://", "https://")),
        ] {
            let (reply, requests) = redirected(trick).await;
            assert!(
                reply
                    .expect("not followed, the redirect is the answer")
                    .ends_with("/go")
            );
            assert_eq!(requests, 1, "{}", trick("http://127.0.0.1:PORT"));
        }
    }

    #[tokio::test]
    async fn the_browser_follows_a_redirect_on_the_platform() {
        let (reply, requests) = redirected(|base| format!("{base}/go?again")).await;
        assert!(
            reply.is_err(),
            "a loop of redirects on the platform is cut at 10 hops"
        );
        assert_eq!(requests, 11);
    }

    #[test]
    fn at_needs_the_same_path_and_ignores_the_query() {
        let redirect_uri = "https://client.gauntlet.test/callback";
        assert!(at(
            "https://client.gauntlet.test/callback?code=c",
            redirect_uri
        ));
        assert!(!at(
            "https://client.gauntlet.test/callback.evil/?code=c",
            redirect_uri
        ));
        assert!(!at(
            "https://client.gauntlet.test@evil.test/callback?code=c",
            redirect_uri
        ));
        assert!(!at(
            "https://client.gauntlet.test.evil.test/callback",
            redirect_uri
        ));
    }
}
