//! Sequence diagrams of a scenario's HTTP exchanges among Browser, Platform and Provider: as
//! [Mermaid](https://mermaid.js.org/syntax/sequenceDiagram.html) text for the Markdown report
//! (GitHub renders it) and as an inline SVG for the HTML report.
//!
//! Each exchange is one request arrow labelled `N. METHOD path?query` (shortened) and one
//! dashed return arrow labelled with the status, or `no response`.

use std::fmt::Write as _;

use oauth_vocab::escape_xml;

use super::model::{Exchange, Party};

/// Longest request label (in characters, without its number) before it is shortened with `…`.
const LABEL_MAX_CHARS: usize = 60;

/// The lifelines, left to right: the middle one is the platform under test (client
/// direction) or Gauntlet's own client (provider direction).
fn parties(exchanges: &[Exchange]) -> [Party; 3] {
    let middle = if exchanges
        .iter()
        .any(|e| e.from == Party::Platform || e.to == Party::Platform)
    {
        Party::Platform
    } else {
        Party::Client
    };
    [Party::Browser, middle, Party::Provider]
}

/// A Mermaid `sequenceDiagram` of the exchanges, ready to go inside a ```` ```mermaid ````
/// fence: it never contains a backtick, and every label is escaped with Mermaid entity codes.
pub fn mermaid(exchanges: &[Exchange]) -> String {
    let mut out = String::from("sequenceDiagram\n");
    for party in parties(exchanges) {
        let _ = writeln!(out, "    participant {}", party.label());
    }
    for (i, ex) in exchanges.iter().enumerate() {
        let (from, to) = (ex.from.label(), ex.to.label());
        let request = mermaid_escape(&request_label(i + 1, ex));
        let _ = writeln!(out, "    {from}->>{to}: {request}");
        let arrow = if ex.status.is_some() { "-->>" } else { "--x" };
        let _ = writeln!(out, "    {to}{arrow}{from}: {}", status_label(ex.status));
    }
    out
}

/// Escapes text for a Mermaid message: `;` would end the statement, `#` starts an entity code,
/// `<`, `>`, `&` and `"` would be read as markup, a backtick would close the Markdown fence and
/// a line break would end the message.
fn mermaid_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '`' => out.push_str("#96;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '"' => out.push_str("#quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `N. METHOD path?query` with the target cut to about [`LABEL_MAX_CHARS`] characters.
fn request_label(number: usize, ex: &Exchange) -> String {
    let full = format!("{} {}", ex.method, path_and_query(&ex.url));
    format!("{number}. {}", shorten(&full, LABEL_MAX_CHARS))
}

/// The status code, or `no response`.
fn status_label(status: Option<u16>) -> String {
    status.map_or_else(|| "no response".to_owned(), |s| s.to_string())
}

/// The URL without scheme and authority (`/path?query`); the URL itself when it has none.
fn path_and_query(url: &str) -> &str {
    let Some(scheme_end) = url.find("://") else {
        return url;
    };
    let rest = &url[scheme_end + 3..];
    match rest.find(['/', '?', '#']) {
        Some(start) => &rest[start..],
        None => "/",
    }
}

/// `text` cut to at most `max` characters, the last one being `…` when anything was cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

// ---------------------------------------------------------------------------------------------
// SVG
// ---------------------------------------------------------------------------------------------

/// Horizontal distance between two lifelines.
const LANE_GAP: usize = 330;
/// X of the leftmost lifeline.
const FIRST_LANE_X: usize = 170;
/// Height of the participant boxes at the top.
const HEAD_HEIGHT: usize = 32;
/// Vertical distance between two arrows.
const ROW: usize = 34;
/// Total width of the drawing.
const WIDTH: usize = 2 * FIRST_LANE_X + 2 * LANE_GAP;

/// An inline SVG sequence diagram of the exchanges: three lifelines (Browser, Platform or
/// Client, Provider), a solid arrow per request and a dashed return arrow with its status. All text is
/// XML-escaped; the drawing needs no stylesheet, script or external resource.
pub fn svg(exchanges: &[Exchange]) -> String {
    let height = HEAD_HEIGHT + 24 + 2 * exchanges.len() * ROW;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="sequence" role="img" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="12">"##
    );
    let n = exchanges.len();
    let s = if n == 1 { "" } else { "s" };
    let _ = writeln!(
        out,
        "<title>Sequence diagram of {n} HTTP exchange{s}</title>"
    );
    for party in parties(exchanges) {
        lifeline(&mut out, party, height);
    }
    for (i, ex) in exchanges.iter().enumerate() {
        let y = HEAD_HEIGHT + 30 + 2 * ROW * i;
        let label = request_label(i + 1, ex);
        arrow(&mut out, ex.from, ex.to, y, &label, Line::Request);
        let style = match ex.status {
            Some(s) if s < 400 => Line::Response,
            _ => Line::Problem,
        };
        arrow(
            &mut out,
            ex.to,
            ex.from,
            y + ROW,
            &status_label(ex.status),
            style,
        );
    }
    out.push_str("</svg>\n");
    out
}

