//! Steps of `mcp/registration.feature`: dynamic client registration (RFC 7591) of an MCP client
//! at the MCP server's authorization server, as MCP 2026-07-28 has clients register: a native
//! application (`application_type`) with a loopback redirect URI, public, PKCE.

use cucumber::{then, when};

use crate::provider::world::{ProviderWorld, StepResult, reply_line};

/// The loopback redirect URI the MCP client registers (never listened on; a native client
/// picks its port at request time, RFC 8252 §7.3).
const LOOPBACK_REDIRECT: &str = "http://127.0.0.1/callback";

#[when("an MCP client registers with the authorization server as a native application")]
async fn registers_native(world: &mut ProviderWorld) -> StepResult {
    let metadata = serde_json::json!({
        "client_name": "Gauntlet MCP client",
        "redirect_uris": [LOOPBACK_REDIRECT],
        "application_type": "native",
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
    });
    super::registration::register(world, &metadata).await?;
    Ok(())
}

#[then("the registration answers 201 with the client_id it issued")]
async fn registered(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    let client_id = reply
        .json()
        .and_then(|j| j.get("client_id")?.as_str().map(str::to_owned))
        .filter(|id| !id.is_empty());
    match (reply.status, client_id) {
        (201, Some(_)) => Ok(()),
        (201, None) => Err(format!(
            "the registration answered 201 without a client_id string ({}): the client \
             information response must carry the client_id issued (RFC 7591 §3.2.1)",
            reply_line(reply)
        )),
        (400, _) => Err(format!(
            "the authorization server refused to register an MCP client that describes itself \
             as MCP asks — a native application (application_type \"native\", MCP 2026-07-28) \
             with the loopback redirect URI {LOOPBACK_REDIRECT}, public (none), \
             authorization_code: {}. MCP clients without a client at this server cannot connect; \
             accept loopback redirect URIs for native clients (RFC 8252 §7.3) and ignore metadata \
             members you do not know (RFC 7591 §2)",
            reply_line(reply)
        )),
        _ => Err(format!(
            "the registration answered {}, not 201 Created with the client information (RFC \
             7591 §3.2.1)",
            reply_line(reply)
        )),
    }
}
