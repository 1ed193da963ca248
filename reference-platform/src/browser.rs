//! The browser binding: a random `rp_browser` cookie (HttpOnly, SameSite=Lax) set when a flow
//! starts, to which every pending flow is bound, so that a callback is accepted only from the
//! browser that started the flow ([RFC 9700 §4.7.1](https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1)).

use axum::http::{HeaderMap, HeaderValue, header};
use axum_extra::extract::cookie::{Cookie, SameSite};

/// The cookie's name.
pub(crate) const COOKIE: &str = "rp_browser";

/// What the browser presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Presented {
    /// No `rp_browser` cookie.
    Absent,
    /// Exactly one, well formed.
    One(String),
    /// Several (cookie tossing) or a malformed one: never trusted.
    Unusable,
}

/// Reads the `rp_browser` cookie from every `Cookie` header.
pub(crate) fn presented(headers: &HeaderMap) -> Presented {
    let mut found = Vec::new();
    for value in headers.get_all(header::COOKIE) {
        let Ok(text) = value.to_str() else {
            continue;
        };
        for cookie in Cookie::split_parse(text).flatten() {
            if cookie.name() == COOKIE {
                found.push(cookie.value().to_owned());
            }
        }
    }
    match found.as_slice() {
        [] => Presented::Absent,
        [one] if well_formed(one) => Presented::One(one.clone()),
        _ => Presented::Unusable,
    }
}

/// A value the platform could have issued: 43 base64url characters.
fn well_formed(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The `Set-Cookie` header for a new browser id.
pub(crate) fn set_cookie(value: &str) -> Option<HeaderValue> {
    let cookie = Cookie::build((COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";

    fn headers(cookies: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for c in cookies {
            headers.append(header::COOKIE, HeaderValue::from_str(c).unwrap());
        }
        headers
    }

    #[test]
    fn one_cookie_is_read() {
        assert_eq!(
            presented(&headers(&[&format!("a=b; {COOKIE}={ID}")])),
            Presented::One(ID.into())
        );
        assert_eq!(presented(&headers(&["a=b"])), Presented::Absent);
    }

    #[test]
    fn two_cookies_or_a_malformed_one_are_not_trusted() {
        let two = format!("{COOKIE}={ID}; {COOKIE}={ID}");
        assert_eq!(presented(&headers(&[&two])), Presented::Unusable);
        assert_eq!(
            presented(&headers(&[&format!("{COOKIE}=short")])),
            Presented::Unusable
        );
    }

    #[test]
    fn the_cookie_is_http_only_and_lax() {
        let value = set_cookie(ID).unwrap();
        let text = value.to_str().unwrap();
        assert!(text.starts_with(&format!("{COOKIE}={ID}")));
        assert!(text.contains("HttpOnly"));
        assert!(text.contains("SameSite=Lax"));
        assert!(text.contains("Path=/"));
    }
}
