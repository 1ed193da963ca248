//! Steps at the token endpoint: redeeming codes rightly and wrongly, refreshing, and judging
//! the answers (`token.feature`, `code.feature`, `refresh.feature`, the token half of
//! `pkce.feature`).

use std::time::Duration;

use cucumber::{given, then, when};
use mock_provider::{AuthMethod, ErrorCode, Random, generate_verifier, s256_challenge};

use crate::provider::driver::Press;
use crate::provider::world::{ProviderWorld, Role, StepResult, reply_line};

/// Error codes RFC 6749 §5.2 registers for the token endpoint.
const TOKEN_ERRORS: [ErrorCode; 6] = [
    ErrorCode::InvalidRequest,
    ErrorCode::InvalidClient,
    ErrorCode::InvalidGrant,
    ErrorCode::UnauthorizedClient,
    ErrorCode::UnsupportedGrantType,
    ErrorCode::InvalidScope,
];

/// Approves a fresh request of `role` after `bend`, and insists on a code.
async fn approved(
    world: &mut ProviderWorld,
    role: Role,
    bend: impl FnOnce(&mut crate::provider::world::AuthRequest),
) -> StepResult {
    bend(world.new_request(role)?);
    world.authorize(Press::Approve).await?;
    world.grant().map(drop)
}

#[given("the user approved an authorization request")]
async fn approved_request(world: &mut ProviderWorld) -> StepResult {
    approved(world, Role::Main, |_| {}).await
}

#[given("the user approved an authorization request without scope")]
async fn approved_without_scope(world: &mut ProviderWorld) -> StepResult {
    approved(world, Role::Main, |r| r.remove("scope")).await
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
    let mut verifier = generate_verifier(&Random::Os);
    while verifier.len() < length {
        verifier.push('a');
    }
    verifier.truncate(length);
    approved(world, Role::Main, |r| {
        r.set("code_challenge", &s256_challenge(&verifier));
        r.verifier = Some(verifier.clone());
    })
    .await
}

#[given("the client holds tokens for the insufficient scope")]
async fn holds_narrow_tokens(world: &mut ProviderWorld) -> StepResult {
    let scope = world
        .ctx
        .profile
        .server
        .insufficient_scope
        .clone()
        .ok_or("the profile names no insufficient_scope")?;
    approved(world, Role::Main, |r| r.set("scope", &scope)).await?;
    let reply = world.redeem(Role::Main, None, None, |_| {}).await?;
    world.latest_tokens().map(drop).map_err(|_| {
        format!(
            "the code was not exchanged for tokens: {}",
            reply_line(&reply)
        )
    })
}

#[given(regex = r"^the (client|public client) holds tokens$")]
async fn holds_tokens(world: &mut ProviderWorld, who: String) -> StepResult {
    let role = if who == "client" {
        Role::Main
    } else {
        Role::Public
    };
    approved(world, role, |_| {}).await?;
    let reply = world.redeem(role, None, None, |_| {}).await?;
    world.latest_tokens().map(drop).map_err(|_| {
        format!(
            "the code was not exchanged for tokens: {}",
            reply_line(&reply)
        )
    })
}

#[when("the client redeems the code")]
async fn redeem(world: &mut ProviderWorld) -> StepResult {
    let role = world.grant()?.role;
    world.redeem(role, None, None, |_| {}).await.map(drop)
}

#[when("the client redeems the code again")]
async fn redeem_again(world: &mut ProviderWorld) -> StepResult {
    redeem(world).await
}

#[when("the other client redeems the code")]
async fn other_redeems(world: &mut ProviderWorld) -> StepResult {
    world
        .redeem(Role::Other, None, None, |_| {})
        .await
        .map(drop)
}

/// Sets (`Some`) or removes (`None`) a form field.
fn set(form: &mut Vec<(String, String)>, name: &str, value: Option<&str>) {
    form.retain(|(n, _)| n != name);
    if let Some(value) = value {
        form.push((name.to_owned(), value.to_owned()));
    }
}

