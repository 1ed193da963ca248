//! Ties every token request to the authorization flows it belongs to, even one refused before
//! the client was identified (a repeated parameter, Basic credentials that are not
//! form-encoded, an unknown client): by each `code` it carries (an issued code remembers the
//! authorization request it answered, even once redeemed), else by its `code_verifier` (matched
//! against the challenges of the codes not yet redeemed: a redeemed code keeps only what replay
//! detection needs). The journal keeps the tie with the request
//! ([`JournalEntry::flows`](crate::JournalEntry::flows)), so that whoever reads it sees every
//! token request of a flow, and a request tied to several flows says so.

use serde::Serialize;

use crate::pkce::{ChallengeMethod, s256_challenge};
use crate::store::{CodeRef, Stores};

/// What tied a token request to a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tie {
    /// The request carried the code issued to the flow.
    Code,
    /// The request carried no code of a known flow, but a `code_verifier` matching the flow's
    /// `code_challenge` ([RFC 7636 §4.6](https://www.rfc-editor.org/rfc/rfc7636#section-4.6)).
    Verifier,
}

/// An authorization flow a token request belongs to: the authorization request a code was
/// issued for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowTie {
    /// The client the code was issued to.
    pub client_id: String,
    /// The `state` of the authorization request, if it had one.
    pub state: Option<String>,
    /// The code issued to the flow (masked in [`JournalEntry::redacted`](crate::JournalEntry::redacted)).
    pub code: String,
    /// What tied the request to the flow.
    pub by: Tie,
}

/// The flows a token request belongs to: those of the codes it carries, else those whose
/// challenge one of its verifiers matches (several when a platform reuses its verifier).
/// `params` are the request's, wherever it put them ([`request_params`]).
pub(crate) fn flows(stores: &Stores, params: &[(String, String)]) -> Vec<FlowTie> {
    let values = |name: &'static str| {
        params
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let tie = |code: &str, flow: CodeRef<'_>, by: Tie| FlowTie {
        client_id: flow.client_id.to_owned(),
        state: flow.state.map(str::to_owned),
        code: code.to_owned(),
        by,
    };
    let mut flows: Vec<FlowTie> = Vec::new();
    for code in values("code") {
        if let Some(entry) = stores.code(code)
            && !flows.iter().any(|f| f.code == code)
        {
            flows.push(tie(code, entry.flow(), Tie::Code));
        }
    }
    if !flows.is_empty() {
        return flows;
    }
    for verifier in values("code_verifier") {
        for (code, flow) in stores.code_flows() {
            if matches_challenge(flow, verifier) && !flows.iter().any(|f| f.code == code) {
                flows.push(tie(code, flow, Tie::Verifier));
            }
        }
    }
    flows
}

/// Whether `verifier` transforms into the grant's challenge.
fn matches_challenge(flow: CodeRef<'_>, verifier: &str) -> bool {
    match flow.challenge {
        Some((challenge, ChallengeMethod::S256)) => s256_challenge(verifier) == challenge,
        Some((challenge, ChallengeMethod::Plain)) => verifier == challenge,
        None => false,
    }
}

/// A request's parameters from its query, its form and a JSON object body (string members).
pub(crate) fn request_params(
    query: &[(String, String)],
    form: &[(String, String)],
    body: Option<&str>,
) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = query.iter().chain(form).cloned().collect();
    if let Some(serde_json::Value::Object(members)) =
        body.and_then(|b| serde_json::from_str(b).ok())
    {
        params.extend(
            members
                .into_iter()
                .filter_map(|(n, v)| v.as_str().map(|v| (n, v.to_owned()))),
        );
    }
    params
}
