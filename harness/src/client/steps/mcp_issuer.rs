//! Steps of `mcp/issuer.feature`: the RFC 9207 `iss` decision table MCP 2026-07-28 has a
//! client apply before any code reaches a token endpoint ("Authorization Response
//! Validation"), its no-normalisation rule, and error responses of another issuer.

use cucumber::{given, then};
use mock_provider::{ErrorCode, FaultKind, FaultTarget};

use crate::client::steps::flow::probe_linked;
use crate::client::world::{Arrangement, GauntletWorld, StepResult};
use crate::suite::browser::short;

/// The member of RFC 8414 metadata that promises `iss` (RFC 9207 §3).
const PROMISE: &str = "authorization_response_iss_parameter_supported";

/// The section every explanation cites.
const SECTION: &str = "MCP authorization 2026-07-28, \"Authorization Response Validation\"";

/// The error of the error response from another issuer.
const FOREIGN_ERROR: ErrorCode = ErrorCode::TemporarilyUnavailable;

/// Its `error_description`, the attacker's words: recognisable wherever a platform shows it.
const FOREIGN_DESCRIPTION: &str = "gauntlet-foreign-error: sign in again at attacker.invalid";

/// What the metadata of the scenario's authorization server says about `iss`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Promise {
    True,
    False,
    Absent,
}

impl Promise {
    fn describe(self) -> &'static str {
        match self {
            Self::True => {
                "the metadata sets authorization_response_iss_parameter_supported to true"
            }
            Self::False => {
                "the metadata sets authorization_response_iss_parameter_supported to false"
            }
            Self::Absent => "the metadata has no authorization_response_iss_parameter_supported",
        }
    }
}

/// The scenario's authorization server as the platform saw it (the scenario's own mock, also
/// when the platform refused to start against it): its metadata's promise and issuer (the
/// value a client records).
fn authorization_server(world: &GauntletWorld) -> (Promise, String) {
    let provider = match &world.refused_start {
        Some(refusal) => &refusal.provider,
        None => &world.ctx.provider,
    };
    let doc = provider.metadata(provider.config().mcp.tenant.as_deref());
    let promise = match doc.get(PROMISE) {
        Some(serde_json::Value::Bool(true)) => Promise::True,
        None => Promise::Absent,
        Some(_) => Promise::False,
    };
    let issuer = (doc.get("issuer").and_then(serde_json::Value::as_str))
        .map_or_else(|| provider.issuer(), str::to_owned);
    (promise, issuer)
}

/// The `iss` of `user`'s last authorization response, if the provider answered.
fn response_iss(world: &GauntletWorld, user: &str) -> Result<Option<String>, String> {
    let callback = super::flow::callback_of(world, user)?;
    let url = url::Url::parse(&callback).map_err(|e| format!("the callback is not a URL: {e}"))?;
    Ok((url.query_pairs())
        .find(|(name, _)| name == "iss")
        .map(|(_, value)| value.into_owned()))
}

/// How `iss` differs from `issuer` when only a normalisation would make them equal.
fn normalised_difference(iss: &str, issuer: &str) -> Option<&'static str> {
    if iss.trim_end_matches('/') == issuer.trim_end_matches('/') {
        Some("a trailing slash")
    } else if iss.eq_ignore_ascii_case(issuer) {
        Some("the case of its letters (scheme or host)")
    } else {
        None
    }
}

/// The row of the table a response falls in, and what it asks of the client, in words.
fn row(promise: Promise, iss: Option<&str>, issuer: &str) -> String {
    let compare = "compare it with the recorded issuer by simple string comparison (RFC 3986 \
                   §6.2.1)";
    match (promise, iss) {
        (Promise::True, None) => format!(
            "row 2 of the table: the metadata promises iss, so a response without it must be \
             rejected before the code goes anywhere; it may come from another authorization \
             server (a mix-up) ({SECTION}; RFC 9207 §2.4)"
        ),
        (_, None) => format!(
            "row 4 of the table: the metadata does not promise iss, so a response without it \
             is proceeded with; rejecting an absent iss stays keyed on \
             authorization_response_iss_parameter_supported until a later revision makes iss a \
             MUST ({SECTION})"
        ),
        (_, Some(iss)) if iss == issuer => format!(
            "the iss is the recorded issuer byte for byte, so the response passes the check \
             whatever the metadata says (rows 1 and 3 of the table: {compare}; {SECTION})"
        ),
        (_, Some(iss)) if let Some(how) = normalised_difference(iss, issuer) => format!(
            "the iss differs from the recorded issuer only by {how}, and after decoding MCP \
             clients must not normalise (no scheme or host case folding, default-port \
             elision, trailing-slash or percent-encoding normalisation) before they {compare}: \
             a mismatch is a rejection ({SECTION})"
        ),
        (Promise::True, Some(_)) => format!(
            "row 1 of the table: {compare}; this iss names another authorization server, the \
             mark of a mix-up, so the response must be rejected ({SECTION}; RFC 9207 §2.4)"
        ),
        (_, Some(_)) => format!(
            "row 3 of the table: a present iss is compared with the recorded issuer even when \
             the metadata does not promise it (MCP's local policy under RFC 9207 §2.4, for \
             authorization servers that emit iss before updating their metadata); this one \
             names another authorization server, so the response must be rejected ({SECTION})"
        ),
    }
}

