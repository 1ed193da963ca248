//! Property-based fuzzing of a running mock: generated hostile requests (odd methods, paths and
//! tenants; duplicated, oversized, non-UTF-8 and percent-broken parameters; text, multipart,
//! broken-JSON or missing content types; huge and bad headers and `Authorization` values) go to
//! every endpoint, the control API included. No answer may be a 5xx, none may hang (each request
//! has [`HANG`]; a timeout or a dropped connection fails the case), errors come in the
//! endpoint's shape (a JSON `error` member at the token, revocation, introspection and
//! registration endpoints and the control API — RFC 6749 §5.2, RFC 7009, RFC 7662, RFC 7591; a
//! `WWW-Authenticate` challenge with a 401 from the protected resource, RFC 6750 §3), and the
//! tokens issued before the run still work after it.
//!
//! 200 cases run in the suite. For a long run set `GAUNTLET_FUZZ_CASES`, e.g.
//! `GAUNTLET_FUZZ_CASES=20000 cargo test -p mock-provider --test it fuzz`.

use std::time::Duration;

use base64::Engine as _;
use mock_provider::{BearerPlacement, MockProvider, ProviderConfig, ResourceConfig, TokenFormat};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};

use crate::support::*;

/// Far longer than any answer takes: only a hang reaches it.
const HANG: Duration = Duration::from_secs(30);

/// Cases run when `GAUNTLET_FUZZ_CASES` is not set.
const DEFAULT_CASES: u32 = 200;

/// Where a hostile request goes, and the error shape expected there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Authorize,
    Login,
    Consent,
    Token,
    Revoke,
    Introspect,
    Register,
    Userinfo,
    Resource,
    ResourceInPath,
    Metadata,
    Jwks,
    AdminJournal,
    AdminClients,
    AdminDecisions,
    AdminFaults,
    Elsewhere,
}

/// What an error answer must look like.
#[derive(Debug, PartialEq, Eq)]
enum Shape {
    /// A JSON object with an `error` member.
    JsonError,
    /// A `WWW-Authenticate` challenge with a 401.
    Challenge,
    /// An HTML page: the browser-facing endpoints show their errors to the user.
    Page,
    /// Anything but a 5xx (browser pages and metadata: their shapes are another test's).
    Any,
}

impl Target {
    const ALL: [Self; 17] = [
        Self::Authorize,
        Self::Login,
        Self::Consent,
        Self::Token,
        Self::Revoke,
        Self::Introspect,
        Self::Register,
        Self::Userinfo,
        Self::Resource,
        Self::ResourceInPath,
        Self::Metadata,
        Self::Jwks,
        Self::AdminJournal,
        Self::AdminClients,
        Self::AdminDecisions,
        Self::AdminFaults,
        Self::Elsewhere,
    ];

    fn path(self) -> &'static str {
        match self {
            Self::Authorize => "/authorize",
            Self::Login => "/login",
            Self::Consent => "/consent",
            Self::Token => "/token",
            Self::Revoke => "/revoke",
            Self::Introspect => "/introspect",
            Self::Register => "/register",
            Self::Userinfo => "/userinfo",
            Self::Resource => "/api/resource",
            Self::ResourceInPath => "/api/users/at_fuzz/profile",
            Self::Metadata => "/.well-known/oauth-authorization-server",
            Self::Jwks => "/jwks.json",
            Self::AdminJournal => "/_admin/journal",
            Self::AdminClients => "/_admin/clients",
            Self::AdminDecisions => "/_admin/decisions",
            Self::AdminFaults => "/_admin/faults",
            Self::Elsewhere => "/nowhere",
        }
    }

    fn is_admin(self) -> bool {
        self.path().starts_with("/_admin")
    }

    fn shape(self) -> Shape {
        match self {
            Self::Token | Self::Revoke | Self::Introspect | Self::Register => Shape::JsonError,
            _ if self.is_admin() => Shape::JsonError,
            Self::Userinfo | Self::Resource | Self::ResourceInPath => Shape::Challenge,
            Self::Authorize | Self::Login | Self::Consent => Shape::Page,
            _ => Shape::Any,
        }
    }
}

