//! The world of one provider scenario: Gauntlet plays a client of the server under test — it
//! builds an authorization request (then bends it as the scenario says), drives a browser
//! through the server's pages, and calls the token, revocation, introspection and resource
//! endpoints. Every request is evidence.

use std::sync::Arc;

use mock_provider::AuthMethod;
use mock_provider::pkce::{generate_verifier, s256_challenge};
use oauth_vocab::Secret;

use super::context::{self, ProviderContext};
use super::driver::{Driver, Journey, Press};
use super::profile::Registration;
use crate::report::{Exchange, Party};
use crate::suite::browser::{Browser, Evidence, Outgoing, Reply, exchange};

/// A step's failure, with the explanation shown in reports.
pub type StepResult = Result<(), String>;

/// Which of the profile's clients acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The confidential client.
    Main,
    /// The public client.
    Public,
    /// The second confidential client.
    Other,
    /// The public client identified by a Client ID Metadata Document.
    Document,
}

/// An authorization request being built.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    /// The client it is for.
    pub role: Role,
    /// Its parameters, in order (repeats allowed).
    pub params: Vec<(String, String)>,
    /// The PKCE verifier behind its challenge, if any.
    pub verifier: Option<Secret>,
}

impl AuthRequest {
    /// A parameter's first value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets a parameter (replacing every value it had), keeping its place.
    pub fn set(&mut self, name: &str, value: &str) {
        match self.params.iter().position(|(n, _)| n == name) {
            Some(i) => {
                self.params[i].1 = value.to_owned();
                let mut seen = false;
                self.params
                    .retain(|(n, _)| n != name || !std::mem::replace(&mut seen, true));
            }
            None => self.params.push((name.to_owned(), value.to_owned())),
        }
    }

    /// Removes a parameter.
    pub fn remove(&mut self, name: &str) {
        self.params.retain(|(n, _)| n != name);
    }

    /// Adds what earns a refresh token at this server: its scope to the requested ones, its
    /// parameters.
    pub fn earn_refresh(&mut self, how: &crate::provider::profile::RefreshRequest) {
        if let Some(extra) = &how.scope {
            let scope = match self.param("scope") {
                Some(scope) if scope.split(' ').any(|s| s == extra) => scope.to_owned(),
                Some(scope) if !scope.is_empty() => format!("{scope} {extra}"),
                _ => extra.clone(),
            };
            self.set("scope", &scope);
        }
        for (name, value) in &how.params {
            self.set(name, value);
        }
    }
}

/// A code the server issued, with what redeeming it needs.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The client it was issued to.
    pub role: Role,
    /// The code.
    pub code: Secret,
    /// The verifier, if the request had a challenge.
    pub verifier: Option<Secret>,
    /// The redirect_uri of the request, if it had one.
    pub redirect_uri: Option<String>,
}

impl Grant {
    /// The token request that redeems it, without client authentication.
    pub fn redemption_form(&self) -> Vec<(String, String)> {
        let mut form = vec![
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("code".to_owned(), self.code.expose().to_owned()),
        ];
        if let Some(uri) = &self.redirect_uri {
            form.push(("redirect_uri".into(), uri.clone()));
        }
        if let Some(verifier) = &self.verifier {
            form.push(("code_verifier".into(), verifier.expose().to_owned()));
        }
        form
    }
}

/// Tokens from one successful token response.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// The access token.
    pub access: Secret,
    /// The refresh token, if any.
    pub refresh: Option<Secret>,
    /// The scope the response stated.
    pub scope: Option<String>,
}

/// What an MCP scenario read of the MCP server and its authorization server.
#[derive(Debug, Clone, Default)]
pub struct McpSeen {
    /// The protected-resource metadata, with the URL it was read at.
    pub resource_metadata: Option<(String, serde_json::Value)>,
    /// The authorization server's metadata, with the name the protected-resource metadata
    /// gave it and the URL it was read at.
    pub server_metadata: Option<(String, String, serde_json::Value)>,
    /// The token last presented to the MCP server, in words (`an invalid token`).
    pub presented: Option<String>,
}

