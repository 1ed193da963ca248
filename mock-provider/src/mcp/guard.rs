//! Who may call the MCP endpoint: a request with an active access token of the MCP server's
//! authorization server, in the `Authorization` header only (never the query: MCP
//! authorization, token requirements), issued for this endpoint's URL (its audience, RFC 8707
//! §2) and carrying the scopes asked — unless the quirks `mcp_query_token` and
//! `mcp_audience_unchecked` say otherwise. Refusals follow RFC 6750 §3 with RFC 9728 §5.1's
//! `resource_metadata`: 401 with the challenge `mcp.challenge` shapes, 403
//! `insufficient_scope` naming the scopes needed, 400 `invalid_request`.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oauth_vocab::{Finding, Observation};

use crate::endpoints::resource::refused_state;
use crate::error::ErrorCode;
use crate::mcp::metadata;
use crate::mcp_config::McpChallenge;
use crate::params::Params;
use crate::resource_indicator::mcp_resource;
use crate::response::noted;
use crate::state::{AppState, lock};
use crate::store::{TokenKind, TokenRecord, TokenState};

/// A refused MCP request, before it becomes a response (boxed: it travels in `Err`s).
pub(crate) struct Refusal(Box<Refused>);

/// What a [`Refusal`] holds.
struct Refused {
    status: StatusCode,
    code: Option<ErrorCode>,
    description: String,
    finding: Observation,
    client_id: Option<String>,
    /// The scopes to name in the challenge.
    scope: Vec<String>,
}

impl Refusal {
    fn new(
        status: StatusCode,
        code: Option<ErrorCode>,
        description: impl Into<String>,
        finding: impl Into<Observation>,
    ) -> Self {
        Self(Box::new(Refused {
            status,
            code,
            description: description.into(),
            finding: finding.into(),
            client_id: None,
            scope: Vec::new(),
        }))
    }

    /// 403 `insufficient_scope` naming `needed`.
    pub(crate) fn insufficient_scope(record: &TokenRecord, needed: Vec<String>) -> Self {
        let missing: Vec<&str> = (needed.iter())
            .filter(|s| !record.scopes.contains(s))
            .map(String::as_str)
            .collect();
        let mut refusal = Self::new(
            StatusCode::FORBIDDEN,
            Some(ErrorCode::InsufficientScope),
            format!("scope {} is required", missing.join(" ")),
            Observation::detailed(Finding::BearerInsufficientScope, missing.join(" ")),
        );
        refusal.0.client_id = Some(record.client_id.clone());
        refusal.0.scope = needed;
        refusal
    }

    /// The `WWW-Authenticate` value, if one is sent.
    fn challenge(&self, state: &AppState) -> Option<String> {
        let refused = &*self.0;
        let shape = state.config.mcp.challenge;
        let mut params = Vec::new();
        if refused.status == StatusCode::UNAUTHORIZED {
            match shape {
                McpChallenge::None => return None,
                McpChallenge::Bare => {}
                McpChallenge::NoScope => {
                    params.push(format!("resource_metadata=\"{}\"", metadata::url(state)));
                }
                McpChallenge::Full => {
                    params.push(format!("resource_metadata=\"{}\"", metadata::url(state)));
                    let scope = state.config.mcp.scopes.join(" ");
                    if !scope.is_empty() {
                        params.push(format!("scope=\"{scope}\""));
                    }
                }
            }
        } else {
            params.push(format!("resource_metadata=\"{}\"", metadata::url(state)));
            if !refused.scope.is_empty() {
                params.push(format!("scope=\"{}\"", refused.scope.join(" ")));
            }
        }
        if let Some(code) = refused.code {
            params.push(format!("error=\"{code}\""));
            params.push(format!(
                "error_description=\"{}\"",
                refused.description.replace(['"', '\\'], "'")
            ));
        }
        Some(if params.is_empty() {
            "Bearer".to_owned()
        } else {
            format!("Bearer {}", params.join(", "))
        })
    }

    /// The response: the challenge, a JSON body, the journal note.
    pub(crate) fn into_response(self, state: &AppState) -> Response {
        let challenge = self.challenge(state);
        let refused = *self.0;
        let body = match refused.code {
            Some(code) => serde_json::json!({
                "error": code.as_str(),
                "error_description": refused.description,
            }),
            None => serde_json::json!({ "error_description": refused.description }),
        };
        let mut response = (refused.status, axum::Json(body)).into_response();
        if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        noted(
            response,
            refused.client_id.as_deref(),
            vec![refused.finding],
        )
    }
}

