//! The simulated user agent: one cookie jar per user, redirects followed by hand so that every
//! hop is evidence, a timeout on every request, and secrets redacted as they are recorded.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oauth_vocab::redact::{
    Redactor, SecretValues, mask, redact_header, redact_json_text, redact_uri,
};
use reqwest::cookie::{CookieStore as _, Jar};
use reqwest::redirect::Policy;

use super::tls::Trust;
use super::{body, concealed, origin};
use crate::report::{Exchange, Party};

/// The exchanges of one scenario, shared by its browsers.
#[derive(Debug, Clone)]
pub struct Evidence {
    started: Instant,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    /// Raw URLs, headers and bodies the browser saw, for leak checks (never written out).
    seen: Arc<Mutex<Vec<String>>>,
    /// Secrets known by value rather than by name (a chat link's confirmation code), masked
    /// wherever they appear in what is shown.
    concealed: Arc<Mutex<Vec<String>>>,
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
            concealed: Arc::default(),
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

    /// Everything recorded so far, in time order, with every concealed value masked.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges_concealing(&SecretValues::new())
    }

    /// Everything recorded so far, in time order, with every concealed value masked, and (unless
    /// secrets are revealed) every secret value in `known` or found in what the browser saw
    /// ([`concealed`]): a token a page printed, a CSRF token, an interaction id.
    pub fn exchanges_concealing(&self, known: &SecretValues) -> Vec<Exchange> {
        let mut all = self
            .exchanges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        all.sort_by_key(|e| e.at_us);
        let redactor = self.redactor(known);
        for exchange in &mut all {
            exchange.url = self.shown_with(&exchange.url, redactor.as_ref());
            for text in [
                &mut exchange.request_body,
                &mut exchange.response_body,
                &mut exchange.note,
            ]
            .into_iter()
            .flatten()
            {
                *text = self.shown_with(text, redactor.as_ref());
            }
            for (_, value) in exchange
                .request_headers
                .iter_mut()
                .chain(&mut exchange.response_headers)
            {
                *value = self.shown_with(value, redactor.as_ref());
            }
        }
        all
    }

    /// The redactor for `known` values and those found in what the browser saw; none when
    /// secrets are revealed.
    fn redactor(&self, known: &SecretValues) -> Option<Redactor> {
        (!self.reveal).then(|| concealed::redactor(known, &self.seen()))
    }

    /// Masks `value` wherever it appears in what is shown, in exchanges recorded before or
    /// after (unless secrets are revealed).
    pub fn conceal(&self, value: &str) {
        if !self.reveal && !value.is_empty() {
            self.concealed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(value.to_owned());
        }
    }

    /// `text` with every concealed value, and every secret value found in what the browser saw,
    /// masked.
    pub fn shown(&self, text: &str) -> String {
        self.shown_with(text, self.redactor(&SecretValues::new()).as_ref())
    }

    fn shown_with(&self, text: &str, redactor: Option<&Redactor>) -> String {
        let concealed = self.concealed.lock().unwrap_or_else(|e| e.into_inner());
        let text = concealed.iter().fold(text.to_owned(), |text, value| {
            text.replace(value, &mask(value))
        });
        match redactor {
            Some(redactor) => redactor.redact(&text),
            None => text,
        }
    }

    /// Microseconds since the scenario started.
    pub fn now_us(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// A `Cookie` header as it may be shown: each cookie's name, its value redacted.
    pub fn cookies(&self, value: &str) -> String {
        if self.reveal {
            return value.to_owned();
        }
        value
            .split(';')
            .map(|pair| match pair.trim().split_once('=') {
                Some((name, value)) => format!("{name}={}", mask(value)),
                None => mask(pair.trim()),
            })
            .collect::<Vec<_>>()
            .join("; ")
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

    /// A header as it may be shown. A `Set-Cookie` keeps the cookie's name and attributes.
    pub fn header(&self, name: &str, value: &str) -> (String, String) {
        let value = if self.reveal {
            value.to_owned()
        } else if name.eq_ignore_ascii_case("set-cookie")
            && let Some((cookie, attributes)) = value.split_once(';').or(Some((value, "")))
            && let Some((cookie_name, cookie_value)) = cookie.split_once('=')
        {
            let attributes = if attributes.is_empty() {
                String::new()
            } else {
                format!(";{attributes}")
            };
            format!("{cookie_name}={}{attributes}", mask(cookie_value))
        } else {
            redact_header(name, value)
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
    /// Every response header (lower-case names, values that are not text left out).
    pub headers: Vec<(String, String)>,
    /// The cap the body was cut at, when the answer's body was longer ([`body::read`]).
    pub cut_at: Option<usize>,
}

impl Reply {
    /// The first value of a response header (`name` in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// ` (the answer's body was cut at 1 MiB …)` when it was, else nothing: for explanations
    /// that quote the body.
    pub fn cut_note(&self) -> String {
        self.cut_at
            .map(|max| format!(" ({})", body::cut_note(max)))
            .unwrap_or_default()
    }
}

/// One user's browser.
#[derive(Debug, Clone)]
pub struct Browser {
    client: reqwest::Client,
    jar: Arc<Jar>,
    evidence: Evidence,
    platform_base: String,
    /// Whose browser it is, as the evidence names it: `alice's browser`.
    owner: Option<String>,
    /// The most bytes of a body read.
    max_body: usize,
}

impl Browser {
    /// A fresh browser with an empty cookie jar, trusting the web PKI roots and `trust`'s CAs;
    /// each request is given `timeout`.
    pub fn new(evidence: Evidence, platform_base: &str, timeout: Duration, trust: &Trust) -> Self {
        let jar = Arc::new(Jar::default());
        Self {
            client: Self::client(trust, &jar, timeout),
            jar,
            evidence,
            platform_base: platform_base.to_owned(),
            owner: None,
            max_body: body::DEFAULT_MAX_BODY_BYTES,
        }
    }

    fn client(trust: &Trust, jar: &Arc<Jar>, timeout: Duration) -> reqwest::Client {
        trust
            .client()
            .redirect(Policy::none())
            .cookie_provider(jar.clone())
            .timeout(timeout)
            .build()
            .expect("an HTTP client with defaults builds")
    }

    /// The same browser, reading at most `max` bytes of a body (default
    /// [`body::DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body = max;
        self
    }

    /// Where this browser records its exchanges.
    pub fn evidence(&self) -> &Evidence {
        &self.evidence
    }

    /// The same browser, named for its user in the evidence (`alice` → `alice's browser`).
    pub fn of(mut self, user: &str) -> Self {
        self.owner = Some(format!("{user}'s browser"));
        self
    }

    fn party(&self, url: &str) -> Party {
        if origin::same(url, &self.platform_base) {
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
        self.send_with(method, url, body, &[]).await
    }

    /// Like [`Browser::send`], with extra request headers (e.g. `Referer`).
    pub async fn send_with(
        &self,
        method: &str,
        url: &str,
        body: Option<(&str, String)>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, String> {
        let cookies = url::Url::parse(url)
            .ok()
            .and_then(|u| self.jar.cookies(&u))
            .and_then(|v| v.to_str().ok().map(str::to_owned));
        let request = Outgoing {
            from: Party::Browser,
            by: self.owner.as_deref(),
            to: self.party(url),
            method,
            url,
            headers,
            cookies: cookies.as_deref(),
            body: body.as_ref().map(|(t, b)| (*t, b.as_str())),
        };
        exchange(&self.client, self.max_body, &self.evidence, request).await
    }

    /// GETs a URL and follows redirects while they stay on the platform's origin (at most 10
    /// hops). A redirect to a URL with userinfo is refused ([`origin::Off::Userinfo`]).
    pub async fn get_on_platform(&self, url: &str) -> Result<Reply, String> {
        let mut reply = self.send("GET", url, None).await?;
        for _ in 0..10 {
            let Some(next) = reply
                .location
                .clone()
                .filter(|_| (300..400).contains(&reply.status))
            else {
                return Ok(reply);
            };
            match origin::check(&next, &self.platform_base) {
                Ok(_) => reply = self.send("GET", &next, None).await?,
                Err(off @ origin::Off::Userinfo { .. }) => {
                    return Err(format!(
                        "the platform redirected the browser from {}: {}",
                        self.evidence.url(&reply.url),
                        off.explain(&self.evidence.url(&next))
                    ));
                }
                Err(_) => return Ok(reply),
            }
        }
        Err(format!(
            "more than 10 redirects within the platform from {}",
            self.evidence.url(url)
        ))
    }
}

/// One request to send and record.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// Who sends it.
    pub from: Party,
    /// Who sends it, in words, when there are several of a kind (`alice's browser`).
    pub by: Option<&'a str>,
    /// Who answers.
    pub to: Party,
    /// HTTP method.
    pub method: &'a str,
    /// Absolute URL.
    pub url: &'a str,
    /// Extra request headers.
    pub headers: &'a [(&'a str, &'a str)],
    /// The `Cookie` header the client's cookie store adds, for the evidence only.
    pub cookies: Option<&'a str>,
    /// Content type and body.
    pub body: Option<(&'a str, &'a str)>,
}

/// Response headers copied into the evidence (others are kept in [`Reply::headers`] only).
const SHOWN_RESPONSE_HEADERS: [&str; 10] = [
    "location",
    "content-type",
    "set-cookie",
    "referrer-policy",
    "cache-control",
    "pragma",
    "www-authenticate",
    "x-frame-options",
    "content-security-policy",
    "retry-after",
];

/// Sends one request with `http` (which must not follow redirects), reads at most `max_body`
/// bytes of the answer's body ([`body::read`]) and records it, redacted, in `evidence`: the one
/// way Gauntlet talks HTTP to the parties it tests.
pub async fn exchange(
    http: &reqwest::Client,
    max_body: usize,
    evidence: &Evidence,
    out: Outgoing<'_>,
) -> Result<Reply, String> {
    let Outgoing {
        from,
        by,
        to,
        method,
        url,
        headers,
        cookies,
        body,
    } = out;
    let method_value = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|e| format!("bad method {method}: {e}"))?;
    let mut request = http.request(method_value, url);
    let mut request_headers = Vec::new();
    if let Some(cookies) = cookies {
        request_headers.push(("cookie".to_owned(), evidence.cookies(cookies)));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
        request_headers.push(evidence.header(name, value));
    }
    if let Some((content_type, body)) = body {
        request = request
            .header("content-type", content_type)
            .body(body.to_owned());
        request_headers.push(evidence.header("content-type", content_type));
    }
    let at_us = evidence.now_us();
    let mut record = Exchange {
        at_ms: at_us / 1000,
        at_us,
        from,
        by: by.map(str::to_owned),
        to,
        method: method.to_owned(),
        url: evidence.url(url),
        request_headers,
        request_body: body.and_then(|(_, b)| evidence.body(b)),
        status: None,
        response_headers: Vec::new(),
        response_body: None,
        note: None,
    };
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => {
            let why = describe(&error);
            record.note = Some(why.clone());
            evidence.push(record);
            return Err(format!("{method} {}: {why}", evidence.url(url)));
        }
    };
    let status = response.status().as_u16();
    let all: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    for (name, value) in &all {
        if SHOWN_RESPONSE_HEADERS.contains(&name.as_str()) {
            record.response_headers.push(evidence.header(name, value));
        }
    }
    let body::Body { text: body, cut_at } = match body::read(response, max_body).await {
        Ok(body) => body,
        Err(error) => {
            let why = error.to_string();
            record.status = Some(status);
            record.note = Some(why.clone());
            evidence.push(record);
            return Err(format!("{method} {}: {why}", evidence.url(url)));
        }
    };
    record.status = Some(status);
    record.response_body = evidence.body(&body);
    record.note = cut_at.map(body::cut_note);
    evidence.saw(url);
    evidence.saw(&body);
    let header = |name: &str| all.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let location = header("location");
    if let Some(location) = &location {
        evidence.saw(location);
    }
    evidence.push(record);
    Ok(Reply {
        content_type: header("content-type").unwrap_or_default(),
        url: url.to_owned(),
        status,
        location: location.map(|l| absolute(url, &l)),
        body,
        headers: all,
        cut_at,
    })
}

/// Resolves a Location header against the URL that sent it.
pub fn absolute(base: &str, location: &str) -> String {
    url::Url::parse(base)
        .and_then(|b| b.join(location))
        .map_or_else(|_| location.to_owned(), |u| u.to_string())
}

fn describe(error: &reqwest::Error) -> String {
    if let Some(problem) = super::tls::problem(error) {
        problem.to_string()
    } else if error.is_timeout() {
        "no answer within the timeout (the server hangs)".into()
    } else if error.is_connect() {
        "connection refused or reset (is the server running?)".into()
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

/// The first 200 characters of a page's visible text (tags dropped), for explanations.
pub fn short(text: &str) -> String {
    static TAGS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?s)<head.*?</head>|<[^>]*>").expect("valid regex")
    });
    let visible = if text.contains("</") {
        TAGS.replace_all(text, " ").into_owned()
    } else {
        text.to_owned()
    };
    let words: Vec<&str> = visible.split_whitespace().collect();
    let joined = words.join(" ");
    let mut out: String = joined.chars().take(200).collect();
    if out.len() < joined.len() {
        out.push('…');
    }
    out
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
    fn cookies_show_their_names_never_their_values() {
        let evidence = Evidence::new(false);
        let shown = evidence.cookies("sid=s3cr3t; rp_browser=b4");
        assert!(shown.starts_with("sid=[redacted:") && shown.contains("; rp_browser=[redacted:"));
        assert!(!shown.contains("s3cr3t") && !shown.contains("b4"));
        let (_, set) = evidence.header("set-cookie", "sid=s3cr3t; HttpOnly; SameSite=Lax");
        assert!(set.starts_with("sid=[redacted:") && set.ends_with("; HttpOnly; SameSite=Lax"));
        assert!(!set.contains("s3cr3t"));
        assert_eq!(Evidence::new(true).cookies("sid=s3cr3t"), "sid=s3cr3t");
    }

    #[tokio::test]
    async fn a_browser_names_its_user_and_records_its_cookies() {
        use wiremock::matchers::path;
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(path("/set"))
            .respond_with(
                ResponseTemplate::new(200).insert_header("set-cookie", "sid=v4lue; Path=/"),
            )
            .mount(&server)
            .await;
        Mock::given(path("/echo"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        let base = server.uri();
        let evidence = Evidence::new(false);
        let browser = Browser::new(
            evidence.clone(),
            &base,
            Duration::from_secs(30),
            &Trust::default(),
        )
        .of("alice");
        browser
            .send("GET", &format!("{base}/set"), None)
            .await
            .unwrap();
        browser
            .send("GET", &format!("{base}/echo"), None)
            .await
            .unwrap();
        let exchanges = evidence.exchanges();
        assert_eq!(exchanges.len(), 2);
        assert!(
            exchanges
                .iter()
                .all(|e| e.by.as_deref() == Some("alice's browser"))
        );
        assert!(exchanges[0].at_us <= exchanges[1].at_us);
        assert!(
            exchanges[0]
                .request_headers
                .iter()
                .all(|(n, _)| n != "cookie")
        );
        let cookie = exchanges[1]
            .request_headers
            .iter()
            .find(|(n, _)| n == "cookie")
            .expect("the second request carries the cookie");
        assert!(cookie.1.starts_with("sid=[redacted:"), "{cookie:?}");
    }

    #[tokio::test]
    async fn a_refused_certificate_is_named_in_the_error_and_the_evidence() {
        let mock = mock_provider::MockProvider::builder()
            .tls(true)
            .start()
            .await
            .unwrap();
        let url = mock.metadata_url();
        let evidence = Evidence::new(false);
        let browser = Browser::new(
            evidence.clone(),
            "https://platform.example",
            Duration::from_secs(30),
            &Trust::default(),
        );
        let error = browser.send("GET", &url, None).await.unwrap_err();
        let host = mock.address().to_string();
        assert!(
            error.contains(&format!("the TLS certificate of {host} was refused"))
                && error.contains("does not trust")
                && error.contains("--ca-file"),
            "{error}"
        );
        let exchanges = evidence.exchanges();
        assert_eq!(exchanges[0].status, None);
        assert!(
            exchanges[0]
                .note
                .as_deref()
                .is_some_and(|n| error.ends_with(n)),
            "{exchanges:?}"
        );
        // A browser trusting the mock's CA gets its answer.
        let mut trust = Trust::default();
        trust
            .add_pem(mock.ca_pem().unwrap().as_bytes(), "the mock's CA")
            .unwrap();
        let reply = Browser::new(
            evidence.clone(),
            "https://platform.example",
            Duration::from_secs(30),
            &trust,
        )
        .send("GET", &url, None)
        .await
        .unwrap();
        assert_eq!(reply.status, 200);
    }

    #[test]
    fn concealed_values_are_masked_in_exchanges_recorded_before_and_after() {
        let exchange = |body: &str| Exchange {
            at_ms: 0,
            at_us: 0,
            from: Party::Browser,
            by: None,
            to: Party::Platform,
            method: "GET".into(),
            url: "http://p/x?c=482913".into(),
            request_headers: Vec::new(),
            request_body: None,
            status: Some(200),
            response_headers: Vec::new(),
            response_body: Some(body.into()),
            note: None,
        };
        let evidence = Evidence::new(false);
        evidence.push(exchange("send this code in the chat: 482913"));
        evidence.conceal("482913");
        evidence.push(exchange(r#"{"text":"482913"}"#));
        let shown = format!("{:?}", evidence.exchanges());
        assert!(!shown.contains("482913"), "{shown}");
        assert_eq!(shown.matches(&mask("482913")).count(), 4, "{shown}");
        assert_eq!(
            evidence.shown("code 482913"),
            format!("code {}", mask("482913"))
        );
        let revealed = Evidence::new(true);
        revealed.conceal("482913");
        assert_eq!(revealed.shown("code 482913"), "code 482913");
    }

    #[test]
    fn long_bodies_are_cut_on_a_char_boundary() {
        let text = "é".repeat(BODY_LIMIT);
        let cut = cut(&text);
        assert!(cut.ends_with("bytes more)"));
        assert!(cut.len() < text.len());
    }
}