/// The scenario's world.
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct ProviderWorld {
    /// The run's shared context.
    pub ctx: Arc<ProviderContext>,
    /// Every exchange of the scenario.
    pub evidence: Evidence,
    http: reqwest::Client,
    driver: Driver,
    /// The authorization request being built.
    pub request: Option<AuthRequest>,
    /// The last journey through the server's pages.
    pub journey: Option<Journey>,
    /// The last code issued.
    pub grant: Option<Grant>,
    /// Tokens in the order they were issued.
    pub tokens: Vec<Tokens>,
    /// The last answer of the token, revocation, introspection or resource endpoint.
    pub last: Option<Reply>,
    /// The metadata as fetched in this scenario.
    pub metadata: Option<Reply>,
    /// What an MCP scenario read.
    pub mcp: McpSeen,
}

impl std::fmt::Debug for ProviderWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print codes or tokens.
        f.debug_struct("ProviderWorld")
            .field("request", &self.request.as_ref().map(|r| r.role))
            .field("tokens", &self.tokens.len())
            .finish_non_exhaustive()
    }
}

impl crate::suite::Recorded for ProviderWorld {
    fn exchanges(&self) -> Vec<Exchange> {
        self.evidence.exchanges()
    }

    fn outcomes(&self) -> &crate::suite::Outcomes {
        &self.ctx.outcomes
    }

    /// The scenario's last exchange with the server when it was a 5xx or got no answer.
    /// Asked when a step failed, so that exchange is the last answer the scenario saw before
    /// the failure — the one the failing step judged (a step that failed on an earlier,
    /// correct answer has a later correct answer here, and stays a failure).
    fn server_error(&self) -> Option<String> {
        server_error(&self.evidence.exchanges())
    }
}

/// `exchanges`' last exchange with the server in words, when it was a server error (5xx) or
/// got no answer at all (a dropped connection, a timeout): `the server answered 500 to POST
/// URL (BODY)`, `the server did not answer POST URL (WHY)`.
fn server_error(exchanges: &[Exchange]) -> Option<String> {
    let last = exchanges.iter().rev().find(|e| e.to == Party::Provider)?;
    let request = format!("{} {}", last.method, last.url);
    match last.status {
        None => Some(format!(
            "the server did not answer {request} ({})",
            last.note.as_deref().unwrap_or("no response")
        )),
        Some(status) if status >= 500 => {
            let body = last
                .response_body
                .as_deref()
                .map(crate::suite::browser::short)
                .filter(|b| !b.is_empty())
                .map_or_else(|| "an empty body".to_owned(), |b| format!("{b:?}"));
            Some(format!(
                "the server answered {status} to {request} ({body})"
            ))
        }
        Some(_) => None,
    }
}

impl ProviderWorld {
    /// A fresh world of the provider run this task belongs to ([`context::scope`]).
    pub(crate) fn new() -> Self {
        let ctx = context::current();
        let evidence = Evidence::new(ctx.reveal_secrets);
        let http = ctx
            .trust
            .client()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(ctx.request_timeout())
            .build()
            .expect("an HTTP client with defaults builds");
        let browser = Browser::new(
            evidence.clone(),
            &ctx.profile.client.redirect_uri,
            ctx.request_timeout(),
            &ctx.trust,
        )
        .max_body_bytes(ctx.max_body_bytes);
        let e = &ctx.endpoints;
        let driver = Driver::new(
            browser,
            ctx.profile.login.clone(),
            &[&e.authorization, &e.token],
        );
        Self {
            ctx,
            evidence,
            http,
            driver,
            request: None,
            journey: None,
            grant: None,
            tokens: Vec::new(),
            last: None,
            metadata: None,
            mcp: McpSeen::default(),
        }
    }

