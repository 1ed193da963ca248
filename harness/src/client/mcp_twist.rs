//! [`McpTwist`]: how the MCP server of a scenario's own mock differs from the run's, for the
//! MCP scenarios that need a server the platform must refuse or must discover the hard way.
//! The platform is started afresh against it (an MCP client discovers its authorization
//! server when it connects, which the reference platform does at start).

use mock_provider::{McpChallenge, ProviderConfig, TokenFormat, UnknownScopes};

/// One way the scenario's MCP server differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum McpTwist {
    /// Its protected-resource metadata describes another resource (RFC 9728 §3.3).
    ForeignResource,
    /// Its authorization server's metadata has no `code_challenge_methods_supported`.
    NoPkceMethods,
    /// Its 401 names no `resource_metadata`, and the metadata is only at the path-aware URL.
    BarePathAwareOnly,
    /// Its 401 names no `resource_metadata`; the metadata is at both well-known URLs.
    Bare,
    /// Its authorization server's issuer has a path (`{base}/t/tenant1`, [`TENANT`]); the
    /// root well-known URLs describe another issuer (the root one).
    IssuerWithPath,
    /// Likewise, and the authorization server publishes OpenID Connect discovery only.
    IssuerWithPathOpenIdOnly,
    /// Its authorization server's metadata names another issuer ([`FOREIGN_ISSUER`]).
    ForeignIssuer,
    /// Its authorization server's metadata names this authorization endpoint, one of
    /// [`HOSTILE_ENDPOINTS`].
    HostileEndpoint(&'static str),
    /// Its 401 challenges for [`SERVER_SCOPE`], a scope the platform is not configured with.
    ChallengedScope,
    /// Its 401 names no scope; its protected-resource metadata lists [`SERVER_SCOPE`].
    MetadataScope,
    /// Its authorization server sends no `iss`, and its metadata says so
    /// (`authorization_response_iss_parameter_supported` is false).
    IssNotSent,
    /// Its authorization server sends `iss`, but its metadata leaves
    /// `authorization_response_iss_parameter_supported` out (it emits `iss` before updating its
    /// metadata).
    IssUnadvertised,
    /// Its authorization server sends no `iss`, and its metadata leaves
    /// `authorization_response_iss_parameter_supported` out.
    IssUnmentioned,
    /// Its authorization server has not registered the platform (the platform's client is
    /// registered with another issuer) and offers dynamic registration only.
    Unregistered,
    /// Likewise, and it accepts Client ID Metadata Documents (fetched from loopback hosts; a
    /// plain-HTTP document URL allowed for a client under test).
    UnregisteredCimd,
    /// Its tool [`STEP_UP_TOOL`] needs [`STEP_UP_SCOPE`] besides the endpoint's scopes, which
    /// its authorization server leaves out of every grant (the platform's client may not have
    /// it): a 403 `insufficient_scope` before and after any re-authorization.
    StepUpNeverGranted,
    /// Its authorization server's token endpoint is at [`TOKEN_PATH`], so that neither
    /// `{origin}/token` nor `{issuer}/token` (2025-03-26's default paths) is it.
    TokenEndpointElsewhere,
}

/// The scope the MCP server of [`McpTwist::ChallengedScope`] and [`McpTwist::MetadataScope`]
/// needs for every request: one no platform profile configures.
pub(crate) const SERVER_SCOPE: &str = "mcp:files";

/// The token endpoint's path under [`McpTwist::TokenEndpointElsewhere`].
pub(crate) const TOKEN_PATH: &str = "/oauth2/v1/token";

/// The tool of [`McpTwist::StepUpNeverGranted`].
pub(crate) const STEP_UP_TOOL: &str = "echo";

/// The scope [`STEP_UP_TOOL`] needs there.
pub(crate) const STEP_UP_SCOPE: &str = "write";

/// The tenant whose issuer (`{base}/t/tenant1`) is the authorization server of
/// [`McpTwist::IssuerWithPath`].
pub(crate) const TENANT: &str = "tenant1";

/// The issuer the lying authorization server's metadata names.
pub(crate) const FOREIGN_ISSUER: &str = "https://elsewhere.example.test";

/// Authorization endpoints no browser may be sent to: script and data URLs, a local file, and
/// a made-up scheme carrying a shell command substitution (how CVE-2025-6514 reached a shell
/// through an opener). Harmless if run; never run: no Gauntlet code follows them.
pub(crate) const HOSTILE_ENDPOINTS: [&str; 4] = [
    "javascript:alert(document.domain)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "a:$(echo${IFS}gauntlet)",
];

/// The resource the lying server's metadata names: no prefix of any server's URL, so no
/// reading of RFC 9728 §3.3 lets a client use it.
pub(crate) const FOREIGN_RESOURCE: &str = "https://elsewhere.example.test/another-mcp";

