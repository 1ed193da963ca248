//! Every error in its RFC shape: a wrong method gets 405 with `Allow` and the endpoint's own
//! error (JSON at the token-style endpoints and the control API, an HTML page at the
//! browser-facing ones), the login and consent pages answer every error with a page, and the
//! login form is accepted only from the browser that loaded it.

use mock_provider::{Finding, MockProvider, ProviderConfig};
use reqwest::Method;
use reqwest::redirect::Policy;

use crate::support::*;

async fn interactive() -> (MockProvider, reqwest::Client) {
    start_with(ProviderConfig {
        auto_approve: false,
        ..ProviderConfig::default()
    })
    .await
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .expect("client builds")
}

/// Asserts an HTML error page with this status.
async fn assert_page(response: reqwest::Response, status: u16, says: &str) {
    assert_eq!(response.status(), status, "{}", response.url());
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let body = response.text().await.expect("a body");
    assert!(body.contains("id=\"error\""), "{body}");
    assert!(body.contains(says), "{says:?} not in {body}");
}

/// Asserts a JSON `{error, error_description}` with this status.
async fn assert_json(response: reqwest::Response, status: u16, error: &str, says: &str) {
    assert_eq!(response.status(), status, "{}", response.url());
    let body = json(response).await;
    assert_eq!(body["error"], error, "{body}");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(description.contains(says), "{says:?} not in {body}");
}

#[tokio::test]
async fn a_wrong_method_gets_the_endpoints_own_error_shape_and_allow() {
    // Arrange
    let (provider, http) = interactive().await;
    let json_endpoints = [
        (Method::GET, provider.token_endpoint(), "POST"),
        (Method::PUT, provider.revocation_endpoint(), "POST"),
        (Method::GET, provider.introspection_endpoint(), "POST"),
        (Method::GET, provider.registration_endpoint(), "POST"),
        (Method::DELETE, provider.userinfo_endpoint(), "GET, POST"),
        (
            Method::POST,
            provider.url("/.well-known/oauth-authorization-server"),
            "GET",
        ),
    ];
    let pages = [
        (Method::POST, provider.authorization_endpoint(), "GET"),
        (Method::PUT, provider.login_url(), "GET, POST"),
        (Method::DELETE, provider.consent_url(), "GET, POST"),
    ];
    for (method, url, allow) in json_endpoints {
        // Act
        let response = http.request(method.clone(), &url).send().await.unwrap();
        // Assert
        assert_eq!(response.headers()["allow"], allow, "{method} {url}");
        let says = format!("method {method} is not allowed here");
        assert_json(response, 405, "invalid_request", &says).await;
    }
    for (method, url, allow) in pages {
        let response = http.request(method.clone(), &url).send().await.unwrap();
        assert_eq!(response.headers()["allow"], allow, "{method} {url}");
        assert_page(
            response,
            405,
            &format!("method {method} is not allowed here"),
        )
        .await;
    }
}

#[tokio::test]
async fn the_control_api_answers_a_wrong_method_and_an_unknown_path_in_json() {
    // Arrange
    let (provider, http) = start().await;
    // Act
    let patch = http
        .patch(admin_url(&provider, "/journal"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    let unknown = http
        .get(admin_url(&provider, "/nothing"))
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(patch.headers()["allow"], "GET, DELETE");
    assert_json(patch, 405, "invalid_request", "method PATCH is not allowed").await;
    assert_json(unknown, 404, "not_found", "/_admin/nothing").await;
}

#[tokio::test]
async fn login_and_consent_errors_are_html_pages() {
    // Arrange
    let (provider, http) = interactive().await;
    // Act / Assert: no interaction, a body that is not a form.
    let no_query = http.get(provider.login_url()).send().await.unwrap();
    assert_page(no_query, 400, "needs the ?interaction=").await;
    let consent_no_query = http.get(provider.consent_url()).send().await.unwrap();
    assert_page(consent_no_query, 400, "needs the ?interaction=").await;
    for url in [provider.login_url(), provider.consent_url()] {
        let not_a_form = http
            .post(&url)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_page(not_a_form, 400, "Content-Type must be").await;
    }
}

/// Opens the login page in `browser`; returns the interaction id and the CSRF token.
async fn open_login(provider: &MockProvider, browser: &reqwest::Client) -> (String, String) {
    let login = location(&authorize(provider, browser, &authorize_params("st")).await);
    let page = browser.get(login.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let csrf = html[html.find(marker).unwrap() + marker.len()..]
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    (query_param(&login, "interaction").unwrap(), csrf)
}

async fn post_login(
    provider: &MockProvider,
    client: &reqwest::Client,
    interaction: &str,
    csrf: &str,
) -> reqwest::Response {
    let password = ProviderConfig::default().users[0].password.clone();
    let username = ProviderConfig::default().users[0].username.clone();
    client
        .post(provider.login_url())
        .form(&[
            ("interaction", interaction),
            ("csrf", csrf),
            ("username", &username),
            ("password", &password),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_cookieless_client_with_the_interaction_and_csrf_token_cannot_log_in() {
    // Arrange
    let (provider, cookieless) = interactive().await;
    let browser = browser();
    let (interaction, csrf) = open_login(&provider, &browser).await;
    // Act
    let stolen = post_login(&provider, &cookieless, &interaction, &csrf).await;
    let other_browser = post_login(&provider, &self::browser(), &interaction, &csrf).await;
    let own = post_login(&provider, &browser, &interaction, &csrf).await;
    // Assert
    assert_page(stolen, 400, "not sent by the browser that loaded it").await;
    assert_page(other_browser, 400, "not sent by the browser that loaded it").await;
    assert_eq!(
        own.status(),
        303,
        "the browser that loaded the page logs in"
    );
    provider.assert_finding(Finding::LoginCsrfMismatch);
}

#[tokio::test]
async fn another_browser_opening_a_started_login_gets_an_error_page() {
    // Arrange
    let (provider, _) = interactive().await;
    let (interaction, _) = open_login(&provider, &browser()).await;
    let url = format!("{}?interaction={interaction}", provider.login_url());
    // Act
    let response = browser().get(url).send().await.unwrap();
    // Assert
    assert_page(response, 400, "started in another browser").await;
}

#[tokio::test]
async fn a_consent_post_without_a_session_is_sent_to_login_with_303() {
    // Arrange
    let (provider, _) = interactive().await;
    let browser = browser();
    let (interaction, csrf) = open_login(&provider, &browser).await;
    // Act
    let response = browser
        .post(provider.consent_url())
        .form(&[
            ("interaction", interaction.as_str()),
            ("csrf", csrf.as_str()),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response).path(), "/login");
}
