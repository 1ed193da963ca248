//! Bearer-protected endpoints: userinfo and the configurable resource API
//! ([RFC 6750](https://www.rfc-editor.org/rfc/rfc6750)), also served, when configured, at a
//! path holding the token as a segment (Kore.ai's "Path Param"). Errors follow §3: 401 with a bare
//! `Bearer` challenge when no token came, `invalid_token`, `insufficient_scope` (403) and
//! `invalid_request` (400).

use axum::body::Bytes;
use axum::extract::{RawPathParams, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oauth_vocab::{Finding, Observation};

use crate::config::BearerPlacement;
use crate::endpoints::Tenant;
use crate::error::ErrorCode;
use crate::markers::BodyTooLarge;
use crate::params::Params;
use crate::response::noted;
use crate::state::{AppState, lock};
use crate::store::{TokenRecord, TokenState};

/// A refused bearer request.
struct BearerError {
    status: StatusCode,
    code: Option<ErrorCode>,
    description: String,
    finding: Finding,
    client_id: Option<String>,
}

impl BearerError {
    fn new(
        status: StatusCode,
        code: Option<ErrorCode>,
        description: impl Into<String>,
        finding: Finding,
    ) -> Self {
        Self {
            status,
            code,
            description: description.into(),
            finding,
            client_id: None,
        }
    }

    fn into_response(self, required_scope: Option<&str>) -> Response {
        let mut challenge = String::from("Bearer realm=\"mock-provider\"");
        if let Some(code) = self.code {
            challenge.push_str(&format!(
                ", error=\"{code}\", error_description=\"{}\"",
                self.description.replace('"', "'")
            ));
            if code == ErrorCode::InsufficientScope
                && let Some(scope) = required_scope
            {
                challenge.push_str(&format!(", scope=\"{scope}\""));
            }
        }
        let body = match self.code {
            Some(code) => {
                serde_json::json!({ "error": code.as_str(), "error_description": self.description })
            }
            None => serde_json::json!({ "error_description": self.description }),
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        noted(
            response,
            self.client_id.as_deref(),
            vec![self.finding.into()],
        )
    }
}

/// A malformed request: `invalid_request` (§3.1).
fn malformed(why: &str) -> BearerError {
    BearerError::new(
        StatusCode::BAD_REQUEST,
        Some(ErrorCode::InvalidRequest),
        why,
        Finding::BearerMalformed,
    )
}

/// Finds the one bearer token in the request, where the configuration allows it (§2); `path`
/// is the token segment of `resource.token_path`, on that route.
fn bearer(
    allowed: &[BearerPlacement],
    headers: &HeaderMap,
    query: &Params,
    form: Option<&Params>,
    path: Option<String>,
) -> Result<(String, BearerPlacement), BearerError> {
    let mut found = Vec::new();
    found.extend(path.map(|token| (token, BearerPlacement::Path)));
    if let Some(token) = header_token(headers)? {
        found.push((token, BearerPlacement::Header));
    }
    found.extend(param_token(allowed, query, BearerPlacement::Query)?);
    if let Some(form) = form {
        found.extend(param_token(allowed, form, BearerPlacement::Body)?);
    }
    match found.len() {
        0 => Err(BearerError::new(
            StatusCode::UNAUTHORIZED,
            None,
            "an access token is required",
            Finding::BearerMissing,
        )),
        1 => Ok(found.remove(0)),
        _ => Err(malformed(
            "the access token was sent in more than one place",
        )),
    }
}

/// The token of a Bearer Authorization header (§2.1), if the request has one.
fn header_token(headers: &HeaderMap) -> Result<Option<String>, BearerError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| malformed("Authorization header is not ASCII"))?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        // Another scheme (Basic, …) carries no access token: the request lacks authentication
        // information, which §3.1 answers without an error code.
        return Ok(None);
    }
    if token.trim().is_empty() {
        return Err(malformed("the Bearer credential is empty"));
    }
    Ok(Some(token.trim().to_owned()))
}

