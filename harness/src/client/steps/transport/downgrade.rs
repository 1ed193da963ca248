//! The downgrade scenario (RFC 6749 §10.9, §3.2; REQUIREMENTS A32): the platform started
//! afresh against a mock whose HTTPS metadata names a plain-HTTP token endpoint never sends a
//! code, a refresh token or its client credentials there. Refusing to start, failing to link,
//! or going to https on its own all pass.

use cucumber::{given, then};
use mock_provider::{Endpoint, JournalEntry};

use crate::client::context::MockVariant;
use crate::client::steps::afresh;
use crate::client::world::{GauntletWorld, StepResult};

#[given(
    "the platform is started afresh against a provider whose metadata names a plain-HTTP token endpoint"
)]
async fn started_against_downgrade(world: &mut GauntletWorld) -> StepResult {
    afresh::start(world, MockVariant::Downgraded).await
}

#[then("the code and the client's credentials never travelled over plain HTTP")]
async fn never_over_plain_http(world: &mut GauntletWorld) -> StepResult {
    if world.refused_start.is_some() {
        return Ok(());
    }
    if world.run_ctx.is_none() {
        return Err(
            "the platform was not started afresh against a downgraded provider \
                    (the scenario lacks its Given step)"
                .into(),
        );
    }
    let provider = &world.ctx.provider;
    let journal = provider.journal();
    let Some((entry, carried)) = journal.iter().find_map(|e| {
        let carried = carried_secrets(e);
        (!carried.is_empty()).then_some((e, carried))
    }) else {
        return Ok(());
    };
    Err(format!(
        "the platform took the token endpoint from the metadata without checking its scheme: \
         the metadata fetched over https ({}) named {} and the platform sent {} there in the \
         clear (request #{}), where anyone on the network path can read them and redeem the \
         code first; refuse an endpoint that is not https:// when the issuer is https:// (RFC \
         6749 §10.9, §3.2)",
        provider.metadata_url(),
        provider.plain_token_endpoint().unwrap_or_default(),
        carried.join(" and "),
        entry.seq
    ))
}

/// What a request to the plain listener's token endpoint carried in the clear: the code, a
/// refresh token, the client's credentials. Empty for any other request.
fn carried_secrets(entry: &JournalEntry) -> Vec<&'static str> {
    if !entry.plain_http || entry.endpoint != Endpoint::Token {
        return Vec::new();
    }
    let sent = |name: &str| entry.param(name).is_some_and(|v| !v.is_empty());
    let mut carried = Vec::new();
    if sent("code") {
        carried.push("the authorization code");
    }
    if sent("refresh_token") {
        carried.push("a refresh token");
    }
    if sent("client_secret") || entry.header("authorization").is_some() {
        carried.push("its client credentials");
    }
    carried
}

#[cfg(test)]
mod tests {
    use mock_provider::RecordedResponse;

    use super::*;

    fn token_request(plain_http: bool, form: &[(&str, &str)], basic: bool) -> JournalEntry {
        JournalEntry {
            seq: 1,
            elapsed_ms: 0,
            elapsed_us: 0,
            method: "POST".into(),
            path: "/token".into(),
            route: Some("/token".into()),
            endpoint: Endpoint::Token,
            tenant: None,
            client_id: None,
            query: vec![],
            form: form
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: None,
            headers: if basic {
                vec![("authorization".into(), "Basic Yzpz".into())]
            } else {
                vec![]
            },
            response: RecordedResponse {
                status: 400,
                headers: vec![],
                body: String::new(),
            },
            findings: vec![],
            flows: vec![],
            truncated: false,
            plain_http,
        }
    }

    #[test]
    fn only_secrets_sent_to_the_plain_token_endpoint_count() {
        let code = [("grant_type", "authorization_code"), ("code", "ac_1")];
        assert_eq!(
            carried_secrets(&token_request(true, &code, true)),
            ["the authorization code", "its client credentials"]
        );
        assert_eq!(
            carried_secrets(&token_request(true, &[("refresh_token", "rt")], false)),
            ["a refresh token"]
        );
        assert!(carried_secrets(&token_request(false, &code, true)).is_empty());
        assert!(carried_secrets(&token_request(true, &[("grant_type", "x")], false)).is_empty());
        let mut metadata = token_request(true, &code, true);
        metadata.endpoint = Endpoint::Metadata;
        assert!(carried_secrets(&metadata).is_empty());
    }
}
