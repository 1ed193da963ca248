//! Outside-server profiles, against a mock described as if it were a server elsewhere. The
//! preflight: a profile that does not fit the server stops the run before any scenario, with a
//! diagnosis naming the profile key, instead of failing scenarios that then blame the server.
//! And the keys that say what a real server is: which scenarios then apply, and how.

use gauntlet::provider::profile::ProviderTarget;
use gauntlet::provider::{ProviderOptions, run};
use gauntlet::report::{PreflightVerdict, Status};
use mock_provider::{MockProvider, ProviderConfig};

/// A mock that shows its login and consent pages.
async fn server() -> MockProvider {
    server_with(false).await
}

/// A mock that shows its pages, or approves at once (`auto_approve`).
async fn server_with(auto_approve: bool) -> MockProvider {
    MockProvider::builder()
        .config(ProviderConfig {
            auto_approve,
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

/// A server that approves at once, whose codes never expire, without a client registry: the
/// page scenarios and the unknown-client scenarios do not apply (each with its reason), and
/// the expiry scenario fails at once, RFC 6749 §4.1.2 named.
#[tokio::test(flavor = "multi_thread")]
async fn profile_keys_say_which_scenarios_apply_and_how() {
    let server = server_with(true).await;
    let text = profile(&server, "gauntlet:secret+/=&%", "Approve").replace(
        "[server]\n",
        "[server]\ncode_lifetime_secs = \"none\"\nclient_registry = false\n\
         refresh_request = { scope = \"write\", params = { prompt = \"consent\" } }\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys.toml");
    std::fs::write(&file, text).unwrap();
    let options = ProviderOptions {
        gate: gauntlet::suite::Gate::None,
        ..ProviderOptions::new(
            ProviderTarget::from_file(&file).unwrap(),
            dir.path().join("report"),
        )
    };
    let report = run(options).await.expect("the run happens").report;
    let scenario = |name: &str| {
        report
            .scenarios
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no scenario {name:?}"))
    };
    for name in [
        "The login and consent pages send a Referrer-Policy",
        "An unknown client is refused without a redirect",
        "An unknown client is refused",
    ] {
        assert_eq!(scenario(name).status, Status::Skipped, "{name}");
    }
    let no_pages = scenario("The login and consent pages may not be framed");
    assert!(
        no_pages
            .explanation
            .as_deref()
            .is_some_and(|e| e.contains("no login or consent page")),
        "{no_pages:?}"
    );
    // The flows whose tokens a scenario uses ask for what earns a refresh token.
    let refresh = scenario("A refresh token gets a new access token");
    assert_eq!(refresh.status, Status::Passed);
    let asked = &refresh.exchanges[0].url;
    assert!(
        asked.contains("scope=read+write") && asked.contains("prompt=consent"),
        "{asked}"
    );
    let expiry = scenario("An expired code is refused");
    assert_eq!(expiry.status, Status::Failed);
    let why = expiry.explanation.as_deref().unwrap_or_default();
    assert!(
        why.contains("never expire") && why.contains("§4.1.2"),
        "{why}"
    );
}

#[test]
fn a_code_lifetime_is_seconds_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "name = \"x\"\n[server]\nissuer = \"http://127.0.0.1:1\"\ncode_lifetime_secs = \"forever\"\n\
         [client]\nclient_id = \"c\"\nclient_secret = \"s\"\nredirect_uri = \"https://c.test/cb\"\n",
    )
    .unwrap();
    let error = format!("{:#}", ProviderTarget::from_file(&file).unwrap_err());
    assert!(
        error.contains("\"none\"") && error.contains("forever"),
        "{error}"
    );
}
