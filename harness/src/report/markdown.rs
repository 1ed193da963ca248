//! The Markdown report: title, summary and gate verdict, a verdict table requirement by
//! requirement, and for each failed scenario what the platform did wrong, its HTTP exchanges
//! and a Mermaid sequence diagram; scenarios that ended in an error (a server error, no
//! verdict) get the same sections apart, under their own heading. GitHub renders it as is
//! (tables, fences, Mermaid).
//!
//! Everything taken from the model is escaped: inline text with backslashes, table cells also
//! for `|` and line breaks, and bodies go into fenced code blocks whose fence is longer than any
//! backtick run inside. The counting and wording shared with the HTML report live here too.

use std::fmt::Write as _;

use super::model::{
    Exchange, Gate, Party, RootCause, RunReport, ScenarioOutcome, Shard, Status, Strength,
};
use super::{diagram, root_causes};

/// How much of a body is shown before it is cut (bytes).
pub(crate) const BODY_LIMIT: usize = 2048;

/// The whole report as GitHub-flavoured Markdown.
pub fn render(report: &RunReport) -> String {
    let summary = Summary::of(report);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Gauntlet report: {} — {} direction\n",
        inline(&report.target),
        inline(&report.direction)
    );
    let _ = writeln!(out, "{}\n", summary.counts_line(report.duration_ms));
    let _ = writeln!(
        out,
        "**Gate: {}** — {}\n",
        summary.gate_word(),
        summary.gate_detail()
    );
    if let Some(preflight) = &report.preflight {
        let _ = writeln!(out, "**Preflight:** {}\n", inline(&preflight.to_string()));
    }
    root_cause_section(&mut out, report);
    verdict_table(&mut out, &report.scenarios);
    baseline_section(&mut out, report);
    let failures: Vec<_> = failed(report).collect();
    if !failures.is_empty() {
        out.push_str("\n## Failures\n");
        for scenario in failures {
            failure_section(&mut out, scenario);
        }
    }
    let errors: Vec<_> = errored(report).collect();
    if !errors.is_empty() {
        let _ = writeln!(out, "\n## Errors\n\n{ERRORS_INTRO}");
        for scenario in errors {
            failure_section(&mut out, scenario);
        }
    }
    out
}

/// The failures grouped by root cause, the scenarios judging the rule first; nothing when no
/// failure has a root cause the provider saw.
fn root_cause_section(out: &mut String, report: &RunReport) {
    let groups = root_causes::groups(report);
    if groups.is_empty() {
        return;
    }
    out.push_str(
        "## Root causes

",
    );
    for group in &groups {
        let _ = writeln!(out, "- **{}**", inline(&group.headline()));
        for s in &group.direct {
            let _ = writeln!(out, "  - {}", inline(&s.name));
        }
        for s in &group.knock_on {
            let _ = writeln!(out, "  - {} _(knock-on)_", inline(&s.name));
        }
    }
    out.push('\n');
}

/// The table of every scenario, in feature-file order.
fn verdict_table(out: &mut String, scenarios: &[ScenarioOutcome]) {
    out.push_str("## Verdicts\n\n");
    if scenarios.is_empty() {
        out.push_str("No scenario ran.\n");
        return;
    }
    // Failures first (those the baseline accepts after the others, errors between them: they
    // fail the gate too), then passes; the scenarios that did not apply are listed after the
    // table, by reason.
    let rank = |s: &ScenarioOutcome| match (s.status, s.accepted.is_some()) {
        (Status::Failed, false) => 0,
        (Status::Error, _) => 1,
        (Status::Failed, true) => 2,
        _ => 3,
    };
    let mut ran: Vec<&ScenarioOutcome> = scenarios
        .iter()
        .filter(|s| s.status != Status::Skipped)
        .collect();
    ran.sort_by_key(|s| rank(s));
    if !ran.is_empty() {
        out.push_str("| Requirement | Feature | Source | Strength | Result |\n");
        out.push_str("|---|---|---|---|---|\n");
    }
    for s in ran {
        let result = match (&s.status, &s.accepted) {
            (Status::Failed, Some(reason)) => {
                format!("**FAIL** _({})_", cell(&accepted_text(reason)))
            }
            (Status::Failed, None) => "**FAIL**".to_owned(),
            (Status::Error, _) => "**ERROR** _(server error, no verdict)_".to_owned(),
            _ => "pass".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {result} |",
            cell(&s.name),
            cell(&s.feature),
            cell(&s.source),
            strength_label(s.strength),
        );
    }
    not_applicable_list(out, scenarios);
}

