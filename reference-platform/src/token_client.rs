//! The token endpoint client: the code exchange ([RFC 6749 §4.1.3]) with the PKCE verifier, the
//! refresh grant (§6), the client credentials grant (§4.4), revocation ([RFC 7009]), client authentication (§2.3), and strict
//! reading of token responses (§5.1, §5.2). One request per call: never a retry (unless the
//! `retry_storm` defect is on; each [`Defect`] here breaks the rule it names).
//!
//! [RFC 6749 §4.1.3]: https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
//! [RFC 7009]: https://www.rfc-editor.org/rfc/rfc7009

use reqwest::header::{self, HeaderValue};
use serde_json::Value;
use url::Url;
use url::form_urlencoded::Serializer;

use crate::config::{AuthMethod, is_scope_token};
use crate::defects::{Defect, Defects};
use crate::http::{BodyError, describe_transport, read_limited};
use oauth_vocab::{Secret, basic};

/// Tokens from a successful token response.
#[derive(Debug, Clone)]
pub(crate) struct TokenSet {
    pub(crate) access_token: Secret,
    pub(crate) refresh_token: Option<Secret>,
    /// The granted scope when the response names one ([RFC 6749 §5.1]).
    ///
    /// [RFC 6749 §5.1]: https://www.rfc-editor.org/rfc/rfc6749#section-5.1
    pub(crate) scope: Option<String>,
}

/// Why a token request gave no tokens. The text names no secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TokenError {
    /// No answer: timeout, connection refused or dropped.
    #[error("the token endpoint {0}")]
    Transport(String),
    /// An error answer, with its OAuth error code when it had one.
    #[error("the token endpoint refused the request ({})", .error.as_deref().map_or_else(|| format!("HTTP {status}"), |e| format!("{e}, HTTP {status}")))]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The `error` member of a JSON error body.
        error: Option<String>,
    },
    /// A 200 answer that is not a usable token response.
    #[error("the token endpoint sent an unusable response: {0}")]
    Malformed(&'static str),
}

/// What a revocation request achieved ([RFC 7009 §2.2](https://www.rfc-editor.org/rfc/rfc7009#section-2.2)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RevokeOutcome {
    /// 200: revoked (or already invalid).
    Revoked,
    /// 400 `unsupported_token_type`: the server does not revoke this kind of token.
    UnsupportedTokenType,
    /// Anything else.
    Failed(String),
}

/// Talks to the token and revocation endpoints as one registered client.
#[derive(Debug, Clone)]
pub(crate) struct TokenClient {
    http: reqwest::Client,
    token_endpoint: Url,
    revocation_endpoint: Option<Url>,
    client_id: String,
    secret: Option<Secret>,
    method: AuthMethod,
    defects: Defects,
    /// The `resource` of every code exchange and refresh (RFC 8707 §2; the MCP shape).
    resource: Option<String>,
}

impl TokenClient {
    pub(crate) fn new(
        http: reqwest::Client,
        token_endpoint: Url,
        revocation_endpoint: Option<Url>,
        client_id: String,
        secret: Option<Secret>,
        method: AuthMethod,
        defects: Defects,
    ) -> Self {
        Self {
            http,
            token_endpoint,
            revocation_endpoint,
            client_id,
            secret,
            method,
            defects,
            resource: None,
        }
    }

    /// The same client talking to another token endpoint (the `refresh_at_guessed_endpoint`
    /// defect).
    pub(crate) fn at_token_endpoint(&self, token_endpoint: Url) -> Self {
        Self {
            token_endpoint,
            ..self.clone()
        }
    }

    /// Sends `resource` in every code exchange and refresh ([RFC 8707 §2.2]).
    ///
    /// [RFC 8707 §2.2]: https://www.rfc-editor.org/rfc/rfc8707#section-2.2
    pub(crate) fn with_resource(mut self, resource: Option<String>) -> Self {
        self.resource = resource;
        self
    }

    /// Whether the provider advertises a revocation endpoint.
    pub(crate) fn can_revoke(&self) -> bool {
        self.revocation_endpoint.is_some()
    }

