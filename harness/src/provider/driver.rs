//! A browser that gets through an authorization server's real login and consent pages: it
//! keeps cookies, reads the HTML forms it is shown, carries their hidden fields (CSRF tokens)
//! over, fills the fields the profile names, presses the approve or deny button, and follows
//! redirects until the server sends it to the client's redirect URI — where it stops and reads
//! the response parameters from the Location header, so nothing needs to listen there.

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::profile::LoginProfile;
use crate::report::page::visible_text;
use crate::suite::browser::{Browser, Reply};
use crate::suite::concealed::is_csrf_token;

/// Which consent button to press.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// Grant.
    Approve,
    /// Refuse.
    Deny,
}

/// Where a journey through the server ended.
#[derive(Debug, Clone)]
pub enum Arrival {
    /// The server redirected the browser off its own origins (normally to the redirect URI);
    /// the parameters come from the query and the fragment.
    Redirected {
        /// The Location, absolute.
        location: String,
        /// Query and fragment parameters, decoded.
        params: Vec<(String, String)>,
    },
    /// The server showed a page the browser has nothing to do on (an error page, usually).
    Page {
        /// Its status.
        status: u16,
        /// Its URL.
        url: String,
        /// Its visible text, shortened.
        text: String,
    },
}

impl Arrival {
    /// A decoded response parameter, for a redirect.
    pub fn param(&self, name: &str) -> Option<&str> {
        match self {
            Self::Redirected { params, .. } => params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str()),
            Self::Page { .. } => None,
        }
    }

    /// How many times a parameter appears, for a redirect.
    pub fn count(&self, name: &str) -> usize {
        match self {
            Self::Redirected { params, .. } => params.iter().filter(|(n, _)| n == name).count(),
            Self::Page { .. } => 0,
        }
    }

    /// One line for explanations.
    pub fn describe(&self) -> String {
        match self {
            Self::Redirected { location, .. } => {
                format!(
                    "the browser was redirected to {}",
                    crate::suite::browser::short(&oauth_vocab::redact::redact_uri(location))
                )
            }
            Self::Page { status, url, text } => format!(
                "the server answered {status} at {} with a page saying {:?}",
                crate::suite::browser::short(url),
                crate::suite::browser::short(text)
            ),
        }
    }
}

/// One step of a journey, for the browser-security rules.
#[derive(Debug, Clone)]
pub struct Hop {
    /// The request method.
    pub method: String,
    /// Whether the request carried a password field.
    pub sent_credentials: bool,
    /// The answer.
    pub reply: Reply,
    /// Whether the answer was an HTML page with a form.
    pub form_page: bool,
}

/// A journey: every hop, and where it ended.
#[derive(Debug, Clone)]
pub struct Journey {
    /// The hops in order.
    pub hops: Vec<Hop>,
    /// The end.
    pub arrival: Arrival,
}

/// Most hops a journey may take before it is called a loop.
const MAX_HOPS: usize = 20;
/// Most times the login form is filled in before the credentials are called wrong.
const MAX_LOGINS: usize = 2;

/// Drives one browser through the server's pages.
#[derive(Debug, Clone)]
pub struct Driver {
    browser: Browser,
    login: LoginProfile,
    origins: Vec<String>,
}

impl Driver {
    /// A driver whose browser may roam the origins of `server_urls` and the profile's extra
    /// origins; any redirect elsewhere ends the journey.
    pub fn new(browser: Browser, login: LoginProfile, server_urls: &[&str]) -> Self {
        let mut origins: Vec<String> = server_urls
            .iter()
            .chain(
                login
                    .origins
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .iter(),
            )
            .filter_map(|u| Url::parse(u).ok())
            .map(|u| u.origin().ascii_serialization())
            .collect();
        origins.dedup();
        Self {
            browser,
            login,
            origins,
        }
    }

