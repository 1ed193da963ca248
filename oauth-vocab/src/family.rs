//! The rule family a [`Finding`](crate::Finding) belongs to.

/// The rule family a [`Finding`](crate::Finding) belongs to: the part of the provider that noted
/// it, e.g. every `pkce.*` finding is [`Family::Pkce`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// PKCE ([RFC 7636](https://www.rfc-editor.org/rfc/rfc7636)).
    Pkce,
    /// Authorization codes ([RFC 6749 §4.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2)).
    Code,
    /// Redirect URIs ([RFC 6749 §3.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2)).
    RedirectUri,
    /// Client authentication ([RFC 6749 §2.3](https://www.rfc-editor.org/rfc/rfc6749#section-2.3)).
    ClientAuth,
    /// Client identification ([RFC 6749 §2.2](https://www.rfc-editor.org/rfc/rfc6749#section-2.2)).
    Client,
    /// Refresh tokens ([RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6)).
    Refresh,
    /// Bearer token use ([RFC 6750](https://www.rfc-editor.org/rfc/rfc6750)).
    Bearer,
    /// The request's shape: encoding, size, parameters.
    Request,
    /// Scope ([RFC 6749 §3.3](https://www.rfc-editor.org/rfc/rfc6749#section-3.3)).
    Scope,
    /// Token revocation ([RFC 7009](https://www.rfc-editor.org/rfc/rfc7009)).
    Revoke,
    /// Faults the provider was scripted to commit.
    Fault,
    /// The login page.
    Login,
    /// The consent page.
    Consent,
    /// Resource indicators ([RFC 8707](https://www.rfc-editor.org/rfc/rfc8707)): the `resource`
    /// of authorization and token requests.
    Resource,
    /// The provider's own code and token stores ([`Finding::StoreLiveEntryEvicted`](crate::Finding::StoreLiveEntryEvicted)).
    Store,
    /// Transport security ([RFC 6749 §10.9](https://www.rfc-editor.org/rfc/rfc6749#section-10.9)):
    /// credentials sent without TLS.
    Transport,
}