/// The `access_token` parameter of `params` (§2.2, §2.3), refused where the configuration
/// does not allow it.
fn param_token(
    allowed: &[BearerPlacement],
    params: &Params,
    placement: BearerPlacement,
) -> Result<Option<(String, BearerPlacement)>, BearerError> {
    match params.get("access_token") {
        Ok(Some(token)) if allowed.contains(&placement) => Ok(Some((token.to_owned(), placement))),
        Ok(Some(_)) => Err(BearerError::new(
            StatusCode::BAD_REQUEST,
            Some(ErrorCode::InvalidRequest),
            format!("this resource does not accept the access token in the {placement:?}")
                .to_lowercase(),
            Finding::BearerPlacementRefused,
        )),
        Ok(None) => Ok(None),
        Err(_) => Err(malformed("access_token is repeated")),
    }
}

/// What a bearer request brought.
struct Incoming<'a> {
    headers: &'a HeaderMap,
    query: Option<&'a str>,
    body: &'a Bytes,
    too_large: bool,
    /// The token segment of `resource.token_path`, on that route.
    path_token: Option<String>,
}

/// Checks the token and its scope; returns its record.
fn authorize(
    state: &AppState,
    tenant: &Tenant,
    incoming: Incoming<'_>,
    required_scope: Option<&str>,
) -> Result<(TokenRecord, BearerPlacement), BearerError> {
    let Incoming {
        headers,
        query,
        body,
        too_large,
        path_token,
    } = incoming;
    if too_large {
        return Err(malformed("request body is too large"));
    }
    let (query, form) = request_params(headers, query, body)?;
    let (token, placement) = bearer(
        &state.config.resource.bearer_in,
        headers,
        &query,
        form.as_ref(),
        path_token,
    )?;
    let record = active_record(state, tenant, &token)?;
    Ok((with_scope(record, required_scope)?, placement))
}

/// The query's parameters and, for a form body, the body's.
fn request_params(
    headers: &HeaderMap,
    query: Option<&str>,
    body: &Bytes,
) -> Result<(Params, Option<Params>), BearerError> {
    let query = Params::parse(query.unwrap_or("").as_bytes())
        .map_err(|_| malformed("query is not valid UTF-8"))?;
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(crate::params::is_form_content_type);
    let form = if is_form {
        Some(Params::parse(body).map_err(|_| malformed("body is not valid UTF-8"))?)
    } else {
        None
    };
    Ok((query, form))
}

/// The record of `token`, which must be an active access token of `tenant` (§3.1
/// `invalid_token`).
fn active_record(
    state: &AppState,
    tenant: &Tenant,
    token: &str,
) -> Result<TokenRecord, BearerError> {
    let stores = lock(&state.stores);
    let (record, token_state) = stores.token_state(token);
    let owner = record.as_ref().map(|r| r.client_id.clone());
    let invalid = |why: String, finding: Finding| {
        let mut e = BearerError::new(
            StatusCode::UNAUTHORIZED,
            Some(ErrorCode::InvalidToken),
            why,
            finding,
        );
        e.client_id.clone_from(&owner);
        e
    };
    let record = match (record, token_state) {
        (Some(r), TokenState::Active) if r.kind == crate::store::TokenKind::Access => r,
        (Some(_), TokenState::Active) => {
            return Err(invalid(
                "a refresh token is not an access token".into(),
                Finding::BearerRefreshTokenUsed,
            ));
        }
        (_, other) => {
            return Err(invalid(
                format!("the access token is {}", other.describe()),
                refused_state(other),
            ));
        }
    };
    if record.tenant != tenant.0 {
        return Err(invalid(
            "the access token belongs to another tenant".into(),
            Finding::BearerWrongTenant,
        ));
    }
    Ok(record)
}

/// The record, if its token has the `required` scope (§3.1 `insufficient_scope`).
fn with_scope(
    record: TokenRecord,
    required_scope: Option<&str>,
) -> Result<TokenRecord, BearerError> {
    if let Some(required) = required_scope
        && !record.scopes.iter().any(|s| s == required)
    {
        let mut e = BearerError::new(
            StatusCode::FORBIDDEN,
            Some(ErrorCode::InsufficientScope),
            format!("scope {required:?} is required"),
            Finding::BearerInsufficientScope,
        );
        e.client_id = Some(record.client_id);
        return Err(e);
    }
    Ok(record)
}

