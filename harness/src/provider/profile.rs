//! Provider profiles (`fixtures/providers/*.toml`): the authorization server under test —
//! where its endpoints are (given, or discovered from its RFC 8414 metadata), the clients
//! registered there for Gauntlet, and how a user gets through its login and consent pages.
//!
//! `gauntlet provider --provider FILE` accepts two kinds of file: a provider profile (it has a
//! `[server]` table) for a server running elsewhere or launched by command, and a mock-provider
//! profile (`default.toml`, `openchatstudio.toml`, `lax.toml`), which Gauntlet starts embedded
//! and tests.

use std::collections::BTreeMap;
use std::path::Path;

use mock_provider::pkce::PkcePolicy;
use mock_provider::{AuthMethod, ClientConfig, GrantType, ProviderConfig};
use serde::Deserialize;

use crate::suite::launch::Launch;
use crate::suite::placeholders::{self, PORT, Vars};
use crate::suite::profile::{ProfileError, ProfileFile, profile_dir};

/// What [`ProfileError`]s call this kind of profile.
const KIND: &str = "provider";

/// What `--provider` names.
#[derive(Debug, Clone)]
pub enum ProviderTarget {
    /// A mock-provider profile, run embedded.
    Mock(Box<ProviderConfig>),
    /// An authorization server described by a provider profile.
    Server(Box<ProviderProfile>),
}

impl ProviderTarget {
    /// Reads `path`: a provider profile if it has a `[server]` table, else a mock profile.
    /// A launch's `workdir` and a relative `ca_file` are resolved against the profile's
    /// directory. The error is a [`ProfileError`].
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        Ok(Self::read(path)?)
    }

    fn read(path: &Path) -> Result<Self, ProfileError> {
        let file = ProfileFile::new(path, KIND);
        let text = file.text()?;
        let table: toml::Table = file.toml(&text)?;
        if table.contains_key("server") {
            let mut profile: ProviderProfile =
                toml::from_str(&text).map_err(|e| file.invalid(e.to_string()))?;
            file.place(profile.server.launch.as_mut())?;
            if let Some(ca_file) = &mut profile.server.ca_file {
                let dir =
                    profile_dir(path).map_err(|e| file.invalid(format!("server.ca_file: {e}")))?;
                *ca_file = resolve(&dir, ca_file);
            }
            profile.check().map_err(|message| file.invalid(message))?;
            Ok(Self::Server(Box::new(profile)))
        } else {
            let config = ProviderConfig::from_toml(&text).map_err(|e| ProfileError::Mock {
                path: file.shown(),
                message: e.to_string(),
            })?;
            Ok(Self::Mock(Box::new(config)))
        }
    }

    /// The embedded mock with its built-in default profile.
    pub fn default_mock() -> Self {
        Self::Mock(Box::default())
    }
}

/// An authorization server under test.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderProfile {
    /// Shown in reports.
    pub name: String,
    /// Where the server is and what it does.
    pub server: ServerProfile,
    /// A confidential client registered for Gauntlet.
    pub client: Registration,
    /// A public client (no secret), if one is registered.
    #[serde(default)]
    pub public_client: Option<Registration>,
    /// A second confidential client, for the code-binding rules.
    #[serde(default)]
    pub other_client: Option<Registration>,
    /// The public client identified by a Client ID Metadata Document (set at start-up from
    /// Gauntlet's hosted document or `[server.mcp] client_metadata_document`).
    #[serde(skip)]
    pub document_client: Option<Registration>,
    /// How the browser gets through login and consent.
    #[serde(default)]
    pub login: LoginProfile,
}