    /// The registration of a client role.
    pub fn registration(&self, role: Role) -> Result<&Registration, String> {
        let p = &self.ctx.profile;
        match role {
            Role::Main => Some(&p.client),
            Role::Public => p.public_client.as_ref(),
            Role::Other => p.other_client.as_ref(),
            Role::Document => p.document_client.as_ref(),
        }
        .ok_or_else(|| format!("the profile has no {role:?} client"))
    }

    /// A fresh, correct authorization request for `role`: response_type, client_id,
    /// redirect_uri, scope, a random state, an S256 challenge, and the profile's extra
    /// parameters.
    pub fn new_request(&mut self, role: Role) -> Result<&mut AuthRequest, String> {
        let client = self.registration(role)?.clone();
        let verifier = generate_verifier();
        let mut params = vec![
            ("response_type".to_owned(), "code".to_owned()),
            ("client_id".to_owned(), client.client_id.clone()),
            ("redirect_uri".to_owned(), client.redirect_uri.clone()),
        ];
        if !client.scope.is_empty() {
            params.push(("scope".into(), client.scope.clone()));
        }
        params.push(("state".into(), crate::suite::random::token("st_")));
        params.push(("code_challenge".into(), s256_challenge(&verifier)));
        params.push(("code_challenge_method".into(), "S256".into()));
        params.extend(client.extra_params.clone());
        Ok(self.request.insert(AuthRequest {
            role,
            params,
            verifier: Some(Secret::new(verifier)),
        }))
    }

    /// The request being built.
    pub fn request_mut(&mut self) -> Result<&mut AuthRequest, String> {
        self.request
            .as_mut()
            .ok_or_else(|| "no authorization request was built".to_owned())
    }