    /// Opens `url` (an authorization request) and goes through login and consent, pressing
    /// `press`, until the server redirects off its origins or shows a page without a usable
    /// form.
    pub async fn authorize(&self, url: &str, press: Press) -> Result<Journey, String> {
        let mut hops = Vec::new();
        let mut logins = 0;
        let mut next = Request::get(url);
        for _ in 0..MAX_HOPS {
            let Request {
                method,
                url: target,
                body,
                referer,
                credentials: sent_credentials,
            } = next;
            let headers: Vec<(&str, &str)> =
                referer.iter().map(|r| ("referer", r.as_str())).collect();
            let reply = self
                .browser
                .send_with(
                    &method,
                    &target,
                    body.map(|b| ("application/x-www-form-urlencoded", b)),
                    &headers,
                )
                .await?;
            let mut hop = Hop {
                method: method.clone(),
                sent_credentials,
                reply: reply.clone(),
                form_page: false,
            };
            if (300..400).contains(&reply.status) {
                let Some(location) = reply.location.clone() else {
                    hops.push(hop);
                    return Err(format!(
                        "the server answered {} at {} without a Location",
                        reply.status,
                        crate::suite::browser::short(&target)
                    ));
                };
                hops.push(hop);
                if !self.on_server(&location) {
                    let params = response_params(&location);
                    return Ok(Journey {
                        hops,
                        arrival: Arrival::Redirected { location, params },
                    });
                }
                next = Request::get(&location);
                continue;
            }
            let page = Html::parse_document(&reply.body);
            let forms = forms(&page);
            hop.form_page = !forms.is_empty();
            hops.push(hop);
            let Some((form, button, is_login)) = self.choose(&forms, press) else {
                // A consent control may be a link (e.g. a "Cancel" that aborts the interaction).
                if let Some(href) = self.link(&page, press, &target) {
                    next = Request {
                        referer: Some(target.clone()),
                        ..Request::get(&href)
                    };
                    continue;
                }
                return Ok(Journey {
                    hops,
                    arrival: Arrival::Page {
                        status: reply.status,
                        url: target,
                        text: visible_text(&page),
                    },
                });
            };
            if is_login {
                logins += 1;
                if logins > MAX_LOGINS {
                    return Err(format!(
                        "the server showed its login form again after {MAX_LOGINS} attempts: \
                         check [login] fields in the provider profile ({})",
                        crate::suite::browser::short(&visible_text(&page))
                    ));
                }
            }
            next = self.submit(form, button, &target)?;
        }
        Err(format!(
            "more than {MAX_HOPS} hops through the server's pages: a redirect loop?"
        ))
    }

    /// The absolute URL of the link labelled for `press` on the page at `page_url`, if any.
    fn link(&self, page: &Html, press: Press, page_url: &str) -> Option<String> {
        let label = match press {
            Press::Approve => Some(self.login.approve.as_str()),
            Press::Deny => self.login.deny.as_deref(),
        }?;
        let anchor = selector("a[href]");
        let href = page.select(&anchor).find_map(|a| {
            let text = a.text().collect::<Vec<_>>().join(" ");
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            text.eq_ignore_ascii_case(label.trim())
                .then(|| a.value().attr("href").unwrap_or_default().to_owned())
        })?;
        Url::parse(page_url)
            .ok()?
            .join(&href)
            .ok()
            .map(String::from)
    }

    /// Whether `url` is on one of the server's origins (parsed, never a prefix; a URL with
    /// userinfo never is: [`crate::suite::origin`]).
    fn on_server(&self, url: &str) -> bool {
        self.origins
            .iter()
            .any(|origin| crate::suite::origin::same(url, origin))
    }

    /// The form to submit and the button to press: a login form (it has a password field, or
    /// fields the profile fills), else the form holding the button for `press`.
    fn choose<'f>(
        &self,
        forms: &'f [Form],
        press: Press,
    ) -> Option<(&'f Form, Option<&'f Field>, bool)> {
        if let Some(form) = forms
            .iter()
            .find(|f| f.fields.iter().any(|x| x.kind == "password"))
            .or_else(|| {
                forms.iter().find(|f| {
                    f.fields
                        .iter()
                        .any(|x| x.is_fillable() && self.login.fields.contains_key(&x.name))
                })
            })
        {
            return Some((form, form.buttons.first(), true));
        }
        let label = match press {
            Press::Approve => Some(self.login.approve.as_str()),
            Press::Deny => self.login.deny.as_deref(),
        }?;
        forms.iter().find_map(|form| {
            form.buttons
                .iter()
                .find(|b| b.matches(label))
                .map(|b| (form, Some(b), false))
        })
    }

    /// The request that submits `form` with `button` pressed, as a browser would build it.
    fn submit(
        &self,
        form: &Form,
        button: Option<&Field>,
        page_url: &str,
    ) -> Result<Request, String> {
        let mut pairs = url::form_urlencoded::Serializer::new(String::new());
        for field in &form.fields {
            if !field.is_fillable()
                || (matches!(field.kind.as_str(), "checkbox" | "radio") && !field.checked)
            {
                continue;
            }
            let value = self.login.fields.get(&field.name).unwrap_or(&field.value);
            if field.kind == "hidden" && is_csrf_token(&field.name) {
                self.browser.evidence().conceal(value);
            }
            pairs.append_pair(&field.name, value);
        }
        if let Some(button) = button.filter(|b| !b.name.is_empty()) {
            pairs.append_pair(&button.name, &button.value);
        }
        let encoded = pairs.finish();
        let base = Url::parse(page_url).map_err(|e| format!("bad page URL {page_url}: {e}"))?;
        let mut action = base
            .join(&form.action)
            .map_err(|e| format!("the form action {:?} is not a URL: {e}", form.action))?;
        action.set_fragment(None);
        let credentials = form.fields.iter().any(|f| f.kind == "password");
        let referer = Some(page_url.to_owned());
        if form.method == "get" {
            action.set_query(Some(&encoded));
            Ok(Request {
                method: "GET".into(),
                url: action.to_string(),
                body: None,
                referer,
                credentials,
            })
        } else {
            Ok(Request {
                method: "POST".into(),
                url: action.to_string(),
                body: Some(encoded),
                referer,
                credentials,
            })
        }
    }
}

