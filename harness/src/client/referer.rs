//! Whether the platform's answer to the callback can leak the callback URL — and with it the
//! code and state — to another site through `Referer` (RFC 9700 §4.2.4).
//!
//! A leak needs a rendered document at the callback URL that makes the browser request another
//! site: a link the user can follow, or a sub-resource it loads. A redirect to a clean URL, an
//! answer that is not HTML, a page with nothing pointing elsewhere, and a page whose referrer
//! policy keeps the URL to its own origin leak nothing.

use scraper::{Html, Selector};
use url::Url;

use crate::suite::browser::Reply;

/// Referrer policies that never send a document's path or query to another origin.
const SAFE_POLICIES: &[&str] = &[
    "no-referrer",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
];

/// Every policy token a browser recognises (the last recognised one wins).
const KNOWN_POLICIES: &[&str] = &[
    "no-referrer",
    "no-referrer-when-downgrade",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
];

/// Attributes through which an element sends the browser to a URL.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "action", "poster", "data", "formaction"];

/// `Ok` when `reply`, the answer to a callback at `callback_url` (after the redirects within
/// the platform the browser followed), cannot leak the code to another site; otherwise what
/// would leak it and how to stop it.
pub fn judge(callback_url: &str, reply: &Reply) -> Result<(), String> {
    let callback =
        Url::parse(callback_url).map_err(|e| format!("callback URL {callback_url}: {e}"))?;
    let Some(code) = callback
        .query_pairs()
        .find(|(n, v)| n == "code" && !v.is_empty())
        .map(|(_, v)| v.into_owned())
    else {
        return Ok(());
    };
    let base = Url::parse(&reply.url).unwrap_or(callback);
    if (300..400).contains(&reply.status) {
        return judge_redirect(&base, reply, &code);
    }
    if !base.as_str().contains(&code) {
        // The browser was sent on to a URL without the code before any page was shown.
        return Ok(());
    }
    if !reply.content_type.to_ascii_lowercase().contains("html") {
        return Ok(());
    }
    let page = Html::parse_document(&reply.body);
    let meta = meta_policy(&page);
    let header = reply.header("referrer-policy").and_then(effective_policy);
    let policy = meta.or(header);
    if policy.is_some_and(|p| SAFE_POLICIES.contains(&p)) {
        return Ok(());
    }
    let foreign = foreign_references(&page, &base);
    if foreign.is_empty() {
        return Ok(());
    }
    let policy = match policy {
        Some(p) => format!("its referrer policy is {p:?}, which sends the full URL"),
        None => {
            "it sets no referrer policy (no Referrer-Policy header, no <meta name=\"referrer\">)"
                .to_owned()
        }
    };
    Err(format!(
        "the callback page, whose URL holds the code and state, points the browser at other \
         sites ({}) and {policy}: a browser that follows or loads them can send the code in \
         Referer. Answer the callback with Referrer-Policy: no-referrer, or redirect to a URL \
         without the code before showing a page, and keep third-party content off that page",
        foreign.join(", ")
    ))
}

fn judge_redirect(base: &Url, reply: &Reply, code: &str) -> Result<(), String> {
    let Some(location) = reply.location.as_deref() else {
        return Ok(());
    };
    let Ok(target) = base.join(location) else {
        return Ok(());
    };
    if target.as_str().contains(code) {
        return Err(format!(
            "the callback redirects to {} with the code still in the URL: the page shown there \
             can leak it through Referer. Redirect to a URL without the code",
            target.origin().ascii_serialization()
        ));
    }
    Ok(())
}

/// The policy of `<meta name="referrer">`, the last recognised one.
fn meta_policy(page: &Html) -> Option<&'static str> {
    let selector = Selector::parse("meta[name]").expect("a valid selector");
    page.select(&selector)
        .filter(|m| {
            m.value()
                .attr("name")
                .is_some_and(|n| n.eq_ignore_ascii_case("referrer"))
        })
        .filter_map(|m| m.value().attr("content").and_then(effective_policy))
        .next_back()
}

/// The effective policy of a comma-separated `Referrer-Policy` value: the last token a
/// browser recognises.
fn effective_policy(value: &str) -> Option<&'static str> {
    value
        .split(',')
        .filter_map(|t| {
            let t = t.trim().to_ascii_lowercase();
            KNOWN_POLICIES.iter().copied().find(|p| *p == t)
        })
        .next_back()
}

