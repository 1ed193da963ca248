//! HTTP Basic client credentials as [RFC 6749 §2.3.1] defines them: the client id and the
//! secret are each form-urlencoded, joined with `:`, and the pair is Base64-encoded.
//!
//! [RFC 6749 §2.3.1]: https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::form::{form_decode, form_encode};

/// The `Authorization` header value `Basic base64(urlencode(id) ":" urlencode(secret))`.
pub fn encode(client_id: &str, secret: &str) -> String {
    let pair = format!("{}:{}", form_encode(client_id), form_encode(secret));
    format!("Basic {}", STANDARD.encode(pair))
}

/// The header value `Basic base64(id ":" secret)` of parts taken as they are, without the
/// form-urlencoding that [`encode`] does: what a client that skips it sends.
pub fn encode_raw(client_id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{client_id}:{secret}")))
}

/// Reads an `Authorization` header value of the `Basic` scheme (spelled `Basic` or `basic`):
/// Base64, split at the first `:`, each part form-urldecoded. Gives the client id and secret.
pub fn decode(header_value: &[u8]) -> Result<(String, String), BasicError> {
    let decoded = decode_unencoded(header_value)?;
    let (id, secret) = decoded.split_once(':').ok_or(BasicError::NoColon)?;
    let id = form_decode(id).ok_or(BasicError::IdNotFormEncoded)?;
    let secret = form_decode(secret).ok_or(BasicError::SecretNotFormEncoded)?;
    Ok((id, secret))
}

/// The Base64-decoded `id:secret` text of a `Basic` header value, before any form-decoding:
/// what a client that skips the form-urlencoding meant as its id and secret, joined by `:`.
pub fn decode_unencoded(header_value: &[u8]) -> Result<String, BasicError> {
    let encoded = header_value
        .strip_prefix(b"Basic ")
        .or_else(|| header_value.strip_prefix(b"basic "))
        .ok_or(BasicError::NotBasic)?;
    let decoded = STANDARD
        .decode(encoded.trim_ascii())
        .map_err(|_| BasicError::NotBase64)?;
    String::from_utf8(decoded).map_err(|_| BasicError::NotUtf8)
}

/// Why a header value is not HTTP Basic credentials; its `Display` says why in a few words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BasicError {
    /// Another scheme (or none).
    NotBasic,
    /// The credentials are not Base64.
    NotBase64,
    /// The decoded credentials are not UTF-8.
    NotUtf8,
    /// No `:` between id and secret.
    NoColon,
    /// The client id is not valid form-urlencoding.
    IdNotFormEncoded,
    /// The secret is not valid form-urlencoding.
    SecretNotFormEncoded,
}

impl fmt::Display for BasicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotBasic => "not the Basic scheme",
            Self::NotBase64 => "not base64",
            Self::NotUtf8 => "not UTF-8",
            Self::NoColon => "no ':' between id and secret",
            Self::IdNotFormEncoded => "client id is not valid form-urlencoding",
            Self::SecretNotFormEncoded => "secret is not valid form-urlencoding",
        })
    }
}

impl std::error::Error for BasicError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn inner(header: &str) -> String {
        let bytes = STANDARD
            .decode(header.strip_prefix("Basic ").unwrap())
            .unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn credentials_are_form_encoded_before_base64() {
        assert_eq!(
            inner(&encode("gauntlet-client", "gauntlet:secret+/=&%")),
            "gauntlet-client:gauntlet%3Asecret%2B%2F%3D%26%25"
        );
        assert_eq!(inner(&encode("a b", "é")), "a+b:%C3%A9");
        assert_eq!(inner(&encode_raw("a b", "x:y")), "a b:x:y");
    }

    #[test]
    fn decoding_reverses_encoding() {
        let header = encode("a b", "gauntlet:secret+/=&% é");
        assert_eq!(
            decode(header.as_bytes()),
            Ok(("a b".to_owned(), "gauntlet:secret+/=&% é".to_owned()))
        );
        let lower = header.replacen("Basic", "basic", 1);
        assert!(decode(lower.as_bytes()).is_ok());
    }

    #[test]
    fn the_unencoded_text_is_the_pair_as_sent() {
        let raw = encode_raw("id", "a+b:%");
        assert_eq!(decode_unencoded(raw.as_bytes()), Ok("id:a+b:%".to_owned()));
        assert_eq!(
            decode(raw.as_bytes()),
            Ok(("id".to_owned(), "a b:%".to_owned()))
        );
        assert_eq!(decode_unencoded(b"Bearer x"), Err(BasicError::NotBasic));
    }

    #[test]
    fn decoding_tells_what_is_wrong() {
        let raw = |text: &[u8]| format!("Basic {}", STANDARD.encode(text));
        assert_eq!(decode(b"Bearer x"), Err(BasicError::NotBasic));
        assert_eq!(decode(b"Basic !!"), Err(BasicError::NotBase64));
        assert_eq!(decode(raw(b"\xff:x").as_bytes()), Err(BasicError::NotUtf8));
        assert_eq!(decode(raw(b"id").as_bytes()), Err(BasicError::NoColon));
        assert_eq!(
            decode(raw(b"%FF:x").as_bytes()),
            Err(BasicError::IdNotFormEncoded)
        );
        assert_eq!(
            decode(raw(b"id:%FF").as_bytes()),
            Err(BasicError::SecretNotFormEncoded)
        );
        // Split at the first ':' only.
        assert_eq!(
            decode(raw(b"id:a:b").as_bytes()),
            Ok(("id".to_owned(), "a:b".to_owned()))
        );
    }
}
