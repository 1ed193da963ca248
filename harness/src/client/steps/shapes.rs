//! Steps of the shape features (`csml.feature`, `converse.feature`, `kore.feature`,
//! `botpress.feature`, `ocs.feature`): the profile's named requests, chat events, and where
//! the platform's requests went.

use cucumber::{given, then, when};
use oauth_vocab::Secret;
use serde_json::Value;

use crate::client::world::{GauntletWorld, StepResult};
use crate::suite::browser::short;

fn answer(world: &GauntletWorld) -> Result<&crate::suite::browser::Reply, String> {
    world
        .last_answer
        .as_ref()
        .ok_or_else(|| "the platform has not answered a request yet".to_owned())
}

fn answer_json(world: &GauntletWorld) -> Result<Value, String> {
    let reply = answer(world)?;
    serde_json::from_str(&reply.body)
        .map_err(|_| format!("the platform's answer is not JSON: {}", short(&reply.body)))
}

#[when(regex = r#"^(\w+) sends the "(\w+)" request$"#)]
async fn named_request(world: &mut GauntletWorld, user: String, name: String) -> StepResult {
    let request = world
        .ctx
        .profile
        .requests
        .get(&name)
        .cloned()
        .ok_or_else(|| format!("the platform profile has no [requests.{name}]"))?;
    let reply = world.send_request(&user, &request).await?;
    world.last_answer = Some(reply);
    Ok(())
}

#[when(regex = r"^(\w+) sends the next chat turn$")]
async fn next_turn(world: &mut GauntletWorld, user: String) -> StepResult {
    named_request(world, user, "next_turn".into()).await
}

#[when(regex = r"^(\w+) delivers the callback without the next step$")]
async fn callback_only(world: &mut GauntletWorld, user: String) -> StepResult {
    let callback = world
        .last_flow(Some(&user))?
        .callback_url
        .clone()
        .ok_or("the provider sent no callback yet")?;
    let reply = world.user(&user).browser.get_on_platform(&callback).await?;
    // The chat user confirms the link, if the platform asks for that, but goes no further.
    world.confirm_link(&user, &reply).await?;
    world.last_answer = Some(reply.clone());
    Ok(())
}

#[then(regex = r#"^the answer says "(.*)"$"#)]
async fn answer_says(world: &mut GauntletWorld, text: String) -> StepResult {
    let text = text.replace("\\\"", "\"");
    let reply = answer(world)?;
    if reply.body.contains(&text) {
        Ok(())
    } else {
        Err(format!(
            "the platform's answer ({}) does not say {text}: {}",
            reply.status,
            short(&reply.body)
        ))
    }
}

#[then("the chat answer is an OAuthRequest with the configured scope and a button text")]
async fn oauth_request(world: &mut GauntletWorld) -> StepResult {
    let json = answer_json(world)?;
    let request = json["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["type"] == "OAuthRequest"))
        .ok_or("the chat answer has no OAuthRequest message")?;
    let content = &request["content"];
    if content["text"].as_str().is_none_or(str::is_empty) {
        return Err("the OAuthRequest has no button text".into());
    }
    super::scope::configured_scopes(world, content["scope"].as_str().unwrap_or("")).map_err(
        |(given, configured)| {
            format!("the OAuthRequest's scope is {given:?}, not the configured {configured:?}")
        },
    )
}

#[then(regex = r#"^the chat event is "(\w+)"(?: with cause "(\w+)")?$"#)]
async fn chat_event(world: &mut GauntletWorld, kind: String, cause: String) -> StepResult {
    let json = answer_json(world)?;
    let event = &json["event"];
    if event["type"] != kind.as_str() {
        return Err(format!("the chat turn's event is {event}, not {kind:?}"));
    }
    if !cause.is_empty() && event["cause"] != cause.as_str() {
        return Err(format!(
            "the event's cause is {}, not {cause:?}",
            event["cause"]
        ));
    }
    Ok(())
}

#[then("the chat turn shows no token")]
async fn no_token_in_chat(world: &mut GauntletWorld) -> StepResult {
    let body = answer(world)?.body.clone();
    let tokens: Vec<String> = world
        .journal()
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(&e.response.body).ok())
        .flat_map(|v| {
            ["access_token", "refresh_token"]
                .into_iter()
                .filter_map(move |n| v[n].as_str().map(str::to_owned))
        })
        .collect();
    if tokens.is_empty() {
        return Err("no token was issued in this scenario".into());
    }
    match tokens.iter().find(|t| body.contains(t.as_str())) {
        Some(_) => Err("the chat turn shows a token the provider issued".into()),
        None => Ok(()),
    }
}

