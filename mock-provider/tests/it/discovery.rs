//! Authorization server metadata (RFC 8414 §2, §3, §3.1, §3.3; RFC 9207 §3) and the JWKS.

use mock_provider::pkce::PkcePolicy;
use mock_provider::{ClientConfig, MockProvider, ProviderConfig, TokenFormat};

use crate::support::*;

const METADATA: &str = "/.well-known/oauth-authorization-server";
const OPENID: &str = "/.well-known/openid-configuration";

/// GETs a JSON document, asserting 200.
async fn get_json(http: &reqwest::Client, url: &str) -> serde_json::Value {
    let response = http.get(url).send().await.expect("the provider answers");
    assert_eq!(response.status(), 200, "{url}");
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    json(response).await
}

async fn metadata(provider: &MockProvider, http: &reqwest::Client) -> serde_json::Value {
    get_json(http, &format!("{}{METADATA}", provider.uri())).await
}

/// The `*_endpoint` members of a metadata document.
fn endpoints(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc.as_object()
        .expect("an object")
        .iter()
        .filter(|(name, _)| name.ends_with("_endpoint"))
        .map(|(name, url)| (name.clone(), url.as_str().expect("a URL").to_owned()))
        .collect()
}

/// Calls an endpoint with the method it is meant for.
async fn call(http: &reqwest::Client, name: &str, url: &str) -> reqwest::Response {
    let request = match name {
        "authorization_endpoint" | "userinfo_endpoint" => http.get(url),
        _ => http.post(url),
    };
    request.send().await.expect("the endpoint answers")
}

#[tokio::test]
async fn both_well_known_paths_serve_the_same_document() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let oauth = metadata(&provider, &http).await;
    let openid = get_json(&http, &format!("{}{OPENID}", provider.uri())).await;
    // Assert
    assert_eq!(oauth, openid);
    assert_eq!(oauth["issuer"], provider.uri());
    assert_eq!(oauth, provider.metadata(None));
    assert_eq!(
        oauth["response_types_supported"],
        serde_json::json!(["code"])
    );
}

#[tokio::test]
async fn every_advertised_endpoint_answers() {
    // Arrange
    let (provider, http) = start().await;
    let doc = metadata(&provider, &http).await;
    let endpoints = endpoints(&doc);
    assert_eq!(endpoints.len(), 6, "{endpoints:?}");
    for (name, url) in endpoints {
        assert!(url.starts_with(&provider.uri()), "{name}: {url}");
        // Act
        let response = call(&http, &name, &url).await;
        // Assert
        assert_ne!(response.status(), 404, "{name} at {url}");
        assert_ne!(response.status(), 405, "{name} at {url}");
    }
}

#[tokio::test]
async fn only_s256_is_advertised_in_the_default_profile() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let doc = metadata(&provider, &http).await;
    // Assert
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
}

#[tokio::test]
async fn plain_is_advertised_when_a_client_may_use_it() {
    // Arrange
    let mut config = ProviderConfig::default();
    config.clients.push(ClientConfig {
        client_id: "legacy".into(),
        pkce: PkcePolicy::S256OrPlain,
        ..ClientConfig::default()
    });
    let (provider, http) = start_with(config).await;
    // Act
    let doc = metadata(&provider, &http).await;
    // Assert
    let methods = doc["code_challenge_methods_supported"]
        .as_array()
        .expect("a list");
    assert!(methods.contains(&"S256".into()), "{methods:?}");
    assert!(methods.contains(&"plain".into()), "{methods:?}");
}

#[tokio::test]
async fn iss_parameter_support_follows_send_iss() {
    for send_iss in [true, false] {
        // Arrange
        let config = ProviderConfig {
            send_iss,
            ..ProviderConfig::default()
        };
        let (provider, http) = start_with(config).await;
        // Act
        let doc = metadata(&provider, &http).await;
        let response = authorize(&provider, &http, &authorize_params("st")).await;
        // Assert
        assert_eq!(
            doc["authorization_response_iss_parameter_supported"],
            send_iss
        );
        assert_eq!(
            query_param(&location(&response), "iss").is_some(),
            send_iss,
            "the metadata must tell the truth about iss"
        );
    }
}

#[tokio::test]
async fn the_iss_unadvertised_quirk_leaves_the_member_out_and_still_sends_iss() {
    for send_iss in [true, false] {
        // Arrange
        let mut config = ProviderConfig {
            send_iss,
            ..ProviderConfig::default()
        };
        config.quirks.iss_unadvertised = true;
        let (provider, http) = start_with(config).await;
        // Act
        let doc = metadata(&provider, &http).await;
        let response = authorize(&provider, &http, &authorize_params("st")).await;
        // Assert: the member is absent, not false; iss follows send_iss alone.
        assert!(
            doc.get("authorization_response_iss_parameter_supported")
                .is_none(),
            "{doc}"
        );
        assert_eq!(
            query_param(&location(&response), "iss"),
            send_iss.then(|| provider.issuer())
        );
    }
}

