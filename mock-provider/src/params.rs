//! Strict parsing of `application/x-www-form-urlencoded` queries and bodies: invalid UTF-8 is an
//! error, repeated parameters are detected ([RFC 6749 §3.1]), and empty values count as absent.
//!
//! [RFC 6749 §3.1]: https://www.rfc-editor.org/rfc/rfc6749#section-3.1

use oauth_vocab::{Finding, Observation, form_decode_bytes};

use crate::error::OAuthError;

/// Decoded name/value pairs in the order received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Parses form-urlencoded bytes, refusing any name or value that is not UTF-8 once decoded.
    pub(crate) fn parse(input: &[u8]) -> Result<Self, OAuthError> {
        let mut pairs = Vec::new();
        for part in input.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (name, value) = match part.iter().position(|&b| b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            let decode = |raw: &[u8]| {
                form_decode_bytes(raw).ok_or_else(|| {
                    OAuthError::invalid_request("parameters are not valid UTF-8 once decoded")
                        .with_finding(Finding::RequestNotUtf8)
                })
            };
            pairs.push((decode(name)?, decode(value)?));
        }
        Ok(Self(pairs))
    }

    /// Lossy parse for the journal: never fails.
    pub(crate) fn parse_lossy(input: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(input)
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The value of a parameter; `None` when absent or empty; an error when repeated.
    pub(crate) fn get(&self, name: &str) -> Result<Option<&str>, OAuthError> {
        let mut found = self.0.iter().filter(|(n, v)| n == name && !v.is_empty());
        let first = found.next();
        if found.next().is_some() {
            return Err(repeated(name));
        }
        Ok(first.map(|(_, v)| v.as_str()))
    }

    /// The value of a parameter the request must carry: `invalid_request` when absent or empty.
    pub(crate) fn required(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name)?
            .ok_or_else(|| OAuthError::invalid_request(format!("{name} is missing")))
    }

    /// Every non-empty value of a parameter that may be repeated (RFC 8707's `resource`), in
    /// order.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        (self.0.iter())
            .filter(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The names that appear more than once, each once, in order of their first repeat, but
    /// those in `repeatable`.
    fn duplicates(&self, repeatable: &[&str]) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for (i, (name, _)) in self.0.iter().enumerate() {
            if self.0[..i].iter().any(|(n, _)| n == name)
                && !names.contains(&name.as_str())
                && !repeatable.contains(&name.as_str())
            {
                names.push(name);
            }
        }
        names
    }

    /// Refuses a request that repeats any parameter, even an empty one
    /// ([RFC 6749 §3.1](https://www.rfc-editor.org/rfc/rfc6749#section-3.1)), but those in
    /// `repeatable` (RFC 8707 §2 lets `resource` repeat); the finding names every repeated
    /// parameter.
    pub(crate) fn no_duplicates_but(&self, repeatable: &[&str]) -> Result<(), OAuthError> {
        match self.duplicates(repeatable).as_slice() {
            [] => Ok(()),
            names => Err(repeated(&names.join(", "))),
        }
    }

    /// All pairs in order.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// `invalid_request` for repeated parameters (`names`, comma-separated), the finding naming
/// them.
fn repeated(names: &str) -> OAuthError {
    let (noun, verb) = if names.contains(',') {
        ("parameters", "are")
    } else {
        ("parameter", "is")
    };
    OAuthError::invalid_request(format!("{noun} {names} {verb} repeated")).with_finding(
        Observation::detailed(Finding::RequestDuplicateParameter, names),
    )
}

/// Whether a Content-Type header names `application/x-www-form-urlencoded` (media types are
/// case-insensitive; parameters such as `charset` are ignored).
pub(crate) fn is_form_content_type(value: &str) -> bool {
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_and_percent_escapes() {
        let p = Params::parse(b"a=x+y%2Bz&b=%E2%9C%93").unwrap();
        assert_eq!(p.get("a").unwrap(), Some("x y+z"));
        assert_eq!(p.get("b").unwrap(), Some("\u{2713}"));
    }

    #[test]
    fn refuses_invalid_utf8() {
        assert!(Params::parse(b"a=%FF%FE").is_err());
        assert!(Params::parse(b"a=\xff").is_err());
    }

    #[test]
    fn repeated_parameters_are_an_error_and_empty_ones_are_absent() {
        let p = Params::parse(b"state=1&state=2&scope=&x").unwrap();
        assert!(p.get("state").is_err());
        assert_eq!(p.duplicates(&[]), ["state"]);
        let p = Params::parse(b"code=a&state=s&code=b&state=t&code=c").unwrap();
        assert_eq!(p.duplicates(&[]), ["code", "state"]);
        let error = p.no_duplicates_but(&[]).unwrap_err();
        assert_eq!(error.description, "parameters code, state are repeated");
        assert_eq!(
            error.findings,
            [Observation::detailed(
                Finding::RequestDuplicateParameter,
                "code, state"
            )]
        );
        assert_eq!(p.get("scope").unwrap(), None);
        assert_eq!(p.get("x").unwrap(), None);
    }

    #[test]
    fn a_repeatable_parameter_may_repeat_and_gives_all_its_values() {
        let p = Params::parse(b"resource=a&resource=&resource=b&code=c").unwrap();
        assert!(p.no_duplicates_but(&[]).is_err());
        assert!(p.no_duplicates_but(&["resource"]).is_ok());
        assert_eq!(p.all("resource"), ["a", "b"]);
    }
}
