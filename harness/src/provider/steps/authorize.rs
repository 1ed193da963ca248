//! Steps of `authorize.feature`: bending an authorization request and judging where the
//! browser ends up (RFC 6749 §3.1, §3.3, §4.1.2, §4.1.2.1; RFC 9207 §2).

use cucumber::{given, then, when};
use mock_provider::pkce::s256_challenge;

use crate::parameters::ErrorChoice;
use crate::provider::driver::{Arrival, Press};
use crate::provider::world::{ProviderWorld, StepResult, reply_line};

#[given(regex = r"^its state is (\d+) characters long$")]
async fn long_state(world: &mut ProviderWorld, length: usize) -> StepResult {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    let state: String = (0..length)
        .map(|i| char::from(alphabet[i % alphabet.len()]))
        .collect();
    world.request_mut()?.set("state", &state);
    Ok(())
}

#[given(regex = r#"^it has an unknown parameter "(\w+)"$"#)]
async fn unknown_parameter(world: &mut ProviderWorld, name: String) -> StepResult {
    world
        .request_mut()?
        .params
        .push((name, "gauntlet-ignored".into()));
    Ok(())
}

#[given("its parameters are in reverse order")]
async fn reversed(world: &mut ProviderWorld) -> StepResult {
    world.request_mut()?.params.reverse();
    Ok(())
}

#[given(regex = r"^it repeats the (\w+) parameter$")]
async fn repeated(world: &mut ProviderWorld, name: String) -> StepResult {
    let request = world.request_mut()?;
    let value = request
        .param(&name)
        .ok_or_else(|| format!("the request has no {name} to repeat"))?
        .to_owned();
    // A different second value: a server that takes either one silently is caught.
    let second = match name.as_str() {
        "response_type" => "token".to_owned(),
        "code_challenge" => s256_challenge(&mock_provider::pkce::generate_verifier()),
        _ => format!("{value}-2"),
    };
    request.params.push((name, second));
    Ok(())
}

#[when("the user denies it")]
async fn denies(world: &mut ProviderWorld) -> StepResult {
    world.authorize(Press::Deny).await
}

#[then("the browser is sent to the redirect URI with a code")]
async fn sent_with_code(world: &mut ProviderWorld) -> StepResult {
    let journey = world.journey()?;
    let request = world.request.as_ref().ok_or("no request")?;
    let expected = request.param("redirect_uri").unwrap_or_default();
    match &journey.arrival {
        Arrival::Redirected { location, .. } if journey.arrival.param("code").is_some() => {
            if without_query(location) == without_query(expected) {
                Ok(())
            } else {
                Err(format!(
                    "the code was sent to {}, not to the redirect URI {expected}",
                    oauth_vocab::redact::redact_uri(location)
                ))
            }
        }
        Arrival::Redirected { .. } => match journey.arrival.param("error") {
            Some(error) => Err(format!(
                "the server answered the valid request with error {error:?} ({})",
                journey
                    .arrival
                    .param("error_description")
                    .unwrap_or("no description")
            )),
            None => Err(format!("no code: {}", journey.arrival.describe())),
        },
        Arrival::Page { .. } => Err(format!("no code: {}", journey.arrival.describe())),
    }
}

fn without_query(uri: &str) -> &str {
    uri.split(['?', '#']).next().unwrap_or(uri)
}

#[then(expr = "the browser is sent to the redirect URI with error {errors}")]
pub(super) async fn sent_with_error(world: &mut ProviderWorld, allowed: ErrorChoice) -> StepResult {
    let journey = world.journey()?;
    let arrival = &journey.arrival;
    if arrival.param("code").is_some() {
        return Err(format!(
            "the server issued a code instead of the error {allowed}"
        ));
    }
    let Arrival::Redirected { location, .. } = arrival else {
        return Err(format!(
            "expected an error redirect with {allowed}: {}",
            arrival.describe()
        ));
    };
    let expected = world
        .request
        .as_ref()
        .and_then(|r| r.param("redirect_uri"))
        .unwrap_or_default();
    if without_query(location) != without_query(expected) {
        return Err(format!(
            "the error was sent to {location}, not to the redirect URI {expected}"
        ));
    }
    match arrival.param("error") {
        Some(error) if allowed.accepts(error) => Ok(()),
        Some(error) => Err(format!(
            "the error redirect says {error:?}; RFC 6749 §4.1.2.1 calls for {allowed}"
        )),
        None => Err(format!(
            "the redirect carries no error parameter: {}",
            arrival.describe()
        )),
    }
}

