//! The flood: workers that run whole flows back to back as the load client, counting the flows
//! that completed. One flow is what a platform does to link an account: authorize (auto-approved,
//! the code read from the redirect), redeem the code with PKCE S256, call userinfo.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use mock_provider::pkce::s256_challenge;
use reqwest::{Client, StatusCode};

use crate::child::{LOAD_CLIENT, LOAD_SECRET, REDIRECT_URI};

/// What the workers share: where to go, when to stop, what they did.
pub(crate) struct Load {
    base: String,
    client: Client,
    stop: AtomicBool,
    /// Flows that completed with every status and value as expected.
    pub(crate) flows: AtomicU64,
    /// Flows that broke (a refused request, a missing code or token, no answer).
    pub(crate) broken: AtomicU64,
    next: AtomicU64,
}

impl Load {
    pub(crate) fn new(base: &str, concurrency: usize) -> Arc<Self> {
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(concurrency)
            .build()
            .expect("an HTTP client");
        Arc::new(Self {
            base: base.to_owned(),
            client,
            stop: AtomicBool::new(false),
            flows: AtomicU64::new(0),
            broken: AtomicU64::new(0),
            next: AtomicU64::new(0),
        })
    }

    /// Starts `concurrency` workers; they run until [`Load::stop`].
    pub(crate) fn start(self: &Arc<Self>, concurrency: usize) -> Vec<tokio::task::JoinHandle<()>> {
        (0..concurrency)
            .map(|_| {
                let load = Arc::clone(self);
                tokio::spawn(async move {
                    while !load.stop.load(Ordering::Relaxed) {
                        let n = load.next.fetch_add(1, Ordering::Relaxed);
                        let counter = match load.flow(n).await {
                            Ok(()) => &load.flows,
                            Err(_) => &load.broken,
                        };
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect()
    }

    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// One flow; the error says which step broke.
    async fn flow(&self, n: u64) -> Result<(), String> {
        let base = &self.base;
        let verifier = format!("soak-verifier-{n:020}-0123456789abcdefghij");
        let state = format!("soak-{n}");
        let authorize = self
            .client
            .get(format!("{base}/authorize"))
            .query(&[
                ("response_type", "code"),
                ("client_id", LOAD_CLIENT),
                ("redirect_uri", REDIRECT_URI),
                ("state", &state),
                ("code_challenge", &s256_challenge(&verifier)),
                ("code_challenge_method", "S256"),
            ])
            .send()
            .await
            .map_err(|e| format!("authorize: {e}"))?;
        let location = authorize
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| url::Url::parse(v).ok())
            .ok_or_else(|| format!("authorize answered {}", authorize.status()))?;
        let code = location
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .ok_or("no code in the redirect")?;
        let token: serde_json::Value = self
            .client
            .post(format!("{base}/token"))
            .basic_auth(LOAD_CLIENT, Some(LOAD_SECRET))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", &verifier),
            ])
            .send()
            .await
            .map_err(|e| format!("token: {e}"))?
            .json()
            .await
            .map_err(|e| format!("token body: {e}"))?;
        let access = token["access_token"].as_str().ok_or("no access token")?;
        let userinfo = self
            .client
            .get(format!("{base}/userinfo"))
            .bearer_auth(access)
            .send()
            .await
            .map_err(|e| format!("userinfo: {e}"))?;
        match userinfo.status() {
            StatusCode::OK => Ok(()),
            other => Err(format!("userinfo answered {other}")),
        }
    }
}
