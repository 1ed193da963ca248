//! Steps for the other endpoints — metadata, revocation, introspection, the protected
//! resource — and for the browser-security rules of the login and consent pages
//! (`metadata.feature`, `revocation.feature`, `introspection.feature`, `resource.feature`,
//! `browser.feature`).

use cucumber::{then, when};
use mock_provider::{AuthMethod, Random};

use crate::provider::world::{ProviderWorld, Role, StepResult, reply_line};
use crate::report::Party;
use crate::suite::browser::Outgoing;

#[when("the client fetches the metadata")]
async fn fetch_metadata(world: &mut ProviderWorld) -> StepResult {
    let url = world
        .ctx
        .endpoints
        .metadata_url
        .clone()
        .ok_or("the server publishes no metadata")?;
    let reply = world
        .send(Outgoing {
            from: Party::Client,
            to: Party::Provider,
            method: "GET",
            url: &url,
            headers: &[("accept", "application/json")],
            body: None,
        })
        .await?;
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

#[when(
    regex = r"^the (client|other client) revokes (the access token|the refresh token|an unknown token)( without authenticating)?$"
)]
async fn revoke(
    world: &mut ProviderWorld,
    who: String,
    which: String,
    unauthenticated: String,
) -> StepResult {
    let url = world
        .ctx
        .endpoints
        .revocation
        .clone()
        .ok_or("no revocation endpoint")?;
    let (token, hint) = token_named(world, &which)?;
    let auth = (!unauthenticated.is_empty()).then_some(AuthMethod::None);
    let role = if who == "client" {
        Role::Main
    } else {
        Role::Other
    };
    let mut form = vec![("token".to_owned(), token)];
    if let Some(hint) = hint {
        form.push(("token_type_hint".into(), hint.into()));
    }
    world
        .post_form(&url, role, auth, None, form)
        .await
        .map(drop)
}

#[then("the metadata offers neither the implicit nor the password grant")]
async fn no_legacy_grants(world: &mut ProviderWorld) -> StepResult {
    let document = metadata(world)?;
    let listed = |member: &str, value: &str| {
        document
            .get(member)
            .and_then(|v| v.as_array())
            .is_some_and(|a| a.iter().any(|x| x == value))
    };
    let offered: Vec<&str> = [
        ("response_types_supported", "token"),
        ("grant_types_supported", "implicit"),
        ("grant_types_supported", "password"),
    ]
    .into_iter()
    .filter(|(member, value)| listed(member, value))
    .map(|(_, value)| value)
    .collect();
    if offered.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the metadata offers {}: RFC 9700 says the implicit grant SHOULD NOT and the password grant MUST NOT be used",
            offered.join(", ")
        ))
    }
}

/// A token by its name in a step, with its type hint.
fn token_named(
    world: &ProviderWorld,
    which: &str,
) -> Result<(String, Option<&'static str>), String> {
    Ok(match which {
        "the access token" => (world.latest_tokens()?.access.clone(), Some("access_token")),
        "the refresh token" => (
            world
                .latest_tokens()?
                .refresh
                .clone()
                .ok_or("the server issued no refresh token")?,
            Some("refresh_token"),
        ),
        "a malformed token" => ("not a token \u{1} at all".into(), None),
        _ => (Random::Os.token("gauntlet-unknown-"), None),
    })
}

#[when(
    regex = r"^the client introspects (the access token|an unknown token|a malformed token)( without authenticating)?$"
)]
async fn introspect(
    world: &mut ProviderWorld,
    which: String,
    unauthenticated: String,
) -> StepResult {
    let url = world
        .ctx
        .endpoints
        .introspection
        .clone()
        .ok_or("no introspection endpoint")?;
    let (token, _) = token_named(world, &which)?;
    let auth = (!unauthenticated.is_empty()).then_some(AuthMethod::None);
    world
        .post_form(&url, Role::Main, auth, None, vec![("token".into(), token)])
        .await
        .map(drop)
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

#[then(regex = r#"^the answer is an "(\w+)" error$"#)]
async fn error(world: &mut ProviderWorld, expected: String) -> StepResult {
    let reply = world.last()?;
    let error = reply
        .json()
        .and_then(|j| j.get("error").and_then(|e| e.as_str()).map(str::to_owned));
    match error {
        Some(e) if e == expected && (400..500).contains(&reply.status) => Ok(()),
        _ => Err(format!(
            "expected a {expected} error, the server answered {}",
            reply_line(reply)
        )),
    }
}

#[then("the introspection says active")]
async fn active(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    match reply.json().and_then(|j| j.get("active").cloned()) {
        Some(serde_json::Value::Bool(true)) => Ok(()),
        _ => Err(format!(
            "a fresh access token is not active: {}",
            reply_line(reply)
        )),
    }
}

#[then("the introspection gives scope, client_id and exp")]
async fn described(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    let json = reply
        .json()
        .ok_or_else(|| format!("not JSON: {}", reply_line(reply)))?;
    let missing: Vec<&str> = ["scope", "client_id", "exp"]
        .into_iter()
        .filter(|m| json.get(m).is_none())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the introspection of an active token lacks {}",
            missing.join(", ")
        ))
    }
}