#[when(
    regex = r"^the client redeems the code (with a wrong code_verifier|without code_verifier|with a code_verifier|with a different redirect_uri|without redirect_uri|without authenticating|with a wrong secret over HTTP Basic|with a wrong secret in the request body)$"
)]
async fn redeem_bent(world: &mut ProviderWorld, how: String) -> StepResult {
    let role = world.grant()?.role;
    let registered = world.registration(role)?.clone();
    let different = registered
        .other_redirect_uris
        .first()
        .cloned()
        .unwrap_or_else(|| format!("{}/gauntlet", registered.redirect_uri.trim_end_matches('/')));
    let wrong_verifier = generate_verifier(&Random::Os);
    const WRONG_SECRET: Option<&str> = Some("gauntlet-wrong-secret");
    // (client authentication, secret, form field changed: name and new value or removal)
    let (auth, secret, field): (_, _, Option<(&str, Option<&str>)>) = match how.as_str() {
        // For a code issued without a challenge, any verifier is one too many.
        "with a wrong code_verifier" | "with a code_verifier" => (
            None,
            None,
            Some(("code_verifier", Some(wrong_verifier.as_str()))),
        ),
        "without code_verifier" => (None, None, Some(("code_verifier", None))),
        "with a different redirect_uri" => {
            (None, None, Some(("redirect_uri", Some(different.as_str()))))
        }
        "without redirect_uri" => (None, None, Some(("redirect_uri", None))),
        "without authenticating" => (Some(AuthMethod::None), None, None),
        "with a wrong secret over HTTP Basic" => {
            (Some(AuthMethod::ClientSecretBasic), WRONG_SECRET, None)
        }
        _ => (Some(AuthMethod::ClientSecretPost), WRONG_SECRET, None),
    };
    world
        .redeem(role, auth, secret, |form| {
            if let Some((name, value)) = field {
                set(form, name, value);
            }
        })
        .await
        .map(drop)
}

#[when(
    regex = r"^the client sends a token request with (an unknown grant_type|an unknown code|no code)$"
)]
async fn bad_token_request(world: &mut ProviderWorld, case: String) -> StepResult {
    let redirect_uri = world.registration(Role::Main)?.redirect_uri.clone();
    let verifier = generate_verifier(&Random::Os);
    let mut form = vec![
        ("grant_type".to_owned(), "authorization_code".to_owned()),
        ("code".to_owned(), Random::Os.token("gauntlet-unknown-")),
        ("redirect_uri".to_owned(), redirect_uri),
        ("code_verifier".to_owned(), verifier),
    ];
    match case.as_str() {
        "an unknown grant_type" => form[0].1 = "urn:gauntlet:unknown".into(),
        "no code" => {
            form.remove(1);
        }
        _ => {}
    }
    let url = world.ctx.endpoints.token.clone();
    world
        .post_form(&url, Role::Main, None, None, form)
        .await
        .map(drop)
}

#[when("the code has expired")]
async fn code_expired(world: &mut ProviderWorld) -> StepResult {
    let lifetime = world
        .ctx
        .profile
        .server
        .code_lifetime_secs
        .ok_or("the profile gives no code_lifetime_secs")?;
    if lifetime > 600 {
        return Err(format!(
            "codes live {lifetime} s; RFC 6749 §4.1.2 recommends at most 10 minutes"
        ));
    }
    tokio::time::sleep(Duration::from_secs(lifetime) + Duration::from_millis(1500)).await;
    Ok(())
}

#[when("the client refreshes the token")]
async fn refresh(world: &mut ProviderWorld) -> StepResult {
    let token = newest_refresh(world)?;
    refresh_with(world, &token, None).await
}

#[when("the client refreshes with the previous refresh token")]
async fn refresh_previous(world: &mut ProviderWorld) -> StepResult {
    let refreshes: Vec<String> = world
        .tokens
        .iter()
        .filter_map(|t| t.refresh.clone())
        .collect();
    let previous = refreshes
        .len()
        .checked_sub(2)
        .and_then(|i| refreshes.get(i))
        .or(refreshes.first())
        .cloned()
        .ok_or("no refresh token was issued")?;
    refresh_with(world, &previous, None).await
}

#[when(regex = r#"^the client refreshes the token with an additional scope "(\S+)"$"#)]
async fn refresh_wider(world: &mut ProviderWorld, extra: String) -> StepResult {
    let token = newest_refresh(world)?;
    let granted = world
        .tokens
        .last()
        .and_then(|t| t.scope.clone())
        .unwrap_or_else(|| world.ctx.profile.client.scope.clone());
    let scope = format!("{granted} {extra}").trim().to_owned();
    refresh_with(world, &token, Some(&scope)).await
}

