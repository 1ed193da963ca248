//! Steps of `mcp/*.feature`: the MCP server of `[server.mcp]` as an OAuth resource server — its
//! 401 and RFC 9728 protected-resource metadata, the authorization server that metadata names,
//! the tokens it accepts and refuses, and its 403 for a tool needing more scope (MCP
//! authorization, 2025-06-18 and later).

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::flow::holding_tokens_with;
use super::resource::challenge_param;
use crate::provider::profile::McpServer;
use crate::provider::world::{ProviderWorld, Role, StepResult, reply_line};
use crate::suite::browser::Reply;

/// The revision Gauntlet's client asks for in `initialize`: the oldest with this authorization
/// spec, which every server of a later revision still speaks.
const PROTOCOL_VERSION: &str = "2025-06-18";

/// The path of the root protected-resource metadata URL (RFC 9728 §3.1).
const PRM_ROOT: &str = "/.well-known/oauth-protected-resource";

/// A resource no authorization server knows: a name under `.test`, never connected to.
const UNKNOWN_RESOURCE: &str = "https://unknown-resource.gauntlet.test/mcp";

/// The profile's MCP server.
pub(super) fn server(world: &ProviderWorld) -> Result<McpServer, String> {
    world
        .ctx
        .profile
        .server
        .mcp
        .clone()
        .ok_or_else(|| "the profile names no MCP server ([server.mcp])".to_owned())
}

/// The scope asked for a token the MCP server accepts: `[server.mcp] scope`, else the client's.
pub(super) fn token_scope(world: &ProviderWorld) -> Result<String, String> {
    let mcp = server(world)?;
    Ok(match mcp.scope {
        Some(scope) => scope,
        None => world.registration(Role::Main)?.scope.clone(),
    })
}

/// Posts one JSON-RPC message to the MCP endpoint as a Streamable HTTP client does, with
/// `token` in the Authorization header (or, `in_query`, in the query string only) and
/// `headers` besides; records it and keeps the answer as `last`.
async fn post(
    world: &mut ProviderWorld,
    token: Option<&str>,
    in_query: bool,
    headers: &[(&str, &str)],
    message: &Value,
) -> Result<Reply, String> {
    let mut url = server(world)?.url;
    let authorization = token.filter(|_| !in_query).map(|t| format!("Bearer {t}"));
    if let (Some(token), true) = (token, in_query) {
        super::resource::add_query_token(&mut url, token);
    }
    let mut all = vec![("accept", "application/json, text/event-stream")];
    all.extend(authorization.iter().map(|a| ("authorization", a.as_str())));
    all.extend_from_slice(headers);
    world.post_json(&url, &all, message).await
}

/// The `initialize` request.
fn initialize() -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": { "name": "gauntlet", "version": env!("CARGO_PKG_VERSION") },
        },
    })
}

/// The JSON-RPC response in an answer: its JSON body, or the first `data:` event of a
/// `text/event-stream` body that is a response (Streamable HTTP lets a server answer either
/// way).
fn rpc_response(reply: &Reply) -> Option<Value> {
    if !reply.content_type.starts_with("text/event-stream") {
        return reply.json();
    }
    let mut data = String::new();
    for line in reply.body.lines().chain([""]) {
        if let Some(rest) = line.strip_prefix("data:") {
            data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            data.push('\n');
        } else if line.is_empty() && !data.is_empty() {
            if let Ok(value) = serde_json::from_str::<Value>(&data)
                && (value.get("result").is_some() || value.get("error").is_some())
            {
                return Some(value);
            }
            data.clear();
        }
    }
    None
}

#[when("the client calls the MCP server without a token")]
async fn without_token(world: &mut ProviderWorld) -> StepResult {
    post(world, None, false, &[], &initialize()).await.map(drop)
}

#[then(regex = r"^the MCP server answers (\d{3})$")]
async fn answers(world: &mut ProviderWorld, expected: u16) -> StepResult {
    let reply = world.last()?;
    if reply.status == expected {
        Ok(())
    } else {
        Err(format!(
            "expected {expected}, the MCP server answered {}",
            reply_line(reply)
        ))
    }
}

/// A protected-resource metadata document read at `url`, or why there is none.
async fn read_metadata(world: &ProviderWorld, url: &str) -> Result<Value, String> {
    let reply = world.get(url, &[("accept", "application/json")]).await?;
    match reply.json() {
        Some(document) if reply.status == 200 && document.is_object() => Ok(document),
        _ => Err(format!("{url} answered {}", reply_line(&reply))),
    }
}

