//! Steps of `revocation.feature`: revoking tokens and checking they stop working (RFC 7009
//! §2.1, §2.2).

use cucumber::then;

use crate::parameters::OAuthErrorParam;
use crate::provider::world::{ProviderWorld, StepResult, reply_line};

#[then(expr = "the answer is an {error} error")]
async fn error(world: &mut ProviderWorld, expected: OAuthErrorParam) -> StepResult {
    let expected = expected.0.as_str();
    let reply = world.last()?;
    let error = reply
        .json()
        .and_then(|j| j.get("error").and_then(|e| e.as_str()).map(str::to_owned));
    match error {
        Some(e) if e == expected && (400..500).contains(&reply.status) => Ok(()),
        _ => Err(format!(
            "expected a {expected} error, the server answered {}",
            reply_line(reply)
        )),
    }
}

#[then("the access token no longer works")]
async fn revoked(world: &mut ProviderWorld) -> StepResult {
    let token = world.latest_tokens()?.access.clone();
    if world.token_works(token.expose()).await? {
        Err("the access token still works".into())
    } else {
        Ok(())
    }
}

#[then("the access token still works")]
async fn still_works(world: &mut ProviderWorld) -> StepResult {
    let token = world.latest_tokens()?.access.clone();
    if world.token_works(token.expose()).await? {
        Ok(())
    } else {
        Err("the access token stopped working".into())
    }
}
