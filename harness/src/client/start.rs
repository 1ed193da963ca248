//! How a flow starts: the profile's `[start]` request, then the way to the provider. The flow
//! has started when the browser is about to follow a URL that is the provider's authorization
//! endpoint — a redirect from the platform, the login button of a chat answer that leads to the
//! platform first, or a button that is the authorization URL itself.

use url::Url;

use super::context::RunContext;
use super::profile::Button;
use super::world::User;
use crate::suite::browser::{Reply, short};
use crate::suite::origin;

/// Why a flow did not reach the provider's authorization endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// A request on the way got no answer (connection refused, a timeout, an unreadable body).
    Unanswered(String),
    /// The platform answered the start request, or a page on the way, with an error status.
    Status {
        /// The URL requested.
        url: String,
        /// The status.
        status: u16,
        /// The answer's visible text, shortened.
        text: String,
    },
    /// The answer carries no login button where `[start] button` says.
    NoButton {
        /// Where the profile says the button is.
        button: String,
        /// The answer's visible text, shortened.
        text: String,
    },
    /// An answer that neither redirects nor (with `[start] button`) carries a button.
    NoRedirect {
        /// The answer's status.
        status: u16,
        /// The answer's visible text, shortened.
        text: String,
    },
    /// The way led to a URL that is neither the platform nor the authorization endpoint.
    Elsewhere {
        /// Where the platform sent the browser.
        url: String,
        /// The authorization endpoint expected.
        endpoint: String,
    },
    /// The way led to a URL with userinfo (`http://platform@elsewhere/`), refused.
    Userinfo(String),
    /// More than `MAX_HOPS` redirects within the platform.
    TooManyRedirects,
    /// A button or a redirect that is no URL.
    BadUrl(String),
}

/// Redirects followed within the platform before giving up.
const MAX_HOPS: usize = 10;

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unanswered(why) => write!(f, "starting the flow: {why}"),
            Self::Status { url, status, text } => write!(
                f,
                "starting the flow: the platform answered {url} with status {status}: {text}"
            ),
            Self::NoButton { button, text } => write!(
                f,
                "the platform's answer carries no login button ({button}): {text}"
            ),
            Self::NoRedirect { status, text } => write!(
                f,
                "starting the flow did not redirect to the authorization endpoint (status \
                 {status}): {text}"
            ),
            Self::Elsewhere { url, endpoint } => write!(
                f,
                "the platform sent the browser to {url}, not to the authorization endpoint \
                 {endpoint}"
            ),
            Self::Userinfo(why) => write!(f, "the platform sent the browser on: {why}"),
            Self::TooManyRedirects => write!(
                f,
                "more than {MAX_HOPS} redirects before reaching the authorization endpoint"
            ),
            Self::BadUrl(why) => write!(f, "starting the flow: {why}"),
        }
    }
}

impl From<StartError> for String {
    fn from(error: StartError) -> Self {
        error.to_string()
    }
}

/// Sends the profile's start request as `user` and follows the way to the provider: returns the
/// authorization URL (not visited yet) and the platform's answer to the start request.
pub(crate) async fn authorization_url(
    ctx: &RunContext,
    user: &User,
) -> Result<(Url, Reply), StartError> {
    let answer = send_start(ctx, user).await?;
    let url = match &ctx.profile.start.button {
        None => {
            let endpoint = ctx.vars.fill("{authorization_endpoint}");
            follow(ctx, user, &endpoint, answer.clone()).await?
        }
        Some(button) => {
            let link = login_link(button, &answer)?;
            open_link(ctx, user, link).await?
        }
    };
    Ok((url, answer))
}

/// Sends the profile's start request as `user`; its answer.
pub(crate) async fn send_start(ctx: &RunContext, user: &User) -> Result<Reply, StartError> {
    let start = &ctx.profile.start;
    let vars = ctx.vars.with_session(&user.session);
    let body = start.body.as_ref().map(|b| {
        (
            start.content_type.as_deref().unwrap_or("text/plain"),
            vars.fill(b),
        )
    });
    user.browser
        .send(&start.method, &vars.fill(&start.url), body)
        .await
        .map_err(StartError::Unanswered)
}

/// The login link a start answer carries where `button` says.
pub(crate) fn login_link(button: &Button, answer: &Reply) -> Result<Url, StartError> {
    refuse_error_status(answer)?;
    let link = find_button(button, &answer.body).ok_or_else(|| StartError::NoButton {
        button: describe(button),
        text: visible(answer),
    })?;
    Url::parse(&answer.url)
        .and_then(|base| base.join(&link))
        .map_err(|e| StartError::BadUrl(format!("the login button {link:?} is no URL: {e}")))
}

/// `user`'s browser opens a login link and follows it to the authorization URL (not visited);
/// a link that is the authorization URL itself is that URL.
pub(crate) async fn open_link(ctx: &RunContext, user: &User, link: Url) -> Result<Url, StartError> {
    let endpoint = ctx.vars.fill("{authorization_endpoint}");
    if is_endpoint(&link, &endpoint) {
        return Ok(link);
    }
    on_platform(ctx, link.as_str(), &endpoint)?;
    let reply = user
        .browser
        .send("GET", link.as_str(), None)
        .await
        .map_err(StartError::Unanswered)?;
    follow(ctx, user, &endpoint, reply).await
}

