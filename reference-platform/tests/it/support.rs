//! Shared helpers: a mock provider with the platform's client registered, a browser, and the
//! steps of a flow.

use std::time::Duration;

use mock_provider::{ClientConfig, JournalEntry, MockProvider, ProviderConfig};
use reference_platform::{AuthMethod, Platform, PlatformConfig};
use reqwest::redirect::Policy;
use url::Url;

pub(crate) const CLIENT_ID: &str = "gauntlet-platform";
pub(crate) const SECRET: &str = "gauntlet:secret+/=&%";

/// A provider and a platform that know each other.
pub(crate) struct Setup {
    pub(crate) provider: MockProvider,
    pub(crate) platform: Platform,
}

/// The platform's configuration for `provider` (confidential, Basic, `read profile`).
pub(crate) fn platform_config(provider: &MockProvider) -> PlatformConfig {
    PlatformConfig {
        issuer: provider.issuer(),
        resource_url: provider.url(&provider.config().resource.path),
        client_id: CLIENT_ID.into(),
        client_secret: Some(SECRET.into()),
        auth_method: AuthMethod::ClientSecretBasic,
        scopes: vec!["read".into(), "profile".into()],
        // Generous, so that a busy machine never turns a slow answer into a timeout; the
        // timeout tests set their own.
        token_timeout: Duration::from_secs(10),
        ..PlatformConfig::default()
    }
}

/// The mock's registration for the platform.
pub(crate) fn client(platform: &Platform) -> ClientConfig {
    ClientConfig {
        client_id: CLIENT_ID.into(),
        client_secret: Some(SECRET.into()),
        redirect_uris: vec![platform.redirect_uri()],
        allowed_scopes: ["read", "profile", "write"].map(String::from).to_vec(),
        default_scopes: None,
        ..ClientConfig::default()
    }
}

/// The default setup.
pub(crate) async fn setup() -> Setup {
    setup_with(ProviderConfig::default(), |_| {}, |_| {}).await
}

/// A setup with a provider configuration and adjustments to the platform and its registration.
pub(crate) async fn setup_with(
    provider_config: ProviderConfig,
    platform: impl FnOnce(&mut PlatformConfig),
    registration: impl FnOnce(&mut ClientConfig),
) -> Setup {
    let provider = MockProvider::builder()
        .config(provider_config)
        .start()
        .await
        .expect("provider starts");
    let mut config = platform_config(&provider);
    platform(&mut config);
    let platform = Platform::start(config).await.expect("platform starts");
    let mut registration_config = client(&platform);
    registration(&mut registration_config);
    provider
        .register_client(registration_config)
        .expect("client registers");
    Setup { provider, platform }
}

/// A browser: keeps cookies, follows no redirect.
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("browser builds")
}

/// A plain client without cookies.
pub(crate) fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

/// The Location of a 302.
pub(crate) fn location(response: &reqwest::Response) -> Url {
    assert_eq!(response.status(), 302, "expected a redirect");
    let value = response.headers()["location"].to_str().expect("ASCII");
    Url::parse(value).expect("an absolute URL")
}

/// A query parameter of a URL.
pub(crate) fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// Replaces (or removes, with `None`) a query parameter.
pub(crate) fn with_param(url: &Url, name: &str, value: Option<&str>) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .filter(|(n, _)| n != name)
        .collect();
    let mut url = url.clone();
    url.set_query(None);
    {
        let mut query = url.query_pairs_mut();
        for (n, v) in &pairs {
            query.append_pair(n, v);
        }
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    url
}

/// `GET /link?session={sid}`: the authorization URL the platform redirects to.
pub(crate) async fn start_link(setup: &Setup, browser: &reqwest::Client, sid: &str) -> Url {
    let response = browser
        .get(format!("{}/link", setup.platform.uri()))
        .query(&[("session", sid)])
        .send()
        .await
        .expect("platform answers /link");
    location(&response)
}

/// Follows the authorization URL at the (auto-approving) mock: the callback URL it sends back.
pub(crate) async fn authorize(browser: &reqwest::Client, authorization_url: &Url) -> Url {
    let response = browser
        .get(authorization_url.clone())
        .send()
        .await
        .expect("provider answers");
    location(&response)
}

/// A page: status, body, headers.
pub(crate) struct Page {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) headers: reqwest::header::HeaderMap,
}

/// `GET` a URL in the browser.
pub(crate) async fn visit(browser: &reqwest::Client, url: &Url) -> Page {
    let response = browser
        .get(url.clone())
        .send()
        .await
        .expect("platform answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.expect("a body");
    Page {
        status,
        body,
        headers,
    }
}

/// The whole flow for chat session `sid`: link, approve, callback. Returns the callback page.
pub(crate) async fn link(setup: &Setup, browser: &reqwest::Client, sid: &str) -> Page {
    let authorization_url = start_link(setup, browser, sid).await;
    let callback = authorize(browser, &authorization_url).await;
    visit(browser, &callback).await
}

/// `GET /whoami?session={sid}`.
pub(crate) async fn whoami(setup: &Setup, sid: &str) -> serde_json::Value {
    let response = http()
        .get(format!("{}/whoami", setup.platform.uri()))
        .query(&[("session", sid)])
        .send()
        .await
        .expect("platform answers /whoami");
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON")
}

/// Token-endpoint requests with this grant type.
pub(crate) fn grants(setup: &Setup, grant_type: &str) -> Vec<JournalEntry> {
    setup
        .provider
        .journal()
        .into_iter()
        .filter(|e| e.path == "/token" && e.param("grant_type") == Some(grant_type))
        .collect()
}

/// Code redemptions.
pub(crate) fn code_grants(setup: &Setup) -> Vec<JournalEntry> {
    grants(setup, "authorization_code")
}

/// Requests to a path.
pub(crate) fn requests_to(setup: &Setup, path: &str) -> Vec<JournalEntry> {
    setup
        .provider
        .journal()
        .into_iter()
        .filter(|e| e.path == path)
        .collect()
}

/// Asserts a page is a 400 failure page, hardened, naming `reason`.
pub(crate) fn assert_failure(page: &Page, reason: &str) {
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(
        page.body.contains("Linking failed"),
        "not a failure page: {}",
        page.body
    );
    assert!(
        page.body.contains(reason),
        "{reason:?} not in {}",
        page.body
    );
    assert_hardened(page);
}

/// Asserts a page is the success page.
pub(crate) fn assert_linked_page(page: &Page) {
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Account linked"), "{}", page.body);
    assert_hardened(page);
}

/// `Cache-Control: no-store`, `Referrer-Policy: no-referrer`, no redirect.
pub(crate) fn assert_hardened(page: &Page) {
    assert_eq!(page.headers["cache-control"], "no-store");
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    assert!(page.headers.get("location").is_none());
}

/// The code a chat link's callback page shows, after checking the page.
pub(crate) fn confirmation_code(page: &Page) -> String {
    assert_eq!(page.status, 200, "{}", page.body);
    assert_hardened(page);
    assert!(!page.body.contains("Account linked"), "{}", page.body);
    let (_, rest) = page
        .body
        .split_once("send this code in the chat: ")
        .unwrap_or_else(|| panic!("no code on the page: {}", page.body));
    let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(code.len(), 6, "{}", page.body);
    code
}