    /// Redeems an authorization code with the verifier and the identical redirect URI. `codes`
    /// holds the one code, or (the `repeated_code_forwarded` defect) every code the callback
    /// carried, each sent as a `code` parameter.
    pub(crate) async fn exchange_code(
        &self,
        codes: &[&str],
        redirect_uri: &str,
        verifier: &Secret,
    ) -> Result<TokenSet, TokenError> {
        let drifted = format!("{redirect_uri}/");
        let redirect_uri = if self.defects.has(Defect::RedirectUriDrift) {
            &drifted
        } else {
            redirect_uri
        };
        let mut params = vec![("grant_type", "authorization_code")];
        params.extend(codes.iter().map(|code| ("code", *code)));
        params.extend([
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier.expose()),
        ]);
        if let Some(resource) = &self.resource {
            params.push(("resource", resource));
        }
        let first = self.token_request(&params).await;
        if self.defects.has(Defect::CodeRedeemedTwice) {
            let _ = self.token_request(&params).await;
        }
        first
    }

    /// Uses a refresh token ([RFC 6749 §6]); no `scope`, so never a wider one.
    ///
    /// [RFC 6749 §6]: https://www.rfc-editor.org/rfc/rfc6749#section-6
    pub(crate) async fn refresh(&self, refresh_token: &Secret) -> Result<TokenSet, TokenError> {
        let mut params = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ];
        if let Some(resource) = &self.resource {
            params.push(("resource", resource));
        }
        self.token_request(&params).await
    }

    /// Obtains a token for the client itself ([RFC 6749 §4.4]), authenticated like every token
    /// request: a service account, with no refresh token (§4.4.3).
    ///
    /// [RFC 6749 §4.4]: https://www.rfc-editor.org/rfc/rfc6749#section-4.4
    pub(crate) async fn client_credentials(
        &self,
        scopes: &[String],
    ) -> Result<TokenSet, TokenError> {
        let scope = scopes.join(" ");
        let mut params = vec![("grant_type", "client_credentials")];
        if !scope.is_empty() {
            params.push(("scope", &scope));
        }
        self.token_request(&params).await
    }

    /// Revokes a token with its type hint.
    pub(crate) async fn revoke(&self, token: &Secret, hint: &str) -> RevokeOutcome {
        let Some(endpoint) = &self.revocation_endpoint else {
            return RevokeOutcome::Failed("no revocation endpoint".into());
        };
        let params = [("token", token.expose()), ("token_type_hint", hint)];
        let response = match self.post(endpoint, &params).await {
            Ok(response) => response,
            Err(e) => {
                return RevokeOutcome::Failed(format!(
                    "the revocation endpoint {}",
                    describe_transport(&e)
                ));
            }
        };
        let status = response.status().as_u16();
        let body = read_limited(response).await.unwrap_or_default();
        match (status, error_code(&body).as_deref()) {
            (200, _) => RevokeOutcome::Revoked,
            (400, Some("unsupported_token_type")) => RevokeOutcome::UnsupportedTokenType,
            (status, error) => RevokeOutcome::Failed(format!(
                "the revocation endpoint answered HTTP {status}{}",
                error.map(|e| format!(" ({e})")).unwrap_or_default()
            )),
        }
    }

    async fn token_request(&self, params: &[(&str, &str)]) -> Result<TokenSet, TokenError> {
        let mut result = self.token_request_once(params).await;
        if self.defects.has(Defect::RetryStorm) {
            for _ in 0..5 {
                if result.is_ok() {
                    break;
                }
                result = self.token_request_once(params).await;
            }
        }
        result
    }

    async fn token_request_once(&self, params: &[(&str, &str)]) -> Result<TokenSet, TokenError> {
        let response = self
            .post(&self.token_endpoint, params)
            .await
            .map_err(|e| TokenError::Transport(describe_transport(&e)))?;
        let status = response.status().as_u16();
        let body = read_limited(response).await.map_err(|e| match e {
            BodyError::TooLarge => TokenError::Malformed("the response is too large"),
            BodyError::Transport(why) => TokenError::Transport(why),
        })?;
        parse_token_response(status, &body, &self.defects)
    }

    /// POSTs a form with the client's authentication.
    async fn post(
        &self,
        url: &Url,
        params: &[(&str, &str)],
    ) -> Result<reqwest::Response, reqwest::Error> {
        let (body, authorization) = self.authenticated_form(params);
        let mut url = url.clone();
        if self.defects.has(Defect::SecretInQuery) {
            url.query_pairs_mut()
                .append_pair("client_id", &self.client_id)
                .append_pair(
                    "client_secret",
                    self.secret.as_ref().map_or("", |s| s.expose()),
                );
        }
        let (content_type, body) = if self.defects.has(Defect::JsonTokenRequest) {
            let object: serde_json::Map<String, Value> =
                url::form_urlencoded::parse(body.as_bytes())
                    .map(|(n, v)| (n.into_owned(), Value::String(v.into_owned())))
                    .collect();
            ("application/json", Value::Object(object).to_string())
        } else {
            ("application/x-www-form-urlencoded", body)
        };
        let mut request = self
            .http
            .post(url)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCEPT, "application/json");
        if let Some(authorization) = authorization {
            request = request.header(header::AUTHORIZATION, authorization);
        }
        if self.defects.has(Defect::NoTokenTimeout) {
            request = request.timeout(std::time::Duration::from_secs(3600));
        }
        request.body(body).send().await
    }

    /// The form body and the `Authorization` header for the client's authentication method.
    fn authenticated_form(&self, params: &[(&str, &str)]) -> (String, Option<HeaderValue>) {
        let mut form = Serializer::new(String::new());
        form.extend_pairs(params);
        let mut authorization = None;
        let method =
            if self.defects.has(Defect::NoClientAuth) || self.defects.has(Defect::SecretInQuery) {
                AuthMethod::None
            } else {
                self.method
            };
        match (method, &self.secret) {
            (AuthMethod::ClientSecretBasic, Some(secret)) => {
                let header = if self.defects.has(Defect::BasicNotFormEncoded) {
                    basic::encode_raw(&self.client_id, secret.expose())
                } else {
                    basic::encode(&self.client_id, secret.expose())
                };
                if let Ok(mut value) = HeaderValue::from_str(&header) {
                    value.set_sensitive(true);
                    authorization = Some(value);
                }
            }
            (AuthMethod::ClientSecretPost, Some(secret)) => {
                form.append_pair("client_id", &self.client_id);
                form.append_pair("client_secret", secret.expose());
            }
            // A public client identifies itself in the body (RFC 6749 §3.2.1).
            _ => {
                form.append_pair("client_id", &self.client_id);
            }
        }
        (form.finish(), authorization)
    }
}

