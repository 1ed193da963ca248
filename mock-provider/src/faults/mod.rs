//! Failure on cue: a [`Fault`] makes an endpoint misbehave for one client (or all), once,
//! a number of times, or until cleared — mounted like a wiremock `Mock`.
//!
//! At the authorization endpoint a fault answers an error
//! ([RFC 6749 §4.1.2.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1)) or tampers
//! with `iss` ([RFC 9207 §2](https://www.rfc-editor.org/rfc/rfc9207#section-2)); at the token
//! endpoint it answers instead of the grant, delays, or bends the token response of
//! [RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1) and §5.2.

use std::sync::Mutex;
use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use oauth_vocab::{Finding, Observation};
use serde::{Deserialize, Serialize};

use crate::app::{AppState, lock};
use crate::error::{ErrorCode, OAuthError};
use crate::expect::{Hits, Times};
use crate::markers::DropConnection;
use crate::params::Params;
use crate::response::{no_store, noted};

/// Which endpoint a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    /// the code or refresh token issued for it); every flow when absent.
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

/// The active faults, first mounted first served.
#[derive(Debug, Default)]
pub(crate) struct Faults(Mutex<Vec<Mounted>>);

impl Faults {
    pub(crate) fn new(initial: Vec<Fault>) -> Self {
        let faults = Self::default();
        for fault in initial {
            faults.add(fault);
        }
        faults
    }

    /// Mounts a fault; the counter tells how many requests it meets.
    pub(crate) fn add(&self, fault: Fault) -> Hits {
        let hits = Hits::default();
        self.lock().push(Mounted {
            fault,
            hits: hits.clone(),
        });
        hits
    }

    /// Removes every fault, or only one client's.
    pub(crate) fn clear(&self, client_id: Option<&str>) {
        self.lock()
            .retain(|m| client_id.is_some_and(|id| m.fault.client_id.as_deref() != Some(id)));
    }

    pub(crate) fn list(&self) -> Vec<Fault> {
        self.lock().iter().map(|m| m.fault.clone()).collect()
    }

    /// The fault to apply to this request, consuming one use of it.
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
                && f.state.as_deref().is_none_or(|s| Some(s) == state)
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Mounted>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The error of an `error` fault; the default description names the fault.
fn injected(error: ErrorCode, description: Option<String>) -> OAuthError {
    OAuthError::new(
        error,
        description.unwrap_or_else(|| "injected fault".into()),
    )
}

/// Applies a fault at the authorization endpoint: the finding for the journal and, for an
/// `error` fault, the error to send back instead of an answer. The mix-up faults replace or
/// drop the `iss` to send.
pub(crate) fn at_authorize(
    kind: FaultKind,
    iss: &mut Option<String>,
) -> (Observation, Option<OAuthError>) {
    match kind {
        FaultKind::Error { error, description } => {
            let error = injected(error, description);
            let finding = Observation::detailed(Finding::FaultAuthorize, error.code.as_str());
            (finding, Some(error))
        }
        FaultKind::WrongIssuer { issuer } => {
            let finding = Observation::detailed(
                Finding::FaultAuthorize,
                format!("iss replaced by {issuer:?}"),
            );
            *iss = Some(issuer);
            (finding, None)
        }
        FaultKind::OmitIssuer => {
            *iss = None;
            (
                Observation::detailed(Finding::FaultAuthorize, "iss omitted"),
                None,
            )
        }
        other => (
            Observation::detailed(
                Finding::FaultAuthorize,
                format!("{other:?} does not apply here; ignored"),
            ),
            None,
        ),
    }
}

/// The fault for a token request, if one is mounted for its client and flow (a `refresh_token`
/// grant draws from the `refresh` faults). A `delay` is waited out here and leaves none.
pub(crate) async fn at_token(
    state: &AppState,
    grant_type: &str,
    client_id: &str,
    form: &Params,
) -> Option<FaultKind> {
    let target = if grant_type == "refresh_token" {
        FaultTarget::Refresh
    } else {
        FaultTarget::Token
    };
    let origin = origin_state(state, grant_type, form);
    match state
        .faults
        .take(target, Some(client_id), origin.as_deref())
    {
        Some(FaultKind::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            None
        }
        fault => fault,
    }
}

/// The `state` of the authorization that a code or refresh token descends from, so that faults
/// scripted for one flow hit only that flow.
fn origin_state(state: &AppState, grant_type: &str, form: &Params) -> Option<String> {
    let stores = lock(&state.stores);
    match grant_type {
        "authorization_code" => stores.codes.get(form.get("code").ok()??)?.state.clone(),
        "refresh_token" => stores
            .token_state(form.get("refresh_token").ok()??)
            .0?
            .origin_state
            .clone(),
        _ => None,
    }
}

/// The response a token-endpoint fault sends instead of the grant's, for the faults that do.
pub(crate) fn token_answer(fault: &FaultKind) -> Option<Response> {
    let response = match fault {
        FaultKind::Error { error, description } => {
            injected(*error, description.clone()).into_response()
        }
        FaultKind::Status { status } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, format!("{status} (injected fault)")).into_response()
        }
        FaultKind::MalformedJson => (
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"access_token": "at_truncated", "token_ty"#,
        )
            .into_response(),
        FaultKind::Html => {
            Html("<!DOCTYPE html><html><body><h1>Gateway says hello</h1></body></html>")
                .into_response()
        }
        FaultKind::DropConnection => {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
        _ => return None,
    };
    let findings = vec![Observation::detailed(
        Finding::FaultToken,
        format!("{fault:?}"),
    )];
    Some(noted(no_store(response), None, findings))
}

/// How soon the tokens really expire under an `expire_early` fault.
pub(crate) fn expires_early(fault: Option<&FaultKind>) -> Option<Duration> {
    match fault {
        Some(FaultKind::ExpireEarly { after_secs }) => Some(Duration::from_secs(*after_secs)),
        _ => None,
    }
}

/// Bends a successful token response body as the fault says.
pub(crate) fn alter_token_body(fault: Option<FaultKind>, body: &mut serde_json::Value) {
    let mut remove = |name: &str| {
        body.as_object_mut().map(|o| o.remove(name));
    };
    match fault {
        Some(FaultKind::MissingAccessToken) => remove("access_token"),
        Some(FaultKind::OmitExpiresIn) => remove("expires_in"),
        Some(FaultKind::OmitScope) => remove("scope"),
        Some(FaultKind::WrongTokenType { token_type }) => body["token_type"] = token_type.into(),
        Some(FaultKind::ExtraMembers) => {
            body["id_token_hint"] = "not-a-token".into();
            body["x_provider_extension"] = serde_json::json!({ "nested": [1, 2, 3] });
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_faults_fire_once_and_client_faults_only_for_their_client() {
        let faults = Faults::default();
        faults.add(Fault::token(FaultKind::Html).for_client("a").once());
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
        faults.add(Fault::token(FaultKind::Html).for_state("s1"));
        assert_eq!(faults.take(FaultTarget::Token, None, Some("s2")), None);
        assert_eq!(faults.take(FaultTarget::Token, None, None), None);
        assert_eq!(
            faults.take(FaultTarget::Token, None, Some("s1")),
            Some(FaultKind::Html)
        );
    }

    #[test]
    fn standing_faults_last_until_cleared() {
        let faults = Faults::default();
        faults.add(Fault::token(FaultKind::status(503)));
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