#[when("the client refreshes with an unknown refresh token")]
async fn refresh_unknown(world: &mut ProviderWorld) -> StepResult {
    refresh_with(world, &Random::Os.token("gauntlet-unknown-"), None).await
}

fn newest_refresh(world: &ProviderWorld) -> Result<String, String> {
    world
        .tokens
        .iter()
        .rev()
        .find_map(|t| t.refresh.clone())
        .ok_or_else(|| "the server issued no refresh token".to_owned())
}

async fn refresh_with(world: &mut ProviderWorld, token: &str, scope: Option<&str>) -> StepResult {
    let role = world.grant.as_ref().map_or(Role::Main, |g| g.role);
    let mut form = vec![
        ("grant_type".to_owned(), "refresh_token".to_owned()),
        ("refresh_token".to_owned(), token.to_owned()),
    ];
    if let Some(scope) = scope {
        form.push(("scope".into(), scope.into()));
    }
    let url = world.ctx.endpoints.token.clone();
    let reply = world.post_form(&url, role, None, None, form).await?;
    world.keep_tokens(&reply);
    Ok(())
}

#[then("the token endpoint answers with a Bearer access token")]
async fn bearer(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    let json = reply
        .json()
        .filter(|_| reply.status == 200)
        .ok_or_else(|| format!("the token endpoint answered {}", reply_line(reply)))?;
    if !reply.content_type.starts_with("application/json") {
        return Err(format!(
            "the token response's Content-Type is {:?}, not application/json",
            reply.content_type
        ));
    }
    if json
        .get("access_token")
        .and_then(|v| v.as_str())
        .is_none_or(str::is_empty)
    {
        return Err("the token response has no access_token".into());
    }
    match json.get("token_type").and_then(|v| v.as_str()) {
        Some(t) if t.eq_ignore_ascii_case("bearer") => Ok(()),
        Some(t) => Err(format!("token_type is {t:?}, not Bearer")),
        None => Err("the token response has no token_type".into()),
    }
}

