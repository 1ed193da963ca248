//! The provider's configuration: a TOML profile (see `fixtures/providers/`) or a value built in
//! code. Every field has a default, so a profile names only what differs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oauth_vocab::Secret;
use serde::{Deserialize, Serialize};

use crate::clients::ClientConfig;
use crate::faults::{Fault, MAX_FAULTS, MAX_LIFETIME_SECS};
use crate::mcp_config::McpConfig;

/// Everything that shapes how the mock provider behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderConfig {
    /// The profile's name, shown in the journal and the start-up line.
    pub name: String,
    /// Where each endpoint is served.
    pub paths: Paths,
    /// Seconds an authorization code lives ([RFC 6749 §4.1.2]: at most 10 minutes).
    ///
    /// [RFC 6749 §4.1.2]: https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
    pub code_ttl_secs: u64,
    /// Seconds an access token lives (`expires_in`).
    pub access_token_ttl_secs: u64,
    /// Seconds a refresh token lives.
    pub refresh_token_ttl_secs: u64,
    /// Whether the refresh grant issues a new refresh token and retires the old one
    /// ([RFC 9700 §4.14.2](https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2)).
    pub rotate_refresh_tokens: bool,
    /// Opaque random access tokens or signed JWTs.
    pub token_format: TokenFormat,
    /// Whether authorization responses carry `iss` ([RFC 9207](https://www.rfc-editor.org/rfc/rfc9207)).
    pub send_iss: bool,
    /// Approve every valid authorization request at once as `default_user`, skipping login
    /// and consent pages.
    pub auto_approve: bool,
    /// The user that auto-approval logs in as.
    pub default_user: String,
    /// What the authorization endpoint does with a requested scope the client may not have.
    pub unknown_scopes: UnknownScopes,
    /// Extra authorization-request parameters (OpenChatStudio's `team`) that are accepted and
    /// reflected in the token response.
    pub reflect_params: Vec<String>,
    /// Serve HTTPS: a throwaway CA and a certificate it signs for the listening address,
    /// `127.0.0.1`, `::1`, `localhost` and the names in `admin.hosts` are made at start-up, and
    /// the base URL (so the issuer and every URL handed out) becomes `https://…`.
    pub tls: bool,
    /// Where to write the CA certificate (PEM) with `tls`; by default a file in a fresh
    /// temporary directory, removed when the provider stops.
    pub tls_ca_file: Option<PathBuf>,
    /// With `tls`: also listen for plain HTTP on a second port of the same address, and name
    /// `http://…/token` there as the metadata's `token_endpoint` (the issuer and every other URL
    /// stay `https://`): a downgrade a client must refuse (RFC 6749 §10.9). Every request on
    /// that port is journaled as `plain_http`; a token request there is refused
    /// (`transport.plain_http`). Without `tls` the provider does not start.
    pub plain_token_endpoint: bool,
    /// The protected resource API.
    pub resource: ResourceConfig,
    /// Bounds on stores and requests.
    pub limits: Limits,
    /// Who may use the control API.
    pub admin: AdminConfig,
    /// The resource owners who can log in.
    pub users: Vec<User>,
    /// The registered clients.
    pub clients: Vec<ClientConfig>,
    /// Faults active from start-up.
    pub faults: Vec<Fault>,
    /// Deliberate departures from the RFCs (all off by default).
    pub quirks: Quirks,
    /// The mock as an MCP server, and RFC 8707 `resource` checks (off by default).
    pub mcp: McpConfig,
}

