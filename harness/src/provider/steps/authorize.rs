//! Steps that build and send authorization requests, and judge where the browser ended up
//! (`authorize.feature`, `redirect.feature`, the authorization half of `pkce.feature`).

use cucumber::{given, then, when};
use mock_provider::{Random, s256_challenge};
use url::Url;

use crate::provider::driver::{Arrival, Press};
use crate::provider::world::{ProviderWorld, Role, StepResult};

#[given("an authorization request")]
async fn request(world: &mut ProviderWorld) -> StepResult {
    world.new_request(Role::Main).map(drop)
}

#[given("an authorization request of the public client")]
async fn public_request(world: &mut ProviderWorld) -> StepResult {
    world.new_request(Role::Public).map(drop)
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
        "code_challenge" => s256_challenge(&mock_provider::generate_verifier(&Random::Os)),
        _ => format!("{value}-2"),
    };
    request.params.push((name, second));
    Ok(())
}

#[given("it uses the plain method")]
async fn plain(world: &mut ProviderWorld) -> StepResult {
    let request = world.request_mut()?;
    let verifier = request
        .verifier
        .clone()
        .ok_or("the request has no verifier")?;
    request.set("code_challenge", &verifier);
    request.set("code_challenge_method", "plain");
    Ok(())
}

#[given(regex = r"^its redirect_uri is the registered one with (.+)$")]
async fn bent_redirect(world: &mut ProviderWorld, variant: String) -> StepResult {
    let registered = world.registration(Role::Main)?.redirect_uri.clone();
    let bent = bend_redirect(&registered, &variant)?;
    world.request_mut()?.set("redirect_uri", &bent);
    Ok(())
}

/// The registered URI changed as `variant` says.
fn bend_redirect(registered: &str, variant: &str) -> Result<String, String> {
    let url = Url::parse(registered).map_err(|e| format!("bad redirect URI: {e}"))?;
    let host = url.host_str().unwrap_or_default();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path();
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    let scheme = url.scheme();
    let rebuild = |scheme: &str, authority: &str, path: &str, query: &str| {
        format!("{scheme}://{authority}{path}{query}")
    };
    let authority = format!("{host}{port}");
    let bent = match variant {
        "the trailing slash added or removed" => {
            let toggled = match path.strip_suffix('/') {
                Some(trimmed) if !trimmed.is_empty() => trimmed.to_owned(),
                _ => format!("{path}/"),
            };
            rebuild(scheme, &authority, &toggled, &query)
        }
        "the path in upper case" => rebuild(scheme, &authority, &path.to_ascii_uppercase(), &query),
        "an extra query parameter" => {
            let sep = if query.is_empty() { "?" } else { "&" };
            format!("{registered}{sep}gauntlet=1")
        }
        "another port" => {
            let other = url
                .port_or_known_default()
                .map_or(8443, |p| if p == 8443 { 8444 } else { 8443 });
            rebuild(scheme, &format!("{host}:{other}"), path, &query)
        }
        "another scheme" => {
            let other = if scheme == "https" { "http" } else { "https" };
            rebuild(other, &authority, path, &query)
        }
        "a path suffix" => rebuild(
            scheme,
            &authority,
            &format!("{}/gauntlet", path.trim_end_matches('/')),
            &query,
        ),
        "the last path character cut" => {
            let trimmed = path.trim_end_matches('/');
            let cut = &trimmed[..trimmed.len().saturating_sub(1)];
            rebuild(scheme, &authority, cut, &query)
        }
        "userinfo before the host" => {
            rebuild(scheme, &format!("gauntlet@{authority}"), path, &query)
        }
        "a fragment" => format!("{registered}#gauntlet"),
        other => return Err(format!("unknown redirect URI variant {other:?}")),
    };
    if bent == registered {
        return Err(format!(
            "the variant {variant:?} leaves {registered} unchanged"
        ));
    }
    Ok(bent)
}

#[when("the user approves it")]
async fn approves(world: &mut ProviderWorld) -> StepResult {
    world.authorize(Press::Approve).await
}

