//! Steps of `resource.feature`: presenting the access token at the protected resource and
//! judging its Bearer challenges (RFC 6750 §2, §2.1, §3, §3.1).

use cucumber::{given, then, when};

use super::flow::holding_tokens;
use crate::parameters::OAuthErrorParam;
use crate::provider::world::{ProviderWorld, Role, StepResult, reply_line};

#[given("the client holds tokens for the insufficient scope")]
async fn holds_narrow_tokens(world: &mut ProviderWorld) -> StepResult {
    let scope = world
        .ctx
        .profile
        .server
        .insufficient_scope
        .clone()
        .ok_or("the profile names no insufficient_scope")?;
    holding_tokens(world, Role::Main, |r| r.set("scope", &scope)).await
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
        "with an invalid token" => Some(crate::suite::random::token("gauntlet-invalid-")),
        _ => Some(world.latest_tokens()?.access.expose().to_owned()),
    };
    if let (Some(token), true) = (&token, how.ends_with("the query")) {
        add_query_token(&mut url, token);
    }
    let authorization = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = authorization
        .iter()
        .map(|a| ("authorization", a.as_str()))
        .collect();
    let reply = world.get(&url, &headers).await?;
    world.last = Some(reply);
    Ok(())
}

/// RFC 6750 §3's MUST: a request without a token that enables access is refused with a
/// `WWW-Authenticate` Bearer challenge, whatever the status (§3.1's codes are SHOULDs).
#[then("the resource refuses with a Bearer challenge")]
async fn refused_with_challenge(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    if !(400..500).contains(&reply.status) {
        return Err(format!(
            "the resource did not refuse the request: {}",
            reply_line(reply)
        ));
    }
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    let bearer = challenge
        .split(',')
        .any(|part| part.trim().to_ascii_lowercase().starts_with("bearer"));
    if bearer {
        Ok(())
    } else if challenge.is_empty() {
        Err(format!(
            "the refusal ({}) has no WWW-Authenticate header; RFC 6750 §3: it MUST carry a Bearer challenge",
            reply_line(reply)
        ))
    } else {
        Err(format!(
            "WWW-Authenticate is {challenge:?}, with no Bearer challenge (RFC 6750 §3)"
        ))
    }
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

/// The value of the auth-param `name` in a `WWW-Authenticate` value (RFC 9110 §11.2: a quoted
/// string, escapes undone, or a token), if it has one.
pub(super) fn challenge_param(challenge: &str, name: &str) -> Option<String> {
    let pattern = format!(
        r#"(?i)(?:^|[\s,]){}\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))"#,
        regex::escape(name)
    );
    let captures = regex::Regex::new(&pattern)
        .expect("a valid pattern")
        .captures(challenge)?;
    let quoted = captures.get(1).map(|m| {
        let mut value = String::new();
        let mut chars = m.as_str().chars();
        while let Some(c) = chars.next() {
            value.push(if c == '\\' {
                chars.next().unwrap_or(c)
            } else {
                c
            });
        }
        value
    });
    quoted.or_else(|| captures.get(2).map(|m| m.as_str().to_owned()))
}

/// The `error` attribute of the last answer's Bearer challenge, if any.
fn challenge_error(world: &ProviderWorld) -> Result<(Option<String>, String, u16), String> {
    let reply = world.last()?;
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    let error = challenge_param(challenge, "error");
    Ok((error, challenge.to_owned(), reply.status))
}

#[then("the Bearer challenge has no error code")]
async fn challenge_without_error(world: &mut ProviderWorld) -> StepResult {
    match challenge_error(world)?.0 {
        None => Ok(()),
        Some(e) => Err(format!(
            "the challenge to a request without credentials carries error={e:?} (RFC 6750 §3.1: it should not)"
        )),
    }
}

#[then(expr = "the Bearer challenge has error {error}")]
async fn challenge_with_error(world: &mut ProviderWorld, expected: OAuthErrorParam) -> StepResult {
    let expected = expected.0.as_str();
    match challenge_error(world)? {
        (Some(e), _, _) if e == expected => Ok(()),
        (Some(e), _, _) => Err(format!("the challenge says error={e:?}, not {expected:?}")),
        (None, challenge, status) => Err(format!(
            "the answer ({status}) has no error in WWW-Authenticate ({challenge:?})"
        )),
    }
}

/// Adds `token` to `url` as RFC 6750 §2.3's `access_token` query parameter.
pub(super) fn add_query_token(url: &mut String, token: &str) {
    url.push(if url.contains('?') { '&' } else { '?' });
    url.push_str("access_token=");
    url.push_str(&oauth_vocab::form_encode(token));
}

#[cfg(test)]
mod tests {
    use super::challenge_param;

    #[test]
    fn auth_params_are_read_quoted_or_as_tokens_and_never_from_inside_another() {
        let challenge = r#"Bearer resource_metadata="https://m.test/.well-known/x", scope="a b", error=invalid_token, error_description="say \"no\"""#;
        assert_eq!(
            challenge_param(challenge, "resource_metadata").as_deref(),
            Some("https://m.test/.well-known/x")
        );
        assert_eq!(challenge_param(challenge, "scope").as_deref(), Some("a b"));
        assert_eq!(
            challenge_param(challenge, "error").as_deref(),
            Some("invalid_token")
        );
        assert_eq!(
            challenge_param(challenge, "error_description").as_deref(),
            Some("say \"no\"")
        );
        assert_eq!(challenge_param("Bearer", "scope"), None);
        assert_eq!(challenge_param(r#"Bearer xscope="a""#, "scope"), None);
    }
}