/// The server's endpoints and behaviour. Endpoints left out are taken from the metadata.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerProfile {
    /// The issuer identifier; its RFC 8414 metadata is looked for when `metadata_url` is not
    /// given.
    #[serde(default)]
    pub issuer: Option<String>,
    /// An RFC 8414 (or OpenID discovery) document.
    #[serde(default)]
    pub metadata_url: Option<String>,
    /// The authorization endpoint.
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    /// The token endpoint.
    #[serde(default)]
    pub token_endpoint: Option<String>,
    /// The RFC 7009 revocation endpoint.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// The RFC 7662 introspection endpoint.
    #[serde(default)]
    pub introspection_endpoint: Option<String>,
    /// The RFC 7591 dynamic client registration endpoint (default: the metadata's).
    #[serde(default)]
    pub registration_endpoint: Option<String>,
    /// A URL that needs a bearer token (a userinfo endpoint or an API).
    #[serde(default)]
    pub resource_url: Option<String>,
    /// A scope the client may request whose tokens `resource_url` refuses for lack of scope
    /// (needed for the `insufficient_scope` scenario).
    #[serde(default)]
    pub insufficient_scope: Option<String>,
    /// How long the server's codes live: seconds, or `"none"` when they never expire (needed
    /// for the expiry scenario).
    #[serde(default)]
    pub code_lifetime_secs: Option<CodeLifetime>,
    /// Whether the server keeps a client registry (default `true`); without one it accepts any
    /// `client_id`, and the scenarios about an unknown client do not apply.
    #[serde(default = "yes")]
    pub client_registry: bool,
    /// What PKCE the server enforces for the confidential client.
    #[serde(default)]
    pub pkce: PkcePolicy,
    /// Whether the server issues refresh tokens (default: as the metadata says, else yes).
    #[serde(default)]
    pub refresh: Option<bool>,
    /// What a flow whose tokens a scenario uses adds to its authorization request, for a
    /// server that issues refresh tokens only then (OpenID Connect's `offline_access` scope
    /// with `prompt=consent`).
    #[serde(default)]
    pub refresh_request: RefreshRequest,
    /// How Gauntlet starts the server; absent when it is already running.
    #[serde(default)]
    pub launch: Option<Launch>,
    /// A PEM file of CA certificates to trust for this server (a test CA), besides the web
    /// PKI roots and `--ca-file`; relative to the profile's directory, `{port}` filled, read
    /// once a launched server is ready (it may write its CA at start-up).
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Timeout of every request, in milliseconds.
    #[serde(default = "default_request_ms")]
    pub request_timeout_ms: u64,
    /// An MCP server whose tokens this server issues (`[server.mcp]`); the `@mcp` scenarios
    /// do not apply without one.
    #[serde(default)]
    pub mcp: Option<McpServer>,
}

/// An MCP server protected by the authorization server under test (`[server.mcp]`): its
/// endpoint, and what the MCP scenarios need to know of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpServer {
    /// The MCP endpoint (Streamable HTTP: JSON-RPC messages by POST).
    pub url: String,
    /// Its resource identifier (RFC 8707 §2, RFC 9728 §2), when it is not `url`.
    #[serde(default)]
    pub resource: Option<String>,
    /// The scope to ask for a token the endpoint accepts (default: the client's scope).
    #[serde(default)]
    pub scope: Option<String>,
    /// A resource the authorization server issues tokens for that is not this MCP server
    /// (needed for the audience scenario).
    #[serde(default)]
    pub other_resource: Option<String>,
    /// A tool whose call needs more scope than `scope` (needed for the step-up scenarios).
    #[serde(default)]
    pub step_up_tool: Option<String>,
    /// An access token the authorization server issued for this MCP server that has expired
    /// (needed for the expired-token scenario; Gauntlet cannot make a token expire at will).
    #[serde(default)]
    pub expired_token: Option<String>,
    /// The `https` URL of a Client ID Metadata Document the authorization server can fetch
    /// (needed for the metadata-document scenarios; its `client_id` is its URL, and the flows
    /// use the first redirect URI it lists). Gauntlet hosts one itself for the embedded mock.
    #[serde(default)]
    pub client_metadata_document: Option<String>,
}

impl McpServer {
    /// Its resource identifier: `resource`, else `url`.
    pub fn resource(&self) -> &str {
        self.resource.as_deref().unwrap_or(&self.url)
    }

    fn check(&self) -> Result<(), String> {
        for (key, value) in [
            ("url", Some(&self.url)),
            ("resource", self.resource.as_ref()),
            ("other_resource", self.other_resource.as_ref()),
        ] {
            let Some(value) = value else { continue };
            // `{port}` stands for a number until the server is launched.
            let parsed = url::Url::parse(&value.replace("{port}", "1"));
            if parsed.is_err() || value.contains('#') {
                return Err(format!(
                    "server.mcp.{key} {value:?} is not an absolute URI without fragment"
                ));
            }
        }
        if self.other_resource.as_deref() == Some(self.resource()) {
            return Err(
                "server.mcp.other_resource must name another resource than the MCP \
                        server's"
                    .into(),
            );
        }
        if self.step_up_tool.as_deref().is_some_and(str::is_empty) {
            return Err("server.mcp.step_up_tool is empty".into());
        }
        if (self.expired_token.as_deref()).is_some_and(|t| t.trim().is_empty()) {
            return Err("server.mcp.expired_token is empty".into());
        }
        Ok(())
    }
}

