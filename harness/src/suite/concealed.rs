//! The values the evidence masks wherever they appear, found in the raw text the browser saw:
//! values after secret names (`code=…`, `"access_token": "…"`, `name="csrf" value="…"`), the
//! tokens of CSRF-looking form fields and `<meta>` tags, and interaction ids (a provider's
//! `/interaction/{id}` path or `?interaction=` query). With the values a caller already knows
//! (the mock's issued tokens), they make one [`Redactor`] for every exchange of a scenario.

use oauth_vocab::redact::{Redactor, SecretValues};
use scraper::{Html, Selector};

/// Whether a form field of this name carries an anti-CSRF token.
pub(crate) fn is_csrf_token(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["csrf", "xsrf", "authenticity_token"]
        .iter()
        .any(|mark| name.contains(mark))
}

/// Whether a query parameter or path segment of this name precedes an interaction or login
/// session id.
fn is_interaction_id(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("interaction") || name == "session_code" || name == "tab_id"
}

/// The redactor for `known` values and those found in every `seen` text.
pub(crate) fn redactor(known: &SecretValues, seen: &[String]) -> Redactor {
    let mut values = known.clone();
    for text in seen {
        collect(text, &mut values);
    }
    values.redactor()
}

/// Adds the secret values found in one URL, header or page to `values`.
pub(crate) fn collect(text: &str, values: &mut SecretValues) {
    values.add_from_text(text);
    if let Ok(url) = url::Url::parse(text.trim()) {
        for (name, value) in url.query_pairs() {
            if is_interaction_id(&name) || is_csrf_token(&name) {
                values.add(&value);
            }
        }
        let segments: Vec<&str> = url.path().split('/').collect();
        for pair in segments.windows(2) {
            if is_interaction_id(pair[0]) {
                values.add(pair[1]);
            }
        }
    } else if text.contains('<') {
        csrf_fields(text, values);
    }
}

/// The values of CSRF-looking `<input>` fields and `<meta>` tags of a page.
fn csrf_fields(html: &str, values: &mut SecretValues) {
    let Ok(selector) = Selector::parse("input[name], meta[name]") else {
        return;
    };
    let page = Html::parse_document(html);
    for element in page.select(&selector) {
        let element = element.value();
        let name = element.attr("name").unwrap_or_default();
        if is_csrf_token(name) || is_interaction_id(name) {
            let value = element.attr("value").or(element.attr("content"));
            values.add(value.unwrap_or_default());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(seen: &str, text: &str) -> String {
        redactor(&SecretValues::new(), &[seen.to_owned()]).redact(text)
    }

    #[test]
    fn csrf_fields_and_meta_tags_are_concealed() {
        let page = r#"<form><input type="hidden" value="tok-123456" name="csrfmiddlewaretoken">
            <meta name="csrf-token" content="meta-654321"></form>"#;
        let out = shown(page, page);
        assert!(
            !out.contains("tok-123456") && !out.contains("meta-654321"),
            "{out}"
        );
    }

    #[test]
    fn interaction_ids_in_paths_and_queries_are_concealed() {
        let url =
            "http://127.0.0.1:9/interaction/Uid-abcdef/login?session_code=sc-998877&x=kept-1234";
        let out = shown(url, url);
        assert!(
            !out.contains("Uid-abcdef") && !out.contains("sc-998877"),
            "{out}"
        );
        assert!(out.contains("kept-1234"), "{out}");
    }

    #[test]
    fn a_known_token_printed_in_a_page_is_concealed() {
        let mut known = SecretValues::new();
        known.add("at_printed_token_1");
        let out = redactor(&known, &[]).redact("<p>Your token: at_printed_token_1</p>");
        assert!(!out.contains("at_printed_token_1"), "{out}");
    }
}