/// The metadata URL the last answer's challenge names, or why it names none.
fn challenged_metadata_url(world: &ProviderWorld) -> Result<String, String> {
    let reply = world.last()?;
    let challenge = reply
        .header("www-authenticate")
        .ok_or_else(|| format!("the {} has no WWW-Authenticate header", reply.status))?;
    challenge_param(challenge, "resource_metadata").ok_or_else(|| {
        format!(
            "the {}'s WWW-Authenticate ({challenge:?}) names no resource_metadata",
            reply.status
        )
    })
}

/// The well-known URLs of the MCP server's protected-resource metadata, in the order MCP
/// clients try them: path-aware (when the resource has a path), then root (RFC 9728 §3.1).
fn well_known_urls(resource: &str) -> Result<Vec<String>, String> {
    let url = url::Url::parse(resource)
        .map_err(|e| format!("the resource {resource:?} is not a URL: {e}"))?;
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/');
    let mut urls = Vec::new();
    if !path.is_empty() {
        urls.push(format!("{origin}{PRM_ROOT}{path}"));
    }
    urls.push(format!("{origin}{PRM_ROOT}"));
    Ok(urls)
}

/// Finds the protected-resource metadata as an MCP client does after the last answer (a 401):
/// the challenge's `resource_metadata`, else the well-known URLs in order. The error names
/// every place looked at and what it answered.
async fn find_metadata(world: &ProviderWorld) -> Result<(String, Value), String> {
    let mut tried = Vec::new();
    match challenged_metadata_url(world) {
        Ok(url) => match read_metadata(world, &url).await {
            Ok(document) => return Ok((url, document)),
            Err(why) => tried.push(format!("the challenge names {url}, which {why}")),
        },
        Err(why) => tried.push(why),
    }
    for url in well_known_urls(server(world)?.resource())? {
        match read_metadata(world, &url).await {
            Ok(document) => return Ok((url, document)),
            Err(why) => tried.push(why),
        }
    }
    Err(format!(
        "no protected-resource metadata was found: {}. MCP servers MUST name it in the 401's \
         WWW-Authenticate resource_metadata or serve it at a well-known URL (RFC 9728 §3.1, \
         §5.1), or no client finds their authorization server",
        tried.join("; ")
    ))
}

#[then("its protected-resource metadata is found from the challenge or a well-known URL")]
async fn metadata_found(world: &mut ProviderWorld) -> StepResult {
    find_metadata(world).await.map(drop)
}

#[then("its challenge names protected-resource metadata that can be read")]
async fn challenge_names_metadata(world: &mut ProviderWorld) -> StepResult {
    let url = challenged_metadata_url(world).map_err(|why| {
        format!(
            "{why}: the 2025-06-18 revision requires the 401's WWW-Authenticate header to \
             carry the metadata URL (RFC 9728 §5.1)"
        )
    })?;
    read_metadata(world, &url)
        .await
        .map(drop)
        .map_err(|why| format!("the challenge's resource_metadata {why}, not the metadata"))
}

#[then("its challenge names a scope")]
async fn challenge_names_scope(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    match challenge_param(challenge, "scope") {
        Some(scope) if !scope.trim().is_empty() => Ok(()),
        _ => Err(format!(
            "the 401's WWW-Authenticate ({challenge:?}) names no scope: MCP servers should \
             name the scopes a client needs, which it then requests (least privilege)"
        )),
    }
}

/// Calls the MCP server without a token and reads its protected-resource metadata.
async fn fetch_resource_metadata(world: &mut ProviderWorld) -> Result<(String, Value), String> {
    if let Some(seen) = &world.mcp.resource_metadata {
        return Ok(seen.clone());
    }
    without_token(world).await?;
    let found = find_metadata(world).await?;
    world.mcp.resource_metadata = Some(found.clone());
    Ok(found)
}

#[when("the client fetches the MCP server's protected-resource metadata")]
async fn fetch_prm(world: &mut ProviderWorld) -> StepResult {
    fetch_resource_metadata(world).await.map(drop)
}

#[then("its resource is the MCP server's resource identifier")]
async fn prm_resource(world: &mut ProviderWorld) -> StepResult {
    let (url, document) = fetch_resource_metadata(world).await?;
    let expected = server(world)?.resource().to_owned();
    match document.get("resource").and_then(Value::as_str) {
        Some(resource) if resource == expected => Ok(()),
        Some(resource) => Err(format!(
            "the protected-resource metadata at {url} names the resource {resource:?}, not the \
             MCP server's {expected:?}: RFC 9728 §3.3 makes clients refuse metadata that \
             describes another resource, so they find no authorization server"
        )),
        None => Err(format!(
            "the protected-resource metadata at {url} has no resource (RFC 9728 §2: REQUIRED)"
        )),
    }
}

