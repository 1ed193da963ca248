//! The provider under test: the `mock-provider` binary spawned in its own process (its start-up
//! and memory read from `/proc`), or embedded in this one with `MockProvider::start`.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use mock_provider::{MockProvider, ProviderConfig, TokenFormat};

use crate::Failure;

/// The `mock-provider` binary built by this package.
const BIN: &str = env!("CARGO_BIN_EXE_mock-provider");

/// A spawned `mock-provider` process, killed when dropped.
pub(crate) struct Spawned {
    child: Child,
    /// Kept open so that the process never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
    pub(crate) base: String,
}

impl Spawned {
    /// Spawns the binary on a free loopback port and waits for its base URL line.
    pub(crate) fn start() -> Result<Self, Failure> {
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

    pub(crate) fn pid(&self) -> u32 {
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
pub(crate) fn startup_once() -> Result<(Duration, Duration), Failure> {
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
pub(crate) fn memory_kb(pid: u32) -> Result<(u64, u64), Failure> {
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
/// `FLOWS_PROFILE`: a TOML profile for the provider instead of the built-in one, e.g. to see
/// what `[limits]` cost in memory. It must keep the default client and paths.
fn profile() -> Option<String> {
    std::env::var("FLOWS_PROFILE")
        .ok()
        .filter(|p| !p.is_empty())
}

/// The embedded provider with the profile (default or `FLOWS_PROFILE`) and this token format.
pub(crate) async fn embedded(token_format: TokenFormat) -> Result<MockProvider, Failure> {
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
