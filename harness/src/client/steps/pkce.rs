//! Steps of `pkce.feature` ([RFC 7636](https://www.rfc-editor.org/rfc/rfc7636)).

use cucumber::then;
use mock_provider::pkce::{is_well_formed, s256_challenge};

use super::flow::no_token_request_made;
use crate::client::world::{GauntletWorld, StepResult};

#[then("the authorization request carries a code_challenge of 43 characters")]
async fn carries_challenge(world: &mut GauntletWorld) -> StepResult {
    let flow = world.last_flow(None)?;
    let challenge = flow
        .param("code_challenge")
        .ok_or("the authorization request has no code_challenge (no PKCE)")?;
    let base64url = challenge
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if challenge.len() == 43 && base64url {
        Ok(())
    } else {
        Err(format!(
            "the code_challenge {challenge:?} is not 43 characters of unpadded base64url (an S256 hash)"
        ))
    }
}

#[then("the code_challenge_method is S256")]
async fn method_is_s256(world: &mut GauntletWorld) -> StepResult {
    match world
        .last_flow(None)?
        .param("code_challenge_method")
        .as_deref()
    {
        Some("S256") => Ok(()),
        Some(other) => Err(format!("the code_challenge_method is {other:?}, not S256")),
        None => {
            Err("the authorization request has no code_challenge_method, which means plain".into())
        }
    }
}

/// The code_verifier the platform sent at the token endpoint for the last flow.
fn verifier(world: &GauntletWorld) -> Result<String, String> {
    let requests = world.token_requests();
    let request = requests
        .iter()
        .find(|e| e.param("grant_type") == Some("authorization_code"))
        .ok_or_else(|| no_token_request_made(world))?;
    request
        .param("code_verifier")
        .map(str::to_owned)
        .ok_or_else(|| "the token request carries no code_verifier".into())
}

#[then("the platform sends a code_verifier that matches the code_challenge")]
async fn verifier_matches(world: &mut GauntletWorld) -> StepResult {
    let challenge = world
        .last_flow(None)?
        .param("code_challenge")
        .ok_or("the authorization request had no code_challenge")?;
    let verifier = verifier(world)?;
    if s256_challenge(&verifier) == challenge {
        Ok(())
    } else {
        Err("the code_verifier sent to the token endpoint does not hash to the code_challenge sent at authorize".into())
    }
}

#[then("the code_verifier is 43 to 128 characters of [A-Za-z0-9-._~]")]
async fn verifier_well_formed(world: &mut GauntletWorld) -> StepResult {
    let verifier = verifier(world)?;
    if is_well_formed(&verifier) {
        Ok(())
    } else {
        Err(format!(
            "the code_verifier has {} characters or characters outside the unreserved set",
            verifier.len()
        ))
    }
}

#[then(expr = "the {int} code challenges are all different")]
async fn challenges_distinct(world: &mut GauntletWorld, count: usize) -> StepResult {
    let challenges: Vec<String> = world
        .flows
        .iter()
        .filter_map(|f| f.param("code_challenge"))
        .collect();
    super::state::all_distinct(&challenges, count, "code challenge")
}
