//! Redaction by value: every secret the provider issued, holds or saw stays out of the journal
//! as written out (`/_admin/journal` and [`MockProvider::redacted_journal`]) whatever the content
//! type or header it arrived in, and shows again with `reveal`.

use mock_provider::{MockProvider, ProviderConfig};
use oauth_vocab::basic;
use reqwest::redirect::Policy;

use crate::support::*;

const PROXY_SECRET: &str = "proxy-secret-7731";
const API_KEY: &str = "api-key-secret-4412";

/// Every way the journal is written out: the control API's listing (revealed or not) and the
/// library's redacted journal.
async fn outputs(provider: &MockProvider, http: &reqwest::Client, reveal: bool) -> String {
    let path = if reveal {
        "/journal?reveal=true"
    } else {
        "/journal"
    };
    let listing = http
        .get(admin_url(provider, path))
        .send()
        .await
        .expect("the control API answers")
        .text()
        .await
        .expect("a body");
    let library = if reveal {
        serde_json::to_string(&provider.journal())
    } else {
        serde_json::to_string(&provider.redacted_journal())
    };
    format!("{listing}\n{}", library.expect("the journal serializes"))
}

fn assert_hidden(text: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{secret:?} in clear in {text}"
        );
    }
}

fn assert_shown(text: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            text.contains(secret.as_str()),
            "{secret:?} missing from {text}"
        );
    }
}

/// A token request body as `grant_type=…&code=…&code_verifier=…&client_secret=…`.
fn form_body(code: &str) -> String {
    format!(
        "grant_type=authorization_code&code={code}&code_verifier={VERIFIER}&client_id={CLIENT_ID}&client_secret={}",
        oauth_vocab::form_encode(SECRET)
    )
}

#[tokio::test]
async fn token_requests_in_any_content_type_and_secret_headers_are_redacted_by_value() {
    // Arrange
    let (provider, http) = start().await;
    let token_url = provider.token_endpoint();
    let mut codes = Vec::new();
    // Act: text/plain, no Content-Type, multipart and broken JSON token requests.
    for shape in ["text/plain", "none", "multipart", "json"] {
        let code = code(&provider, &http).await;
        let request = http.post(&token_url);
        let request = match shape {
            "text/plain" => request
                .header("content-type", "text/plain")
                .body(form_body(&code)),
            "none" => request.body(form_body(&code)),
            "multipart" => {
                let boundary = "XyZb0undary";
                let part = |name: &str, value: &str| {
                    format!(
                        "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                    )
                };
                let body = [
                    part("grant_type", "authorization_code"),
                    part("code", &code),
                    part("code_verifier", VERIFIER),
                    part("client_secret", SECRET),
                    format!("--{boundary}--\r\n"),
                ]
                .concat();
                request
                    .header(
                        "content-type",
                        format!("multipart/form-data; boundary={boundary}"),
                    )
                    .body(body)
            }
            _ => request.header("content-type", "application/json").body(format!(
                r#"{{"grant_type": "authorization_code", "code": "{code}", "code_verifier": "{VERIFIER}", "client_secret": "{}""#,
                SECRET.replace('\\', "\\\\")
            )),
        };
        let response = request.send().await.expect("the token endpoint answers");
        assert_eq!(response.status(), 400, "{shape}");
        codes.push(code);
    }
    // Secret headers, and a known secret inside an ordinary header.
    let tokens = issued_tokens(&provider, &http).await;
    let access = tokens["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned();
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned();
    let response = http
        .get(provider.userinfo_endpoint())
        .header(
            "proxy-authorization",
            basic::encode("proxy-user", PROXY_SECRET),
        )
        .header("x-api-key", API_KEY)
        .header("x-trace", format!("trace for {access}"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("userinfo answers");
    assert_eq!(response.status(), 200);
    // Assert
    let mut secrets = codes.clone();
    secrets.extend([
        SECRET.to_owned(),
        oauth_vocab::form_encode(SECRET),
        VERIFIER.to_owned(),
        PROXY_SECRET.to_owned(),
        API_KEY.to_owned(),
        access.clone(),
        refresh,
    ]);
    assert_hidden(&outputs(&provider, &http, false).await, &secrets);
    let revealed = outputs(&provider, &http, true).await;
    let mut clear = codes;
    clear.extend([VERIFIER.to_owned(), API_KEY.to_owned(), access]);
    assert_shown(&revealed, &clear);
}

#[tokio::test]
async fn the_csrf_token_of_a_recorded_login_page_and_the_password_are_redacted() {
    // Arrange
    let config = ProviderConfig {
        auto_approve: false,
        ..ProviderConfig::default()
    };
    let password = config.users[0].password.clone();
    let (provider, http) = start_with(config).await;
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .expect("client builds");
    // Act
    let login = location(&authorize(&provider, &browser, &authorize_params("st")).await);
    let page = browser
        .get(login.clone())
        .send()
        .await
        .expect("the login page answers")
        .text()
        .await
        .expect("a page");
    let marker = "name=\"csrf\" value=\"";
    let csrf = page[page.find(marker).expect("a CSRF input") + marker.len()..]
        .split('"')
        .next()
        .expect("a CSRF value")
        .to_owned();
    let interaction = query_param(&login, "interaction").expect("an interaction");
    let response = browser
        .post(provider.login_url())
        .header("content-type", "text/plain")
        .body(format!(
            "interaction={interaction}&csrf={csrf}&username=alice&password={password}"
        ))
        .send()
        .await
        .expect("the login form answers");
    assert_eq!(response.status(), 400);
    // Assert
    let secrets = [csrf, password];
    assert_hidden(&outputs(&provider, &http, false).await, &secrets);
    assert_shown(&outputs(&provider, &http, true).await, &secrets);
}
