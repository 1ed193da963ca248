//! Steps of `transport.feature`: the platform's redirect URIs use TLS unless they are loopback
//! (RFC 6749 §3.1.2.1; RFC 8252 §7.3, §8.3), and it never follows metadata served over TLS to
//! a plain-HTTP token endpoint (RFC 6749 §10.9): see [`downgrade`].

mod downgrade;

use cucumber::then;

use crate::client::world::{GauntletWorld, StepResult};

/// Whether `uri` is `https://`, or `http://` to a loopback address or `localhost`.
fn secure_or_loopback(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    let loopback = url.host_str().is_some_and(oauth_vocab::is_loopback_host);
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}

#[then("every redirect URI of the platform is https or loopback http")]
async fn https_or_loopback(world: &mut GauntletWorld) -> StepResult {
    let flow = world.last_flow(None)?;
    let sent = flow.param("redirect_uri");
    let registered = &world.ctx.client.redirect_uris;
    let mut plain: Vec<String> = registered
        .iter()
        .filter(|u| !secure_or_loopback(u))
        .map(|u| format!("registered {u:?}"))
        .collect();
    if let Some(uri) = sent.filter(|u| !secure_or_loopback(u)) {
        plain.push(format!("sent in the authorization request {uri:?}"));
    }
    if plain.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the platform's redirect URI is neither https:// nor http:// on loopback ({}): the \
         provider sends the authorization code there through the user's browser in the \
         clear, where anyone on the network path can read it and redeem it first. Serve the \
         callback over https:// (RFC 6749 §3.1.2.1); plain http:// is only for a callback \
         on the user's own machine, 127.0.0.1, [::1] or localhost (RFC 8252 §7.3, §8.3)",
        plain.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::secure_or_loopback;

    #[test]
    fn only_https_and_loopback_http_are_secure() {
        for good in [
            "https://platform.gauntlet.test/callback",
            "http://127.0.0.1:8080/callback",
            "http://[::1]:8080/callback",
            "http://localhost:8080/callback",
        ] {
            assert!(secure_or_loopback(good), "{good}");
        }
        for bad in [
            "http://platform.gauntlet.test/callback",
            "http://10.0.0.1/callback",
            "ftp://127.0.0.1/callback",
            "not a url",
        ] {
            assert!(!secure_or_loopback(bad), "{bad}");
        }
    }
}
