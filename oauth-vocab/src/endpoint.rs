//! The endpoints of an OAuth authorization server and its protected resource, by role rather
//! than by path (paths are configurable).

use serde::{Deserialize, Serialize};

/// What an endpoint is for, whatever its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// The authorization endpoint ([RFC 6749 §3.1](https://www.rfc-editor.org/rfc/rfc6749#section-3.1)).
    Authorize,
    /// The token endpoint ([RFC 6749 §3.2](https://www.rfc-editor.org/rfc/rfc6749#section-3.2)).
    Token,
    /// The revocation endpoint ([RFC 7009](https://www.rfc-editor.org/rfc/rfc7009)).
    Revocation,
    /// The introspection endpoint ([RFC 7662](https://www.rfc-editor.org/rfc/rfc7662)).
    Introspection,
    /// The dynamic registration endpoint ([RFC 7591](https://www.rfc-editor.org/rfc/rfc7591)).
    Registration,
    /// The OpenID Connect userinfo endpoint, a bearer-protected resource.
    Userinfo,
    /// The protected resource API ([RFC 6750](https://www.rfc-editor.org/rfc/rfc6750)).
    Resource,
    /// The JSON Web Key Set that signs JWT access tokens.
    Jwks,
    /// Authorization server metadata ([RFC 8414](https://www.rfc-editor.org/rfc/rfc8414)).
    Metadata,
    /// The login page.
    Login,
    /// The consent page.
    Consent,
    /// Anything else: a path no endpoint serves.
    Other,
}
