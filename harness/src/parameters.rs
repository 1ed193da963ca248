//! Cucumber parameter types for the OAuth words the steps of both directions capture, so that
//! a step receives an [`ErrorCode`], not a string, and a misspelt code fails the step that
//! names it.

use std::fmt;
use std::str::FromStr;

use cucumber::Parameter;
use mock_provider::ErrorCode;

/// One OAuth error code, quoted in the step: `"invalid_grant"` (`{error}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(name = "error", regex = r#""([a-z_]+)""#)]
pub(crate) struct OAuthErrorParam(pub(crate) ErrorCode);

impl FromStr for OAuthErrorParam {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse()
            .map(Self)
            .map_err(|_| format!("{s:?} is not an OAuth error code"))
    }
}

/// The error codes a step accepts, any of which is a pass (where an RFC allows a choice):
/// `"invalid_grant"` or `"invalid_request" or "invalid_grant"` (`{errors}`).
#[derive(Debug, Clone, PartialEq, Eq, Parameter)]
#[param(name = "errors", regex = r#""[a-z_]+"(?: or "[a-z_]+")*"#)]
pub(crate) struct ErrorChoice(Vec<ErrorCode>);

impl ErrorChoice {
    /// Whether `error` (as the server wrote it) is one of the accepted codes.
    pub(crate) fn accepts(&self, error: &str) -> bool {
        self.0.iter().any(|code| code.as_str() == error)
    }
}

impl FromStr for ErrorChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(" or ")
            .map(|quoted| {
                let code = quoted.trim_matches('"');
                code.parse()
                    .map_err(|_| format!("{code:?} is not an OAuth error code"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl fmt::Display for ErrorChoice {
    /// `invalid_request or invalid_grant`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<&str> = self.0.iter().map(|c| c.as_str()).collect();
        f.write_str(&codes.join(" or "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_reads_every_quoted_code_and_refuses_unknown_ones() {
        let choice: ErrorChoice = r#""invalid_request" or "invalid_grant""#.parse().unwrap();
        assert!(choice.accepts("invalid_grant"));
        assert!(!choice.accepts("invalid_client"));
        assert_eq!(choice.to_string(), "invalid_request or invalid_grant");
        assert!(r#""invalid_grnat""#.parse::<ErrorChoice>().is_err());
        assert_eq!(
            "access_denied".parse::<OAuthErrorParam>(),
            Ok(OAuthErrorParam(ErrorCode::AccessDenied))
        );
    }
}
