//! The flow driver: one worker's connection to the provider and the authorize → token →
//! userinfo flow it repeats, every answer checked.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use mock_provider::ClientConfig;
use mock_provider::pkce::{generate_verifier, s256_challenge};
use oauth_vocab::form_encode;
use tokio::net::TcpStream;

use crate::Failure;

pub(crate) type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// How a worker talks to the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientKind {
    /// One keep-alive HTTP/1.1 connection per worker (`hyper::client::conn::http1`): no pool
    /// bookkeeping, exactly `concurrency` connections.
    Dedicated,
    /// hyper-util's legacy client, one pool shared by every worker.
    Pool,
}

impl ClientKind {
    pub(crate) fn from_env() -> Self {
        match std::env::var("FLOWS_CLIENT").as_deref() {
            Ok("pool") => Self::Pool,
            _ => Self::Dedicated,
        }
    }
}

/// A worker's way to send requests.
enum Transport {
    Dedicated(http1::SendRequest<Full<Bytes>>),
    Pool(Box<HttpClient>),
}

impl Transport {
    /// The pooled client if given, else a dedicated connection to `host`; with the prefix of
    /// request URIs (the pool needs absolute URIs; a dedicated connection sends the origin form).
    async fn connect<'b>(
        pool: Option<HttpClient>,
        base: &'b str,
        host: &str,
    ) -> Result<(Self, &'b str), Failure> {
        if let Some(client) = pool {
            return Ok((Self::Pool(Box::new(client)), base));
        }
        let stream = TcpStream::connect(host)
            .await
            .map_err(|e| format!("connect {host}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(connection);
        Ok((Self::Dedicated(sender), ""))
    }
}

/// Everything about a flow that does not change from one flow to the next, built once per
/// worker: URIs, the Basic credentials and most of the token request body.
pub(crate) struct Flow {
    transport: Transport,
    authorize: Uri,
    token: Uri,
    userinfo: Uri,
    host: HeaderValue,
    basic: HeaderValue,
    form: HeaderValue,
    /// The token request body up to `code=`.
    token_body_prefix: String,
    /// The `state` sent, to check it comes back.
    state: String,
}

impl Flow {
    pub(crate) async fn new(
        transport: Option<HttpClient>,
        base: &str,
        worker: usize,
    ) -> Result<Self, Failure> {
        let host = base.strip_prefix("http://").ok_or("base URL is not http")?;
        let (transport, prefix) = Transport::connect(transport, base, host).await?;
        let registration = ClientConfig::default();
        let secret = registration.client_secret.as_deref().unwrap_or_default();
        let redirect_uri = &registration.redirect_uris[0];
        let verifier = generate_verifier();
        let challenge = s256_challenge(&verifier);
        let state = format!("bench-{worker}");
        let authorize = format!(
            "{prefix}/authorize?response_type=code&client_id={}&redirect_uri={}&state={state}\
             &code_challenge={challenge}&code_challenge_method=S256",
            form_encode(&registration.client_id),
            form_encode(redirect_uri),
        );
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64.
        let basic = oauth_vocab::basic::encode(&registration.client_id, secret);
        let uri = |text: String| text.parse::<Uri>().map_err(|e| format!("{text}: {e}"));
        Ok(Self {
            transport,
            authorize: uri(authorize)?,
            token: uri(format!("{prefix}/token"))?,
            userinfo: uri(format!("{prefix}/userinfo"))?,
            host: HeaderValue::from_str(host).map_err(|e| e.to_string())?,
            basic: HeaderValue::from_str(&basic).map_err(|e| e.to_string())?,
            form: HeaderValue::from_static("application/x-www-form-urlencoded"),
            token_body_prefix: format!(
                "grant_type=authorization_code&redirect_uri={}&code_verifier={verifier}&code=",
                form_encode(redirect_uri)
            ),
            state,
        })
    }

    /// One authorize → token → userinfo flow.
    pub(crate) async fn run(&mut self) -> Result<(), Failure> {
        let token_body = self.authorize().await?;
        let bearer = self.token(token_body).await?;
        self.userinfo(bearer).await
    }

    /// Step 1, the authorization request, approved at once: 302 to the redirect URI with the
    /// code. Returns the token request body that redeems the code.
    async fn authorize(&mut self) -> Result<String, Failure> {
        let request = Request::get(self.authorize.clone())
            .header(header::HOST, self.host.clone())
            .body(Full::default())
            .map_err(|e| e.to_string())?;
        let response = self.send("authorize", request).await?;
        let (parts, body) = response.into_parts();
        drain("authorize", body).await?;
        if parts.status != StatusCode::FOUND {
            return Err(format!("authorize answered {} (wanted 302)", parts.status));
        }
        let location = parts
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or("authorize: 302 without a readable Location")?;
        if query_param(location, "state") != Some(self.state.as_str()) {
            return Err(format!("authorize: state not echoed in {location}"));
        }
        let code = query_param(location, "code")
            .filter(|c| c.starts_with("ac_"))
            .ok_or_else(|| format!("authorize: no code in {location}"))?;
        let mut body = String::with_capacity(self.token_body_prefix.len() + code.len());
        body.push_str(&self.token_body_prefix);
        body.push_str(code);
        Ok(body)
    }

    /// Step 2, the token request: authorization_code grant, client_secret_basic, PKCE verifier.
    /// Returns the `Authorization` header that carries the access token.
    async fn token(&mut self, body: String) -> Result<HeaderValue, Failure> {
        let request = Request::post(self.token.clone())
            .header(header::HOST, self.host.clone())
            .header(header::AUTHORIZATION, self.basic.clone())
            .header(header::CONTENT_TYPE, self.form.clone())
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let response = self.send("token", request).await?;
        let status = response.status();
        let body = drain("token", response.into_body()).await?;
        if status != StatusCode::OK {
            return Err(format!(
                "token answered {status}: {}",
                String::from_utf8_lossy(&body)
            ));
        }
        let access_token = json_string(&body, "access_token")
            .filter(|t| t.starts_with("at_") || t.starts_with("ey"))
            .ok_or_else(|| {
                format!(
                    "token: no access_token in {}",
                    String::from_utf8_lossy(&body)
                )
            })?;
        HeaderValue::from_str(&format!("Bearer {access_token}"))
            .map_err(|e| format!("token: access_token unfit for a header: {e}"))
    }

    /// Step 3, userinfo with the bearer token.
    async fn userinfo(&mut self, bearer: HeaderValue) -> Result<(), Failure> {
        let request = Request::get(self.userinfo.clone())
            .header(header::HOST, self.host.clone())
            .header(header::AUTHORIZATION, bearer)
            .body(Full::default())
            .map_err(|e| e.to_string())?;
        let response = self.send("userinfo", request).await?;
        let status = response.status();
        let body = drain("userinfo", response.into_body()).await?;
        if status != StatusCode::OK || json_string(&body, "sub") != Some("alice") {
            return Err(format!(
                "userinfo answered {status}: {}",
                String::from_utf8_lossy(&body)
            ));
        }
        Ok(())
    }

    async fn send(
        &mut self,
        step: &str,
        request: Request<Full<Bytes>>,
    ) -> Result<Response<Incoming>, Failure> {
        let sent = match &mut self.transport {
            Transport::Dedicated(sender) => {
                sender
                    .ready()
                    .await
                    .map_err(|e| format!("{step}: connection lost: {e}"))?;
                sender
                    .send_request(request)
                    .await
                    .map_err(|e| format!("{e:?}"))
            }
            Transport::Pool(client) => client.request(request).await.map_err(|e| format!("{e:?}")),
        };
        sent.map_err(|e| format!("{step}: request failed: {e}"))
    }
}

/// Reads a body to its end, so that the connection can carry the next request.
async fn drain(step: &str, body: Incoming) -> Result<Bytes, Failure> {
    body.collect()
        .await
        .map(|c| c.to_bytes())
        .map_err(|e| format!("{step}: body failed: {e}"))
}

/// The raw value of a query parameter (the provider's codes and our state need no decoding).
fn query_param<'a>(uri: &'a str, name: &str) -> Option<&'a str> {
    uri.split_once('?')?
        .1
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// A string member of a flat JSON object, found by scanning (the values read here hold no
/// escapes). Cheaper than a parse, which matters when the client shares the CPU with the server.
fn json_string<'a>(body: &'a [u8], name: &str) -> Option<&'a str> {
    let text = std::str::from_utf8(body).ok()?;
    let key = format!("\"{name}\":\"");
    let start = text.find(&key)? + key.len();
    let len = text[start..].find('"')?;
    Some(&text[start..start + len])
}

/// A keep-alive HTTP/1.1 client with Nagle off, pooling up to `concurrency` connections.
pub(crate) fn http_client(concurrency: usize) -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(concurrency)
        .pool_idle_timeout(Duration::from_secs(60))
        .build(connector)
}