#[when("the user denies it")]
async fn denies(world: &mut ProviderWorld) -> StepResult {
    world.authorize(Press::Deny).await
}

#[when("the user approves an authorization request")]
async fn approves_new(world: &mut ProviderWorld) -> StepResult {
    world.new_request(Role::Main)?;
    world.authorize(Press::Approve).await
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
                    mock_provider::redact_uri(location)
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

#[then(regex = r#"^the browser is sent to the redirect URI with error "(\w+)"(?: or "(\w+)")?$"#)]
async fn sent_with_error(world: &mut ProviderWorld, first: String, second: String) -> StepResult {
    let journey = world.journey()?;
    let allowed = allowed(&first, &second);
    let arrival = &journey.arrival;
    if arrival.param("code").is_some() {
        return Err(format!(
            "the server issued a code instead of the error {}",
            allowed.join(" or ")
        ));
    }
    let Arrival::Redirected { location, .. } = arrival else {
        return Err(format!(
            "expected an error redirect with {}: {}",
            allowed.join(" or "),
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
        Some(error) if allowed.contains(&error) => Ok(()),
        Some(error) => Err(format!(
            "the error redirect says {error:?}; RFC 6749 §4.1.2.1 calls for {}",
            allowed.join(" or ")
        )),
        None => Err(format!(
            "the redirect carries no error parameter: {}",
            arrival.describe()
        )),
    }
}

fn allowed<'a>(first: &'a str, second: &'a str) -> Vec<&'a str> {
    [first, second]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect()
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

#[then("the server shows an error page and redirects nowhere")]
async fn error_page(world: &mut ProviderWorld) -> StepResult {
    let journey = world.journey()?;
    match &journey.arrival {
        Arrival::Page { status, .. } if *status >= 400 => Ok(()),
        Arrival::Page { status, .. } => Err(format!(
            "the server answered the invalid request with a {status} page that is not an error; \
             it should refuse with an error page (4xx): {}",
            journey.arrival.describe()
        )),
        Arrival::Redirected { location, .. } => Err(format!(
            "the server redirected the browser to {} although the request's client or redirect URI \
             is not valid: it must show an error page instead",
            mock_provider::redact_uri(location)
        )),
    }
}

#[then(regex = r#"^the request is refused with "(\w+)" and no code$"#)]
async fn refused(world: &mut ProviderWorld, error: String) -> StepResult {
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

#[cfg(test)]
mod tests {
    use super::bend_redirect;

    #[test]
    fn every_variant_differs_from_the_registered_uri() {
        let registered = "https://client.gauntlet.test/callback";
        let cases = [
            (
                "the trailing slash added or removed",
                "https://client.gauntlet.test/callback/",
            ),
            (
                "the path in upper case",
                "https://client.gauntlet.test/CALLBACK",
            ),
            (
                "an extra query parameter",
                "https://client.gauntlet.test/callback?gauntlet=1",
            ),
            ("another port", "https://client.gauntlet.test:8443/callback"),
            ("another scheme", "http://client.gauntlet.test/callback"),
            (
                "a path suffix",
                "https://client.gauntlet.test/callback/gauntlet",
            ),
            (
                "the last path character cut",
                "https://client.gauntlet.test/callbac",
            ),
            (
                "userinfo before the host",
                "https://gauntlet@client.gauntlet.test/callback",
            ),
            (
                "a fragment",
                "https://client.gauntlet.test/callback#gauntlet",
            ),
        ];
        for (variant, expected) in cases {
            assert_eq!(
                bend_redirect(registered, variant).unwrap(),
                expected,
                "{variant}"
            );
        }
        assert_eq!(
            bend_redirect(
                "http://127.0.0.1:8080/cb/?a=b",
                "the trailing slash added or removed"
            )
            .unwrap(),
            "http://127.0.0.1:8080/cb?a=b"
        );
        assert!(bend_redirect(registered, "a new variant").is_err());
        assert_eq!(
            bend_redirect("http://127.0.0.1:8080/cb", "another port").unwrap(),
            "http://127.0.0.1:8443/cb"
        );
    }
}
