//! Steps of `mcp/resource.feature` and `mcp/discovery.feature`: the `resource` an MCP client
//! sends (RFC 8707 as the MCP authorization spec requires it), and how it discovers its
//! authorization server from a scenario's own MCP server ([`McpTwist`]).

use cucumber::{given, then};
use mock_provider::{Endpoint, JournalEntry};

use crate::client::context::MockVariant;
use crate::client::mcp_twist::{FOREIGN_ISSUER, FOREIGN_RESOURCE, McpTwist, TENANT};
use crate::client::steps::afresh;
use crate::client::world::{GauntletWorld, StepResult};

/// The path of the root protected-resource metadata URL (RFC 9728 §3.1).
const PRM_ROOT: &str = "/.well-known/oauth-protected-resource";

/// The well-known segment of RFC 8414 authorization server metadata.
const OAUTH_METADATA: &str = "/.well-known/oauth-authorization-server";

/// The well-known segment of OpenID Connect discovery.
const OPENID_METADATA: &str = "/.well-known/openid-configuration";

/// The MCP server's URL, the one resource an MCP client names.
fn mcp_url(world: &GauntletWorld) -> Result<String, String> {
    let url = world.ctx.vars.fill("{mcp_url}");
    if url.contains("{mcp_url}") {
        return Err("the mock serves no MCP endpoint in this run".into());
    }
    Ok(url)
}

/// Why a `resource` is not the MCP server's URL byte for byte, if it is not.
fn resource_fault(sent: &[String], server: &str) -> Option<String> {
    match sent {
        [] => Some("names no resource".into()),
        [one] if one == server => None,
        [one] if one.trim_end_matches('/') == server.trim_end_matches('/') => Some(format!(
            "names {one:?}, which differs from the server's URL {server:?} by a trailing slash: \
             to an authorization server that compares resources exactly (as RFC 8707 and Entra \
             do) that is another resource, refused with invalid_target or granted to the wrong \
             audience"
        )),
        [one] => Some(format!("names {one:?}, not the server's URL {server:?}")),
        many => Some(format!(
            "names {} resources ({many:?}), not the one server it connects to",
            many.len()
        )),
    }
}

#[then("the authorization request's resource is the MCP server's URL byte for byte")]
async fn authorization_resource(world: &mut GauntletWorld) -> StepResult {
    let server = mcp_url(world)?;
    let flow = world.last_flow(None)?;
    let sent = (flow.authorize_url.query_pairs()).filter(|(n, _)| n == "resource");
    let sent: Vec<String> = sent.map(|(_, v)| v.into_owned()).collect();
    resource_fault(&sent, &server).map_or(Ok(()), |fault| {
        Err(format!(
            "the authorization request {fault}. Send the URL the client connects to as \
             resource, unchanged (MCP authorization, \"Resource Parameter Implementation\"; RFC \
             8707 §2)"
        ))
    })
}

#[then("the token request's resource is the MCP server's URL byte for byte")]
async fn token_resource(world: &mut GauntletWorld) -> StepResult {
    let server = mcp_url(world)?;
    let requests = world.token_requests();
    let request = requests
        .iter()
        .find(|e| e.param("grant_type") == Some("authorization_code"))
        .ok_or_else(|| super::flow::no_token_request_made(world))?;
    let sent: Vec<String> = (request.form.iter())
        .filter(|(n, _)| n == "resource")
        .map(|(_, v)| v.clone())
        .collect();
    resource_fault(&sent, &server).map_or(Ok(()), |fault| {
        Err(format!(
            "the token request (#{}) {fault}. The MCP authorization spec requires resource in \
             the token request as well as in the authorization request, so that the token's \
             audience is the server (MCP authorization, \"Resource Parameter Implementation\"; \
             RFC 8707 §2.2)",
            request.seq
        ))
    })
}

#[given(regex = r"^the platform is started afresh against an MCP server (whose .+)$")]
async fn started_against(world: &mut GauntletWorld, words: String) -> StepResult {
    let twist = McpTwist::from_words(&words)
        .ok_or_else(|| format!("no MCP server of Gauntlet's is one {words}"))?;
    afresh::start(world, MockVariant::Mcp(twist)).await
}