#[then(regex = r#"^the token endpoint refuses with "(\w+)"(?: or "(\w+)")?$"#)]
async fn refuses(world: &mut ProviderWorld, first: String, second: String) -> StepResult {
    let allowed = [first.as_str(), second.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<ErrorCode>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let allowed_text = allowed
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(" or ");
    let reply = world.last()?;
    let error = reply
        .json()
        .and_then(|j| j.get("error").and_then(|e| e.as_str()).map(str::to_owned));
    match error {
        _ if reply.status == 200 => Err(format!(
            "the token endpoint accepted the request ({}); it must refuse with {}",
            reply_line(reply),
            allowed_text
        )),
        Some(e) if e.parse().is_ok_and(|c| allowed.contains(&c)) => {
            let expected_status: &[u16] = if e == ErrorCode::InvalidClient.as_str() {
                &[400, 401]
            } else {
                &[400]
            };
            if expected_status.contains(&reply.status) {
                Ok(())
            } else {
                Err(format!(
                    "the error {e} came with status {}, not 400 (RFC 6749 §5.2)",
                    reply.status
                ))
            }
        }
        Some(e) => Err(format!(
            "the token endpoint refused with {e:?}; RFC 6749 calls for {allowed_text}"
        )),
        None => Err(format!(
            "the token endpoint refused without a JSON error: {}",
            reply_line(reply)
        )),
    }
}

#[then(regex = r#"^the token endpoint answers 401 "invalid_client" with WWW-Authenticate$"#)]
async fn unauthorized_basic(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    let error = reply
        .json()
        .and_then(|j| j.get("error").and_then(|e| e.as_str()).map(str::to_owned));
    if reply.status != 401 {
        return Err(format!(
            "a wrong secret over HTTP Basic got {}; RFC 6749 §5.2 calls for 401 invalid_client",
            reply_line(reply)
        ));
    }
    if error.as_deref() != Some(ErrorCode::InvalidClient.as_str()) {
        return Err(format!("the 401 says {error:?}, not invalid_client"));
    }
    match reply.header("www-authenticate") {
        Some(challenge) if challenge.to_ascii_lowercase().starts_with("basic") => Ok(()),
        Some(challenge) => Err(format!(
            "WWW-Authenticate is {challenge:?}, not a Basic challenge"
        )),
        None => Err("the 401 has no WWW-Authenticate header".into()),
    }
}

#[then("the error follows RFC 6749 §5.2")]
async fn error_format(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    if !reply.content_type.starts_with("application/json") {
        return Err(format!(
            "the error's Content-Type is {:?}, not application/json",
            reply.content_type
        ));
    }
    let json = reply.json().ok_or("the error body is not JSON")?;
    let object = json
        .as_object()
        .ok_or("the error body is not a JSON object")?;
    let error = object
        .get("error")
        .and_then(|e| e.as_str())
        .ok_or("no error member")?;
    if !error.parse().is_ok_and(|c| TOKEN_ERRORS.contains(&c)) {
        return Err(format!(
            "{error:?} is not an error code RFC 6749 §5.2 registers"
        ));
    }
    for member in ["error_description", "error_uri"] {
        if object.get(member).is_some_and(|v| !v.is_string()) {
            return Err(format!("{member} is not a string"));
        }
    }
    Ok(())
}

#[then("the answer carries Cache-Control no-store")]
async fn no_store(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    match reply.header("cache-control") {
        Some(v)
            if v.to_ascii_lowercase()
                .split(',')
                .any(|d| d.trim() == "no-store") =>
        {
            Ok(())
        }
        Some(v) => Err(format!("Cache-Control is {v:?}, without no-store")),
        None => Err(format!(
            "the answer ({}) has no Cache-Control header",
            reply.status
        )),
    }
}

#[then("the answer carries Pragma no-cache")]
async fn pragma(world: &mut ProviderWorld) -> StepResult {
    match world.last()?.header("pragma") {
        Some(v) if v.eq_ignore_ascii_case("no-cache") => Ok(()),
        Some(v) => Err(format!("Pragma is {v:?}, not no-cache")),
        None => Err("the answer has no Pragma header".into()),
    }
}

#[then("the token response has expires_in")]
async fn expires_in(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    let json = reply
        .json()
        .filter(|_| reply.status == 200)
        .ok_or_else(|| format!("no token response: {}", reply_line(reply)))?;
    match json.get("expires_in") {
        Some(v) if v.as_u64().is_some_and(|n| n > 0) => Ok(()),
        Some(v) => Err(format!(
            "expires_in is {v}, not a positive number of seconds"
        )),
        None => Err("the token response has no expires_in".into()),
    }
}

#[then("the token response states the granted scope")]
async fn states_scope(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    let json = reply
        .json()
        .filter(|_| reply.status == 200)
        .ok_or_else(|| format!("no token response: {}", reply_line(reply)))?;
    match json.get("scope").and_then(|s| s.as_str()) {
        Some(s) if !s.trim().is_empty() => Ok(()),
        _ => Err("the request named no scope, so the granted scope differs from it, yet the response does not state it".into()),
    }
}

#[then("a new refresh token was issued")]
async fn rotated(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    if reply.status != 200 {
        return Err(format!("the refresh failed: {}", reply_line(reply)));
    }
    let refreshes: Vec<&String> = world
        .tokens
        .iter()
        .filter_map(|t| t.refresh.as_ref())
        .collect();
    let newest = world.tokens.last().and_then(|t| t.refresh.as_ref());
    match newest {
        Some(new) if refreshes.iter().filter(|r| **r == new).count() == 1 => Ok(()),
        Some(_) => {
            Err("the refresh answer repeats the same refresh token: it is not rotated".into())
        }
        None => Err("the refresh answer has no new refresh token: it is not rotated".into()),
    }
}

#[then("the first access token no longer works")]
async fn first_revoked(world: &mut ProviderWorld) -> StepResult {
    let first = world
        .tokens
        .first()
        .ok_or("the first redemption issued no tokens")?
        .access
        .clone();
    if world.token_works(&first).await? {
        Err("the access token issued from the code still works after the code was replayed".into())
    } else {
        Ok(())
    }
}

#[then("the access token no longer works")]
async fn revoked(world: &mut ProviderWorld) -> StepResult {
    let token = world.latest_tokens()?.access.clone();
    if world.token_works(&token).await? {
        Err("the access token still works".into())
    } else {
        Ok(())
    }
}

#[then("the access token still works")]
async fn still_works(world: &mut ProviderWorld) -> StepResult {
    let token = world.latest_tokens()?.access.clone();
    if world.token_works(&token).await? {
        Ok(())
    } else {
        Err("the access token stopped working".into())
    }
}