    /// The authorization URL for the request being built.
    pub fn authorization_url(&self) -> Result<String, String> {
        let request = self
            .request
            .as_ref()
            .ok_or("no authorization request was built")?;
        let mut url = self.ctx.endpoints.authorization.clone();
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &request.params {
            query.append_pair(name, value);
        }
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query.finish());
        Ok(url)
    }

    /// Sends the browser to the authorization URL and through the server's pages; a code in
    /// the answer becomes the scenario's grant.
    pub async fn authorize(&mut self, press: Press) -> StepResult {
        let url = self.authorization_url()?;
        let journey = self.driver.authorize(&url, press).await?;
        let request = self
            .request
            .clone()
            .ok_or("no authorization request was built")?;
        if let Some(code) = journey.arrival.param("code") {
            self.grant = Some(Grant {
                role: request.role,
                code: Secret::new(code),
                verifier: request
                    .verifier
                    .clone()
                    .filter(|_| request.param("code_challenge").is_some()),
                redirect_uri: request.param("redirect_uri").map(str::to_owned),
            });
        }
        self.journey = Some(journey);
        Ok(())
    }

    /// The last journey.
    pub fn journey(&self) -> Result<&Journey, String> {
        self.journey
            .as_ref()
            .ok_or_else(|| "the browser was not sent to the authorization endpoint".to_owned())
    }

    /// The last grant.
    pub fn grant(&self) -> Result<&Grant, String> {
        self.grant.as_ref().ok_or_else(|| match &self.journey {
            Some(j) => format!("the server issued no code: {}", j.arrival.describe()),
            None => "no code was obtained".to_owned(),
        })
    }

    /// Sends a form to an endpoint as `role` authenticates (`auth` overrides the method;
    /// `secret` overrides the secret), records it, and keeps the answer as `last`.
    pub async fn post_form(
        &mut self,
        url: &str,
        role: Role,
        auth: Option<AuthMethod>,
        secret: Option<&str>,
        form: Vec<(String, String)>,
    ) -> Result<Reply, String> {
        let client = self.registration(role)?.clone();
        let secret = secret
            .map(str::to_owned)
            .or(client.client_secret.as_ref().map(|s| s.expose().to_owned()))
            .unwrap_or_default();
        // A client without a secret is public: it identifies itself, nothing more.
        let method = auth.unwrap_or(if client.client_secret.is_none() {
            AuthMethod::None
        } else {
            client.auth_method
        });
        self.post_form_as(url, &client.client_id, &secret, method, form)
            .await
    }

    /// Sends a form to an endpoint as client `client_id` with `secret` by `method`, records
    /// it, and keeps the answer as `last`.
    pub async fn post_form_as(
        &mut self,
        url: &str,
        client_id: &str,
        secret: &str,
        method: AuthMethod,
        mut form: Vec<(String, String)>,
    ) -> Result<Reply, String> {
        let mut authorization = None;
        match method {
            AuthMethod::ClientSecretBasic => {
                authorization = Some(oauth_vocab::basic::encode(client_id, secret));
            }
            AuthMethod::ClientSecretPost => {
                form.push(("client_id".into(), client_id.to_owned()));
                form.push(("client_secret".into(), secret.to_owned()));
            }
            AuthMethod::None => form.push(("client_id".into(), client_id.to_owned())),
        }
        let mut body = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &form {
            body.append_pair(name, value);
        }
        let body = body.finish();
        let mut headers = vec![("accept", "application/json")];
        if let Some(value) = &authorization {
            headers.push(("authorization", value.as_str()));
        }
        let body = ("application/x-www-form-urlencoded", body.as_str());
        self.post(url, &headers, body).await
    }

    /// POSTs `body` as JSON from Gauntlet's client with `headers`, records it, and keeps the
    /// answer as `last`.
    pub async fn post_json(
        &mut self,
        url: &str,
        headers: &[(&str, &str)],
        body: &serde_json::Value,
    ) -> Result<Reply, String> {
        let body = body.to_string();
        self.post(url, headers, ("application/json", &body)).await
    }

    /// POSTs `body` (its content type and text) from Gauntlet's client, records it, and keeps
    /// the answer as `last`.
    async fn post(
        &mut self,
        url: &str,
        headers: &[(&str, &str)],
        body: (&str, &str),
    ) -> Result<Reply, String> {
        let reply = self
            .send(Outgoing {
                from: Party::Client,
                by: None,
                to: Party::Provider,
                method: "POST",
                url,
                headers,
                cookies: None,
                body: Some(body),
            })
            .await?;
        self.last = Some(reply.clone());
        Ok(reply)
    }

    /// Sends one request from Gauntlet's client and records it.
    pub async fn send(&self, out: Outgoing<'_>) -> Result<Reply, String> {
        exchange(&self.http, self.ctx.max_body_bytes, &self.evidence, out).await
    }

    /// A GET from Gauntlet's client to the server, recorded.
    pub async fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Reply, String> {
        self.send(Outgoing {
            from: Party::Client,
            by: None,
            to: Party::Provider,
            method: "GET",
            url,
            headers,
            cookies: None,
            body: None,
        })
        .await
    }

    /// Redeems the grant's code at the token endpoint; `bend` changes the form first.
    pub async fn redeem(
        &mut self,
        role: Role,
        auth: Option<AuthMethod>,
        secret: Option<&str>,
        bend: impl FnOnce(&mut Vec<(String, String)>),
    ) -> Result<Reply, String> {
        let mut form = self.grant()?.redemption_form();
        bend(&mut form);
        let url = self.ctx.endpoints.token.clone();
        let reply = self.post_form(&url, role, auth, secret, form).await?;
        self.keep_tokens(&reply);
        Ok(reply)
    }

    /// Keeps the tokens of a successful token response.
    pub fn keep_tokens(&mut self, reply: &Reply) {
        let Some(json) = reply.json().filter(|_| reply.status == 200) else {
            return;
        };
        if let Some(access) = json.get("access_token").and_then(|v| v.as_str()) {
            self.tokens.push(Tokens {
                access: Secret::new(access),
                refresh: json
                    .get("refresh_token")
                    .and_then(|v| v.as_str())
                    .map(Secret::new),
                scope: json
                    .get("scope")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned),
            });
        }
    }

    /// The latest tokens.
    pub fn latest_tokens(&self) -> Result<&Tokens, String> {
        self.tokens.last().ok_or_else(|| match &self.last {
            Some(reply) => format!(
                "no tokens were issued: the token endpoint answered {}",
                reply_line(reply)
            ),
            None => "no tokens were issued".to_owned(),
        })
    }

    /// The last endpoint answer.
    pub fn last(&self) -> Result<&Reply, String> {
        self.last
            .as_ref()
            .ok_or_else(|| "no request was made".to_owned())
    }

    /// Whether an access token is still accepted: by introspection if the server has it, else
    /// by the resource. Returns the verdict and the answer it rests on.
    pub async fn token_works(&mut self, token: &str) -> Result<bool, String> {
        if let Some(url) = self.ctx.endpoints.introspection.clone() {
            let reply = self
                .post_form(
                    &url,
                    Role::Main,
                    None,
                    None,
                    vec![("token".into(), token.into())],
                )
                .await?;
            let json = reply
                .json()
                .ok_or_else(|| format!("introspection answered {}", reply_line(&reply)))?;
            return json
                .get("active")
                .and_then(serde_json::Value::as_bool)
                .ok_or_else(|| {
                    format!(
                        "introspection answered without a boolean active: {}",
                        reply_line(&reply)
                    )
                });
        }
        let url = self.ctx.endpoints.resource.clone().ok_or(
            "neither an introspection endpoint nor a resource_url to check the token with",
        )?;
        let authorization = format!("Bearer {token}");
        let reply = self.get(&url, &[("authorization", &authorization)]).await?;
        self.last = Some(reply.clone());
        match reply.status {
            200..=299 => Ok(true),
            401 | 403 => Ok(false),
            _ => Err(format!("the resource answered {}", reply_line(&reply))),
        }
    }
}

