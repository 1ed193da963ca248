//! Scope strings ([RFC 6749 §3.3](https://www.rfc-editor.org/rfc/rfc6749#section-3.3)):
//! space-delimited, case-sensitive tokens of `%x21 / %x23-5B / %x5D-7E`.

use oauth_vocab::Finding;

use crate::clients::ClientConfig;
use crate::config::UnknownScopes;
use crate::error::{ErrorCode, OAuthError};

/// Splits a scope string into its tokens, refusing characters outside NQCHAR and empty tokens
/// (two spaces in a row).
pub(crate) fn parse(scope: &str) -> Result<Vec<String>, OAuthError> {
    let invalid = |why: String| {
        OAuthError::new(ErrorCode::InvalidScope, why).with_finding(Finding::ScopeMalformed)
    };
    let mut tokens: Vec<String> = Vec::new();
    for token in scope.split(' ') {
        if token.is_empty() {
            return Err(invalid(format!(
                "scope {scope:?} has an empty token (stray space)"
            )));
        }
        if let Some(c) = token
            .chars()
            .find(|&c| !matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E'))
        {
            return Err(invalid(format!(
                "scope token {token:?} contains {c:?}, outside RFC 6749 §3.3"
            )));
        }
        if !tokens.iter().any(|t| t == token) {
            tokens.push(token.to_owned());
        }
    }
    Ok(tokens)
}

/// The scopes to grant a client: the requested ones if it may have them all, or its default
/// scopes when the request names none.
pub(crate) fn for_client(
    client: &ClientConfig,
    requested: Option<&str>,
) -> Result<Vec<String>, OAuthError> {
    resolve(requested, &client.allowed_scopes, client.default_scopes())
}

/// The scopes an authorization request grants its client: as [`for_client`] when unknown scopes
/// are refused; when they are ignored, the requested ones the client may have, or its default
/// scopes when none is left.
pub(crate) fn for_authorization(
    client: &ClientConfig,
    requested: Option<&str>,
    unknown: UnknownScopes,
) -> Result<Vec<String>, OAuthError> {
    match (unknown, requested) {
        (UnknownScopes::Ignore, Some(requested)) => {
            let mut kept = parse(requested)?;
            kept.retain(|s| client.allowed_scopes.contains(s));
            Ok(if kept.is_empty() {
                client.default_scopes().to_vec()
            } else {
                kept
            })
        }
        _ => for_client(client, requested),
    }
}

/// The scopes to grant: the requested ones if all are within `allowed`, or `default` when the
/// request has none.
pub(crate) fn resolve(
    requested: Option<&str>,
    allowed: &[String],
    default: &[String],
) -> Result<Vec<String>, OAuthError> {
    within(requested, allowed, default, |unknown| {
        OAuthError::new(
            ErrorCode::InvalidScope,
            format!("scope {unknown:?} is not allowed for this client"),
        )
        .with_finding(Finding::ScopeNotAllowed)
    })
}

/// The requested scopes if every one is in `bounds`, or `default` when the request has none;
/// else the error `refuse` makes of the first scope out of bounds.
pub(crate) fn within(
    requested: Option<&str>,
    bounds: &[String],
    default: &[String],
    refuse: impl FnOnce(&str) -> OAuthError,
) -> Result<Vec<String>, OAuthError> {
    let Some(requested) = requested else {
        return Ok(default.to_vec());
    };
    let tokens = parse(requested)?;
    match tokens.iter().find(|t| !bounds.contains(t)) {
        Some(outside) => Err(refuse(outside)),
        None => Ok(tokens),
    }
}

/// The space-joined form.
pub(crate) fn join(scopes: &[String]) -> String {
    scopes.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn omitted_scope_means_the_default() {
        let allowed = owned(&["read", "write"]);
        assert_eq!(
            resolve(None, &allowed, &owned(&["read"])).unwrap(),
            owned(&["read"])
        );
    }

    #[test]
    fn scopes_outside_the_allowed_set_are_invalid_scope() {
        let allowed = owned(&["read", "write"]);
        let err = resolve(Some("read admin"), &allowed, &[]).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidScope);
        assert_eq!(
            resolve(Some("write read"), &allowed, &[]).unwrap(),
            owned(&["write", "read"])
        );
    }

    #[test]
    fn scope_tokens_are_case_sensitive_and_well_formed() {
        let allowed = owned(&["read"]);
        assert!(resolve(Some("READ"), &allowed, &[]).is_err());
        assert!(parse("read  write").is_err());
        assert!(parse("a\"b").is_err());
        assert!(parse("r\u{e9}ad").is_err());
    }
}
