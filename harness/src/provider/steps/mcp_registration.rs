//! Steps of `mcp/registration.feature`: dynamic client registration (RFC 7591) of an MCP client
//! at the MCP server's authorization server, as MCP 2026-07-28 has clients register: a native
//! application (`application_type`) with a loopback redirect URI, public, PKCE; and the client
//! identified by a Client ID Metadata Document ([`crate::provider::client_document`]).

use cucumber::{given, then, when};

use crate::provider::driver::Arrival;
use crate::provider::world::{ProviderWorld, Role, StepResult, reply_line};

use crate::provider::client_document::{LOOPBACK_REDIRECT, native_client_metadata};

#[when("an MCP client registers with the authorization server as a native application")]
async fn registers_native(world: &mut ProviderWorld) -> StepResult {
    super::registration::register(world, &native_client_metadata()).await?;
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
        (400, _) => {
            // The server's own error says which part it refused (RFC 7591 §3.2.2).
            let refused = match reply
                .json()
                .and_then(|j| j.get("error")?.as_str().map(str::to_owned))
            {
                Some(e) if e == "invalid_redirect_uri" => format!(
                    "the loopback redirect URI {LOOPBACK_REDIRECT}: accept loopback redirect \
                     URIs for native clients, with any port (RFC 8252 §7.3)"
                ),
                Some(e) if e == "invalid_client_metadata" => "a metadata value: check \
                    application_type \"native\" (ignore members you do not know, RFC 7591 §2), \
                    token_endpoint_auth_method \"none\" (a public client with PKCE) and the \
                    refresh_token grant"
                    .to_owned(),
                Some(e) => format!("the request, with {e}"),
                None => "the request, without an RFC 7591 error".to_owned(),
            };
            Err(format!(
                "the authorization server refused to register an MCP client that describes \
                 itself as MCP asks — a native application (application_type \"native\", MCP \
                 2026-07-28) with the loopback redirect URI {LOOPBACK_REDIRECT}, public \
                 (none), authorization_code and refresh_token: {}. It refused {refused}. MCP \
                 clients without a client at this server cannot connect",
                reply_line(reply)
            ))
        }
        _ => Err(format!(
            "the registration answered {}, not 201 Created with the client information (RFC \
             7591 §3.2.1)",
            reply_line(reply)
        )),
    }
}

/// The client identified by its metadata document (`client_id`: the document's URL).
fn document_client_id(world: &ProviderWorld) -> Result<String, String> {
    Ok(world.registration(Role::Document)?.client_id.clone())
}

#[given("a client identified by its metadata document holds a token issued for the MCP server")]
async fn document_client_token(world: &mut ProviderWorld) -> StepResult {
    let resource = super::mcp::server(world)?.resource().to_owned();
    let client_id = document_client_id(world)?;
    world.mcp.presented = Some(format!("the token of the client identified by {client_id}"));
    super::mcp::token_for(world, Role::Document, &resource)
        .await
        .map_err(|why| {
            format!(
                "the authorization server advertises client_id_metadata_document_supported, yet \
                 the client identified by the metadata document {client_id} got no token for \
                 {resource}: {why}. A server that advertises metadata documents should fetch \
                 the document the client_id names, check that its client_id is that URL and \
                 that the redirect URI is one it lists, and then treat the client as registered \
                 (MCP authorization 2025-11-25 and later, \"Client ID Metadata Documents\"). \
                 If a trust policy keeps this document's host out, name a document on a host \
                 it trusts in [server.mcp] client_metadata_document"
            )
        })
}

#[given("an authorization request from the client identified by its metadata document")]
async fn document_client_request(world: &mut ProviderWorld) -> StepResult {
    let resource = super::mcp::server(world)?.resource().to_owned();
    let scope = super::mcp::token_scope(world)?;
    let request = world.new_request(Role::Document)?;
    if !scope.is_empty() {
        request.set("scope", &scope);
    }
    request.set("resource", &resource);
    Ok(())
}

#[then("the server refuses the unlisted redirect URI with an error page")]
async fn unlisted_redirect_refused(world: &mut ProviderWorld) -> StepResult {
    let generic = super::redirect::error_page(world).await;
    let Arrival::Redirected { location, .. } = &world.journey()?.arrival else {
        return generic;
    };
    let client_id = document_client_id(world)?;
    Err(format!(
        "the server sent the browser to {}, a redirect URI the metadata document {client_id} \
         does not list: whoever names someone else's document as client_id receives its users' \
         codes at an address of their choosing. Compare the request's redirect_uri exactly with \
         the document's redirect_uris and show an error page when none matches (MCP \
         authorization 2025-11-25 and later, \"Client ID Metadata Documents\"; RFC 6749 \
         §4.1.2.1)",
        oauth_vocab::redact::redact_uri(location)
    ))
}
