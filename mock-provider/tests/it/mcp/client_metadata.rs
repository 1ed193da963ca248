//! Client ID Metadata Documents (`[mcp] client_id_metadata_documents`): the metadata advertises
//! them, and a `client_id` URL's document is fetched (from a loopback HTTPS server whose CA the
//! mock is told to trust), validated and used as the client's registration.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use mock_provider::{ErrorCode, Finding, MAX_DOCUMENT_BYTES, McpConfig, Observation};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, PKCS_ECDSA_P256_SHA256};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use super::mcp_profile;
use crate::support::*;

/// A loopback HTTPS server answering every GET with `body`, counting the requests; its CA is in
/// `ca.pem` of `dir`.
struct DocumentServer {
    base: String,
    body: Arc<Mutex<Vec<u8>>>,
    /// The `Cache-Control` header sent, if any.
    cache_control: Arc<Mutex<Option<&'static str>>>,
    hits: Arc<AtomicUsize>,
    dir: tempfile::TempDir,
}

impl DocumentServer {
    async fn start() -> Self {
        let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut ca_params = CertificateParams::default();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca_cert.pem()).unwrap();
        #[allow(deprecated)]
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![leaf.der().clone()], key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("https://{}", listener.local_addr().unwrap());
        let body = Arc::new(Mutex::new(Vec::new()));
        let hits = Arc::new(AtomicUsize::new(0));
        let cache_control = Arc::new(Mutex::new(None));
        let (served, counted, cached) = (body.clone(), hits.clone(), cache_control.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, served, counted, cached) = (
                    acceptor.clone(),
                    served.clone(),
                    counted.clone(),
                    cached.clone(),
                );
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |_request| {
                        counted.fetch_add(1, Ordering::SeqCst);
                        let body = served.lock().unwrap().clone();
                        let cache_control = *cached.lock().unwrap();
                        async move {
                            let mut response = hyper::Response::builder()
                                .header("content-type", "application/json");
                            if let Some(value) = cache_control {
                                response = response.header("cache-control", value);
                            }
                            let response = response.body(Full::new(Bytes::from(body))).unwrap();
                            Ok::<_, std::convert::Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        Self {
            base,
            body,
            cache_control,
            hits,
            dir,
        }
    }

    fn url(&self) -> String {
        format!("{}/oauth/client.json", self.base)
    }

    fn serve(&self, document: &serde_json::Value) {
        *self.body.lock().unwrap() = serde_json::to_vec(document).unwrap();
    }

    /// A valid document for [`url`](Self::url) listing the test redirect URI.
    fn valid(&self) -> serde_json::Value {
        serde_json::json!({
            "client_id": self.url(),
            "client_name": "Gauntlet test client",
            "redirect_uris": [REDIRECT],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
        })
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// The MCP profile accepting metadata documents from 127.0.0.1, trusting `server`'s CA.
fn cimd_profile(server: &DocumentServer) -> mock_provider::ProviderConfig {
    let mut config = mcp_profile(&[]);
    config.mcp = McpConfig {
        client_id_metadata_documents: true,
        client_metadata_hosts: vec!["127.0.0.1".into()],
        client_metadata_ca_file: Some(server.dir.path().join("ca.pem")),
        ..config.mcp
    };
    config
}

/// An authorization request naming `client_id` (and the test redirect URI).
fn request_of(client_id: &str) -> Vec<(&'static str, String)> {
    let mut params = authorize_params("st");
    params.retain(|(name, _)| *name != "client_id");
    params.push(("client_id", client_id.to_owned()));
    params
}

/// Asserts a 400 page with no redirect, its journal entry naming `invalid_client` and the
/// finding `client.metadata_invalid` with `detail` in it.
async fn assert_refused(
    provider: &mock_provider::MockProvider,
    response: reqwest::Response,
    detail: &str,
) {
    assert_eq!(response.status(), 400);
    assert!(
        response.headers().get("location").is_none(),
        "redirected to an unvalidated URI"
    );
    let journal = provider.journal();
    let findings = &journal.last().expect("journaled").findings;
    assert!(
        findings.iter().any(|o| matches!(
            o,
            Observation::Error {
                code: ErrorCode::InvalidClient,
                ..
            }
        )),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|o| matches!(o, Observation::Finding { finding: Finding::ClientMetadataInvalid, detail: Some(d), .. } if d.contains(detail))),
        "no client.metadata_invalid naming {detail:?}: {findings:?}"
    );
}

#[tokio::test]
async fn metadata_advertises_documents_only_when_configured() {
    let server = DocumentServer::start().await;
    for (config, expected) in [
        (mcp_profile(&[]), None),
        (cimd_profile(&server), Some(true)),
    ] {
        let (provider, http) = start_with(config).await;
        let metadata = json(http.get(provider.metadata_url()).send().await.unwrap()).await;
        assert_eq!(
            metadata["client_id_metadata_document_supported"].as_bool(),
            expected
        );
    }
}

#[tokio::test]
async fn a_valid_document_over_https_registers_a_public_client_that_gets_tokens() {
    let server = DocumentServer::start().await;
    server.serve(&server.valid());
    let (provider, http) = start_with(cimd_profile(&server)).await;
    let response = authorize(&provider, &http, &request_of(&server.url())).await;
    assert_eq!(response.status(), 302);
    let location = location(&response);
    assert!(location.as_str().starts_with(REDIRECT), "{location}");
    let code = query_param(&location, "code").expect("a code");
    assert_eq!(server.hits(), 1);
    let journal = provider.journal();
    assert!(
        journal
            .last()
            .unwrap()
            .has_finding(Finding::ClientMetadataFetched)
    );

    let url = server.url();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
        ("client_id", url.as_str()),
    ];
    let response = http
        .post(provider.token_endpoint())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn a_redirect_uri_the_document_does_not_list_is_refused_unless_the_lax_quirk_takes_it() {
    let elsewhere = "https://elsewhere.gauntlet.test/callback";
    for unchecked in [false, true] {
        let server = DocumentServer::start().await;
        server.serve(&server.valid());
        let mut config = cimd_profile(&server);
        config.quirks.client_metadata_redirect_unchecked = unchecked;
        let (provider, http) = start_with(config).await;
        let mut request = request_of(&server.url());
        request.retain(|(name, _)| *name != "redirect_uri");
        request.push(("redirect_uri", elsewhere.to_owned()));
        let response = authorize(&provider, &http, &request).await;
        if unchecked {
            assert_eq!(response.status(), 302);
            assert!(location(&response).as_str().starts_with(elsewhere));
            let entry = provider.journal().last().cloned().unwrap();
            assert!(entry.has_finding(Finding::RedirectUriNotRegistered));
        } else {
            assert_eq!(response.status(), 400);
            assert!(response.headers().get("location").is_none());
        }
        assert_eq!(server.hits(), 1, "the document was fetched and validated");
    }
}

#[tokio::test]
async fn the_document_host_serves_a_document_the_mock_accepts_and_nothing_else() {
    let host = mock_provider::DocumentHost::start("/client.json", |url| {
        serde_json::json!({
            "client_id": url,
            "client_name": "hosted",
            "redirect_uris": [REDIRECT],
            "token_endpoint_auth_method": "none",
        })
    })
    .await
    .unwrap();
    let mut config = mcp_profile(&[]);
    config.mcp.client_id_metadata_documents = true;
    config.mcp.client_metadata_hosts = vec!["127.0.0.1".into()];
    config.mcp.client_metadata_ca_file = Some(host.ca_file().to_owned());
    let (provider, http) = start_with(config).await;
    let response = authorize(&provider, &http, &request_of(host.url())).await;
    assert_eq!(response.status(), 302);
    assert!(location(&response).as_str().starts_with(REDIRECT));

    let ca = reqwest::Certificate::from_pem(host.ca_pem().as_bytes()).unwrap();
    let trusting = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .build()
        .unwrap();
    let other = host.url().replace("/client.json", "/other.json");
    assert_eq!(trusting.get(&other).send().await.unwrap().status(), 404);
    assert_eq!(
        trusting.post(host.url()).send().await.unwrap().status(),
        405
    );
    let served = trusting.get(host.url()).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn a_document_whose_client_id_differs_from_its_url_is_refused() {
    let server = DocumentServer::start().await;
    let mut document = server.valid();
    document["client_id"] = format!("{}/other.json", server.base).into();
    server.serve(&document);
    let (provider, http) = start_with(cimd_profile(&server)).await;
    let response = authorize(&provider, &http, &request_of(&server.url())).await;
    assert_refused(&provider, response, "differs from its URL").await;
}

#[tokio::test]
async fn an_oversized_document_is_refused() {
    let server = DocumentServer::start().await;
    let mut document = server.valid();
    document["padding"] = "x".repeat(MAX_DOCUMENT_BYTES).into();
    server.serve(&document);
    let (provider, http) = start_with(cimd_profile(&server)).await;
    let response = authorize(&provider, &http, &request_of(&server.url())).await;
    assert_refused(&provider, response, "larger than").await;
}

#[tokio::test]
async fn a_document_missing_a_required_member_or_holding_a_secret_is_refused() {
    let server = DocumentServer::start().await;
    let (provider, http) = start_with(cimd_profile(&server)).await;
    for (member, value, detail) in [
        ("client_name", serde_json::Value::Null, "client_name"),
        ("client_secret", "s3cret".into(), "client_secret"),
        (
            "token_endpoint_auth_method",
            "client_secret_basic".into(),
            "public clients",
        ),
    ] {
        let mut document = server.valid();
        document[member] = value;
        server.serve(&document);
        let response = authorize(&provider, &http, &request_of(&server.url())).await;
        assert_refused(&provider, response, detail).await;
    }
}

#[tokio::test]
async fn an_unreachable_document_is_refused() {
    let server = DocumentServer::start().await;
    // A host that takes the connection and closes it at once: no TLS, no document. The
    // listener stays bound, so no other test can take its port meanwhile.
    let closing = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/client.json", closing.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = closing.accept().await {
            drop(stream);
        }
    });
    let (provider, http) = start_with(cimd_profile(&server)).await;
    let response = authorize(&provider, &http, &request_of(&url)).await;
    assert_refused(&provider, response, "cannot fetch").await;
}