fn default_request_ms() -> u64 {
    10_000
}

fn yes() -> bool {
    true
}

/// The scope and parameters that earn a refresh token.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// A scope added to the requested ones, e.g. `offline_access`.
    #[serde(default)]
    pub scope: Option<String>,
    /// Parameters added to the request, e.g. `{ prompt = "consent" }`.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

/// How long a server's codes live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeLifetime {
    /// This many seconds.
    Secs(u64),
    /// They never expire (`"none"` in a profile).
    Unlimited,
}

impl<'de> Deserialize<'de> for CodeLifetime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(u64),
            Word(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Secs(secs) => Ok(Self::Secs(secs)),
            Raw::Word(word) if word == "none" => Ok(Self::Unlimited),
            Raw::Word(word) => Err(serde::de::Error::custom(format!(
                "code_lifetime_secs is a number of seconds or \"none\", not {word:?}"
            ))),
        }
    }
}

impl Default for ServerProfile {
    fn default() -> Self {
        Self {
            issuer: None,
            metadata_url: None,
            authorization_endpoint: None,
            token_endpoint: None,
            revocation_endpoint: None,
            registration_endpoint: None,
            introspection_endpoint: None,
            resource_url: None,
            insufficient_scope: None,
            code_lifetime_secs: None,
            client_registry: true,
            pkce: PkcePolicy::default(),
            refresh: None,
            refresh_request: RefreshRequest::default(),
            launch: None,
            ca_file: None,
            request_timeout_ms: default_request_ms(),
            mcp: None,
        }
    }
}

/// A client registered at the server for Gauntlet.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// The client id.
    pub client_id: String,
    /// The secret; absent for a public client.
    #[serde(default)]
    pub client_secret: Option<oauth_vocab::Secret>,
    /// How it authenticates at the token endpoint.
    #[serde(default)]
    pub auth_method: AuthMethod,
    /// The registered redirect URI used in flows. Nothing needs to listen there: the browser
    /// stops when it is sent to it. Prefer a non-loopback URI (RFC 8252 §7.3 lets a server
    /// accept any port on loopback, so port exactness is only testable elsewhere).
    pub redirect_uri: String,
    /// Further registered redirect URIs.
    #[serde(default)]
    pub other_redirect_uris: Vec<String>,
    /// The scope requested (space-delimited; empty: none sent).
    #[serde(default)]
    pub scope: String,
    /// Parameters sent with every authorization request (e.g. OpenChatStudio's `team`).
    #[serde(default)]
    pub extra_params: BTreeMap<String, String>,
}

/// How the browser gets through the server's pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginProfile {
    /// Values filled into any form field of these names (username, password…).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// The text, value or name of the button that grants consent.
    #[serde(default = "default_approve")]
    pub approve: String,
    /// The button that refuses consent, if the server has one.
    #[serde(default)]
    pub deny: Option<String>,
    /// Further origins the browser may follow redirects to (a separate login site).
    #[serde(default)]
    pub origins: Vec<String>,
}

fn default_approve() -> String {
    "Approve".into()
}

impl Default for LoginProfile {
    fn default() -> Self {
        Self {
            fields: BTreeMap::new(),
            approve: default_approve(),
            deny: None,
            origins: Vec::new(),
        }
    }
}

