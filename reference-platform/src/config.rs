//! What the platform is configured with: the provider's issuer, the protected resource, the
//! client registration, and where to listen.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use oauth_vocab::AuthMethod;

use crate::defects::Defects;
use crate::start_error::StartError;

/// The reference platform's configuration.
///
/// ```
/// use reference_platform::PlatformConfig;
/// let config = PlatformConfig {
///     issuer: "http://127.0.0.1:9090".into(),
///     ..PlatformConfig::default()
/// };
/// assert_eq!(config.redirect_uri_for("http://127.0.0.1:8080"), "http://127.0.0.1:8080/callback");
/// ```
#[derive(Clone)]
pub struct PlatformConfig {
    /// The provider's issuer identifier; the metadata is read from it at start
    /// ([RFC 8414 §3](https://www.rfc-editor.org/rfc/rfc8414#section-3)). The MCP shape
    /// discovers its issuer from the MCP server instead.
    pub issuer: String,
    /// The protected API that the `whoami` probe calls with the access token; with Kore.ai's
    /// path placement it holds an `{access_token}` segment, e.g.
    /// `http://127.0.0.1:9090/api/users/{access_token}/profile`. In the MCP shape, the MCP
    /// server's endpoint (its resource identifier).
    pub resource_url: String,
    /// The client identifier registered at the provider.
    pub client_id: String,
    /// The client secret; `None` for a public client.
    pub client_secret: Option<String>,
    /// How the client authenticates at the token and revocation endpoints.
    pub auth_method: AuthMethod,
    /// The scopes every authorization request asks for.
    pub scopes: Vec<String>,
    /// The callback path; the redirect URI is the platform's base URL followed by it.
    pub redirect_path: String,
    /// The timeout of every request to the provider (metadata, token, revocation, resource).
    pub token_timeout: Duration,
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Deliberate bugs switched on (none: the correct platform), for `gauntlet mutants`.
    pub defects: Defects,
    /// Which chatbot platform it behaves like (the generic web and chat channels by default).
    pub shape: Shape,
    /// Parameters added to every authorization request (OpenChatStudio's `team`).
    pub extra_params: Vec<(String, String)>,
    /// What a chat answer's login button points at.
    pub chat_button: ChatButton,
    /// A PEM file of CAs the platform trusts, besides the web PKI roots, when it talks to the
    /// provider and the resource (a test provider's own CA, e.g. the mock's `{ca_file}`).
    pub ca_file: Option<PathBuf>,
    /// In the MCP shape: the path of the Client ID Metadata Document the platform serves
    /// (e.g. `/oauth/client-metadata.json`); `{base_url}{path}` is then its `client_id` at an
    /// authorization server that advertises `client_id_metadata_document_supported` and is
    /// not [`issuer`](Self::issuer), the one its `client_id` is registered with. `None`: no
    /// document, and such a server gets a dynamic registration.
    pub client_metadata_path: Option<String>,
}

/// What the login button of a chat answer (the chat channel, CSML, Converse) points at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatButton {
    /// A single-use platform URL (`/chat/link/{ticket}`) that starts the flow in the browser
    /// following it, bound to that browser's cookie like `/link`.
    #[default]
    Ticket,
    /// The authorization URL itself, as many chat platforms hand it out: the flow starts at the
    /// chat turn, no browser visits the platform before the provider, so the state binds the
    /// flow to the chat session alone.
    AuthorizationUrl,
}

/// The shape of a chatbot platform's OAuth integration (see `shared/seeds/`). Every shape
/// keeps the generic routes; each adds its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Shape {
    /// Only the generic web (`/link`) and chat (`/chat`) channels.
    #[default]
    Web,
    /// CSML Studio: a chat turn answers with an `OAuthRequest` button; the bot flow gets an
    /// event on the next turn (`POST /csml/chat`).
    Csml {
        /// The button's text.
        button_text: String,
    },
    /// Converse: session variables `authCode` and `accessToken`; the callback only stores the
    /// code, a separate Get Access Token step exchanges it (`POST /converse/turn`); a channel
    /// may hand over a token directly (`POST /converse/channel-token`).
    Converse,
    /// Kore.ai: an authorization profile with `{tenant}` and dynamic fields in its URLs,
    /// scopes as key/value pairs, the token placed where configured, and a test action
    /// (`POST /kore/test-authorization`).
    Kore(KoreProfile),
    /// Botpress: one global callback (`redirect_path` `/oauth`) for several bots, routed by
    /// state; webhooks reach the bot linked to an external id (`/botpress/…`).
    Botpress {
        /// The bots sharing the callback.
        bots: Vec<String>,
    },
    /// An MCP client: [`PlatformConfig::resource_url`] is its MCP server's endpoint. At start
    /// it connects to the server and, on its `401`, discovers the authorization server through
    /// the server's protected-resource metadata (RFC 9728) instead of reading
    /// [`PlatformConfig::issuer`]; its flows send the server's URL as `resource` (RFC 8707) in
    /// the authorization and token requests, and `/whoami` calls the server's `whoami` tool.
    Mcp,
}

