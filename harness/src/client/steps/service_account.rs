//! Steps of CSML's chatbot-wide service account (`csml.feature`, `@service_account`): one
//! `client_credentials` token (RFC 6749 §4.4), obtained with the client's authentication, used
//! for every user, obtained anew when the API refuses it (there is no refresh token, §4.4.3),
//! and never shown to a user. The token is the whole platform's, so these scenarios run
//! `@serial` and count what the platform sent after their first service turn.

use std::collections::BTreeSet;

use cucumber::{then, when};
use mock_provider::{Endpoint, JournalEntry};
use serde_json::Value;

use super::token::{authenticated_as_configured, revoke};
use crate::client::world::{GauntletWorld, StepResult};
use crate::suite::browser::short;

/// The platform's requests to `endpoint` after journal entry `mark`.
fn after(world: &GauntletWorld, endpoint: Endpoint, mark: u64) -> Vec<JournalEntry> {
    world
        .ctx
        .provider
        .journal_for(&world.ctx.client.client_id)
        .into_iter()
        .filter(|e| e.endpoint == endpoint && e.seq > mark)
        .collect()
}

/// The platform's `client_credentials` grants: all of them, or those after the mark.
fn grants(world: &GauntletWorld, since_mark: bool) -> Vec<JournalEntry> {
    let mark = world.service_mark.filter(|_| since_mark).unwrap_or(0);
    after(world, Endpoint::Token, mark)
        .into_iter()
        .filter(|e| e.param("grant_type") == Some("client_credentials"))
        .collect()
}

/// The access token a grant issued.
fn issued(grant: &JournalEntry) -> Option<String> {
    let body: Value = serde_json::from_str(&grant.response.body).ok()?;
    body["access_token"].as_str().map(str::to_owned)
}

/// Every service token the provider ever issued to the platform.
fn service_tokens(world: &GauntletWorld) -> Vec<String> {
    grants(world, false).iter().filter_map(issued).collect()
}

/// The API calls after the mark, with the Bearer token each carried.
fn service_calls(world: &GauntletWorld) -> Vec<(JournalEntry, Option<String>)> {
    let mark = world.service_mark.unwrap_or(u64::MAX);
    after(world, Endpoint::Resource, mark)
        .into_iter()
        .map(|e| {
            let token = e
                .header("authorization")
                .and_then(|h| h.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim().to_owned());
            (e, token)
        })
        .collect()
}

/// Moves the mark to the journal's end.
fn mark_now(world: &mut GauntletWorld) {
    let last = world.ctx.provider.journal().last().map_or(0, |e| e.seq);
    world.service_mark = Some(last);
}

#[when(regex = r"^(\w+) sends a chat turn that uses the service account$")]
async fn service_turn(world: &mut GauntletWorld, user: String) -> StepResult {
    let account = world
        .ctx
        .profile
        .service_account
        .clone()
        .ok_or("the platform profile has no [service_account]")?;
    if world.service_mark.is_none() {
        mark_now(world);
    }
    let reply = world.send_request(&user, &account.turn).await?;
    world.last_answer = Some(reply);
    Ok(())
}

#[when("the provider revokes the service token")]
async fn revoke_service_token(world: &mut GauntletWorld) -> StepResult {
    let token = service_calls(world)
        .into_iter()
        .rev()
        .find_map(|(_, token)| token)
        .ok_or("the platform made no service call with a Bearer token to revoke")?;
    revoke(world, &token).await?;
    mark_now(world);
    Ok(())
}

#[then("the answer says the service answered")]
async fn service_answered(world: &mut GauntletWorld) -> StepResult {
    let text = world
        .ctx
        .profile
        .service_account
        .as_ref()
        .map(|a| a.answered_text.clone())
        .unwrap_or_default();
    let reply = world
        .last_answer
        .as_ref()
        .ok_or("no service turn was sent")?;
    if reply.body.contains(&text) {
        Ok(())
    } else {
        Err(format!(
            "the service turn's answer ({}) does not say {text:?}: {}",
            reply.status,
            short(&reply.body)
        ))
    }
}

#[then("every service call used a token the platform obtained with client_credentials")]
async fn calls_use_service_tokens(world: &mut GauntletWorld) -> StepResult {
    let calls = service_calls(world);
    if calls.is_empty() {
        return Err("the service turns made no call to the API".into());
    }
    let tokens = service_tokens(world);
    for (call, token) in &calls {
        if !token.as_ref().is_some_and(|t| tokens.contains(t)) {
            return Err(format!(
                "a service call ({} {} -> {}) carries no token the platform obtained with \
                 client_credentials",
                call.method,
                call.redacted_path(),
                call.response.status
            ));
        }
    }
    Ok(())
}

#[then("every client_credentials grant authenticated the client as configured")]
async fn grants_authenticated(world: &mut GauntletWorld) -> StepResult {
    let grants = grants(world, false);
    if grants.is_empty() {
        return Err("the platform never made a client_credentials grant".into());
    }
    for grant in &grants {
        authenticated_as_configured(world, grant)
            .map_err(|why| format!("a client_credentials grant: {why}"))?;
    }
    Ok(())
}

#[then("every user's turn used one service token, from at most one grant")]
async fn one_token_for_all(world: &mut GauntletWorld) -> StepResult {
    let used: BTreeSet<Option<String>> = service_calls(world).into_iter().map(|(_, t)| t).collect();
    let grants = grants(world, true).len();
    if grants > 1 {
        return Err(format!(
            "the platform made {grants} client_credentials grants for these turns: a service \
             account's token serves every user until it is refused"
        ));
    }
    if used.len() > 1 {
        return Err(format!(
            "the service calls of these turns used {} different tokens, not one",
            used.len()
        ));
    }
    Ok(())
}

#[then("the platform obtained one new service token and the service answered with it")]
async fn renewed_once(world: &mut GauntletWorld) -> StepResult {
    let grants = grants(world, true);
    let new = match grants.as_slice() {
        [] => {
            return Err(
                "after the provider refused the service token the platform obtained no new one \
                 (client_credentials has no refresh token, RFC 6749 §4.4.3: it asks again)"
                    .into(),
            );
        }
        [grant] => issued(grant).ok_or("the new client_credentials grant failed")?,
        more => {
            return Err(format!(
                "the platform made {} client_credentials grants for one refused token",
                more.len()
            ));
        }
    };
    let calls = service_calls(world);
    let (last, token) = calls.last().ok_or("the platform made no service call")?;
    if token.as_deref() == Some(new.as_str()) && last.response.status == 200 {
        Ok(())
    } else {
        Err(format!(
            "the last service call ({} -> {}) did not use the new service token",
            last.redacted_path(),
            last.response.status
        ))
    }
}

#[then("the chat turn shows no service token")]
async fn no_service_token(world: &mut GauntletWorld) -> StepResult {
    let tokens = service_tokens(world);
    if tokens.is_empty() {
        return Err("the platform never obtained a service token".into());
    }
    let reply = world
        .last_answer
        .as_ref()
        .ok_or("no service turn was sent")?;
    let secret = world.ctx.client.client_secret.clone().unwrap_or_default();
    if tokens.iter().any(|t| reply.body.contains(t.as_str())) {
        Err("the chat answer shows the chatbot-wide service token to the user".into())
    } else if !secret.is_empty() && reply.body.contains(&secret) {
        Err("the chat answer shows the client secret to the user".into())
    } else {
        Ok(())
    }
}
