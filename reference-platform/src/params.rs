//! Strict query parsing: every parameter the platform reads must appear at most once
//! ([RFC 6749 §3.1](https://www.rfc-editor.org/rfc/rfc6749#section-3.1): "Request and response
//! parameters MUST NOT be included more than once").

use url::form_urlencoded;

/// The decoded parameters of a query string, in order.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

/// A parameter that appears more than once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {0} parameter is repeated")]
pub(crate) struct Repeated(pub(crate) &'static str);

impl Params {
    /// Parses a raw query (form-urlencoded; invalid UTF-8 is replaced, so it can never match a
    /// value the platform issued).
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        Self(
            form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The one value of `name`, `None` when absent; an error when it is repeated.
    pub(crate) fn single(&self, name: &'static str) -> Result<Option<&str>, Repeated> {
        let mut values = self
            .0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        match values.next() {
            Some(_) => Err(Repeated(name)),
            None => Ok(first),
        }
    }
}

impl Params {
    /// Every value of `name`, in order, repeats included (only for the
    /// `repeated_code_forwarded` defect).
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of `name`, repeats ignored (only for the `repeated_params_accepted`
    /// defect).
    pub(crate) fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A chat session id the platform accepts: 1 to 200 printable characters.
pub(crate) fn valid_session(sid: &str) -> bool {
    !sid.is_empty() && sid.chars().count() <= 200 && !sid.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused() {
        let params = Params::parse(Some("code=a&state=s&code=b"));
        assert_eq!(params.single("code"), Err(Repeated("code")));
        assert_eq!(params.single("state"), Ok(Some("s")));
        assert_eq!(params.single("iss"), Ok(None));
    }

    #[test]
    fn values_are_form_decoded() {
        let params = Params::parse(Some("iss=http%3A%2F%2Fa&x=a+b&bad=%FF"));
        assert_eq!(params.single("iss"), Ok(Some("http://a")));
        assert_eq!(params.single("x"), Ok(Some("a b")));
        assert_eq!(params.single("bad"), Ok(Some("\u{fffd}")));
        assert_eq!(Params::parse(None).single("x"), Ok(None));
    }

    #[test]
    fn sessions_are_checked() {
        assert!(valid_session("chat-42"));
        assert!(!valid_session(""));
        assert!(!valid_session("a\nb"));
        assert!(!valid_session(&"x".repeat(201)));
    }
}
