//! The provider preflight: a profile that does not fit the server stops the run before any
//! scenario, with a diagnosis naming the profile key, instead of failing scenarios that then
//! blame the server. The server here is a mock behind its real login and consent pages,
//! described by an outside-server profile.

use gauntlet::provider::profile::ProviderTarget;
use gauntlet::provider::{ProviderOptions, run};
use gauntlet::report::PreflightVerdict;
use mock_provider::{MockProvider, ProviderConfig};

/// A mock that shows its login and consent pages.
async fn server() -> MockProvider {
    MockProvider::builder()
        .config(ProviderConfig {
            auto_approve: false,
            ..ProviderConfig::default()
        })
        .start()
        .await
        .expect("the mock starts")
}

/// An outside-server profile for `server`, with `client` and `login` tables as given.
fn profile(server: &MockProvider, secret: &str, approve: &str) -> String {
    format!(
        "name = \"pages\"\n[server]\nmetadata_url = \"{}\"\n\
         [client]\nclient_id = \"gauntlet-client\"\nclient_secret = \"{secret}\"\n\
         auth_method = \"client_secret_basic\"\nredirect_uri = \"http://127.0.0.1:8080/callback\"\n\
         scope = \"read\"\n\
         [login]\nfields = {{ username = \"alice\", password = \"wonderland\" }}\napprove = \"{approve}\"\n",
        server.metadata_url()
    )
}

/// Runs the suite with the profile `text`; the error, if the run stopped.
async fn stopped_by(text: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pages.toml");
    std::fs::write(&file, text).unwrap();
    let target = ProviderTarget::from_file(&file).unwrap();
    let options = ProviderOptions {
        tags: Some("@rfc7636".into()),
        ..ProviderOptions::new(target, dir.path().join("report"))
    };
    match run(options).await {
        Ok(result) => {
            let preflight = result.report.preflight.expect("the preflight ran");
            assert_eq!(preflight.verdict, PreflightVerdict::Passed, "{preflight}");
            None
        }
        Err(error) => Some(format!("{error:#}")),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_that_fits_goes_through_login_consent_and_token() {
    let server = server().await;
    assert_eq!(
        stopped_by(&profile(&server, "gauntlet:secret+/=&%", "Approve")).await,
        None
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_approve_label_is_named_with_the_controls_the_page_offers() {
    let server = server().await;
    let error = stopped_by(&profile(&server, "gauntlet:secret+/=&%", "Allow"))
        .await
        .expect("the run stops");
    assert!(error.contains("preflight failed"), "{error}");
    assert!(error.contains("[login] approve"), "{error}");
    assert!(error.contains("button \"Approve\""), "{error}");
    assert!(error.contains("button \"Deny\""), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_is_blamed_on_the_profile_not_the_server() {
    let server = server().await;
    let error = stopped_by(&profile(&server, "not-the-secret", "Approve"))
        .await
        .expect("the run stops");
    assert!(error.contains("invalid_client"), "{error}");
    assert!(error.contains("[client] client_secret"), "{error}");
    assert!(error.contains("client_secret_basic"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_quotes_the_login_page() {
    let server = server().await;
    let text = profile(&server, "gauntlet:secret+/=&%", "Approve").replace("wonderland", "nope");
    let error = stopped_by(&text).await.expect("the run stops");
    assert!(error.contains("[login] fields"), "{error}");
}