/// Rules the mock can be told to break, as many real providers do, so that the provider suite
/// can be shown to catch them (`fixtures/providers/lax.toml`). Every one is off by default;
/// none belongs in a provider anyone relies on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quirks {
    /// How the authorization endpoint compares redirect URIs.
    pub redirect_uri_match: RedirectMatch,
    /// A code issued with a `code_challenge` may be redeemed without `code_verifier` (a wrong
    /// verifier is still refused).
    pub verifier_optional: bool,
    /// A code may be redeemed again and again until it expires.
    pub reusable_codes: bool,
    /// The token endpoint ignores `redirect_uri`.
    pub token_redirect_uri_unchecked: bool,
    /// Successful token responses carry neither `Cache-Control: no-store` nor `Pragma`.
    pub omit_no_store: bool,
    /// Error redirects from the authorization endpoint leave `state` out.
    pub state_dropped_on_error: bool,
    /// The metadata documents leave `code_challenge_methods_supported` out, which MCP clients
    /// must take as "no PKCE" and refuse to proceed (MCP authorization, PKCE).
    pub omit_code_challenge_methods: bool,
    /// The MCP endpoint takes any active access token of its authorization server, whatever
    /// resource it was issued for: no audience check (MCP authorization, "Token Handling").
    pub mcp_audience_unchecked: bool,
    /// The MCP endpoint takes an access token from the `access_token` query parameter when the
    /// request has no `Authorization` header (MCP authorization, "Token Requirements").
    pub mcp_query_token: bool,
    /// The metadata is served at the OpenID Connect discovery URLs (`openid-configuration`)
    /// only; the RFC 8414 ones (`oauth-authorization-server`) answer 404, as at an OpenID
    /// provider that never adopted RFC 8414, and carries the members OpenID Connect Discovery
    /// 1.0 §3 requires (`jwks_uri`, so `token_format = "jwt"`, and
    /// `id_token_signing_alg_values_supported`). MCP clients must still find it (MCP
    /// authorization 2025-11-25, "Authorization Server Metadata Discovery").
    pub openid_discovery_only: bool,
    /// Members of every metadata document replaced by these strings, for client tests: an
    /// `issuer` other than the one the document's URL was built from (RFC 8414 §3.3), or an
    /// `authorization_endpoint` no browser may be sent to.
    pub metadata_overrides: BTreeMap<String, String>,
    /// The metadata leaves `authorization_response_iss_parameter_supported` out, even when
    /// authorization responses carry `iss` (`send_iss`), which RFC 9207 §2.3 and MCP 2026-07-28
    /// say to advertise: an authorization server that emits `iss` before updating its metadata,
    /// whose `iss` MCP clients must still compare (MCP authorization 2026-07-28, "Authorization
    /// Response Validation").
    pub iss_unadvertised: bool,
    /// The MCP endpoint takes an expired access token of its authorization server as if it
    /// were active (MCP authorization, "Token Handling": invalid or expired tokens MUST get a
    /// 401).
    pub mcp_expiry_unchecked: bool,
    /// A Client ID Metadata Document that cannot be fetched or is invalid is answered by
    /// redirecting the error to the request's `redirect_uri`, which nothing validated (MCP
    /// authorization, "Client ID Metadata Documents"; RFC 6749 §4.1.2.1: no redirect then).
    pub client_metadata_error_redirects: bool,
    /// A client identified by a Client ID Metadata Document may use any redirect URI, listed
    /// in its document or not (MCP authorization, "Client ID Metadata Documents": the server
    /// validates the redirect URI against the document).
    pub client_metadata_redirect_unchecked: bool,
}

/// The two answers [RFC 6749 §3.3](https://www.rfc-editor.org/rfc/rfc6749#section-3.3) allows to
/// an authorization request for a scope the client may not have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownScopes {
    /// An `invalid_scope` error redirect ([RFC 6749 §4.1.2.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1)).
    #[default]
    Refuse,
    /// Left out of the grant (the client's default scopes when none is left); the token
    /// response states the scope granted.
    Ignore,
}