/// A Kore.ai authorization profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KoreProfile {
    /// The tenant filled into `{tenant}`.
    pub tenant: String,
    /// The authorization URL template, e.g. `{provider}/t/{tenant}/authorize`; `{provider}` is
    /// the issuer's origin, other `{names}` come from `fields`.
    pub authorization_url: String,
    /// The token URL template.
    pub token_url: String,
    /// Dynamic fields filled into the templates.
    pub fields: Vec<(String, String)>,
    /// Scopes as key/value pairs (key sent, value shown).
    pub scopes: Vec<(String, String)>,
    /// Where the access token goes in later API calls.
    pub placement: Placement,
}

/// Where Kore.ai puts the access token in later API calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// `Authorization: Bearer …`.
    #[default]
    Header,
    /// `access_token` in a form-encoded POST body.
    Payload,
    /// `access_token` in the query string.
    Query,
    /// Kore.ai's "Path Param": the `{access_token}` segment of the resource URL
    /// ([`PlatformConfig::resource_url`] then holds that placeholder). RFC 6750 defines no such
    /// placement, and a URL ends up in logs (§5.3): the vendor's choice, not a default.
    Path,
}

impl FromStr for Placement {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "header" => Ok(Self::Header),
            "payload" => Ok(Self::Payload),
            "query" => Ok(Self::Query),
            "path" => Ok(Self::Path),
            other => Err(format!(
                "unknown placement {other:?} (header, payload, query or path)"
            )),
        }
    }
}

impl Default for PlatformConfig {
    fn default() -> Self {
        Self {
            issuer: "http://127.0.0.1:9090".into(),
            resource_url: "http://127.0.0.1:9090/api/resource".into(),
            client_id: "gauntlet-client".into(),
            client_secret: None,
            auth_method: AuthMethod::ClientSecretBasic,
            scopes: vec!["read".into()],
            redirect_path: "/callback".into(),
            token_timeout: Duration::from_secs(2),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            defects: Defects::none(),
            shape: Shape::Web,
            extra_params: Vec::new(),
            chat_button: ChatButton::Ticket,
            ca_file: None,
            client_metadata_path: None,
        }
    }
}

/// The secret never appears in debug output (and so never in logs).
impl fmt::Debug for PlatformConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformConfig")
            .field("issuer", &self.issuer)
            .field("resource_url", &self.resource_url)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("auth_method", &self.auth_method)
            .field("scopes", &self.scopes)
            .field("redirect_path", &self.redirect_path)
            .field("token_timeout", &self.token_timeout)
            .field("listen", &self.listen)
            .field("defects", &self.defects)
            .field("shape", &self.shape)
            .field("extra_params", &self.extra_params)
            .field("chat_button", &self.chat_button)
            .field("ca_file", &self.ca_file)
            .field("client_metadata_path", &self.client_metadata_path)
            .finish()
    }
}

/// Paths the platform serves itself, which the callback may not take over.
const RESERVED_PATHS: &[&str] = &["/health", "/link", "/chat", "/whoami", "/unlink"];

impl PlatformConfig {
    /// The redirect URI of a platform whose base URL is `base`: `{base}{redirect_path}`.
    pub fn redirect_uri_for(&self, base: &str) -> String {
        format!("{}{}", base.trim_end_matches('/'), self.redirect_path)
    }

