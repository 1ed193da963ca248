//! Steps several provider features share: asking for authorization and approving it,
//! redeeming the code, holding tokens, sending a token to the revocation or introspection
//! endpoint, and judging the usual answers (RFC 6749 §4.1, §5.1, §5.2; RFC 7009 §2;
//! RFC 7662 §2).

use cucumber::{given, then, when};
use mock_provider::{AuthMethod, ErrorCode};

use crate::parameters::{ErrorChoice, OAuthErrorParam};
use crate::provider::driver::{Arrival, Press};
use crate::provider::world::{ProviderWorld, Role, StepResult, reply_line};

#[given("an authorization request")]
async fn request(world: &mut ProviderWorld) -> StepResult {
    world.new_request(Role::Main).map(drop)
}

#[given(regex = r"^it has no (\w+)$")]
async fn without(world: &mut ProviderWorld, name: String) -> StepResult {
    world.request_mut()?.remove(&name);
    Ok(())
}

#[given(regex = r#"^its (\w+) is "(.*)"$"#)]
async fn set(world: &mut ProviderWorld, name: String, value: String) -> StepResult {
    world.request_mut()?.set(&name, &value);
    Ok(())
}

#[given(regex = r#"^its scope also asks for "(\S+)"$"#)]
async fn scope_also(world: &mut ProviderWorld, extra: String) -> StepResult {
    let request = world.request_mut()?;
    let scope = match request.param("scope") {
        Some(scope) if !scope.is_empty() => format!("{scope} {extra}"),
        _ => extra,
    };
    request.set("scope", &scope);
    Ok(())
}

#[when("the user approves it")]
async fn approves(world: &mut ProviderWorld) -> StepResult {
    world.authorize(Press::Approve).await
}

#[then(expr = "the request is refused with {error} and no code")]
async fn refused(world: &mut ProviderWorld, error: OAuthErrorParam) -> StepResult {
    let error = error.0.as_str();
    let arrival = &world.journey()?.arrival;
    if arrival.param("code").is_some() {
        return Err(format!(
            "the server issued a code; it must refuse the request with {error}"
        ));
    }
    match arrival {
        Arrival::Redirected { .. } => match arrival.param("error") {
            Some(e) if e == error => Ok(()),
            Some(e) => Err(format!("the server refused with {e:?}, not {error:?}")),
            None => Err(format!("neither code nor error: {}", arrival.describe())),
        },
        Arrival::Page { status, .. } if *status >= 400 => Ok(()),
        Arrival::Page { .. } => Err(format!(
            "the request was not refused: {}",
            arrival.describe()
        )),
    }
}

/// Approves a fresh request of `role` after `bend`, and insists on a code.
pub(super) async fn approved(
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

#[given(regex = r"^the (client|public client) holds tokens$")]
async fn holds_tokens(world: &mut ProviderWorld, who: String) -> StepResult {
    let role = if who == "client" {
        Role::Main
    } else {
        Role::Public
    };
    holding_tokens(world, role, |_| {}).await
}

/// Approves a fresh request of `role` — with what earns a refresh token at this server
/// (`[server] refresh_request`) — after `bend`, redeems the code, and insists on tokens.
pub(super) async fn holding_tokens(
    world: &mut ProviderWorld,
    role: Role,
    bend: impl FnOnce(&mut crate::provider::world::AuthRequest),
) -> StepResult {
    holding_tokens_with(world, role, bend, |_| {}).await
}

/// [`holding_tokens`], with `bend_form` changing the token request too.
pub(super) async fn holding_tokens_with(
    world: &mut ProviderWorld,
    role: Role,
    bend: impl FnOnce(&mut crate::provider::world::AuthRequest),
    bend_form: impl FnOnce(&mut Vec<(String, String)>),
) -> StepResult {
    let earn = world.ctx.profile.server.refresh_request.clone();
    approved(world, role, |r| {
        r.earn_refresh(&earn);
        bend(r);
    })
    .await?;
    let reply = world.redeem(role, None, None, bend_form).await?;
    world.latest_tokens().map(drop).map_err(|_| {
        format!(
            "the code was not exchanged for tokens: {}",
            reply_line(&reply)
        )
    })
}

#[when("the client redeems the code")]
pub(super) async fn redeem(world: &mut ProviderWorld) -> StepResult {
    let role = world.grant()?.role;
    world.redeem(role, None, None, |_| {}).await.map(drop)
}

/// Sets (`Some`) or removes (`None`) a form field.
fn set_field(form: &mut Vec<(String, String)>, name: &str, value: Option<&str>) {
    form.retain(|(n, _)| n != name);
    if let Some(value) = value {
        form.push((name.to_owned(), value.to_owned()));
    }
}

/// Redeems the code of the grant as its client, changed as a step says: how the client
/// authenticates (`auth`, `secret`; `None` for as the profile says) and one form field
/// (its name and new value, or `None` to remove it).
pub(super) async fn redeem_changed(
    world: &mut ProviderWorld,
    auth: Option<AuthMethod>,
    secret: Option<&str>,
    field: Option<(&str, Option<&str>)>,
) -> StepResult {
    let role = world.grant()?.role;
    world
        .redeem(role, auth, secret, |form| {
            if let Some((name, value)) = field {
                set_field(form, name, value);
            }
        })
        .await
        .map(drop)
}

#[when(
    regex = r"^the (client|other client) revokes (the access token|the refresh token|an unknown token)( without authenticating)?$"
)]
async fn revoke(
    world: &mut ProviderWorld,
    who: String,
    which: String,
    unauthenticated: String,
) -> StepResult {
    let role = if who == "client" {
        Role::Main
    } else {
        Role::Other
    };
    let url = world.ctx.endpoints.revocation.clone();
    send_token(
        world,
        url,
        "revocation",
        role,
        &which,
        true,
        &unauthenticated,
    )
    .await
}

