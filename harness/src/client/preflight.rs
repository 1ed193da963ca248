//! The preflight of `gauntlet run`: before the scenarios, one plain link end to end with the
//! profile, against the run's own mock provider and platform — the probe of a user who has not
//! linked, the start, the authorization at the mock, the callback (and the `after_callback`
//! step), the outcome, the probe again.
//!
//! What it finds is one of three things. The link went through: the run goes on. The link
//! failed the way a platform defect makes it fail (the outcome says linking failed, the probe
//! says not linked after a success): the scenarios judge that, so the run goes on. Or the
//! profile does not fit the platform, or the platform cannot be reached — nothing could be
//! judged, every scenario would fail alike — and the run stops with a diagnosis that names the
//! profile key or the platform's set-up: [`PreflightVerdict::Blocked`].
//!
//! Its requests are cleared from the mock's journal afterwards, so that no scenario's journal
//! slice takes them in (a platform that repeats states or verifiers would otherwise mix them).

use std::sync::Arc;

use mock_provider::{AuthMethod, Endpoint, JournalEntry};
use url::Url;

use super::context::RunContext;
use super::profile::{ClientProfile, OutcomeReading, ProbeReading};
use super::start::StartError;
use super::world::GauntletWorld;
use crate::report::{Preflight, PreflightVerdict};
use crate::suite::browser::{Reply, short};

/// The preflight's user.
const USER: &str = "preflight";

/// Runs the preflight against the run's mock provider and platform.
pub async fn preflight(ctx: Arc<RunContext>) -> Preflight {
    let mut world = GauntletWorld::with_context(ctx.clone());
    let (refusals_before, _) = ctx.provider.handshake_failures();
    let verdict = plain_link(&mut world).await;
    let journal = own_journal(&world);
    let verdict = match verdict {
        Err(stop) if !token_requested(&journal) => {
            Err(untrusted_certificate(&ctx, refusals_before, stop).await)
        }
        verdict => verdict,
    };
    let (verdict, summary) = match verdict {
        Ok(summary) => (PreflightVerdict::Passed, summary),
        Err(Stop::Judged(summary)) => (PreflightVerdict::Failed, summary),
        Err(Stop::Blocked(summary)) => (PreflightVerdict::Blocked, summary),
    };
    let summary = redact_known(&world, &journal, summary);
    ctx.provider.clear_journal();
    Preflight { verdict, summary }
}

/// Whether the platform made a token request to the mock.
fn token_requested(journal: &[JournalEntry]) -> bool {
    journal.iter().any(|e| e.endpoint == Endpoint::Token)
}

/// A link that stopped before any token request, against a mock serving HTTPS: a platform
/// that refused the mock's certificate (the mock saw it) cannot be judged, and the stop says
/// how to give it the CA; otherwise the stop says that this may be why. Without TLS, `stop`.
async fn untrusted_certificate(ctx: &RunContext, since: u64, stop: Stop) -> Stop {
    let Some(ca_file) = ctx.provider.ca_file() else {
        return stop;
    };
    if let Some(diagnosis) = super::context::refused_certificate(&ctx.provider, since).await {
        return Stop::Blocked(diagnosis);
    }
    let hint = format!(
        " (the mock serves HTTPS and saw no token request: if the platform does not trust the \
         mock's CA, give it the CA at {})",
        ca_file.display()
    );
    match stop {
        Stop::Judged(why) => Stop::Judged(why + &hint),
        Stop::Blocked(why) => Stop::Blocked(why + &hint),
    }
}

/// Why the plain link stopped.
enum Stop {
    /// A platform defect, for the scenarios to judge.
    Judged(String),
    /// The profile or the platform's set-up: nothing can be judged.
    Blocked(String),
}