/// How a `redirect_uri` is matched against the registered ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectMatch {
    /// Byte for byte ([RFC 9700 §2.1](https://www.rfc-editor.org/rfc/rfc9700#section-2.1)).
    #[default]
    Exact,
    /// Any URI that starts with a registered one (a classic open-redirect bug).
    Prefix,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        Self {
            name: "default".into(),
            paths: Paths::default(),
            code_ttl_secs: 60,
            access_token_ttl_secs: 3600,
            refresh_token_ttl_secs: 86_400,
            rotate_refresh_tokens: true,
            token_format: TokenFormat::Opaque,
            send_iss: true,
            auto_approve: true,
            default_user: "alice".into(),
            unknown_scopes: UnknownScopes::default(),
            reflect_params: Vec::new(),
            tls: false,
            tls_ca_file: None,
            plain_token_endpoint: false,
            resource: ResourceConfig::default(),
            limits: Limits::default(),
            admin: AdminConfig::default(),
            users: vec![User::default()],
            clients: vec![ClientConfig::default()],
            faults: Vec::new(),
            quirks: Quirks::default(),
            mcp: McpConfig::default(),
        }
    }
}

/// The access token format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenFormat {
    /// 256-bit random strings, meaningful only to this server.
    #[default]
    Opaque,
    /// ES256-signed JWTs; the key is generated at start-up and published at the JWKS path.
    Jwt,
}

/// Endpoint paths. All are also served under the tenant prefix `/t/{tenant}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Paths {
    pub authorize: String,
    pub token: String,
    pub userinfo: String,
    pub revoke: String,
    pub introspect: String,
    pub register: String,
    pub jwks: String,
    pub login: String,
    pub consent: String,
}

impl Default for Paths {
    fn default() -> Self {
        Self {
            authorize: "/authorize".into(),
            token: "/token".into(),
            userinfo: "/userinfo".into(),
            revoke: "/revoke".into(),
            introspect: "/introspect".into(),
            register: "/register".into(),
            jwks: "/jwks.json".into(),
            login: "/login".into(),
            consent: "/consent".into(),
        }
    }
}

/// Where a resource server accepts the bearer token ([RFC 6750 §2](https://www.rfc-editor.org/rfc/rfc6750#section-2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BearerPlacement {
    /// `Authorization: Bearer …` (§2.1), always accepted.
    Header,
    /// `access_token` in a form-encoded body (§2.2).
    Body,
    /// `access_token` in the query string (§2.3).
    Query,
    /// A segment of `resource.token_path` (Kore.ai's "Path Param"), accepted only there.
    Path,
}

/// The protected resource API served beside the authorization server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResourceConfig {
    /// Its path (any method).
    pub path: String,
    /// Where the token may be placed besides the header.
    pub bearer_in: Vec<BearerPlacement>,
    /// A scope the token must carry, else `403 insufficient_scope`.
    pub required_scope: Option<String>,
    /// A second path of the same API that takes the access token as a path segment, e.g.
    /// `/api/users/{access_token}/profile` (Kore.ai's "Path Param"); not served when absent.
    /// RFC 6750 defines no such placement, and a URL ends up in logs (§5.3, RFC 9700 §4.3.2).
    pub token_path: Option<String>,
}

impl Default for ResourceConfig {
    fn default() -> Self {
        Self {
            path: "/api/resource".into(),
            bearer_in: vec![BearerPlacement::Header],
            required_scope: None,
            token_path: None,
        }
    }
}

