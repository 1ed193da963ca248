//! What the mock provider notes about a request: one variant per finding code, the code being
//! written once, in [`Finding::code`].

use crate::Family;
use crate::wire::wire_names;

/// Declares the findings: variant, wire code and family, once each.
macro_rules! findings {
    ($( $(#[doc = $doc:literal])+ $variant:ident => $code:literal in $family:ident, )+) => {
        /// A finding: something the mock provider noticed about a request, wrong or notable,
        /// recorded in its journal (see [`Observation`](crate::Observation)).
        ///
        /// On the wire (the journal's JSON) a finding is its [`code`](Finding::code), e.g.
        /// `code.reused`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Finding {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl Finding {
            /// Every finding, in declaration order.
            pub const ALL: &'static [Finding] = &[$( Self::$variant, )+];

            /// The finding's code as the journal writes it, `family.what`: the one place that
            /// names the codes.
            pub const fn code(self) -> &'static str {
                match self {
                    $( Self::$variant => $code, )+
                }
            }

            /// What the finding means, in a sentence (its documentation).
            pub const fn description(self) -> &'static str {
                match self {
                    $( Self::$variant => concat!($($doc),+), )+
                }
            }

            /// The rule family that notes this finding.
            pub const fn family(self) -> Family {
                match self {
                    $( Self::$variant => Family::$family, )+
                }
            }
        }
    };
}