/// The URLs on other origins the page links to or loads, at most five, as
/// `<tag attribute="url">`.
fn foreign_references(page: &Html, base: &Url) -> Vec<String> {
    let selector = Selector::parse("*").expect("a valid selector");
    let mut found = Vec::new();
    for element in page.select(&selector) {
        for attribute in URL_ATTRIBUTES
            .iter()
            .copied()
            .chain(std::iter::once("srcset"))
        {
            let Some(value) = element.value().attr(attribute) else {
                continue;
            };
            let urls: Vec<&str> = if attribute == "srcset" {
                value
                    .split(',')
                    .filter_map(|c| c.split_whitespace().next())
                    .collect()
            } else {
                vec![value]
            };
            for url in urls {
                if let Ok(target) = base.join(url.trim())
                    && matches!(target.scheme(), "http" | "https")
                    && target.origin() != base.origin()
                {
                    found.push(format!(
                        "<{} {attribute}=\"{}\">",
                        element.value().name(),
                        target.origin().ascii_serialization()
                    ));
                }
            }
        }
        if element.value().name() == "meta"
            && element
                .value()
                .attr("http-equiv")
                .is_some_and(|h| h.eq_ignore_ascii_case("refresh"))
            && let Some(content) = element.value().attr("content")
            && let Some((_, url)) = content.split_once('=')
            && let Ok(target) = base.join(url.trim().trim_matches(['"', '\'']))
            && target.origin() != base.origin()
        {
            found.push(format!(
                "<meta http-equiv=\"refresh\"> to {}",
                target.origin().ascii_serialization()
            ));
        }
    }
    found.dedup();
    found.truncate(5);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALLBACK: &str = "https://platform.test/oauth/callback?code=c0de-value&state=s7ate";

    fn reply(status: u16, content_type: &str, body: &str, headers: &[(&str, &str)]) -> Reply {
        Reply {
            url: CALLBACK.to_owned(),
            status,
            location: headers
                .iter()
                .find(|(n, _)| *n == "location")
                .map(|(_, v)| (*v).to_owned()),
            body: body.to_owned(),
            cut_at: None,
            content_type: content_type.to_owned(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    const LEAKY: &str = "<html><body><p>Linked</p><a href=\"https://help.example.com/\">Help</a>\
                         </body></html>";

    #[test]
    fn a_page_linking_elsewhere_without_a_policy_leaks() {
        let err = judge(CALLBACK, &reply(200, "text/html", LEAKY, &[])).unwrap_err();
        assert!(err.contains("https://help.example.com"), "{err}");
        assert!(err.contains("no referrer policy"), "{err}");
    }

    #[test]
    fn an_unsafe_policy_leaks_and_is_named() {
        let headers = [("referrer-policy", "no-referrer, unsafe-url")];
        let err = judge(CALLBACK, &reply(200, "text/html", LEAKY, &headers)).unwrap_err();
        assert!(err.contains("unsafe-url"), "{err}");
    }

    #[test]
    fn any_policy_keeping_the_url_to_its_origin_passes() {
        for policy in SAFE_POLICIES {
            let headers = [("referrer-policy", *policy)];
            assert_eq!(
                judge(CALLBACK, &reply(200, "text/html", LEAKY, &headers)),
                Ok(())
            );
        }
        let meta = format!("<meta name=\"Referrer\" content=\"same-origin\">{LEAKY}");
        assert_eq!(
            judge(CALLBACK, &reply(200, "text/html", &meta, &[])),
            Ok(())
        );
    }

    #[test]
    fn nothing_to_leak_through_passes() {
        let own =
            "<p>Linked</p><a href=\"/chat\">back</a><img src=\"https://platform.test/x.png\">";
        assert_eq!(judge(CALLBACK, &reply(200, "text/html", own, &[])), Ok(()));
        let json = reply(200, "application/json", "{\"linked\":true}", &[]);
        assert_eq!(judge(CALLBACK, &json), Ok(()));
        let clean = reply(302, "", "", &[("location", "https://elsewhere.example/")]);
        assert_eq!(judge(CALLBACK, &clean), Ok(()));
        let mut moved_on = reply(200, "text/html", LEAKY, &[]);
        moved_on.url = "https://platform.test/linked".to_owned();
        assert_eq!(judge(CALLBACK, &moved_on), Ok(()));
    }

    #[test]
    fn sub_resources_srcset_and_refresh_count() {
        let img = "<img srcset=\"https://cdn.example.net/a.png 1x, /b.png 2x\">";
        let err = judge(CALLBACK, &reply(200, "text/html", img, &[])).unwrap_err();
        assert!(err.contains("cdn.example.net"), "{err}");
        let refresh = "<meta http-equiv=\"refresh\" content=\"0; url=https://ads.example.org/\">";
        let err = judge(CALLBACK, &reply(200, "text/html", refresh, &[])).unwrap_err();
        assert!(err.contains("ads.example.org"), "{err}");
    }

    #[test]
    fn a_redirect_keeping_the_code_leaks() {
        let keep = reply(302, "", "", &[("location", "/welcome?code=c0de-value")]);
        let err = judge(CALLBACK, &keep).unwrap_err();
        assert!(err.contains("code still in the URL"), "{err}");
    }
}