/// The scenarios that did not apply, grouped under their reason.
fn not_applicable_list(out: &mut String, scenarios: &[ScenarioOutcome]) {
    let mut reasons: Vec<(&str, Vec<&str>)> = Vec::new();
    for s in scenarios.iter().filter(|s| s.status == Status::Skipped) {
        let why = s.explanation.as_deref().unwrap_or_default();
        let why = why.strip_prefix("not applicable: ").unwrap_or(why);
        match reasons.iter_mut().find(|(reason, _)| *reason == why) {
            Some((_, names)) => names.push(&s.name),
            None => reasons.push((why, vec![&s.name])),
        }
    }
    if reasons.is_empty() {
        return;
    }
    out.push_str("\n**Not applicable:**\n\n");
    for (why, names) in reasons {
        let names: Vec<String> = names.iter().map(|n| inline(n)).collect();
        let _ = writeln!(out, "- _{}_: {}", inline(why), names.join("; "));
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
        "\n## Baseline\n\n{} failure{} accepted by the baseline {}.",
        report.accepted(),
        plural(report.accepted()),
        code_span(&baseline.file)
    );
    for (title, entries) in baseline.listed() {
        let _ = writeln!(out, "\n{title}:\n");
        for entry in entries {
            let _ = writeln!(
                out,
                "- {}: {} — {}",
                code_span(&entry.feature),
                inline(&entry.scenario),
                inline(&entry.reason)
            );
        }
    }
}

/// One failed (or errored) scenario: what went wrong, the exchanges and their diagram.
fn failure_section(out: &mut String, s: &ScenarioOutcome) {
    let mark = if s.status == Status::Error {
        "ERROR"
    } else {
        "FAIL"
    };
    let _ = writeln!(out, "\n### {mark}: {}\n", inline(&s.name));
    let _ = writeln!(out, "- **Feature:** {}", inline(&s.feature));
    let _ = writeln!(out, "- **Source:** {}", inline(&s.source));
    let _ = writeln!(out, "- **Strength:** {}", strength_label(s.strength));
    let explanation = s
        .explanation
        .as_deref()
        .map_or_else(|| "_no explanation was recorded_".to_owned(), inline);
    if let Some(reason) = &s.accepted {
        let _ = writeln!(out, "- **Accepted by the baseline:** {}", inline(reason));
    }
    if let Some(cause) = &s.root_cause {
        let _ = writeln!(out, "- **Root cause:** {}", inline(&root_cause_text(cause)));
    }
    let _ = writeln!(out, "- **What went wrong:** {explanation}\n");
    if s.exchanges.is_empty() {
        out.push_str("No HTTP exchange was recorded.\n");
        return;
    }
    out.push_str("#### Exchanges\n\n");
    let steps = browser_steps(&s.exchanges);
    for (i, ex) in s.exchanges.iter().enumerate() {
        if steps.contains(&i) {
            step_line(out, i + 1, ex);
        } else {
            exchange_item(out, i + 1, ex);
        }
    }
    out.push_str("#### Sequence diagram\n\n```mermaid\n");
    out.push_str(&diagram::mermaid(&s.exchanges));
    out.push_str("```\n");
}

/// The exchanges of a browser's way through pages between its first request and where it
/// arrived (a login form, its post, a consent page, their redirects): each run of consecutive
/// browser exchanges but its first and last. Markdown gives each one line; index.html has
/// them in full.
fn browser_steps(exchanges: &[Exchange]) -> Vec<usize> {
    let browser = |i: usize| exchanges[i].from == Party::Browser;
    (0..exchanges.len())
        .filter(|&i| {
            browser(i) && i > 0 && browser(i - 1) && i + 1 < exchanges.len() && browser(i + 1)
        })
        .collect()
}

