//! Steps of `refresh.feature`: refreshing tokens, rotation and scope (RFC 6749 §6; RFC 9700
//! §4.14.2).

use cucumber::{then, when};
use oauth_vocab::Secret;

use crate::provider::world::{ProviderWorld, Role, StepResult, reply_line};

#[when("the client refreshes the token")]
async fn refresh(world: &mut ProviderWorld) -> StepResult {
    let token = newest_refresh(world)?;
    refresh_with(world, &token, None).await
}

#[when("the client refreshes with the previous refresh token")]
async fn refresh_previous(world: &mut ProviderWorld) -> StepResult {
    let refreshes: Vec<String> = world
        .tokens
        .iter()
        .filter_map(|t| t.refresh.as_ref().map(|r| r.expose().to_owned()))
        .collect();
    let previous = refreshes
        .len()
        .checked_sub(2)
        .and_then(|i| refreshes.get(i))
        .or(refreshes.first())
        .cloned()
        .ok_or("no refresh token was issued")?;
    refresh_with(world, &previous, None).await
}

#[when(regex = r#"^the client refreshes the token with an additional scope "(\S+)"$"#)]
async fn refresh_wider(world: &mut ProviderWorld, extra: String) -> StepResult {
    let token = newest_refresh(world)?;
    let granted = world
        .tokens
        .last()
        .and_then(|t| t.scope.clone())
        .unwrap_or_else(|| world.ctx.profile.client.scope.clone());
    let scope = format!("{granted} {extra}").trim().to_owned();
    refresh_with(world, &token, Some(&scope)).await
}

#[when("the client refreshes with an unknown refresh token")]
async fn refresh_unknown(world: &mut ProviderWorld) -> StepResult {
    refresh_with(
        world,
        &crate::suite::random::token("gauntlet-unknown-"),
        None,
    )
    .await
}

fn newest_refresh(world: &ProviderWorld) -> Result<String, String> {
    world
        .tokens
        .iter()
        .rev()
        .find_map(|t| t.refresh.as_ref().map(|r| r.expose().to_owned()))
        .ok_or_else(|| "the server issued no refresh token".to_owned())
}

async fn refresh_with(world: &mut ProviderWorld, token: &str, scope: Option<&str>) -> StepResult {
    let role = world.grant.as_ref().map_or(Role::Main, |g| g.role);
    let mut form = vec![
        ("grant_type".to_owned(), "refresh_token".to_owned()),
        ("refresh_token".to_owned(), token.to_owned()),
    ];
    if let Some(scope) = scope {
        form.push(("scope".into(), scope.into()));
    }
    let url = world.ctx.endpoints.token.clone();
    let reply = world.post_form(&url, role, None, None, form).await?;
    world.keep_tokens(&reply);
    Ok(())
}

#[then("a new refresh token was issued")]
async fn rotated(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    if reply.status != 200 {
        return Err(format!("the refresh failed: {}", reply_line(reply)));
    }
    let refreshes: Vec<&Secret> = world
        .tokens
        .iter()
        .filter_map(|t| t.refresh.as_ref())
        .collect();
    let newest = world.tokens.last().and_then(|t| t.refresh.as_ref());
    match newest {
        Some(new) if refreshes.iter().filter(|r| **r == new).count() == 1 => Ok(()),
        Some(_) => {
            Err("the refresh answer repeats the same refresh token: it is not rotated".into())
        }
        None => Err("the refresh answer has no new refresh token: it is not rotated".into()),
    }
}