findings! {
    /// The token request carries no `code_verifier` for a code issued with a challenge.
    PkceVerifierMissing => "pkce.verifier_missing" in Pkce,
    /// A `code_verifier` came for a code issued without a challenge (RFC 9700 §4.8.2).
    PkceVerifierUnexpected => "pkce.verifier_unexpected" in Pkce,
    /// The `code_verifier` is not 43–128 unreserved characters.
    PkceVerifierMalformed => "pkce.verifier_malformed" in Pkce,
    /// The `code_verifier` does not transform into the challenge.
    PkceVerifierMismatch => "pkce.verifier_mismatch" in Pkce,
    /// The `code_challenge` is malformed for its method.
    PkceChallengeMalformed => "pkce.challenge_malformed" in Pkce,
    /// The authorization request carries no `code_challenge` where the policy requires one.
    PkceChallengeMissing => "pkce.challenge_missing" in Pkce,
    /// The `code_challenge_method` is not supported.
    PkceMethodUnsupported => "pkce.method_unsupported" in Pkce,
    /// `plain` was used where S256 is required.
    PkcePlainRefused => "pkce.plain_refused" in Pkce,

    /// The authorization code is unknown.
    CodeUnknown => "code.unknown" in Code,
    /// The authorization code was issued to another client.
    CodeWrongClient => "code.wrong_client" in Code,
    /// The authorization code was already used.
    CodeReused => "code.reused" in Code,
    /// The authorization code has expired.
    CodeExpired => "code.expired" in Code,
    /// The authorization code belongs to another tenant.
    CodeWrongTenant => "code.wrong_tenant" in Code,

    /// The `redirect_uri` is close to a registered one but not equal to it.
    RedirectUriNearMiss => "redirect_uri.near_miss" in RedirectUri,
    /// The `redirect_uri` is not registered for the client.
    RedirectUriNotRegistered => "redirect_uri.not_registered" in RedirectUri,
    /// The `redirect_uri` is missing while several are registered.
    RedirectUriMissing => "redirect_uri.missing" in RedirectUri,
    /// The token request's `redirect_uri` differs from the authorization request's.
    RedirectUriDiffersAtToken => "redirect_uri.differs_at_token" in RedirectUri,
    /// The token request lacks the `redirect_uri` the authorization request carried.
    RedirectUriMissingAtToken => "redirect_uri.missing_at_token" in RedirectUri,

    /// The client did not authenticate.
    ClientAuthMissing => "client_auth.missing" in ClientAuth,
    /// The client used more than one authentication method at once.
    ClientAuthMultipleMethods => "client_auth.multiple_methods" in ClientAuth,
    /// The HTTP Basic credentials are malformed.
    ClientAuthBasicMalformed => "client_auth.basic_malformed" in ClientAuth,
    /// The Basic credentials match only without form-decoding (RFC 6749 §2.3.1).
    ClientAuthBasicNotFormEncoded => "client_auth.basic_not_form_encoded" in ClientAuth,
    /// The client authenticated with a method other than the one registered.
    ClientAuthWrongMethod => "client_auth.wrong_method" in ClientAuth,
    /// The client secret matches only once form-decoded a second time.
    ClientAuthDoubleEncoded => "client_auth.double_encoded" in ClientAuth,
    /// The client secret does not match.
    ClientAuthWrongSecret => "client_auth.wrong_secret" in ClientAuth,
    /// The client secret is missing.
    ClientAuthMissingSecret => "client_auth.missing_secret" in ClientAuth,
    /// A public client called the introspection endpoint.
    ClientAuthPublicClientAtIntrospection => "client_auth.public_client_at_introspection" in ClientAuth,

    /// The `client_id` is unknown.
    ClientUnknown => "client.unknown" in Client,
    /// The authorization server fetched the Client ID Metadata Document the `client_id` names
    /// (MCP authorization, client registration): a note, not a fault.
    ClientMetadataFetched => "client.metadata_fetched" in Client,
    /// The `client_id` URL names no usable Client ID Metadata Document: not `https` with a
    /// path, on a host not allowed, unreachable, too large, not JSON, lacking a required
    /// member, or its `client_id` differs from the URL (MCP authorization, client registration;
    /// draft-ietf-oauth-client-id-metadata-document).
    ClientMetadataInvalid => "client.metadata_invalid" in Client,

    /// The refresh token is unknown.
    RefreshUnknown => "refresh.unknown" in Refresh,
    /// The refresh token was issued to another client.
    RefreshWrongClient => "refresh.wrong_client" in Refresh,
    /// A refresh token already rotated away was presented again.
    RefreshReused => "refresh.reused" in Refresh,
    /// The refresh token has expired.
    RefreshExpired => "refresh.expired" in Refresh,
    /// The refresh token was revoked.
    RefreshRevoked => "refresh.revoked" in Refresh,
    /// The refresh request asks for more scope than first granted.
    RefreshScopeExpansion => "refresh.scope_expansion" in Refresh,

    /// The bearer request is malformed.
    BearerMalformed => "bearer.malformed" in Bearer,
    /// The access token came in a place the resource does not accept.
    BearerPlacementRefused => "bearer.placement_refused" in Bearer,
    /// No access token came.
    BearerMissing => "bearer.missing" in Bearer,
    /// A refresh token was used as an access token.
    BearerRefreshTokenUsed => "bearer.refresh_token_used" in Bearer,
    /// The access token is unknown.
    BearerUnknown => "bearer.unknown" in Bearer,
    /// The access token has expired.
    BearerExpired => "bearer.expired" in Bearer,
    /// The access token was revoked.
    BearerRevoked => "bearer.revoked" in Bearer,
    /// The token is a refresh token already rotated away.
    BearerRotated => "bearer.rotated" in Bearer,
    /// The access token belongs to another tenant.
    BearerWrongTenant => "bearer.wrong_tenant" in Bearer,
    /// The access token lacks the required scope.
    BearerInsufficientScope => "bearer.insufficient_scope" in Bearer,
    /// The access token was issued for another resource, or for none, than the one it was
    /// presented to (RFC 8707 §2, MCP authorization: audience validation).
    BearerWrongAudience => "bearer.wrong_audience" in Bearer,
    /// The access token came in the query string (RFC 6750 §2.3).
    BearerInQuery => "bearer.in_query" in Bearer,
    /// The access token came in the form body (RFC 6750 §2.2).
    BearerInBody => "bearer.in_body" in Bearer,
    /// The access token came as a segment of the URL path (Kore.ai's "Path Param").
    BearerInPath => "bearer.in_path" in Bearer,

    /// The request body exceeds the configured limit.
    RequestTooLarge => "request.too_large" in Request,
    /// The request is not valid UTF-8.
    RequestNotUtf8 => "request.not_utf8" in Request,
    /// A request parameter is repeated (RFC 6749 §3.1, §3.2).
    RequestDuplicateParameter => "request.duplicate_parameter" in Request,
    /// The body is not `application/x-www-form-urlencoded`.
    RequestWrongContentType => "request.wrong_content_type" in Request,

    /// A JSON-RPC request to the MCP endpoint is malformed (JSON-RPC 2.0 §4, §5.1).
    RequestJsonRpcInvalid => "request.jsonrpc_invalid" in Request,

    /// A `resource` is not an absolute URI without a fragment (RFC 8707 §2).
    ResourceMalformed => "resource.malformed" in Resource,
    /// A `resource` names no resource this server knows (RFC 8707 §2: `invalid_target`).
    ResourceUnknown => "resource.unknown" in Resource,
    /// A `resource` differs from a known one only by a trailing slash; resources compare byte
    /// for byte, and Entra refuses the slashed form (MCP authorization, canonical server URI).
    ResourceTrailingSlash => "resource.trailing_slash" in Resource,
    /// A `resource` names a known one with an upper-case scheme or host: accepted, as the MCP
    /// authorization spec asks of servers, but not the canonical (lower-case) form clients use.
    ResourceNotCanonical => "resource.not_canonical" in Resource,
    /// The token request's `resource` is not one the authorization granted (RFC 8707 §2.2).
    ResourceMismatch => "resource.mismatch" in Resource,
    /// The request carries no `resource`, which MCP clients must send in both the authorization
    /// and the token request (MCP authorization, resource parameter).
    ResourceMissing => "resource.missing" in Resource,

    /// The scope is malformed.
    ScopeMalformed => "scope.malformed" in Scope,
    /// The scope is not allowed for the client.
    ScopeNotAllowed => "scope.not_allowed" in Scope,

    /// A revocation named an unknown token.
    RevokeUnknownToken => "revoke.unknown_token" in Revoke,
    /// A revocation named another client's token.
    RevokeOtherClientsToken => "revoke.other_clients_token" in Revoke,
    /// A refresh token and the access tokens issued with it were revoked.
    RevokeRefreshTokenAndItsAccessTokens => "revoke.refresh_token_and_its_access_tokens" in Revoke,
    /// An access token was revoked.
    RevokeAccessToken => "revoke.access_token" in Revoke,

    /// A scripted fault was applied at the authorization endpoint.
    FaultAuthorize => "fault.authorize" in Fault,
    /// A scripted fault was applied at the token endpoint.
    FaultToken => "fault.token" in Fault,
    /// The connection was closed without a response (a fault).
    FaultDropConnection => "fault.drop_connection" in Fault,

    /// The login form's CSRF token does not match.
    LoginCsrfMismatch => "login.csrf_mismatch" in Login,
    /// The login credentials are wrong.
    LoginBadCredentials => "login.bad_credentials" in Login,

    /// The consent form's CSRF token does not match.
    ConsentCsrfMismatch => "consent.csrf_mismatch" in Consent,

    /// A live code or token (or a redeemed code still in its replay window) was dropped because
    /// its store was full: verdicts about its flow can no longer be trusted.
    StoreLiveEntryEvicted => "store.live_entry_evicted" in Store,

    /// A token request came over plain HTTP, its code, tokens and client credentials readable on
    /// the way (RFC 6749 §3.2, §10.9: the token endpoint requires TLS).
    TransportPlainHttp => "transport.plain_http" in Transport,
}

