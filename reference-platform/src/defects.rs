//! The defect catalogue: bugs real OAuth clients have shipped, each switchable at run time so
//! that `gauntlet mutants` can prove the client suite catches every one. With no defect on,
//! the platform is correct; a defect changes exactly one rule, in the module that owns it.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

macro_rules! defects {
    ($($variant:ident => $name:literal: $description:literal,)+) => {
        /// One deliberate bug.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Defect {
            $(
                #[doc = $description]
                $variant,
            )+
        }

        impl Defect {
            /// Every defect, in catalogue order.
            pub const ALL: &'static [Defect] = &[$(Defect::$variant,)+];

            /// Its name, e.g. `no_pkce`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Defect::$variant => $name,)+
                }
            }

            /// What the platform then does wrong.
            pub fn description(self) -> &'static str {
                match self {
                    $(Defect::$variant => $description,)+
                }
            }
        }
    };
}

defects! {
    NoPkce => "no_pkce": "sends no code_challenge (no PKCE)",
    PlainPkce => "plain_pkce": "uses the plain PKCE method: the challenge is the verifier",
    ShortVerifier => "short_verifier": "uses a 42-character code_verifier",
    ReusedVerifier => "reused_verifier": "uses one code_verifier for every flow",
    StaticState => "static_state": "sends the same state in every flow",
    WeakState => "weak_state": "sends a state of 32 random bits",
    StateNotChecked => "state_not_checked": "links the browser's latest flow whatever state comes back",
    StateNotBoundToBrowser => "state_not_bound_to_browser": "accepts a state started in another browser",
    StateReusable => "state_reusable": "accepts a state more than once",
    CallbackSessionLinked => "callback_session_linked": "accepts a state it issued in any browser and links the session of the browser the callback arrives in",
    NoLinkConfirmation => "no_link_confirmation": "links a chat session on the callback alone, without the chat user confirming the code the browser shows",
    RepeatedParamsAccepted => "repeated_params_accepted": "takes the first of repeated callback parameters",
    RepeatedCodeForwarded => "repeated_code_forwarded": "forwards every code of a callback with a repeated code to the token endpoint (code=a&code=b)",
    ExtraScopes => "extra_scopes": "asks for more scopes than configured",
    CommaScopes => "comma_scopes": "joins scopes with commas",
    RedirectUriDrift => "redirect_uri_drift": "sends a different redirect_uri (trailing slash) to the token endpoint",
    ErrorAsSuccess => "error_as_success": "tells the user an error callback linked the account",
    TokenRequestAfterError => "token_request_after_error": "makes a token request after an error callback",
    CodeRedeemedTwice => "code_redeemed_twice": "sends the code to the token endpoint twice",
    NoClientAuth => "no_client_auth": "does not authenticate at the token endpoint",
    BasicNotFormEncoded => "basic_not_form_encoded": "puts id and secret into HTTP Basic without form-encoding them",
    SecretInQuery => "secret_in_query": "sends the client credentials in the token endpoint's query string",
    JsonTokenRequest => "json_token_request": "sends the token request as JSON, not a form",
    TokenInPage => "token_in_page": "shows the access token on the callback page",
    NoReferrerPolicy => "no_referrer_policy": "sends a callback page that links to a help site without a referrer policy",
    OpenRedirect => "open_redirect": "follows a return address in the callback to any site",
    NoIssCheck => "no_iss_check": "ignores the iss of the authorization response (mix-up)",
    PlainTokenEndpoint => "plain_token_endpoint": "accepts an https issuer's metadata naming a plain-http token endpoint and sends the code there (shows only against an HTTPS provider)",
    NoTokenTimeout => "no_token_timeout": "waits for the token endpoint without a timeout",
    RetryStorm => "retry_storm": "retries a failed token request five times at once",
    PartialTokenStored => "partial_token_stored": "links the account after a token response it could not use",
    TokenTypeCaseSensitive => "token_type_case_sensitive": "accepts only token_type \"Bearer\" spelled exactly so",
    UnknownTokenTypeAccepted => "unknown_token_type_accepted": "accepts any token_type",
    ExpiresInRequired => "expires_in_required": "refuses a token response without expires_in",
    UnknownMembersRejected => "unknown_members_rejected": "refuses a token response with members it does not know",
    BearerInQuery => "bearer_in_query": "sends the access token in the resource's query string",
    NoRefresh => "no_refresh": "never refreshes: an expired access token means a new login",
    RefreshTokenDropped => "refresh_token_dropped": "keeps the old refresh token after a rotation",
    RefreshNotSingleFlight => "refresh_not_single_flight": "refreshes in every request that found the access token refused, so requests at once spend one refresh token several times",
    RevokedTokenStillUsed => "revoked_token_still_used": "reports a user linked after the provider revoked the tokens",
    CsmlTokenInChat => "csml_token_in_chat": "CSML: puts the access token into the chat event",
    ServiceTokenPerTurn => "service_token_per_turn": "CSML: makes a new client_credentials grant for every service turn",
    ServiceTokenShownToUser => "service_token_shown_to_user": "CSML: shows the chatbot-wide service token in the chat answer",
    ServiceTokenNotRenewed => "service_token_not_renewed": "CSML: keeps the service token the API refused instead of obtaining a new one",
    ConverseExchangesAgain => "converse_exchanges_again": "Converse: exchanges the stored code again when a token already exists",
    KoreFieldMisplaced => "kore_field_misplaced": "Kore.ai: puts the token in the query string whatever the profile says",
    KorePathStaleToken => "kore_path_stale_token": "Kore.ai: keeps the API path filled with the access token it held before a refresh",
    BotpressWrongBot => "botpress_wrong_bot": "Botpress: routes the global callback to the bot the browser visited last, not the state's",
    ResourceTrailingSlash => "resource_trailing_slash": "MCP: sends the server's URL with a trailing slash as resource",
    ResourceOnlyInAuthorization => "resource_only_in_authorization": "MCP: sends resource in the authorization request but not in the token requests",
    IgnoresMissingPkceMethods => "ignores_missing_pkce_methods": "MCP: proceeds with S256 when the metadata has no code_challenge_methods_supported",
    PrmResourceUnchecked => "prm_resource_unchecked": "MCP: uses protected-resource metadata that describes another resource",
    PrmFromRootOnly => "prm_from_root_only": "MCP: without resource_metadata in the challenge, reads only the root well-known URL",
    PrmRootFirst => "prm_root_first": "MCP: without resource_metadata in the challenge, reads the root well-known URL before the path-aware one",
    NoOidcDiscovery => "no_oidc_discovery": "MCP: looks for the authorization server's metadata at RFC 8414's well-known URLs only, never at OpenID Connect discovery's",
    AsMetadataRootOnly => "as_metadata_root_only": "MCP: reads the authorization server's metadata at the root well-known URL, dropping the issuer's path",
    AsIssuerUnchecked => "as_issuer_unchecked": "MCP: uses authorization server metadata whose issuer is not the one it looked it up for",
    IgnoresChallengedScope => "ignores_challenged_scope": "MCP: asks for its configured scopes only, not those the 401 challenge or the protected-resource metadata names",
    OpensAnyAuthorizationEndpoint => "opens_any_authorization_endpoint": "MCP: sends the browser to any authorization_endpoint the metadata names, javascript: and file: included",
    IssNormalised => "iss_normalised": "MCP: normalises iss and the recorded issuer (trailing slash trimmed, lower case) before comparing them",
    IssCheckedOnlyWhenAdvertised => "iss_checked_only_when_advertised": "MCP: ignores a present iss unless the metadata sets authorization_response_iss_parameter_supported",
    IssRequiredWhenNotAdvertised => "iss_required_when_not_advertised": "MCP: rejects a response without iss even when the metadata does not promise it",
    ErrorShownDespiteWrongIss => "error_shown_despite_wrong_iss": "MCP: shows an error response's error and error_description without checking its iss",
    DcrDespiteCimd => "dcr_despite_cimd": "MCP: registers dynamically although the authorization server accepts its Client ID Metadata Document",
    NoApplicationType => "no_application_type": "MCP: sends no application_type in its dynamic client registration",
    ClientIdReusedAcrossIssuers => "client_id_reused_across_issuers": "MCP: sends the client_id registered with one authorization server to another (no re-registration when the issuer changes)",
    CimdClientIdMismatch => "cimd_client_id_mismatch": "MCP: serves a Client ID Metadata Document whose client_id is not the document's URL",
    StepUpDropsGrantedScopes => "step_up_drops_granted_scopes": "MCP: re-authorizes after a 403 insufficient_scope asking only for the challenged scopes, dropping those it asked for before",
    StepUpUnbounded => "step_up_unbounded": "MCP: asks the user to re-authorize after every 403 insufficient_scope, however often the new token is refused",
    RefreshAtGuessedEndpoint => "refresh_at_guessed_endpoint": "MCP: reads the authorization server's metadata again before refreshing and, when that fails, sends the refresh token to /token at the MCP server's origin (2025-03-26's fallback)",
}