/// RFC 6749 lets a server refuse a scope it does not know (§4.1.2.1, `invalid_scope`) or ignore
/// it (§3.3), and then the token response MUST state the scope it granted. Granting it, or
/// ignoring it without saying so, fails.
#[then(
    regex = r#"^the scope "(\S+)" is refused with "invalid_scope" or ignored and the granted scope stated$"#
)]
async fn unknown_scope_refused_or_ignored(
    world: &mut ProviderWorld,
    unknown: String,
) -> StepResult {
    if world.journey()?.arrival.param("code").is_none() {
        let refused: ErrorChoice = "\"invalid_scope\"".parse()?;
        return sent_with_error(world, refused).await;
    }
    let role = world.grant()?.role;
    let reply = world.redeem(role, None, None, |_| {}).await?;
    if reply.status != 200 {
        let error = reply
            .json()
            .and_then(|j| j.get("error")?.as_str().map(str::to_owned));
        return match error.as_deref() {
            Some("invalid_scope") => Ok(()),
            _ => Err(format!(
                "the server issued a code for the unknown scope {unknown:?}, then refused the code: {}",
                reply_line(&reply)
            )),
        };
    }
    let granted = world.latest_tokens()?.scope.clone();
    match granted {
        Some(scope) if scope.split(' ').any(|s| s == unknown) => Err(format!(
            "the server granted the unknown scope {unknown:?} (granted: {scope:?}); RFC 6749 lets it refuse the scope with invalid_scope (§4.1.2.1) or ignore it (§3.3)"
        )),
        Some(_) => Ok(()),
        None => Err(format!(
            "the server issued tokens for the unknown scope {unknown:?} without a scope member: the client must take it that {unknown:?} was granted. A server that ignores a scope MUST state the scope it granted (RFC 6749 §3.3); one that does not know it may refuse it with invalid_scope (§4.1.2.1)"
        )),
    }
}

/// Whatever the server answers to `response_type=token` — an error redirect, an error page —
/// the browser may not be handed an access token (RFC 9700 §2.1.2).
#[then("the browser is given no access token")]
async fn no_access_token(world: &mut ProviderWorld) -> StepResult {
    let arrival = &world.journey()?.arrival;
    if arrival.param("access_token").is_some() {
        Err("the server put an access token in the authorization response (the implicit grant); RFC 9700 §2.1.2: it SHOULD NOT be used, and the server should refuse response_type=token with unsupported_response_type or unauthorized_client".into())
    } else {
        Ok(())
    }
}

#[then("the response carries the state byte for byte")]
async fn state_echoed(world: &mut ProviderWorld) -> StepResult {
    let sent = world
        .request
        .as_ref()
        .and_then(|r| r.param("state"))
        .ok_or("the request had no state")?
        .to_owned();
    let arrival = &world.journey()?.arrival;
    if !matches!(arrival, Arrival::Redirected { .. }) {
        return Err(format!(
            "no redirect to read the state from: {}",
            arrival.describe()
        ));
    }
    match (arrival.param("state"), arrival.count("state")) {
        (Some(back), 1) if back == sent => Ok(()),
        (Some(_), n) if n > 1 => Err(format!("the response carries state {n} times")),
        (Some(back), _) => Err(format!(
            "the state came back altered: sent {:?}, got {:?}",
            crate::suite::browser::short(&sent),
            crate::suite::browser::short(back)
        )),
        (None, _) => Err(format!(
            "the response carries no state; it must return the state exactly as sent ({})",
            if arrival.param("error").is_some() {
                "RFC 6749 §4.1.2.1, on errors too"
            } else {
                "RFC 6749 §4.1.2"
            }
        )),
    }
}

#[then("the response carries iss equal to the issuer")]
async fn iss_present(world: &mut ProviderWorld) -> StepResult {
    let issuer = world
        .ctx
        .endpoints
        .issuer
        .clone()
        .ok_or("the issuer identifier is unknown")?;
    let arrival = &world.journey()?.arrival;
    match arrival.param("iss") {
        Some(iss) if iss == issuer => Ok(()),
        Some(iss) => Err(format!(
            "the response's iss {iss:?} is not the issuer {issuer:?}"
        )),
        None => Err(format!(
            "the response carries no iss: {}",
            arrival.describe()
        )),
    }
}