/// `STATUS body` of an answer, shortened, for explanations.
pub fn reply_line(reply: &Reply) -> String {
    let body = if reply.content_type.contains("html") {
        "(an HTML page)".to_owned()
    } else {
        crate::suite::browser::short(&oauth_vocab::redact::redact_json_text(&reply.body))
    };
    format!("{} {body}{}", reply.status, reply.cut_note())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(status: Option<u16>, body: &str) -> Exchange {
        Exchange {
            at_ms: 0,
            at_us: 0,
            from: Party::Client,
            by: None,
            to: Party::Provider,
            method: "POST".into(),
            url: "http://as.test/token".into(),
            request_headers: Vec::new(),
            request_body: None,
            status,
            response_headers: Vec::new(),
            response_body: Some(body.into()),
            note: status
                .is_none()
                .then(|| "no answer within the timeout".into()),
        }
    }

    #[test]
    fn only_a_last_answer_that_is_a_5xx_or_missing_is_a_server_error() {
        let locked = answered(Some(500), "database is locked");
        let refused = answered(Some(400), r#"{"error":"invalid_grant"}"#);
        let dropped = answered(None, "");
        assert_eq!(
            server_error(&[refused.clone(), locked.clone()]).as_deref(),
            Some("the server answered 500 to POST http://as.test/token (\"database is locked\")")
        );
        assert_eq!(
            server_error(&[locked.clone(), dropped]).as_deref(),
            Some(
                "the server did not answer POST http://as.test/token (no answer within the \
                 timeout)"
            )
        );
        // The step judged the later, correct answer: a verdict.
        assert_eq!(server_error(&[locked, refused]), None);
        assert_eq!(server_error(&[]), None);
    }

    #[test]
    fn setting_a_parameter_replaces_every_value_in_place() {
        let mut request = AuthRequest {
            role: Role::Main,
            params: vec![
                ("a".into(), "1".into()),
                ("b".into(), "2".into()),
                ("a".into(), "3".into()),
            ],
            verifier: None,
        };
        request.set("a", "x");
        assert_eq!(
            request.params,
            vec![
                ("a".to_owned(), "x".to_owned()),
                ("b".to_owned(), "2".to_owned())
            ]
        );
        request.set("c", "y");
        assert_eq!(request.param("c"), Some("y"));
        request.remove("a");
        assert_eq!(request.param("a"), None);
    }
}