impl Defect {
    /// The platform shape the defect lives in (`csml`, `converse`, `kore`, `botpress`, `mcp`), or
    /// `None` for the generic rules every shape shares.
    pub fn shape(self) -> Option<&'static str> {
        match self {
            Self::CsmlTokenInChat
            | Self::ServiceTokenPerTurn
            | Self::ServiceTokenShownToUser
            | Self::ServiceTokenNotRenewed => Some("csml"),
            Self::ConverseExchangesAgain => Some("converse"),
            Self::KoreFieldMisplaced | Self::KorePathStaleToken => Some("kore"),
            Self::BotpressWrongBot => Some("botpress"),
            Self::ResourceTrailingSlash
            | Self::ResourceOnlyInAuthorization
            | Self::IgnoresMissingPkceMethods
            | Self::PrmResourceUnchecked
            | Self::PrmFromRootOnly
            | Self::PrmRootFirst
            | Self::NoOidcDiscovery
            | Self::AsMetadataRootOnly
            | Self::AsIssuerUnchecked
            | Self::IgnoresChallengedScope
            | Self::OpensAnyAuthorizationEndpoint => Some("mcp"),
            Self::IssNormalised
            | Self::IssCheckedOnlyWhenAdvertised
            | Self::IssRequiredWhenNotAdvertised
            | Self::ErrorShownDespiteWrongIss
            | Self::DcrDespiteCimd
            | Self::NoApplicationType
            | Self::ClientIdReusedAcrossIssuers
            | Self::CimdClientIdMismatch
            | Self::StepUpDropsGrantedScopes
            | Self::StepUpUnbounded
            | Self::RefreshAtGuessedEndpoint => Some("mcp"),
            _ => None,
        }
    }

    /// Whether the defect lives in the chat channel's link confirmation, which only a flow
    /// started from a chat button goes through: a profile whose start answers with no login
    /// button cannot show it.
    pub fn chat_only(self) -> bool {
        self == Self::NoLinkConfirmation
    }

    /// Whether the defect shows only against a provider served over HTTPS (`[provider] tls`):
    /// over plain HTTP there is no TLS to downgrade from, and a plain loopback endpoint is
    /// allowed.
    pub fn tls_only(self) -> bool {
        self == Self::PlainTokenEndpoint
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Defect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|d| d.name() == s)
            .ok_or_else(|| format!("unknown defect {s:?} (see reference_platform::Defect::ALL)"))
    }
}

/// The defects switched on; empty for the correct platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defects(BTreeSet<Defect>);

impl Defects {
    /// No defect: the correct platform.
    pub fn none() -> Self {
        Self::default()
    }

    /// Whether `defect` is on.
    pub fn has(&self, defect: Defect) -> bool {
        self.0.contains(&defect)
    }
}

impl FromStr for Defects {
    type Err = String;

    /// A comma-separated list of names; empty for none.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::parse)
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let names: BTreeSet<&str> = Defect::ALL.iter().map(|d| d.name()).collect();
        assert_eq!(names.len(), Defect::ALL.len());
        assert!(Defect::ALL.len() >= 30);
        for defect in Defect::ALL {
            assert_eq!(defect.name().parse::<Defect>(), Ok(*defect));
        }
        let set: Defects = "no_pkce, static_state".parse().unwrap();
        assert!(set.has(Defect::NoPkce) && set.has(Defect::StaticState));
        assert!(!set.has(Defect::PlainPkce));
        assert!(
            "no_such"
                .parse::<Defects>()
                .unwrap_err()
                .contains("no_such")
        );
        assert_eq!("".parse::<Defects>(), Ok(Defects::none()));
    }
}