async fn plain_link(world: &mut GauntletWorld) -> Result<String, Stop> {
    let ctx = world.ctx.clone();
    let flow = world
        .open_flow(USER)
        .await
        .map_err(|e| Stop::Blocked(start_diagnosis(&ctx, e)))?;
    world.flows.push(flow);
    // A user who has not linked: the simplest answer the probe reads, which no token affects.
    let (before, answer) = probe(world, "before the callback").await?;
    if matches!(before, ProbeReading::Neither | ProbeReading::Both) {
        return Err(Stop::Blocked(format!(
            "{answer}; check [probe] url, method, body and the linked_*/unlinked_* keys"
        )));
    }
    world.authorize(USER).await.map_err(|why| {
        Stop::Blocked(format!(
            "at the mock provider: {why}; the profile's [client] client_id and redirect_uris \
             must be what the platform is configured with"
        ))
    })?;
    let callback = world
        .last_flow(Some(USER))
        .ok()
        .and_then(|f| f.callback_url.clone())
        .ok_or_else(|| Stop::Blocked("the provider sent the browser nowhere".into()))?;
    let redirect_uri = without_query(&callback);
    let reply = world.deliver(USER, &callback).await.map_err(|why| {
        Stop::Blocked(format!(
            "the platform did not answer the callback at its redirect_uri {redirect_uri}: {why}"
        ))
    })?;
    if matches!(reply.status, 404 | 405) {
        return Err(Stop::Blocked(format!(
            "the callback at the platform's redirect_uri {redirect_uri} answered {}: the \
             platform asks the provider to send the browser back there but serves no page \
             there: {}",
            reply.status,
            short(&reply.body)
        )));
    }
    world
        .keep_callback(USER, reply)
        .await
        .map_err(|why| Stop::Blocked(format!("the [after_callback] request failed: {why}")))?;
    auth_method(world)?;
    let outcome = outcome(world)?;
    // After the link the platform may be in a state a defect made (linked, but its token
    // refused): what the probe reads then is for the scenarios to judge.
    let (after, answer) = probe(world, "after the link").await?;
    match (before, outcome, after) {
        (ProbeReading::Linked, _, _) => Err(Stop::Judged(
            "the probe said the user was linked before the callback".into(),
        )),
        (_, Linked::Yes, ProbeReading::Linked) => Ok(format!(
            "a plain link works end to end: start, authorization at the mock, callback, \
             outcome, probe ({})",
            ctx.profile.client.auth_method.as_str()
        )),
        (_, Linked::Yes, ProbeReading::Unlinked) => Err(Stop::Judged(format!(
            "the platform said linking succeeded, but the probe then says the user is not \
             linked{}",
            findings(world)
        ))),
        (_, Linked::Yes, _) => Err(Stop::Judged(format!(
            "the platform said linking succeeded, but {answer} (if that means linked, fix \
             [probe] linked_*){}",
            findings(world)
        ))),
        (_, Linked::No(page), _) => Err(Stop::Judged(format!(
            "after the callback the platform said: \"{page}\"{}",
            findings(world)
        ))),
    }
}

/// Whether the link went through, by the outcome texts.
enum Linked {
    /// The success text.
    Yes,
    /// The failure page's visible text.
    No(String),
}

/// Asks the probe: what its answer shows and, when that is neither state or both, the answer
/// described.
async fn probe(world: &mut GauntletWorld, when: &str) -> Result<(ProbeReading, String), Stop> {
    let reply = world.probe(USER).await.map_err(|why| {
        Stop::Blocked(format!(
            "the platform did not answer the [probe] request {when}: {why}"
        ))
    })?;
    let probe = &world.ctx.profile.probe;
    let reading = probe.read(reply.status, &reply.body);
    let (shows, and) = match reading {
        ProbeReading::Neither => ("neither", "nor"),
        ProbeReading::Both => ("both", "and"),
        reading => return Ok((reading, String::new())),
    };
    let described = format!(
        "the [probe] answer {when} (status {}) shows {shows} linked ({}) {and} not linked ({}): \
         {}",
        reply.status,
        probe.linked,
        probe.unlinked,
        quote(&reply)
    );
    Ok((reading, described))
}

/// What the answer after the callback says, by the `[outcome]` texts.
fn outcome(world: &GauntletWorld) -> Result<Linked, Stop> {
    let flow = world
        .last_flow(Some(USER))
        .map_err(|why| Stop::Blocked(why.clone()))?;
    let Some(reply) = flow.outcome() else {
        return Err(Stop::Blocked(
            "the platform gave no answer to the callback".into(),
        ));
    };
    let texts = world.ctx.profile.outcome();
    let key = if world.ctx.profile.outcome.is_some() {
        "[outcome]"
    } else {
        "[outcome] (absent: the embedded reference platform's texts)"
    };
    let answer = if world.ctx.profile.after_callback.is_some() && flow.after.is_some() {
        "the [after_callback] answer"
    } else {
        "the callback answer"
    };
    let (contains, and) = match texts.read(&reply.body) {
        OutcomeReading::Succeeded => return Ok(Linked::Yes),
        OutcomeReading::Failed => return Ok(Linked::No(short(&reply.body))),
        OutcomeReading::Neither => ("neither", "nor"),
        OutcomeReading::Both => ("both", "and"),
    };
    Err(Stop::Blocked(format!(
        "{answer} (status {}) contains {contains} {key} success_text {:?} {and} failure_text \
             {:?}; it says: {}",
        reply.status,
        texts.success_text,
        texts.failure_text,
        quote(reply)
    )))
}

/// A token request that authenticated, with the profile's credentials, by a method other than
/// the profile's `auth_method`: the profile is wrong, not the platform.
fn auth_method(world: &GauntletWorld) -> Result<(), Stop> {
    let client = &world.ctx.profile.client;
    let token_requests = own_journal(world)
        .into_iter()
        .filter(|e| e.endpoint == Endpoint::Token);
    for entry in token_requests {
        if let Some(sent) = sent_method(&entry, client)
            && sent != client.auth_method
            && sent != AuthMethod::None
        {
            return Err(Stop::Blocked(format!(
                "the profile says {} but the platform sent {} (the mock's journal: {}): set \
                 [client] auth_method = \"{}\"",
                client.auth_method.as_str(),
                sent.as_str(),
                entry.redacted().summary(),
                sent.as_str()
            )));
        }
    }
    Ok(())
}

