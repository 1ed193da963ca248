//! Steps of `token.feature`: the token endpoint's answers, errors, client authentication and
//! caching headers (RFC 6749 §2.3.1, §3.2.1, §5.1, §5.2).

use cucumber::{then, when};
use mock_provider::pkce::generate_verifier;
use mock_provider::{AuthMethod, ErrorCode};

use super::authorize::sent_with_error;
use super::flow::redeem_changed;
use crate::parameters::ErrorChoice;
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

#[when(
    regex = r"^the client redeems the code (without authenticating|with a wrong secret over HTTP Basic|with a wrong secret in the request body)$"
)]
async fn redeem_authenticated_wrongly(world: &mut ProviderWorld, how: String) -> StepResult {
    const WRONG_SECRET: Option<&str> = Some("gauntlet-wrong-secret");
    let (auth, secret) = match how.as_str() {
        "without authenticating" => (AuthMethod::None, None),
        "with a wrong secret over HTTP Basic" => (AuthMethod::ClientSecretBasic, WRONG_SECRET),
        _ => (AuthMethod::ClientSecretPost, WRONG_SECRET),
    };
    redeem_changed(world, Some(auth), secret, None).await
}

/// The grant's code redeemed by a client the server never registered, authenticating the way
/// the profile's client does.
#[when("an unknown client redeems the code")]
async fn unknown_client_redeems(world: &mut ProviderWorld) -> StepResult {
    let grant = world.grant()?;
    let method = world.registration(grant.role)?.auth_method;
    let form = grant.redemption_form();
    let client_id = crate::suite::random::token("gauntlet-unknown-client-");
    let secret = crate::suite::random::token("gauntlet-secret-");
    let url = world.ctx.endpoints.token.clone();
    world
        .post_form_as(&url, &client_id, &secret, method, form)
        .await
        .map(drop)
}

#[when(
    regex = r"^the client sends a token request with (an unknown grant_type|an unknown code|no code)$"
)]
async fn bad_token_request(world: &mut ProviderWorld, case: String) -> StepResult {
    let redirect_uri = world.registration(Role::Main)?.redirect_uri.clone();
    let verifier = generate_verifier();
    let mut form = vec![
        ("grant_type".to_owned(), "authorization_code".to_owned()),
        (
            "code".to_owned(),
            crate::suite::random::token("gauntlet-unknown-"),
        ),
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

/// The JSON of the last answer, which must be a successful token response.
fn token_response(world: &ProviderWorld) -> Result<serde_json::Value, String> {
    let reply = world.last()?;
    reply
        .json()
        .filter(|_| reply.status == 200)
        .ok_or_else(|| format!("no token response: {}", reply_line(reply)))
}

#[then("the token response has expires_in")]
async fn expires_in(world: &mut ProviderWorld) -> StepResult {
    let json = token_response(world)?;
    match json.get("expires_in") {
        Some(v) if v.as_u64().is_some_and(|n| n > 0) => Ok(()),
        Some(v) => Err(format!(
            "expires_in is {v}, not a positive number of seconds"
        )),
        None => Err("the token response has no expires_in".into()),
    }
}

/// RFC 6749 §3.3: a request without scope is processed with a default scope — which the token
/// response then states (§5.1: it differs from the none requested) — or refused with
/// `invalid_scope`.
#[then(
    regex = r#"^the request is refused with "invalid_scope" or its token response states the granted scope$"#
)]
async fn default_scope_or_refused(world: &mut ProviderWorld) -> StepResult {
    if world.journey()?.arrival.param("code").is_none() {
        let refused: ErrorChoice = "\"invalid_scope\"".parse()?;
        return sent_with_error(world, refused).await;
    }
    let role = world.grant()?.role;
    world.redeem(role, None, None, |_| {}).await?;
    let json = token_response(world)?;
    match json.get("scope").and_then(|s| s.as_str()) {
        Some(s) if !s.trim().is_empty() => Ok(()),
        _ => Err("the request named no scope and the server issued tokens, so it granted a default scope (RFC 6749 §3.3), yet the token response does not state it (§5.1: required when the granted scope differs from the requested)".into()),
    }
}