#[given(regex = r"^(\w+)'s channel hands the platform an access token$")]
async fn channel_token(world: &mut GauntletWorld, user: String) -> StepResult {
    let client = world.ctx.client.clone();
    let token_endpoint = world.ctx.vars.fill("{token_endpoint}");
    let mut request = world
        .ctx
        .http
        .post(&token_endpoint)
        .header("content-type", "application/x-www-form-urlencoded");
    let mut body = String::from("grant_type=client_credentials");
    let secret = client.client_secret.clone().unwrap_or_default();
    match client.auth_method {
        mock_provider::AuthMethod::ClientSecretBasic => {
            request = request.header(
                "authorization",
                oauth_vocab::basic::encode(&client.client_id, &secret),
            );
        }
        _ => {
            body.push_str(&format!(
                "&client_id={}&client_secret={}",
                oauth_vocab::form_encode(&client.client_id),
                oauth_vocab::form_encode(&secret)
            ));
        }
    }
    let response = request.body(body).send().await.map_err(|e| e.to_string())?;
    let body = crate::suite::body::read(response, world.ctx.max_body_bytes)
        .await
        .map_err(|e| e.to_string())?;
    let json: Value = serde_json::from_str(&body.text)
        .map_err(|e| format!("the mock's token answer is not JSON: {e}"))?;
    let token = json["access_token"]
        .as_str()
        .ok_or_else(|| format!("the mock issued no channel token: {json}"))?
        .to_owned();
    let mut hand_over = world
        .ctx
        .profile
        .requests
        .get("channel_token")
        .cloned()
        .ok_or("the platform profile has no [requests.channel_token]")?;
    hand_over.body = hand_over.body.map(|b| b.replace("{token}", &token));
    let reply = world.send_request(&user, &hand_over).await?;
    if reply.status >= 400 {
        return Err(format!(
            "the platform refused the handed-over token: {}",
            short(&reply.body)
        ));
    }
    world.handed_token = Some(Secret::new(token));
    world.last_answer = Some(reply);
    Ok(())
}

#[then("the platform called the resource API with the handed-over token")]
async fn used_handed_token(world: &mut GauntletWorld) -> StepResult {
    let token = world
        .handed_token
        .as_ref()
        .ok_or("no token was handed over")?;
    let bearer = format!("Bearer {}", token.expose());
    let used = world
        .ctx
        .provider
        .journal()
        .iter()
        .any(|e| e.header("authorization") == Some(bearer.as_str()));
    if used {
        Ok(())
    } else {
        Err("the platform never used the handed-over token at the resource API".into())
    }
}

#[then(regex = r#"^the authorization request goes to the path "(\S+)"$"#)]
async fn authorization_path(world: &mut GauntletWorld, path: String) -> StepResult {
    let flow = world.last_flow(None)?;
    if flow.authorize_url.path().ends_with(&path) {
        Ok(())
    } else {
        Err(format!(
            "the authorization request went to {}, not {path}",
            flow.authorize_url.path()
        ))
    }
}

#[then(regex = r#"^the authorization request goes to the tenant "(\S+)"$"#)]
async fn authorization_tenant(world: &mut GauntletWorld, tenant: String) -> StepResult {
    let path = world.last_flow(None)?.authorize_url.path().to_owned();
    let endpoint = world.ctx.vars.fill("{authorization_endpoint}");
    let expected = url::Url::parse(&endpoint).map_err(|e| e.to_string())?;
    if path == expected.path() && path.starts_with(&format!("/t/{tenant}/")) {
        Ok(())
    } else {
        Err(format!(
            "the authorization request went to {path}, not to tenant {tenant}'s endpoint {}",
            expected.path()
        ))
    }
}

#[then(regex = r#"^the authorization request carries "(\w+)" = "(\S+)"$"#)]
async fn authorization_param(world: &mut GauntletWorld, name: String, value: String) -> StepResult {
    match world.last_flow(None)?.param(&name) {
        Some(v) if v == value => Ok(()),
        Some(v) => Err(format!(
            "the authorization request's {name} is {v:?}, not {value:?}"
        )),
        None => Err(format!("the authorization request has no {name}")),
    }
}

#[then(regex = r#"^the token request went to the path "(\S+)"$"#)]
async fn token_path(world: &mut GauntletWorld, path: String) -> StepResult {
    let requests = world.token_requests();
    let request = requests
        .first()
        .ok_or("the platform made no token request")?;
    if request.path.ends_with(&path) {
        Ok(())
    } else {
        Err(format!(
            "the token request went to {}, not {path}",
            request.path
        ))
    }
}

#[then(regex = r#"^the redirect_uri ends with "(\S+)"$"#)]
async fn redirect_suffix(world: &mut GauntletWorld, suffix: String) -> StepResult {
    let uri = world
        .last_flow(None)?
        .param("redirect_uri")
        .ok_or("the authorization request has no redirect_uri")?;
    if uri.ends_with(&suffix) {
        Ok(())
    } else {
        Err(format!("the redirect_uri {uri} does not end with {suffix}"))
    }
}
