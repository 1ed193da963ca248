//! Steps of `redirect.feature`: the redirect URI must match the registered one exactly, and
//! an invalid client or redirect URI gets an error page, not a redirect (RFC 6749 §3.1.2,
//! §3.1.2.3, §4.1.1, §4.1.2.1; RFC 9700 §2.1).

use cucumber::{given, then};
use url::Url;

use crate::provider::driver::Arrival;
use crate::provider::world::{ProviderWorld, Role, StepResult};

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

#[then("the server shows an error page and redirects nowhere")]
pub(super) async fn error_page(world: &mut ProviderWorld) -> StepResult {
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
            oauth_vocab::redact::redact_uri(location)
        )),
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
