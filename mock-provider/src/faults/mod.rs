//! Failure on cue: a [`Fault`] makes an endpoint misbehave for one client (or all), once,
//! a number of times, or until cleared — mounted like a wiremock `Mock`.
//!
//! At the authorization endpoint a fault answers an error
//! ([RFC 6749 §4.1.2.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1)) or tampers
//! with `iss` ([RFC 9207 §2](https://www.rfc-editor.org/rfc/rfc9207#section-2)); at the token
//! endpoint it answers instead of the grant, delays, or bends the token response of
//! [RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1) and §5.2.
//!
//! Here: the plan and the mounted faults; how they bend an endpoint's answer is [`apply`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::control::ControlError;
use crate::error::ErrorCode;
use crate::expect::{Hits, Times};
use crate::store::same_flow;

pub(crate) mod apply;
mod check;

/// The most faults mounted at once.
pub const MAX_FAULTS: usize = 1_000;

/// The longest `delay` fault, in milliseconds (ten minutes).
pub const MAX_DELAY_MS: u64 = 10 * 60 * 1_000;

/// The longest lifetime or duration anywhere in the mock, in seconds (one year).
pub const MAX_LIFETIME_SECS: u64 = 365 * 24 * 60 * 60;

/// Which endpoint a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultTarget {
    /// The authorization endpoint (only `error` applies).
    Authorize,
    /// The token endpoint for the `authorization_code` and `client_credentials` grants.
    Token,
    /// The token endpoint for the `refresh_token` grant.
    Refresh,
}

/// What the endpoint does instead of answering correctly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer this OAuth error (a redirect at authorize, a JSON error at the token endpoint).
    Error {
        /// The error code.
        error: ErrorCode,
        /// `error_description`; a default names the fault.
        #[serde(default)]
        description: Option<String>,
    },
    /// Answer this HTTP status with a plain body (e.g. 500, 503).
    Status {
        /// The status code.
        status: u16,
    },
    /// Wait this long, then answer normally.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// Hold the request until another of the same client and flow reaches the same target, or
    /// this long, then answer normally: requests a client sends at once are then all in flight
    /// together, as on a slow server, however fast the machine. A client that sends one
    /// request waits the whole time.
    Hold {
        /// The longest wait, in milliseconds.
        ms: u64,
    },
    /// Answer 200 with a body that is not JSON.
    MalformedJson,
    /// Answer 200 JSON without `access_token`.
    MissingAccessToken,
    /// Answer a normal token response with another `token_type`.
    WrongTokenType {
        /// The token type to send, e.g. `mac`.
        token_type: String,
    },
    /// Answer 200 with an HTML page.
    Html,
    /// Close the connection without answering.
    DropConnection,
    /// Issue tokens that die after this many seconds while `expires_in` claims the usual lifetime.
    ExpireEarly {
        /// Real lifetime in seconds (0: dead on arrival).
        after_secs: u64,
    },
    /// Answer a normal token response without `scope`.
    OmitScope,
    /// Answer a normal token response without `expires_in` (which RFC 6749 §5.1 allows).
    OmitExpiresIn,
    /// Answer a normal token response with extra members a client must ignore (§5.1).
    ExtraMembers,
    /// At authorize: approve, but send this `iss` instead of the real issuer (a mix-up attack,
    /// [RFC 9207](https://www.rfc-editor.org/rfc/rfc9207)).
    WrongIssuer {
        /// The issuer to claim.
        issuer: String,
    },
    /// At authorize: approve, but send no `iss` although the metadata promises it.
    OmitIssuer,
    /// At authorize: answer this OAuth error with this `iss` instead of the real issuer: an
    /// error response of a mix-up, whose `error` and `error_description` a client must neither
    /// act on nor show ([RFC 9207 §2.4](https://www.rfc-editor.org/rfc/rfc9207#section-2.4);
    /// MCP authorization 2026-07-28, "Authorization Response Validation").
    WrongIssuerError {
        /// The error code.
        error: ErrorCode,
        /// `error_description`; a default names the fault.
        #[serde(default)]
        description: Option<String>,
        /// The issuer to claim.
        issuer: String,
    },
}

/// A fault plan: where, for whom, what, and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// The endpoint.
    pub on: FaultTarget,
    /// Only requests from this client; every client when absent.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Only the flow whose authorization request carried this `state` (at the token endpoint:
    /// the code or refresh token issued for it); every flow when absent. A state longer than
    /// 256 bytes is matched by its prefix, length and SHA-256, as the stores keep it.
    #[serde(default)]
    pub state: Option<String>,
    /// How many requests it applies to; until cleared when absent.
    #[serde(default)]
    pub times: Option<u32>,
    /// The misbehaviour.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many requests it should meet, checked by [`MockProvider::verify`](crate::MockProvider::verify).
    #[serde(skip)]
    expected: Option<Times>,
}

impl FaultKind {
    /// Answer this HTTP status with a plain body.
    pub fn status(status: u16) -> Self {
        Self::Status { status }
    }

