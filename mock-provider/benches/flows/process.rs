//! The provider under test: the `mock-provider` binary spawned in its own process (its start-up
//! and memory read from `/proc`), or embedded in this one with `MockProvider::start`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mock_provider::{MockProvider, ProviderConfig, TokenFormat};
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use crate::Failure;

/// The `mock-provider` binary built by this package.
const BIN: &str = env!("CARGO_BIN_EXE_mock-provider");

/// A spawned `mock-provider` process, killed when dropped.
pub(crate) struct Spawned {
    child: Child,
    /// Kept open so that the process never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
    pub(crate) base: String,
    /// With `--tls`: the directory the CA certificate is written to, and the file.
    ca: Option<(tempfile::TempDir, PathBuf)>,
}

impl Spawned {
    /// Spawns the binary on a free loopback port and waits for its base URL line.
    pub(crate) fn start() -> Result<Self, Failure> {
        Self::spawn(false)
    }

    /// Spawns the binary, with `--tls` (its CA written to a temporary directory) when `tls`.
    pub(crate) fn spawn(tls: bool) -> Result<Self, Failure> {
        let mut command = Command::new(BIN);
        command
            .args(["--addr", "127.0.0.1:0"])
            .env_remove("MOCK_PROVIDER_CONFIG");
        let ca = if tls {
            let dir = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
            let file = dir.path().join("ca.pem");
            command.arg("--tls").arg("--ca-out").arg(&file);
            Some((dir, file))
        } else {
            None
        };
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
            ca,
        };
        let scheme = if tls { "https" } else { "http" };
        match read {
            Ok(n) if n > 0 && spawned.base.starts_with(&format!("{scheme}://127.0.0.1:")) => {
                Ok(spawned)
            }
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

/// A TLS client that trusts only the CA in this PEM file.
fn tls_client(ca_file: &Path) -> Result<Arc<ClientConfig>, Failure> {
    let ca = CertificateDer::from_pem_file(ca_file)
        .map_err(|e| format!("cannot read the CA {}: {e}", ca_file.display()))?;
    let mut roots = RootCertStore::empty();
    roots
        .add(ca)
        .map_err(|e| format!("the CA is refused: {e}"))?;
    #[allow(deprecated)] // the mock's own choice of provider, see its tls module
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A blocking `GET` of the metadata on a fresh connection (over TLS with a client config);
/// true on a 200 with the issuer.
fn metadata_answers(base: &str, tls: Option<&Arc<ClientConfig>>) -> Result<(), Failure> {
    let host = base
        .strip_prefix("http://")
        .or_else(|| base.strip_prefix("https://"))
        .ok_or("base URL is neither http nor https")?;
    let stream = TcpStream::connect(host).map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let request = format!(
        "GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: {host}\r\n\
         Connection: close\r\n\r\n"
    );
    let mut response = String::new();
    match tls {
        None => exchange(stream, &request, &mut response)?,
        Some(config) => {
            let ip = host.rsplit_once(':').map_or(host, |(ip, _)| ip);
            let name = ServerName::try_from(ip.to_owned()).map_err(|e| e.to_string())?;
            let connection = ClientConnection::new(config.clone(), name)
                .map_err(|e| format!("TLS client: {e}"))?;
            exchange(
                StreamOwned::new(connection, stream),
                &request,
                &mut response,
            )?;
        }
    }
    if response.starts_with("HTTP/1.1 200") && response.contains("\"issuer\"") {
        Ok(())
    } else {
        Err(format!("metadata answered {:?}", response.lines().next()))
    }
}

/// Writes the request and reads the answer until the server closes.
fn exchange(
    mut stream: impl Read + Write,
    request: &str,
    response: &mut String,
) -> Result<(), Failure> {
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    stream
        .read_to_string(response)
        .map_err(|e| format!("read: {e}"))?;
    Ok(())
}

/// Start-up of the binary (with `--tls` when `tls`): from spawn to the base URL line, and to the
/// first answered request (over TLS, with a client that trusts the CA it wrote).
pub(crate) fn startup_once(tls: bool) -> Result<(Duration, Duration), Failure> {
    let began = Instant::now();
    let provider = Spawned::spawn(tls)?;
    let printed = began.elapsed();
    let client = match &provider.ca {
        Some((_, file)) => Some(tls_client(file)?),
        None => None,
    };
    loop {
        match metadata_answers(&provider.base, client.as_ref()) {
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
