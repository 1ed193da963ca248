//! Steps of `mcp/registration.feature`: how an MCP client gets a client at an authorization
//! server that has not registered it ([MCP authorization, client registration]): its Client ID
//! Metadata Document when the server advertises them, else dynamic registration with an
//! `application_type`, and never the `client_id` another authorization server issued.
//!
//! [MCP authorization, client registration]: https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization/client-registration

use cucumber::then;
use mock_provider::{Endpoint, Finding, JournalEntry, Observation};

use super::mcp::{any_journal, own_journal};
use crate::client::world::{GauntletWorld, StepResult};

/// The `client_id` a request presented: its parameter, or the id of its HTTP Basic credentials.
fn presented_client_id(entry: &JournalEntry) -> Option<String> {
    if let Some(id) = entry.param("client_id") {
        return Some(id.to_owned());
    }
    let basic = entry.header("authorization")?.strip_prefix("Basic ")?;
    oauth_vocab::basic::decode(basic.as_bytes())
        .ok()
        .map(|(id, _)| id)
}

/// The first authorization request, with the `client_id` it presented.
fn first_authorization(journal: &[JournalEntry]) -> Option<(&JournalEntry, String)> {
    let entry = journal.iter().find(|e| e.endpoint == Endpoint::Authorize)?;
    Some((entry, entry.param("client_id").unwrap_or("").to_owned()))
}

/// The dynamic registration requests.
fn registrations(journal: &[JournalEntry]) -> Vec<&JournalEntry> {
    (journal.iter())
        .filter(|e| e.endpoint == Endpoint::Registration && e.method == "POST")
        .collect()
}

/// Whether the authorization server issued a token for a code.
fn token_issued(journal: &[JournalEntry]) -> bool {
    journal.iter().any(|e| {
        e.endpoint == Endpoint::Token
            && e.param("grant_type") == Some("authorization_code")
            && e.response.status == 200
    })
}

/// Why the platform did not start, as the start of a failure.
fn refused(world: &GauntletWorld) -> Option<String> {
    (world.refused_start.as_ref()).map(|r| format!("the platform did not start: {}", r.why))
}

#[then("the platform identified itself by its Client ID Metadata Document's URL")]
async fn used_metadata_document(world: &mut GauntletWorld) -> StepResult {
    let rule = "an MCP client that has no client registered with an authorization server \
                advertising client_id_metadata_document_supported should use its Client ID \
                Metadata Document's HTTPS URL as client_id before falling back to dynamic \
                registration (MCP authorization 2025-11-25 and later, client registration \
                priority order)";
    if let Some(why) = refused(world) {
        return Err(format!("{why}. {rule}"));
    }
    let journal = own_journal(world)?.unwrap_or_default();
    let Some((entry, client_id)) = first_authorization(&journal) else {
        return Err(format!(
            "the platform sent no authorization request (see the evidence). {rule}"
        ));
    };
    let registered = registrations(&journal);
    if let Some(first) = registered.first() {
        return Err(format!(
            "the platform registered dynamically (#{}) and sent client_id {client_id:?} (#{}), \
             although the authorization server advertises client_id_metadata_document_supported: \
             {rule}. Dynamic registration is deprecated in 2026-07-28 and leaves a registration \
             behind at every server",
            first.seq, entry.seq
        ));
    }
    let is_url = url::Url::parse(&client_id)
        .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.path().len() > 1);
    if is_url {
        Ok(())
    } else {
        Err(format!(
            "the authorization request (#{}) names client_id {client_id:?}, no metadata \
             document URL: {rule}",
            entry.seq
        ))
    }
}