    /// Answer this OAuth error, with a description naming the fault.
    pub fn error(error: ErrorCode) -> Self {
        Self::Error {
            error,
            description: None,
        }
    }

    /// Wait this long, then answer normally.
    pub fn delay(delay: Duration) -> Self {
        Self::Delay {
            ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// Issue tokens that really die after `lifetime` (whole seconds).
    pub fn expire_early(lifetime: Duration) -> Self {
        Self::ExpireEarly {
            after_secs: lifetime.as_secs(),
        }
    }

    /// At authorize: approve, but claim `issuer` as `iss`.
    pub fn wrong_issuer(issuer: impl Into<String>) -> Self {
        Self::WrongIssuer {
            issuer: issuer.into(),
        }
    }

    /// Answer a normal token response with this `token_type`.
    pub fn wrong_token_type(token_type: impl Into<String>) -> Self {
        Self::WrongTokenType {
            token_type: token_type.into(),
        }
    }
}

impl Fault {
    /// A fault on `on` for every client, until cleared.
    pub fn new(on: FaultTarget, kind: FaultKind) -> Self {
        Self {
            on,
            client_id: None,
            state: None,
            times: None,
            kind,
            expected: None,
        }
    }

    /// A fault at the authorization endpoint.
    pub fn authorize(kind: FaultKind) -> Self {
        Self::new(FaultTarget::Authorize, kind)
    }

    /// A fault at the token endpoint for the `authorization_code` and `client_credentials`
    /// grants.
    pub fn token(kind: FaultKind) -> Self {
        Self::new(FaultTarget::Token, kind)
    }

    /// A fault at the token endpoint for the `refresh_token` grant.
    pub fn refresh(kind: FaultKind) -> Self {
        Self::new(FaultTarget::Refresh, kind)
    }

    /// Restricts the fault to one client.
    #[must_use]
    pub fn for_client(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// Restricts the fault to the flow started with this `state`.
    #[must_use]
    pub fn for_state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// Applies the fault to the next `n` matching requests only.
    #[must_use]
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Applies the fault to the next matching request only.
    #[must_use]
    pub fn once(self) -> Self {
        self.times(1)
    }

    /// Expects the fault to meet this many requests, checked by [`MockProvider::verify`](crate::MockProvider::verify) and
    /// when the provider is dropped.
    #[must_use]
    pub fn expect(mut self, times: impl Into<Times>) -> Self {
        self.expected = Some(times.into());
        self
    }

    pub(crate) fn expected(&self) -> Option<Times> {
        self.expected
    }
}

/// A mounted fault and the requests it met.
#[derive(Debug)]
struct Mounted {
    fault: Fault,
    hits: Hits,
}

/// The active faults, first mounted first served, and the requests `hold` faults keep.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    mounted: Mutex<Vec<Mounted>>,
    /// The holds in progress (so no more than the requests in flight), by endpoint, client and
    /// flow: the next request of the same ends them.
    held: Mutex<HashMap<HoldKey, Arc<tokio::sync::Notify>>>,
}

/// Whose requests end a hold: the same target, client and flow.
type HoldKey = (FaultTarget, Option<String>, Option<String>);

impl Faults {
    /// The faults of a profile, which [`ProviderConfig::validate`](crate::ProviderConfig::validate)
    /// has checked.
    pub(crate) fn new(initial: Vec<Fault>) -> Self {
        let faults = Self::default();
        faults
            .lock()
            .extend(initial.into_iter().map(|fault| Mounted {
                fault,
                hits: Hits::default(),
            }));
        faults
    }

    /// Mounts a fault after checking its values and the number mounted; the counter tells how
    /// many requests it meets.
    pub(crate) fn add(&self, fault: Fault) -> Result<Hits, ControlError> {
        fault
            .validate()
            .map_err(|(key, message)| ControlError::InvalidFault { key, message })?;
        let mut faults = self.lock();
        if faults.len() >= MAX_FAULTS {
            return Err(ControlError::TooManyFaults { limit: MAX_FAULTS });
        }
        let hits = Hits::default();
        faults.push(Mounted {
            fault,
            hits: hits.clone(),
        });
        Ok(hits)
    }

    /// Removes every fault, or only one client's.
    pub(crate) fn clear(&self, client_id: Option<&str>) {
        self.lock()
            .retain(|m| client_id.is_some_and(|id| m.fault.client_id.as_deref() != Some(id)));
    }

    pub(crate) fn list(&self) -> Vec<Fault> {
        self.lock().iter().map(|m| m.fault.clone()).collect()
    }

    /// The fault to apply to this request, consuming one use of it. A fault's `state` matches
    /// the request's by label on both sides ([`crate::store::flow_label`]): at the token
    /// endpoint the state comes from the stores, which keep only the label of a long one.
    pub(crate) fn take(
        &self,
        on: FaultTarget,
        client_id: Option<&str>,
        state: Option<&str>,
    ) -> Option<FaultKind> {
        let mut faults = self.lock();
        let index = faults.iter().position(|Mounted { fault: f, .. }| {
            f.on == on
                && f.times != Some(0)
                && f.client_id
                    .as_deref()
                    .is_none_or(|id| Some(id) == client_id)
                && f.state
                    .as_deref()
                    .is_none_or(|s| state.is_some_and(|given| same_flow(s, given)))
        })?;
        let mounted = &mut faults[index];
        mounted.hits.record();
        let kind = mounted.fault.kind.clone();
        if let Some(n) = &mut mounted.fault.times {
            *n -= 1;
            if *n == 0 {
                faults.remove(index);
            }
        }
        Some(kind)
    }

    /// Announces a request at `on` for this client and flow: it ends the holds of the same.
    pub(crate) fn arrive(&self, on: FaultTarget, client_id: Option<&str>, state: Option<&str>) {
        let key = (on, client_id.map(str::to_owned), state.map(str::to_owned));
        if let Some(held) = lock(&self.held).get(&key) {
            held.notify_waiters();
        }
    }

    /// Keeps a request at `on` for this client and flow until another of the same arrives,
    /// or `longest` passes.
    pub(crate) async fn hold(
        &self,
        on: FaultTarget,
        client_id: Option<&str>,
        state: Option<&str>,
        longest: Duration,
    ) {
        let key = (on, client_id.map(str::to_owned), state.map(str::to_owned));
        let notify = lock(&self.held).entry(key.clone()).or_default().clone();
        let next = notify.notified();
        // Either end is an answer: the bound ends a hold no other request ends.
        let _ = tokio::time::timeout(longest, next).await;
        lock(&self.held).remove(&key);
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Mounted>> {
        lock(&self.mounted)
    }
}

/// The guarded value, even after a panic elsewhere (nothing here is left half-updated).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Faults {
        fn add_ok(&self, fault: Fault) {
            self.add(fault).expect("a valid fault");
        }
    }

    #[test]
    fn the_fault_count_is_bounded() {
        let faults = Faults::default();
        for _ in 0..MAX_FAULTS {
            faults.add_ok(Fault::token(FaultKind::Html));
        }
        let refused = faults.add(Fault::token(FaultKind::Html)).unwrap_err();
        assert_eq!(refused, ControlError::TooManyFaults { limit: MAX_FAULTS });
        faults.clear(None);
        faults.add_ok(Fault::token(FaultKind::Html));
    }

    #[test]
    fn once_faults_fire_once_and_client_faults_only_for_their_client() {
        let faults = Faults::default();
        faults.add_ok(Fault::token(FaultKind::Html).for_client("a").once());
        assert_eq!(faults.take(FaultTarget::Token, Some("b"), None), None);
        assert_eq!(faults.take(FaultTarget::Refresh, Some("a"), None), None);
        assert_eq!(
            faults.take(FaultTarget::Token, Some("a"), None),
            Some(FaultKind::Html)
        );
        assert_eq!(faults.take(FaultTarget::Token, Some("a"), None), None);
    }

    #[test]
    fn state_faults_fire_only_for_their_flow() {
        let faults = Faults::default();
        faults.add_ok(Fault::token(FaultKind::Html).for_state("s1"));
        assert_eq!(faults.take(FaultTarget::Token, None, Some("s2")), None);
        assert_eq!(faults.take(FaultTarget::Token, None, None), None);
        assert_eq!(
            faults.take(FaultTarget::Token, None, Some("s1")),
            Some(FaultKind::Html)
        );
    }

    #[test]
    fn state_faults_match_a_long_state_by_its_label() {
        let long = "L".repeat(40 * 1024);
        let other = format!("{}M", "L".repeat(40 * 1024 - 1));
        let faults = Faults::default();
        faults.add_ok(Fault::token(FaultKind::Html).for_state(long.clone()));
        let label = crate::store::flow_label::flow_label(&long);
        assert_eq!(faults.take(FaultTarget::Token, None, Some(&other)), None);
        assert_eq!(
            faults.take(FaultTarget::Token, None, Some(&label)),
            Some(FaultKind::Html)
        );
        assert_eq!(
            faults.take(FaultTarget::Token, None, Some(&long)),
            Some(FaultKind::Html)
        );
    }

    #[test]
    fn standing_faults_last_until_cleared() {
        let faults = Faults::default();
        faults.add_ok(Fault::token(FaultKind::status(503)));
        assert!(faults.take(FaultTarget::Token, None, None).is_some());
        assert!(faults.take(FaultTarget::Token, Some("x"), None).is_some());
        faults.clear(None);
        assert_eq!(faults.take(FaultTarget::Token, None, None), None);
    }

    #[test]
    fn faults_parse_from_toml() {
        let fault: Fault = toml::from_str(
            "on = \"token\"\nkind = \"error\"\nerror = \"invalid_grant\"\ntimes = 2",
        )
        .unwrap();
        assert_eq!(fault.times, Some(2));
        assert_eq!(
            fault.kind,
            FaultKind::Error {
                error: ErrorCode::InvalidGrant,
                description: None
            }
        );
    }
}
