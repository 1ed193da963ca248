//! Shared helpers: a started provider, a non-redirecting HTTP client, a full flow, and the
//! `mock-provider` binary.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use mock_provider::pkce::s256_challenge;
use mock_provider::{MockProvider, ProviderConfig};
use reqwest::redirect::Policy;

pub(crate) const CLIENT_ID: &str = "gauntlet-client";
pub(crate) const SECRET: &str = "gauntlet:secret+/=&%";
pub(crate) const REDIRECT: &str = "http://127.0.0.1:8080/callback";
pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// A provider with the default profile and a client that never follows redirects.
pub(crate) async fn start() -> (MockProvider, reqwest::Client) {
    start_with(ProviderConfig::default()).await
}

pub(crate) async fn start_with(config: ProviderConfig) -> (MockProvider, reqwest::Client) {
    let provider = MockProvider::builder()
        .config(config)
        .seed(7)
        .start()
        .await
        .expect("provider starts");
    (provider, http())
}

pub(crate) fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client builds")
}

/// The query of a valid authorization request for the default client.
pub(crate) fn authorize_params(state: &str) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".into()),
        ("client_id", CLIENT_ID.into()),
        ("redirect_uri", REDIRECT.into()),
        ("state", state.into()),
        ("code_challenge", s256_challenge(VERIFIER)),
        ("code_challenge_method", "S256".into()),
    ]
}

/// Sends an authorization request and returns the response (not followed).
pub(crate) async fn authorize(
    provider: &MockProvider,
    http: &reqwest::Client,
    params: &[(&str, String)],
) -> reqwest::Response {
    let url = provider.authorization_endpoint();
    http.get(url)
        .query(params)
        .send()
        .await
        .expect("authorize answers")
}

/// The Location header of a redirect.
pub(crate) fn location(response: &reqwest::Response) -> url::Url {
    let value = response
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .expect("ASCII");
    url::Url::parse(value).expect("an absolute URL")
}

/// A query parameter of a URL.
pub(crate) fn query_param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// Runs authorize with auto-approval and returns the code.
pub(crate) async fn code(provider: &MockProvider, http: &reqwest::Client) -> String {
    let response = authorize(provider, http, &authorize_params("st")).await;
    assert_eq!(response.status(), 302);
    query_param(&location(&response), "code").expect("a code")
}

/// Posts a form to the token endpoint with the default client's Basic credentials.
pub(crate) async fn token(
    provider: &MockProvider,
    http: &reqwest::Client,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let url = provider.token_endpoint();
    http.post(url)
        .header(
            "authorization",
            oauth_vocab::basic::encode(CLIENT_ID, SECRET),
        )
        .form(form)
        .send()
        .await
        .expect("token endpoint answers")
}

/// Redeems a code with the right verifier and redirect URI.
pub(crate) async fn redeem(
    provider: &MockProvider,
    http: &reqwest::Client,
    code: &str,
) -> reqwest::Response {
    token(
        provider,
        http,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

/// The JSON body of a response.
pub(crate) async fn json(response: reqwest::Response) -> serde_json::Value {
    response.json().await.expect("a JSON body")
}

/// Runs the default flow (authorize, then redeem) and returns the token response.
pub(crate) async fn issued_tokens(
    provider: &MockProvider,
    http: &reqwest::Client,
) -> serde_json::Value {
    let code = code(provider, http).await;
    let response = redeem(provider, http, &code).await;
    assert_eq!(response.status(), 200, "the default flow issues tokens");
    json(response).await
}

/// Posts a form to a root endpoint path with the default client's Basic credentials.
pub(crate) async fn post_as_client(
    provider: &MockProvider,
    http: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    http.post(provider.url(path))
        .header(
            "authorization",
            oauth_vocab::basic::encode(CLIENT_ID, SECRET),
        )
        .form(form)
        .send()
        .await
        .expect("the endpoint answers")
}

/// The absolute URL of a control API path, e.g. `admin_url(&provider, "/journal")`.
pub(crate) fn admin_url(provider: &MockProvider, path: &str) -> String {
    format!("{}/_admin{path}", provider.uri())
}

/// The `mock-provider` binary with `args`, free of the caller's environment: no
/// `MOCK_PROVIDER_CONFIG`, logs off.
pub(crate) fn binary<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(env!("CARGO_BIN_EXE_mock-provider"));
    command
        .args(args)
        .env_remove("MOCK_PROVIDER_CONFIG")
        .env("RUST_LOG", "off");
    command
}

/// A started binary and the base URL it printed once ready (its first line on stdout); killed
/// when dropped.
pub(crate) struct Running {
    child: Child,
    /// The base URL, `http://127.0.0.1:{port}` with the port it bound.
    pub(crate) base: String,
}

impl Running {
    /// Starts `command` and waits for its base URL.
    pub(crate) fn start(command: &mut Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("the binary prints its base URL");
        Self {
            child,
            base: line.trim().to_owned(),
        }
    }

    /// The first line the binary wrote on stderr.
    pub(crate) fn stderr_line(&mut self) -> String {
        let mut line = String::new();
        BufReader::new(
            self.child
                .stderr
                .take()
                .expect("stderr is piped, read once"),
        )
        .read_line(&mut line)
        .expect("stderr is readable");
        line
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