/// `invalid_request` (§3.1).
fn malformed(why: &str, finding: Observation) -> Refusal {
    Refusal::new(
        StatusCode::BAD_REQUEST,
        Some(ErrorCode::InvalidRequest),
        why,
        finding,
    )
}

/// The record of the request's token, if it may call the MCP endpoint at all (scopes `mcp.scopes`).
pub(crate) fn admit(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<TokenRecord, Refusal> {
    let query = Params::parse_lossy(query.unwrap_or("").as_bytes());
    let in_query = (query.pairs().iter())
        .find(|(name, _)| name == "access_token")
        .map(|(_, token)| token.clone());
    let token = match in_query {
        // Quirk: a token in the query alone is taken.
        Some(token)
            if state.config.quirks.mcp_query_token
                && !headers.contains_key(header::AUTHORIZATION) =>
        {
            token
        }
        Some(_) => {
            return Err(malformed(
                "an access token must not be sent in the query string; use the Authorization \
                 header",
                Observation::detailed(Finding::BearerPlacementRefused, "query"),
            ));
        }
        None => header_token(headers)?,
    };
    let record = active_record(state, &token)?;
    let needed = state.config.mcp.scopes.clone();
    if needed.iter().any(|s| !record.scopes.contains(s)) {
        return Err(Refusal::insufficient_scope(&record, needed));
    }
    Ok(record)
}

/// The token of the `Authorization: Bearer` header (§2.1).
fn header_token(headers: &HeaderMap) -> Result<String, Refusal> {
    let missing = || {
        Refusal::new(
            StatusCode::UNAUTHORIZED,
            None,
            "an access token is required",
            Finding::BearerMissing,
        )
    };
    let value = headers.get(header::AUTHORIZATION).ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| {
        malformed(
            "Authorization header is not ASCII",
            Finding::BearerMalformed.into(),
        )
    })?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(missing());
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(malformed(
            "the Bearer credential is empty",
            Finding::BearerMalformed.into(),
        ));
    }
    Ok(token.to_owned())
}

/// The record of an active access token of the MCP server's issuer, issued for its URL.
fn active_record(state: &AppState, token: &str) -> Result<TokenRecord, Refusal> {
    let (record, token_state) = lock(&state.stores).token_state(token);
    let owner = record.as_ref().map(|r| r.client_id.clone());
    let invalid = |why: String, finding: Observation| {
        let mut refusal = Refusal::new(
            StatusCode::UNAUTHORIZED,
            Some(ErrorCode::InvalidToken),
            why,
            finding,
        );
        refusal.0.client_id.clone_from(&owner);
        refusal
    };
    let record = match (record, token_state) {
        (Some(r), TokenState::Active) if r.kind == TokenKind::Access => r,
        // Quirk: an expired access token is taken as active.
        (Some(r), TokenState::Expired)
            if state.config.quirks.mcp_expiry_unchecked && r.kind == TokenKind::Access =>
        {
            r
        }
        (Some(_), TokenState::Active) => {
            return Err(invalid(
                "a refresh token is not an access token".into(),
                Finding::BearerRefreshTokenUsed.into(),
            ));
        }
        (_, other) => {
            return Err(invalid(
                format!("the access token is {}", other.describe()),
                refused_state(other).into(),
            ));
        }
    };
    if record.tenant != state.config.mcp.tenant {
        return Err(invalid(
            "the access token was issued by another authorization server".into(),
            Finding::BearerWrongTenant.into(),
        ));
    }
    let resource = mcp_resource(state);
    if !state.config.quirks.mcp_audience_unchecked
        && record.audience.as_deref() != Some(resource.as_str())
    {
        let detail = match &record.audience {
            Some(other) => format!("issued for {other}, not {resource}"),
            None => format!("issued without a resource, not for {resource}"),
        };
        return Err(invalid(
            format!("the access token was not issued for this resource: {detail}"),
            Observation::detailed(Finding::BearerWrongAudience, detail),
        ));
    }
    Ok(record)
}
