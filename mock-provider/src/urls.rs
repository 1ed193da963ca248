//! [`IssuerUrls`]: the URLs of one issuer of a running provider — the root issuer or a tenant
//! (`{uri}/t/{tenant}`) — by the names RFC 8414 metadata gives them.

use crate::config::Paths;

/// The endpoints of one issuer, as its metadata lists them.
#[derive(Debug, Clone)]
pub struct IssuerUrls<'a> {
    base: String,
    tenant: Option<&'a str>,
    paths: &'a Paths,
}

impl<'a> IssuerUrls<'a> {
    pub(crate) fn new(base: String, tenant: Option<&'a str>, paths: &'a Paths) -> Self {
        Self {
            base,
            tenant,
            paths,
        }
    }

    /// The issuer identifier: the base URL, or `{base}/t/{tenant}`.
    pub fn issuer(&self) -> String {
        match self.tenant {
            Some(tenant) => format!("{}/t/{tenant}", self.base),
            None => self.base.clone(),
        }
    }

    /// An absolute URL for `path` (with any query) under the issuer.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer())
    }

    /// The RFC 8414 metadata URL, the tenant path inserted after the well-known segment (§3.1).
    pub fn metadata_url(&self) -> String {
        let tenant = self.tenant.map(|t| format!("/t/{t}")).unwrap_or_default();
        format!(
            "{}/.well-known/oauth-authorization-server{tenant}",
            self.base
        )
    }

    /// The authorization endpoint ([RFC 6749 §3.1](https://www.rfc-editor.org/rfc/rfc6749#section-3.1)).
    pub fn authorization_endpoint(&self) -> String {
        self.url(&self.paths.authorize)
    }

    /// The token endpoint ([RFC 6749 §3.2](https://www.rfc-editor.org/rfc/rfc6749#section-3.2)).
    pub fn token_endpoint(&self) -> String {
        self.url(&self.paths.token)
    }

    /// The revocation endpoint ([RFC 7009](https://www.rfc-editor.org/rfc/rfc7009)).
    pub fn revocation_endpoint(&self) -> String {
        self.url(&self.paths.revoke)
    }

    /// The introspection endpoint ([RFC 7662](https://www.rfc-editor.org/rfc/rfc7662)).
    pub fn introspection_endpoint(&self) -> String {
        self.url(&self.paths.introspect)
    }

    /// The dynamic registration endpoint ([RFC 7591](https://www.rfc-editor.org/rfc/rfc7591)).
    pub fn registration_endpoint(&self) -> String {
        self.url(&self.paths.register)
    }

    /// The protected resource (a userinfo-style API taking the bearer token).
    pub fn userinfo_endpoint(&self) -> String {
        self.url(&self.paths.userinfo)
    }

    /// The signing keys of JWT access tokens.
    pub fn jwks_uri(&self) -> String {
        self.url(&self.paths.jwks)
    }

    /// The login page of an interaction.
    pub fn login_url(&self) -> String {
        self.url(&self.paths.login)
    }

    /// The consent page of an interaction.
    pub fn consent_url(&self) -> String {
        self.url(&self.paths.consent)
    }
}
