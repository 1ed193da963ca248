//! Resource indicators ([RFC 8707](https://www.rfc-editor.org/rfc/rfc8707)), checked when the
//! `[mcp]` table is on: every `resource` is an absolute URI without fragment (§2) that this
//! server knows — its MCP endpoint's URL or one of `mcp.extra_resources` — compared byte for
//! byte but for the case of the scheme and host, which the MCP authorization spec ("Canonical
//! Server URI") says servers SHOULD accept in upper case (accepted, with a finding); a
//! trailing-slash variant is another resource, and earns a finding of its own. The token
//! request names one of the resources the authorization granted (§2.2), which becomes the
//! token's audience.

use oauth_vocab::{Finding, Observation};

use crate::error::{ErrorCode, OAuthError};
use crate::mcp_config::malformed_resource as malformed;
use crate::params::Params;
use crate::state::AppState;

/// The parameter's name.
const RESOURCE: &str = "resource";

/// The parameters a request may repeat: `resource` when the `[mcp]` table is on (§2), else
/// none, as before.
pub(crate) fn repeatable(state: &AppState) -> &'static [&'static str] {
    if state.config.mcp.enabled {
        &[RESOURCE]
    } else {
        &[]
    }
}

/// The MCP endpoint's URL: its resource identifier ([RFC 9728 §2](https://www.rfc-editor.org/rfc/rfc9728#section-2)).
pub(crate) fn mcp_resource(state: &AppState) -> String {
    format!("{}{}", state.base_url, state.config.mcp.path)
}

/// Whether this server issues tokens for `value`, byte for byte.
fn is_known(state: &AppState, value: &str) -> bool {
    value == mcp_resource(state) || state.config.mcp.extra_resources.iter().any(|r| r == value)
}

/// The known resource `value` names with its scheme and host in lower case, if that is not
/// `value` itself.
fn case_twin(state: &AppState, value: &str) -> Option<String> {
    let lowered = lower_scheme_and_host(value)?;
    (lowered != value && is_known(state, &lowered)).then_some(lowered)
}

/// `value` with its scheme and authority (`scheme://authority`) in lower case and the rest as
/// it is; `None` for a value without `://`.
fn lower_scheme_and_host(value: &str) -> Option<String> {
    let (scheme, rest) = value.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    Some(format!(
        "{}://{}{tail}",
        scheme.to_ascii_lowercase(),
        authority.to_ascii_lowercase()
    ))
}

/// The known resource `value` differs from only by a trailing slash, if any.
fn slash_twin(state: &AppState, value: &str) -> Option<String> {
    let twin = match value.strip_suffix('/') {
        Some(stripped) => stripped.to_owned(),
        None => format!("{value}/"),
    };
    is_known(state, &twin).then_some(twin)
}

/// `invalid_target` with its finding.
fn invalid_target(description: String, finding: Observation) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidTarget, description).with_finding(finding)
}

/// The `resource` parameters of a request, each checked (§2); empty when the `[mcp]` table is
/// off (the parameter is then ignored, as before). A request without one is refused under
/// `mcp.require_resource`, else noted.
pub(crate) fn requested(
    state: &AppState,
    params: &Params,
    findings: &mut Vec<Observation>,
) -> Result<Vec<String>, OAuthError> {
    let mcp = &state.config.mcp;
    if !mcp.enabled {
        return Ok(Vec::new());
    }
    let values = params.all(RESOURCE);
    if values.is_empty() {
        let missing = Observation::detailed(Finding::ResourceMissing, "no resource parameter");
        if mcp.require_resource {
            return Err(invalid_target("resource is missing".into(), missing));
        }
        findings.push(missing);
    }
    let mut resources: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        if let Some(why) = malformed(value) {
            return Err(invalid_target(
                format!("resource {value:?} is not a valid resource indicator: {why}"),
                Observation::detailed(Finding::ResourceMalformed, why),
            ));
        }
        let value = match case_twin(state, value) {
            Some(canonical) => {
                findings.push(Observation::detailed(
                    Finding::ResourceNotCanonical,
                    format!("{value} is {canonical} with an upper-case scheme or host"),
                ));
                canonical
            }
            None => value.to_owned(),
        };
        let value = value.as_str();
        if !is_known(state, value) {
            return Err(match slash_twin(state, value) {
                Some(twin) => invalid_target(
                    format!(
                        "resource {value:?} is unknown: resources compare byte for byte, and it \
                         differs from {twin:?} only by a trailing slash"
                    ),
                    Observation::detailed(
                        Finding::ResourceTrailingSlash,
                        format!("{value} is not {twin}"),
                    ),
                ),
                None => invalid_target(
                    format!("resource {value:?} is unknown to this server"),
                    Observation::detailed(Finding::ResourceUnknown, value),
                ),
            });
        }
        if !resources.iter().any(|r| r == value) {
            resources.push(value.to_owned());
        }
    }
    Ok(resources)
}

/// The audience of the token a token request asks for (§2.2): the one resource it names, which
/// must be among those `granted` (when the authorization named any), or else the single one
/// granted. Several resources in one token request are refused: this server's tokens have one
/// audience.
pub(crate) fn audience(
    state: &AppState,
    granted: &[String],
    params: &Params,
    findings: &mut Vec<Observation>,
) -> Result<Option<String>, OAuthError> {
    let mut requested = requested(state, params, findings)?;
    if requested.len() > 1 {
        return Err(OAuthError::new(
            ErrorCode::InvalidTarget,
            "this server issues a token for one resource at a time; name one",
        ));
    }
    match (requested.pop(), granted) {
        (Some(one), []) => Ok(Some(one)),
        (Some(one), granted) if granted.contains(&one) => Ok(Some(one)),
        (Some(one), granted) => Err(invalid_target(
            format!(
                "resource {one:?} was not granted; the authorization request named {}",
                granted.join(" ")
            ),
            Observation::detailed(Finding::ResourceMismatch, one),
        )),
        (None, [only]) => Ok(Some(only.clone())),
        (None, []) => Ok(None),
        (None, _) => Err(OAuthError::new(
            ErrorCode::InvalidTarget,
            "the grant covers several resources; name the one this token is for",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::lower_scheme_and_host;

    #[test]
    fn only_the_scheme_and_the_host_are_lowered() {
        assert_eq!(
            lower_scheme_and_host("HTTPS://MCP.Example.TEST:8443/Path/MCP?Q=A").as_deref(),
            Some("https://mcp.example.test:8443/Path/MCP?Q=A")
        );
        assert_eq!(
            lower_scheme_and_host("HTTP://MCP.EXAMPLE.TEST").as_deref(),
            Some("http://mcp.example.test")
        );
        assert_eq!(lower_scheme_and_host("urn:example:MCP"), None);
    }
}
