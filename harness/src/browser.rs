//! The simulated user agent: one cookie jar per user, redirects followed by hand so that every
//! hop is evidence, a timeout on every request, and secrets redacted as they are recorded.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mock_provider::{mask, redact_json_text, redact_uri};
use reqwest::redirect::Policy;

use crate::report::{Exchange, Party};

/// The exchanges of one scenario, shared by its browsers.
#[derive(Debug, Clone)]
pub struct Evidence {
    started: Instant,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    /// Raw URLs, headers and bodies the browser saw, for leak checks (never written out).
    seen: Arc<Mutex<Vec<String>>>,
    reveal: bool,
}

const BODY_LIMIT: usize = 4 * 1024;

impl Evidence {
    /// An empty record; `reveal` keeps secrets in clear.
    pub fn new(reveal: bool) -> Self {
        Self {
            started: Instant::now(),
            exchanges: Arc::default(),
            seen: Arc::default(),
            reveal,
        }
    }

    /// When the scenario started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Adds an exchange.
    pub fn push(&self, exchange: Exchange) {
        self.exchanges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(exchange);
    }

    /// Raw text the browser saw: every URL it requested, Location header and body.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn saw(&self, text: &str) {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(text.to_owned());
    }

    /// Everything recorded so far, in time order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        let mut all = self
            .exchanges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        all.sort_by_key(|e| e.at_ms);
        all
    }

    /// Milliseconds since the scenario started.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A URL as it may be shown.
    pub fn url(&self, url: &str) -> String {
        if self.reveal {
            url.to_owned()
        } else {
            redact_uri(url)
        }
    }

    /// A body as it may be shown, cut to a few KiB.
    pub fn body(&self, body: &str) -> Option<String> {
        if body.is_empty() {
            return None;
        }
        let shown = if self.reveal {
            body.to_owned()
        } else {
            redact_form(&redact_json_text(body))
        };
        Some(cut(&shown))
    }

    /// A header as it may be shown.
    pub fn header(&self, name: &str, value: &str) -> (String, String) {
        let value = match name.to_ascii_lowercase().as_str() {
            _ if self.reveal => value.to_owned(),
            "authorization" => match value.split_once(' ') {
                Some((scheme, secret)) => format!("{scheme} {}", mask(secret)),
                None => mask(value),
            },
            "cookie" | "set-cookie" => mask(value),
            "location" => redact_uri(value),
            _ => value.to_owned(),
        };
        (name.to_owned(), value)
    }
}

/// Redacts secret fields of a form-encoded body (by reusing the URI redaction on `?body`).
fn redact_form(body: &str) -> String {
    if body.contains('=') && !body.trim_start().starts_with(['{', '[', '<']) {
        redact_uri(&format!("?{body}"))[1..].to_owned()
    } else {
        body.to_owned()
    }
}

fn cut(text: &str) -> String {
    if text.len() <= BODY_LIMIT {
        return text.to_owned();
    }
    let mut end = BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes more)", &text[..end], text.len() - end)
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The URL requested.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// The Location header, if any.
    pub location: Option<String>,
    /// The body as text.
    pub body: String,
    /// Content-Type.
    pub content_type: String,
    /// Referrer-Policy, if any.
    pub referrer_policy: Option<String>,
}

/// One user's browser.
#[derive(Debug, Clone)]
pub struct Browser {
    client: reqwest::Client,
    evidence: Evidence,
    platform_base: String,
}

impl Browser {
    /// A fresh browser with an empty cookie jar.
    pub fn new(evidence: Evidence, platform_base: &str, timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .cookie_store(true)
            .timeout(timeout)
            .build()
            .expect("an HTTP client with defaults builds");
        Self {
            client,
            evidence,
            platform_base: platform_base.to_owned(),
        }
    }

    fn party(&self, url: &str) -> Party {
        if url.starts_with(&self.platform_base) {
            Party::Platform
        } else {
            Party::Provider
        }
    }