/// Bounds that keep memory flat under endless load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Authorization codes (and tombstones of redeemed ones) held at once. When full, dead
    /// entries go first, then the oldest of the client holding the most; every live entry
    /// dropped is journaled (`store.live_entry_evicted`).
    pub max_codes: usize,
    /// Access and refresh tokens held at once, dropped as codes are.
    pub max_tokens: usize,
    /// Journal entries kept; the oldest are dropped first.
    pub journal_capacity: usize,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Pending login/consent interactions and browser sessions held at once.
    pub max_sessions: usize,
    /// Registered clients, including dynamically registered ones.
    pub max_clients: usize,
    /// Bytes the journal may hold, as accounted by its entries' sizes; the oldest entries are
    /// dropped first. Each entry's large values are truncated and marked when recorded.
    pub journal_bytes: usize,
    /// Milliseconds a client has to send a whole request head, from its first byte, else the
    /// connection is closed (slowloris); and as long again for the body, else a `408`.
    pub header_read_timeout_ms: u64,
    /// Milliseconds a connection may sit idle between requests (or before its first) before
    /// it is closed.
    pub idle_timeout_ms: u64,
    /// Connections served at once. At the cap a new connection takes the place of the one
    /// idle the longest; when none is idle it gets a 503 and is closed.
    pub max_connections: usize,
    /// Bytes a request head (request line and headers) may take; a longer head gets hyper's
    /// `431 Request Header Fields Too Large` and the connection is closed. It bounds what any
    /// one request can make the mock keep (a flow's `state`, a journaled header).
    pub max_head_bytes: usize,
    /// Bytes the pending login/consent interactions may hold together (each keeps its whole
    /// authorization request, `state` included, about the sum of its strings' lengths); the
    /// oldest are dropped first. At least 1 MiB.
    pub max_session_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_codes: 50_000,
            max_tokens: 100_000,
            // 1,000: a few seconds of a busy platform's requests; `gauntlet run` raises it to what
            // its run needs.
            journal_capacity: 1_000,
            max_body_bytes: 16 * 1024,
            max_sessions: 10_000,
            max_clients: 10_000,
            // 4 MiB: room for the 1,000 entries of `journal_capacity` at about 4 KiB each (an
            // ordinary entry takes 1–3 KiB), while a journal of cut hostile entries stays a
            // small part of the mock's 40 MB.
            journal_bytes: 4 * 1024 * 1024,
            // 10 s: a real client sends its head in one packet; nginx's default is 60 s, but a
            // test mock need not wait for clients on slow links.
            header_read_timeout_ms: 10_000,
            // 60 s: nginx's default keep-alive; a client whose pooled connection was closed
            // opens a new one.
            idle_timeout_ms: 60_000,
            // 512: half the usual soft limit of 1,024 open files, leaving room for the 503s
            // answered past the cap and the process's other files.
            max_connections: 512,
            // 64 KiB: twice nginx's largest default head (4 × 8 KiB buffers) and room for any
            // real browser's cookies, a sixth of hyper's own default (about 400 KiB).
            max_head_bytes: 64 * 1024,
            // 16 MiB: the 10,000 interactions of `max_sessions` at about 1.6 KiB each (an
            // ordinary one takes under 1 KiB), yet at most 256 requests with 64 KiB heads.
            max_session_bytes: 16 * 1024 * 1024,
        }
    }
}

/// The longest header-read or idle timeout, in milliseconds (an hour).
pub(crate) const MAX_CONNECTION_TIMEOUT_MS: u64 = 60 * 60 * 1_000;

/// The most connections the mock serves at once.
pub(crate) const MAX_CONNECTIONS: usize = 65_536;

/// The bounds of `max_head_bytes`: 8 KiB (room for any ordinary head) and 1 MiB.
pub(crate) const HEAD_BYTES: std::ops::RangeInclusive<usize> = 8 * 1024..=1024 * 1024;

/// The smallest journal byte budget: room for a few entries at their largest.
pub(crate) const MIN_JOURNAL_BYTES: usize = 1024 * 1024;

/// The smallest byte budget of pending interactions: room for sixteen at their largest.
pub(crate) const MIN_SESSION_BYTES: usize = 1024 * 1024;

impl Limits {
    /// Checks the connection and journal bounds, naming the key at fault.
    fn validate(&self) -> Result<(), (String, String)> {
        if self.max_codes == 0 || self.max_tokens == 0 || self.max_sessions == 0 {
            return Err(("limits".into(), "store sizes must be at least 1".into()));
        }
        for (key, ms) in [
            ("header_read_timeout_ms", self.header_read_timeout_ms),
            ("idle_timeout_ms", self.idle_timeout_ms),
        ] {
            if !(1..=MAX_CONNECTION_TIMEOUT_MS).contains(&ms) {
                return Err((
                    format!("limits.{key}"),
                    format!("{ms} is outside 1..={MAX_CONNECTION_TIMEOUT_MS} ms"),
                ));
            }
        }
        if !(1..=MAX_CONNECTIONS).contains(&self.max_connections) {
            return Err((
                "limits.max_connections".into(),
                format!("{} is outside 1..={MAX_CONNECTIONS}", self.max_connections),
            ));
        }
        if !HEAD_BYTES.contains(&self.max_head_bytes) {
            return Err((
                "limits.max_head_bytes".into(),
                format!(
                    "{} is outside {}..={} bytes",
                    self.max_head_bytes,
                    HEAD_BYTES.start(),
                    HEAD_BYTES.end()
                ),
            ));
        }
        budget_at_least("journal_bytes", self.journal_bytes, MIN_JOURNAL_BYTES)?;
        budget_at_least(
            "max_session_bytes",
            self.max_session_bytes,
            MIN_SESSION_BYTES,
        )?;
        Ok(())
    }
}