wire_names!(
    Finding by code,
    /// A string that is no finding's code.
    UnknownFinding: "unknown finding code {:?}"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_to_its_finding() {
        for &finding in Finding::ALL {
            assert_eq!(finding.code().parse(), Ok(finding));
        }
        assert_eq!(
            "code.stolen".parse::<Finding>(),
            Err(UnknownFinding("code.stolen".into()))
        );
    }

    #[test]
    fn every_finding_says_what_it_means() {
        for &finding in Finding::ALL {
            let text = finding.description().trim();
            assert!(
                text.len() > 10 && text.ends_with('.'),
                "{finding:?}: {text:?}"
            );
        }
        assert!(
            Finding::PkceChallengeMissing
                .description()
                .contains("no `code_challenge`")
        );
    }

    #[test]
    fn codes_are_unique_and_start_with_their_family() {
        let mut codes: Vec<_> = Finding::ALL.iter().map(|f| f.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Finding::ALL.len());
        for &finding in Finding::ALL {
            let (prefix, what) = finding.code().split_once('.').expect("family.what");
            assert!(!what.is_empty());
            let same_prefix = Finding::ALL
                .iter()
                .filter(|f| f.code().split_once('.').map(|(p, _)| p) == Some(prefix));
            assert!(
                same_prefix
                    .into_iter()
                    .all(|f| f.family() == finding.family())
            );
        }
    }

    #[test]
    fn a_finding_displays_as_its_code() {
        assert_eq!(Finding::CodeReused.to_string(), "code.reused");
        assert_eq!(Finding::PkceVerifierMissing.family(), Family::Pkce);
    }
}
