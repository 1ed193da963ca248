//! Full OAuth flows against the mock provider over loopback: throughput and latency at several
//! concurrency levels, start-up time of the `mock-provider` binary, and its resident memory after
//! 100,000 flows.
//!
//! One flow is what a chatbot platform does to link an account with the default profile:
//!
//! 1. `GET /authorize?response_type=code&client_id=…&redirect_uri=…&state=…&code_challenge=…`
//!    with `code_challenge_method=S256`; auto-approval answers 302 and the code is read from the
//!    `Location` header (the redirect is not followed);
//! 2. `POST /token` with `grant_type=authorization_code`, the code, `redirect_uri` and
//!    `code_verifier`, the client authenticated by HTTP Basic over the form-urlencoded id and
//!    secret;
//! 3. `GET /userinfo` with `Authorization: Bearer` and the access token.
//!
//! Every status is checked (302, 200, 200) and the code, token and claims are read, so a broken
//! flow stops the benchmark with an error instead of producing a figure.
//!
//! Run it with `cargo bench -p mock-provider --bench flows`. `FLOWS_QUICK=1` (or `--quick`)
//! shortens every phase for a smoke run; its figures are noisier and are not the ones recorded in
//! `BENCHMARKS.md`. `FLOWS_CLIENT=pool` swaps the one-connection-per-worker client for
//! hyper-util's pooled one; `FLOWS_PROFILE=FILE` runs the provider with a TOML profile that keeps
//! the default client and paths. The load generator runs in this process and shares the
//! machine's cores with the provider; each row says how the CPU time was split.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use mock_provider::{
    ClientConfig, MockProvider, ProviderConfig, Random, TokenFormat, form_encode,
    generate_verifier, s256_challenge,
};
use tokio::net::TcpStream;

/// The `mock-provider` binary built by this package.
const BIN: &str = env!("CARGO_BIN_EXE_mock-provider");

/// Flows for the resident-memory figure.
const MEMORY_FLOWS: usize = 100_000;

/// Concurrency of the resident-memory run.
const MEMORY_CONCURRENCY: usize = 64;

/// Concurrency levels of the throughput table.
const LEVELS: [usize; 3] = [1, 8, 64];

/// Targets from the issue, printed beside the figures.
const TARGET_FLOWS_PER_SEC_AT_64: f64 = 10_000.0;
const TARGET_STARTUP_MS: f64 = 50.0;
const TARGET_RSS_MB: f64 = 30.0;

type HttpClient = Client<HttpConnector, Full<Bytes>>;
type Failure = String;

/// How long each phase runs.
#[derive(Debug, Clone, Copy)]
struct Plan {
    /// Flows run before measuring, per run.
    warmup: Duration,
    /// Measured time per run.
    measure: Duration,
    /// Runs of each case, interleaved; the table gives the median rate.
    rounds: usize,
    /// Spawns of the binary for the start-up median.
    startups: usize,
    /// Flows before reading the server's memory.
    memory_flows: usize,
}

impl Plan {
    fn from_env() -> Self {
        let quick = std::env::args().any(|a| a == "--quick")
            || std::env::var("FLOWS_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        if quick {
            Self {
                warmup: Duration::from_millis(200),
                measure: Duration::from_millis(600),
                rounds: 1,
                startups: 5,
                memory_flows: 20_000,
            }
        } else {
            Self {
                warmup: Duration::from_millis(500),
                measure: Duration::from_secs(2),
                rounds: 3,
                startups: 21,
                memory_flows: MEMORY_FLOWS,
            }
        }
    }

    fn is_quick(&self) -> bool {
        self.memory_flows != MEMORY_FLOWS
    }
}

/// The measured flows of one run.
#[derive(Debug)]
struct Run {
    /// Flow latencies in microseconds, sorted.
    latencies_us: Vec<u32>,
    /// The window the flows were counted in.
    elapsed: Duration,
    /// Where the machine's CPU time went meanwhile.
    cpu: CpuShare,
}

impl Run {
    fn flows(&self) -> usize {
        self.latencies_us.len()
    }

