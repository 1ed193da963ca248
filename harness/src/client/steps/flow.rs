//! Shared steps: drive a user through the flow and observe the outcome.

use cucumber::{given, then, when};
use url::Url;

use crate::client::profile::{OutcomeReading, ProbeReading};
use crate::client::world::{GauntletWorld, StepResult};
use crate::parameters::OAuthErrorParam;
use crate::suite::browser::short;

#[when(regex = r"^(\w+) starts linking (?:her|his|their) account(?: again)?$")]
async fn starts_linking(world: &mut GauntletWorld, user: String) -> StepResult {
    world.start_flow(&user).await
}

#[when(regex = r"^(\w+) starts linking (?:her|his|their) account (\d+) times$")]
async fn starts_linking_times(world: &mut GauntletWorld, user: String, times: usize) -> StepResult {
    for _ in 0..times {
        world.start_flow(&user).await?;
    }
    Ok(())
}

#[when(expr = "{word} approves at the provider")]
async fn approves(world: &mut GauntletWorld, user: String) -> StepResult {
    world.authorize(&user).await
}

#[when(expr = "{word} returns to the platform")]
async fn returns(world: &mut GauntletWorld, user: String) -> StepResult {
    let callback = callback_of(world, &user)?;
    let reply = world.deliver(&user, &callback).await?;
    world.keep_callback(&user, reply).await
}

#[when(regex = r"^(\w+) returns to the platform with (\w+)'s callback$")]
async fn returns_with_foreign_callback(
    world: &mut GauntletWorld,
    user: String,
    owner: String,
) -> StepResult {
    let callback = callback_of(world, &owner)?;
    world.deliver_callback_of(&user, &owner, callback).await
}

#[when(regex = r"^(\w+) links (?:her|his|their) account$")]
async fn links(world: &mut GauntletWorld, user: String) -> StepResult {
    world.start_flow(&user).await?;
    world.authorize(&user).await?;
    returns(world, user).await
}

#[when(regex = r"^(\w+) asks the platform whether (?:she|he|they) (?:is|are) linked$")]
async fn asks_whether_linked(world: &mut GauntletWorld, user: String) -> StepResult {
    let reply = world.probe(&user).await;
    world.last_probe = Some(reply);
    Ok(())
}

/// The most probes a scenario sends at once.
const MOST_AT_ONCE: usize = 16;

#[when(
    regex = r"^(\w+) asks the platform whether (?:she|he|they) (?:is|are) linked (\d+) times at once$"
)]
async fn asks_at_once(world: &mut GauntletWorld, user: String, times: usize) -> StepResult {
    if !(1..=MOST_AT_ONCE).contains(&times) {
        return Err(format!(
            "send 1 to {MOST_AT_ONCE} probes at once, not {times}"
        ));
    }
    let replies = world.probe_at_once(&user, times).await;
    world.last_probe = replies.into_iter().last();
    Ok(())
}

#[given(regex = r"^the provider will answer the next authorization with (\w+)$")]
async fn authorization_error(world: &mut GauntletWorld, error: OAuthErrorParam) -> StepResult {
    let code = error.0;
    world
        .arrangements
        .push(crate::client::world::Arrangement::Fault(
            mock_provider::FaultTarget::Authorize,
            mock_provider::FaultKind::Error {
                error: code,
                description: None,
            },
        ));
    Ok(())
}

/// The callback URL of the user's last flow.
pub(super) fn callback_of(world: &GauntletWorld, user: &str) -> Result<String, String> {
    world
        .last_flow(Some(user))?
        .callback_url
        .clone()
        .ok_or_else(|| format!("{user} has not been sent back to the platform by the provider yet"))
}

/// A copy of `url` with its query rewritten by `edit`.
pub(super) fn with_query(
    url: &str,
    edit: impl FnOnce(&mut Vec<(String, String)>),
) -> Result<String, String> {
    let mut parsed = Url::parse(url).map_err(|e| format!("the callback is not a URL: {e}"))?;
    let mut pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    edit(&mut pairs);
    parsed.query_pairs_mut().clear().extend_pairs(&pairs);
    Ok(parsed.to_string())
}

#[then(regex = r"^the platform tells (\w+) that linking (succeeded|failed)$")]
async fn tells(world: &mut GauntletWorld, user: String, outcome: String) -> StepResult {
    let flow = world.last_flow(Some(&user))?;
    let reply = flow
        .outcome()
        .ok_or_else(|| format!("{user} never got back to the platform"))?;
    let texts = world.ctx.profile.outcome();
    let (wanted, reading) = if outcome == "succeeded" {
        (&texts.success_text, OutcomeReading::Succeeded)
    } else {
        (&texts.failure_text, OutcomeReading::Failed)
    };
    if texts.read(&reply.body) == reading {
        return Ok(());
    }
    let said = format!(
        "{} without saying {wanted:?}: {}",
        reply.status,
        short(&reply.body)
    );
    let why = match (&flow.after, &flow.callback) {
        // A later step answered: show the callback page that led to it too.
        (Some(_), Some(page)) => format!(
            "the callback page answered {}: {}; the step after it then answered {said}",
            page.status,
            short(&page.body)
        ),
        _ => format!("after the callback the platform answered {said}"),
    };
    // A flow that reached this browser from another user's: that is why it had to fail.
    let cause = (outcome == "failed")
        .then(|| world.handoffs.iter().find_map(|h| h.refusal_cause(&user)))
        .flatten();
    let why = match cause {
        Some(cause) => format!("{cause}. {why}"),
        None => why,
    };
    let notes = if outcome == "succeeded" {
        world.token_notes()
    } else {
        String::new()
    };
    Err(world.evidence.shown(&format!("{why}{notes}")))
}