/// One generated request.
#[derive(Debug, Clone)]
struct Hostile {
    target: Target,
    tenant: Option<String>,
    suffix: Option<String>,
    method: Method,
    query: String,
    content_type: Option<Vec<u8>>,
    body: Vec<u8>,
    headers: Vec<(&'static str, Vec<u8>)>,
}

fn methods() -> impl Strategy<Value = Method> {
    prop_oneof![
        4 => Just(Method::GET),
        4 => Just(Method::POST),
        1 => Just(Method::PUT),
        1 => Just(Method::DELETE),
        1 => Just(Method::PATCH),
        1 => Just(Method::HEAD),
        1 => Just(Method::OPTIONS),
        1 => Just(Method::from_bytes(b"PROPFIND").expect("a method")),
        1 => Just(Method::from_bytes(b"X-EVIL").expect("a method")),
    ]
}

fn names() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "grant_type", "code", "refresh_token", "client_id", "client_secret", "redirect_uri",
            "code_verifier", "code_challenge", "code_challenge_method", "scope", "state",
            "response_type", "token", "token_type_hint", "access_token", "username", "password",
            "csrf", "interaction", "decision", "redirect_uris", "client_id[]",
        ])
        .prop_map(str::to_owned),
        1 => "[a-z_%]{1,12}",
    ]
}

fn values() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "authorization_code", "refresh_token", "client_credentials", "password",
            CLIENT_ID, REDIRECT, "S256", "plain", "code", "token", "read write", "alice",
            "wonderland", "", "null",
        ])
        .prop_map(str::to_owned),
        2 => "\\PC{0,40}",
        1 => "(%[0-9A-Fa-f]{0,2}|%FF|%C3|%00|[a-z]){0,12}",
        1 => Just("a".repeat(8 * 1024)),
    ]
}

/// A query string or form body: duplicated names, broken escapes, stray separators.
fn pairs() -> impl Strategy<Value = String> {
    let pair = (names(), values(), 0..4_u8).prop_map(|(name, value, style)| match style {
        0 => format!("{name}={value}"),
        1 => name,
        2 => format!("{name}={value}={value}"),
        _ => {
            let mut encoded = url::form_urlencoded::Serializer::new(String::new());
            encoded.append_pair(&name, &value);
            encoded.finish()
        }
    });
    prop::collection::vec(pair, 0..8).prop_map(|pairs| pairs.join("&"))
}

fn bodies() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => pairs().prop_map(String::into_bytes),
        1 => prop::sample::select(vec![
            "{\"client_id\":", "[1,2", "{\"client_id\": 5}", "null", "\"text\"", "{}x",
            "{\"on\": \"token\"}", "{\"redirect_uris\": [\"javascript:alert(1)\"]}", "[]",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        1 => Just(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"client_secret\"\r\n\r\nx\r\n--XyZ--\r\n"
                .to_vec()
        ),
        1 => prop::collection::vec(any::<u8>(), 0..512),
        1 => Just(vec![b'a'; 20 * 1024]),
        1 => Just(Vec::new()),
    ]
}

/// Bytes a header value may carry: visible ASCII, space, tab and obs-text (not UTF-8).
fn header_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![0x20_u8..0x7f, 0x80_u8..=0xff, Just(b'\t')],
        0..max,
    )
}

fn content_types() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        Just(None),
        prop::sample::select(vec![
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/json",
            "application/json; charset=latin1",
            "text/plain",
            "multipart/form-data; boundary=XyZ",
            "application/jwt",
            "",
        ])
        .prop_map(|s| Some(s.as_bytes().to_vec())),
        header_bytes(40).prop_map(Some),
    ]
}

