//! The HTML report: one self-contained page (inline CSS, inline SVG diagrams, no script, font,
//! image or any other external resource, so it renders offline and can be mailed or archived)
//! with the same content as the Markdown report. Every string from the model is escaped for
//! `& < > " '`, and a Content-Security-Policy forbids anything but the inline styles.
//! Scenarios that ended in an error (a server error, no verdict) are listed apart from the
//! failures, with an amber `ERROR` badge.

use std::fmt::Write as _;

use oauth_vocab::escape_xml as esc;

use super::markdown::{
    BODY_LIMIT, ERRORS_INTRO, Summary, accepted_text, cut_body, errored, failed, message_text,
    root_cause_text, sender, strength_label,
};
use super::model::{Exchange, RunReport, ScenarioOutcome, Status};
use super::{diagram, root_causes};

/// The page's stylesheet.
const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 0 auto;
  max-width: 72rem; padding: 1rem 2rem 3rem; color: #1f2933; background: #fff; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
h2 { border-bottom: 1px solid #d9e2ec; padding-bottom: .2rem; margin-top: 2rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
p code { word-break: break-all; }
pre { background: #f5f7fa; border: 1px solid #d9e2ec; border-radius: 4px; padding: .5rem .75rem;
  overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
th { background: #f5f7fa; }
tr.failed td { background: #fff5f5; }
tr.error td { background: #fff8eb; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: .75rem; font-size: .8rem;
  font-weight: 600; white-space: nowrap; }
.pass { background: #e3f9e5; color: #1b5e20; }
.fail { background: #c62828; color: #fff; }
.skipped { background: #e4e7eb; color: #52606d; }
.err { background: #b45309; color: #fff; }
.gate { font-size: 1.15rem; padding: .6rem .9rem; border-radius: 4px; }
.gate.pass { border: 1px solid #1b5e20; }
.gate.fail { background: #fde8e8; color: #8e1c1c; border: 1px solid #c62828; }
.gate strong { font-size: 1.3rem; }
.failure { border: 1px solid #f5c2c2; border-left: 4px solid #c62828; border-radius: 4px;
  padding: 0 1rem 1rem; margin: 1.2rem 0; }
.failure.server-error { border-color: #f3d9b1; border-left-color: #b45309; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
ol.exchanges > li { margin-bottom: 1rem; }
.who { color: #52606d; }
.status-bad { color: #c62828; font-weight: 600; }
.diagram { overflow-x: auto; }
a { color: #0b5cad; }
";

/// The whole report as one self-contained HTML page.
pub fn render(report: &RunReport) -> String {
    let summary = Summary::of(report);
    let title = format!(
        "Gauntlet report: {} — {} direction",
        esc(&report.target),
        esc(&report.direction)
    );
    let mut out = String::new();
    head(&mut out, &title);
    let _ = writeln!(out, "<header>\n<h1>{title}</h1>");
    let _ = writeln!(
        out,
        "<p class=\"summary\">{}</p>",
        summary.counts_line(report.duration_ms)
    );
    let class = if summary.gate_passed() {
        "pass"
    } else {
        "fail"
    };
    let _ = writeln!(
        out,
        "<p class=\"gate {class}\"><strong>Gate: {}</strong> — {}</p>\n</header>\n<main>",
        summary.gate_word(),
        summary.gate_detail()
    );
    if let Some(preflight) = &report.preflight {
        let _ = writeln!(
            out,
            "<p class=\"preflight\"><strong>Preflight:</strong> {}</p>",
            esc(&preflight.to_string())
        );
    }
    root_cause_section(&mut out, report);
    verdict_table(&mut out, &report.scenarios);
    baseline_section(&mut out, report);
    let failures: Vec<_> = failed(report).collect();
    if !failures.is_empty() {
        out.push_str("<section>\n<h2>Failures</h2>\n");
        for (i, scenario) in failures.into_iter().enumerate() {
            failure_section(&mut out, &format!("failure-{}", i + 1), scenario);
        }
        out.push_str("</section>\n");
    }
    let errors: Vec<_> = errored(report).collect();
    if !errors.is_empty() {
        let _ = writeln!(
            out,
            "<section>\n<h2>Errors</h2>\n<p>{}</p>",
            esc(ERRORS_INTRO)
        );
        for (i, scenario) in errors.into_iter().enumerate() {
            failure_section(&mut out, &format!("error-{}", i + 1), scenario);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// Doctype, head with the policy and the stylesheet, and the opening `<body>`.
fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
}

/// The table of the scenarios that ran, failures first (failed rows link to their section),
/// then, folded, those that did not apply.
fn verdict_table(out: &mut String, scenarios: &[ScenarioOutcome]) {
    out.push_str("<section>\n<h2>Verdicts</h2>\n");
    if scenarios.is_empty() {
        out.push_str("<p>No scenario ran.</p>\n</section>\n");
        return;
    }
    // Failure and error sections are numbered in feature-file order; errors come between the
    // failures the baseline does not accept and those it does (they fail the gate too).
    let (mut failure_number, mut error_number) = (0, 0);
    let mut rows: Vec<(usize, Option<String>, &ScenarioOutcome)> = scenarios
        .iter()
        .map(|s| {
            let anchor = match s.status {
                Status::Failed => {
                    failure_number += 1;
                    Some(format!("failure-{failure_number}"))
                }
                Status::Error => {
                    error_number += 1;
                    Some(format!("error-{error_number}"))
                }
                Status::Passed | Status::Skipped => None,
            };
            let rank = match (s.status, s.accepted.is_some()) {
                (Status::Failed, false) => 0,
                (Status::Error, _) => 1,
                (Status::Failed, true) => 2,
                (Status::Passed, _) => 3,
                (Status::Skipped, _) => 4,
            };
            (rank, anchor, s)
        })
        .collect();
    rows.sort_by_key(|(rank, _, _)| *rank);
    let (ran, skipped): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(rank, _, _)| *rank < 4);
    verdict_rows(out, &ran);
    if !skipped.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} not applicable</summary>",
            skipped.len()
        );
        verdict_rows(out, &skipped);
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

/// One table of verdict rows: (rank, the anchor of its failure or error section, scenario).
fn verdict_rows(out: &mut String, rows: &[(usize, Option<String>, &ScenarioOutcome)]) {
    if rows.is_empty() {
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>Requirement</th><th>Feature</th><th>Source</th>\
         <th>Strength</th><th>Result</th></tr></thead>\n<tbody>\n",
    );
    for (_, anchor, s) in rows {
        let name = match anchor {
            Some(id) => format!("<a href=\"#{id}\">{}</a>", esc(&s.name)),
            None => esc(&s.name),
        };
        let _ = writeln!(
            out,
            "<tr class=\"{}\"><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            status_class(s.status),
            esc(&s.feature),
            esc(&s.source),
            strength_label(s.strength),
            match (s.status, &s.explanation, &s.accepted) {
                (Status::Skipped, Some(why), _) => format!("{} {}", badge(s.status), esc(why)),
                (Status::Failed, _, Some(reason)) => format!(
                    "{} <em>{}</em>",
                    badge(s.status),
                    esc(&accepted_text(reason))
                ),
                _ => badge(s.status).to_owned(),
            }
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// `passed`, `failed`, `skipped` or `error`: the row's class.
fn status_class(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::Skipped => "skipped",
        Status::Error => "error",
    }
}

/// A coloured result badge.
fn badge(status: Status) -> &'static str {
    match status {
        Status::Passed => "<span class=\"badge pass\">pass</span>",
        Status::Failed => "<span class=\"badge fail\">FAIL</span>",
        Status::Skipped => "<span class=\"badge skipped\">n/a</span>",
        Status::Error => "<span class=\"badge err\">ERROR</span>",
    }
}

/// The baseline's stale entries (they fail the gate) and those not in the run; nothing
/// without a baseline.
fn baseline_section(out: &mut String, report: &RunReport) {
    let Some(baseline) = &report.baseline else {
        return;
    };
    let _ = writeln!(
        out,
        "<section>\n<h2>Baseline</h2>\n<p>{} failure(s) accepted by the baseline \
         <code>{}</code>.</p>",
        report.accepted(),
        esc(&baseline.file)
    );
    for (title, entries) in baseline.listed() {
        let _ = writeln!(out, "<p>{title}:</p>\n<ul>");
        for entry in entries {
            let _ = writeln!(
                out,
                "<li><code>{}</code>: {} — {}</li>",
                esc(&entry.feature),
                esc(&entry.scenario),
                esc(&entry.reason)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

/// The failures grouped by root cause, the scenarios judging the rule first.
fn root_cause_section(out: &mut String, report: &RunReport) {
    let groups = root_causes::groups(report);
    if groups.is_empty() {
        return;
    }
    out.push_str("<section>\n<h2>Root causes</h2>\n<ul class=\"causes\">\n");
    for group in &groups {
        let _ = writeln!(out, "<li><strong>{}</strong>\n<ul>", esc(&group.headline()));
        for s in &group.direct {
            let _ = writeln!(out, "<li>{}</li>", esc(&s.name));
        }
        for s in &group.knock_on {
            let _ = writeln!(out, "<li>{} <em>(knock-on)</em></li>", esc(&s.name));
        }
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ul>\n</section>\n");
}

/// One failed (or errored) scenario, anchored at `id`: what went wrong, the exchanges and
/// their diagram.
fn failure_section(out: &mut String, id: &str, s: &ScenarioOutcome) {
    let class = if s.status == Status::Error {
        "failure server-error"
    } else {
        "failure"
    };
    let _ = writeln!(
        out,
        "<article class=\"{class}\" id=\"{id}\">\n<h3>{} {}</h3>\n<dl class=\"facts\">",
        badge(s.status),
        esc(&s.name)
    );
    let explanation = s
        .explanation
        .as_deref()
        .map_or_else(|| "<em>no explanation was recorded</em>".to_owned(), esc);
    let cause = s.root_cause.as_ref().map(|c| esc(&root_cause_text(c)));
    for (term, value) in [
        ("Feature", Some(esc(&s.feature))),
        ("Source", Some(esc(&s.source))),
        ("Strength", Some(strength_label(s.strength).to_owned())),
        ("Root cause", cause),
        ("What went wrong", Some(explanation)),
    ] {
        if let Some(value) = value {
            let _ = writeln!(out, "<dt>{term}</dt><dd>{value}</dd>");
        }
    }
    if let Some(reason) = &s.accepted {
        let _ = writeln!(
            out,
            "<dt>Accepted by the baseline</dt><dd>{}</dd>",
            esc(reason)
        );
    }
    out.push_str("</dl>\n");
    if s.exchanges.is_empty() {
        out.push_str("<p>No HTTP exchange was recorded.</p>\n</article>\n");
        return;
    }
    out.push_str("<h4>Exchanges</h4>\n<ol class=\"exchanges\">\n");
    for ex in &s.exchanges {
        exchange_item(out, ex);
    }
    out.push_str("</ol>\n<h4>Sequence diagram</h4>\n<div class=\"diagram\">\n");
    out.push_str(&diagram::svg(&s.exchanges));
    out.push_str("</div>\n</article>\n");
}

/// One list item: the request line, then the request and the response as transcripts.
fn exchange_item(out: &mut String, ex: &Exchange) {
    let status = match ex.status {
        Some(code) if code < 400 => format!("<strong>{code}</strong>"),
        Some(code) => format!("<strong class=\"status-bad\">{code}</strong>"),
        None => "<strong class=\"status-bad\">no response</strong>".to_owned(),
    };
    let _ = writeln!(
        out,
        "<li>\n<p><span class=\"who\">{} → {} (+{} ms)</span> <code>{} {}</code> → {status}</p>",
        esc(&sender(ex)),
        ex.to.label(),
        ex.at_ms,
        esc(&ex.method),
        esc(&ex.url)
    );
    message_block(
        out,
        "Request",
        &ex.request_headers,
        ex.request_body.as_deref(),
    );
    match ex
        .response_body
        .as_deref()
        .filter(|_| super::page::is_html(&ex.response_headers))
    {
        // A page's source is folded under its summary.
        Some(body) => {
            message_block(out, "Response", &ex.response_headers, None);
            let _ = writeln!(
                out,
                "<details><summary>{}</summary>\n<pre>\n{}</pre></details>",
                esc(&super::page::summary(body)),
                esc(&cut_body(body, BODY_LIMIT))
            );
        }
        None => message_block(
            out,
            "Response",
            &ex.response_headers,
            ex.response_body.as_deref(),
        ),
    }
    if let Some(note) = &ex.note {
        let _ = writeln!(out, "<p><strong>Note:</strong> {}</p>", esc(note));
    }
    out.push_str("</li>\n");
}

/// Headers, a blank line and the (cut) body in one `<pre>`; nothing when both are empty.
fn message_block(out: &mut String, title: &str, headers: &[(String, String)], body: Option<&str>) {
    let text = message_text(headers, body);
    if !text.is_empty() {
        let _ = writeln!(
            out,
            "<p>{title}:</p>\n<pre>\n{}</pre>",
            esc(text.trim_end_matches('\n'))
        );
    }
}
