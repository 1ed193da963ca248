//! [`McpTwist`]: how the MCP server of a scenario's own mock differs from the run's, for the
//! MCP scenarios that need a server the platform must refuse or must discover the hard way.
//! The platform is started afresh against it (an MCP client discovers its authorization
//! server when it connects, which the reference platform does at start).

use mock_provider::{McpChallenge, ProviderConfig};

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
}

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
            _ => return None,
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
        }
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
        ] {
            let mut config = ProviderConfig::default();
            twist.apply(&mut config);
            assert_ne!(config, ProviderConfig::default(), "{twist:?}");
        }
    }
}
