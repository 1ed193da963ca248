//! The provider under soak: this benchmark's own binary re-run with `--serve-mock`, so that the
//! mock has a process of its own whose resident memory is the server's only.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use mock_provider::pkce::PkcePolicy;
use mock_provider::{AuthMethod, ClientConfig, MockProvider, ProviderConfig};

/// The argument that makes this binary serve the mock instead of measuring.
pub(crate) const SERVE: &str = "--serve-mock";

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

/// Serves the mock until stdin closes (the parent exited or dropped its [`Spawned`]).
pub(crate) async fn serve() {
    let provider = MockProvider::builder()
        .config(config())
        .start()
        .await
        .expect("the soak's mock starts");
    println!("{}", provider.uri());
    // Blocks until the parent closes the pipe.
    let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await;
    drop(provider);
}

/// A mock served by a child process, killed when dropped.
pub(crate) struct Spawned {
    child: Child,
    _stdin: ChildStdin,
    _stdout: BufReader<ChildStdout>,
    /// Its base URL.
    pub(crate) base: String,
}

impl Spawned {
    /// Re-runs this binary with [`SERVE`] and waits for the base URL line.
    pub(crate) fn start() -> Spawned {
        let exe = std::env::current_exe().expect("the benchmark knows its own path");
        let mut child = Command::new(exe)
            .arg(SERVE)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the soak's mock spawns");
        let stdin = child.stdin.take().expect("piped stdin");
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
            _stdin: stdin,
            _stdout: stdout,
            base,
        }
    }

    /// Its resident memory (`VmRSS`), in MB.
    pub(crate) fn rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1000.0)
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