/// The response `user` brought back, in words: its `iss`, the recorded issuer and the
/// metadata's promise, and the row of the table that applies.
fn situation(world: &GauntletWorld, user: &str) -> Result<String, String> {
    let (promise, issuer) = authorization_server(world);
    let iss = response_iss(world, user)?;
    let carried = match &iss {
        Some(iss) => format!("iss {iss:?}"),
        None => "no iss".to_owned(),
    };
    Ok(format!(
        "the authorization response carried {carried}, the recorded issuer is {issuer:?} and \
         {}: {}",
        promise.describe(),
        row(promise, iss.as_deref(), &issuer)
    ))
}

#[given("the MCP server's authorization server promises iss in its metadata")]
async fn promises_iss(world: &mut GauntletWorld) -> StepResult {
    match authorization_server(world).0 {
        Promise::True => Ok(()),
        other => Err(format!(
            "the run's mock provider does not promise iss ({}): this scenario needs the default \
             mock profile, whose metadata sets authorization_response_iss_parameter_supported \
             to true",
            other.describe()
        )),
    }
}

/// The issuer with its scheme and host in upper case (the port and path left alone).
fn shouted(issuer: &str) -> String {
    let Some((scheme, rest)) = issuer.split_once("://") else {
        return issuer.to_ascii_uppercase();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host_end = authority.rfind(':').unwrap_or(authority.len());
    let (host, port) = authority.split_at(host_end);
    format!(
        "{}://{}{port}{path}",
        scheme.to_ascii_uppercase(),
        host.to_ascii_uppercase()
    )
}

#[given(
    regex = r"^the provider will answer the next authorization with its issuer( plus a trailing slash|'s scheme and host in upper case)$"
)]
async fn near_issuer(world: &mut GauntletWorld, how: String) -> StepResult {
    let issuer = authorization_server(world).1;
    let issuer = if how == " plus a trailing slash" {
        format!("{issuer}/")
    } else {
        shouted(&issuer)
    };
    world.arrangements.push(Arrangement::Fault(
        FaultTarget::Authorize,
        FaultKind::WrongIssuer { issuer },
    ));
    Ok(())
}

#[given(
    expr = "the provider will answer the next authorization with an error from the issuer {string}"
)]
async fn foreign_error(world: &mut GauntletWorld, issuer: String) -> StepResult {
    world.arrangements.push(Arrangement::Fault(
        FaultTarget::Authorize,
        FaultKind::WrongIssuerError {
            error: FOREIGN_ERROR,
            description: Some(FOREIGN_DESCRIPTION.into()),
            issuer,
        },
    ));
    Ok(())
}

#[then(regex = r"^the platform proceeded and (\w+) is linked$")]
async fn proceeded(world: &mut GauntletWorld, user: String) -> StepResult {
    if let Some(refusal) = &world.refused_start {
        let (promise, _) = authorization_server(world);
        return Err(format!(
            "the platform did not start against an authorization server of which {}: {}. \
             MCP clients authorize with it; only the authorization response decides, by the \
             table of {SECTION}",
            promise.describe(),
            refusal.why
        ));
    }
    let situation = match situation(world, &user) {
        Ok(situation) => situation,
        Err(why) => {
            let (promise, _) = authorization_server(world);
            return Err(format!(
                "{user} never brought an authorization response back ({why}) from an \
                 authorization server of which {}: MCP clients authorize with it; only the \
                 response decides, by the table of {SECTION}",
                promise.describe()
            ));
        }
    };
    let (linked, said) = probe_linked(world, &user).await?;
    if linked == Some(true) {
        return Ok(());
    }
    Err(format!(
        "{user} should be linked, but the platform says: {said}; {situation}{}",
        world.token_notes()
    ))
}