/// A byte budget of `[limits]` no smaller than its least useful size.
fn budget_at_least(key: &str, bytes: usize, min: usize) -> Result<(), (String, String)> {
    if bytes < min {
        return Err((
            format!("limits.{key}"),
            format!("{bytes} is below the smallest budget, {min}"),
        ));
    }
    Ok(())
}

/// Access to the control API under `/_admin`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    /// Answer control requests from any address, not only loopback.
    pub allow_remote: bool,
    /// Demand `Authorization: Bearer <token>` on every control request.
    pub token: Option<Secret>,
    /// More `host:port` names the control API answers to, besides the bound address and
    /// `127.0.0.1`, `localhost` and `[::1]` with its port (e.g. a LAN name with `allow_remote`).
    pub hosts: Vec<String>,
}

/// A resource owner who can log in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct User {
    /// Login name.
    pub username: String,
    /// Password for the login form.
    pub password: String,
    /// The `sub` claim; defaults to the username.
    pub subject: Option<String>,
    /// Display name for userinfo.
    pub name: String,
    /// E-mail address for userinfo.
    pub email: String,
}

impl User {
    /// The subject identifier.
    pub fn sub(&self) -> &str {
        self.subject.as_deref().unwrap_or(&self.username)
    }
}

impl Default for User {
    fn default() -> Self {
        Self {
            username: "alice".into(),
            password: "wonderland".into(),
            subject: None,
            name: "Alice Liddell".into(),
            email: "alice@example.test".into(),
        }
    }
}

