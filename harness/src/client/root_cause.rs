//! The root cause of a failed client scenario: the earliest thing the mock provider saw the
//! platform do wrong in the scenario's flows. Findings the scenario itself arranged (a fault,
//! an expired or revoked token, a login page) blame nobody and are passed over.

use mock_provider::{Family, Finding, JournalEntry, Observation};

use crate::report::RootCause;

/// The earliest finding in `journal` (the scenario's slice) that blames the platform.
pub(crate) fn earliest(journal: &[JournalEntry]) -> Option<RootCause> {
    let mut entries: Vec<&JournalEntry> = journal.iter().collect();
    entries.sort_by_key(|e| e.seq);
    let (finding, detail) = entries.iter().flat_map(|e| &e.findings).find_map(|o| {
        let Observation::Finding {
            finding, detail, ..
        } = o
        else {
            return None;
        };
        blames_platform(*finding).then_some((*finding, detail.as_deref()))
    })?;
    Some(RootCause {
        code: finding.code().to_owned(),
        text: described(finding, detail),
        home: home_feature(finding.family()).to_owned(),
        knock_on: false,
    })
}

/// A finding that blames the platform, as an explanation says it: `what it means (code)`.
pub(crate) fn blaming(observation: &Observation) -> Option<String> {
    let Observation::Finding {
        finding, detail, ..
    } = observation
    else {
        return None;
    };
    blames_platform(*finding).then(|| {
        let text = described(*finding, detail.as_deref());
        format!(
            "{} ({})",
            crate::report::root_causes::lower_first(text.trim_end_matches('.')),
            finding.code()
        )
    })
}

/// The finding's meaning, with what exactly was seen (e.g. the repeated parameter):
/// `A request parameter is repeated (RFC 6749 §3.1, §3.2): code.`
fn described(finding: Finding, detail: Option<&str>) -> String {
    let text = finding.description().trim().replace('`', "");
    match detail {
        Some(detail) => format!("{}: {detail}.", text.trim_end_matches('.')),
        None => text,
    }
}

/// Whether the finding is something only a faulty platform causes. Expiry, revocation and
/// rotation follow from what scenarios arrange, and faults, logins and consents are the
/// provider's own doing.
fn blames_platform(finding: Finding) -> bool {
    use Finding as F;
    match finding.family() {
        Family::Pkce
        | Family::RedirectUri
        | Family::ClientAuth
        | Family::Request
        | Family::Resource
        | Family::Scope
        | Family::Transport => true,
        Family::Client => !matches!(finding, F::ClientMetadataFetched),
        Family::Code => !matches!(finding, F::CodeExpired),
        Family::Refresh => !matches!(finding, F::RefreshExpired | F::RefreshRevoked),
        Family::Bearer => !matches!(
            finding,
            F::BearerExpired | F::BearerRevoked | F::BearerRotated | F::BearerInsufficientScope
        ),
        Family::Revoke | Family::Fault | Family::Login | Family::Consent | Family::Store => false,
    }
}

/// The client feature whose scenarios judge a family's rules.
fn home_feature(family: Family) -> &'static str {
    match family {
        Family::Pkce => "pkce.feature",
        Family::RedirectUri => "redirect.feature",
        Family::Scope => "scope.feature",
        Family::Transport => "transport.feature",
        _ => "token.feature",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arranged_findings_blame_nobody() {
        assert!(blames_platform(Finding::PkceChallengeMissing));
        assert!(blames_platform(Finding::CodeReused));
        assert!(blames_platform(Finding::RefreshReused));
        assert!(!blames_platform(Finding::CodeExpired));
        assert!(!blames_platform(Finding::BearerExpired));
        assert!(!blames_platform(Finding::FaultToken));
        assert!(!blames_platform(Finding::LoginBadCredentials));
    }

    #[test]
    fn every_family_has_a_home_feature() {
        for finding in Finding::ALL {
            assert!(home_feature(finding.family()).ends_with(".feature"));
        }
        assert_eq!(home_feature(Family::Pkce), "pkce.feature");
    }
}