#[then(
    "the authorization server accepted the platform's Client ID Metadata Document and alice got a token"
)]
async fn metadata_document_accepted(world: &mut GauntletWorld) -> StepResult {
    let journal = any_journal(world)?;
    let Some((entry, client_id)) = first_authorization(&journal) else {
        return Ok(());
    };
    if url::Url::parse(&client_id).is_err() {
        // No metadata document used: another scenario's concern.
        return Ok(());
    }
    let invalid = entry.findings.iter().find_map(|o| match o {
        Observation::Finding {
            finding: Finding::ClientMetadataInvalid,
            detail,
            ..
        } => Some(detail.clone().unwrap_or_default()),
        _ => None,
    });
    if let Some(detail) = invalid
        .as_ref()
        .filter(|d| d.contains("client_metadata_hosts"))
    {
        let reason = format!(
            "Gauntlet could not judge the platform's Client ID Metadata Document {client_id} \
             (#{}): {detail}. Gauntlet's mock fetches documents from loopback hosts only \
             (127.0.0.1, localhost, [::1]), never from any other address, so this is not a \
             verdict on the platform: serve the document on loopback for the test",
            entry.seq
        );
        world.not_judged = Some(reason.clone());
        return Err(reason);
    }
    if let Some(detail) = invalid {
        return Err(format!(
            "the authorization server refused the platform's Client ID Metadata Document at \
             {client_id} (#{}): {detail}. The document must be JSON with client_id, client_name \
             and redirect_uris, and its client_id must equal the document's URL exactly (MCP \
             authorization, \"Client ID Metadata Documents\": clients MUST)",
            entry.seq
        ));
    }
    if token_issued(&journal) {
        Ok(())
    } else {
        Err(format!(
            "the platform used its metadata document {client_id} (#{}) but alice got no token: \
             see the evidence for where the flow stopped",
            entry.seq
        ))
    }
}

#[then("the platform registered dynamically before authorizing and alice got a token")]
async fn registered_dynamically(world: &mut GauntletWorld) -> StepResult {
    let rule = "an MCP client with no client at an authorization server that offers a \
                registration_endpoint (and no Client ID Metadata Documents) should register \
                there (RFC 7591) rather than use credentials issued elsewhere (MCP authorization, \
                client registration priority order)";
    if let Some(why) = refused(world) {
        return Err(format!("{why}. {rule}"));
    }
    let journal = own_journal(world)?.unwrap_or_default();
    let Some(registration) = registrations(&journal)
        .into_iter()
        .find(|e| e.response.status == 201)
    else {
        return Err(format!(
            "the platform made no successful registration request at the registration_endpoint: \
             {rule}"
        ));
    };
    let issued: Option<String> =
        serde_json::from_str::<serde_json::Value>(&registration.response.body)
            .ok()
            .and_then(|v| v["client_id"].as_str().map(str::to_owned));
    match first_authorization(&journal) {
        Some((entry, sent)) if Some(&sent) != issued.as_ref() => Err(format!(
            "the platform registered (#{}) but its authorization request (#{}) names client_id \
             {sent:?}, not the one the registration issued: {rule}",
            registration.seq, entry.seq
        )),
        Some(_) if token_issued(&journal) => Ok(()),
        _ => Err(format!(
            "the platform registered (#{}) but alice got no token: see the evidence for where \
             the flow stopped",
            registration.seq
        )),
    }
}

#[then("the platform's registration request named an application_type")]
async fn application_type_sent(world: &mut GauntletWorld) -> StepResult {
    let journal = any_journal(world)?;
    for entry in registrations(&journal) {
        let body: serde_json::Value =
            serde_json::from_str(entry.body.as_deref().unwrap_or("")).unwrap_or_default();
        match body.get("application_type").and_then(|v| v.as_str()) {
            Some("native" | "web") => {}
            other => {
                let what = other.map_or("no application_type".to_owned(), |t| {
                    format!("application_type {t:?}")
                });
                return Err(format!(
                    "the registration request (#{}) names {what}: MCP clients must specify an \
                     appropriate application_type in dynamic registration — \"native\" for a \
                     client with a localhost or loopback redirect URI, \"web\" for a remote \
                     browser-based one — since an OpenID Connect server takes a missing one as \
                     \"web\" and may then refuse loopback redirect URIs (MCP authorization \
                     2026-07-28, \"Application Type and Redirect URI Constraints\")",
                    entry.seq
                ));
            }
        }
    }
    Ok(())
}

#[then("the platform never sent the client_id registered with another authorization server")]
async fn no_foreign_client_id(world: &mut GauntletWorld) -> StepResult {
    let foreign = world.ctx.profile.client.client_id.clone();
    let journal = any_journal(world)?;
    let sent = journal.iter().find(|e| {
        matches!(e.endpoint, Endpoint::Authorize | Endpoint::Token)
            && presented_client_id(e).as_deref() == Some(foreign.as_str())
    });
    match sent {
        None => Ok(()),
        Some(entry) => Err(format!(
            "the platform sent the client_id {foreign:?}, which another authorization server \
             issued, to this one (#{} {}): client credentials are bound to the issuer that \
             issued them, and when the authorization server changes clients must not reuse them \
             and must register again (MCP authorization 2026-07-28, \"Authorization Server \
             Binding\"). Key stored credentials by the authorization server's issuer — a new \
             loopback port is a new issuer too",
            entry.seq, entry.path
        )),
    }
}
