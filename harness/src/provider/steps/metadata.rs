//! Steps of `metadata.feature`: the authorization server metadata and what it promises
//! (RFC 8414 §2, §3.3; RFC 9207 §3; RFC 7636 §4.2; RFC 9700 §2.1.1, §2.1.2).

use cucumber::{then, when};

use crate::provider::driver::{Arrival, Press};
use crate::provider::world::{ProviderWorld, Role, StepResult, reply_line};

#[when("the client fetches the metadata")]
async fn fetch_metadata(world: &mut ProviderWorld) -> StepResult {
    let url = world
        .ctx
        .endpoints
        .metadata_url
        .clone()
        .ok_or("the server publishes no metadata")?;
    let reply = world.get(&url, &[("accept", "application/json")]).await?;
    if reply.status != 200 || reply.json().is_none() {
        return Err(format!(
            "the metadata document answered {}",
            reply_line(&reply)
        ));
    }
    world.metadata = Some(reply);
    Ok(())
}

fn metadata(world: &ProviderWorld) -> Result<serde_json::Value, String> {
    world
        .metadata
        .as_ref()
        .and_then(|m| m.json())
        .ok_or_else(|| "the metadata was not fetched".to_owned())
}

/// The issuer the metadata must name: the profile's, else the one its well-known URL was
/// formed from (RFC 8414 §3.3).
fn expected_issuer(world: &ProviderWorld) -> Option<String> {
    if let Some(issuer) = &world.ctx.profile.server.issuer {
        return Some(issuer.clone());
    }
    let url = url::Url::parse(world.ctx.endpoints.metadata_url.as_deref()?).ok()?;
    let origin = url.origin().ascii_serialization();
    let path = url.path();
    for suffix in ["/.well-known/openid-configuration"] {
        if let Some(prefix) = path.strip_suffix(suffix) {
            return Some(format!("{origin}{prefix}"));
        }
    }
    path.strip_prefix("/.well-known/oauth-authorization-server")
        .map(|rest| format!("{origin}{rest}"))
}

#[then("the metadata's issuer is the issuer identifier")]
async fn issuer(world: &mut ProviderWorld) -> StepResult {
    let document = metadata(world)?;
    let expected =
        expected_issuer(world).ok_or("the issuer identifier is unknown: give server.issuer")?;
    match document.get("issuer").and_then(|v| v.as_str()) {
        Some(issuer) if issuer == expected => Ok(()),
        Some(issuer) => Err(format!(
            "the metadata's issuer {issuer:?} is not identical to the issuer identifier {expected:?}"
        )),
        None => Err("the metadata has no issuer".into()),
    }
}

#[then(
    regex = r#"^the metadata names the authorization and token endpoints and response type "(\w+)"$"#
)]
async fn names_endpoints(world: &mut ProviderWorld, response_type: String) -> StepResult {
    let document = metadata(world)?;
    for member in ["authorization_endpoint", "token_endpoint"] {
        let value = document
            .get(member)
            .and_then(|v| v.as_str())
            .ok_or(format!("the metadata has no {member}"))?;
        url::Url::parse(value).map_err(|e| format!("{member} {value:?} is not a URL: {e}"))?;
    }
    let types = document
        .get("response_types_supported")
        .and_then(|v| v.as_array())
        .ok_or("the metadata has no response_types_supported")?;
    if types.iter().any(|t| t == response_type.as_str()) {
        Ok(())
    } else {
        Err(format!(
            "response_types_supported {types:?} lacks {response_type:?}"
        ))
    }
}

#[then("the metadata's endpoints are the ones in use")]
async fn consistent(world: &mut ProviderWorld) -> StepResult {
    let document = metadata(world)?;
    let e = &world.ctx.endpoints;
    let pairs = [
        ("authorization_endpoint", Some(&e.authorization)),
        ("token_endpoint", Some(&e.token)),
        ("revocation_endpoint", e.revocation.as_ref()),
        ("introspection_endpoint", e.introspection.as_ref()),
    ];
    for (member, used) in pairs {
        if let (Some(advertised), Some(used)) =
            (document.get(member).and_then(|v| v.as_str()), used)
            && advertised != used
        {
            return Err(format!(
                "the metadata's {member} is {advertised:?}, but the server answers at {used:?}"
            ));
        }
    }
    Ok(())
}

#[then(regex = r#"^code_challenge_methods_supported (includes|does not include) "(\w+)"$"#)]
async fn challenge_methods(world: &mut ProviderWorld, how: String, method: String) -> StepResult {
    let document = metadata(world)?;
    let methods = document
        .get("code_challenge_methods_supported")
        .and_then(|v| v.as_array());
    let listed = methods.is_some_and(|m| m.iter().any(|x| x == method.as_str()));
    match (how.as_str(), listed) {
        ("includes", true) | ("does not include", false) => Ok(()),
        ("includes", false) => Err(match methods {
            Some(m) => format!("code_challenge_methods_supported {m:?} lacks {method:?}"),
            None => "the metadata has no code_challenge_methods_supported, so clients cannot tell that PKCE is supported".into(),
        }),
        _ => Err(format!("code_challenge_methods_supported lists {method:?}")),
    }
}

/// The implicit grant is judged by what it does — an access token from the authorization
/// endpoint, i.e. a response type with `token` among its words — not by `implicit` in
/// `grant_types_supported`, which OpenID Connect servers list for their `id_token` response
/// types that issue no access token.
#[then("the metadata offers neither the implicit nor the password grant")]
async fn no_legacy_grants(world: &mut ProviderWorld) -> StepResult {
    let document = metadata(world)?;
    let listed = |member: &str| -> Vec<&str> {
        document
            .get(member)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default()
    };
    let mut offered: Vec<String> = listed("response_types_supported")
        .into_iter()
        .filter(|t| t.split(' ').any(|word| word == "token"))
        .map(|t| format!("response type {t:?} (an access token in the authorization response: the implicit grant, which RFC 9700 §2.1.2 says SHOULD NOT be used)"))
        .collect();
    if listed("grant_types_supported").contains(&"password") {
        offered.push("the password grant (RFC 9700 §2.4: it MUST NOT be used)".to_owned());
    }
    if offered.is_empty() {
        Ok(())
    } else {
        Err(format!("the metadata offers {}", offered.join(" and ")))
    }
}

#[when("the user approves an authorization request")]
async fn approves_new(world: &mut ProviderWorld) -> StepResult {
    world.new_request(Role::Main)?;
    world.authorize(Press::Approve).await
}

#[then("iss is in the response exactly when the metadata advertises it")]
async fn iss_matches_metadata(world: &mut ProviderWorld) -> StepResult {
    let advertised = world
        .metadata
        .as_ref()
        .and_then(|m| m.json())
        .and_then(|m| {
            m.get("authorization_response_iss_parameter_supported")
                .and_then(serde_json::Value::as_bool)
        })
        .unwrap_or(false);
    let arrival = &world.journey()?.arrival;
    if !matches!(arrival, Arrival::Redirected { .. }) {
        return Err(format!("no authorization response: {}", arrival.describe()));
    }
    match (advertised, arrival.param("iss").is_some()) {
        (true, false) => Err("the metadata advertises iss but the response has none".into()),
        (false, true) => Err(
            "the response carries iss but the metadata does not set authorization_response_iss_parameter_supported"
                .into(),
        ),
        _ => Ok(()),
    }
}
