//! Steps of `scope.feature` ([RFC 6749 §3.3](https://www.rfc-editor.org/rfc/rfc6749#section-3.3)).

use cucumber::{given, then};
use mock_provider::{Decision, FaultKind, FaultTarget};

use crate::client::world::{Arrangement, GauntletWorld, StepResult};

#[then("the authorization request asks for exactly the configured scopes")]
async fn exact_scopes(world: &mut GauntletWorld) -> StepResult {
    let flow = world.last_flow(None)?;
    let requested = flow.param("scope").unwrap_or_default();
    configured_scopes(world, &requested).map_err(|(requested, configured)| {
        format!(
            "the platform asked for the scopes {requested:?}; it is configured for {configured:?}"
        )
    })
}

/// Whether the space-delimited `scope` is exactly the profile's scopes, in any order; if not,
/// both sorted.
pub(super) fn configured_scopes(
    world: &GauntletWorld,
    scope: &str,
) -> Result<(), (Vec<String>, Vec<String>)> {
    let mut given: Vec<String> = scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let mut configured = world.ctx.profile.client.scopes.clone();
    given.sort_unstable();
    configured.sort_unstable();
    if given == configured {
        Ok(())
    } else {
        Err((given, configured))
    }
}

#[then("the scope parameter is space-delimited")]
async fn space_delimited(world: &mut GauntletWorld) -> StepResult {
    let flow = world.last_flow(None)?;
    let raw = flow.authorize_url.query().unwrap_or("");
    let raw_scope = raw
        .split('&')
        .find_map(|p| p.strip_prefix("scope="))
        .ok_or("the authorization request has no scope")?;
    let decoded = flow.param("scope").unwrap_or_default();
    if decoded.contains([',', ';', '+'])
        || decoded.contains("  ")
        || decoded.starts_with(' ')
        || decoded.ends_with(' ')
    {
        return Err(format!(
            "the scope {decoded:?} (sent as {raw_scope:?}) is not single-space-delimited"
        ));
    }
    if raw_scope.contains(' ') {
        return Err(format!(
            "the scope is sent with a raw space ({raw_scope:?}); it must be %20 or +"
        ));
    }
    Ok(())
}

#[given(expr = "the provider will grant only the scope {string}")]
async fn narrower_grant(world: &mut GauntletWorld, scope: String) -> StepResult {
    let user = world.ctx.provider.config().default_user.clone();
    world
        .arrangements
        .push(Arrangement::Decision(Decision::Approve {
            user,
            scopes: Some(vec![scope]),
        }));
    Ok(())
}

#[given("the token endpoint will answer without a scope")]
async fn no_scope(world: &mut GauntletWorld) -> StepResult {
    world
        .arrangements
        .push(Arrangement::Fault(FaultTarget::Token, FaultKind::OmitScope));
    Ok(())
}