    /// Sends one request (no redirect followed) and records it.
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        body: Option<(&str, String)>,
    ) -> Result<Reply, String> {
        let method_value = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| format!("bad method {method}: {e}"))?;
        let mut request = self.client.request(method_value, url);
        let mut request_headers = Vec::new();
        if let Some((content_type, body)) = &body {
            request = request
                .header("content-type", *content_type)
                .body(body.clone());
            request_headers.push(self.evidence.header("content-type", content_type));
        }
        let at_ms = self.evidence.now_ms();
        let mut exchange = Exchange {
            at_ms,
            from: Party::Browser,
            to: self.party(url),
            method: method.to_owned(),
            url: self.evidence.url(url),
            request_headers,
            request_body: body.as_ref().and_then(|(_, b)| self.evidence.body(b)),
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            note: None,
        };
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                let why = describe(&error);
                exchange.note = Some(why.clone());
                self.evidence.push(exchange);
                return Err(format!("{method} {}: {why}", self.evidence.url(url)));
            }
        };
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header("location");
        let referrer_policy = header("referrer-policy");
        let content_type = header("content-type").unwrap_or_default();
        for name in [
            "location",
            "content-type",
            "set-cookie",
            "referrer-policy",
            "cache-control",
        ] {
            if let Some(value) = header(name) {
                exchange
                    .response_headers
                    .push(self.evidence.header(name, &value));
            }
        }
        let body = match response.text().await {
            Ok(body) => body,
            Err(error) => {
                exchange.status = Some(status);
                exchange.note = Some(describe(&error));
                self.evidence.push(exchange);
                return Err(format!(
                    "{method} {}: the body could not be read: {}",
                    self.evidence.url(url),
                    describe(&error)
                ));
            }
        };
        exchange.status = Some(status);
        exchange.response_body = self.evidence.body(&body);
        self.evidence.saw(url);
        self.evidence.saw(&body);
        if let Some(location) = &location {
            self.evidence.saw(location);
        }
        self.evidence.push(exchange);
        Ok(Reply {
            referrer_policy,
            url: url.to_owned(),
            status,
            location: location.map(|l| absolute(url, &l)),
            body,
            content_type,
        })
    }

    /// GETs a URL and follows redirects while they stay on the platform (at most 10 hops).
    pub async fn get_on_platform(&self, url: &str) -> Result<Reply, String> {
        let mut reply = self.send("GET", url, None).await?;
        for _ in 0..10 {
            match &reply.location {
                Some(next)
                    if (300..400).contains(&reply.status)
                        && next.starts_with(&self.platform_base) =>
                {
                    let next = next.clone();
                    reply = self.send("GET", &next, None).await?;
                }
                _ => return Ok(reply),
            }
        }
        Err(format!(
            "more than 10 redirects within the platform from {}",
            self.evidence.url(url)
        ))
    }
}

/// Resolves a Location header against the URL that sent it.
fn absolute(base: &str, location: &str) -> String {
    url::Url::parse(base)
        .and_then(|b| b.join(location))
        .map_or_else(|_| location.to_owned(), |u| u.to_string())
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer within the timeout (the platform hangs)".into()
    } else if error.is_connect() {
        "connection refused or reset (is the platform running?)".into()
    } else if error.is_redirect() {
        "redirect loop".into()
    } else if error.is_body() || error.is_decode() {
        "the response body could not be read".into()
    } else {
        let mut text = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            text.push_str(": ");
            text.push_str(&inner.to_string());
            source = inner.source();
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_unless_revealed() {
        let evidence = Evidence::new(false);
        assert!(!evidence.url("http://a/cb?code=abc&state=s").contains("abc"));
        assert!(
            !evidence
                .body("grant_type=x&code_verifier=v123&client_secret=s3")
                .unwrap()
                .contains("v123")
        );
        assert!(
            !evidence
                .body(r#"{"access_token":"at_1"}"#)
                .unwrap()
                .contains("at_1")
        );
        assert!(
            !evidence
                .header("Authorization", "Bearer at_1")
                .1
                .contains("at_1")
        );
        let revealed = Evidence::new(true);
        assert!(revealed.url("http://a/cb?code=abc").contains("abc"));
    }

    #[test]
    fn long_bodies_are_cut_on_a_char_boundary() {
        let text = "é".repeat(BODY_LIMIT);
        let cut = cut(&text);
        assert!(cut.ends_with("bytes more)"));
        assert!(cut.len() < text.len());
    }
}
