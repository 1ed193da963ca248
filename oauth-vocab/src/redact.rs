//! Redaction of secrets before anything is written out: client secrets, codes, verifiers,
//! tokens, passwords and cookies become `[redacted:xxxx]`, where `xxxx` is a short hash so that
//! equal values can still be matched. One list of secret parameter names and one of secret
//! headers, for the mock's journal and the harness's evidence alike; [`SecretValues`] masks
//! known secret values wherever they occur.

use sha2::{Digest, Sha256};

mod values;

pub use values::{MIN_VALUE_LEN, Redactor, SecretValues};

/// Parameter and JSON member names whose values are secrets.
pub const SECRET_NAMES: &[&str] = &[
    "client_secret",
    "code",
    "code_verifier",
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "password",
    "registration_access_token",
    "csrf",
];

/// Whether a parameter or JSON member of this name holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    SECRET_NAMES.contains(&name)
}

/// Replaces a secret by a marker with a 4-hex-digit fingerprint.
pub fn mask(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    format!("[redacted:{:02x}{:02x}]", digest[0], digest[1])
}

/// Words that mark a header as secret wherever they appear in its name (`X-Api-Key`,
/// `X-Auth-Token`, `X-Session-Id`, …).
const SECRET_HEADER_WORDS: &[&str] = &[
    "authorization",
    "x-auth",
    "key",
    "token",
    "secret",
    "password",
    "session",
    "cookie",
    "csrf",
];

/// Whether a header of this name carries a secret: `Authorization`, `Proxy-Authorization`,
/// cookies, and any name with a word of [`SECRET_HEADER_WORDS`] in it.
pub fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_HEADER_WORDS.iter().any(|word| name.contains(word))
}

/// A header value as it may be shown (names compared case-insensitively): `Authorization` and
/// `Proxy-Authorization` keep their scheme and mask the credentials, any other secret header
/// ([`is_secret_header`]) is masked whole, `Location` has its secret query parameters masked,
/// any other header is kept.
pub fn redact_header(name: &str, value: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "authorization" | "proxy-authorization" => match value.split_once(' ') {
            Some((scheme, secret)) => format!("{scheme} {}", mask(secret)),
            None => mask(value),
        },
        "location" => redact_uri(value),
        _ if is_secret_header(name) => mask(value),
        _ => value.to_owned(),
    }
}

/// Redacts secret parameters in a URI's query.
pub fn redact_uri(uri: &str) -> String {
    let Some((base, query)) = uri.split_once('?') else {
        return uri.to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|part| match part.split_once('=') {
            Some((name, value)) if is_secret_name(name) => format!("{name}={}", mask(value)),
            _ => part.to_owned(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

/// Redacts secret members of a JSON body; other text is returned unchanged.
pub fn redact_json_text(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut value) => {
            redact_json(&mut value);
            value.to_string()
        }
        Err(_) => text.to_owned(),
    }
}

fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (name, v) in map.iter_mut() {
                match v {
                    serde_json::Value::String(s) if is_secret_name(name) => *s = mask(s),
                    _ => redact_json(v),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_secrets_redact_equally() {
        assert_eq!(mask("x"), mask("x"));
        assert_ne!(mask("x"), mask("y"));
        assert!(mask("x").starts_with("[redacted:"));
    }

    #[test]
    fn headers_keep_what_is_not_secret() {
        let basic = redact_header("Authorization", "Basic Yzpz");
        assert_eq!(basic, format!("Basic {}", mask("Yzpz")));
        assert_eq!(redact_header("set-cookie", "sid=1"), mask("sid=1"));
        assert_eq!(
            redact_header("Location", "https://a.test/cb?code=ac_1&state=s"),
            format!("https://a.test/cb?code={}&state=s", mask("ac_1"))
        );
        assert_eq!(redact_header("content-type", "text/html"), "text/html");
        assert_eq!(
            redact_header("Proxy-Authorization", "Basic Yzpz"),
            format!("Basic {}", mask("Yzpz"))
        );
        assert_eq!(redact_header("X-Api-Key", "k1"), mask("k1"));
        assert_eq!(redact_header("keep-alive", "timeout=5"), "timeout=5");
        assert_eq!(redact_header("WWW-Authenticate", "Basic"), "Basic");
    }

    #[test]
    fn json_members_are_redacted_at_any_depth() {
        let text = redact_json_text(r#"{"a":[{"refresh_token":"rt_1"}],"token_type":"Bearer"}"#);
        assert!(!text.contains("rt_1"), "{text}");
        assert!(text.contains("Bearer"));
        assert_eq!(redact_json_text("not json"), "not json");
    }
}