impl McpTwist {
    /// The twist a step's words name.
    pub(crate) fn from_words(words: &str) -> Option<Self> {
        Some(match words {
            "whose protected-resource metadata describes another resource" => Self::ForeignResource,
            "whose authorization server does not list code_challenge_methods_supported" => {
                Self::NoPkceMethods
            }
            "whose 401 names no metadata URL and whose metadata is only at the path-aware URL" => {
                Self::BarePathAwareOnly
            }
            "whose 401 names no metadata URL" => Self::Bare,
            "whose authorization server's issuer has a path" => Self::IssuerWithPath,
            "whose authorization server's issuer has a path and which publishes only OpenID Connect discovery" => {
                Self::IssuerWithPathOpenIdOnly
            }
            "whose authorization server's metadata names another issuer" => Self::ForeignIssuer,
            "whose 401 asks for a scope the platform is not configured with" => {
                Self::ChallengedScope
            }
            "whose 401 names no scope and whose metadata lists a scope the platform is not configured with" => {
                Self::MetadataScope
            }
            "whose authorization server sends no iss and its metadata says so" => Self::IssNotSent,
            "whose authorization server sends iss but its metadata does not mention it" => {
                Self::IssUnadvertised
            }
            "whose authorization server neither sends iss nor mentions it in its metadata" => {
                Self::IssUnmentioned
            }
            "whose authorization server has not registered the platform" => Self::Unregistered,
            "whose authorization server has not registered the platform and accepts Client ID Metadata Documents" => {
                Self::UnregisteredCimd
            }
            "whose echo tool needs a scope its authorization server does not grant" => {
                Self::StepUpNeverGranted
            }
            "whose authorization server's token endpoint is at no default path" => {
                Self::TokenEndpointElsewhere
            }
            other => {
                let endpoint = other
                    .strip_prefix(
                        "whose authorization server's metadata names the authorization endpoint \"",
                    )?
                    .strip_suffix('"')?;
                Self::HostileEndpoint(HOSTILE_ENDPOINTS.into_iter().find(|h| *h == endpoint)?)
            }
        })
    }

    /// Changes the run's mock configuration into the scenario's.
    pub(crate) fn apply(self, config: &mut ProviderConfig) {
        let mcp = &mut config.mcp;
        match self {
            Self::ForeignResource => mcp.metadata_resource = Some(FOREIGN_RESOURCE.into()),
            Self::NoPkceMethods => config.quirks.omit_code_challenge_methods = true,
            Self::BarePathAwareOnly => {
                mcp.challenge = McpChallenge::Bare;
                mcp.metadata_at_root = false;
            }
            Self::Bare => mcp.challenge = McpChallenge::Bare,
            Self::IssuerWithPath => mcp.tenant = Some(TENANT.into()),
            Self::IssuerWithPathOpenIdOnly => {
                mcp.tenant = Some(TENANT.into());
                config.quirks.openid_discovery_only = true;
                // OpenID Connect discovery requires a jwks_uri.
                config.token_format = TokenFormat::Jwt;
            }
            Self::ForeignIssuer => {
                (config.quirks.metadata_overrides).insert("issuer".into(), FOREIGN_ISSUER.into());
            }
            Self::HostileEndpoint(endpoint) => {
                (config.quirks.metadata_overrides)
                    .insert("authorization_endpoint".into(), endpoint.into());
            }
            Self::ChallengedScope => mcp.scopes = vec![SERVER_SCOPE.into()],
            Self::MetadataScope => {
                mcp.scopes = vec![SERVER_SCOPE.into()];
                mcp.challenge = McpChallenge::NoScope;
            }
            Self::IssNotSent => config.send_iss = false,
            Self::IssUnadvertised => config.quirks.iss_unadvertised = true,
            Self::IssUnmentioned => {
                config.send_iss = false;
                config.quirks.iss_unadvertised = true;
            }
            // The platform's client is not registered here: a change to the platform's side
            // ([`McpTwist::registers_platform`]); the metadata names the registration endpoint.
            Self::Unregistered => {}
            Self::UnregisteredCimd => {
                mcp.client_id_metadata_documents = true;
                mcp.client_metadata_hosts = ["127.0.0.1", "localhost", "[::1]"]
                    .map(String::from)
                    .to_vec();
                mcp.client_metadata_plain_http = true;
            }
            Self::StepUpNeverGranted => {
                (mcp.tool_scopes).insert(STEP_UP_TOOL.into(), vec![STEP_UP_SCOPE.into()]);
                // The platform's client is registered for its configured scopes only: a
                // request for more is granted without them rather than refused.
                config.unknown_scopes = UnknownScopes::Ignore;
            }
            Self::TokenEndpointElsewhere => config.paths.token = TOKEN_PATH.into(),
        }
    }

    /// Whether the platform's client is registered with this authorization server.
    pub(crate) fn registers_platform(self) -> bool {
        !matches!(self, Self::Unregistered | Self::UnregisteredCimd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_twist_changes_the_configuration() {
        for twist in [
            McpTwist::ForeignResource,
            McpTwist::NoPkceMethods,
            McpTwist::BarePathAwareOnly,
            McpTwist::Bare,
            McpTwist::IssuerWithPath,
            McpTwist::IssuerWithPathOpenIdOnly,
            McpTwist::ForeignIssuer,
            McpTwist::HostileEndpoint(HOSTILE_ENDPOINTS[0]),
            McpTwist::ChallengedScope,
            McpTwist::MetadataScope,
            McpTwist::IssNotSent,
            McpTwist::IssUnadvertised,
            McpTwist::IssUnmentioned,
            McpTwist::UnregisteredCimd,
            McpTwist::StepUpNeverGranted,
            McpTwist::TokenEndpointElsewhere,
        ] {
            let mut config = ProviderConfig::default();
            twist.apply(&mut config);
            assert_ne!(config, ProviderConfig::default(), "{twist:?}");
        }
        // Only the platform's side differs: it is registered elsewhere.
        assert!(!McpTwist::Unregistered.registers_platform());
        assert!(McpTwist::Bare.registers_platform());
    }

    #[test]
    fn only_the_known_hostile_endpoints_are_served() {
        for endpoint in HOSTILE_ENDPOINTS {
            let words = format!(
                "whose authorization server's metadata names the authorization endpoint \"{endpoint}\""
            );
            assert_eq!(
                McpTwist::from_words(&words),
                Some(McpTwist::HostileEndpoint(endpoint))
            );
        }
        let other =
            "whose authorization server's metadata names the authorization endpoint \"http://x\"";
        assert_eq!(McpTwist::from_words(other), None);
    }
}
