//! The MCP shape's client at its discovered authorization server: the pre-registered one only
//! at the issuer it is registered with; elsewhere its Client ID Metadata Document when
//! advertised, else a dynamic registration naming `application_type`.

use mock_provider::{Endpoint, McpConfig, MockProvider, ProviderConfig};
use reference_platform::{Platform, PlatformConfig, Shape};

use crate::support::*;

const DOCUMENT: &str = "/oauth/client-metadata.json";

/// An MCP mock (accepting metadata documents from loopback over plain HTTP when `cimd`) and
/// an MCP client of it registered with `registered_with` (the mock's issuer when `None`).
async fn start(cimd: bool, registered_with: Option<&str>) -> (MockProvider, Platform) {
    let mcp = McpConfig {
        enabled: true,
        client_id_metadata_documents: cimd,
        client_metadata_hosts: vec!["127.0.0.1".into()],
        client_metadata_plain_http: cimd,
        ..McpConfig::default()
    };
    let provider = MockProvider::builder()
        .config(ProviderConfig {
            mcp,
            ..ProviderConfig::default()
        })
        .start()
        .await
        .expect("provider starts");
    let config = PlatformConfig {
        issuer: registered_with.map_or_else(|| provider.issuer(), str::to_owned),
        resource_url: provider.mcp_url(),
        shape: Shape::Mcp,
        client_metadata_path: Some(DOCUMENT.into()),
        ..platform_config(&provider)
    };
    let platform = Platform::start(config).await.expect("platform starts");
    (provider, platform)
}

async fn client_id_sent(
    provider: MockProvider,
    platform: Platform,
) -> (String, MockProvider, Platform) {
    let setup = Setup { provider, platform };
    let url = start_link(&setup, &browser(), "s1").await;
    let client_id = param(&url, "client_id").expect("a client_id");
    (client_id, setup.provider, setup.platform)
}

#[tokio::test]
async fn the_pre_registered_client_is_used_at_its_own_issuer_only() {
    let (provider, platform) = start(true, None).await;
    let (client_id, provider, _platform) = client_id_sent(provider, platform).await;
    assert_eq!(client_id, CLIENT_ID);
    assert!(
        provider
            .journal()
            .iter()
            .all(|e| e.endpoint != Endpoint::Registration)
    );
}

#[tokio::test]
async fn another_issuer_advertising_documents_gets_the_document_url() {
    let (provider, platform) = start(true, Some("https://elsewhere.example.test")).await;
    let (client_id, _provider, platform) = client_id_sent(provider, platform).await;
    assert_eq!(client_id, format!("{}{DOCUMENT}", platform.uri()));
    let document: serde_json::Value = http()
        .get(&client_id)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document["client_id"], client_id.as_str());
    assert_eq!(
        document["redirect_uris"],
        serde_json::json!([platform.redirect_uri()])
    );
    assert!(document["client_name"].is_string());
}

#[tokio::test]
async fn another_issuer_without_documents_gets_a_native_dynamic_registration() {
    let (provider, platform) = start(false, Some("https://elsewhere.example.test")).await;
    let (client_id, provider, _platform) = client_id_sent(provider, platform).await;
    let journal = provider.journal();
    let registration = (journal.iter())
        .find(|e| e.endpoint == Endpoint::Registration)
        .expect("a registration request");
    let body: serde_json::Value =
        serde_json::from_str(registration.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["application_type"], "native");
    assert_eq!(body["token_endpoint_auth_method"], "none");
    let issued: serde_json::Value = serde_json::from_str(&registration.response.body).unwrap();
    assert_eq!(client_id, issued["client_id"].as_str().unwrap());
    assert_ne!(client_id, CLIENT_ID);
}
