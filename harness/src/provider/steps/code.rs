//! Steps of `code.feature`: the authorization code is single-use, bound to its client and
//! redirect URI, and short-lived (RFC 6749 §4.1.2, §4.1.3).

use std::time::Duration;

use cucumber::{then, when};

use super::flow::{redeem, redeem_changed};
use crate::provider::profile::CodeLifetime;
use crate::provider::world::{ProviderWorld, Role, StepResult};

#[when("the client redeems the code again")]
async fn redeem_again(world: &mut ProviderWorld) -> StepResult {
    redeem(world).await
}

#[when("the other client redeems the code")]
async fn other_redeems(world: &mut ProviderWorld) -> StepResult {
    world
        .redeem(Role::Other, None, None, |_| {})
        .await
        .map(drop)
}

#[when(
    regex = r"^the client redeems the code (with a different redirect_uri|without redirect_uri)$"
)]
async fn redeem_elsewhere(world: &mut ProviderWorld, how: String) -> StepResult {
    let registered = world.registration(world.grant()?.role)?.clone();
    let different = registered
        .other_redirect_uris
        .first()
        .cloned()
        .unwrap_or_else(|| format!("{}/gauntlet", registered.redirect_uri.trim_end_matches('/')));
    let value = (how == "with a different redirect_uri").then_some(different.as_str());
    redeem_changed(world, None, None, Some(("redirect_uri", value))).await
}

#[when("the client redeems the code with the redirect_uri's trailing slash toggled")]
async fn redeem_slash_toggled(world: &mut ProviderWorld) -> StepResult {
    let sent = world
        .grant()?
        .redirect_uri
        .clone()
        .ok_or("the authorization request had no redirect_uri")?;
    let toggled = match sent.strip_suffix('/') {
        Some(without) => without.to_owned(),
        None => format!("{sent}/"),
    };
    redeem_changed(world, None, None, Some(("redirect_uri", Some(&toggled)))).await
}

#[when("the code has expired")]
async fn code_expired(world: &mut ProviderWorld) -> StepResult {
    let lifetime = match world.ctx.profile.server.code_lifetime_secs {
        Some(CodeLifetime::Secs(secs)) => secs,
        Some(CodeLifetime::Unlimited) => {
            return Err("the profile says the server's codes never expire \
                        (code_lifetime_secs = \"none\"); RFC 6749 §4.1.2: a code MUST expire \
                        shortly after it is issued, 10 minutes at most RECOMMENDED"
                .into());
        }
        None => return Err("the profile gives no code_lifetime_secs".into()),
    };
    if lifetime > 600 {
        return Err(format!(
            "codes live {lifetime} s; RFC 6749 §4.1.2 recommends at most 10 minutes"
        ));
    }
    tokio::time::sleep(Duration::from_secs(lifetime) + Duration::from_millis(1500)).await;
    Ok(())
}

#[then("the first access token no longer works")]
async fn first_revoked(world: &mut ProviderWorld) -> StepResult {
    let first = world
        .tokens
        .first()
        .ok_or("the first redemption issued no tokens")?
        .access
        .clone();
    if world.token_works(first.expose()).await? {
        Err("the access token issued from the code still works after the code was replayed".into())
    } else {
        Ok(())
    }
}