/// The client authentication a token request carried when it is well formed and uses the
/// profile's client id and secret (any secret for a profile without one), so that only the
/// method can differ: HTTP Basic alone, or `client_id` and `client_secret` in the body, or
/// `client_id` alone.
pub(crate) fn sent_method(entry: &JournalEntry, client: &ClientProfile) -> Option<AuthMethod> {
    let secret_fits = |given: &str| {
        client
            .client_secret
            .as_ref()
            .is_none_or(|s| s.expose() == given)
    };
    let form = |name: &str| {
        entry
            .form
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    match (entry.header("authorization"), form("client_secret")) {
        (Some(header), None) => {
            let (id, secret) = oauth_vocab::basic::decode(header.as_bytes()).ok()?;
            (id == client.client_id && secret_fits(&secret))
                .then_some(AuthMethod::ClientSecretBasic)
        }
        (None, Some(secret)) => (form("client_id") == Some(client.client_id.as_str())
            && secret_fits(secret))
        .then_some(AuthMethod::ClientSecretPost),
        (None, None) => {
            (form("client_id") == Some(client.client_id.as_str())).then_some(AuthMethod::None)
        }
        (Some(_), Some(_)) => None,
    }
}

/// The diagnosis of a flow that did not reach the authorization endpoint.
fn start_diagnosis(ctx: &RunContext, error: StartError) -> String {
    let start = &ctx.profile.start;
    match error {
        StartError::Unanswered(why) => format!(
            "the platform is unreachable at {}: {why}",
            ctx.platform_base
        ),
        StartError::Status { url, status, text } => format!(
            "the start request answered {status} at {url}: {text}; check [start] url, method \
             and body against the platform{}",
            if status == 404 {
                ", which has no page there"
            } else {
                ""
            }
        ),
        StartError::NoButton { button, text } => {
            format!("{button} finds no login URL in the start answer: {text}; check [start] button")
        }
        StartError::NoRedirect { status, text } => format!(
            "the start answer (status {status}) neither redirects to the authorization endpoint \
             nor is read for a login button: {text}; {}",
            if start.button.is_none() {
                "a chat answer needs [start] button = { json_pointer = \"…\" } or { regex = \"…\" }"
            } else {
                "the login button leads to a page that does not redirect either"
            }
        ),
        StartError::Elsewhere { url, endpoint } => format!(
            "the platform sent the browser to {url}, not to the mock provider's authorization \
             endpoint {endpoint}: the platform must be configured with the mock provider \
             (issuer {}; a launched platform gets it through [platform.launch.env])",
            ctx.vars.fill("{issuer}")
        ),
        other => other.to_string(),
    }
}

/// What the mock journaled since the preflight began: the preflight runs alone, so every
/// request is its own — also one the mock refused before it knew the client.
fn own_journal(world: &GauntletWorld) -> Vec<JournalEntry> {
    let started = world.evidence.started();
    let provider = &world.ctx.provider;
    let since = started.saturating_duration_since(provider.started_at());
    let since = u64::try_from(since.as_millis()).unwrap_or(u64::MAX);
    provider
        .journal()
        .into_iter()
        .filter(|e| e.elapsed_ms >= since)
        .collect()
}

/// The provider's findings about the preflight's requests, as ` (the provider noted: …)`.
fn findings(world: &GauntletWorld) -> String {
    let mut codes: Vec<String> = own_journal(world)
        .iter()
        .flat_map(|e| e.findings.iter().map(ToString::to_string))
        .collect();
    codes.dedup();
    if codes.is_empty() {
        String::new()
    } else {
        format!(" (the provider noted: {})", codes.join("; "))
    }
}

/// An answer's visible text, trimmed, in quotes.
fn quote(reply: &Reply) -> String {
    match short(&reply.body) {
        text if text.is_empty() => "nothing (an empty body)".into(),
        text => format!("\"{text}\""),
    }
}

/// A URL without its query (the callback's code and state).
fn without_query(url: &str) -> String {
    Url::parse(url).map_or_else(
        |_| url.split('?').next().unwrap_or(url).to_owned(),
        |mut u| {
            u.set_query(None);
            u.to_string()
        },
    )
}

/// `summary` with the codes, tokens and client secret of the preflight masked, unless the run
/// reveals secrets: quoted pages may show them.
fn redact_known(world: &GauntletWorld, journal: &[JournalEntry], summary: String) -> String {
    if world.ctx.reveal_secrets {
        return summary;
    }
    let mut secrets: Vec<String> = world
        .ctx
        .profile
        .client
        .secret_value()
        .into_iter()
        .collect();
    for entry in journal {
        for name in ["code", "code_verifier", "refresh_token"] {
            secrets.extend(entry.param(name).map(str::to_owned));
        }
        if let Ok(body) = serde_json::from_str::<serde_json::Value>(&entry.response.body) {
            for name in ["access_token", "refresh_token"] {
                secrets.extend(body[name].as_str().map(str::to_owned));
            }
        }
    }
    secrets
        .iter()
        .filter(|s| s.len() >= 8)
        .fold(summary, |text, secret| {
            text.replace(secret.as_str(), &oauth_vocab::redact::mask(secret))
        })
}