#[then(regex = r#"^the introspection is exactly \{"active": false\}$"#)]
async fn inactive(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    if reply.status != 200 {
        return Err(format!(
            "introspection answered {}; RFC 7662 §2.2 answers 200",
            reply_line(reply)
        ));
    }
    match reply.json() {
        Some(json) if json == serde_json::json!({"active": false}) => Ok(()),
        Some(json) if json.get("active") == Some(&serde_json::Value::Bool(false)) => Err(format!(
            "an inactive token's introspection says more than active false: {}",
            reply_line(reply)
        )
        .replace(&json.to_string(), "…")),
        _ => Err(format!(
            "the token is not reported inactive: {}",
            reply_line(reply)
        )),
    }
}

#[when(
    regex = r"^the client requests the resource (with the access token|without a token|with an invalid token|with the access token in the header and the query)$"
)]
async fn resource(world: &mut ProviderWorld, how: String) -> StepResult {
    let mut url = world
        .ctx
        .endpoints
        .resource
        .clone()
        .ok_or("no resource_url")?;
    let token = match how.as_str() {
        "without a token" => None,
        "with an invalid token" => Some(Random::Os.token("gauntlet-invalid-")),
        _ => Some(world.latest_tokens()?.access.clone()),
    };
    if let (Some(token), true) = (&token, how.ends_with("the query")) {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("access_token=");
        url.push_str(&mock_provider::form_encode(token));
    }
    let authorization = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = authorization
        .iter()
        .map(|a| ("authorization", a.as_str()))
        .collect();
    let reply = world
        .send(Outgoing {
            from: Party::Client,
            to: Party::Provider,
            method: "GET",
            url: &url,
            headers: &headers,
            body: None,
        })
        .await?;
    world.last = Some(reply);
    Ok(())
}

#[then("the answer is 401 with a Bearer challenge")]
async fn bearer_challenge(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    if reply.status != 401 {
        return Err(format!(
            "expected 401, the resource answered {}",
            reply_line(reply)
        ));
    }
    match reply.header("www-authenticate") {
        Some(c) if c.to_ascii_lowercase().starts_with("bearer") => Ok(()),
        Some(c) => Err(format!("WWW-Authenticate is {c:?}, not a Bearer challenge")),
        None => Err("the 401 has no WWW-Authenticate header".into()),
    }
}

#[then(regex = r#"^the Bearer challenge has (no error code|error "(\w+)")$"#)]
async fn challenge_error(world: &mut ProviderWorld, how: String, code: String) -> StepResult {
    let reply = world.last()?;
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    let error = regex::Regex::new(r#"error="([^"]*)""#)
        .expect("a valid pattern")
        .captures(challenge)
        .map(|c| c[1].to_owned());
    match (how.as_str(), error) {
        ("no error code", None) => Ok(()),
        ("no error code", Some(e)) => Err(format!(
            "the challenge to a request without credentials carries error={e:?} (RFC 6750 §3.1: it should not)"
        )),
        (_, Some(e)) if e == code => Ok(()),
        (_, Some(e)) => Err(format!("the challenge says error={e:?}, not {code:?}")),
        (_, None) => Err(format!(
            "the answer ({}) has no error in WWW-Authenticate ({challenge:?})",
            reply.status
        )),
    }
}

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
            crate::suite::browser::short(&mock_provider::redact_uri(&hop.reply.url))
        )),
        None => Ok(()),
    }
}