/// A browser step in one line: who, the method and path, the status.
fn step_line(out: &mut String, number: usize, ex: &Exchange) {
    let status = ex
        .status
        .map_or_else(|| "no response".to_owned(), |s| s.to_string());
    let path = url::Url::parse(&ex.url).map_or_else(|_| ex.url.clone(), |u| u.path().to_owned());
    let _ = writeln!(
        out,
        "{number}. {} → {} (+{} ms): {} → {status} _(a step through the pages: in full in index.html)_\n",
        inline(&sender(ex)),
        ex.to.label(),
        ex.at_ms,
        code_span(&format!("{} {path}", ex.method)),
    );
}

/// One numbered list item: the request line, then the request and the response as code
/// blocks indented under the item.
fn exchange_item(out: &mut String, number: usize, ex: &Exchange) {
    let marker = format!("{number}. ");
    let indent = " ".repeat(marker.len());
    let status = ex
        .status
        .map_or_else(|| "no response".to_owned(), |s| s.to_string());
    let _ = writeln!(
        out,
        "{marker}{} → {} (+{} ms): {} → **{status}**\n",
        inline(&sender(ex)),
        ex.to.label(),
        ex.at_ms,
        code_span(&format!("{} {}", ex.method, ex.url)),
    );
    message_block(
        out,
        &indent,
        "Request",
        &ex.request_headers,
        ex.request_body.as_deref(),
    );
    // A page (a login or consent form, an error page) is summarised: its source is in
    // index.html, folded.
    let page = ex
        .response_body
        .as_deref()
        .filter(|_| super::page::is_html(&ex.response_headers))
        .map(super::page::summary);
    message_block(
        out,
        &indent,
        "Response",
        &ex.response_headers,
        page.as_deref().or(ex.response_body.as_deref()),
    );
    if let Some(note) = &ex.note {
        let _ = writeln!(out, "{indent}**Note:** {}\n", inline(note));
    }
}

/// Headers, a blank line and the (cut) body in one fenced block; nothing when both are empty.
fn message_block(
    out: &mut String,
    indent: &str,
    title: &str,
    headers: &[(String, String)],
    body: Option<&str>,
) {
    let text = message_text(headers, body);
    if text.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}{title}:\n");
    fenced(out, indent, &text);
    out.push('\n');
}

/// An HTTP-like transcript of one side of an exchange: `Name: value` lines, then the body.
pub(crate) fn message_text(headers: &[(String, String)], body: Option<&str>) -> String {
    let mut text = String::new();
    for (name, value) in headers {
        let _ = writeln!(text, "{name}: {value}");
    }
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&cut_body(body, BODY_LIMIT));
    }
    text
}

/// A fenced code block, every line indented by `indent`; the fence is one backtick longer than
/// the longest run of backticks in `text` (and at least three).
fn fenced(out: &mut String, indent: &str, text: &str) {
    let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
    let _ = writeln!(out, "{indent}{fence}text");
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    for line in normalized.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{indent}{line}");
        }
    }
    let _ = writeln!(out, "{indent}{fence}");
}