#[tokio::test]
async fn a_tenant_has_its_own_issuer_at_both_metadata_locations() {
    // Arrange
    let (provider, http) = start().await;
    let issuer = format!("{}/t/acme", provider.uri());
    // Act
    let prefixed = get_json(&http, &format!("{issuer}{METADATA}")).await;
    let inserted = get_json(&http, &format!("{}{METADATA}/t/acme", provider.uri())).await;
    let openid = get_json(&http, &format!("{issuer}{OPENID}")).await;
    // Assert
    assert_eq!(prefixed["issuer"], issuer);
    assert_eq!(prefixed, inserted);
    assert_eq!(prefixed, openid);
    assert_eq!(prefixed, provider.metadata(Some("acme")));
    for (name, url) in endpoints(&prefixed) {
        assert!(url.starts_with(&format!("{issuer}/")), "{name}: {url}");
        let response = call(&http, &name, &url).await;
        assert_ne!(response.status(), 404, "{name} at {url}");
    }
}

#[tokio::test]
async fn the_jwt_profile_publishes_one_p256_key() {
    use base64::Engine as _;
    // Arrange
    let config = ProviderConfig {
        token_format: TokenFormat::Jwt,
        ..ProviderConfig::default()
    };
    let (provider, http) = start_with(config).await;
    let doc = metadata(&provider, &http).await;
    let jwks_uri = doc["jwks_uri"].as_str().expect("a jwks_uri");
    assert!(jwks_uri.starts_with(&provider.uri()), "{jwks_uri}");
    // Act
    let jwks = get_json(&http, jwks_uri).await;
    // Assert
    let keys = jwks["keys"].as_array().expect("a key list");
    assert_eq!(keys.len(), 1, "{jwks}");
    let key = &keys[0];
    assert_eq!(key["kty"], "EC");
    assert_eq!(key["crv"], "P-256");
    assert_eq!(key["alg"], "ES256");
    assert!(key["kid"].is_string());
    assert!(
        key.get("d").is_none(),
        "the private key is published: {key}"
    );
    for coordinate in ["x", "y"] {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(key[coordinate].as_str().expect("a coordinate"))
            .expect("base64url");
        assert_eq!(bytes.len(), 32, "{coordinate}");
    }
}

#[tokio::test]
async fn the_opaque_profile_has_no_jwks() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let doc = metadata(&provider, &http).await;
    let jwks = http.get(provider.jwks_uri()).send().await.unwrap();
    // Assert
    assert!(doc.get("jwks_uri").is_none(), "{doc}");
    assert_eq!(jwks.status(), 404);
}

#[tokio::test]
async fn the_default_metadata_document_matches_its_snapshot() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let doc = metadata(&provider, &http).await;
    // Assert
    let text = doc
        .to_string()
        .replace(&provider.uri(), "http://mock-provider.invalid");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    insta::assert_json_snapshot!("default_metadata", doc);
}

#[tokio::test]
async fn the_openchatstudio_profile_advertises_its_paths() {
    // Arrange
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/providers/openchatstudio.toml"
    );
    let (provider, http) = start_with(ProviderConfig::from_file(path).unwrap()).await;
    // Act
    let doc = metadata(&provider, &http).await;
    // Assert
    let base = provider.uri();
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{base}/o/authorize/")
    );
    assert_eq!(doc["token_endpoint"], format!("{base}/o/token/"));
    assert_eq!(doc["authorization_response_iss_parameter_supported"], false);
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    for (name, url) in endpoints(&doc) {
        let response = call(&http, &name, &url).await;
        assert_ne!(response.status(), 404, "{name} at {url}");
    }
}

#[tokio::test]
async fn an_unknown_path_is_404_naming_the_metadata_document() {
    // Arrange
    let (provider, http) = start().await;
    for path in ["/nothing/here", "/.well-known/nothing", "/t/acme/nothing"] {
        // Act
        let response = http
            .get(format!("{}{path}", provider.uri()))
            .send()
            .await
            .unwrap();
        // Assert
        assert_eq!(response.status(), 404, "{path}");
        let body = response.text().await.unwrap();
        assert!(body.contains(METADATA), "{path}: {body}");
    }
}

#[tokio::test]
async fn a_metadata_outage_makes_every_metadata_document_answer_503_until_it_ends() {
    // Arrange
    let (provider, http) = start().await;
    let urls = [
        format!("{}{METADATA}", provider.uri()),
        format!("{}{OPENID}", provider.uri()),
        format!("{}{METADATA}/t/acme", provider.uri()),
    ];
    let outage = admin_url(&provider, "/metadata_outage");
    // Act: switched on through the control API
    let on = http
        .post(&outage)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(on.status(), 204);
    for url in &urls {
        let response = http.get(url).send().await.unwrap();
        assert_eq!(response.status(), 503, "{url}");
    }
    // The token endpoint is not part of the outage.
    let token = http.post(provider.token_endpoint()).send().await.unwrap();
    assert_eq!(token.status(), 400);
    // Act: switched off, then on and off again through the library
    let off = http.delete(&outage).send().await.unwrap();
    assert_eq!(off.status(), 204);
    assert_eq!(metadata(&provider, &http).await["issuer"], provider.uri());
    provider.set_metadata_outage(true);
    let down = http.get(&urls[0]).send().await.unwrap();
    assert_eq!(down.status(), 503);
    provider.set_metadata_outage(false);
    assert_eq!(metadata(&provider, &http).await["issuer"], provider.uri());
    // Any other method is refused.
    let get = http.get(&outage).send().await.unwrap();
    assert_eq!(get.status(), 405);
}
