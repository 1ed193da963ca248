//! Steps of `transport.feature`: every URL of the metadata is `https://` (RFC 8414 §2; RFC 6749
//! §3.1, §3.2), and dynamic registration refuses a plain-HTTP redirect URI for a host that is
//! not loopback (RFC 6749 §3.1.2.1; RFC 8252 §7.3, §8.3; RFC 7591 §3.2.2).

use cucumber::{given, then, when};

use crate::provider::world::{ProviderWorld, StepResult, reply_line};
use crate::suite::browser::Reply;

/// The metadata members that are URLs a client calls or sends users to (RFC 8414 §2, RFC 7662,
/// RFC 7009, RFC 7591, OpenID Connect Discovery).
const URL_MEMBERS: &[&str] = &[
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "registration_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
    "userinfo_endpoint",
    "end_session_endpoint",
    "device_authorization_endpoint",
    "pushed_authorization_request_endpoint",
];

/// The URL members of `document` that are not `https://`, each as `member "value"`.
fn plain_urls(document: &serde_json::Value) -> Vec<String> {
    URL_MEMBERS
        .iter()
        .filter_map(|member| {
            let value = document.get(*member)?.as_str()?;
            (!value.to_ascii_lowercase().starts_with("https://"))
                .then(|| format!("{member} {value:?}"))
        })
        .collect()
}

#[then("the metadata's issuer and every endpoint it names use https")]
async fn all_https(world: &mut ProviderWorld) -> StepResult {
    let document = world
        .metadata
        .as_ref()
        .and_then(Reply::json)
        .ok_or("the metadata was not fetched")?;
    let plain = plain_urls(&document);
    if plain.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the metadata, served over TLS, names URLs that are not https://: {}. A client that \
         follows them sends codes, credentials or tokens without TLS, where anyone on the path \
         reads them (RFC 6749 §3.1, §3.2 require TLS at these endpoints; RFC 8414 §2 requires \
         an https issuer): publish the https:// URL of every endpoint (behind a TLS-terminating \
         proxy, the server's configured public base URL is probably http://)",
        plain.join(", ")
    ))
}

/// POSTs client metadata with one redirect URI to the registration endpoint.
async fn register(world: &mut ProviderWorld, redirect_uri: &str) -> Result<Reply, String> {
    let metadata = serde_json::json!({
        "redirect_uris": [redirect_uri],
        "client_name": "Gauntlet transport check",
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
    });
    super::registration::register(world, &metadata).await
}

#[given(regex = r#"^the server registers a client with the redirect URI "(\S+)"$"#)]
async fn registers(world: &mut ProviderWorld, redirect_uri: String) -> StepResult {
    let reply = register(world, &redirect_uri).await?;
    if reply.status == 201 || reply.status == 200 {
        return Ok(());
    }
    Err(format!(
        "the server refused to register a client with the redirect URI {redirect_uri:?} too \
         (answer: {}), so its refusal of an http:// one would say nothing about the scheme: \
         the rule could not be judged (a server that requires an initial access token, RFC \
         7591 §3, needs one Gauntlet does not have)",
        reply_line(&reply)
    ))
}

#[when(regex = r#"^the client registers the redirect URI "(\S+)"$"#)]
async fn registers_other(world: &mut ProviderWorld, redirect_uri: String) -> StepResult {
    register(world, &redirect_uri).await.map(drop)
}

#[then("the registration is refused with invalid_redirect_uri or invalid_client_metadata")]
async fn refused(world: &mut ProviderWorld) -> StepResult {
    judge_refusal(world.last()?)
}

/// Passes a 400 with `invalid_redirect_uri` or `invalid_client_metadata` (RFC 7591 §3.2.2).
fn judge_refusal(reply: &Reply) -> StepResult {
    let error = reply
        .json()
        .and_then(|j| j.get("error")?.as_str().map(str::to_owned));
    match (reply.status, error.as_deref()) {
        (400, Some("invalid_redirect_uri" | "invalid_client_metadata")) => Ok(()),
        (200 | 201, _) => Err(format!(
            "the server registered a client whose redirect URI is plain http:// on a host \
             that is not loopback (answer: {}): codes for that client travel to it without \
             TLS, readable and changeable on the way. Refuse http:// redirect URIs except for \
             loopback (127.0.0.1, [::1], localhost) with 400 invalid_redirect_uri (RFC 6749 \
             §3.1.2.1: the redirection endpoint SHOULD require TLS; RFC 8252 §7.3, §8.3 allow \
             plain HTTP only on loopback; RFC 7591 §3.2.2)",
            reply_line(reply)
        )),
        _ => Err(format!(
            "the registration was refused, but not as RFC 7591 §3.2.2 says: 400 with error \
             invalid_redirect_uri (or invalid_client_metadata); the answer was {}",
            reply_line(reply)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            url: "https://as.gauntlet.test/register".into(),
            status,
            location: None,
            body: body.into(),
            content_type: "application/json".into(),
            headers: Vec::new(),
            cut_at: None,
        }
    }

    #[test]
    fn a_plain_endpoint_or_issuer_in_the_metadata_is_named() {
        let good = json!({
            "issuer": "https://as.gauntlet.test",
            "authorization_endpoint": "https://as.gauntlet.test/authorize",
            "token_endpoint": "HTTPS://as.gauntlet.test/token",
            "scopes_supported": ["read"],
        });
        assert!(plain_urls(&good).is_empty());
        let mut bad = good.clone();
        bad["token_endpoint"] = json!("http://as.gauntlet.test/token");
        bad["issuer"] = json!("http://as.gauntlet.test");
        assert_eq!(
            plain_urls(&bad),
            [
                "issuer \"http://as.gauntlet.test\"",
                "token_endpoint \"http://as.gauntlet.test/token\""
            ]
        );
    }

    #[test]
    fn only_a_400_naming_the_metadata_passes_as_a_refusal() {
        assert!(judge_refusal(&reply(400, r#"{"error":"invalid_redirect_uri"}"#)).is_ok());
        assert!(judge_refusal(&reply(400, r#"{"error":"invalid_client_metadata"}"#)).is_ok());
        let accepted = judge_refusal(&reply(201, r#"{"client_id":"x"}"#)).unwrap_err();
        assert!(accepted.contains("RFC 8252 §7.3"), "{accepted}");
        let other = judge_refusal(&reply(401, "")).unwrap_err();
        assert!(other.contains("not as RFC 7591 §3.2.2 says"), "{other}");
    }
}