impl ProviderProfile {
    fn check(&self) -> Result<(), String> {
        let s = &self.server;
        if s.metadata_url.is_none()
            && s.issuer.is_none()
            && (s.authorization_endpoint.is_none() || s.token_endpoint.is_none())
        {
            return Err(
                "server needs authorization_endpoint and token_endpoint, or an issuer \
                        or metadata_url to discover them from"
                    .into(),
            );
        }
        for (what, client) in [
            ("client", Some(&self.client)),
            ("other_client", self.other_client.as_ref()),
        ] {
            if let Some(client) = client
                && client.client_secret.is_none()
            {
                return Err(format!(
                    "{what}.client_secret is required (a confidential client)"
                ));
            }
        }
        if let Some(public) = &self.public_client
            && public.client_secret.is_some()
        {
            return Err("public_client must not have a client_secret".into());
        }
        for client in [
            Some(&self.client),
            self.public_client.as_ref(),
            self.other_client.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            url::Url::parse(&client.redirect_uri).map_err(|e| {
                format!(
                    "redirect_uri {:?} is not an absolute URI: {e}",
                    client.redirect_uri
                )
            })?;
        }
        if let Some(mcp) = &s.mcp {
            mcp.check()?;
        }
        // `{port}` is the only placeholder, and has a value only when Gauntlet launches.
        let known: &[&str] = if s.launch.is_some() {
            &[PORT.name]
        } else {
            &[]
        };
        for (key, text) in self.clone().templates_mut() {
            placeholders::check(&key, text, known, &[PORT])?;
        }
        Ok(())
    }

    /// Whether a string uses `{port}`: Gauntlet then picks a free port for the launch.
    pub fn uses_port(&self) -> bool {
        self.clone()
            .templates_mut()
            .into_iter()
            .any(|(_, text)| placeholders::names(text).any(|n| n == PORT.name))
    }

    /// Fills `vars` into every string that may hold a placeholder.
    pub fn fill(&mut self, vars: &Vars) {
        for (_, text) in self.templates_mut() {
            *text = vars.fill(text);
        }
    }

    /// Every string that may hold a placeholder (the server's URLs and CA file, its launch,
    /// further login origins), with its key.
    fn templates_mut(&mut self) -> Vec<(String, &mut String)> {
        let s = &mut self.server;
        let mut out = Vec::new();
        for (name, value) in [
            ("issuer", &mut s.issuer),
            ("metadata_url", &mut s.metadata_url),
            ("authorization_endpoint", &mut s.authorization_endpoint),
            ("token_endpoint", &mut s.token_endpoint),
            ("revocation_endpoint", &mut s.revocation_endpoint),
            ("introspection_endpoint", &mut s.introspection_endpoint),
            ("registration_endpoint", &mut s.registration_endpoint),
            ("resource_url", &mut s.resource_url),
            ("ca_file", &mut s.ca_file),
        ] {
            if let Some(value) = value {
                out.push((format!("server.{name}"), value));
            }
        }
        if let Some(mcp) = &mut s.mcp {
            out.push(("server.mcp.url".to_owned(), &mut mcp.url));
            for (name, value) in [
                ("resource", &mut mcp.resource),
                ("other_resource", &mut mcp.other_resource),
                (
                    "client_metadata_document",
                    &mut mcp.client_metadata_document,
                ),
            ] {
                if let Some(value) = value {
                    out.push((format!("server.mcp.{name}"), value));
                }
            }
        }
        if let Some(launch) = &mut s.launch {
            for (i, arg) in launch.args.iter_mut().enumerate() {
                out.push((format!("server.launch.args[{i}]"), arg));
            }
            for (name, value) in &mut launch.env {
                out.push((format!("server.launch.env.{name}"), value));
            }
            out.push(("server.launch.ready_url".to_owned(), &mut launch.ready_url));
        }
        for (i, origin) in self.login.origins.iter_mut().enumerate() {
            out.push((format!("login.origins[{i}]"), origin));
        }
        out
    }

