//! HTML pages in the evidence: the text a person sees on one, and the one-line summary the
//! Markdown report shows instead of a page's source (the HTML report keeps it, folded).

use scraper::{Html, Selector};

/// Visible text shown in a page's summary, at most.
const SUMMARY_TEXT: usize = 200;

/// The page's visible text, whitespace collapsed, without scripts and styles.
pub fn visible_text(page: &Html) -> String {
    let body = Selector::parse("body").expect("a valid built-in selector");
    let root = page
        .select(&body)
        .next()
        .unwrap_or_else(|| page.root_element());
    let mut words = Vec::new();
    for node in root.descendants() {
        if let Some(text) = node.value().as_text() {
            let hidden = node.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| matches!(e.name(), "script" | "style" | "head"))
            });
            if !hidden {
                words.extend(text.split_whitespace().map(str::to_owned));
            }
        }
    }
    words.join(" ")
}

/// `an HTML page of N bytes: "Title" — visible text…`, for a response body that is a page.
pub fn summary(body: &str) -> String {
    let page = Html::parse_document(body);
    let title = Selector::parse("title")
        .ok()
        .and_then(|t| page.select(&t).next())
        .map(|t| t.text().collect::<Vec<_>>().join(" "))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty());
    let text = visible_text(&page);
    let mut cut: String = text.chars().take(SUMMARY_TEXT).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    match title {
        Some(title) => format!("[an HTML page of {} bytes: {title:?} — {cut}]", body.len()),
        None => format!("[an HTML page of {} bytes — {cut}]", body.len()),
    }
}

/// Whether a response with these headers is an HTML page.
pub fn is_html(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("content-type")
            && value.to_ascii_lowercase().starts_with("text/html")
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_page_is_summarised_by_its_title_and_visible_text() {
        let body = "<html><head><title> Log in </title><script>x()</script></head>\
                    <body><h1>Log in</h1><form><input name=csrf value=t></form></body></html>";
        assert_eq!(
            super::summary(body),
            format!(
                "[an HTML page of {} bytes: \"Log in\" — Log in]",
                body.len()
            )
        );
    }
}
