//! The journal slice of a scenario: the requests of its flows, and never another scenario's,
//! although every scenario of a run talks to one mock provider as one client.
//!
//! A flow is known by the code the provider issued to it (in the callback the browser got) and,
//! before that, by its authorization request. A token request belongs to the scenario when the
//! mock tied it to one of those codes ([`mock_provider::FlowTie`]), which it does even for a
//! request refused before the client was identified; a request tied only by a
//! `code_verifier` that flows of other scenarios share too is left out and counted as
//! ambiguous, never merged. A token request the mock could not tie (no code was issued, as
//! after an error callback) belongs by its verifier when it matches only this scenario's
//! authorization requests. Requests using the tokens issued in the slice belong to it too
//! (as a parameter, a Bearer header or a path segment), and so does every request after the
//! scenario's service-account mark (those scenarios run alone). States and challenges alone
//! never decide: a platform may repeat them across flows.

use mock_provider::{Endpoint, JournalEntry};
use url::Url;

use super::world::Flow;

/// A scenario's journal slice.
#[derive(Debug, Clone, Default)]
pub struct Slice {
    /// The requests of the scenario's flows, in journal order.
    pub entries: Vec<JournalEntry>,
    /// Token requests tied by their verifier both to this scenario's flows and to others: left
    /// out of `entries`.
    pub ambiguous: Vec<JournalEntry>,
}

/// The slice of `journal` (one client's, in order) that belongs to `flows`, and every entry
/// after `mark` when the scenario set one.
pub fn of(flows: &[Flow], journal: Vec<JournalEntry>, mark: Option<u64>) -> Slice {
    let codes: Vec<String> = flows
        .iter()
        .filter_map(|f| f.callback_url.as_deref())
        .flat_map(|url| query_values(url, "code"))
        .collect();
    let authorize_queries: Vec<Vec<(String, String)>> = flows
        .iter()
        .map(|f| f.authorize_url.query_pairs().into_owned().collect())
        .collect();
    let states: Vec<String> = flows.iter().filter_map(Flow::state).collect();
    let challenges: Vec<String> = flows
        .iter()
        .filter_map(|f| f.param("code_challenge"))
        .collect();
    // Challenges other scenarios' authorization requests carried too.
    let foreign: Vec<String> = journal
        .iter()
        .filter(|e| e.endpoint == Endpoint::Authorize && !authorize_queries.contains(&e.query))
        .filter_map(|e| e.param("code_challenge").map(str::to_owned))
        .collect();
    let mut tokens: Vec<String> = Vec::new();
    let mut slice = Slice::default();
    for entry in journal {
        let ours = if mark.is_some_and(|mark| entry.seq > mark) {
            true
        } else if !entry.flows.is_empty() {
            let tied = |f: &&mock_provider::FlowTie| codes.contains(&f.code);
            let mine = entry.flows.iter().filter(tied).count();
            let by_code = entry.flows.iter().any(|f| f.by == mock_provider::Tie::Code);
            if mine > 0 && mine < entry.flows.len() && !by_code {
                slice.ambiguous.push(entry);
                continue;
            }
            mine > 0
        } else if uses_token(&entry, &tokens) {
            true
        } else if entry.endpoint == Endpoint::Token {
            match verifier_challenge(&entry, &challenges) {
                Some(challenge) if foreign.contains(&challenge) => {
                    slice.ambiguous.push(entry);
                    continue;
                }
                found => found.is_some(),
            }
        } else {
            at_authorization(&entry, &codes, &authorize_queries, &states)
        };
        if !ours {
            continue;
        }
        if let Ok(body) = serde_json::from_str::<serde_json::Value>(&entry.response.body) {
            for name in ["access_token", "refresh_token"] {
                if let Some(token) = body[name].as_str() {
                    tokens.push(token.to_owned());
                }
            }
        }
        slice.entries.push(entry);
    }
    slice
}

/// Whether a request the browser made on the way to the callback belongs to the flows: the
/// provider's redirect carries one of their codes, or (no code issued) it is one of their
/// authorization requests exactly, or a login or consent step of one of their states.
fn at_authorization(
    entry: &JournalEntry,
    codes: &[String],
    authorize_queries: &[Vec<(String, String)>],
    states: &[String],
) -> bool {
    let location = entry
        .response
        .headers
        .iter()
        .find(|(n, _)| n == "location")
        .map(|(_, v)| v.as_str());
    let issued = location
        .map(|l| query_values(l, "code"))
        .unwrap_or_default();
    if !issued.is_empty() {
        return issued.iter().any(|c| codes.contains(c));
    }
    match entry.endpoint {
        Endpoint::Authorize => authorize_queries.contains(&entry.query),
        Endpoint::Login | Endpoint::Consent => entry
            .param("state")
            .is_some_and(|s| states.iter().any(|x| x == s)),
        _ => false,
    }
}