/// Reads a token response strictly: 200 and a JSON object with a string `access_token` and a
/// `token_type` of `Bearer` in any case; `expires_in` optional; unknown members ignored.
pub(crate) fn parse_token_response(
    status: u16,
    body: &[u8],
    defects: &Defects,
) -> Result<TokenSet, TokenError> {
    if status != 200 {
        return Err(TokenError::Rejected {
            status,
            error: error_code(body),
        });
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|_| TokenError::Malformed("the body is not JSON"))?;
    let object = value
        .as_object()
        .ok_or(TokenError::Malformed("the body is not a JSON object"))?;
    let access_token = match object.get("access_token") {
        Some(Value::String(t)) if is_token_text(t) => Secret::new(t.clone()),
        Some(Value::String(_)) => return Err(TokenError::Malformed("access_token is not usable")),
        Some(_) => return Err(TokenError::Malformed("access_token is not a string")),
        None => return Err(TokenError::Malformed("access_token is missing")),
    };
    match object.get("token_type") {
        Some(Value::String(t)) if defects.has(Defect::TokenTypeCaseSensitive) && t != "Bearer" => {
            return Err(TokenError::Malformed("token_type is not Bearer"));
        }
        _ if defects.has(Defect::UnknownTokenTypeAccepted) => {}
        Some(Value::String(t)) if t.eq_ignore_ascii_case("bearer") => {}
        Some(_) => return Err(TokenError::Malformed("token_type is not Bearer")),
        None => return Err(TokenError::Malformed("token_type is missing")),
    }
    if defects.has(Defect::ExpiresInRequired) && !object.contains_key("expires_in") {
        return Err(TokenError::Malformed("expires_in is missing"));
    }
    const KNOWN: [&str; 5] = [
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "scope",
    ];
    if defects.has(Defect::UnknownMembersRejected)
        && object.keys().any(|k| !KNOWN.contains(&k.as_str()))
    {
        return Err(TokenError::Malformed("the response has unknown members"));
    }
    let refresh_token = match object.get("refresh_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if is_token_text(t) => Some(Secret::new(t.clone())),
        Some(_) => return Err(TokenError::Malformed("refresh_token is not usable")),
    };
    let scope = match object.get("scope") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.split(' ').filter(|t| !t.is_empty()).all(is_scope_token) => {
            Some(
                s.split(' ')
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        }
        Some(_) => return Err(TokenError::Malformed("scope is not a list of scope tokens")),
    };
    Ok(TokenSet {
        access_token,
        refresh_token,
        scope,
    })
}