/// The first authorization server the protected-resource metadata names.
fn first_authorization_server(url: &str, document: &Value) -> Result<String, String> {
    let servers = document
        .get("authorization_servers")
        .and_then(Value::as_array)
        .filter(|servers| !servers.is_empty())
        .ok_or_else(|| {
            format!(
                "the protected-resource metadata at {url} names no authorization_servers: MCP \
                 servers MUST name at least one, or clients cannot get a token"
            )
        })?;
    servers
        .first()
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("authorization_servers at {url} is not a list of issuer URLs"))
}

#[then("it names at least one authorization server")]
async fn names_authorization_server(world: &mut ProviderWorld) -> StepResult {
    let (url, document) = fetch_resource_metadata(world).await?;
    first_authorization_server(&url, &document).map(drop)
}

/// The metadata URLs of `issuer` in the order MCP clients try them (MCP authorization,
/// "Authorization Server Metadata Discovery"): with a path, RFC 8414 and OpenID discovery with
/// the path inserted, then OpenID discovery appended; without one, RFC 8414 then OpenID.
fn server_metadata_urls(issuer: &str) -> Result<Vec<String>, String> {
    let url = url::Url::parse(issuer)
        .map_err(|e| format!("the authorization server {issuer:?} is not a URL: {e}"))?;
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/');
    Ok(if path.is_empty() {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server"),
            format!("{origin}/.well-known/openid-configuration"),
        ]
    } else {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server{path}"),
            format!("{origin}/.well-known/openid-configuration{path}"),
            format!("{origin}{path}/.well-known/openid-configuration"),
        ]
    })
}

/// The metadata of the authorization server the protected-resource metadata names first, with
/// that name and where it was read.
async fn fetch_server_metadata(
    world: &mut ProviderWorld,
) -> Result<(String, String, Value), String> {
    if let Some(seen) = &world.mcp.server_metadata {
        return Ok(seen.clone());
    }
    let (url, document) = fetch_resource_metadata(world).await?;
    let issuer = first_authorization_server(&url, &document)?;
    let mut tried = Vec::new();
    for url in server_metadata_urls(&issuer)? {
        match read_metadata(world, &url).await {
            Ok(document) => {
                let found = (issuer, url, document);
                world.mcp.server_metadata = Some(found.clone());
                return Ok(found);
            }
            Err(why) => tried.push(why),
        }
    }
    Err(format!(
        "the authorization server {issuer:?} publishes no metadata where MCP clients look: {}",
        tried.join("; ")
    ))
}

#[when("the client fetches the metadata of the MCP server's authorization server")]
async fn fetch_as_metadata(world: &mut ProviderWorld) -> StepResult {
    fetch_server_metadata(world).await.map(drop)
}

#[then("that metadata's issuer is the name the protected-resource metadata gave")]
async fn as_issuer(world: &mut ProviderWorld) -> StepResult {
    let (name, url, document) = fetch_server_metadata(world).await?;
    match document.get("issuer").and_then(Value::as_str) {
        Some(issuer) if issuer == name => Ok(()),
        Some(issuer) => Err(format!(
            "the metadata at {url} names the issuer {issuer:?}, not {name:?} as the \
             protected-resource metadata does: RFC 8414 §3.3 makes clients refuse it"
        )),
        None => Err(format!("the metadata at {url} has no issuer")),
    }
}

#[then("that metadata lists S256 in code_challenge_methods_supported")]
async fn as_s256(world: &mut ProviderWorld) -> StepResult {
    let (_, url, document) = fetch_server_metadata(world).await?;
    match document
        .get("code_challenge_methods_supported")
        .and_then(Value::as_array)
    {
        Some(methods) if methods.iter().any(|m| m == "S256") => Ok(()),
        Some(methods) => Err(format!(
            "the metadata at {url} lists code_challenge_methods_supported {methods:?}, without \
             S256, which MCP clients must use"
        )),
        None => Err(format!(
            "the metadata at {url} has no code_challenge_methods_supported: MCP clients take \
             that as no PKCE support and must refuse to proceed"
        )),
    }
}

#[given("an authorization request for an unknown resource")]
async fn unknown_resource_request(world: &mut ProviderWorld) -> StepResult {
    let scope = token_scope(world)?;
    let request = world.new_request(Role::Main)?;
    if !scope.is_empty() {
        request.set("scope", &scope);
    }
    request.set("resource", UNKNOWN_RESOURCE);
    Ok(())
}