/// How an arrow is drawn.
#[derive(Clone, Copy)]
enum Line {
    /// A request: solid.
    Request,
    /// A response below 400: dashed.
    Response,
    /// An error response or none at all: dashed and red.
    Problem,
}

impl Line {
    /// Stroke colour and dash pattern.
    fn stroke(self) -> (&'static str, &'static str) {
        match self {
            Self::Request => ("#1f2933", ""),
            Self::Response => ("#52606d", r#" stroke-dasharray="6 4""#),
            Self::Problem => ("#c62828", r#" stroke-dasharray="6 4""#),
        }
    }
}

/// X of a party's lifeline.
fn lane_x(party: Party) -> usize {
    let index = match party {
        Party::Browser => 0,
        Party::Platform | Party::Client => 1,
        Party::Provider => 2,
    };
    FIRST_LANE_X + LANE_GAP * index
}

/// A participant box and its dashed lifeline.
fn lifeline(out: &mut String, party: Party, height: usize) {
    let x = lane_x(party);
    let _ = writeln!(
        out,
        r##"<rect x="{}" y="2" width="120" height="{}" rx="4" fill="#eef2f7" stroke="#52606d"/>"##,
        x - 60,
        HEAD_HEIGHT - 4
    );
    let _ = writeln!(
        out,
        r#"<text x="{x}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#,
        HEAD_HEIGHT / 2 + 6,
        escape_xml(party.label())
    );
    let _ = writeln!(
        out,
        r##"<line x1="{x}" y1="{HEAD_HEIGHT}" x2="{x}" y2="{height}" stroke="#9aa5b1" stroke-dasharray="2 4"/>"##
    );
}

/// One arrow from `from` to `to` at height `y` with `label` above it; a party talking to
/// itself gets a small loop to the right of its lifeline, labelled where there is room.
fn arrow(out: &mut String, from: Party, to: Party, y: usize, label: &str, line: Line) {
    let (color, dash) = line.stroke();
    let (x1, x2) = (lane_x(from), lane_x(to));
    let text = escape_xml(label);
    if x1 == x2 {
        let _ = writeln!(
            out,
            r#"<polyline points="{x1},{} {},{} {},{y} {x1},{y}" fill="none" stroke="{color}"{dash}/>"#,
            y - 10,
            x1 + 30,
            y - 10,
            x1 + 30
        );
        arrow_head(out, x1, y, false, color);
        // Beside the loop on the Browser's lane, to the left of the lifeline elsewhere.
        if from == Party::Browser {
            text_at(out, x1 + 36, y - 2, "start", &text, color);
        } else {
            text_at(out, x1 - 6, y - 2, "end", &text, color);
        }
        return;
    }
    let _ = writeln!(
        out,
        r#"<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{color}"{dash}/>"#
    );
    arrow_head(out, x2, y, x2 > x1, color);
    text_at(out, (x1 + x2) / 2, y - 6, "middle", &text, color);
}

/// A filled triangle with its tip at (`x`, `y`), pointing right or left.
fn arrow_head(out: &mut String, x: usize, y: usize, rightwards: bool, color: &str) {
    let back = if rightwards { x - 9 } else { x + 9 };
    let _ = writeln!(
        out,
        r#"<polygon points="{x},{y} {back},{} {back},{}" fill="{color}"/>"#,
        y - 4,
        y + 4
    );
}

/// Already escaped `text` with a white halo so that it stays legible over lifelines.
fn text_at(out: &mut String, x: usize, y: usize, anchor: &str, text: &str, color: &str) {
    let _ = writeln!(
        out,
        r##"<text x="{x}" y="{y}" text-anchor="{anchor}" fill="{color}" stroke="#ffffff" stroke-width="3" paint-order="stroke">{text}</text>"##
    );
}