/// The journal of the scenario's own MCP server, or why there is none.
pub(super) fn own_journal(world: &GauntletWorld) -> Result<Option<Vec<JournalEntry>>, String> {
    if world.refused_start.is_some() {
        return Ok(None);
    }
    if world.run_ctx.is_none() {
        return Err(
            "the platform was not started afresh against an MCP server of the \
                    scenario's own (the scenario lacks its Given step)"
                .into(),
        );
    }
    Ok(Some(world.ctx.provider.journal()))
}

/// The journal of the scenario's own mock, whether the platform started against it or not.
pub(super) fn any_journal(world: &GauntletWorld) -> Result<Vec<JournalEntry>, String> {
    match &world.refused_start {
        Some(refusal) => Ok(refusal.provider.journal()),
        None => Ok(own_journal(world)?.unwrap_or_default()),
    }
}

/// Whether `entry` reads authorization server metadata (RFC 8414 or OpenID Connect discovery).
fn is_as_metadata(entry: &JournalEntry) -> bool {
    entry.method == "GET"
        && (entry.path.contains(OAUTH_METADATA) || entry.path.contains(OPENID_METADATA))
}

/// Alice got a token once the platform read `what`; else the flow stopped later (the evidence
/// says where).
fn linked_after_reading(journal: &[JournalEntry], what: &str) -> StepResult {
    if token_issued(journal) {
        Ok(())
    } else {
        Err(format!(
            "the platform read {what} but alice got no token: see the evidence for where the \
             flow stopped"
        ))
    }
}

/// Whether the authorization server issued a token for a code.
fn token_issued(journal: &[JournalEntry]) -> bool {
    journal.iter().any(|e| {
        e.endpoint == Endpoint::Token
            && e.param("grant_type") == Some("authorization_code")
            && e.response.status == 200
    })
}

fn is_prm(entry: &JournalEntry) -> bool {
    entry.method == "GET" && entry.path.starts_with(PRM_ROOT)
}

/// The first authorization or token request the scenario's own MCP server's authorization
/// server received, described with the metadata the platform read last before it.
fn first_authorization(world: &GauntletWorld) -> Result<Option<String>, String> {
    let Some(journal) = own_journal(world)? else {
        return Ok(None);
    };
    let Some(entry) = journal
        .iter()
        .find(|e| matches!(e.endpoint, Endpoint::Authorize | Endpoint::Token))
    else {
        return Ok(None);
    };
    let what = if entry.endpoint == Endpoint::Authorize {
        "an authorization request"
    } else {
        "a token request"
    };
    let read = (journal.iter())
        .filter(|e| e.seq < entry.seq && (is_prm(e) || e.endpoint == Endpoint::Metadata))
        .map(|e| format!("{} (#{})", e.path, e.seq))
        .collect::<Vec<_>>();
    let after = if read.is_empty() {
        String::new()
    } else {
        format!(" after reading {}", read.join(", "))
    };
    Ok(Some(format!("{what} (#{}){after}", entry.seq)))
}

#[then("the platform used no metadata that describes another resource")]
async fn foreign_metadata_unused(world: &mut GauntletWorld) -> StepResult {
    let Some(sent) = first_authorization(world)? else {
        return Ok(());
    };
    Err(format!(
        "the platform sent {sent} although the protected-resource metadata names the resource \
         {FOREIGN_RESOURCE:?}, not the MCP server it called: RFC 9728 §3.3 says a client must \
         not use such metadata (an attacker's server could point the client to any \
         authorization server). Compare the metadata's resource with the server's URL before \
         using its authorization_servers"
    ))
}

#[then("the platform started no authorization without code_challenge_methods_supported")]
async fn no_authorization_without_pkce_methods(world: &mut GauntletWorld) -> StepResult {
    let Some(sent) = first_authorization(world)? else {
        return Ok(());
    };
    Err(format!(
        "the platform sent {sent} although the authorization server's metadata lists no \
         code_challenge_methods_supported: such a server may ignore the code challenge, so PKCE \
         would protect nothing, and MCP clients must refuse to proceed (MCP authorization \
         2025-11-25, \"Authorization Code Protection\"). Refuse to authorize unless the \
         metadata lists S256"
    ))
}

