//! Signed JWT access tokens (ES256, [RFC 7515](https://www.rfc-editor.org/rfc/rfc7515)) and the
//! JWKS that publishes the key ([RFC 7517](https://www.rfc-editor.org/rfc/rfc7517)).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};

use crate::random::Random;

/// An ES256 key generated at start-up.
#[derive(Debug)]
pub(crate) struct Signer {
    key: SigningKey,
    kid: String,
}

impl Signer {
    pub(crate) fn generate(random: &Random) -> Self {
        let key = loop {
            // A random scalar is out of range with probability about 2^-32.
            if let Ok(key) = SigningKey::from_bytes(&random.bytes::<32>().into()) {
                break key;
            }
        };
        let kid = random.token("key-")[..16].to_owned();
        Self { key, kid }
    }

    /// A compact JWS of the claims.
    pub(crate) fn sign(&self, claims: &serde_json::Value) -> String {
        let header = serde_json::json!({ "alg": "ES256", "typ": "at+jwt", "kid": self.kid });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature: Signature = self.key.sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }

    /// The public key as a JWK Set.
    pub(crate) fn jwks(&self) -> serde_json::Value {
        let point = self.key.verifying_key().to_encoded_point(false);
        let coordinate =
            |c: Option<&p256::FieldBytes>| URL_SAFE_NO_PAD.encode(c.expect("uncompressed point"));
        serde_json::json!({ "keys": [{
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": self.kid,
            "x": coordinate(point.x()), "y": coordinate(point.y()),
        }]})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier as _;

    #[test]
    fn signatures_verify_with_the_published_key() {
        let signer = Signer::generate(&Random::seeded(1));
        let jwt = signer.sign(&serde_json::json!({ "sub": "alice" }));
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        let jwk = &signer.jwks()["keys"][0];
        let mut sec1 = vec![4u8];
        sec1.extend(URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap());
        sec1.extend(URL_SAFE_NO_PAD.decode(jwk["y"].as_str().unwrap()).unwrap());
        let key = VerifyingKey::from_sec1_bytes(&sec1).unwrap();
        let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).unwrap()).unwrap();
        assert!(key.verify(input.as_bytes(), &sig).is_ok());
        let payload = input.split('.').nth(1).unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.decode(payload).unwrap(),
            br#"{"sub":"alice"}"#
        );
    }
}