/// A token the platform can put in a header: visible ASCII, not empty.
fn is_token_text(token: &str) -> bool {
    !token.is_empty() && token.len() <= 8192 && token.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// The `error` member of a JSON error body, if it holds only the characters RFC 6749 §5.2
/// allows (so that it is safe to show).
pub(crate) fn error_code(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let code = value.get("error")?.as_str()?;
    is_error_code(code).then(|| code.to_owned())
}

/// `error = 1*( %x20-21 / %x23-5B / %x5D-7E )`, at most 64 characters.
pub(crate) fn is_error_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code.bytes().all(|b| {
            (0x20..=0x21).contains(&b) || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> Result<TokenSet, TokenError> {
        parse_token_response(200, body.as_bytes(), &Defects::none())
    }

    #[test]
    fn token_type_is_compared_case_insensitively() {
        for token_type in ["Bearer", "bearer", "BEARER"] {
            let body = format!(r#"{{"access_token":"at","token_type":"{token_type}"}}"#);
            assert!(ok(&body).is_ok(), "{token_type}");
        }
        assert_eq!(
            ok(r#"{"access_token":"at","token_type":"mac"}"#).unwrap_err(),
            TokenError::Malformed("token_type is not Bearer")
        );
    }

    #[test]
    fn missing_expires_in_and_unknown_members_are_fine() {
        let set =
            ok(r#"{"access_token":"at","token_type":"Bearer","x":{"y":1},"team":"t"}"#).unwrap();
        assert_eq!(set.access_token.expose(), "at");
        assert!(set.refresh_token.is_none());
        assert!(set.scope.is_none());
    }

    #[test]
    fn a_granted_scope_is_kept() {
        let set = ok(r#"{"access_token":"at","token_type":"Bearer","scope":"read  profile","refresh_token":"rt","expires_in":3600}"#).unwrap();
        assert_eq!(set.scope.as_deref(), Some("read profile"));
        assert_eq!(set.refresh_token.unwrap().expose(), "rt");
    }

    #[test]
    fn unusable_responses_are_refused() {
        for body in [
            "",
            "not json",
            r#"{"access_token": "at_truncated", "token_ty"#,
            "[]",
            r#"{"token_type":"Bearer"}"#,
            r#"{"access_token":"","token_type":"Bearer"}"#,
            r#"{"access_token":"a b","token_type":"Bearer"}"#,
            r#"{"access_token":7,"token_type":"Bearer"}"#,
            r#"{"access_token":"at"}"#,
            r#"{"access_token":"at","token_type":"Bearer","refresh_token":5}"#,
            r#"{"access_token":"at","token_type":"Bearer","scope":["read"]}"#,
        ] {
            assert!(matches!(ok(body), Err(TokenError::Malformed(_))), "{body}");
        }
    }

    #[test]
    fn error_answers_keep_their_code() {
        let err = parse_token_response(
            400,
            br#"{"error":"invalid_grant","error_description":"x"}"#,
            &Defects::none(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            TokenError::Rejected {
                status: 400,
                error: Some("invalid_grant".into())
            }
        );
        assert_eq!(
            err.to_string(),
            "the token endpoint refused the request (invalid_grant, HTTP 400)"
        );
        let err = parse_token_response(500, b"oops", &Defects::none()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the token endpoint refused the request (HTTP 500)"
        );
        assert_eq!(
            error_code(br#"{"error":"<script>"}"#).as_deref(),
            Some("<script>")
        );
        assert_eq!(error_code(br#"{"error":"a\"b"}"#), None);
    }
}