#[then("the platform read the path-aware metadata and alice got a token")]
async fn path_aware_found(world: &mut GauntletWorld) -> StepResult {
    let path_aware = format!("{PRM_ROOT}{}", world.ctx.provider.config().mcp.path);
    if let Some(refusal) = &world.refused_start {
        return Err(format!(
            "the platform did not start: {}. The 401 named no resource_metadata, and the \
             metadata was at the path-aware well-known URL {path_aware} only: MCP clients must \
             try it, then the root one (MCP authorization, \"Protected Resource Metadata \
             Discovery Requirements\"; RFC 9728 §3.1)",
            refusal.why
        ));
    }
    let journal = own_journal(world)?.unwrap_or_default();
    if !journal.iter().any(|e| is_prm(e) && e.path == path_aware) {
        return Err(format!(
            "the platform never read the path-aware well-known URL {path_aware}, where the \
             metadata was (the 401 named none): MCP clients must try it first, then the root \
             one (MCP authorization, \"Protected Resource Metadata Discovery Requirements\")"
        ));
    }
    linked_after_reading(&journal, "the path-aware metadata")
}

#[then("the first metadata URL the platform read is the path-aware one")]
async fn path_aware_first(world: &mut GauntletWorld) -> StepResult {
    let path_aware = format!("{PRM_ROOT}{}", world.ctx.provider.config().mcp.path);
    if let Some(refusal) = &world.refused_start {
        return Err(format!(
            "the platform did not start against an MCP server that serves its metadata at both \
             well-known URLs: {}",
            refusal.why
        ));
    }
    let journal = own_journal(world)?.unwrap_or_default();
    match journal.iter().find(|e| is_prm(e)) {
        Some(first) if first.path == path_aware => Ok(()),
        Some(first) => Err(format!(
            "the platform read {} (#{}) before the path-aware {path_aware}: with no \
             resource_metadata in the 401, MCP clients must try the path-aware well-known URL \
             first and the root one only then (MCP authorization, \"Protected Resource Metadata \
             Discovery Requirements\"); a server that hosts several MCP endpoints describes each \
             at its own path",
            first.path, first.seq
        )),
        None => Err(
            "the platform read no protected-resource metadata at all: with no \
                     resource_metadata in the 401, MCP clients must try the well-known URLs \
                     (MCP authorization, \"Protected Resource Metadata Discovery Requirements\")"
                .into(),
        ),
    }
}

#[then("the platform read the path-inserted metadata first and alice got a token")]
async fn path_inserted_first(world: &mut GauntletWorld) -> StepResult {
    let inserted = format!("{OAUTH_METADATA}/t/{TENANT}");
    let journal = any_journal(world)?;
    match journal.iter().find(|e| is_as_metadata(e)) {
        Some(first) if first.path == inserted => {}
        Some(first) => {
            return Err(format!(
                "the platform read {} (#{}) first, not {inserted}: for an issuer with a path \
                 ({{base}}/t/{TENANT}) RFC 8414 §3.1 inserts the well-known segment before the \
                 path, and MCP clients try that URL first (MCP authorization, \"Authorization \
                 Server Metadata Discovery\"). The root well-known URLs describe another issuer \
                 (here the root one): build the URL from the issuer the protected-resource \
                 metadata names, path included",
                first.path, first.seq
            ));
        }
        None => {
            return Err(
                "the platform read no authorization server metadata at all: MCP clients must \
                 read it at the well-known URLs of the issuer the protected-resource metadata \
                 names (MCP authorization, \"Authorization Server Metadata Discovery\")"
                    .into(),
            );
        }
    }
    if let Some(refusal) = &world.refused_start {
        return Err(format!(
            "the platform read {inserted} first, as it should, but did not start: {}",
            refusal.why
        ));
    }
    linked_after_reading(&journal, "the path-inserted metadata")
}