    fn rate(&self) -> f64 {
        self.flows() as f64 / self.elapsed.as_secs_f64()
    }
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
fn percentile_ms(sorted_us: &[u32], p: f64) -> f64 {
    let n = sorted_us.len();
    if n == 0 {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    f64::from(sorted_us[rank.clamp(1, n) - 1]) / 1_000.0
}

/// The runs of one case: the median rate and its spread, latencies over every run.
#[derive(Debug)]
struct Summary {
    /// Flows per second of each run, sorted.
    rates: Vec<f64>,
    /// Every counted flow's latency, sorted.
    latencies_us: Vec<u32>,
    /// The largest share of the CPU other processes took during a run.
    others: f64,
    /// The largest share the hypervisor stole during a run.
    steal: f64,
    /// The benchmark's mean share of the CPU.
    ours: f64,
    /// The provider process's mean share of the CPU, when it runs apart.
    server: Option<f64>,
}

impl Summary {
    fn of(runs: &[Run]) -> Self {
        let mut rates: Vec<f64> = runs.iter().map(Run::rate).collect();
        rates.sort_by(f64::total_cmp);
        let mut latencies_us: Vec<u32> = runs
            .iter()
            .flat_map(|r| r.latencies_us.iter().copied())
            .collect();
        latencies_us.sort_unstable();
        let max = |f: fn(&CpuShare) -> f64| runs.iter().map(|r| f(&r.cpu)).fold(0.0, f64::max);
        Self {
            rates,
            latencies_us,
            others: max(|c| c.others),
            steal: max(|c| c.steal),
            ours: mean(runs.iter().map(|r| r.cpu.ours)),
            server: runs
                .iter()
                .map(|r| r.cpu.server)
                .collect::<Option<Vec<f64>>>()
                .map(|shares| mean(shares.into_iter())),
        }
    }

    fn median_rate(&self) -> f64 {
        self.rates.get(self.rates.len() / 2).copied().unwrap_or(0.0)
    }

    fn print_row(&self, label: &str) {
        let low = self.rates.first().copied().unwrap_or(0.0);
        let high = self.rates.last().copied().unwrap_or(0.0);
        println!(
            "| {label} | {:.0} | {low:.0}–{high:.0} | {:.3} | {:.3} | {} | {:.0}{} / {:.0} / {:.0} |",
            self.median_rate(),
            percentile_ms(&self.latencies_us, 50.0),
            percentile_ms(&self.latencies_us, 99.0),
            self.latencies_us.len(),
            self.ours,
            self.server
                .map(|s| format!(" (server {s:.0})"))
                .unwrap_or_default(),
            self.others,
            self.steal,
        );
        if self.others > SKEW_PCT {
            println!(
                "| (other processes took up to {:.0}% of the CPU: this row is skewed) | | | | | | |",
                self.others
            );
        }
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(sum, n), v| (sum + v, n + 1));
    sum / n.max(1) as f64
}

/// Other processes taking more than this share of the CPU skew a figure.
const SKEW_PCT: f64 = 5.0;

const TABLE_HEAD: &str = "| case | flows/s (median) | range | p50 ms | p99 ms | flows | CPU % ours / others / steal |\n|---|---:|---:|---:|---:|---:|---:|";

/// How much work a run does.
#[derive(Debug, Clone, Copy)]
enum Budget {
    /// Flows during `warmup` are not counted; flows that start after it and end within
    /// `measure` are.
    Timed { warmup: Duration, measure: Duration },
    /// Exactly this many flows, all counted.
    Count(usize),
}

/// How a worker talks to the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientKind {
    /// One keep-alive HTTP/1.1 connection per worker (`hyper::client::conn::http1`): no pool
    /// bookkeeping, exactly `concurrency` connections.
    Dedicated,
    /// hyper-util's legacy client, one pool shared by every worker.
    Pool,
}

impl ClientKind {
    fn from_env() -> Self {
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

/// Everything about a flow that does not change from one flow to the next, built once per
/// worker: URIs, the Basic credentials and most of the token request body.
struct Flow {
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
    async fn new(
        transport: Option<HttpClient>,
        base: &str,
        worker: usize,
    ) -> Result<Self, Failure> {
        let host = base.strip_prefix("http://").ok_or("base URL is not http")?;
        // The pool needs absolute URIs; a dedicated connection sends the origin form.
        let (transport, prefix) = match transport {
            Some(client) => (Transport::Pool(Box::new(client)), base),
            None => {
                let stream = TcpStream::connect(host)
                    .await
                    .map_err(|e| format!("connect {host}: {e}"))?;
                stream.set_nodelay(true).map_err(|e| e.to_string())?;
                let (sender, connection) = http1::handshake(TokioIo::new(stream))
                    .await
                    .map_err(|e| format!("handshake: {e}"))?;
                tokio::spawn(connection);
                (Transport::Dedicated(sender), "")
            }
        };
        let registration = ClientConfig::default();
        let secret = registration.client_secret.as_deref().unwrap_or_default();
        let redirect_uri = &registration.redirect_uris[0];
        let verifier = generate_verifier(&Random::Os);
        let challenge = s256_challenge(&verifier);
        let state = format!("bench-{worker}");
        let authorize = format!(
            "{prefix}/authorize?response_type=code&client_id={}&redirect_uri={}&state={state}\
             &code_challenge={challenge}&code_challenge_method=S256",
            form_encode(&registration.client_id),
            form_encode(redirect_uri),
        );
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64.
        let credentials = format!(
            "{}:{}",
            form_encode(&registration.client_id),
            form_encode(secret)
        );
        let basic = format!("Basic {}", STANDARD.encode(credentials));
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
    async fn run(&mut self) -> Result<(), Failure> {
        // 1. Authorization request, approved at once: 302 to the redirect URI with the code.
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

        // 2. Token request: authorization_code grant, client_secret_basic, PKCE verifier.
        let mut body = String::with_capacity(self.token_body_prefix.len() + code.len());
        body.push_str(&self.token_body_prefix);
        body.push_str(code);
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

        // 3. Userinfo with the bearer token.
        let bearer = HeaderValue::from_str(&format!("Bearer {access_token}"))
            .map_err(|e| format!("token: access_token unfit for a header: {e}"))?;
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
fn http_client(concurrency: usize) -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(concurrency)
        .pool_idle_timeout(Duration::from_secs(60))
        .build(connector)
}

/// Runs flows from `concurrency` workers against `base`; `server` is the provider's process
/// when it is not this one, so that its CPU time counts as ours.
async fn run_flows(
    base: &str,
    server: Option<u32>,
    concurrency: usize,
    budget: Budget,
) -> Result<Run, Failure> {
    let pool = (ClientKind::from_env() == ClientKind::Pool).then(|| http_client(concurrency));
    let mut flows = Vec::with_capacity(concurrency);
    for worker in 0..concurrency {
        flows.push(Flow::new(pool.clone(), base, worker).await?);
    }
    let started = Instant::now();
    let (counted_from, deadline, quota) = match budget {
        Budget::Timed { warmup, measure } => {
            (started + warmup, Some(started + warmup + measure), None)
        }
        Budget::Count(n) => (started, None, Some(n)),
    };
    let issued = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::with_capacity(concurrency);
    for mut flow in flows {
        let issued = issued.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(1 << 14);
            loop {
                let begin = Instant::now();
                if deadline.is_some_and(|d| begin >= d) {
                    break;
                }
                if quota.is_some_and(|n| issued.fetch_add(1, Ordering::Relaxed) >= n) {
                    break;
                }
                flow.run().await?;
                let end = Instant::now();
                if begin >= counted_from && deadline.is_none_or(|d| end <= d) {
                    let us = (end - begin).as_micros();
                    latencies.push(u32::try_from(us).unwrap_or(u32::MAX));
                }
            }
            Ok::<_, Failure>(latencies)
        }));
    }
    tokio::time::sleep_until(counted_from.into()).await;
    let before = CpuSample::take(server)?;
    let mut latencies_us = Vec::new();
    for worker in workers {
        latencies_us.extend(
            worker
                .await
                .map_err(|e| format!("worker panicked: {e}"))??,
        );
    }
    let cpu = CpuSample::take(server)?.share_since(&before, server.is_some());
    let elapsed = match deadline {
        Some(deadline) => deadline - counted_from,
        None => started.elapsed(),
    };
    latencies_us.sort_unstable();
    Ok(Run {
        latencies_us,
        elapsed,
        cpu,
    })
}

/// CPU time counters, in clock ticks: the machine's (`/proc/stat`) and the benchmark's own, this
/// process plus the provider's when it runs apart.
#[derive(Debug, Clone, Copy)]
struct CpuSample {
    /// Every CPU state but guest time (already counted in user time).
    total: u64,
    /// User, nice and system time; interrupt time is left out because loopback traffic is
    /// accounted there rather than to the processes that cause it.
    busy: u64,
    /// Time the hypervisor gave to other guests.
    steal: u64,
    /// User and system time of the benchmark's processes.
    ours: u64,
    /// User and system time of the provider's process, when it runs apart.
    server: u64,
}

/// Shares of the machine's CPU time over an interval, in percent.
#[derive(Debug, Clone, Copy, Default)]
struct CpuShare {
    /// Used by the benchmark (client and provider).
    ours: f64,
    /// Used by every other process: other work on the machine skews the figures.
    others: f64,
    /// Stolen by the hypervisor.
    steal: f64,
    /// Used by the provider's process, when it runs apart (part of `ours`).
    server: Option<f64>,
}

impl CpuSample {
    fn take(server: Option<u32>) -> Result<Self, Failure> {
        let stat = std::fs::read_to_string("/proc/stat").map_err(|e| format!("/proc/stat: {e}"))?;
        let fields: Vec<u64> = stat
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("cpu "))
            .ok_or("/proc/stat has no cpu line")?
            .split_whitespace()
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        let field = |i: usize| fields.get(i).copied().unwrap_or(0);
        let server = match server {
            Some(pid) => Some(process_ticks(&pid.to_string())?),
            None => None,
        };
        Ok(Self {
            total: (0..8).map(field).sum(),
            busy: field(0) + field(1) + field(2),
            steal: field(7),
            ours: process_ticks("self")? + server.unwrap_or(0),
            server: server.unwrap_or(0),
        })
    }

