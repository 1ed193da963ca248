//! Steps of `token.feature` (RFC 6749 §2.3.1, §4.1.3, §6; RFC 6750 §2).

use std::time::Duration;

use cucumber::{given, then, when};
use mock_provider::{AuthMethod, Endpoint, Family, FaultKind, FaultTarget, Finding};

use super::flow::no_token_request_made;
use crate::client::world::{Arrangement, GauntletWorld, StepResult};

#[then("the token request authenticates the client as configured")]
async fn authenticates(world: &mut GauntletWorld) -> StepResult {
    let requests = world.token_requests();
    let request = requests
        .first()
        .ok_or_else(|| no_token_request_made(world))?;
    authenticated_as_configured(world, request)
}

/// A token request authenticates the client as it is registered, and succeeded.
pub(super) fn authenticated_as_configured(
    world: &GauntletWorld,
    request: &mock_provider::JournalEntry,
) -> StepResult {
    let basic = request
        .header("authorization")
        .is_some_and(|h| h.to_ascii_lowercase().starts_with("basic "));
    let secret_in_body = request.form.iter().any(|(n, _)| n == "client_secret");
    let secret_in_query = request.query.iter().any(|(n, _)| n == "client_secret");
    if secret_in_query {
        return Err("the client secret travels in the query string of the token request".into());
    }
    let expected = world.ctx.client.auth_method;
    let used =
        match (basic, secret_in_body) {
            (true, false) => AuthMethod::ClientSecretBasic,
            (false, true) => AuthMethod::ClientSecretPost,
            (false, false) => AuthMethod::None,
            (true, true) => return Err(
                "the token request authenticates twice (HTTP Basic and client_secret in the body)"
                    .into(),
            ),
        };
    if used != expected {
        return Err(format!(
            "the platform authenticates with {}, but is registered for {}",
            used.as_str(),
            expected.as_str()
        ));
    }
    if let Some(finding) = request
        .findings
        .iter()
        .find(|f| f.is_in(Family::ClientAuth))
    {
        let said = crate::client::root_cause::blaming(finding).unwrap_or(finding.to_string());
        return Err(format!(
            "the provider refused the client authentication: {said}"
        ));
    }
    if request.response.status != 200 {
        return Err(format!(
            "the token request failed with {}: {:?}",
            request.response.status, request.findings
        ));
    }
    Ok(())
}

#[then("the token request is form-encoded")]
async fn form_encoded(world: &mut GauntletWorld) -> StepResult {
    let requests = world.token_requests();
    let request = requests
        .first()
        .ok_or_else(|| no_token_request_made(world))?;
    let content_type = request.header("content-type").unwrap_or("");
    if content_type
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        Ok(())
    } else {
        Err(format!(
            "the token request has Content-Type {content_type:?}, not application/x-www-form-urlencoded"
        ))
    }
}

/// Requests of the scenario that reached the userinfo endpoint or the resource API.
pub(super) fn resource_calls(world: &GauntletWorld) -> Vec<mock_provider::JournalEntry> {
    world
        .journal()
        .into_iter()
        .filter(|e| matches!(e.endpoint, Endpoint::Resource | Endpoint::Userinfo))
        .collect()
}

#[then("the platform called the resource API with a Bearer header")]
async fn bearer_header(world: &mut GauntletWorld) -> StepResult {
    with_bearer_header(world)
}

/// Every resource call of the scenario carries a Bearer Authorization header.
pub(super) fn with_bearer_header(world: &GauntletWorld) -> StepResult {
    let calls = resource_calls(world);
    if calls.is_empty() {
        return Err("the platform never used the access token on the resource API".into());
    }
    for call in &calls {
        let header = call.header("authorization").unwrap_or("");
        if !header.to_ascii_lowercase().starts_with("bearer ") {
            return Err(format!(
                "a resource request carries no Bearer Authorization header (findings: {:?})",
                call.findings
            ));
        }
    }
    Ok(())
}

#[then("the platform never used the access token")]
async fn never_used(world: &mut GauntletWorld) -> StepResult {
    let calls = resource_calls(world);
    let Some(first) = calls.first() else {
        return Ok(());
    };
    let token_type = world
        .token_requests()
        .iter()
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.response.body).ok())
        .find_map(|body| body["token_type"].as_str().map(str::to_owned))
        .unwrap_or_default();
    Err(format!(
        "the platform used an access token of type {token_type:?}, which it cannot understand, \
         on {} {} ({} request{} in all): a client must not use a token whose type it does not \
         understand (RFC 6749 §7.1); compare token_type with \"Bearer\" ignoring case and \
         refuse the token otherwise",
        first.method,
        first.redacted_path(),
        calls.len(),
        if calls.len() == 1 { "" } else { "s" }
    ))
}