#[then("the platform read the OpenID Connect discovery metadata and alice got a token")]
async fn openid_discovery_found(world: &mut GauntletWorld) -> StepResult {
    let order = format!(
        "for an issuer with a path MCP clients must try {OAUTH_METADATA}/t/{TENANT}, then \
         {OPENID_METADATA}/t/{TENANT}, then /t/{TENANT}{OPENID_METADATA} (MCP authorization \
         2025-11-25 and later, \"Authorization Server Metadata Discovery\": clients must support \
         both RFC 8414 and OpenID Connect discovery)"
    );
    let journal = any_journal(world)?;
    let found = journal.iter().any(|e| {
        is_as_metadata(e)
            && e.path.contains(OPENID_METADATA)
            && e.path.contains(&format!("/t/{TENANT}"))
            && e.response.status == 200
    });
    if !found {
        let read: Vec<String> = (journal.iter().filter(|e| is_as_metadata(e)))
            .map(|e| format!("{} (#{}, HTTP {})", e.path, e.seq, e.response.status))
            .collect();
        let read = if read.is_empty() {
            "no authorization server metadata".to_owned()
        } else {
            read.join(", ")
        };
        return Err(format!(
            "the platform read {read}, never the OpenID Connect discovery document, the only \
             metadata its MCP server's authorization server publishes: {order}"
        ));
    }
    if let Some(refusal) = &world.refused_start {
        return Err(format!(
            "the platform read the OpenID Connect discovery document but did not start: {}",
            refusal.why
        ));
    }
    linked_after_reading(&journal, "the OpenID Connect discovery document")
}

#[then("the platform used no metadata that names another issuer")]
async fn foreign_issuer_unused(world: &mut GauntletWorld) -> StepResult {
    let Some(sent) = first_authorization(world)? else {
        return Ok(());
    };
    Err(format!(
        "the platform sent {sent} although the authorization server metadata names the issuer \
         {FOREIGN_ISSUER:?}, not the one the protected-resource metadata named and the \
         well-known URL was built from: the issuer in the document must be identical to it, or \
         the metadata must not be used (RFC 8414 §3.3; MCP authorization 2026-07-28, \
         \"Authorization Server Metadata Discovery\"). Otherwise whoever serves the document \
         chooses the endpoints the code and credentials go to"
    ))
}

/// What of a hostile URL survives its serialization: the text before the first `(` or `{`.
fn mark(hostile: &str) -> &str {
    hostile.split(['(', '{']).next().unwrap_or(hostile)
}

#[then(regex = r#"^the platform never sent (\w+)'s browser to "(.+)"$"#)]
async fn hostile_endpoint_not_opened(
    world: &mut GauntletWorld,
    user: String,
    hostile: String,
) -> StepResult {
    let mark = mark(&hostile);
    let Some(seen) = world.evidence.seen().into_iter().find(|t| t.contains(mark)) else {
        return Ok(());
    };
    let at = seen.find(mark).unwrap_or(0);
    let excerpt: String = seen[at..].chars().take(120).collect();
    Err(format!(
        "the platform handed {user}'s browser the authorization endpoint the metadata names, \
         {excerpt:?}: all authorization server endpoints must be HTTPS (MCP authorization, \
         \"Communication Security\"; OAuth 2.1 §1.5), and a javascript: or data: URL runs \
         script, a file: URL opens local files, and a made-up scheme given to an opener or a \
         shell ran commands in CVE-2025-6514. Refuse metadata whose authorization_endpoint is \
         not https (or http on loopback) before linking anyone"
    ))
}

#[cfg(test)]
mod tests {
    use super::{mark, resource_fault};
    use crate::client::mcp_twist::HOSTILE_ENDPOINTS;

    #[test]
    fn every_hostile_endpoint_has_a_distinct_mark() {
        let marks: Vec<&str> = HOSTILE_ENDPOINTS.iter().map(|h| mark(h)).collect();
        assert_eq!(
            marks,
            [
                "javascript:alert",
                "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
                "file:///etc/passwd",
                "a:$"
            ]
        );
    }

    #[test]
    fn only_the_exact_url_is_the_resource() {
        let server = "http://127.0.0.1:9/mcp";
        assert_eq!(resource_fault(&[server.into()], server), None);
        assert!(resource_fault(&[], server).unwrap().contains("no resource"));
        assert!(
            resource_fault(&[format!("{server}/")], server)
                .unwrap()
                .contains("trailing slash")
        );
        assert!(resource_fault(&["http://127.0.0.1:9".into()], server).is_some());
        assert!(resource_fault(&[server.into(), server.into()], server).is_some());
    }
}