#[given(regex = r"^the client holds a token issued for (the MCP server|the other resource)$")]
async fn holds_token_for(world: &mut ProviderWorld, which: String) -> StepResult {
    let mcp = server(world)?;
    let resource = if which == "the MCP server" {
        mcp.resource().to_owned()
    } else {
        mcp.other_resource
            .clone()
            .ok_or("[server.mcp] names no other_resource")?
    };
    world.mcp.presented = Some(format!("a token issued for {which} ({resource})"));
    token_for(world, Role::Main, &resource)
        .await
        .map_err(|why| format!("no token for the resource {resource}: {why}"))
}

/// Has `role`'s client obtain a token for `resource` with the MCP server's scope.
pub(super) async fn token_for(world: &mut ProviderWorld, role: Role, resource: &str) -> StepResult {
    let scope = token_scope(world)?;
    let form_resource = resource.to_owned();
    holding_tokens_with(
        world,
        role,
        |r| {
            if !scope.is_empty() {
                r.set("scope", &scope);
            }
            r.set("resource", resource);
        },
        |form| form.push(("resource".into(), form_resource)),
    )
    .await
}

#[when(
    regex = r"^the client initializes an MCP session with (the token|an invalid token|an expired token|the token in the query string only)$"
)]
async fn initialize_with(world: &mut ProviderWorld, how: String) -> StepResult {
    let token = match how.as_str() {
        "an invalid token" => {
            world.mcp.presented = Some("an invalid token (random, never issued)".into());
            crate::suite::random::token("gauntlet-invalid-")
        }
        "an expired token" => {
            let token = (server(world)?.expired_token.clone())
                .ok_or("[server.mcp] names no expired_token")?;
            world.mcp.presented = Some(
                "an expired token issued for the MCP server ([server.mcp] expired_token)".into(),
            );
            token
        }
        _ => world.latest_tokens()?.access.expose().to_owned(),
    };
    let in_query = how.ends_with("only");
    post(world, Some(&token), in_query, &[], &initialize())
        .await
        .map(drop)
}

/// MCP authorization, "Token Handling": invalid tokens, and tokens not issued for the server,
/// MUST receive a 401.
#[then("the MCP server refuses the token with 401")]
async fn refuses_token(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    let token = world.mcp.presented.as_deref().unwrap_or("the token");
    match reply.status {
        401 => Ok(()),
        200..=299 => Err(format!(
            "the MCP server accepted {token} ({}): MCP servers MUST answer an invalid or \
             expired token, and one not issued for them, with 401 (MCP authorization, \"Token \
             Handling\")",
            reply_line(reply)
        )),
        _ => Err(format!(
            "the MCP server refused {token} with {}, not 401 as MCP requires for an invalid \
             token",
            reply_line(reply)
        )),
    }
}

/// MCP authorization, "Token Handling": expired tokens MUST receive a 401; RFC 6750 §3.1 names
/// the error `invalid_token`.
#[then("the MCP server refuses the token with 401 invalid_token")]
async fn refuses_expired(world: &mut ProviderWorld) -> StepResult {
    refuses_token(world).await?;
    let reply = world.last()?;
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    match challenge_param(challenge, "error") {
        Some(e) if e == "invalid_token" => Ok(()),
        said => Err(format!(
            "the MCP server refused the expired token with 401, but its challenge ({challenge:?}) \
             says {}, not error=\"invalid_token\": RFC 6750 §3.1 names that error for an \
             expired token, and a client reads it to refresh instead of starting over (MCP \
             authorization, \"Token Handling\"; OAuth 2.1 §5.3)",
            said.map_or_else(|| "no error".to_owned(), |e| format!("error={e:?}"))
        )),
    }
}

#[then("the MCP server answers with a JSON-RPC result")]
async fn rpc_result(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    if reply.status != 200 {
        return Err(format!(
            "the MCP server refused a token issued for it: {}",
            reply_line(reply)
        ));
    }
    match rpc_response(reply) {
        Some(response) if response.get("result").is_some_and(Value::is_object) => Ok(()),
        Some(response) => Err(format!(
            "initialize was answered without a result: {}",
            crate::suite::browser::short(&response.to_string())
        )),
        None => Err(format!(
            "the answer to initialize holds no JSON-RPC response: {}",
            reply_line(reply)
        )),
    }
}

#[then("the MCP server does not accept the request")]
async fn not_accepted(world: &mut ProviderWorld) -> StepResult {
    let reply = world.last()?;
    if (200..300).contains(&reply.status) {
        Err(format!(
            "the MCP server took the access token from the query string ({}): tokens in URLs \
             end up in logs and histories; MCP clients must not send them there and OAuth 2.1 \
             defines no such method",
            reply.status
        ))
    } else {
        Ok(())
    }
}

