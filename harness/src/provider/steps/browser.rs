//! Steps of `browser.feature`: the browser-security rules of the login and consent pages
//! (RFC 9700 §4.2.4, §4.12, §4.16).

use cucumber::then;

use crate::provider::world::{ProviderWorld, StepResult};

#[then("no answer to posted credentials was a 307 or 308")]
async fn no_307(world: &mut ProviderWorld) -> StepResult {
    let journey = world.journey()?;
    if !journey.hops.iter().any(|h| h.sent_credentials) {
        return Err("the browser never posted credentials (was there a login form?)".into());
    }
    match journey
        .hops
        .iter()
        .find(|h| h.sent_credentials && matches!(h.reply.status, 307 | 308))
    {
        Some(hop) => Err(format!(
            "the login POST was answered {} — the browser would re-post the password to {}",
            hop.reply.status,
            hop.reply.location.as_deref().unwrap_or("the next URL")
        )),
        None => Ok(()),
    }
}

#[then("every page with a form sent a Referrer-Policy")]
async fn referrer_policy(world: &mut ProviderWorld) -> StepResult {
    form_pages_all(world, "Referrer-Policy", |reply| {
        reply
            .header("referrer-policy")
            .is_some_and(|p| !p.to_ascii_lowercase().contains("unsafe-url"))
    })
}

#[then("every page with a form forbids framing")]
async fn framing(world: &mut ProviderWorld) -> StepResult {
    form_pages_all(world, "X-Frame-Options or CSP frame-ancestors", |reply| {
        reply.header("x-frame-options").is_some()
            || reply
                .header("content-security-policy")
                .is_some_and(|c| c.contains("frame-ancestors"))
    })
}

fn form_pages_all(
    world: &ProviderWorld,
    what: &str,
    ok: impl Fn(&crate::suite::browser::Reply) -> bool,
) -> StepResult {
    let journey = world.journey()?;
    let pages: Vec<_> = journey.hops.iter().filter(|h| h.form_page).collect();
    if pages.is_empty() {
        return Err("the browser was shown no login or consent page".into());
    }
    match pages.iter().find(|h| !ok(&h.reply)) {
        Some(hop) => Err(format!(
            "the page at {} was sent without {what}",
            crate::suite::browser::short(&oauth_vocab::redact::redact_uri(&hop.reply.url))
        )),
        None => Ok(()),
    }
}
