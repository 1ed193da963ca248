//! Steps of `mcp/scope.feature`: the scopes an MCP client asks for in its first authorization
//! (MCP authorization, 2025-11-25 and later, "Scope Selection Strategy"): the `scope` of the
//! 401's challenge, else the protected-resource metadata's `scopes_supported`.

use cucumber::then;
use mock_provider::{Endpoint, JournalEntry};

use crate::client::mcp_twist::SERVER_SCOPE;
use crate::client::steps::mcp::any_journal;
use crate::client::world::{GauntletWorld, StepResult};

/// The `scope` values of the first authorization request in `journal`, or why there is none.
fn first_requested_scopes(journal: &[JournalEntry]) -> Result<(u64, Vec<String>), String> {
    let entry = (journal.iter())
        .find(|e| e.endpoint == Endpoint::Authorize)
        .ok_or(
            "the platform made no authorization request: see the evidence for where it stopped",
        )?;
    let scopes = (entry.query.iter())
        .filter(|(name, _)| name == "scope")
        .flat_map(|(_, value)| value.split(' ').map(str::to_owned))
        .collect();
    Ok((entry.seq, scopes))
}

#[then(regex = r"^the platform asked for the scope (the 401 named|the metadata lists)$")]
async fn asked_for_server_scope(world: &mut GauntletWorld, source: String) -> StepResult {
    let (named, rule) = if source == "the 401 named" {
        (
            "the 401's WWW-Authenticate challenge named",
            "use the challenge's scope first",
        )
    } else {
        (
            "the protected-resource metadata's scopes_supported lists (the 401 named none)",
            "without a scope in the challenge, ask for every scope of the protected-resource \
             metadata's scopes_supported",
        )
    };
    let journal = any_journal(world)?;
    let (seq, requested) =
        first_requested_scopes(&journal).map_err(|why| match &world.refused_start {
            Some(refusal) => format!("the platform did not start: {}", refusal.why),
            None => why,
        })?;
    if requested.iter().any(|s| s == SERVER_SCOPE) {
        return Ok(());
    }
    let asked = if requested.is_empty() {
        "no scope".to_owned()
    } else {
        format!("scope {:?}", requested.join(" "))
    };
    Err(format!(
        "the authorization request (#{seq}) asked for {asked}, without {SERVER_SCOPE:?}, the \
         scope {named}: the MCP server needs it for every request, so the token will be refused \
         with 403 insufficient_scope. MCP clients should take the scopes to request from the \
         server: {rule} (MCP authorization 2025-11-25 and later, \"Scope Selection Strategy\"), \
         besides any scopes of their own"
    ))
}