#[when("the client calls the step-up tool with the token")]
async fn call_step_up_tool(world: &mut ProviderWorld) -> StepResult {
    let tool = server(world)?
        .step_up_tool
        .ok_or("[server.mcp] names no step_up_tool")?;
    let token = world.latest_tokens()?.access.expose().to_owned();
    let reply = post(world, Some(&token), false, &[], &initialize()).await?;
    let result = rpc_response(&reply)
        .filter(|_| reply.status == 200)
        .and_then(|r| r.get("result").cloned())
        .ok_or_else(|| {
            format!(
                "the MCP session could not be initialized with a token issued for the server: \
                 {}",
                reply_line(&reply)
            )
        })?;
    let version = result
        .get("protocolVersion")
        .and_then(Value::as_str)
        .unwrap_or(PROTOCOL_VERSION)
        .to_owned();
    let session = reply.header("mcp-session-id").map(str::to_owned);
    let mut headers = vec![("mcp-protocol-version", version.as_str())];
    headers.extend(session.iter().map(|s| ("mcp-session-id", s.as_str())));
    let initialized = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
    post(world, Some(&token), false, &headers, &initialized).await?;
    let call = json!({
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": { "name": tool, "arguments": {} },
    });
    post(world, Some(&token), false, &headers, &call)
        .await
        .map(drop)
}

#[then("its challenge says insufficient_scope and names a scope the token lacks")]
async fn insufficient_scope_challenge(world: &mut ProviderWorld) -> StepResult {
    let granted = match world.latest_tokens()?.scope.clone() {
        Some(scope) => scope,
        None => token_scope(world)?,
    };
    let reply = world.last()?;
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    match challenge_param(challenge, "error") {
        Some(e) if e == "insufficient_scope" => {}
        Some(e) => {
            return Err(format!(
                "the 403's challenge says error={e:?}, not \"insufficient_scope\""
            ));
        }
        None => {
            return Err(format!(
                "the 403 has no error in WWW-Authenticate ({challenge:?}); MCP servers should \
                 send error=\"insufficient_scope\" with the scope the call needs"
            ));
        }
    }
    let scope = challenge_param(challenge, "scope").unwrap_or_default();
    let lacking = scope
        .split(' ')
        .any(|s| !s.is_empty() && !granted.split(' ').any(|g| g == s));
    if lacking {
        Ok(())
    } else if scope.trim().is_empty() {
        Err(format!(
            "the 403's challenge ({challenge:?}) names no scope: a client cannot tell what to \
             ask for in a step-up authorization"
        ))
    } else {
        Err(format!(
            "the 403's challenge names the scope {scope:?}, all of which the token holds \
             ({granted:?}): a client stepping up would ask for nothing new"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_well_known_urls_are_path_aware_first_then_root() {
        assert_eq!(
            well_known_urls("https://m.test/public/mcp").unwrap(),
            [
                "https://m.test/.well-known/oauth-protected-resource/public/mcp",
                "https://m.test/.well-known/oauth-protected-resource",
            ]
        );
        assert_eq!(
            well_known_urls("https://m.test/").unwrap(),
            ["https://m.test/.well-known/oauth-protected-resource"]
        );
    }

    #[test]
    fn authorization_server_metadata_is_looked_for_in_the_mcp_order() {
        assert_eq!(
            server_metadata_urls("https://as.test/tenant1").unwrap(),
            [
                "https://as.test/.well-known/oauth-authorization-server/tenant1",
                "https://as.test/.well-known/openid-configuration/tenant1",
                "https://as.test/tenant1/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            server_metadata_urls("https://as.test").unwrap(),
            [
                "https://as.test/.well-known/oauth-authorization-server",
                "https://as.test/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn a_response_is_read_from_json_or_from_an_event_stream() {
        let reply = |content_type: &str, body: &str| Reply {
            url: "http://m.test/mcp".into(),
            status: 200,
            location: None,
            body: body.into(),
            content_type: content_type.into(),
            headers: Vec::new(),
            cut_at: None,
        };
        let result = json!({ "jsonrpc": "2.0", "id": 1, "result": {} });
        assert_eq!(
            rpc_response(&reply("application/json", &result.to_string())),
            Some(result.clone())
        );
        let stream = format!(
            "event: message\ndata: {}\n\nevent: message\ndata: {result}\n\n",
            json!({ "jsonrpc": "2.0", "method": "notifications/message" })
        );
        assert_eq!(
            rpc_response(&reply("text/event-stream", &stream)),
            Some(result)
        );
        assert_eq!(
            rpc_response(&reply("text/event-stream", ": ping\n\n")),
            None
        );
    }
}
