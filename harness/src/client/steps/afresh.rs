//! A platform started afresh for one scenario against a mock of its own ([`restart`]): the
//! step that starts it (recording a refusal to start as the scenario's evidence) and the one
//! that tries to link on it, where each way of failing is allowed: the `Then` judges.

use cucumber::when;

use crate::client::back_channel;
use crate::client::context::MockVariant;
use crate::client::restart::{self, Restart};
use crate::client::world::{GauntletWorld, StepResult};

/// Starts the platform afresh against a mock of `variant`; a platform that refuses to start
/// is a verdict for the `Then`, not an error.
pub(super) async fn start(world: &mut GauntletWorld, variant: MockVariant) -> StepResult {
    let run = world.ctx.clone();
    match restart::afresh(&run, variant)
        .await
        .map_err(|e| format!("{e:#}"))?
    {
        Restart::Started(context) => world.run_on(*context),
        Restart::Refused(refusal) => {
            record_refusal(world, &refusal);
            world.refused_start = Some(*refusal);
        }
    }
    Ok(())
}

/// The evidence of a platform that refused to start: what it read from the downgraded mock,
/// the last request noting the refusal.
fn record_refusal(world: &GauntletWorld, refusal: &restart::Refusal) {
    let provider = &refusal.provider;
    let ahead = provider
        .started_at()
        .saturating_duration_since(world.evidence.started());
    let ahead = u64::try_from(ahead.as_micros()).unwrap_or(0);
    let journal = if world.ctx.reveal_secrets {
        provider.journal()
    } else {
        provider.redacted_journal()
    };
    let last = journal.len().saturating_sub(1);
    for (i, entry) in journal.iter().enumerate() {
        let mut exchange = back_channel::exchange(entry, provider, entry.elapsed_us + ahead);
        if i == last {
            let note = format!("then the platform refused to start: {}", refusal.why);
            exchange.note = Some(match exchange.note {
                Some(findings) => format!("{findings}; {note}"),
                None => note,
            });
        }
        world.evidence.push(exchange);
    }
}

#[when(regex = r"^(\w+) tries to link (?:her|his|their) account on that platform$")]
async fn tries_to_link(world: &mut GauntletWorld, user: String) -> StepResult {
    if world.refused_start.is_some() {
        return Ok(());
    }
    // A platform that reads the metadata only now may refuse to start the flow: allowed.
    if world.start_flow(&user).await.is_err() {
        return Ok(());
    }
    // The mock approves a client it knows at once; it refuses one it does not know (a
    // client_id issued elsewhere, an invalid metadata document): allowed, the journal shows it.
    if world.authorize(&user).await.is_err() {
        return Ok(());
    }
    let callback = world
        .last_flow(Some(&user))?
        .callback_url
        .clone()
        .ok_or("the provider answered with no callback")?;
    // The platform may fail to link (its token request was refused): allowed.
    if let Ok(reply) = world.deliver(&user, &callback).await {
        let _ = world.keep_callback(&user, reply).await;
    }
    Ok(())
}