#[then(regex = r"^the platform rejected the response: no token request, and (\w+) is not linked$")]
async fn rejected(world: &mut GauntletWorld, user: String) -> StepResult {
    if world.refused_start.is_some() {
        return Ok(());
    }
    // A platform that started no flow (or none that came back) rejected nothing, and sent
    // nothing either: the token requests and the probe judge it.
    let situation =
        |world: &GauntletWorld| situation(world, &user).unwrap_or_else(|why| format!("({why})"));
    if let Some(request) = world.token_requests().first() {
        return Err(format!(
            "the platform sent the code to the token endpoint (#{}) although {}. MCP clients \
             apply the check before the code is transmitted to any token endpoint",
            request.seq,
            situation(world)
        ));
    }
    let (linked, said) = probe_linked(world, &user).await?;
    if linked == Some(false) {
        return Ok(());
    }
    Err(format!(
        "{user} should not be linked, but the platform says: {said}; {}",
        situation(world)
    ))
}

/// Where the text of the error response shows in `page`, if it does: the description, or
/// the error code.
fn error_shown(page: &str) -> Option<&'static str> {
    if page.contains(FOREIGN_DESCRIPTION) {
        Some("error_description")
    } else if page.contains(FOREIGN_ERROR.as_str()) {
        Some("error")
    } else {
        None
    }
}

#[then(regex = r"^(\w+) was shown nothing of the error response$")]
async fn error_not_shown(world: &mut GauntletWorld, user: String) -> StepResult {
    let flow = world.last_flow(Some(&user))?;
    let callback =
        (flow.callback.as_ref()).ok_or_else(|| format!("{user} never got back to the platform"))?;
    let pages = [Some(callback), flow.after.as_ref()];
    for reply in pages.into_iter().flatten() {
        let texts = [Some(reply.body.as_str()), reply.location.as_deref()];
        for text in texts.into_iter().flatten() {
            if let Some(member) = error_shown(text) {
                return Err(format!(
                    "the platform showed {user} the {member} of an error response whose iss \
                     is not the recorded issuer ({}: {}): on an iss mismatch MCP clients must \
                     neither act on nor display error, error_description or error_uri \
                     ({SECTION}; RFC 9207 §2.4). The words are another authorization server's \
                     — a mix-up attacker's, who can put a phishing address in them. Check iss \
                     before reading the error, and on a mismatch say only that linking failed",
                    reply.status,
                    short(text)
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_scheme_and_host_are_shouted() {
        assert_eq!(shouted("http://127.0.0.1/cb"), "HTTP://127.0.0.1/cb");
        assert_eq!(
            shouted("https://as.gauntlet.test:8443/t/tenant1"),
            "HTTPS://AS.GAUNTLET.TEST:8443/t/tenant1"
        );
        assert_ne!(shouted("http://127.0.0.1"), "http://127.0.0.1");
    }

    #[test]
    fn each_row_names_itself() {
        let issuer = "http://127.0.0.1";
        assert!(row(Promise::True, None, issuer).starts_with("row 2"));
        assert!(row(Promise::False, None, issuer).starts_with("row 4"));
        assert!(row(Promise::Absent, None, issuer).starts_with("row 4"));
        assert!(row(Promise::True, Some(issuer), issuer).contains("byte for byte"));
        assert!(row(Promise::True, Some("https://a.invalid"), issuer).starts_with("row 1"));
        assert!(row(Promise::False, Some("https://a.invalid"), issuer).starts_with("row 3"));
        let slash = row(Promise::True, Some("http://127.0.0.1/"), issuer);
        assert!(slash.contains("a trailing slash"), "{slash}");
        let case = row(Promise::True, Some("HTTP://127.0.0.1"), issuer);
        assert!(case.contains("case"), "{case}");
    }

    #[test]
    fn the_error_is_found_by_its_description_or_its_code() {
        assert_eq!(error_shown("Linking failed."), None);
        let described = format!("<p>{FOREIGN_DESCRIPTION}</p>");
        assert_eq!(error_shown(&described), Some("error_description"));
        assert_eq!(
            error_shown("the provider answered temporarily_unavailable"),
            Some("error")
        );
    }
}