/// Follows the platform's redirects until one points at the authorization endpoint.
async fn follow(
    ctx: &RunContext,
    user: &User,
    endpoint: &str,
    mut reply: Reply,
) -> Result<Url, StartError> {
    for _ in 0..MAX_HOPS {
        let Some(location) = reply
            .location
            .clone()
            .filter(|_| (300..400).contains(&reply.status))
        else {
            refuse_error_status(&reply)?;
            return Err(StartError::NoRedirect {
                status: reply.status,
                text: visible(&reply),
            });
        };
        let url = Url::parse(&location)
            .map_err(|e| StartError::BadUrl(format!("the redirect {location:?} is no URL: {e}")))?;
        if is_endpoint(&url, endpoint) {
            return Ok(url);
        }
        on_platform(ctx, &location, endpoint)?;
        reply = user
            .browser
            .send("GET", &location, None)
            .await
            .map_err(StartError::Unanswered)?;
    }
    Err(StartError::TooManyRedirects)
}

/// An answer with a status of 400 or more.
fn refuse_error_status(reply: &Reply) -> Result<(), StartError> {
    if reply.status >= 400 {
        return Err(StartError::Status {
            url: reply.url.clone(),
            status: reply.status,
            text: visible(reply),
        });
    }
    Ok(())
}

/// An answer's visible text, shortened, or `(an empty body)`.
fn visible(reply: &Reply) -> String {
    let text = match short(&reply.body) {
        text if text.is_empty() => "(an empty body)".into(),
        text => text,
    };
    format!("{text}{}", reply.cut_note())
}

/// Whether `url` is the authorization endpoint: the same scheme, host, port and path (its
/// query holds the request's parameters).
/// Whether `link` is the provider's authorization URL itself (no platform hop before it).
pub(crate) fn is_authorization_url(ctx: &RunContext, link: &Url) -> bool {
    is_endpoint(link, &ctx.vars.fill("{authorization_endpoint}"))
}

/// `Ok` when the browser may go to `url` on the way to `endpoint`: the platform's origin,
/// compared parsed ([`origin::check`]); a URL with userinfo is refused with the trick named.
fn on_platform(ctx: &RunContext, url: &str, endpoint: &str) -> Result<(), StartError> {
    match origin::check(url, &ctx.platform_base) {
        Ok(_) => Ok(()),
        Err(off @ origin::Off::Userinfo { .. }) => Err(StartError::Userinfo(off.explain(url))),
        Err(_) => Err(StartError::Elsewhere {
            url: url.to_owned(),
            endpoint: endpoint.to_owned(),
        }),
    }
}

fn is_endpoint(url: &Url, endpoint: &str) -> bool {
    let no_userinfo = url.username().is_empty() && url.password().is_none();
    no_userinfo
        && Url::parse(endpoint).is_ok_and(|e| {
            (
                e.scheme(),
                e.host_str(),
                e.port_or_known_default(),
                e.path(),
            ) == (
                url.scheme(),
                url.host_str(),
                url.port_or_known_default(),
                url.path(),
            )
        })
}

/// Where the profile says the button is, as its key reads.
fn describe(button: &Button) -> String {
    match button {
        Button::JsonPointer(pointer) => format!("[start] button json_pointer {pointer:?}"),
        Button::Regex(regex) => format!("[start] button regex {regex:?}"),
    }
}

/// The login URL an answer carries where `button` says.
fn find_button(button: &Button, body: &str) -> Option<String> {
    match button {
        Button::JsonPointer(pointer) => {
            let value: serde_json::Value = serde_json::from_str(body).ok()?;
            value.pointer(pointer)?.as_str().map(str::to_owned)
        }
        Button::Regex(pattern) => {
            let re = regex::Regex::new(pattern).ok()?;
            re.captures(body)?
                .get(1)
                .map(|m| m.as_str().replace("&amp;", "&"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorization_endpoint_is_recognised_by_origin_and_path() {
        // Names only: nothing here opens a connection. Another port is another origin.
        let endpoint = "http://provider.test/o/authorize/";
        let url = |u: &str| Url::parse(u).unwrap();
        assert!(is_endpoint(
            &url("http://provider.test/o/authorize/?client_id=x&state=y"),
            endpoint
        ));
        for other in [
            "http://provider.test:8080/o/authorize/?client_id=x",
            "http://provider.test/o/authorize/extra",
            "http://provider.test/o/authorize",
            "https://provider.test/o/authorize/",
        ] {
            assert!(!is_endpoint(&url(other), endpoint), "{other}");
        }
    }

    #[test]
    fn a_button_is_found_by_json_pointer_or_regex() {
        let json = r#"{"messages":[{"url":"http://p/x?a=1&b=2"}]}"#;
        assert_eq!(
            find_button(&Button::JsonPointer("/messages/0/url".into()), json).as_deref(),
            Some("http://p/x?a=1&b=2")
        );
        let html = r#"<a href="http://p/x?a=1&amp;b=2">Log in</a>"#;
        assert_eq!(
            find_button(&Button::Regex(r#"href="([^"]+)""#.into()), html).as_deref(),
            Some("http://p/x?a=1&b=2")
        );
        assert_eq!(
            find_button(&Button::JsonPointer("/nope".into()), json),
            None
        );
    }
}