/// A configuration that cannot be used, naming the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML does not parse or has unknown or mistyped keys.
    #[error("{path}: {source}")]
    Parse {
        /// The file.
        path: String,
        /// The TOML error, with the key and position.
        source: Box<toml::de::Error>,
    },
    /// The values are inconsistent.
    #[error("{key}: {message}")]
    Invalid {
        /// The key path, e.g. `clients[0].redirect_uris[1]`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

impl ProviderConfig {
    /// Reads and validates a TOML profile.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text).map_err(|e| match e {
            ConfigError::Parse { source, .. } => ConfigError::Parse {
                path: path.display().to_string(),
                source,
            },
            other => other,
        })
    }

    /// Parses and validates a TOML profile held in memory.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|source| ConfigError::Parse {
            path: "<config>".into(),
            source: Box::new(source),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks cross-field consistency and bounds: unique client ids, valid redirect URIs, known
    /// users, lifetimes of at most a year, faults within bounds.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key: String, message: &str| ConfigError::Invalid {
            key,
            message: message.into(),
        };
        for (name, path) in self
            .paths
            .entries()
            .into_iter()
            .chain([("resource.path", &self.resource.path)])
        {
            if !path.starts_with('/') || path.starts_with("/_admin") || path.starts_with("/t/") {
                return Err(invalid(
                    name.into(),
                    "must start with '/' and not with /_admin or /t/",
                ));
            }
        }
        if let Some(path) = &self.resource.token_path {
            check_token_path(path).map_err(|m| invalid("resource.token_path".into(), m))?;
        }
        if self.auto_approve && !self.users.iter().any(|u| u.username == self.default_user) {
            return Err(invalid("default_user".into(), "names no configured user"));
        }
        if self.quirks.openid_discovery_only && self.token_format != TokenFormat::Jwt {
            return Err(invalid(
                "quirks.openid_discovery_only".into(),
                "needs token_format = \"jwt\": OpenID Connect discovery requires a jwks_uri",
            ));
        }
        self.limits
            .validate()
            .map_err(|(key, message)| invalid(key, &message))?;
        self.mcp
            .validate()
            .map_err(|(key, message)| invalid(key, &message))?;
        for (key, secs) in [
            ("code_ttl_secs", self.code_ttl_secs),
            ("access_token_ttl_secs", self.access_token_ttl_secs),
            ("refresh_token_ttl_secs", self.refresh_token_ttl_secs),
        ] {
            if secs > MAX_LIFETIME_SECS {
                return Err(invalid(
                    key.into(),
                    &format!("{secs} exceeds the longest lifetime, {MAX_LIFETIME_SECS} s (a year)"),
                ));
            }
        }
        if self.faults.len() > MAX_FAULTS {
            return Err(invalid(
                "faults".into(),
                &format!("more than {MAX_FAULTS} faults"),
            ));
        }
        if self.admin.token.as_ref().is_some_and(|t| {
            t.expose().trim().is_empty() || t.expose().contains(char::is_whitespace)
        }) {
            return Err(invalid(
                "admin.token".into(),
                "must be non-empty and hold no whitespace",
            ));
        }
        for (i, fault) in self.faults.iter().enumerate() {
            fault
                .validate()
                .map_err(|(key, message)| invalid(format!("faults[{i}].{key}"), &message))?;
        }
        for (i, client) in self.clients.iter().enumerate() {
            if self.clients[..i]
                .iter()
                .any(|c| c.client_id == client.client_id)
            {
                return Err(invalid(
                    format!("clients[{i}].client_id"),
                    "is registered twice",
                ));
            }
            client
                .validate()
                .map_err(|(key, message)| invalid(format!("clients[{i}].{key}"), &message))?;
        }
        Ok(())
    }
}

/// The placeholder of [`ResourceConfig::token_path`].
pub(crate) const TOKEN_SEGMENT: &str = "{access_token}";

/// A token path starts with '/', not with /_admin or /t/, and holds [`TOKEN_SEGMENT`] exactly
/// once as a whole segment, with no other placeholder, query or fragment.
fn check_token_path(path: &str) -> Result<(), &'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    if !path.starts_with('/') || path.starts_with("/_admin") || path.starts_with("/t/") {
        Err("must start with '/' and not with /_admin or /t/")
    } else if segments.iter().filter(|s| **s == TOKEN_SEGMENT).count() != 1 {
        Err("must hold {access_token} exactly once, as a whole segment")
    } else if path
        .replacen(TOKEN_SEGMENT, "", 1)
        .contains(['{', '}', '?', '#', '*'])
    {
        Err("may hold no other placeholder, wildcard, query or fragment")
    } else {
        Ok(())
    }
}

