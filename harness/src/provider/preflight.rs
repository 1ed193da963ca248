//! The preflight of `gauntlet provider`: before the scenarios, one plain authorization with the
//! profile's client — the login and consent pages, the code redeemed, the resource opened when
//! the profile names one.
//!
//! If it cannot get through, the profile does not fit the server (a login field, the approve
//! label, the secret, the redirect URI) or the server is not answering: every scenario would
//! fail alike and blame the server for it. The run then stops (exit 2) with a diagnosis that
//! names the profile key at fault and quotes what the server showed.

use std::sync::Arc;

use super::context::{self, ProviderContext};
use super::driver::{Arrival, Press, controls};
use super::world::{ProviderWorld, Role, reply_line};
use crate::report::{Preflight, PreflightVerdict};
use crate::suite::browser::short;
use crate::suite::origin;

/// Runs the preflight against the run's server.
pub async fn preflight(ctx: Arc<ProviderContext>) -> Preflight {
    let outcome = context::scope(ctx, async {
        let mut world = ProviderWorld::new();
        plain_authorization(&mut world).await
    })
    .await;
    match outcome {
        Ok(summary) => Preflight {
            verdict: PreflightVerdict::Passed,
            summary,
        },
        Err(diagnosis) => Preflight {
            verdict: PreflightVerdict::Blocked,
            summary: diagnosis,
        },
    }
}

async fn plain_authorization(world: &mut ProviderWorld) -> Result<String, String> {
    world.new_request(Role::Main)?;
    world
        .authorize(Press::Approve)
        .await
        .map_err(|e| format!("the plain authorization did not get through: {e}"))?;
    arrival_diagnosis(world)?;
    let pages = world.journey()?.hops.iter().any(|hop| hop.form_page);
    let _ = world.ctx.login_pages.set(pages);
    let reply = world.redeem(Role::Main, None, None, |_| {}).await?;
    if reply.status != 200 || world.latest_tokens().is_err() {
        return Err(token_diagnosis(world, &reply));
    }
    let mut summary = "a plain authorization went through: login, consent, code, token".to_owned();
    if let Some(url) = world.ctx.endpoints.resource.clone() {
        resource_check(world, &url).await?;
        summary.push_str(", resource");
    }
    Ok(summary)
}

/// Where the browser ended: a code at the redirect URI, or the reason it is not there.
fn arrival_diagnosis(world: &ProviderWorld) -> Result<(), String> {
    let journey = world.journey()?;
    let login = &world.ctx.profile.login;
    let redirect_uri = &world.ctx.profile.client.redirect_uri;
    if let Arrival::Redirected { location, .. } = &journey.arrival
        && let Err(off @ origin::Off::Userinfo { .. }) =
            origin::check(location, redirect_uri.as_str())
    {
        return Err(format!(
            "the server redirected the browser to {}",
            off.explain(&short(&oauth_vocab::redact::redact_uri(location)))
        ));
    }
    match &journey.arrival {
        Arrival::Redirected { .. } if journey.arrival.param("code").is_some() => Ok(()),
        Arrival::Redirected { .. } if journey.arrival.param("error").is_some() => Err(format!(
            "the server refused the profile's plain authorization request with {:?} ({}): check \
             [client] client_id, redirect_uri, scope and params in the provider profile",
            journey.arrival.param("error").unwrap_or_default(),
            journey
                .arrival
                .param("error_description")
                .unwrap_or("no description")
        )),
        Arrival::Redirected { location, .. } if !origin::at(location, redirect_uri.as_str()) => {
            Err(format!(
                "the browser was sent off the server to {}: if the login or consent page lives \
                 there, add its origin to [login] origins in the provider profile",
                short(&oauth_vocab::redact::redact_uri(location))
            ))
        }
        Arrival::Redirected { .. } => Err(format!(
            "{} with neither a code nor an error",
            journey.arrival.describe()
        )),
        Arrival::Page { status, url, text } => {
            let body = journey
                .hops
                .last()
                .map(|hop| hop.reply.body.as_str())
                .unwrap_or_default();
            let offered = controls(body);
            if offered.is_empty() {
                Err(format!(
                    "the server answered {status} at {} with a page saying {:?} instead of \
                     sending the browser to the redirect URI: check [client] client_id and \
                     redirect_uri in the provider profile",
                    short(url),
                    short(text)
                ))
            } else {
                Err(format!(
                    "no control labelled {:?} ([login] approve in the provider profile) on the \
                     page at {}; it offers {}",
                    login.approve,
                    short(url),
                    offered.join(", ")
                ))
            }
        }
    }
}

/// Why the token endpoint gave no tokens for a fresh code.
fn token_diagnosis(world: &ProviderWorld, reply: &crate::suite::browser::Reply) -> String {
    let client = &world.ctx.profile.client;
    let error = reply
        .json()
        .and_then(|j| j.get("error")?.as_str().map(str::to_owned));
    match error.as_deref() {
        _ if reply.status >= 500 => format!(
            "the token endpoint failed on a fresh code: {}",
            reply_line(reply)
        ),
        Some("invalid_client") => format!(
            "the token endpoint refused the client's credentials ({}): check [client] \
             client_secret and auth_method in the provider profile (Gauntlet sent them by {})",
            reply_line(reply),
            client.auth_method.as_str()
        ),
        _ => format!(
            "the token endpoint gave no tokens for a fresh code ({}): check [client] \
             redirect_uri and auth_method in the provider profile",
            reply_line(reply)
        ),
    }
}

/// The fresh access token must open the resource the profile names.
async fn resource_check(world: &mut ProviderWorld, url: &str) -> Result<(), String> {
    let token = world.latest_tokens()?.access.expose().to_owned();
    let authorization = format!("Bearer {token}");
    let reply = world
        .get(url, &[("authorization", authorization.as_str())])
        .await?;
    if (200..300).contains(&reply.status) {
        Ok(())
    } else {
        Err(format!(
            "the resource refused a fresh access token ({}): check [server] resource_url and \
             [client] scope in the provider profile",
            reply_line(&reply)
        ))
    }
}
