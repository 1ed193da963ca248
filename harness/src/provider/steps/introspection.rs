//! Steps of `introspection.feature`: asking the introspection endpoint about tokens
//! (RFC 7662 §2.1, §2.2).

use cucumber::{then, when};

use super::flow::send_token;
use crate::provider::world::{ProviderWorld, Role, StepResult, reply_line};

#[when(
    regex = r"^the client introspects (the access token|an unknown token|a malformed token)( without authenticating)?$"
)]
async fn introspect(
    world: &mut ProviderWorld,
    which: String,
    unauthenticated: String,
) -> StepResult {
    let url = world.ctx.endpoints.introspection.clone();
    send_token(
        world,
        url,
        "introspection",
        Role::Main,
        &which,
        false,
        &unauthenticated,
    )
    .await
}

#[then("the introspection says active")]
async fn active(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    match reply.json().and_then(|j| j.get("active").cloned()) {
        Some(serde_json::Value::Bool(true)) => Ok(()),
        _ => Err(format!(
            "a fresh access token is not active: {}",
            reply_line(reply)
        )),
    }
}

#[then("the introspection gives scope, client_id and exp")]
async fn described(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    let json = reply
        .json()
        .ok_or_else(|| format!("not JSON: {}", reply_line(reply)))?;
    let missing: Vec<&str> = ["scope", "client_id", "exp"]
        .into_iter()
        .filter(|m| json.get(m).is_none())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the introspection of an active token lacks {}",
            missing.join(", ")
        ))
    }
}

#[then(regex = r#"^the introspection is exactly \{"active": false\}$"#)]
async fn inactive(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    if reply.status != 200 {
        return Err(format!(
            "introspection answered {}; RFC 7662 §2.2 answers 200",
            reply_line(reply)
        ));
    }
    match reply.json() {
        Some(json) if json == serde_json::json!({"active": false}) => Ok(()),
        Some(json) if json.get("active") == Some(&serde_json::Value::Bool(false)) => Err(format!(
            "an inactive token's introspection says more than active false: {}",
            reply_line(reply)
        )
        .replace(&json.to_string(), "…")),
        _ => Err(format!(
            "the token is not reported inactive: {}",
            reply_line(reply)
        )),
    }
}
