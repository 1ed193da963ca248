//! Steps of Kore.ai's "Path Param" (`kore.feature`, `@path_param`): the access token as the
//! `{access_token}` segment of the profile's `[api] token_path`, and nowhere else.
//!
//! RFC 6750 §2 defines the header, the form body and the query; a path is none of them, and
//! §5.3 says not to pass bearer tokens in page URLs (a path reaches logs and `Referer` as a
//! query does). The placement is the vendor's choice; once the profile makes it, the platform
//! must keep to it, and Gauntlet shows the segment only masked.

use cucumber::then;
use mock_provider::JournalEntry;

use super::token::{issued_tokens, resource_calls, with_bearer_header};
use crate::client::world::{GauntletWorld, StepResult};

/// Where one resource call carried the token, when not (only) in the path.
fn misplaced(call: &JournalEntry, token_path: &str) -> Option<String> {
    let route = call.route.as_deref().unwrap_or("");
    let route = route.strip_prefix("/t/{tenant}").unwrap_or(route);
    let bearer = call
        .header("authorization")
        .is_some_and(|h| h.to_ascii_lowercase().starts_with("bearer "));
    if route != token_path {
        Some(format!(
            "went to {}, not to {token_path}",
            call.redacted_path()
        ))
    } else if bearer {
        Some("carries a Bearer Authorization header too".into())
    } else if call.param("access_token").is_some() {
        Some("carries an access_token parameter too".into())
    } else {
        None
    }
}

#[then("the platform called the resource API with the token where the profile places it")]
async fn where_the_profile_places_it(world: &mut GauntletWorld) -> StepResult {
    match world.ctx.profile.api.token_path.clone() {
        Some(token_path) => in_path(world, &token_path),
        None => with_bearer_header(world),
    }
}

#[then("the platform called the resource API with the token in the path only")]
async fn in_path_only(world: &mut GauntletWorld) -> StepResult {
    let token_path = world
        .ctx
        .profile
        .api
        .token_path
        .clone()
        .ok_or("the profile names no [api] token_path")?;
    in_path(world, &token_path)
}

/// Every resource call of the scenario carries an issued access token as the `{access_token}`
/// segment of `token_path`, and the token nowhere else.
fn in_path(world: &GauntletWorld, token_path: &str) -> StepResult {
    let calls = resource_calls(world);
    if calls.is_empty() {
        return Err(format!(
            "the platform never called the API at {token_path} with the access token"
        ));
    }
    let tokens = issued_tokens(world);
    for call in &calls {
        if let Some(why) = misplaced(call, token_path) {
            return Err(format!(
                "the profile places the token in the path {token_path}, but a resource request \
                 {why} (findings: {:?})",
                call.findings
            ));
        }
        let segment = call.path_param("access_token").unwrap_or("");
        if !tokens.iter().any(|t| t == segment) {
            return Err(format!(
                "the {{access_token}} segment of {} is no access token the provider issued",
                call.redacted_path()
            ));
        }
    }
    Ok(())
}

#[then("the last API call carries the refreshed access token in its path")]
async fn refreshed_in_path(world: &mut GauntletWorld) -> StepResult {
    let refreshed = world
        .token_requests()
        .into_iter()
        .rev()
        .filter(|e| e.param("grant_type") == Some("refresh_token") && e.response.status == 200)
        .find_map(|e| {
            let body: serde_json::Value = serde_json::from_str(&e.response.body).ok()?;
            body["access_token"].as_str().map(str::to_owned)
        })
        .ok_or("the platform never refreshed the expired access token")?;
    let calls = resource_calls(world);
    let last = calls.last().ok_or("the platform never called the API")?;
    if last.path_param("access_token") == Some(refreshed.as_str()) {
        Ok(())
    } else {
        Err(format!(
            "after the refresh the platform called {} (answer {}): its path does not carry the \
             refreshed access token, so the API URL was filled once and kept",
            last.redacted_path(),
            last.response.status
        ))
    }
}