/// Every access and refresh token issued in this scenario.
pub(super) fn issued_tokens(world: &GauntletWorld) -> Vec<String> {
    world
        .token_requests()
        .iter()
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.response.body).ok())
        .flat_map(|body| {
            ["access_token", "refresh_token"]
                .into_iter()
                .filter_map(move |n| body[n].as_str().map(str::to_owned))
        })
        .collect()
}

#[then("the platform never put a token in a URL")]
async fn never_in_url(world: &mut GauntletWorld) -> StepResult {
    let tokens = issued_tokens(world);
    for entry in world.journal() {
        let in_query = entry.query.iter().any(|(_, v)| tokens.contains(v));
        if in_query || tokens.iter().any(|t| entry.path.contains(t.as_str())) {
            return Err(format!(
                "the platform sent a token in the URL of {} {}",
                entry.method,
                entry.redacted_path()
            ));
        }
    }
    Ok(())
}

#[then("no page or URL the browser saw contains a token")]
async fn never_in_browser(world: &mut GauntletWorld) -> StepResult {
    let tokens = issued_tokens(world);
    if tokens.is_empty() {
        return Err("no token was issued, so nothing can be checked".into());
    }
    for seen in world.evidence.seen() {
        if let Some(token) = tokens.iter().find(|t| seen.contains(t.as_str())) {
            let kind = if token.starts_with("rt_") {
                "a refresh token"
            } else {
                "an access token"
            };
            return Err(format!(
                "{kind} reached the browser (in a page, URL or header it saw)"
            ));
        }
    }
    Ok(())
}

#[given("the provider will issue access tokens that expire at once")]
async fn expire_at_once(world: &mut GauntletWorld) -> StepResult {
    world.arrangements.push(Arrangement::Fault(
        FaultTarget::Token,
        FaultKind::ExpireEarly { after_secs: 0 },
    ));
    Ok(())
}

#[then("the platform refreshed the access token")]
async fn refreshed(world: &mut GauntletWorld) -> StepResult {
    let refreshes = world
        .token_requests()
        .into_iter()
        .filter(|e| e.param("grant_type") == Some("refresh_token") && e.response.status == 200)
        .count();
    if refreshes >= 1 {
        Ok(())
    } else {
        Err("the platform never refreshed the expired access token".into())
    }
}

#[when(regex = r"^the provider revokes (\w+)'s tokens$")]
async fn revokes(world: &mut GauntletWorld, _user: String) -> StepResult {
    let tokens = issued_tokens(world);
    let refresh = tokens
        .iter()
        .find(|t| t.starts_with("rt_"))
        .or(tokens.first())
        .ok_or("no token was issued")?;
    revoke(world, refresh).await
}

/// Revokes the access token issued last, alone: the resource then refuses it as it refuses an
/// expired one (`invalid_token`, RFC 6750 §3.1), at a moment the scenario chooses, while the
/// refresh token stays good (RFC 7009 §2.1 leaves the other tokens to the server; the mock
/// keeps them).
#[when(regex = r"^the provider revokes (\w+)'s access token$")]
async fn revokes_access_token(world: &mut GauntletWorld, _user: String) -> StepResult {
    let access = world
        .token_requests()
        .iter()
        .rev()
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.response.body).ok())
        .find_map(|body| body["access_token"].as_str().map(str::to_owned))
        .ok_or("no access token was issued")?;
    revoke(world, &access).await
}

/// Revokes `token` at the mock as the platform's client (RFC 7009 §2.1).
pub(super) async fn revoke(world: &GauntletWorld, token: &str) -> StepResult {
    let ctx = &world.ctx;
    let url = ctx.provider.revocation_endpoint();
    let mut form = vec![("token", token.to_owned())];
    let client = &ctx.client;
    let mut request = ctx
        .http
        .post(url)
        .header(crate::client::back_channel::SENT_BY_GAUNTLET, "revocation");
    match (&client.client_secret, client.auth_method) {
        (Some(secret), AuthMethod::ClientSecretBasic) => {
            request = request.header(
                "authorization",
                oauth_vocab::basic::encode(&client.client_id, secret),
            );
        }
        (Some(secret), _) => {
            form.push(("client_id", client.client_id.clone()));
            form.push(("client_secret", secret.clone()));
        }
        (None, _) => form.push(("client_id", client.client_id.clone())),
    }
    let response = request
        .form(&form)
        .send()
        .await
        .map_err(|e| format!("revocation failed: {e}"))?;
    if response.status() == 200 {
        Ok(())
    } else {
        Err(format!(
            "the mock refused the revocation: {}",
            response.status()
        ))
    }
}