/// The finding for an access token in a state that cannot be used.
pub(crate) fn refused_state(state: TokenState) -> Finding {
    match state {
        TokenState::Expired => Finding::BearerExpired,
        TokenState::Revoked => Finding::BearerRevoked,
        TokenState::Rotated => Finding::BearerRotated,
        TokenState::Active | TokenState::Unknown => Finding::BearerUnknown,
    }
}

fn placement_findings(placement: BearerPlacement) -> Vec<Observation> {
    let finding = match placement {
        BearerPlacement::Header => return Vec::new(),
        BearerPlacement::Query => Finding::BearerInQuery,
        BearerPlacement::Body => Finding::BearerInBody,
        BearerPlacement::Path => Finding::BearerInPath,
    };
    vec![Observation::detailed(
        finding,
        "token sent outside the authorization header",
    )]
}

/// `GET|POST {userinfo}`: the user's claims.
pub(crate) async fn userinfo(
    State(state): State<AppState>,
    tenant: Tenant,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    request: axum::extract::Request,
) -> Response {
    let too_large = request.extensions().get::<BodyTooLarge>().is_some();
    let body = axum::body::to_bytes(request.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let incoming = Incoming {
        headers: &headers,
        query: query.as_deref(),
        body: &body,
        too_large,
        path_token: None,
    };
    match authorize(&state, &tenant, incoming, None) {
        Ok((record, placement)) => {
            let mut claims = serde_json::json!({ "sub": record.subject });
            if let Some(user) = state
                .config
                .users
                .iter()
                .find(|u| u.sub() == record.subject)
            {
                claims["name"] = user.name.clone().into();
                claims["email"] = user.email.clone().into();
                claims["preferred_username"] = user.username.clone().into();
            }
            let response = (StatusCode::OK, axum::Json(claims)).into_response();
            noted(
                response,
                Some(&record.client_id),
                placement_findings(placement),
            )
        }
        Err(error) => error.into_response(None),
    }
}

/// `ANY {resource.path}`: the protected resource API.
pub(crate) async fn api(
    State(state): State<AppState>,
    tenant: Tenant,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    request: axum::extract::Request,
) -> Response {
    serve_api(
        &state,
        &tenant,
        &method,
        &headers,
        query.as_deref(),
        None,
        request,
    )
    .await
}

/// `ANY {resource.token_path}`: the same API with the access token as a path segment.
pub(crate) async fn api_in_path(
    State(state): State<AppState>,
    tenant: Tenant,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    params: RawPathParams,
    request: axum::extract::Request,
) -> Response {
    let token = params
        .iter()
        .find(|(name, _)| *name == "access_token")
        .map(|(_, value)| value.to_owned());
    serve_api(
        &state,
        &tenant,
        &method,
        &headers,
        query.as_deref(),
        token,
        request,
    )
    .await
}

/// Answers an API request whose token checks out with the token's subject, client and scope.
async fn serve_api(
    state: &AppState,
    tenant: &Tenant,
    method: &Method,
    headers: &HeaderMap,
    query: Option<&str>,
    path_token: Option<String>,
    request: axum::extract::Request,
) -> Response {
    let required = state.config.resource.required_scope.as_deref();
    let too_large = request.extensions().get::<BodyTooLarge>().is_some();
    let body = axum::body::to_bytes(request.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let incoming = Incoming {
        headers,
        query,
        body: &body,
        too_large,
        path_token,
    };
    match authorize(state, tenant, incoming, required) {
        Ok((record, placement)) => {
            let body = serde_json::json!({
                "resource": "mock-provider",
                "method": method.as_str(),
                "sub": record.subject,
                "client_id": record.client_id,
                "scope": record.scopes.join(" "),
                "tenant": record.tenant,
            });
            let response = (StatusCode::OK, axum::Json(body)).into_response();
            noted(
                response,
                Some(&record.client_id),
                placement_findings(placement),
            )
        }
        Err(error) => error.into_response(required),
    }
}
