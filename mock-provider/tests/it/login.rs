//! Interactive login and consent (auto-approval off): real forms, a cookie session, CSRF tokens,
//! and 303 after each POST (RFC 9700 §4.12).

use mock_provider::Finding;
use mock_provider::ProviderConfig;
use reqwest::redirect::Policy;

use crate::support::*;

/// A browser: cookies kept, redirects not followed.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// The value of a hidden input in a form.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn interactive() -> mock_provider::MockProvider {
    let config = ProviderConfig {
        auto_approve: false,
        ..ProviderConfig::default()
    };
    start_with(config).await.0
}

/// Follows authorize to the login page; returns its URL and HTML.
async fn login_page(
    provider: &mock_provider::MockProvider,
    browser: &reqwest::Client,
) -> (String, String) {
    let response = authorize(provider, browser, &authorize_params("st")).await;
    assert_eq!(response.status(), 302);
    let login = location(&response);
    assert_eq!(login.path(), "/login");
    let page = browser.get(login.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    (login.to_string(), page.text().await.unwrap())
}

async fn post_login(
    provider: &mock_provider::MockProvider,
    browser: &reqwest::Client,
    html: &str,
    password: &str,
) -> reqwest::Response {
    let form = [
        ("interaction", hidden(html, "interaction")),
        ("csrf", hidden(html, "csrf")),
        ("username", "alice".to_owned()),
        ("password", password.to_owned()),
    ];
    browser
        .post(provider.url("/login"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn consent(
    provider: &mock_provider::MockProvider,
    browser: &reqwest::Client,
    decision: &str,
) -> reqwest::Response {
    let (_, html) = login_page(provider, browser).await;
    let logged_in = post_login(provider, browser, &html, "wonderland").await;
    assert_eq!(logged_in.status(), 303, "login POST must answer 303");
    let consent_url = location(&logged_in);
    let page = browser
        .get(consent_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Approve") && page.contains("Deny"), "{page}");
    assert!(page.contains("<li>read</li>"), "{page}");
    let form = [
        ("interaction", hidden(&page, "interaction")),
        ("csrf", hidden(&page, "csrf")),
        ("decision", decision.to_owned()),
    ];
    browser
        .post(provider.url("/consent"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn login_then_approve_redirects_with_a_code_by_303() {
    let provider = interactive().await;
    let browser = browser();
    let approved = consent(&provider, &browser, "approve").await;
    assert_eq!(approved.status(), 303);
    let location = location(&approved);
    assert!(location.as_str().starts_with(REDIRECT));
    assert_eq!(query_param(&location, "state").as_deref(), Some("st"));
    let code = query_param(&location, "code").expect("a code");
    assert_eq!(redeem(&provider, &http(), &code).await.status(), 200);
}

#[tokio::test]
async fn deny_redirects_with_access_denied() {
    let provider = interactive().await;
    let denied = consent(&provider, &browser(), "deny").await;
    assert_eq!(denied.status(), 303);
    let location = location(&denied);
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("st"));
}

#[tokio::test]
async fn wrong_password_shows_the_form_again() {
    let provider = interactive().await;
    let browser = browser();
    let (_, html) = login_page(&provider, &browser).await;
    let response = post_login(&provider, &browser, &html, "guess").await;
    assert_eq!(response.status(), 401);
    assert!(response.headers().get("location").is_none());
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Wrong username or password")
    );
}

#[tokio::test]
async fn a_forged_csrf_token_is_refused() {
    let provider = interactive().await;
    let browser = browser();
    let (_, html) = login_page(&provider, &browser).await;
    let forged = html.replace(&hidden(&html, "csrf"), "forged");
    let response = post_login(&provider, &browser, &forged, "wonderland").await;
    assert_eq!(response.status(), 400);
    assert!(
        provider
            .journal()
            .iter()
            .any(|e| e.has_finding(Finding::LoginCsrfMismatch))
    );
}

#[tokio::test]
async fn a_logged_in_browser_goes_straight_to_consent() {
    let provider = interactive().await;
    let browser = browser();
    let _ = consent(&provider, &browser, "approve").await;
    let again = authorize(&provider, &browser, &authorize_params("st2")).await;
    assert_eq!(location(&again).path(), "/consent");
}

#[tokio::test]
async fn an_unknown_interaction_is_an_error_page() {
    let provider = interactive().await;
    let response = http()
        .get(provider.url("/login?interaction=nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