/// Sends the token a step names (`which`) to the revocation or introspection endpoint `url`
/// (`endpoint` names it when the server has none) as `role`, with the token's type hint if
/// `hinted`, and without client authentication when the step says so (`unauthenticated`
/// is not empty).
pub(super) async fn send_token(
    world: &mut ProviderWorld,
    url: Option<String>,
    endpoint: &str,
    role: Role,
    which: &str,
    hinted: bool,
    unauthenticated: &str,
) -> StepResult {
    let url = url.ok_or(format!("no {endpoint} endpoint"))?;
    let (token, hint) = token_named(world, which)?;
    let auth = (!unauthenticated.is_empty()).then_some(AuthMethod::None);
    let mut form = vec![("token".to_owned(), token)];
    if let Some(hint) = hint.filter(|_| hinted) {
        form.push(("token_type_hint".into(), hint.into()));
    }
    world
        .post_form(&url, role, auth, None, form)
        .await
        .map(drop)
}

/// A token by its name in a step, with its type hint.
fn token_named(
    world: &ProviderWorld,
    which: &str,
) -> Result<(String, Option<&'static str>), String> {
    Ok(match which {
        "the access token" => (
            world.latest_tokens()?.access.expose().to_owned(),
            Some("access_token"),
        ),
        "the refresh token" => (
            world
                .latest_tokens()?
                .refresh
                .as_ref()
                .ok_or("the server issued no refresh token")?
                .expose()
                .to_owned(),
            Some("refresh_token"),
        ),
        "a malformed token" => ("not a token \u{1} at all".into(), None),
        _ => (crate::suite::random::token("gauntlet-unknown-"), None),
    })
}

#[then(regex = r"^the answer is (\d{3})$")]
async fn status(world: &mut ProviderWorld, expected: u16) -> StepResult {
    let reply = world.last()?;
    if reply.status == expected {
        Ok(())
    } else {
        Err(format!(
            "expected {expected}, the server answered {}",
            reply_line(reply)
        ))
    }
}

/// Any 4xx refusal: where the RFC requires a refusal but no particular status.
#[then("the answer refuses the request")]
async fn any_refusal(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    if (400..500).contains(&reply.status) {
        Ok(())
    } else {
        Err(format!(
            "the server did not refuse the request: {}",
            reply_line(reply)
        ))
    }
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

#[then(expr = "the token endpoint refuses with {errors}")]
async fn refuses(world: &mut ProviderWorld, allowed: ErrorChoice) -> StepResult {
    let reply = world.last()?;
    let error = reply
        .json()
        .and_then(|j| j.get("error").and_then(|e| e.as_str()).map(str::to_owned));
    match error {
        _ if reply.status == 200 => Err(format!(
            "the token endpoint accepted the request ({}); it must refuse with {}",
            reply_line(reply),
            allowed
        )),
        Some(e) if allowed.accepts(&e) => {
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
            "the token endpoint refused with {e:?}; RFC 6749 calls for {allowed}"
        )),
        None => Err(format!(
            "the token endpoint refused without a JSON error: {}",
            reply_line(reply)
        )),
    }
}
