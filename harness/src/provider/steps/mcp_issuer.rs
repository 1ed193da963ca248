//! Steps of `mcp/issuer.feature`: the MCP server's authorization server names itself (`iss`,
//! RFC 9207 §2) in its successful and error authorization responses, as MCP 2026-07-28 asks
//! ("Authorization Response Validation").

use cucumber::{given, then};

use super::mcp::{server, token_scope};
use crate::provider::driver::Arrival;
use crate::provider::world::{ProviderWorld, Role, StepResult};

#[given("an authorization request for the MCP server")]
async fn request_for_mcp_server(world: &mut ProviderWorld) -> StepResult {
    let resource = server(world)?.resource().to_owned();
    let scope = token_scope(world)?;
    let request = world.new_request(Role::Main)?;
    if !scope.is_empty() {
        request.set("scope", &scope);
    }
    request.set("resource", &resource);
    Ok(())
}

#[then(regex = r"^the (successful|error) response names the authorization server in iss$")]
async fn names_itself(world: &mut ProviderWorld, kind: String) -> StepResult {
    let issuer = (world.ctx.endpoints.issuer.clone()).ok_or("the issuer identifier is unknown")?;
    let arrival = &world.journey()?.arrival;
    if !matches!(arrival, Arrival::Redirected { .. }) {
        return Err(format!(
            "no authorization response came back to the redirect URI: {}",
            arrival.describe()
        ));
    }
    let is_error = arrival.param("error").is_some();
    if is_error != (kind == "error") {
        return Err(format!(
            "the {kind} response this scenario judges did not come: {}",
            arrival.describe()
        ));
    }
    match arrival.param("iss") {
        Some(iss) if iss == issuer => Ok(()),
        Some(iss) => Err(format!(
            "the {kind} response's iss is {iss:?}, not the issuer {issuer:?}: MCP clients \
             compare it with the issuer they recorded from the metadata by simple string \
             comparison, with no normalisation, and reject the response on any difference (MCP \
             authorization 2026-07-28, \"Authorization Response Validation\"; RFC 9207 §2)"
        )),
        None => Err(format!(
            "the {kind} response carries no iss ({}): MCP authorization servers should name \
             themselves in every authorization response, error responses included (MCP \
             authorization 2026-07-28, \"Authorization Response Validation\"; RFC 9207 §2), so \
             that a client of several can tell which one answered (a mix-up defence); a later \
             revision is expected to make it a MUST. Add iss = the issuer identifier, and set \
             authorization_response_iss_parameter_supported to true in the metadata (RFC 9207 \
             §3)",
            arrival.describe()
        )),
    }
}
