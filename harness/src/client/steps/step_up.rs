//! Steps of `mcp/step_up.feature`: what an MCP client does when its server answers a tool call
//! with 403 `insufficient_scope` (MCP authorization 2025-11-25 and later, "Step-Up
//! Authorization Flow"): it re-authorizes asking for the challenged scopes together with those
//! it asked for before, and it gives up after a few re-authorizations that did not help.

use cucumber::{then, when};

use crate::client::mcp_twist::STEP_UP_SCOPE;
use crate::client::world::{GauntletWorld, StepResult};
use crate::suite::browser::short;

/// The most tool calls a scenario makes while the platform keeps asking to re-authorize: the
/// first, and one after each of three re-authorizations ("no more than a few times").
const MOST_CALLS: usize = 4;

/// The space-delimited tokens of `scope`.
fn tokens(scope: &str) -> Vec<String> {
    scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Makes the platform call `tool` for `user` once (`[tool_call]`); its answer is kept.
async fn call(world: &mut GauntletWorld, user: &str, tool: &str) -> StepResult {
    let call =
        (world.ctx.profile.tool_call.clone()).ok_or("the platform profile has no [tool_call]")?;
    let reply = world.send_request(user, &call.for_tool(tool)).await?;
    world.tool_answers.push(reply.clone());
    world.last_answer = Some(reply);
    Ok(())
}

#[when(regex = r#"^(\w+) asks the platform to use the tool "(\w+)"$"#)]
async fn uses_tool(world: &mut GauntletWorld, user: String, tool: String) -> StepResult {
    call(world, &user, &tool).await
}

#[when(
    regex = r#"^(\w+) keeps asking the platform to use the tool "(\w+)", authorizing again whenever it asks$"#
)]
async fn keeps_using_tool(world: &mut GauntletWorld, user: String, tool: String) -> StepResult {
    let gave_up = (world.ctx.profile.tool_call.as_ref())
        .map(|c| c.gave_up_text.clone())
        .ok_or("the platform profile has no [tool_call]")?;
    for round in 1..=MOST_CALLS {
        call(world, &user, &tool).await?;
        let answered = world
            .tool_answers
            .last()
            .is_some_and(|r| r.body.contains(&gave_up));
        if answered || round == MOST_CALLS {
            break;
        }
        // Alice authorizes again, as a user asked to does; a platform that starts no flow has
        // stopped asking (the Then judges what it told her).
        if world.start_flow(&user).await.is_err() {
            break;
        }
        world.authorize(&user).await?;
        let callback = super::flow::callback_of(world, &user)?;
        let reply = world.deliver(&user, &callback).await?;
        world.keep_callback(&user, reply).await?;
    }
    Ok(())
}

/// The scopes a call of `tool` needs at the scenario's MCP server: the endpoint's and the
/// tool's own (what its 403 challenges).
fn needed_scopes(world: &GauntletWorld, tool: &str) -> Vec<String> {
    let mcp = &world.ctx.provider.config().mcp;
    let mut needed = mcp.scopes.clone();
    for scope in mcp.tool_scopes.get(tool).into_iter().flatten() {
        if !needed.contains(scope) {
            needed.push(scope.clone());
        }
    }
    needed
}

/// Whether the MCP server refused a call for lack of scope in this scenario.
fn refused_for_scope(world: &GauntletWorld) -> bool {
    let path = world.ctx.provider.config().mcp.path.clone();
    (world.ctx.provider.journal().iter()).any(|e| e.path == path && e.response.status == 403)
}

#[then(
    regex = r#"^(\w+)'s new authorization request asks for the scopes the tool "(\w+)" was refused for and every scope asked before$"#
)]
async fn union_requested(world: &mut GauntletWorld, user: String, tool: String) -> StepResult {
    if !refused_for_scope(world) {
        return Err(format!(
            "the MCP server never answered 403 insufficient_scope: the platform did not call \
             the tool {tool:?} with {user}'s token (see the evidence for its answer)"
        ));
    }
    let flows: Vec<_> = world.flows.iter().filter(|f| f.user == user).collect();
    let (Some(first), Some(last)) = (flows.first(), flows.last()) else {
        return Err(format!("{user} started no flow"));
    };
    if flows.len() < 2 {
        return Err(format!("{user} started only one flow"));
    }
    let before = tokens(&first.param("scope").unwrap_or_default());
    let challenged = needed_scopes(world, &tool);
    let asked = tokens(&last.param("scope").unwrap_or_default());
    let missing = |of: &[String]| -> Vec<String> {
        of.iter().filter(|s| !asked.contains(s)).cloned().collect()
    };
    let (lost, unasked) = (missing(&before), missing(&challenged));
    if lost.is_empty() && unasked.is_empty() {
        return Ok(());
    }
    let mut faults = Vec::new();
    if !unasked.is_empty() {
        faults.push(format!(
            "leaves out {unasked:?}, which the 403 insufficient_scope challenged: re-authorize \
             with the challenge's scope (MCP authorization 2025-11-25 and later, \"Step-Up \
             Authorization Flow\")"
        ));
    }
    if !lost.is_empty() {
        faults.push(format!(
            "drops {lost:?}, which it asked for before: the new token would lose permissions \
             the old one had, since the server challenges only what the call needs. Ask for \
             the union of the scopes requested before and the challenged ones (MCP \
             authorization 2026-07-28, \"Step-Up Authorization Flow\"; RFC 6750 §3.1)"
        ));
    }
    Err(format!(
        "after the tool {tool:?} was refused, {user}'s new authorization request asks for \
         {asked:?} (before: {before:?}; challenged: {challenged:?}); it {}",
        faults.join("; and it ")
    ))
}

#[then(
    regex = r#"^the platform told (\w+) the tool "(\w+)" cannot be used, after a few re-authorizations at most$"#
)]
async fn gave_up(world: &mut GauntletWorld, user: String, tool: String) -> StepResult {
    let gave_up = (world.ctx.profile.tool_call.as_ref())
        .map(|c| c.gave_up_text.clone())
        .ok_or("the platform profile has no [tool_call]")?;
    if world.tool_answers.iter().any(|r| r.body.contains(&gave_up)) {
        return Ok(());
    }
    let step_ups = (world.flows.iter())
        .filter(|f| f.user == user)
        .skip(1)
        .filter(|f| {
            tokens(&f.param("scope").unwrap_or_default())
                .iter()
                .any(|s| s == STEP_UP_SCOPE)
        })
        .count();
    let last = world
        .tool_answers
        .last()
        .map_or_else(|| "nothing".to_owned(), |r| short(&r.body));
    Err(format!(
        "{user} asked for the tool {tool:?} {} times and authorized again each time the \
         platform asked ({step_ups} re-authorizations asked for {STEP_UP_SCOPE:?}); the \
         authorization server never grants it, so the MCP server refused every call with 403 \
         insufficient_scope, and the platform never said it gave up ({gave_up:?}); its last \
         answer: {last}. Retry the original request after a re-authorization no more than a \
         few times, then treat the refusal as a permanent authorization failure and tell the \
         user (MCP authorization 2025-11-25 and later, \"Step-Up Authorization Flow\": clients \
         should implement retry limits)",
        world.tool_answers.len()
    ))
}