#[tokio::test]
async fn the_lax_quirk_redirects_a_failed_document_to_the_unvalidated_redirect_uri() {
    let server = DocumentServer::start().await;
    let url = "https://client-metadata.gauntlet.test/client.json";
    let mut config = cimd_profile(&server);
    config.quirks.client_metadata_error_redirects = true;
    let (provider, http) = start_with(config).await;
    let response = authorize(&provider, &http, &request_of(url)).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.contains("error=invalid_client"), "{location}");
    assert!(location.contains("state=st"), "{location}");
}

#[tokio::test]
async fn urls_on_hosts_not_allowed_or_without_https_are_never_fetched() {
    let server = DocumentServer::start().await;
    server.serve(&server.valid());
    let mut config = cimd_profile(&server);
    config.mcp.client_metadata_hosts = vec!["localhost".into()];
    let (provider, http) = start_with(config).await;
    let response = authorize(&provider, &http, &request_of(&server.url())).await;
    assert_refused(&provider, response, "client_metadata_hosts").await;
    let plain = server.url().replacen("https://", "http://", 1);
    let response = authorize(&provider, &http, &request_of(&plain)).await;
    // Without the test-only allowance an http:// client_id is no document URL: an unknown client.
    assert_eq!(response.status(), 400);
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn a_document_is_cached_for_its_max_age_and_not_when_no_store() {
    for (cache_control, fetches) in [("max-age=300", 1), ("no-store, max-age=300", 2)] {
        let server = DocumentServer::start().await;
        server.serve(&server.valid());
        *server.cache_control.lock().unwrap() = Some(cache_control);
        let (provider, http) = start_with(cimd_profile(&server)).await;
        for _ in 0..2 {
            let response = authorize(&provider, &http, &request_of(&server.url())).await;
            assert_eq!(response.status(), 302, "{cache_control}");
        }
        assert_eq!(server.hits(), fetches, "{cache_control}");
        let noted = (provider.journal().iter())
            .filter(|e| e.has_finding(Finding::ClientMetadataFetched))
            .count();
        assert_eq!(noted, fetches, "{cache_control}");
    }
}
