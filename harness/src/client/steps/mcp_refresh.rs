//! Steps of `mcp/refresh.feature`: a refresh token goes to the token endpoint the client learned
//! from validated metadata, and nowhere else, even when the authorization server's metadata
//! fails at refresh time (MCP 2025-03-26 let clients fall back to default paths such as
//! `/token`; 2025-06-18 and later removed that fallback).

use cucumber::{then, when};
use mock_provider::{Endpoint, JournalEntry};

use crate::client::mcp_twist::TOKEN_PATH;
use crate::client::world::{GauntletWorld, StepResult};

#[when("the authorization server's metadata starts failing")]
async fn metadata_fails(world: &mut GauntletWorld) -> StepResult {
    if world.run_ctx.is_none() {
        return Err(
            "the metadata of the run's own mock is never taken down: start the platform \
                    afresh against an MCP server of the scenario's own first"
                .into(),
        );
    }
    world.ctx.provider.set_metadata_outage(true);
    Ok(())
}

/// Whether `entry` carries `token` anywhere a client can put it: the form, the query, a raw
/// body or a header.
fn carries(entry: &JournalEntry, token: &str) -> bool {
    (entry.form.iter().chain(&entry.query)).any(|(_, v)| v == token)
        || entry.body.as_deref().is_some_and(|b| b.contains(token))
        || entry.headers.iter().any(|(_, v)| v.contains(token))
        || entry.path.contains(token)
}

#[then(
    regex = r"^the platform presented (\w+)'s refresh token only at the token endpoint of the metadata$"
)]
async fn refresh_token_not_guessed(world: &mut GauntletWorld, user: String) -> StepResult {
    let journal = super::mcp::any_journal(world)?;
    let refresh_tokens: Vec<String> = (journal.iter())
        .filter(|e| e.path == TOKEN_PATH)
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.response.body).ok())
        .filter_map(|body| body["refresh_token"].as_str().map(str::to_owned))
        .collect();
    if refresh_tokens.is_empty() {
        // Nothing to leak: the rule was not put to the test, which is no verdict on it.
        let reason = format!(
            "the rule was not judged: the authorization server issued {user} no refresh token \
             (the platform's token requests got none; see the evidence), so there was none to \
             send anywhere"
        );
        world.not_judged = Some(reason.clone());
        return Err(reason);
    }
    // The token endpoint, and the revocation endpoint the same metadata named (revoking the
    // refresh token there before giving up is RFC 7009's way, no leak).
    let Some(leak) = journal.iter().find(|e| {
        e.path != TOKEN_PATH
            && e.endpoint != Endpoint::Revocation
            && refresh_tokens.iter().any(|t| carries(e, t))
    }) else {
        return Ok(());
    };
    let metadata_failed = journal
        .iter()
        .any(|e| e.seq < leak.seq && e.endpoint == Endpoint::Metadata && e.response.status == 503);
    let when = if metadata_failed {
        " after the authorization server's metadata failed"
    } else {
        ""
    };
    Err(format!(
        "the platform sent {user}'s refresh token to {} {} (#{}){when}, not to the token \
         endpoint its validated metadata names ({TOKEN_PATH}): a guessed endpoint is whoever \
         answers there, and a refresh token sent to it is handed over. MCP 2025-03-26 let \
         clients fall back to /authorize, /token and /register when metadata was missing; \
         2025-06-18 and later removed the fallback and require the endpoints from RFC 8414 \
         metadata (MCP authorization, \"Authorization Server Metadata Discovery\"; RFC 6749 \
         §10.4: refresh tokens go to the authorization server only). Keep using the token \
         endpoint learned from validated metadata, or give up and ask the user to link again",
        leak.method,
        leak.redacted_path(),
        leak.seq
    ))
}
