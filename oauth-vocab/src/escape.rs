//! Escaping text for HTML and XML: `& < > " '` become entities, so text can go into element
//! content and into single- or double-quoted attributes.

/// Escapes text for HTML element content and attribute values (`& < > " '`; `'` as `&#39;`).
pub fn escape_html(text: &str) -> String {
    escape(text, false)
}

/// [`escape_html`], and control characters other than tab and line breaks, which XML forbids,
/// become U+FFFD.
pub fn escape_xml(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, xml: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if xml && c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape_html(r#"<script>alert("x&'y")</script>"#),
            "&lt;script&gt;alert(&quot;x&amp;&#39;y&quot;)&lt;/script&gt;"
        );
    }

    #[test]
    fn xml_replaces_control_characters_and_html_keeps_them() {
        assert_eq!(escape_xml("a\u{1}b\tc\n"), "a\u{FFFD}b\tc\n");
        assert_eq!(escape_html("a\u{1}b"), "a\u{1}b");
    }
}
