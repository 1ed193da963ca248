//! The provider under soak: the `mock-provider` binary itself (built in release by this
//! benchmark on first use), so that the resident memory measured is that of the server users
//! run, not of a binary that also holds the harness.

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::OnceLock;

use mock_provider::pkce::PkcePolicy;
use mock_provider::{AuthMethod, ClientConfig, ProviderConfig};

/// The client the load runs its flows as: not the one the conformance run uses, so that a
/// flood from it must never push out the run's codes and tokens.
pub(crate) const LOAD_CLIENT: &str = "soak-load";
pub(crate) const LOAD_SECRET: &str = "soak-load-secret";
pub(crate) const REDIRECT_URI: &str = "http://127.0.0.1:8080/callback";

/// The built-in profile (default bounds, 60 s codes, auto-approval) with the load's client and
/// the public and second confidential clients the provider suite's profile names.
fn config() -> ProviderConfig {
    let mut config = ProviderConfig::default();
    let base = ClientConfig::default();
    config.clients.push(ClientConfig {
        client_id: LOAD_CLIENT.into(),
        client_secret: Some(LOAD_SECRET.into()),
        ..base.clone()
    });
    config.clients.push(ClientConfig {
        client_id: "gauntlet-other".into(),
        client_secret: Some("other-secret".into()),
        ..base.clone()
    });
    config.clients.push(ClientConfig {
        client_id: "gauntlet-public".into(),
        client_secret: None,
        auth_method: AuthMethod::None,
        pkce: PkcePolicy::S256Required,
        ..base
    });
    config
}

/// The release `mock-provider` binary, built once with the `cargo` running this benchmark.
fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .args([
                "build",
                "--release",
                "-p",
                "mock-provider",
                "--features",
                "cli",
            ])
            .args(["--message-format", "json-render-diagnostics"])
            .stderr(Stdio::inherit())
            .output()
            .expect("cargo runs");
        assert!(output.status.success(), "the mock-provider binary builds");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|m| m["target"]["name"] == "mock-provider")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the mock-provider executable")
    })
}

/// A resident-memory sample of the mock, in MB.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Memory {
    /// `VmRSS`: all resident pages.
    pub(crate) rss: f64,
    /// `RssAnon`: heap and stacks.
    pub(crate) anon: f64,
    /// `RssFile`: file-backed pages (the binary's code).
    pub(crate) file: f64,
}

/// A mock served by a child process, killed when dropped.
pub(crate) struct Spawned {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    _profile: tempfile::NamedTempFile,
    /// Its base URL.
    pub(crate) base: String,
}

impl Spawned {
    /// Starts the mock binary with [`config`] on a free port and waits for its base URL line.
    pub(crate) fn start() -> Spawned {
        let mut profile = tempfile::NamedTempFile::new().expect("a temporary profile");
        let toml = toml::to_string(&config()).expect("the soak's profile serialises");
        profile
            .write_all(toml.as_bytes())
            .expect("the profile is written");
        let mut child = Command::new(binary())
            .args(["--addr", "127.0.0.1:0", "--config"])
            .arg(profile.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the soak's mock spawns");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the mock prints its URL");
        let base = line.trim().to_owned();
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "the mock printed {base:?}"
        );
        Spawned {
            child,
            _stdout: stdout,
            _profile: profile,
            base,
        }
    }

    /// Its resident memory in MB: `VmRSS`, and of that `RssAnon` (heap and stacks) and
    /// `RssFile` (the binary's pages). NaN where the kernel does not say.
    pub(crate) fn memory(&self) -> Memory {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
                .map_or(f64::NAN, |kb| kb / 1000.0)
        };
        Memory {
            rss: field("VmRSS:"),
            anon: field("RssAnon:"),
            file: field("RssFile:"),
        }
    }

    /// A provider profile that describes this mock as a server elsewhere, for
    /// `gauntlet provider`.
    pub(crate) fn profile(&self) -> String {
        let base = &self.base;
        format!(
            "name = \"mock-provider under load\"\n\
             [server]\n\
             metadata_url = \"{base}/.well-known/oauth-authorization-server\"\n\
             resource_url = \"{base}/userinfo\"\n\
             code_lifetime_secs = 60\n\
             [client]\nclient_id = \"gauntlet-client\"\nclient_secret = \"gauntlet:secret+/=&%\"\n\
             auth_method = \"client_secret_basic\"\nredirect_uri = \"{REDIRECT_URI}\"\nscope = \"read\"\n\
             [public_client]\nclient_id = \"gauntlet-public\"\nauth_method = \"none\"\n\
             redirect_uri = \"{REDIRECT_URI}\"\nscope = \"read\"\n\
             [other_client]\nclient_id = \"gauntlet-other\"\nclient_secret = \"other-secret\"\n\
             auth_method = \"client_secret_basic\"\nredirect_uri = \"{REDIRECT_URI}\"\nscope = \"read\"\n\
             [login]\nfields = {{ username = \"alice\", password = \"wonderland\" }}\n"
        )
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
