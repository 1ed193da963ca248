//! The revisions of the MCP authorization spec: `--mcp-revision REV` runs the frozen set a
//! component of that revision must pass — every scenario outside MCP, and the `@mcp` scenarios
//! tagged with the revision (`@mcp_2025_06_18`…), each tagged with the revisions whose text
//! gives its rule.

/// A revision of the MCP authorization spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum McpRevision {
    /// RFC 9728 discovery, RFC 8707 `resource` in both requests, RFC 8414 metadata, dynamic
    /// registration, no refresh at a guessed endpoint.
    #[value(name = "2025-06-18")]
    V2025_06_18,
    /// Adds the path-aware metadata URL, OpenID discovery, no authorization without
    /// `code_challenge_methods_supported`, scope selection, Client ID Metadata Documents first,
    /// and a step-up retry limit.
    #[value(name = "2025-11-25")]
    V2025_11_25,
    /// The revision marked latest: adds the RFC 9207 `iss` decision table (no normalisation,
    /// error responses included), `application_type`, credentials bound to their issuer, and a
    /// step-up asking for the union of scopes.
    #[value(name = "2026-07-28")]
    V2026_07_28,
}

impl McpRevision {
    /// The tag its scenarios carry.
    pub fn tag(self) -> &'static str {
        match self {
            Self::V2025_06_18 => "@mcp_2025_06_18",
            Self::V2025_11_25 => "@mcp_2025_11_25",
            Self::V2026_07_28 => "@mcp_2026_07_28",
        }
    }

    /// `tags` (a tag expression, or none) narrowed to this revision's set.
    pub fn narrow(self, tags: Option<&str>) -> String {
        let revision = format!("({} or not @mcp)", self.tag());
        match tags {
            Some(tags) => format!("({tags}) and {revision}"),
            None => revision,
        }
    }
}

#[cfg(test)]
mod tests {
    use cucumber::gherkin::tagexpr::TagOperation;

    use super::McpRevision;
    use crate::suite::features::{CLIENT, FeatureSet};
    use crate::suite::selection::{place, select};

    /// The names of the bundled client scenarios `expression` selects.
    fn selected(expression: &str) -> Vec<String> {
        let features = FeatureSet::bundled("client", CLIENT).parse().unwrap();
        let operation: TagOperation = expression.parse().unwrap();
        let runnable = select(&features, Some((expression, &operation)), &[], None)
            .unwrap()
            .runnable;
        features
            .iter()
            .flat_map(|f| f.scenarios.iter().map(move |s| (f, s)))
            .filter(|(f, s)| runnable.contains(&place(f, s)))
            .map(|(_, s)| s.name.clone())
            .collect()
    }

    #[test]
    fn a_revision_keeps_every_scenario_outside_mcp_and_its_own_mcp_scenarios() {
        let everything = selected("not @nothing_has_this_tag");
        let outside = selected("not @mcp");
        let first = selected(&McpRevision::V2025_06_18.narrow(None));
        let latest = selected(&McpRevision::V2026_07_28.narrow(None));
        assert!(
            outside
                .iter()
                .all(|s| first.contains(s) && latest.contains(s))
        );
        assert!(first.len() > outside.len(), "2025-06-18 has MCP scenarios");
        assert!(
            latest.len() > first.len(),
            "later revisions add scenarios: {} vs {}",
            latest.len(),
            first.len()
        );
        assert!(latest.len() <= everything.len());
        let path_aware = "Without a metadata URL in the 401, the path-aware well-known URL is read";
        assert!(latest.iter().any(|s| s == path_aware));
        assert!(!first.iter().any(|s| s == path_aware));
    }

    #[test]
    fn a_revision_narrows_the_given_tags() {
        let narrowed = McpRevision::V2025_11_25.narrow(Some("@must or @mcp"));
        assert_eq!(
            narrowed,
            "(@must or @mcp) and (@mcp_2025_11_25 or not @mcp)"
        );
        let should = selected(&McpRevision::V2025_11_25.narrow(Some("@should")));
        assert!(!should.is_empty());
        assert!(should.len() < selected("@should or not @should").len());
    }
}