/// Whether a hidden field carries an anti-CSRF token (Django's `csrfmiddlewaretoken`, Rails'
/// `authenticity_token`, `_csrf`, `xsrf`…), a secret the evidence masks.
/// The browser's next request.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    url: String,
    body: Option<String>,
    referer: Option<String>,
    /// It submits a form with a password field.
    credentials: bool,
}

impl Request {
    fn get(url: &str) -> Self {
        Self {
            method: "GET".into(),
            url: url.to_owned(),
            body: None,
            referer: None,
            credentials: false,
        }
    }
}

/// A form on a page.
#[derive(Debug, Clone)]
struct Form {
    method: String,
    action: String,
    fields: Vec<Field>,
    buttons: Vec<Field>,
}

/// An input, select, textarea or button.
#[derive(Debug, Clone)]
struct Field {
    kind: String,
    name: String,
    value: String,
    text: String,
    checked: bool,
}

impl Field {
    fn is_fillable(&self) -> bool {
        !self.name.is_empty()
            && !matches!(
                self.kind.as_str(),
                "submit" | "button" | "image" | "reset" | "file"
            )
    }

    /// Whether the button is the one labelled `label` (by text, value or name, ignoring case).
    fn matches(&self, label: &str) -> bool {
        let label = label.trim();
        [&self.text, &self.value, &self.name]
            .iter()
            .any(|s| s.trim().eq_ignore_ascii_case(label))
    }
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("a valid built-in selector")
}

fn forms(page: &Html) -> Vec<Form> {
    let form_selector = selector("form");
    let control = selector("input, select, textarea, button");
    let option = selector("option");
    page.select(&form_selector)
        .map(|form| {
            let attr = |e: &ElementRef<'_>, name: &str| {
                e.value().attr(name).unwrap_or_default().to_owned()
            };
            let mut fields = Vec::new();
            let mut buttons = Vec::new();
            for element in form.select(&control) {
                if element.value().attr("disabled").is_some() {
                    continue;
                }
                let tag = element.value().name();
                let kind = match tag {
                    "input" => attr(&element, "type").to_ascii_lowercase(),
                    "button" => match attr(&element, "type").to_ascii_lowercase().as_str() {
                        "" | "submit" => "submit".to_owned(),
                        other => other.to_owned(),
                    },
                    other => other.to_owned(),
                };
                let kind = if kind.is_empty() {
                    "text".to_owned()
                } else {
                    kind
                };
                let value = match tag {
                    "textarea" => element.text().collect(),
                    "select" => {
                        let options: Vec<ElementRef<'_>> = element.select(&option).collect();
                        options
                            .iter()
                            .find(|o| o.value().attr("selected").is_some())
                            .or(options.first())
                            .map(|o| {
                                o.value()
                                    .attr("value")
                                    .map_or_else(|| o.text().collect(), str::to_owned)
                            })
                            .unwrap_or_default()
                    }
                    _ => attr(&element, "value"),
                };
                let field = Field {
                    checked: element.value().attr("checked").is_some(),
                    name: attr(&element, "name"),
                    text: element.text().collect::<String>(),
                    kind,
                    value,
                };
                if matches!(field.kind.as_str(), "submit" | "image") {
                    buttons.push(field);
                } else {
                    fields.push(field);
                }
            }
            Form {
                method: attr(&form, "method").to_ascii_lowercase(),
                action: attr(&form, "action"),
                fields,
                buttons,
            }
        })
        .collect()
}