/// An inline code span that shows `text` verbatim, whatever backticks it holds.
fn code_span(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ");
    let ticks = "`".repeat(longest_backtick_run(&text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// The length of the longest run of consecutive backticks.
fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Escapes text for inline Markdown: every punctuation character that could start markup gets
/// a backslash, and line breaks become spaces.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a table cell: as [`inline`] (which also escapes `|`), and line breaks
/// become `<br>`.
fn cell(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    normalized
        .split('\n')
        .map(inline)
        .collect::<Vec<_>>()
        .join("<br>")
}

// ---------------------------------------------------------------------------------------------
// Shared with the HTML report
// ---------------------------------------------------------------------------------------------

/// The failed scenarios, in order.
pub(crate) fn failed(report: &RunReport) -> impl Iterator<Item = &ScenarioOutcome> {
    report
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
}

/// The scenarios that ended in an error, in order.
pub(crate) fn errored(report: &RunReport) -> impl Iterator<Item = &ScenarioOutcome> {
    report
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Error)
}

/// What the errors' heading says about them.
pub(crate) const ERRORS_INTRO: &str = "The server answered these scenarios' requests with a \
    server error (5xx) or not at all (a dropped connection, a timeout): the rules were not \
    judged. They fail the gate like failures, and no baseline accepts them. A server that is \
    fragile under load (e.g. SQLite's \"database is locked\") should be run with a lower \
    --concurrency, down to 1.";

/// `TEXT (code)`, and `, a knock-on failure` when the scenario failed on what followed.
pub(crate) fn root_cause_text(cause: &RootCause) -> String {
    format!(
        "{} ({}){}",
        cause.text.trim().trim_end_matches('.'),
        cause.code,
        if cause.knock_on {
            "; this scenario is a knock-on failure"
        } else {
            ""
        }
    )
}

/// Who sent an exchange: `alice's browser`, `the platform (back channel)`, else its party.
pub(crate) fn sender(ex: &Exchange) -> String {
    ex.by.clone().unwrap_or_else(|| ex.from.label().to_owned())
}

/// `accepted by the baseline: REASON`.
pub(crate) fn accepted_text(reason: &str) -> String {
    format!("accepted by the baseline: {reason}")
}

/// `MUST`, `SHOULD` or `MAY`.
pub(crate) fn strength_label(strength: Strength) -> &'static str {
    match strength {
        Strength::Must => "MUST",
        Strength::Should => "SHOULD",
        Strength::May => "MAY",
    }
}

/// `body` cut to at most `limit` bytes (at a character boundary) followed by
/// `… (N bytes more)` on its own line when anything was cut.
pub(crate) fn cut_body(body: &str, limit: usize) -> String {
    if body.len() <= limit {
        return body.to_owned();
    }
    let mut end = limit;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… ({} bytes more)", &body[..end], body.len() - end)
}

/// A human duration: `850 ms`, `12.3 s` or `2 min 5 s`.
pub(crate) fn format_duration(ms: u64) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{}.{} s", ms / 1_000, ms % 1_000 / 100),
        _ => format!("{} min {} s", ms / 60_000, ms % 60_000 / 1_000),
    }
}

/// The run's one summary: its counts and the gate's verdict, e.g. `44 scenarios: 40 passed, 1
/// failed, 3 not applicable; duration 1.2 s. Gate must: FAIL` (with `, N errors` after the
/// failures when a scenario ended in an error).
pub fn summary_line(report: &RunReport) -> String {
    let summary = Summary::of(report);
    format!(
        "{} Gate {}: {}",
        summary.counts_line(report.duration_ms),
        report.gate.name(),
        summary.gate_word()
    )
}

/// Counts over a run and the gate verdict derived from them.
pub(crate) struct Summary {
    /// Every scenario.
    total: usize,
    /// Passed ones.
    passed: usize,
    /// Failed ones.
    failed: usize,
    /// Not applicable ones.
    skipped: usize,
    /// Failed `@must` ones.
    must_failed: usize,
    /// Failed `@should` ones.
    should_failed: usize,
    /// Ones that ended in an error.
    errors: usize,
    /// Ones that ended in an error and fail the gate.
    gate_errors: usize,
    /// The gate the run was judged by.
    gate: Gate,
    /// Whether it passed (what the exit code says).
    gate_passed: bool,
    /// The shard, if the run was one.
    shard: Option<Shard>,
    /// With a baseline: how many failures it accepts, and how many of its entries are stale.
    baseline: Option<(usize, usize)>,
}