#[then(regex = r"^(\w+) is (linked|not linked)$")]
async fn is_linked(world: &mut GauntletWorld, user: String, expected: String) -> StepResult {
    let (linked, said) = probe_linked(world, &user).await?;
    match (expected == "linked", linked) {
        (true, Some(true)) | (false, Some(false)) => Ok(()),
        (true, _) => Err(format!(
            "{user} should be linked, but the platform says: {said}{}",
            world.token_notes()
        )),
        (false, _) => Err(format!(
            "{user} should not be linked, but the platform says: {said}"
        )),
    }
}

/// Whether the platform says `user` is linked (`None`: its answer says neither, or both), with
/// what it said: the last probe's answer if a step just asked, else a fresh one.
pub(super) async fn probe_linked(
    world: &mut GauntletWorld,
    user: &str,
) -> Result<(Option<bool>, String), String> {
    let reply = match world.last_probe.take() {
        Some(reply) => reply,
        None => world.probe(user).await,
    }?;
    let said = format!("({}) {}", reply.status, short(&reply.body));
    Ok(
        match world.ctx.profile.probe.read(reply.status, &reply.body) {
            ProbeReading::Linked => (Some(true), said),
            ProbeReading::Unlinked => (Some(false), said),
            ProbeReading::Neither | ProbeReading::Both => (None, said),
        },
    )
}

/// "the platform made no token request", with what the provider saw of the scenario's token
/// requests (one left out as ambiguous).
pub(crate) fn no_token_request_made(world: &GauntletWorld) -> String {
    format!("the platform made no token request{}", world.token_notes())
}

#[then("the platform made no token request")]
async fn no_token_request(world: &mut GauntletWorld) -> StepResult {
    match world.token_requests().len() {
        0 => Ok(()),
        n => Err(format!(
            "the platform made {n} token request(s) although the callback had to be refused{}",
            world.token_notes()
        )),
    }
}

/// A platform whose chat button is the authorization URL itself never meets the browser before
/// the provider, so it cannot bind the state to it: its defence is the chat's link
/// confirmation, and it may redeem the code of a link it holds until the chat that asked for it
/// sends the code its callback page showed — the tokens stay with nobody until then, and the
/// scenario's "is not linked" steps judge that. Any other refused callback (and any callback in
/// a browser that met the platform first) must not reach the token endpoint.
#[then("the platform made no token request, or holds the link until the chat confirms it")]
async fn no_token_request_unless_held(world: &mut GauntletWorld) -> StepResult {
    let confirmation = world
        .ctx
        .profile
        .link_confirmation
        .as_ref()
        .filter(|_| world.straight_to_provider);
    let held = confirmation.is_some_and(|confirmation| {
        world
            .flows
            .iter()
            .filter_map(|flow| flow.callback.as_ref())
            .any(|page| confirmation.code_in(&page.body).is_some())
    });
    if held {
        return Ok(());
    }
    no_token_request(world).await
}

#[then(regex = r"^the platform made at most (\d+) token requests?$")]
async fn at_most_token_requests(world: &mut GauntletWorld, max: usize) -> StepResult {
    match world.token_requests().len() {
        n if n <= max => Ok(()),
        n => Err(format!(
            "the platform made {n} token requests for one flow: retries hammer the provider{}",
            world.token_notes()
        )),
    }
}

#[then("the platform redeemed the code exactly once")]
async fn redeemed_once(world: &mut GauntletWorld) -> StepResult {
    let redemptions = world
        .token_requests()
        .into_iter()
        .filter(|e| e.param("grant_type") == Some("authorization_code"))
        .count();
    match redemptions {
        1 => Ok(()),
        n => Err(format!(
            "the code was sent to the token endpoint {n} times; it must be redeemed exactly once{}",
            world.token_notes()
        )),
    }
}

#[then("the platform is still answering")]
async fn still_answering(world: &mut GauntletWorld) -> StepResult {
    let reply = world
        .probe("a-bystander")
        .await
        .map_err(|e| format!("the platform stopped answering: {e}"))?;
    if reply.status >= 500 {
        return Err(format!(
            "the platform answers {} after the failure",
            reply.status
        ));
    }
    Ok(())
}