    /// The profile Gauntlet uses for its embedded mock, whose clients
    /// [`ProviderProfile::mock_clients`] registers: login as the profile's first user, the
    /// first client's authentication method, PKCE policy and scopes, its reflected parameters
    /// sent with a value.
    pub fn for_mock(config: &ProviderConfig, base: &str) -> Self {
        let url = |path: &str| format!("{base}{path}");
        let template = config.clients.first();
        let scope = Self::mock_scopes(config).join(" ");
        let auth_method = template.map_or(AuthMethod::ClientSecretBasic, |c| c.auth_method);
        let extra_params = config
            .reflect_params
            .iter()
            .map(|p| (p.clone(), format!("gauntlet-{p}")))
            .collect::<BTreeMap<_, _>>();
        let registration = |client_id: &str, secret: Option<&str>, auth_method| Registration {
            client_id: client_id.into(),
            client_secret: secret.map(oauth_vocab::Secret::new),
            auth_method,
            redirect_uri: MOCK_REDIRECT.into(),
            other_redirect_uris: Vec::new(),
            scope: scope.clone(),
            extra_params: extra_params.clone(),
        };
        let mut fields = BTreeMap::new();
        if let Some(user) = config.users.first() {
            fields.insert("username".to_owned(), user.username.clone());
            fields.insert("password".to_owned(), user.password.clone());
        }
        Self {
            name: format!("mock provider ({} profile, embedded)", config.name),
            server: ServerProfile {
                issuer: Some(base.to_owned()),
                resource_url: Some(url(&config.resource.path)),
                insufficient_scope: insufficient_scope(config, &scope),
                code_lifetime_secs: Some(CodeLifetime::Secs(config.code_ttl_secs)),
                pkce: template.map_or(PkcePolicy::default(), |c| c.pkce),
                refresh: Some(template.is_none_or(|c| c.allows_grant(GrantType::RefreshToken))),
                mcp: mock_mcp(config, base),
                ..ServerProfile::default()
            },
            client: Registration {
                other_redirect_uris: vec![MOCK_OTHER_REDIRECT.into()],
                ..registration(MOCK_CLIENT, Some(MOCK_SECRET), auth_method)
            },
            public_client: Some(registration(MOCK_PUBLIC, None, AuthMethod::None)),
            other_client: Some(registration(
                MOCK_OTHER,
                Some(MOCK_OTHER_SECRET),
                auth_method,
            )),
            document_client: None,
            login: LoginProfile {
                fields,
                approve: "Approve".into(),
                deny: Some("Deny".into()),
                origins: Vec::new(),
            },
        }
    }

    /// The scopes Gauntlet asks the mock for: its first client's default scopes, else its first
    /// allowed scope, else `read`.
    pub fn mock_scopes(config: &ProviderConfig) -> Vec<String> {
        config
            .clients
            .first()
            .and_then(|c| {
                c.default_scopes
                    .clone()
                    .or_else(|| c.allowed_scopes.first().map(|s| vec![s.clone()]))
            })
            .unwrap_or_else(|| vec!["read".into()])
    }

    /// The client registrations [`ProviderProfile::for_mock`] expects on the mock.
    pub fn mock_clients(config: &ProviderConfig) -> Vec<ClientConfig> {
        let template = config
            .clients
            .first()
            .cloned()
            .unwrap_or_else(|| ClientConfig {
                client_id: String::new(),
                client_secret: None,
                redirect_uris: Vec::new(),
                allowed_scopes: vec![
                    "openid".into(),
                    "profile".into(),
                    "read".into(),
                    "write".into(),
                ],
                default_scopes: Some(vec!["read".into()]),
                auth_method: AuthMethod::ClientSecretBasic,
                pkce: PkcePolicy::default(),
                grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            });
        let client = |client_id: &str, secret: Option<&str>, uris: Vec<String>| ClientConfig {
            client_id: client_id.into(),
            client_secret: secret.map(str::to_owned),
            redirect_uris: uris,
            auth_method: if secret.is_some() {
                template.auth_method
            } else {
                AuthMethod::None
            },
            ..template.clone()
        };
        vec![
            client(
                MOCK_CLIENT,
                Some(MOCK_SECRET),
                vec![MOCK_REDIRECT.into(), MOCK_OTHER_REDIRECT.into()],
            ),
            client(MOCK_PUBLIC, None, vec![MOCK_REDIRECT.into()]),
            client(
                MOCK_OTHER,
                Some(MOCK_OTHER_SECRET),
                vec![MOCK_REDIRECT.into()],
            ),
        ]
    }
}

/// `path` against `dir` when it is relative; placeholders in it are kept for [`Vars::fill`].
fn resolve(dir: &Path, path: &str) -> String {
    if Path::new(path).is_relative() {
        dir.join(path).display().to_string()
    } else {
        path.to_owned()
    }
}

/// For a mock whose resource requires a scope: another scope the client may ask for.
fn insufficient_scope(config: &ProviderConfig, requested: &str) -> Option<String> {
    let required = config.resource.required_scope.as_deref()?;
    let template = config.clients.first()?;
    template
        .allowed_scopes
        .iter()
        .find(|s| s.as_str() != required && !requested.split(' ').any(|r| r == s.as_str()))
        .cloned()
}