#[given(expr = "the token endpoint will answer with token_type {string}")]
async fn answers_with_token_type(world: &mut GauntletWorld, token_type: String) -> StepResult {
    world.arrangements.push(Arrangement::Fault(
        FaultTarget::Token,
        FaultKind::WrongTokenType { token_type },
    ));
    Ok(())
}

#[given("the token endpoint will answer without expires_in")]
async fn no_expires_in(world: &mut GauntletWorld) -> StepResult {
    world.arrangements.push(Arrangement::Fault(
        FaultTarget::Token,
        FaultKind::OmitExpiresIn,
    ));
    Ok(())
}

#[given("the token endpoint will answer with members the platform does not know")]
async fn extra_members(world: &mut GauntletWorld) -> StepResult {
    world.arrangements.push(Arrangement::Fault(
        FaultTarget::Token,
        FaultKind::ExtraMembers,
    ));
    Ok(())
}

#[given("the first refreshed access token will expire after one second")]
async fn refreshed_expires(world: &mut GauntletWorld) -> StepResult {
    world.arrangements.push(Arrangement::Fault(
        FaultTarget::Refresh,
        FaultKind::ExpireEarly { after_secs: 1 },
    ));
    Ok(())
}

/// The longest the mock keeps a refresh no second one joins.
const REFRESH_HOLD: Duration = Duration::from_secs(2);

/// Keeps the first refresh until a second one of the flow arrives, or half the platform's
/// stated token timeout (at most [`REFRESH_HOLD`]): a platform that refreshes in every request
/// sends its second refresh long before (the requests reach it together), and a single-flight
/// platform waits that once, well within its own timeout.
#[given("the provider will hold the first refresh until a second arrives")]
async fn hold_refresh(world: &mut GauntletWorld) -> StepResult {
    let timeouts = &world.ctx.profile.timeouts;
    let hold = match timeouts.platform_token_timeout_ms.duration() {
        Some(timeout) => (timeout / 2).min(REFRESH_HOLD),
        None => REFRESH_HOLD,
    };
    let ms = u64::try_from(hold.as_millis()).unwrap_or(u64::MAX);
    world.arrangements.push(Arrangement::Fault(
        FaultTarget::Refresh,
        FaultKind::Hold { ms },
    ));
    Ok(())
}

/// Requests that found the access token expired together must share one refresh: with a
/// rotating provider every further use of the refresh token is a replay, which RFC 9700
/// §4.14.2 has the provider answer by revoking the grant.
#[then("no refresh token was presented twice")]
async fn one_refresh_per_refresh_token(world: &mut GauntletWorld) -> StepResult {
    let requests = world.token_requests();
    let refreshes: Vec<_> = requests
        .iter()
        .filter(|e| e.param("grant_type") == Some("refresh_token"))
        .collect();
    let replayed = refreshes
        .iter()
        .filter(|e| e.has_finding(Finding::RefreshReused));
    match replayed.count() {
        0 => Ok(()),
        n => Err(format!(
            "requests that found the access token expired at the same time each refreshed it: \
             {} refresh requests, {n} of them presenting a refresh token another had already \
             rotated away (invalid_grant, and the provider revoked the grant); let one refresh \
             run per user and the other requests wait for its tokens (single-flight)",
            refreshes.len()
        )),
    }
}

#[when("a second passes")]
async fn a_second_passes(_world: &mut GauntletWorld) -> StepResult {
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    Ok(())
}

/// Judges rotation on the refreshes the platform made, however many: reusing a refresh token
/// the provider rotated away is the failure (RFC 9700 §4.14.2); never refreshing is not (the
/// refresh scenario reports that).
#[then("every refresh the platform made used the newest refresh token")]
async fn refreshed_with_rotation(world: &mut GauntletWorld) -> StepResult {
    let requests = world.token_requests();
    let reused = requests
        .iter()
        .filter(|e| e.param("grant_type") == Some("refresh_token"))
        .find(|e| e.has_finding(Finding::RefreshReused));
    match reused {
        Some(reused) => Err(format!(
            "the platform refreshed with a refresh token that had already been rotated away \
             (answer {}): it kept the old refresh token instead of the one the last refresh \
             returned",
            reused.response.status
        )),
        None => Ok(()),
    }
}

#[then("the callback page cannot leak the code through Referer")]
async fn referer_leak(world: &mut GauntletWorld) -> StepResult {
    let flow = world.last_flow(None)?;
    let reply = flow
        .callback
        .as_ref()
        .ok_or("the callback was not delivered")?;
    let url = flow
        .callback_url
        .as_deref()
        .ok_or("the provider sent no callback")?;
    crate::client::referer::judge(url, reply)
}