/// The challenge of `challenges` the request's `code_verifier` matches (S256 or plain).
fn verifier_challenge(entry: &JournalEntry, challenges: &[String]) -> Option<String> {
    let verifier = entry.param("code_verifier")?;
    [
        mock_provider::pkce::s256_challenge(verifier),
        verifier.to_owned(),
    ]
    .into_iter()
    .find(|c| challenges.contains(c))
}

/// Whether the request uses one of `tokens` (as a parameter, a Bearer header or the path).
fn uses_token(entry: &JournalEntry, tokens: &[String]) -> bool {
    ["refresh_token", "token", "access_token"].iter().any(|p| {
        entry
            .param(p)
            .is_some_and(|t| tokens.iter().any(|x| x == t))
    }) || entry
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .or_else(|| entry.path_param("access_token"))
        .is_some_and(|t| tokens.iter().any(|x| x == t))
}

/// Every value of a query parameter of a URL.
fn query_values(url: &str, name: &str) -> Vec<String> {
    Url::parse(url)
        .map(|u| {
            u.query_pairs()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use mock_provider::{FlowTie, RecordedResponse, Tie};

    use super::*;

    fn flow(state: &str, code: &str) -> Flow {
        let authorize = format!("http://p.test/authorize?state={state}&code_challenge=same");
        let mut flow = Flow::new("alice", Url::parse(&authorize).unwrap());
        flow.callback_url = Some(format!("http://a.test/cb?code={code}&state={state}"));
        flow
    }

    fn token_request(seq: u64, ties: &[(&str, Tie)]) -> JournalEntry {
        JournalEntry {
            seq,
            elapsed_ms: 0,
            elapsed_us: 0,
            method: "POST".into(),
            path: "/token".into(),
            route: None,
            endpoint: Endpoint::Token,
            tenant: None,
            client_id: None,
            query: vec![],
            form: vec![],
            body: None,
            headers: vec![],
            response: RecordedResponse {
                status: 400,
                headers: vec![],
                body: String::new(),
            },
            findings: vec![],
            truncated: false,
            plain_http: false,
            flows: ties
                .iter()
                .map(|(code, by)| FlowTie {
                    client_id: "c".into(),
                    state: Some("same".into()),
                    code: (*code).into(),
                    by: *by,
                })
                .collect(),
        }
    }

    #[test]
    fn token_requests_belong_by_code_and_a_shared_verifier_is_never_merged() {
        // Arrange: this scenario's flow got ac_mine; another scenario's got ac_theirs.
        let flows = [flow("same", "ac_mine")];
        let journal = vec![
            token_request(1, &[("ac_mine", Tie::Code)]),
            token_request(2, &[("ac_theirs", Tie::Code)]),
            token_request(
                3,
                &[("ac_mine", Tie::Verifier), ("ac_theirs", Tie::Verifier)],
            ),
            token_request(4, &[("ac_mine", Tie::Verifier)]),
            token_request(5, &[]),
        ];
        // Act
        let slice = of(&flows, journal, None);
        // Assert
        let seqs = |entries: &[JournalEntry]| entries.iter().map(|e| e.seq).collect::<Vec<_>>();
        assert_eq!(seqs(&slice.entries), [1, 4]);
        assert_eq!(seqs(&slice.ambiguous), [3]);
    }

    #[test]
    fn an_untied_token_request_belongs_by_its_verifier_unless_another_flow_shares_it() {
        // Arrange: no code was issued (an error callback), so the mock tied nothing.
        let flows = [flow("same", "ac_mine")];
        let mut untied = token_request(1, &[]);
        untied.form = vec![("code_verifier".into(), "same".into())];
        let mut foreign = token_request(2, &[]);
        foreign.endpoint = Endpoint::Authorize;
        foreign.query = vec![
            ("state".into(), "other".into()),
            ("code_challenge".into(), "same".into()),
        ];
        let mut later = untied.clone();
        later.seq = 3;
        // Act
        let alone = of(&flows, vec![untied], None);
        let shared = of(&flows, vec![foreign, later], None);
        // Assert
        assert_eq!(alone.entries.len(), 1);
        assert!(shared.entries.is_empty());
        assert_eq!(shared.ambiguous.len(), 1);
    }
}