impl Paths {
    /// Each path with its key name.
    pub fn entries(&self) -> Vec<(&'static str, &String)> {
        vec![
            ("paths.authorize", &self.authorize),
            ("paths.token", &self.token),
            ("paths.userinfo", &self.userinfo),
            ("paths.revoke", &self.revoke),
            ("paths.introspect", &self.introspect),
            ("paths.register", &self.register),
            ("paths.jwks", &self.jwks),
            ("paths.login", &self.login),
            ("paths.consent", &self.consent),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_is_off_by_default_and_parses_from_toml() {
        assert!(!ProviderConfig::default().tls);
        let config = ProviderConfig::from_toml("tls = true\ntls_ca_file = \"ca.pem\"").unwrap();
        assert!(config.tls);
        assert_eq!(config.tls_ca_file, Some(PathBuf::from("ca.pem")));
    }

    #[test]
    fn the_plain_token_endpoint_is_off_by_default_and_parses_from_toml() {
        assert!(!ProviderConfig::default().plain_token_endpoint);
        let config = ProviderConfig::from_toml("tls = true\nplain_token_endpoint = true").unwrap();
        assert!(config.plain_token_endpoint);
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let err = ProviderConfig::from_toml("code_tll_secs = 5")
            .unwrap_err()
            .to_string();
        assert!(err.contains("code_tll_secs"), "{err}");
    }

    #[test]
    fn duplicate_clients_are_refused_with_their_key_path() {
        let text = r#"
            [[clients]]
            client_id = "a"
            client_secret = "s"
            redirect_uris = ["https://app.test/cb"]
            [[clients]]
            client_id = "a"
            client_secret = "s"
            redirect_uris = ["https://app.test/cb"]
        "#;
        let err = ProviderConfig::from_toml(text).unwrap_err().to_string();
        assert_eq!(err, "clients[1].client_id: is registered twice");
    }

    #[test]
    fn a_token_path_holds_the_token_as_one_whole_segment() {
        assert!(check_token_path("/api/users/{access_token}/profile").is_ok());
        assert!(check_token_path("/{access_token}").is_ok());
        for bad in [
            "api/{access_token}",
            "/api/users",
            "/api/x{access_token}",
            "/{access_token}/{access_token}",
            "/{access_token}/{other}",
            "/{access_token}?x=1",
            "/t/{access_token}",
            "/_admin/{access_token}",
        ] {
            assert!(check_token_path(bad).is_err(), "{bad}");
        }
        let err = ProviderConfig::from_toml("[resource]\ntoken_path = \"/api/{token}\"")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("resource.token_path"), "{err}");
    }

    #[test]
    fn lifetimes_beyond_a_year_are_refused_by_name() {
        for key in [
            "code_ttl_secs",
            "access_token_ttl_secs",
            "refresh_token_ttl_secs",
        ] {
            let err = ProviderConfig::from_toml(&format!("{key} = 9223372036854775807"))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(key), "{err}");
        }
    }

    #[test]
    fn a_fault_out_of_bounds_is_refused_by_its_key_path() {
        let text = "[[faults]]\non = \"token\"\nkind = \"status\"\nstatus = 101";
        let err = ProviderConfig::from_toml(text).unwrap_err().to_string();
        assert!(err.starts_with("faults[0].status"), "{err}");
    }

    #[test]
    fn connection_and_journal_limits_out_of_bounds_are_refused_by_name() {
        for (key, value) in [
            ("header_read_timeout_ms", "0"),
            ("idle_timeout_ms", "3600001"),
            ("max_connections", "0"),
            ("journal_bytes", "1024"),
            ("max_session_bytes", "1048575"),
        ] {
            let err = ProviderConfig::from_toml(&format!("[limits]\n{key} = {value}"))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(&format!("limits.{key}")), "{err}");
        }
    }

    #[test]
    fn unknown_default_user_is_refused() {
        let err = ProviderConfig::from_toml("default_user = \"bob\"")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("default_user"), "{err}");
    }

    #[test]
    fn the_default_fixture_spells_out_the_built_in_profile() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/providers/default.toml"
        );
        assert_eq!(
            ProviderConfig::from_file(path).unwrap(),
            ProviderConfig::default()
        );
    }

    #[test]
    fn the_openchatstudio_fixture_loads() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/providers/openchatstudio.toml"
        );
        let config = ProviderConfig::from_file(path).unwrap();
        assert_eq!(config.paths.authorize, "/o/authorize/");
        assert_eq!(
            config.clients[0].default_scopes(),
            config.clients[0].allowed_scopes.as_slice()
        );
    }

    #[test]
    fn an_unknown_quirk_is_refused_by_name() {
        // tests/it/quirks.rs checks the lax fixture and each quirk's behaviour.
        let err = ProviderConfig::from_toml("[quirks]\nloose = true")
            .unwrap_err()
            .to_string();
        assert!(err.contains("loose"), "{err}");
    }

    #[test]
    fn empty_profile_is_the_default() {
        assert_eq!(
            ProviderConfig::from_toml("").unwrap(),
            ProviderConfig::default()
        );
    }
}
