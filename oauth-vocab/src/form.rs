//! One component of `application/x-www-form-urlencoded`, both ways, as the
//! [URL Standard](https://url.spec.whatwg.org/#application/x-www-form-urlencoded) writes it:
//! `+` for a space, `%XX` for every byte but ASCII alphanumerics and `*-._`.

use percent_encoding::percent_decode;

/// Encodes one component for `application/x-www-form-urlencoded`.
pub fn form_encode(raw: &str) -> String {
    form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}

/// Decodes one form-urlencoded component (`+` is a space); `None` if it is not UTF-8 once
/// decoded.
pub fn form_decode(raw: &str) -> Option<String> {
    form_decode_bytes(raw.as_bytes())
}

/// [`form_decode`] of raw bytes.
pub fn form_decode_bytes(raw: &[u8]) -> Option<String> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&plus_as_space)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips() {
        let raw = "gauntlet:secret+/=&% é";
        assert_eq!(form_encode(raw), "gauntlet%3Asecret%2B%2F%3D%26%25+%C3%A9");
        assert_eq!(form_decode(&form_encode(raw)).as_deref(), Some(raw));
    }

    #[test]
    fn decoding_refuses_what_is_not_utf8() {
        assert_eq!(form_decode("x+y%2Bz").as_deref(), Some("x y+z"));
        assert_eq!(form_decode("%FF%FE"), None);
        assert_eq!(form_decode_bytes(b"\xff"), None);
    }
}