/// For a mock serving MCP (`[mcp] enabled = true`): its endpoint at `base` + `mcp.path`, the
/// scope it needs (`mcp.scopes`), its first extra resource as the other resource, and the
/// first tool needing more scope (`mcp.tool_scopes`) as the step-up tool, and its
/// `mcp.expired_token`. None with
/// `mcp.tenant`: the MCP server then takes only the tenant issuer's tokens, and Gauntlet's flows
/// go to the root issuer.
fn mock_mcp(config: &ProviderConfig, base: &str) -> Option<McpServer> {
    let mcp = &config.mcp;
    if !mcp.enabled || mcp.tenant.is_some() {
        return None;
    }
    let step_up_tool = (mcp.tool_scopes.iter())
        .find(|(_, needed)| needed.iter().any(|s| !mcp.scopes.contains(s)))
        .map(|(tool, _)| tool.clone());
    Some(McpServer {
        url: format!("{base}{}", mcp.path),
        resource: None,
        scope: (!mcp.scopes.is_empty()).then(|| mcp.scopes.join(" ")),
        other_resource: mcp.extra_resources.first().cloned(),
        step_up_tool,
        expired_token: mcp.expired_token.clone(),
        client_metadata_document: None,
    })
}

const MOCK_CLIENT: &str = "gauntlet-suite";
const MOCK_SECRET: &str = "suite:secret+/=&%";
const MOCK_PUBLIC: &str = "gauntlet-public";
const MOCK_OTHER: &str = "gauntlet-other";
const MOCK_OTHER_SECRET: &str = "other-secret";
const MOCK_REDIRECT: &str = "https://client.gauntlet.test/callback";
const MOCK_OTHER_REDIRECT: &str = "https://client.gauntlet.test/other";

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: &str = "name = \"x\"\n[server]\nissuer = \"http://as.test:1\"\n[client]\nclient_id = \"c\"\nclient_secret = \"s\"\nredirect_uri = \"https://c.test/cb\"\n";

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/providers")
            .join(name)
    }

    #[test]
    fn a_file_with_a_server_table_is_a_provider_profile_and_others_are_mock_profiles() {
        assert!(matches!(
            ProviderTarget::from_file(&fixture("openchatstudio.toml")).unwrap(),
            ProviderTarget::Mock(_)
        ));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.toml");
        std::fs::write(&file, SERVER).unwrap();
        let ProviderTarget::Server(profile) = ProviderTarget::from_file(&file).unwrap() else {
            panic!("a [server] table makes a provider profile");
        };
        assert_eq!(profile.login.approve, "Approve");
        std::fs::write(&file, "name = \"x\"\n[server]\n[client]\nclient_id = \"c\"\nredirect_uri = \"https://c.test/cb\"\n").unwrap();
        let error = ProviderTarget::from_file(&file).unwrap_err().to_string();
        assert!(error.contains("authorization_endpoint"), "{error}");
        std::fs::write(&file, "name = \"x\"\ncode_ttl = 3\n").unwrap();
        let error = ProviderTarget::from_file(&file).unwrap_err().to_string();
        assert!(
            error.contains("mock-provider profile") && error.contains("code_ttl"),
            "{error}"
        );
    }

    #[test]
    fn an_mcp_server_is_read_checked_and_filled() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.toml");
        let launch =
            "[server.launch]\ncommand = \"true\"\nready_url = \"http://as.test:{port}/\"\n";
        let with_mcp = |table: &str| format!("{SERVER}[server.mcp]\n{table}{launch}");
        std::fs::write(
            &file,
            with_mcp(
                "url = \"http://mcp.test:{port}/mcp\"\nother_resource = \"https://api.test/x\"\nstep_up_tool = \"admin\"\n",
            ),
        )
        .unwrap();
        let ProviderTarget::Server(mut profile) = ProviderTarget::from_file(&file).unwrap() else {
            panic!("a provider profile");
        };
        assert!(profile.uses_port());
        let mut vars = Vars::default();
        vars.set("port", "4242");
        profile.fill(&vars);
        let mcp = profile.server.mcp.unwrap();
        assert_eq!(mcp.resource(), "http://mcp.test:4242/mcp");
        assert_eq!(mcp.scope, None);
        assert_eq!(mcp.step_up_tool.as_deref(), Some("admin"));
        for (table, said) in [
            (
                "url = \"http://mcp.test:1/mcp\"\nscopes = \"x\"\n",
                "unknown field",
            ),
            ("url = \"/mcp\"\n", "server.mcp.url"),
            (
                "url = \"http://mcp.test:1/mcp\"\nresource = \"https://m.test#f\"\n",
                "server.mcp.resource",
            ),
            (
                "url = \"http://mcp.test:1/mcp\"\nother_resource = \"http://mcp.test:1/mcp\"\n",
                "other_resource",
            ),
        ] {
            std::fs::write(&file, with_mcp(table)).unwrap();
            let error = format!("{:#}", ProviderTarget::from_file(&file).unwrap_err());
            assert!(error.contains(said), "{table}: {error}");
        }
    }

    #[test]
    fn a_mock_serving_mcp_gets_its_mcp_server_derived() {
        let mut config = ProviderConfig::default();
        assert!(
            ProviderProfile::for_mock(&config, "http://m.test")
                .server
                .mcp
                .is_none()
        );
        config.mcp.enabled = true;
        config.mcp.extra_resources = vec!["https://api.test/a".into(), "https://api.test/b".into()];
        let mcp = ProviderProfile::for_mock(&config, "http://m.test")
            .server
            .mcp
            .unwrap();
        assert_eq!(mcp.url, "http://m.test/mcp");
        assert_eq!(mcp.resource(), "http://m.test/mcp");
        assert_eq!(mcp.scope.as_deref(), Some("read"));
        assert_eq!(mcp.other_resource.as_deref(), Some("https://api.test/a"));
        assert_eq!(mcp.step_up_tool.as_deref(), Some("whoami"));
        // No tool needing more than the endpoint's scopes: no step-up tool.
        config.mcp.tool_scopes.clear();
        config.mcp.extra_resources.clear();
        let mcp = ProviderProfile::for_mock(&config, "http://m.test")
            .server
            .mcp
            .unwrap();
        assert_eq!((mcp.other_resource, mcp.step_up_tool), (None, None));
        // A tenant's MCP server takes tokens of another issuer than the flows'.
        config.mcp.tenant = Some("t1".into());
        assert!(
            ProviderProfile::for_mock(&config, "http://m.test")
                .server
                .mcp
                .is_none()
        );
    }

    #[test]
    fn a_toml_error_is_shown_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.toml");
        for text in [
            "name = \n",
            "name = \"x\"\n[server]\nisuer = \"http://a\"\n",
        ] {
            std::fs::write(&file, text).unwrap();
            let error = ProviderTarget::read(&file).unwrap_err();
            let shown = format!("{:#}", anyhow::Error::from(error));
            assert_eq!(shown.matches("TOML parse error").count(), 1, "{shown}");
        }
    }

    #[test]
    fn port_is_the_only_placeholder_and_needs_a_launch() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.toml");
        let launch =
            "[server.launch]\ncommand = \"true\"\nready_url = \"http://as.test:{port}/\"\n";
        for (text, key, name) in [
            (
                SERVER.replace(":1\"", ":{prot}\"") + launch,
                "server.issuer",
                "the unknown placeholder {prot}; known there: {port}",
            ),
            (
                SERVER.replace(":1\"", ":{port}\""),
                "server.issuer",
                "{port}, which has a value only when Gauntlet launches",
            ),
        ] {
            std::fs::write(&file, text).unwrap();
            let error = ProviderTarget::from_file(&file).unwrap_err();
            assert!(
                matches!(error.downcast_ref(), Some(ProfileError::Invalid { .. })),
                "{error:?}"
            );
            let error = error.to_string();
            assert!(error.contains(key) && error.contains(name), "{error}");
        }
        std::fs::write(&file, SERVER.replace(":1\"", ":{port}/o\"") + launch).unwrap();
        let ProviderTarget::Server(mut profile) = ProviderTarget::from_file(&file).unwrap() else {
            panic!("a provider profile");
        };
        assert!(profile.uses_port());
        let mut vars = Vars::default();
        vars.set("port", "4242");
        profile.fill(&vars);
        assert_eq!(
            profile.server.issuer.as_deref(),
            Some("http://as.test:4242/o")
        );
        let launch = profile.server.launch.unwrap();
        assert_eq!(launch.ready_url, "http://as.test:4242/");
        assert_eq!(
            launch.workdir.as_deref(),
            Some(dir.path().canonicalize().unwrap().as_path())
        );
    }

    #[test]
    fn a_relative_ca_file_is_the_profile_directorys_and_its_port_is_filled() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.toml");
        let launch =
            "[server.launch]\ncommand = \"true\"\nready_url = \"http://as.test:{port}/\"\n";
        let with_ca = |ca: &str| SERVER.replace("[client]", &format!("ca_file = {ca:?}\n[client]"));
        std::fs::write(&file, with_ca("state/ca-{port}.pem") + launch).unwrap();
        let ProviderTarget::Server(mut profile) = ProviderTarget::from_file(&file).unwrap() else {
            panic!("a provider profile");
        };
        let expected = dir.path().canonicalize().unwrap().join("state");
        assert_eq!(
            profile.server.ca_file.as_deref().map(Path::new),
            Some(expected.join("ca-{port}.pem").as_path())
        );
        assert!(profile.uses_port(), "{{port}} in ca_file asks for a port");
        let mut vars = Vars::default();
        vars.set("port", "4242");
        profile.fill(&vars);
        assert_eq!(
            profile.server.ca_file.as_deref().map(Path::new),
            Some(expected.join("ca-4242.pem").as_path())
        );
        // An absolute path is kept as it is.
        let absolute = dir.path().join("elsewhere.pem").display().to_string();
        std::fs::write(&file, with_ca(&absolute)).unwrap();
        let ProviderTarget::Server(profile) = ProviderTarget::from_file(&file).unwrap() else {
            panic!("a provider profile");
        };
        assert_eq!(profile.server.ca_file.as_deref(), Some(absolute.as_str()));
        // {port} has a value only when Gauntlet launches the server.
        std::fs::write(&file, with_ca("ca-{port}.pem")).unwrap();
        let error = ProviderTarget::from_file(&file).unwrap_err().to_string();
        assert!(error.contains("server.ca_file"), "{error}");
    }

    #[test]
    fn a_launch_in_a_bare_named_profile_runs_in_the_profile_directory() {
        // A file in the current directory, named without a directory: `--provider x.toml`.
        let file = tempfile::Builder::new()
            .prefix("gauntlet-bare-")
            .suffix(".toml")
            .tempfile_in(".")
            .unwrap();
        let text = format!(
            "{SERVER}[server.launch]\ncommand = \"true\"\nready_url = \"http://as.test:1/\"\n"
        );
        std::fs::write(file.path(), text).unwrap();
        let bare = Path::new(file.path().file_name().unwrap());
        let ProviderTarget::Server(profile) = ProviderTarget::from_file(bare).unwrap() else {
            panic!("a provider profile");
        };
        let workdir = profile.server.launch.unwrap().workdir.unwrap();
        assert_eq!(workdir, Path::new(".").canonicalize().unwrap());
    }

    #[test]
    fn the_bundled_provider_profiles_load() {
        let ProviderTarget::Server(dot) =
            ProviderTarget::from_file(&fixture("django-oauth-toolkit.toml")).unwrap()
        else {
            panic!("the DOT fixture is a provider profile");
        };
        assert!(dot.uses_port());
        let ProviderTarget::Server(dot_tls) =
            ProviderTarget::from_file(&fixture("django-oauth-toolkit-tls.toml")).unwrap()
        else {
            panic!("the DOT-over-HTTPS fixture is a provider profile");
        };
        assert!(dot_tls.uses_port());
        let ca_file = dot_tls.server.ca_file.as_deref().unwrap();
        assert!(
            ca_file.ends_with("target/django-provider-state-{port}/ca.pem"),
            "{ca_file}"
        );
        assert!(
            dot_tls
                .server
                .token_endpoint
                .as_deref()
                .unwrap()
                .starts_with("https://")
        );
        let ProviderTarget::Server(node) =
            ProviderTarget::from_file(&fixture("oidc-provider.toml")).unwrap()
        else {
            panic!("the oidc-provider fixture is a provider profile");
        };
        assert!(node.uses_port());
        assert_eq!(node.login.deny.as_deref(), Some("[ Cancel ]"));
        for name in [
            "default.toml",
            "lax.toml",
            "lax-mcp.toml",
            "mcp.toml",
            "openchatstudio.toml",
            "tls.toml",
        ] {
            assert!(matches!(
                ProviderTarget::from_file(&fixture(name)).unwrap(),
                ProviderTarget::Mock(_)
            ));
        }
    }
}
