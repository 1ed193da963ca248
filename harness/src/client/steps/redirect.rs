//! Steps of `redirect.feature` (RFC 6749 §3.1.2, §4.1.3; RFC 9700 §2.1, §4.11).

use cucumber::{then, when};

use super::flow::{callback_of, no_token_request_made, with_query};
use crate::client::world::{GauntletWorld, StepResult};
use crate::suite::browser::short;

const ELSEWHERE: &str = "https://attacker.invalid/welcome";

#[then("the redirect_uri is exactly a registered one")]
async fn registered(world: &mut GauntletWorld) -> StepResult {
    let flow = world.last_flow(None)?;
    let registered = &world.ctx.client.redirect_uris;
    match flow.param("redirect_uri") {
        Some(uri) if registered.contains(&uri) => Ok(()),
        Some(uri) => Err(format!(
            "the redirect_uri {uri:?} is not byte for byte one of the registered {registered:?}"
        )),
        None if registered.len() == 1 => Ok(()),
        None => Err(
            "the authorization request omits redirect_uri although several are registered".into(),
        ),
    }
}

#[then("the token request repeats the redirect_uri exactly")]
async fn repeated(world: &mut GauntletWorld) -> StepResult {
    let sent = world.last_flow(None)?.param("redirect_uri");
    let requests = world.token_requests();
    let request = requests
        .first()
        .ok_or_else(|| no_token_request_made(world))?;
    match (sent, request.param("redirect_uri")) {
        (Some(a), Some(b)) if a == b => Ok(()),
        (None, _) => Ok(()),
        (Some(a), Some(b)) => Err(format!(
            "the token request says redirect_uri {b:?}; the authorization request said {a:?}"
        )),
        (Some(_), None) => Err(
            "the token request omits the redirect_uri that the authorization request carried"
                .into(),
        ),
    }
}

#[when(regex = r"^(\w+) returns to the platform with a return address on another site$")]
async fn returns_with_return_address(world: &mut GauntletWorld, user: String) -> StepResult {
    let callback = callback_of(world, &user)?;
    let poisoned = with_query(&callback, |pairs| {
        for name in ["next", "return_to", "redirect", "returnUrl", "continue"] {
            pairs.push((name.to_owned(), ELSEWHERE.to_owned()));
        }
    })?;
    let reply = world.deliver(&user, &poisoned).await?;
    world.keep_callback(&user, reply).await
}

#[then(regex = r"^the platform did not send (\w+) to another site$")]
async fn not_elsewhere(world: &mut GauntletWorld, user: String) -> StepResult {
    let flow = world.last_flow(Some(&user))?;
    let reply = flow
        .callback
        .as_ref()
        .ok_or("the callback was not delivered")?;
    let redirected = reply
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("https://attacker.invalid"));
    let body = reply.body.to_ascii_lowercase();
    let refreshed = body.contains("http-equiv=\"refresh\"") && body.contains("attacker.invalid");
    let scripted =
        body.contains("location") && body.contains("attacker.invalid") && body.contains("<script");
    if redirected || refreshed || scripted {
        return Err(format!(
            "the callback sends the browser to a return address on another site: {}",
            short(&reply.body)
        ));
    }
    Ok(())
}