    /// Checks everything that can be checked without the network.
    pub(crate) fn validate(&self) -> Result<(), StartError> {
        let bad = |field: &'static str, reason: String| StartError::Config { field, reason };
        if self.client_id.is_empty() {
            return Err(bad("client_id", "must not be empty".into()));
        }
        match (self.auth_method, &self.client_secret) {
            (AuthMethod::None, Some(_)) => {
                return Err(bad(
                    "client_secret",
                    "a public client (auth_method none) has no secret".into(),
                ));
            }
            (AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost, None) => {
                return Err(bad(
                    "client_secret",
                    format!("auth_method {} needs a secret", self.auth_method),
                ));
            }
            _ => {}
        }
        if let Some(scope) = self.scopes.iter().find(|s| !is_scope_token(s)) {
            return Err(bad(
                "scopes",
                format!("{scope:?} is not a scope token (RFC 6749 §3.3)"),
            ));
        }
        self.validate_redirect_path()?;
        if let Some(path) = &self.client_metadata_path
            && (!path.starts_with('/')
                || path.len() < 2
                || !path
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b))
                || RESERVED_PATHS.contains(&path.as_str())
                || *path == self.redirect_path)
        {
            return Err(bad(
                "client_metadata_path",
                format!(
                    "{path:?} must be a path like /oauth/client-metadata.json the platform does not serve yet"
                ),
            ));
        }
        if self.token_timeout.is_zero() {
            return Err(bad("token_timeout", "must be positive".into()));
        }
        if !is_loopback_or_unspecified(self.listen.ip()) {
            return Err(bad(
                "listen",
                format!(
                    "{} is not a loopback address, and a plain-HTTP redirect URI must be \
                     loopback (RFC 8252 §7.3; RFC 9700 §2.1)",
                    self.listen.ip()
                ),
            ));
        }
        Ok(())
    }

    fn validate_redirect_path(&self) -> Result<(), StartError> {
        let path = &self.redirect_path;
        let reason = if !path.starts_with('/') || path.starts_with("//") {
            Some("must start with a single '/'")
        } else if !path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b))
        {
            Some("may hold only letters, digits and -._~/ (no query, fragment or placeholder)")
        } else if RESERVED_PATHS.contains(&path.as_str()) || path.starts_with("/chat/link") {
            Some("is a path the platform already serves")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(StartError::Config {
                field: "redirect_path",
                reason: format!("{path:?} {reason}"),
            }),
            None => Ok(()),
        }
    }
}

/// A `scope-token` of [RFC 6749 §3.3](https://www.rfc-editor.org/rfc/rfc6749#section-3.3):
/// `1*( %x21 / %x23-5B / %x5D-7E )`.
pub(crate) fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
}

/// A loopback address, or the unspecified one (whose base URL is then the loopback).
pub(crate) fn is_loopback_or_unspecified(ip: IpAddr) -> bool {
    ip.is_loopback() || ip.is_unspecified()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn confidential() -> PlatformConfig {
        PlatformConfig {
            client_secret: Some("s".into()),
            ..PlatformConfig::default()
        }
    }

    #[test]
    fn a_confidential_default_is_valid() {
        assert!(confidential().validate().is_ok());
    }

    #[test]
    fn secrets_must_match_the_auth_method() {
        assert!(PlatformConfig::default().validate().is_err());
        let public = PlatformConfig {
            auth_method: AuthMethod::None,
            ..confidential()
        };
        assert!(public.validate().is_err());
    }

    #[test]
    fn redirect_paths_are_checked() {
        for path in [
            "callback",
            "//x",
            "/cb?x=1",
            "/cb#f",
            "/{x}",
            "/link",
            "/chat/link/x",
        ] {
            let config = PlatformConfig {
                redirect_path: path.into(),
                ..confidential()
            };
            assert!(config.validate().is_err(), "{path} accepted");
        }
        let config = PlatformConfig {
            redirect_path: "/oauth/callback".into(),
            ..confidential()
        };
        assert!(config.validate().is_ok());
    }

    #[test]
    fn scopes_must_be_scope_tokens() {
        for scope in ["", "a b", "a\"b", "a\\b", "é"] {
            assert!(!is_scope_token(scope), "{scope:?}");
        }
        assert!(is_scope_token("read:all"));
    }

    #[test]
    fn non_loopback_listen_addresses_are_refused() {
        let config = PlatformConfig {
            listen: "10.1.2.3:80".parse().unwrap(),
            ..confidential()
        };
        assert!(config.validate().is_err());
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let text = format!("{:?}", confidential());
        assert!(text.contains("[redacted]"));
        assert!(!text.contains("\"s\""));
    }
}
