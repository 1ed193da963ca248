//! Steps of `pkce.feature`: code challenges at the authorization endpoint and verifiers at
//! the token endpoint (RFC 7636 §4.1–§4.6; RFC 9700 §2.1.1, §4.8.2).

use cucumber::{given, when};
use mock_provider::pkce::{generate_verifier, s256_challenge};
use oauth_vocab::Secret;

use super::flow::{approved, redeem_changed};
use crate::provider::world::{ProviderWorld, Role, StepResult};

#[given("an authorization request of the public client")]
async fn public_request(world: &mut ProviderWorld) -> StepResult {
    world.new_request(Role::Public).map(drop)
}

#[given("it uses the plain method")]
async fn plain(world: &mut ProviderWorld) -> StepResult {
    let request = world.request_mut()?;
    let verifier = request
        .verifier
        .clone()
        .ok_or("the request has no verifier")?;
    request.set("code_challenge", verifier.expose());
    request.set("code_challenge_method", "plain");
    Ok(())
}

#[given("the user approved an authorization request without code_challenge")]
async fn approved_without_pkce(world: &mut ProviderWorld) -> StepResult {
    approved(world, Role::Main, |r| {
        r.remove("code_challenge");
        r.remove("code_challenge_method");
    })
    .await
}

#[given(
    regex = r"^the user approved an authorization request whose verifier is (\d+) characters long$"
)]
async fn approved_with_verifier_length(world: &mut ProviderWorld, length: usize) -> StepResult {
    let mut verifier = generate_verifier();
    while verifier.len() < length {
        verifier.push('a');
    }
    verifier.truncate(length);
    approved(world, Role::Main, |r| {
        r.set("code_challenge", &s256_challenge(&verifier));
        r.verifier = Some(Secret::new(verifier.clone()));
    })
    .await
}

#[when(
    regex = r"^the client redeems the code (with a wrong code_verifier|without code_verifier|with a code_verifier)$"
)]
async fn redeem_with_verifier(world: &mut ProviderWorld, how: String) -> StepResult {
    // For a code issued without a challenge, any verifier is one too many.
    let wrong_verifier = generate_verifier();
    let value = (how != "without code_verifier").then_some(wrong_verifier.as_str());
    redeem_changed(world, None, None, Some(("code_verifier", value))).await
}