/// What a person could press on a page: its forms' buttons and its links, by label, e.g.
/// `button "Authorize"`, `link "Cancel"`.
pub fn controls(html: &str) -> Vec<String> {
    let page = Html::parse_document(html);
    let label = |field: &Field| {
        [&field.text, &field.value, &field.name]
            .into_iter()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .find(|s| !s.is_empty())
            .unwrap_or_default()
    };
    let buttons = forms(&page)
        .into_iter()
        .flat_map(|form| form.buttons)
        .map(|button| format!("button {:?}", label(&button)));
    let anchor = selector("a[href]");
    let links = page
        .select(&anchor)
        .map(|a| a.text().collect::<Vec<_>>().join(" "))
        .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|text| !text.is_empty())
        .map(|text| format!("link {text:?}"));
    buttons.chain(links).take(20).collect()
}

/// Query and fragment parameters of a URL, decoded.
pub fn response_params(location: &str) -> Vec<(String, String)> {
    let Ok(url) = Url::parse(location) else {
        return Vec::new();
    };
    let mut params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    if let Some(fragment) = url.fragment() {
        params.extend(url::form_urlencoded::parse(fragment.as_bytes()).into_owned());
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    const DJANGO_LOGIN: &str = r#"<html><head><title>Log in</title><script>var x = 1;</script></head><body>
      <form method="post" action="/accounts/login/?next=/o/authorize/%3Fclient_id%3Dc">
        <input type="hidden" name="csrfmiddlewaretoken" value="tok123">
        <p><label>Username:</label> <input type="text" name="username" autofocus required></p>
        <p><label>Password:</label> <input type="password" name="password" required></p>
        <input type="submit" value="Log in">
        <input type="hidden" name="next" value="/o/authorize/?client_id=c">
      </form></body></html>"#;

    const DOT_CONSENT: &str = r#"<form id="authorizationForm" method="post">
        <input type="hidden" name="csrfmiddlewaretoken" value="t2">
        <input type="hidden" name="redirect_uri" value="https://c.test/cb">
        <input type="hidden" name="scope" value="read">
        <input type="checkbox" name="remember" value="1">
        <select name="team"><option value="a">A</option><option value="b" selected>B</option></select>
        <input type="submit" class="btn" value="Cancel"/>
        <input type="submit" class="btn btn-primary" name="allow" value="Authorize"/>
      </form>"#;

    fn driver() -> Driver {
        let evidence = crate::suite::browser::Evidence::new(false);
        let browser = Browser::new(
            evidence,
            "https://c.test",
            std::time::Duration::from_secs(1),
            &crate::suite::tls::Trust::default(),
        );
        let mut login = LoginProfile::default();
        login.fields.insert("username".into(), "alice".into());
        login.fields.insert("password".into(), "wonderland".into());
        login.approve = "Authorize".into();
        login.deny = Some("Cancel".into());
        Driver::new(browser, login, &["http://127.0.0.1:9/o/authorize/"])
    }

    fn decoded(body: &str) -> Vec<(String, String)> {
        url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect()
    }

    #[test]
    fn a_django_login_form_is_filled_and_its_csrf_token_carried_over() {
        let d = driver();
        let forms = forms(&Html::parse_document(DJANGO_LOGIN));
        let (form, button, is_login) = d.choose(&forms, Press::Approve).unwrap();
        assert!(is_login);
        let request = d
            .submit(form, button, "http://127.0.0.1:9/accounts/login/?next=x")
            .unwrap();
        assert_eq!(request.method, "POST");
        assert!(request.credentials);
        assert_eq!(
            request.url,
            "http://127.0.0.1:9/accounts/login/?next=/o/authorize/%3Fclient_id%3Dc"
        );
        assert_eq!(
            request.referer.as_deref(),
            Some("http://127.0.0.1:9/accounts/login/?next=x")
        );
        let body = decoded(&request.body.unwrap());
        assert!(body.contains(&("csrfmiddlewaretoken".into(), "tok123".into())));
        assert!(body.contains(&("username".into(), "alice".into())));
        assert!(body.contains(&("password".into(), "wonderland".into())));
        assert!(body.contains(&("next".into(), "/o/authorize/?client_id=c".into())));
        assert!(
            !body.iter().any(|(_, v)| v == "Log in"),
            "an unnamed button sends nothing"
        );
        // The CSRF token is sent as it is, and masked in the evidence.
        let shown = d.browser.evidence().shown("csrfmiddlewaretoken=tok123");
        assert!(!shown.contains("tok123"), "{shown}");
    }

    #[test]
    fn the_pressed_consent_button_alone_is_sent_with_the_hidden_fields() {
        let d = driver();
        let forms = forms(&Html::parse_document(DOT_CONSENT));
        let (form, button, is_login) = d.choose(&forms, Press::Approve).unwrap();
        assert!(!is_login);
        let request = d
            .submit(form, button, "http://127.0.0.1:9/o/authorize/?a=b")
            .unwrap();
        assert_eq!(
            request.url, "http://127.0.0.1:9/o/authorize/?a=b",
            "no action: the page's own URL"
        );
        assert!(!request.credentials);
        let body = decoded(&request.body.unwrap());
        assert!(body.contains(&("allow".into(), "Authorize".into())));
        assert!(
            body.contains(&("team".into(), "b".into())),
            "the selected option"
        );
        assert!(
            !body.iter().any(|(n, _)| n == "remember"),
            "an unchecked box sends nothing"
        );

        let (form, button, _) = d.choose(&forms, Press::Deny).unwrap();
        let request = d
            .submit(form, button, "http://127.0.0.1:9/o/authorize/")
            .unwrap();
        let body = decoded(&request.body.unwrap());
        assert!(
            !body.iter().any(|(n, _)| n == "allow"),
            "Cancel has no name, so no allow"
        );
        assert!(body.contains(&("redirect_uri".into(), "https://c.test/cb".into())));
    }

    #[test]
    fn a_page_without_a_matching_form_is_where_the_journey_ends() {
        let d = driver();
        let page = Html::parse_document(
            "<h1>Error</h1><p>Mismatching redirect URI.</p><form><button>Search</button></form>",
        );
        assert!(d.choose(&forms(&page), Press::Approve).is_none());
        assert_eq!(
            visible_text(&page),
            "Error Mismatching redirect URI. Search"
        );
    }

    #[test]
    fn a_deny_that_is_a_link_is_followed_and_the_controls_are_listed() {
        // oidc-provider's consent page: approve is a button, "Cancel" a link that aborts.
        let html = r#"<form method="post" action="/interaction/x/confirm">
            <button type="submit" autofocus>Continue</button></form>
            <a href="/interaction/x/abort">[ Cancel ]</a> <a href="/help">Help</a>"#;
        let d = driver();
        let page = Html::parse_document(html);
        assert!(d.choose(&forms(&page), Press::Deny).is_none());
        assert_eq!(
            d.link(&page, Press::Deny, "http://127.0.0.1:9/interaction/x"),
            None
        );
        let mut bracketed = driver();
        bracketed.login.deny = Some("[ Cancel ]".into());
        assert_eq!(
            bracketed
                .link(&page, Press::Deny, "http://127.0.0.1:9/interaction/x")
                .as_deref(),
            Some("http://127.0.0.1:9/interaction/x/abort")
        );
        assert_eq!(
            controls(html),
            [
                "button \"Continue\"",
                "link \"[ Cancel ]\"",
                "link \"Help\""
            ]
        );
    }

    #[test]
    fn response_parameters_come_from_query_and_fragment() {
        let params = response_params("https://c.test/cb?code=a%2Bb&state=s#iss=x");
        assert_eq!(
            params,
            vec![
                ("code".to_owned(), "a+b".to_owned()),
                ("state".to_owned(), "s".to_owned()),
                ("iss".to_owned(), "x".to_owned())
            ]
        );
        assert!(driver().on_server("http://127.0.0.1:9/accounts/login/"));
        assert!(!driver().on_server("https://c.test/cb"));
    }

    #[test]
    fn urls_that_only_start_like_the_server_are_off_it() {
        let driver = driver();
        for trick in [
            "http://127.0.0.1:9@example.com/o/authorize/",
            "http://127.0.0.1:9.evil.test/o/authorize/",
            "http://127.0.0.1:90/o/authorize/",
            "https://127.0.0.1:9/o/authorize/",
            "http://user:pass@127.0.0.1:9/o/authorize/",
        ] {
            assert!(!driver.on_server(trick), "{trick}");
        }
    }
}