    /// The shares since `before`; `apart` says whether a provider process was counted.
    fn share_since(&self, before: &Self, apart: bool) -> CpuShare {
        let total = self.total.saturating_sub(before.total).max(1) as f64;
        let busy = self.busy.saturating_sub(before.busy);
        let ours = self.ours.saturating_sub(before.ours);
        CpuShare {
            ours: 100.0 * ours as f64 / total,
            others: 100.0 * busy.saturating_sub(ours) as f64 / total,
            steal: 100.0 * self.steal.saturating_sub(before.steal) as f64 / total,
            server: apart.then(|| 100.0 * self.server.saturating_sub(before.server) as f64 / total),
        }
    }
}

/// User plus system ticks of a process (`self` or a pid), all threads included; for `self`,
/// also those of its children that have been waited for (the providers spawned and stopped).
fn process_ticks(pid: &str) -> Result<u64, Failure> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("/proc/{pid}/stat: {e}"))?;
    // Fields after the command name, which may hold spaces: state is the first, then utime,
    // stime, cutime and cstime are the 12th to the 15th.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .ok_or_else(|| format!("/proc/{pid}/stat is not as expected"))
    };
    let own = tick(11)? + tick(12)?;
    let children = if pid == "self" {
        tick(13)? + tick(14)?
    } else {
        0
    };
    Ok(own + children)
}