fn authorizations() -> impl Strategy<Value = Vec<u8>> {
    let engine = base64::engine::general_purpose::STANDARD;
    prop_oneof![
        header_bytes(60).prop_map(move |raw| {
            let mut value = b"Basic ".to_vec();
            value.extend(engine.encode(raw).into_bytes());
            value
        }),
        header_bytes(60).prop_map(|raw| [b"Basic ".as_slice(), &raw].concat()),
        header_bytes(60).prop_map(|raw| [b"Bearer ".as_slice(), &raw].concat()),
        prop::sample::select(vec![
            "Bearer",
            "Basic",
            "Basic Og==",
            "Bearer  ",
            "Digest x",
            ""
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        Just(oauth_vocab::basic::encode(CLIENT_ID, SECRET).into_bytes()),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(&'static str, Vec<u8>)>> {
    let one = prop_oneof![
        3 => authorizations().prop_map(|v| ("authorization", v)),
        2 => (
            prop::sample::select(vec![
                "cookie", "origin", "host", "x-api-key", "proxy-authorization", "accept",
                "x-forwarded-for", "referer", "dpop",
            ]),
            header_bytes(80),
        ),
        1 => Just(("x-huge", vec![b'h'; 16 * 1024])),
        1 => Just(("x-huge", vec![b'h'; 48 * 1024])),
    ];
    // One huge header at most, so that the head stays within the mock's 64 KiB
    // (`limits.max_head_bytes`; past it the answer is a 431 and a close, tested on its own).
    prop::collection::vec(one, 0..4).prop_map(|mut headers| {
        let mut huge = 0;
        headers.retain(|(name, _)| {
            *name != "x-huge" || {
                huge += 1;
                huge == 1
            }
        });
        headers
    })
}

fn hostile() -> impl Strategy<Value = Hostile> {
    let tenants = prop_oneof![
        6 => Just(None),
        1 => prop::sample::select(vec!["acme", "%zz", "%FF", "a%2Fb", "_admin"])
            .prop_map(|t| Some(t.to_owned())),
    ];
    let suffixes = prop_oneof![
        6 => Just(None),
        1 => prop::sample::select(vec!["/", "/x", "%00", "%", "/..%2F_admin", "//"])
            .prop_map(|s| Some(s.to_owned())),
    ];
    (
        prop::sample::select(Target::ALL.to_vec()),
        tenants,
        suffixes,
        methods(),
        pairs(),
        content_types(),
        bodies(),
        headers(),
    )
        .prop_map(
            |(target, tenant, suffix, method, query, content_type, body, headers)| Hostile {
                tenant: tenant.filter(|_| !target.is_admin()),
                target,
                suffix,
                method,
                query,
                content_type,
                body,
                headers,
            },
        )
        // The query counts toward the head too: 8 long pairs and a huge header would pass
        // `limits.max_head_bytes`, whose 431 is tested on its own.
        .prop_filter("the head fits in limits.max_head_bytes", |h| {
            h.head_bytes() <= HEAD_BUDGET
        })
}

/// The most a generated request's query and headers take, leaving room within the mock's
/// 64 KiB head for the request line's path and the headers the client adds.
const HEAD_BUDGET: usize = 60 * 1024;

impl Hostile {
    /// The bytes of the head that the generator chose: query, headers and content type.
    fn head_bytes(&self) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .map(|(name, value)| name.len() + value.len() + 4)
            .sum();
        self.query.len() + headers + self.content_type.as_ref().map_or(0, Vec::len)
    }

    fn url(&self, provider: &MockProvider) -> String {
        let tenant = self
            .tenant
            .as_deref()
            .map_or(String::new(), |t| format!("/t/{t}"));
        let suffix = self.suffix.as_deref().unwrap_or("");
        let query = if self.query.is_empty() {
            String::new()
        } else {
            format!("?{}", self.query)
        };
        format!(
            "{}{tenant}{}{suffix}{query}",
            provider.uri(),
            self.target.path()
        )
    }

    /// The shape expected, unless the path was bent away from the endpoint.
    fn shape(&self) -> Shape {
        if self.suffix.is_some() {
            Shape::Any
        } else {
            self.target.shape()
        }
    }

    async fn send(&self, provider: &MockProvider, http: &reqwest::Client) -> Result<(), String> {
        let url = self.url(provider);
        let mut request = http.request(self.method.clone(), url);
        if let Some(content_type) = &self.content_type {
            let value = HeaderValue::from_bytes(content_type).map_err(|e| e.to_string())?;
            request = request.header(reqwest::header::CONTENT_TYPE, value);
        }
        for (name, value) in &self.headers {
            let value = HeaderValue::from_bytes(value).map_err(|e| e.to_string())?;
            request = request.header(HeaderName::from_static(name), value);
        }
        let response = request
            .body(self.body.clone())
            .send()
            .await
            .map_err(|e| format!("no answer (a hang or a dropped connection): {e:?}"))?;
        let status = response.status();
        let challenge = response.headers().contains_key("www-authenticate");
        let html = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("the body did not arrive: {e:?}"))?;
        let said = || format!("{status} {}", String::from_utf8_lossy(&body));
        if status.is_server_error() {
            return Err(format!("a 5xx: {}", said()));
        }
        if !status.is_client_error() || self.method == Method::HEAD {
            return Ok(());
        }
        match self.shape() {
            Shape::JsonError => {
                let json: serde_json::Value = serde_json::from_slice(&body)
                    .map_err(|_| format!("an error that is not JSON: {}", said()))?;
                if json["error"].is_string() {
                    Ok(())
                } else {
                    Err(format!("a JSON error without `error`: {}", said()))
                }
            }
            Shape::Challenge if status == 401 && !challenge => {
                Err(format!("a 401 without WWW-Authenticate: {}", said()))
            }
            Shape::Page if !html => Err(format!(
                "a browser-facing error that is not a page: {}",
                said()
            )),
            Shape::Challenge | Shape::Page | Shape::Any => Ok(()),
        }
    }
}

/// How many cases to run: `GAUNTLET_FUZZ_CASES`, else [`DEFAULT_CASES`].
fn cases() -> u32 {
    std::env::var("GAUNTLET_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// Every endpoint served: JWT access tokens (for the JWKS), and the bearer token accepted in
/// the header, the query, the body and a path segment.
fn config() -> ProviderConfig {
    ProviderConfig {
        token_format: TokenFormat::Jwt,
        resource: ResourceConfig {
            bearer_in: vec![
                BearerPlacement::Header,
                BearerPlacement::Query,
                BearerPlacement::Body,
            ],
            token_path: Some("/api/users/{access_token}/profile".into()),
            ..ResourceConfig::default()
        },
        ..ProviderConfig::default()
    }
}

#[test]
fn hostile_requests_get_no_5xx_no_hang_the_rfc_error_shape_and_spare_earlier_tokens() {
    // Arrange: a mock, and tokens issued by a normal flow.
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HANG)
        .build()
        .expect("client builds");
    let (provider, _) = runtime.block_on(start_with(config()));
    let tokens = runtime.block_on(issued_tokens(&provider, &http));
    let access = tokens["access_token"].as_str().expect("an access token");
    let refresh = tokens["refresh_token"].as_str().expect("a refresh token");
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    // Act
    let outcome = runner.run(&hostile(), |request| {
        runtime
            .block_on(request.send(&provider, &http))
            .map_err(TestCaseError::fail)
    });
    // Assert
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    runtime.block_on(async {
        let userinfo = http
            .get(provider.userinfo_endpoint())
            .bearer_auth(access)
            .send()
            .await
            .expect("userinfo answers");
        assert_eq!(
            userinfo.status(),
            200,
            "the earlier access token still works"
        );
        let refreshed = token(
            &provider,
            &http,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        )
        .await;
        assert_eq!(
            refreshed.status(),
            200,
            "the earlier refresh token still works"
        );
    });
}