impl Summary {
    /// Counts the report's scenarios.
    pub(crate) fn of(report: &RunReport) -> Self {
        let failed_with = |strength| failed(report).filter(|s| s.strength == strength).count();
        Self {
            total: report.scenarios.len(),
            passed: report.count(Status::Passed),
            failed: report.count(Status::Failed),
            skipped: report.count(Status::Skipped),
            must_failed: failed_with(Strength::Must),
            should_failed: failed_with(Strength::Should),
            errors: report.count(Status::Error),
            gate_errors: report.gate_errors().count(),
            gate: report.gate,
            gate_passed: report.passed(),
            shard: report.shard,
            baseline: report
                .baseline
                .as_ref()
                .map(|b| (report.accepted(), b.stale.len())),
        }
    }

    /// Whether the gate passes (the exit code is 0).
    pub(crate) fn gate_passed(&self) -> bool {
        self.gate_passed
    }

    /// `PASS` or `FAIL`.
    pub(crate) fn gate_word(&self) -> &'static str {
        if self.gate_passed() { "PASS" } else { "FAIL" }
    }

    /// `N scenarios: P passed, F failed, S not applicable; duration D.` — the one summary,
    /// printed by the command too; `, E errors` follows the failures when there are any.
    pub(crate) fn counts_line(&self, duration_ms: u64) -> String {
        let shard = match self.shard {
            Some(shard) => format!(" (shard {shard})"),
            None => String::new(),
        };
        let (accepted, stale) = match self.baseline {
            Some((accepted, stale)) => (
                format!(" ({accepted} accepted by the baseline)"),
                match stale {
                    0 => String::new(),
                    n => format!(
                        "; {n} stale baseline entr{}",
                        if n == 1 { "y" } else { "ies" }
                    ),
                },
            ),
            None => (String::new(), String::new()),
        };
        let errors = match self.errors {
            0 => String::new(),
            n => format!(", {n} error{}", plural(n)),
        };
        format!(
            "{} scenario{}{shard}: {} passed, {} failed{accepted}{errors}, {} not applicable\
             {stale}; duration {}.",
            self.total,
            plural(self.total),
            self.passed,
            self.failed,
            self.skipped,
            format_duration(duration_ms)
        )
    }

    /// Why the gate is what it is, for the gate the run was judged by.
    pub(crate) fn gate_detail(&self) -> String {
        let count = |n: usize, what: &str| match n {
            0 => format!("no {what} requirement failed"),
            n => format!("{n} {what} requirement{} failed", plural(n)),
        };
        let others = self.failed - self.must_failed - self.should_failed;
        let mays = match others {
            0 => String::new(),
            n => format!(", {n} untagged scenario{} failed", plural(n)),
        };
        let baseline = match self.baseline {
            None => String::new(),
            Some((accepted, stale)) => format!(
                " Baseline: {accepted} failure{} accepted (they do not fail the gate), {stale} \
                 stale entr{} (they do).",
                plural(accepted),
                if stale == 1 { "y" } else { "ies" }
            ),
        };
        let detail = match self.gate {
            Gate::Must => format!(
                "gate `must`: {}. SHOULD and untagged failures are warnings ({}{mays}).",
                count(self.must_failed, "MUST"),
                count(self.should_failed, "SHOULD")
            ),
            Gate::Should => format!(
                "gate `should`: {}, {}. Untagged failures are warnings{mays}.",
                count(self.must_failed, "MUST"),
                count(self.should_failed, "SHOULD")
            ),
            Gate::None => format!(
                "gate `none`: failures are reported, never fatal ({}, {}{mays}).",
                count(self.must_failed, "MUST"),
                count(self.should_failed, "SHOULD")
            ),
        };
        let errors = match (self.errors, self.gate_errors) {
            (0, _) => String::new(),
            (n, 0) => format!(
                " {n} scenario{} ended in a server error, none the gate counts.",
                plural(n)
            ),
            (n, gated) => format!(
                " {n} scenario{} ended in a server error, {gated} of them at the gate's \
                 strength: they fail it (no verdict is a pass).",
                plural(n)
            ),
        };
        detail + &errors + &baseline
    }
}

/// `s` unless there is exactly one.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