/// A spawned `mock-provider` process, killed when dropped.
struct Spawned {
    child: Child,
    /// Kept open so that the process never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
    base: String,
}

impl Spawned {
    /// Spawns the binary on a free loopback port and waits for its base URL line.
    fn start() -> Result<Self, Failure> {
        let mut command = Command::new(BIN);
        command
            .args(["--addr", "127.0.0.1:0"])
            .env_remove("MOCK_PROVIDER_CONFIG");
        if let Some(profile) = profile() {
            command.arg("--config").arg(profile);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot spawn {BIN}: {e}"))?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut line = String::new();
        let read = stdout.read_line(&mut line);
        let base = line.trim().to_owned();
        let spawned = Self {
            child,
            _stdout: stdout,
            base,
        };
        match read {
            Ok(n) if n > 0 && spawned.base.starts_with("http://127.0.0.1:") => Ok(spawned),
            Ok(_) => Err(format!(
                "mock-provider printed {:?} instead of its base URL",
                spawned.base
            )),
            Err(e) => Err(format!("cannot read mock-provider's stdout: {e}")),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking `GET` of the metadata on a fresh connection; true on a 200 with the issuer.
fn metadata_answers(base: &str) -> Result<(), Failure> {
    let host = base.strip_prefix("http://").ok_or("base URL is not http")?;
    let mut stream = std::net::TcpStream::connect(host).map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: {host}\r\n\
         Connection: close\r\n\r\n"
    )
    .map_err(|e| format!("write: {e}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| format!("read: {e}"))?;
    if response.starts_with("HTTP/1.1 200") && response.contains("\"issuer\"") {
        Ok(())
    } else {
        Err(format!("metadata answered {:?}", response.lines().next()))
    }
}

/// Start-up of the binary: from spawn to the base URL line, and to the first answered request.
fn startup_once() -> Result<(Duration, Duration), Failure> {
    let began = Instant::now();
    let provider = Spawned::start()?;
    let printed = began.elapsed();
    loop {
        match metadata_answers(&provider.base) {
            Ok(()) => break,
            Err(e) if began.elapsed() > Duration::from_secs(5) => {
                return Err(format!("no answer within 5 s: {e}"));
            }
            Err(_) => std::thread::sleep(Duration::from_micros(200)),
        }
    }
    let answered = began.elapsed();
    drop(provider);
    Ok((printed, answered))
}

/// `VmRSS` and `VmHWM` of a process, in kB.
fn memory_kb(pid: u32) -> Result<(u64, u64), Failure> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read /proc/{pid}/status: {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("no {name} in /proc/{pid}/status"))
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} CPUs available, {model}")
}

/// `FLOWS_PROFILE`: a TOML profile for the provider instead of the built-in one, e.g. to see
/// what `[limits]` cost in memory. It must keep the default client and paths.
fn profile() -> Option<String> {
    std::env::var("FLOWS_PROFILE")
        .ok()
        .filter(|p| !p.is_empty())
}

/// The embedded provider with the profile (default or `FLOWS_PROFILE`) and this token format.
async fn embedded(token_format: TokenFormat) -> Result<MockProvider, Failure> {
    let config = match profile() {
        Some(path) => ProviderConfig::from_file(&path).map_err(|e| e.to_string())?,
        None => ProviderConfig::default(),
    };
    let config = ProviderConfig {
        token_format,
        ..config
    };
    MockProvider::builder()
        .config(config)
        .start()
        .await
        .map_err(|e| format!("cannot start the embedded provider: {e}"))
}

/// What a throughput case runs against.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// `MockProvider::start` in this process, on the client's runtime.
    Embedded(TokenFormat),
    /// The `mock-provider` binary in its own process.
    Spawned,
}

/// One row of the throughput tables.
#[derive(Debug, Clone, Copy)]
struct Case {
    target: Target,
    concurrency: usize,
}

impl Case {
    fn label(&self) -> String {
        let tokens = match self.target {
            Target::Embedded(TokenFormat::Jwt) => "jwt (ES256)",
            _ => "opaque",
        };
        format!("{tokens}, concurrency {}", self.concurrency)
    }

    /// One run against a fresh provider, so that no run inherits another's stores.
    fn run(&self, runtime: &tokio::runtime::Runtime, budget: Budget) -> Result<Run, Failure> {
        match self.target {
            Target::Embedded(format) => runtime.block_on(async {
                let provider = embedded(format).await?;
                run_flows(&provider.uri(), None, self.concurrency, budget).await
            }),
            Target::Spawned => {
                let provider = Spawned::start()?;
                runtime.block_on(run_flows(
                    &provider.base,
                    Some(provider.pid()),
                    self.concurrency,
                    budget,
                ))
            }
        }
    }
}

fn bench(plan: Plan) -> Result<(), Failure> {
    println!("# mock-provider flows benchmark");
    println!();
    println!("machine: {}", machine());
    if plan.is_quick() {
        println!("QUICK MODE: shortened phases, figures are indicative only");
    }
    println!(
        "flow: GET /authorize (302, auto-approve, S256) -> POST /token (Basic) -> GET /userinfo"
    );
    println!(
        "client: {:?} (FLOWS_CLIENT=pool for hyper-util's pooled client)",
        ClientKind::from_env()
    );
    println!(
        "each run: {:.1} s warm-up, then {:.1} s measured, {} round(s); client and server share \
         the CPUs",
        plan.warmup.as_secs_f64(),
        plan.measure.as_secs_f64(),
        plan.rounds
    );
    println!();

    // Start-up first, on a machine not yet busy with anything else.
    let before = CpuSample::take(None)?;
    let mut printed = Vec::with_capacity(plan.startups);
    let mut answered = Vec::with_capacity(plan.startups);
    for _ in 0..plan.startups {
        let (p, a) = startup_once()?;
        printed.push(p);
        answered.push(a);
    }
    let startup_min = answered.iter().min().copied().unwrap_or_default();
    let startup_max = answered.iter().max().copied().unwrap_or_default();
    let printed_median = median(&mut printed);
    let startup_median = median(&mut answered);
    let startup_others = CpuSample::take(None)?.share_since(&before, false).others;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    let budget = Budget::Timed {
        warmup: plan.warmup,
        measure: plan.measure,
    };

    // Throughput: every case once per round, rounds interleaved so that a slow spell of the
    // machine spreads over all cases instead of sinking one.
    let mut cases: Vec<Case> = LEVELS
        .iter()
        .map(|&concurrency| Case {
            target: Target::Embedded(TokenFormat::Opaque),
            concurrency,
        })
        .collect();
    cases.push(Case {
        target: Target::Embedded(TokenFormat::Jwt),
        concurrency: 64,
    });
    cases.extend(LEVELS.iter().map(|&concurrency| Case {
        target: Target::Spawned,
        concurrency,
    }));
    let mut runs: Vec<Vec<Run>> = cases.iter().map(|_| Vec::new()).collect();
    for _ in 0..plan.rounds {
        for (case, runs) in cases.iter().zip(&mut runs) {
            runs.push(case.run(&runtime, budget)?);
        }
    }
    let summaries: Vec<Summary> = runs.iter().map(|r| Summary::of(r)).collect();
    let rate_at_64 = |embedded: bool| {
        cases
            .iter()
            .zip(&summaries)
            .find(|(c, _)| {
                c.concurrency == 64
                    && match c.target {
                        Target::Embedded(format) => embedded && format == TokenFormat::Opaque,
                        Target::Spawned => !embedded,
                    }
            })
            .map_or(0.0, |(_, s)| s.median_rate())
    };
    for (title, embedded) in [
        (
            "## embedded provider (MockProvider::start, same process and runtime as the client)",
            true,
        ),
        (
            "## spawned `mock-provider` process (its own runtime, loopback)",
            false,
        ),
    ] {
        println!("{title}");
        println!();
        println!("{TABLE_HEAD}");
        for (case, summary) in cases.iter().zip(&summaries) {
            if matches!(case.target, Target::Embedded(_)) == embedded {
                summary.print_row(&case.label());
            }
        }
        println!();
    }

    // Memory: a fresh process, so that its figures are the server's alone.
    let provider = Spawned::start()?;
    let (idle_rss, _) = memory_kb(provider.pid())?;
    let memory_run = runtime.block_on(run_flows(
        &provider.base,
        Some(provider.pid()),
        MEMORY_CONCURRENCY,
        Budget::Count(plan.memory_flows),
    ))?;
    let (rss, hwm) = memory_kb(provider.pid())?;
    drop(provider);
    println!(
        "## memory: {} flows at concurrency {MEMORY_CONCURRENCY} against a fresh process",
        memory_run.flows()
    );
    println!();
    println!("{TABLE_HEAD}");
    Summary::of(std::slice::from_ref(&memory_run)).print_row(&format!(
        "opaque, concurrency {MEMORY_CONCURRENCY}, memory run"
    ));
    println!();
    println!(
        "VmRSS idle {:.1} MB; after the flows VmRSS {:.1} MB, VmHWM {:.1} MB",
        idle_rss as f64 / 1024.0,
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    println!();

    println!("## start-up of the binary ({} spawns)", plan.startups);
    println!();
    println!(
        "spawn -> base URL on stdout: median {:.2} ms; spawn -> first 200 from the metadata: \
         median {:.2} ms (min {:.2}, max {:.2}); CPU used by other processes meanwhile \
         {startup_others:.0}%",
        ms(printed_median),
        ms(startup_median),
        ms(startup_min),
        ms(startup_max)
    );
    // Ticks are 10 ms, and the spawns take about 0.1 s: only a large share means something.
    if startup_others > 6.0 * SKEW_PCT {
        println!("(other processes used {startup_others:.0}% of the CPU meanwhile: skewed)");
    }
    println!();

    let rss_mb = rss as f64 / 1024.0;
    println!("## against the targets");
    println!();
    println!("| figure | measured | target | |");
    println!("|---|---:|---:|---|");
    for (label, embedded) in [("embedded", true), ("spawned process", false)] {
        let rate = rate_at_64(embedded);
        println!(
            "| flows/s at concurrency 64, opaque, {label} (median) | {rate:.0} | >= {TARGET_FLOWS_PER_SEC_AT_64:.0} | {} |",
            verdict(rate >= TARGET_FLOWS_PER_SEC_AT_64)
        );
    }
    println!(
        "| start-up to first answered request (median) | {:.2} ms | < {TARGET_STARTUP_MS:.0} ms | {} |",
        ms(startup_median),
        verdict(ms(startup_median) < TARGET_STARTUP_MS)
    );
    println!(
        "| VmRSS after {} flows | {rss_mb:.1} MB | < {TARGET_RSS_MB:.0} MB | {} |",
        memory_run.flows(),
        verdict(rss_mb < TARGET_RSS_MB)
    );
    Ok(())
}

fn main() {
    if let Err(failure) = bench(Plan::from_env()) {
        eprintln!("flows benchmark FAILED: {failure}");
        std::process::exit(1);
    }
}
