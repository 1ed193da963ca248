//! Steps of `linking.feature`: the account-linking attacks, where one user's flow reaches
//! another user's browser (RFC 6749 §10.12, RFC 9700 §4.5, §4.7).

use cucumber::{then, when};
use mock_provider::Decision;

use super::flow::probe_linked;
use crate::client::world::{GauntletWorld, StepResult};

#[when(regex = r"^(\w+) logs in at the provider as (?:herself|himself|themselves)$")]
async fn logs_in_as_self(world: &mut GauntletWorld, user: String) -> StepResult {
    // Scoped to the flow's state, so that concurrent scenarios keep their own logins; a flow
    // without a state is approved as the provider's default user.
    if let Some(state) = world.last_flow(Some(&user))?.state() {
        Decision::approve(user.clone())
            .for_client(&world.ctx.client.client_id)
            .for_state(&state)
            .mount(&world.ctx.provider)
            .map_err(|e| format!("the provider refused the scripted login: {e}"))?;
    }
    world.authorize(&user).await
}

#[when(regex = r"^(\w+) opens (\w+)'s authorization link$")]
async fn opens_authorization_link(
    world: &mut GauntletWorld,
    user: String,
    owner: String,
) -> StepResult {
    world.take_authorization_link_of(&user, &owner)
}

#[when(regex = r"^(\w+) asks for a login link in (?:her|his|their) chat$")]
async fn asks_for_login_link(world: &mut GauntletWorld, user: String) -> StepResult {
    world.ask_login_link(&user).await
}

#[when(regex = r"^(\w+) opens (\w+)'s login link$")]
async fn opens_login_link(world: &mut GauntletWorld, user: String, owner: String) -> StepResult {
    world.open_login_link_of(&user, &owner).await
}

#[when(regex = r"^(\w+) finishes linking in (?:her|his|their) chat$")]
async fn finishes_in_chat(world: &mut GauntletWorld, user: String) -> StepResult {
    // What a chat user can do without the browser: the profile's step after the callback
    // (Converse's Get Access Token), if it has one.
    if let Some(step) = world.ctx.profile.after_callback.clone() {
        world.send_request(&user, &step).await?;
    }
    Ok(())
}

#[then(regex = r"^(\w+) is not linked to (\w+)'s account$")]
async fn not_linked_to(world: &mut GauntletWorld, user: String, identity: String) -> StepResult {
    let (linked, said) = probe_linked(world, &user).await?;
    match linked {
        Some(false) => Ok(()),
        Some(true) => {
            let why = world
                .handoffs
                .iter()
                .find_map(|h| h.explain(&user, &identity))
                .unwrap_or_else(|| {
                    format!("{user} should not be linked to {identity}'s account, but is linked")
                });
            Err(format!("{why}. The platform says of {user}: {said}"))
        }
        None => Err(format!(
            "{user} should not be linked, but the platform says: {said}"
        )),
    }
}
