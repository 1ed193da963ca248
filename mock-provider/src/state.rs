//! The shared state behind every endpoint: configuration, registered clients, stores, pending
//! interactions, scripted decisions, faults and the journal, behind one cheap-to-clone handle.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Instant;

use crate::client_metadata::Fetcher;
use crate::clients::ClientConfig;
use crate::config::{ProviderConfig, TokenFormat, User};
use crate::control::ControlError;
use crate::decision::{Decision, ScriptedDecision};
use crate::faults::Faults;
use crate::interaction::Interactions;
use crate::journal_store::Journal;
use crate::jwt::Signer;
use crate::random::Random;
use crate::store::{Stores, same_flow};

/// How many decisions may wait for one client.
const MAX_QUEUED_DECISIONS: usize = 1_000;

/// How many decisions may wait across all clients (with `limits.max_clients` clients, the
/// per-client bound alone would allow ten million).
const MAX_DECISIONS: usize = 10_000;

/// Cheap-to-clone handle on the provider's state.
#[derive(Debug, Clone)]
pub(crate) struct AppState(Arc<Inner>);

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: ProviderConfig,
    pub(crate) base_url: String,
    /// The base URL of the plain-HTTP listener, with `plain_token_endpoint`.
    pub(crate) plain_base_url: Option<String>,
    pub(crate) clients: RwLock<HashMap<String, ClientConfig>>,
    pub(crate) stores: Mutex<Stores>,
    pub(crate) interactions: Mutex<Interactions>,
    pub(crate) decisions: Mutex<HashMap<String, VecDeque<ScriptedDecision>>>,
    pub(crate) faults: Faults,
    pub(crate) journal: Journal,
    pub(crate) random: Random,
    pub(crate) signer: Option<Signer>,
    pub(crate) started: Instant,
    /// The Client ID Metadata Document fetcher, with `mcp.client_id_metadata_documents`.
    pub(crate) client_metadata: Option<Fetcher>,
    /// The authorization server's metadata documents answer 503 while set (an outage the
    /// control API switches on and off, for clients that re-read metadata at refresh time).
    pub(crate) metadata_outage: std::sync::atomic::AtomicBool,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl AppState {
    pub(crate) fn new(
        config: ProviderConfig,
        base_url: String,
        plain_base_url: Option<String>,
        seed: Option<u64>,
        client_metadata: Option<Fetcher>,
    ) -> Self {
        let random = Random::from_seed(seed);
        let signer = (config.token_format == TokenFormat::Jwt).then(|| Signer::generate(&random));
        let clients = config
            .clients
            .iter()
            .map(|c| (c.client_id.clone(), c.clone()))
            .collect();
        let limits = &config.limits;
        Self(Arc::new(Inner {
            clients: RwLock::new(clients),
            stores: Mutex::new(Stores::new(limits.max_codes, limits.max_tokens)),
            interactions: Mutex::new(Interactions::new(
                limits.max_sessions,
                limits.max_session_bytes,
            )),
            decisions: Mutex::new(HashMap::new()),
            faults: Faults::new(config.faults.clone()),
            journal: Journal::new(limits.journal_capacity, limits.journal_bytes),
            random,
            signer,
            started: Instant::now(),
            client_metadata,
            metadata_outage: std::sync::atomic::AtomicBool::new(false),
            base_url,
            plain_base_url,
            config,
        }))
    }

    /// Switches the metadata outage on or off.
    pub(crate) fn set_metadata_outage(&self, on: bool) {
        (self.metadata_outage).store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// The issuer identifier for a tenant (or the root issuer).
    pub(crate) fn issuer(&self, tenant: Option<&str>) -> String {
        match tenant {
            Some(t) => format!("{}/t/{t}", self.base_url),
            None => self.base_url.clone(),
        }
    }

    pub(crate) fn client(&self, client_id: &str) -> Option<ClientConfig> {
        self.clients
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(client_id)
            .cloned()
    }

    pub(crate) fn clients_snapshot(&self) -> Vec<ClientConfig> {
        let mut clients: Vec<_> = self
            .clients
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        clients.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        clients
    }

    /// Every scope some client may request, sorted.
    pub(crate) fn scopes_supported(&self) -> Vec<String> {
        let mut scopes: Vec<String> = self
            .clients_snapshot()
            .into_iter()
            .flat_map(|c| c.allowed_scopes)
            .collect();
        scopes.sort();
        scopes.dedup();
        scopes
    }

    /// The scopes a client that registers itself (RFC 7591 without `scope`, or a Client ID
    /// Metadata Document) may request: every scope some client may request, and with `[mcp]`
    /// the scopes its MCP server and tools need; sorted.
    pub(crate) fn registrable_scopes(&self) -> Vec<String> {
        let mut scopes = self.scopes_supported();
        let mcp = &self.config.mcp;
        if mcp.enabled {
            scopes.extend(
                mcp.scopes
                    .iter()
                    .chain(mcp.tool_scopes.values().flatten())
                    .cloned(),
            );
            scopes.sort();
            scopes.dedup();
        }
        scopes
    }

    /// Registers (or replaces) a client after validating it.
    pub(crate) fn add_client(&self, client: ClientConfig) -> Result<(), ControlError> {
        client
            .validate()
            .map_err(|(key, message)| ControlError::InvalidClient { key, message })?;
        let mut clients = self.clients.write().unwrap_or_else(|e| e.into_inner());
        if clients.len() >= self.config.limits.max_clients
            && !clients.contains_key(&client.client_id)
        {
            return Err(ControlError::RegistryFull {
                max: self.config.limits.max_clients,
            });
        }
        clients.insert(client.client_id.clone(), client);
        Ok(())
    }

    /// Queues a decision for the next authorization of its client, or only for the one
    /// carrying its `state`.
    pub(crate) fn add_decision(&self, scripted: ScriptedDecision) -> Result<(), ControlError> {
        if self.client(&scripted.client_id).is_none() {
            return Err(ControlError::UnknownClient(scripted.client_id));
        }
        if let Decision::Approve { user, .. } = &scripted.decision
            && self.user(user).is_none()
        {
            return Err(ControlError::UnknownUser(user.clone()));
        }
        let mut decisions = lock(&self.decisions);
        if decisions.values().map(VecDeque::len).sum::<usize>() >= MAX_DECISIONS {
            return Err(ControlError::DecisionsFull {
                limit: MAX_DECISIONS,
            });
        }
        let queue = decisions.entry(scripted.client_id.clone()).or_default();
        if queue.len() >= MAX_QUEUED_DECISIONS {
            return Err(ControlError::TooManyDecisions {
                limit: MAX_QUEUED_DECISIONS,
            });
        }
        queue.push_back(scripted);
        Ok(())
    }

    pub(crate) fn user(&self, username: &str) -> Option<&User> {
        self.config.users.iter().find(|u| u.username == username)
    }

    /// Takes the first decision queued for this client that matches the request's state (by
    /// label, as faults match: [`crate::store::flow_label`]).
    pub(crate) fn take_decision(
        &self,
        client_id: &str,
        request_state: Option<&str>,
    ) -> Option<Decision> {
        let mut decisions = lock(&self.decisions);
        let queue = decisions.get_mut(client_id)?;
        let index = queue.iter().position(|s| {
            s.state
                .as_deref()
                .is_none_or(|wanted| request_state.is_some_and(|given| same_flow(wanted, given)))
        })?;
        let scripted = queue.remove(index)?;
        scripted.hits.record();
        Some(scripted.decision)
    }

    /// Seconds since the Unix epoch.
    pub(crate) fn now_unix() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}
