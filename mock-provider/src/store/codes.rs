//! Authorization codes as the store keeps them: what a redemption checks, with the strings
//! many codes repeat shared and a long `state` kept as its compact label ([`super::flow_label`]); once redeemed a code shrinks to a tombstone (client, flow state,
//! family, expiry) that is enough to recognise a replay until it is reaped.

use std::num::NonZeroU64;
use std::sync::Arc;
use std::time::Duration;

use super::clock::Tick;
use super::fair::Held;
use super::flow_label::into_label;
use super::intern::{Interner, Pairs, pack, scope_list, unpack};
use crate::pkce::ChallengeMethod;

/// How long a code is kept past its expiry, so that late and replayed redemptions are
/// recognised as such.
const KEPT_PAST_EXPIRY: Duration = Duration::from_secs(60);

/// What an authorization code stands for ([RFC 6749 §4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)
/// lists what it is bound to): what is issued, and what a redemption gets back.
#[derive(Debug, Clone)]
pub(crate) struct CodeGrant {
    pub(crate) client_id: String,
    pub(crate) tenant: Option<String>,
    pub(crate) redirect_uri: String,
    /// Whether the authorization request carried `redirect_uri` explicitly.
    pub(crate) redirect_uri_sent: bool,
    pub(crate) scopes: Vec<String>,
    pub(crate) challenge: Option<(String, ChallengeMethod)>,
    pub(crate) subject: String,
    /// Extra parameters to reflect in the token response (`team`).
    pub(crate) extras: Vec<(String, String)>,
    pub(crate) expires_at: Tick,
    /// The `state` of the authorization request, to match faults scripted for that flow; the
    /// store keeps only its [`flow_label`](super::flow_label::flow_label), which is what
    /// [`CodeEntry::grant`] gives back.
    pub(crate) state: Option<String>,
    /// The resources the authorization request named (RFC 8707).
    pub(crate) resources: Vec<String>,
    /// Set once redeemed: the family of the tokens issued from it.
    pub(crate) redeemed_family: Option<u64>,
}

/// What tells a code's flow apart, borrowed from the store.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CodeRef<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) state: Option<&'a str>,
    pub(crate) challenge: Option<(&'a str, ChallengeMethod)>,
}

/// A stored code. It holds no copy of what other codes share.
#[derive(Debug)]
pub(crate) struct CodeEntry {
    client: Arc<str>,
    state: Option<Box<str>>,
    expires_at: Tick,
    redeemed_family: Option<NonZeroU64>,
    /// The rest of the grant; dropped once the code is redeemed (unless codes are reusable).
    rest: Option<Box<Rest>>,
}

/// What only a code that may still be redeemed needs. Its `Debug` leaves the code out.
struct Rest {
    /// The code itself, to name the flow a token request is tied to by its verifier.
    code: Box<str>,
    challenge: Option<(Box<str>, ChallengeMethod)>,
    tenant: Option<Arc<str>>,
    redirect_uri: Arc<str>,
    redirect_uri_sent: bool,
    /// The scopes, space-separated.
    scope: Arc<str>,
    subject: Arc<str>,
    extras: Pairs,
    /// The resources, space-separated (a URI holds no space).
    resources: Option<Arc<str>>,
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rest")
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl Held for CodeEntry {
    fn client(&self) -> &Arc<str> {
        &self.client
    }
    fn reap_at(&self) -> Tick {
        self.expires_at.plus(KEPT_PAST_EXPIRY)
    }
}

impl CodeEntry {
    /// The compact form of a grant, sharing what `strings` already holds.
    pub(crate) fn new(code: &str, grant: CodeGrant, strings: &mut Interner<str>) -> Self {
        let rest = Rest {
            code: code.into(),
            challenge: grant.challenge.map(|(c, m)| (c.into_boxed_str(), m)),
            tenant: grant.tenant.as_deref().map(|t| strings.str(t)),
            redirect_uri: strings.str(&grant.redirect_uri),
            redirect_uri_sent: grant.redirect_uri_sent,
            scope: strings.str(&grant.scopes.join(" ")),
            subject: strings.str(&grant.subject),
            extras: pack(grant.extras),
            resources: (!grant.resources.is_empty())
                .then(|| strings.str(&grant.resources.join(" "))),
        };
        Self {
            client: strings.str(&grant.client_id),
            state: grant.state.map(|s| into_label(s).into_boxed_str()),
            expires_at: grant.expires_at,
            redeemed_family: grant.redeemed_family.and_then(NonZeroU64::new),
            rest: Some(Box::new(rest)),
        }
    }

    /// The whole grant, unless the code was shrunk to a tombstone.
    pub(crate) fn grant(&self) -> Option<CodeGrant> {
        let rest = self.rest.as_deref()?;
        Some(CodeGrant {
            client_id: self.client.to_string(),
            tenant: rest.tenant.as_deref().map(str::to_owned),
            redirect_uri: rest.redirect_uri.to_string(),
            redirect_uri_sent: rest.redirect_uri_sent,
            scopes: scope_list(&rest.scope),
            challenge: rest.challenge.as_ref().map(|(c, m)| (c.to_string(), *m)),
            subject: rest.subject.to_string(),
            extras: unpack(&rest.extras),
            resources: rest
                .resources
                .as_deref()
                .map(scope_list)
                .unwrap_or_default(),
            expires_at: self.expires_at,
            state: self.state.as_deref().map(str::to_owned),
            redeemed_family: self.family(),
        })
    }

    /// The client, flow state and challenge of the code (a tombstone has no challenge).
    pub(crate) fn flow(&self) -> CodeRef<'_> {
        CodeRef {
            client_id: &self.client,
            state: self.state.as_deref(),
            challenge: self
                .rest
                .as_ref()
                .and_then(|r| r.challenge.as_ref())
                .map(|(c, m)| (&**c, *m)),
        }
    }

    /// The code itself, until it is redeemed.
    pub(crate) fn code(&self) -> Option<&str> {
        self.rest.as_deref().map(|r| &*r.code)
    }

    /// The family of the tokens issued from the code, once redeemed.
    pub(crate) fn family(&self) -> Option<u64> {
        self.redeemed_family.map(NonZeroU64::get)
    }

    /// Marks the code redeemed; unless it stays `reusable`, only its tombstone is kept.
    pub(crate) fn spend(&mut self, family: u64, reusable: bool) {
        self.redeemed_family = NonZeroU64::new(family);
        if !reusable && self.redeemed_family.is_some() {
            self.rest = None;
        }
    }

    /// The flow's `state`, for the journal when the code is evicted.
    pub(crate) fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }
}
