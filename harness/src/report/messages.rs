//! Cucumber Messages: the standard NDJSON stream of <https://github.com/cucumber/messages>, one
//! envelope per line, that Cucumber's own tooling reads (e.g. `@cucumber/html-formatter`, see
//! `scripts/cucumber-html/render.sh`).
//!
//! Written from the run model: the feature sources and their Gherkin ASTs, one pickle and one
//! test case per scenario, the step results, and on the failing step the explanation and the HTTP
//! exchanges as attachments. A scenario that does not apply is a test case whose steps are all
//! skipped, the reason attached to its first step. Ids are counters and times are the run's start
//! plus the scenarios' durations, so the same report always gives the same bytes.
//!
//! A scenario whose feature file is missing from the report (or whose line is not found in it) is
//! given a reconstructed source built from its outcome, so every reference in the stream resolves.

use std::collections::HashMap;
use std::fmt::Write as _;

use cucumber::gherkin;
use serde_json::{Value, json};

use super::markdown::message_text;
use super::model::{Exchange, RunReport, ScenarioOutcome, Status, StepStatus};

/// The version of the Messages protocol written: the `@cucumber/messages` schema it follows.
pub const PROTOCOL_VERSION: &str = "34.2.1";

/// The media type of a Gherkin source.
const GHERKIN_MEDIA_TYPE: &str = "text/x.cucumber.gherkin+plain";

/// The run as Cucumber Messages: one JSON envelope per line, each line ending in `\n`.
pub fn render(report: &RunReport) -> String {
    let mut ids = Ids::default();
    let mut docs = Vec::new();
    let mut seen = Vec::new();
    for source in &report.features {
        if !seen.contains(&source.path.as_str()) {
            seen.push(source.path.as_str());
            docs.push(Doc::parse(&source.path, &source.text, &mut ids));
        }
    }
    let mut targets: Vec<Option<Target>> =
        report.scenarios.iter().map(|s| resolve(&docs, s)).collect();
    reconstruct(report, &mut docs, &mut targets, &mut ids);

    let mut out = Envelopes::default();
    out.push("meta", meta());
    let mut cases: Vec<Option<Case<'_>>> = (0..report.scenarios.len()).map(|_| None).collect();
    for (d, doc) in docs.iter().enumerate() {
        out.push(
            "source",
            json!({ "uri": doc.uri, "data": doc.text, "mediaType": GHERKIN_MEDIA_TYPE }),
        );
        match &doc.ast {
            Ok(ast) => out.push("gherkinDocument", ast.clone()),
            Err(message) => out.push(
                "parseError",
                json!({ "source": { "uri": doc.uri }, "message": message }),
            ),
        }
        for (i, scenario) in report.scenarios.iter().enumerate() {
            if let Some(target) = targets[i].filter(|t| t.doc == d) {
                let (pickle, case) = pickle(doc, target, scenario, &mut ids);
                out.push("pickle", pickle);
                cases[i] = Some(case);
            }
        }
    }

    let run_id = ids.next();
    let start_ns = report.started_unix_ms.saturating_mul(1_000_000);
    out.push(
        "testRunStarted",
        json!({ "id": run_id, "timestamp": timestamp(start_ns) }),
    );
    let cases: Vec<Case<'_>> = cases.into_iter().flatten().collect();
    let mut test_cases = Vec::new();
    for case in &cases {
        let steps: Vec<(String, &PickleStep)> =
            case.steps.iter().map(|step| (ids.next(), step)).collect();
        let id = ids.next();
        out.push(
            "testCase",
            json!({
                "id": id,
                "pickleId": case.pickle_id,
                "testRunStartedId": run_id,
                "testSteps": steps.iter().map(|(step_id, step)| json!({
                    "id": step_id,
                    "pickleStepId": step.id,
                    "stepDefinitionIds": [],
                    "stepMatchArgumentsLists": [],
                })).collect::<Vec<_>>(),
            }),
        );
        test_cases.push((id, steps.into_iter().map(|(id, _)| id).collect::<Vec<_>>()));
    }

    let mut now = start_ns;
    for (case, (case_id, step_ids)) in cases.iter().zip(&test_cases) {
        now = execute(&mut out, &mut ids, case, case_id, step_ids, now);
    }
    // The run's wall time: scenarios that ran side by side add up to more than it, so the last
    // test case may seem to end after the run; the run's duration is what readers look at.
    let finished = match report.duration_ms {
        0 => now,
        ms => start_ns.saturating_add(ms.saturating_mul(1_000_000)),
    };
    out.push(
        "testRunFinished",
        json!({
            "testRunStartedId": run_id,
            "success": report.passed(),
            "timestamp": timestamp(finished),
        }),
    );
    out.0
}

/// The output: one envelope per line.
#[derive(Default)]
struct Envelopes(String);

impl Envelopes {
    /// Appends `{ key: message }` as one line.
    fn push(&mut self, key: &str, message: Value) {
        let mut envelope = serde_json::Map::new();
        envelope.insert(key.to_owned(), message);
        // Serializing a `Value` cannot fail.
        self.0
            .push_str(&serde_json::to_string(&envelope).unwrap_or_default());
        self.0.push('\n');
    }
}

/// Deterministic ids: a counter shared by every kind of message.
#[derive(Default)]
struct Ids(u64);

impl Ids {
    fn next(&mut self) -> String {
        let id = self.0;
        self.0 += 1;
        id.to_string()
    }
}

/// The `meta` message.
fn meta() -> Value {
    json!({
        "protocolVersion": PROTOCOL_VERSION,
        "implementation": { "name": "gauntlet", "version": env!("CARGO_PKG_VERSION") },
        "runtime": { "name": "Rust" },
        "os": { "name": std::env::consts::OS },
        "cpu": { "name": std::env::consts::ARCH },
    })
}

/// A timestamp (or a duration) from nanoseconds.
fn timestamp(ns: u64) -> Value {
    json!({ "seconds": ns / 1_000_000_000, "nanos": ns % 1_000_000_000 })
}

// ---------------------------------------------------------------------------------------------
// Gherkin documents

/// A feature file: its source, its AST as a `gherkinDocument` (or why it did not parse) and the
/// scenarios in it, with the ids their pickles refer to.
struct Doc {
    uri: String,
    text: String,
    language: String,
    ast: Result<Value, String>,
    scenarios: Vec<ScenarioNode>,
    /// Scenario line or example row line → what is there, most likely first.
    by_line: HashMap<usize, Vec<Place>>,
}

/// A scenario (or outline) of the AST.
struct ScenarioNode {
    id: String,
    line: usize,
    column: usize,
    name: String,
    /// The feature's, the rule's and its own tags.
    tags: Vec<TagNode>,
    /// The feature's then the rule's background steps.
    background: Vec<StepNode>,
    steps: Vec<StepNode>,
    examples: Vec<ExamplesNode>,
}

/// A step of the AST.
#[derive(Clone)]
struct StepNode {
    id: String,
    line: usize,
    text: String,
    /// The pickle step type: `Context`, `Action`, `Outcome` or `Unknown`.
    kind: &'static str,
    doc_string: Option<String>,
    table: Option<Vec<Vec<String>>>,
}

/// A tag of the AST.
#[derive(Clone)]
struct TagNode {
    id: String,
    /// With its `@`.
    name: String,
}

/// An `Examples` block.
struct ExamplesNode {
    line: usize,
    tags: Vec<TagNode>,
    header: Vec<String>,
    rows: Vec<RowNode>,
}

/// A row of an examples table.
struct RowNode {
    id: String,
    line: usize,
    column: usize,
    cells: Vec<String>,
}

/// A scenario of a document and maybe one of its example rows: (scenario, (examples, row)).
type Place = (usize, Option<(usize, usize)>);

/// Where a scenario outcome sits: its document, scenario and example row (examples, row).
#[derive(Clone, Copy)]
struct Target {
    doc: usize,
    scenario: usize,
    row: Option<(usize, usize)>,
}

impl Doc {
    /// Parses a feature file and builds its AST, numbering its nodes.
    fn parse(uri: &str, text: &str, ids: &mut Ids) -> Self {
        let mut doc = Self {
            uri: uri.to_owned(),
            text: text.to_owned(),
            language: language(text),
            ast: Err(String::new()),
            scenarios: Vec::new(),
            by_line: HashMap::new(),
        };
        match gherkin::Feature::parse(text, gherkin::GherkinEnv::default()) {
            Ok(feature) => {
                let lines = Lines::new(text);
                let feature = AstBuilder {
                    lines: &lines,
                    ids,
                    scenarios: &mut doc.scenarios,
                    language: &doc.language,
                }
                .feature(&feature);
                doc.ast = Ok(json!({
                    "uri": uri,
                    "feature": feature,
                    "comments": comments(&lines),
                }));
                doc.index();
            }
            Err(error) => doc.ast = Err(parse_error(uri, &error)),
        }
        doc
    }

    /// Fills `by_line`: first the line cucumber-rs gives an example row (the `Examples` line
    /// plus 2 plus the row's index), then the row's real line, then scenario lines.
    fn index(&mut self) {
        let mut by_line: HashMap<usize, Vec<Place>> = HashMap::new();
        for (s, scenario) in self.scenarios.iter().enumerate() {
            for (e, examples) in scenario.examples.iter().enumerate() {
                for r in 0..examples.rows.len() {
                    let line = examples.line + 2 + r;
                    by_line.entry(line).or_default().push((s, Some((e, r))));
                }
            }
        }
        for (s, scenario) in self.scenarios.iter().enumerate() {
            for (e, examples) in scenario.examples.iter().enumerate() {
                for (r, row) in examples.rows.iter().enumerate() {
                    by_line.entry(row.line).or_default().push((s, Some((e, r))));
                }
            }
        }
        for (s, scenario) in self.scenarios.iter().enumerate() {
            by_line.entry(scenario.line).or_default().push((s, None));
        }
        self.by_line = by_line;
    }

    /// The scenario's name with an example row's values in place of its placeholders.
    fn name_of(&self, scenario: usize, row: Option<(usize, usize)>) -> String {
        let node = &self.scenarios[scenario];
        match row {
            Some((e, r)) => {
                let examples = &node.examples[e];
                substitute(&node.name, &examples.header, &examples.rows[r].cells)
            }
            None => node.name.clone(),
        }
    }
}

/// Builds the `gherkinDocument` AST of one feature and collects its scenarios.
struct AstBuilder<'a> {
    lines: &'a Lines<'a>,
    ids: &'a mut Ids,
    scenarios: &'a mut Vec<ScenarioNode>,
    language: &'a str,
}

impl AstBuilder<'_> {
    fn feature(&mut self, feature: &gherkin::Feature) -> Value {
        let (tags, tag_nodes) = self.tags(&feature.tags, feature.position.line);
        let mut children = Vec::new();
        let mut background = Vec::new();
        if let Some(bg) = &feature.background {
            let (value, steps) = self.background(bg);
            children.push(json!({ "background": value }));
            background = steps;
        }
        for scenario in &feature.scenarios {
            let value = self.scenario(scenario, &tag_nodes, &background);
            children.push(json!({ "scenario": value }));
        }
        for rule in &feature.rules {
            let value = self.rule(rule, &tag_nodes, &background);
            children.push(json!({ "rule": value }));
        }
        json!({
            "location": self.lines.location(feature.position.line),
            "tags": tags,
            "language": self.language,
            "keyword": feature.keyword,
            "name": feature.name,
            "description": feature.description.clone().unwrap_or_default(),
            "children": children,
        })
    }

    fn rule(
        &mut self,
        rule: &gherkin::Rule,
        inherited: &[TagNode],
        feature_background: &[StepNode],
    ) -> Value {
        let (tags, own) = self.tags(&rule.tags, rule.position.line);
        let tag_nodes: Vec<TagNode> = inherited.iter().chain(&own).cloned().collect();
        let mut children = Vec::new();
        let mut background = feature_background.to_vec();
        if let Some(bg) = &rule.background {
            let (value, steps) = self.background(bg);
            children.push(json!({ "background": value }));
            background.extend(steps);
        }
        for scenario in &rule.scenarios {
            let value = self.scenario(scenario, &tag_nodes, &background);
            children.push(json!({ "scenario": value }));
        }
        json!({
            "id": self.ids.next(),
            "location": self.lines.location(rule.position.line),
            "tags": tags,
            "keyword": rule.keyword,
            "name": rule.name,
            "description": rule.description.clone().unwrap_or_default(),
            "children": children,
        })
    }

    fn background(&mut self, background: &gherkin::Background) -> (Value, Vec<StepNode>) {
        let (steps, nodes) = self.steps(&background.steps);
        let value = json!({
            "id": self.ids.next(),
            "location": self.lines.location(background.position.line),
            "keyword": background.keyword,
            "name": background.name,
            "description": background.description.clone().unwrap_or_default(),
            "steps": steps,
        });
        (value, nodes)
    }

    fn scenario(
        &mut self,
        scenario: &gherkin::Scenario,
        inherited: &[TagNode],
        background: &[StepNode],
    ) -> Value {
        let (tags, own) = self.tags(&scenario.tags, scenario.position.line);
        let (steps, step_nodes) = self.steps(&scenario.steps);
        let mut examples = Vec::new();
        let mut examples_nodes = Vec::new();
        for block in &scenario.examples {
            let (value, node) = self.examples(block);
            examples.push(value);
            examples_nodes.push(node);
        }
        let id = self.ids.next();
        let line = scenario.position.line;
        self.scenarios.push(ScenarioNode {
            id: id.clone(),
            line,
            column: self.lines.indent(line),
            name: scenario.name.clone(),
            tags: inherited.iter().chain(&own).cloned().collect(),
            background: background.to_vec(),
            steps: step_nodes,
            examples: examples_nodes,
        });
        json!({
            "id": id,
            "location": self.lines.location(line),
            "tags": tags,
            "keyword": scenario.keyword,
            "name": scenario.name,
            "description": scenario.description.clone().unwrap_or_default(),
            "steps": steps,
            "examples": examples,
        })
    }

    fn examples(&mut self, examples: &gherkin::Examples) -> (Value, ExamplesNode) {
        let line = examples.position.line;
        let (tags, tag_nodes) = self.tags(&examples.tags, line);
        let rows = examples
            .table
            .as_ref()
            .map(|t| t.rows.as_slice())
            .unwrap_or_default();
        let from = examples
            .table
            .as_ref()
            .map_or(line + 1, |t| t.position.line.max(line + 1));
        let mut values = self.table_rows(rows, from);
        let mut node = ExamplesNode {
            line,
            tags: tag_nodes,
            header: rows.first().cloned().unwrap_or_default(),
            rows: Vec::new(),
        };
        let header = (!values.is_empty()).then(|| values.remove(0));
        for (row, (value, place)) in rows.iter().skip(1).zip(&values) {
            node.rows.push(RowNode {
                id: value["id"].as_str().unwrap_or_default().to_owned(),
                line: place.line,
                column: place.column,
                cells: row.clone(),
            });
        }
        let mut value = json!({
            "id": self.ids.next(),
            "location": self.lines.location(line),
            "tags": tags,
            "keyword": examples.keyword,
            "name": examples.name.clone().unwrap_or_default(),
            "description": examples.description.clone().unwrap_or_default(),
            "tableBody": values.into_iter().map(|(v, _)| v).collect::<Vec<_>>(),
        });
        if let Some((header, _)) = header {
            value["tableHeader"] = header;
        }
        (value, node)
    }

    /// The tags written above `line`, as AST nodes.
    fn tags(&mut self, names: &[String], line: usize) -> (Vec<Value>, Vec<TagNode>) {
        let places = tag_places(self.lines, line, names);
        let mut values = Vec::new();
        let mut nodes = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let (line, column) = places
                .as_ref()
                .map_or((line.saturating_sub(1).max(1), 1), |p| p[i]);
            let node = TagNode {
                id: self.ids.next(),
                name: format!("@{name}"),
            };
            values.push(json!({
                "location": { "line": line, "column": column },
                "name": node.name,
                "id": node.id,
            }));
            nodes.push(node);
        }
        (values, nodes)
    }

    fn steps(&mut self, steps: &[gherkin::Step]) -> (Vec<Value>, Vec<StepNode>) {
        let mut values = Vec::new();
        let mut nodes = Vec::new();
        for step in steps {
            let (value, node) = self.step(step);
            values.push(value);
            nodes.push(node);
        }
        (values, nodes)
    }

    fn step(&mut self, step: &gherkin::Step) -> (Value, StepNode) {
        let line = step.position.line;
        let kind = match step.ty {
            gherkin::StepType::Given => "Context",
            gherkin::StepType::When => "Action",
            gherkin::StepType::Then => "Outcome",
        };
        let keyword_type = match step.keyword.trim() {
            "*" => "Unknown",
            "And" | "But" => "Conjunction",
            _ => kind,
        };
        let mut value = json!({
            "location": self.lines.location(line),
            "keyword": step.keyword,
            "keywordType": keyword_type,
            "text": step.value,
        });
        if let Some(content) = &step.docstring {
            let (location, delimiter, media_type) = doc_string_place(self.lines, line);
            value["docString"] = json!({
                "location": location,
                "content": content,
                "delimiter": delimiter,
            });
            if let Some(media_type) = media_type {
                value["docString"]["mediaType"] = json!(media_type);
            }
        }
        if let Some(table) = &step.table {
            let from = table.position.line.max(line + 1);
            let rows = self.table_rows(&table.rows, from);
            let location = rows.first().map_or_else(
                || json!({ "line": from, "column": 1 }),
                |(v, _)| v["location"].clone(),
            );
            value["dataTable"] = json!({
                "location": location,
                "rows": rows.into_iter().map(|(v, _)| v).collect::<Vec<_>>(),
            });
        }
        let id = self.ids.next();
        value["id"] = json!(id);
        let node = StepNode {
            id,
            line,
            text: step.value.clone(),
            kind,
            doc_string: step.docstring.clone(),
            table: step.table.as_ref().map(|t| t.rows.clone()),
        };
        (value, node)
    }

    /// `TableRow` nodes for a table's rows, found in the text from line `from` on.
    fn table_rows(&mut self, rows: &[Vec<String>], from: usize) -> Vec<(Value, RowPlace)> {
        let places = row_places(self.lines, from, rows.len());
        rows.iter()
            .zip(places)
            .map(|(cells, place)| {
                let cells: Vec<Value> = cells
                    .iter()
                    .enumerate()
                    .map(|(i, cell)| {
                        let column = place.cells.get(i).copied().unwrap_or(place.column);
                        json!({
                            "location": { "line": place.line, "column": column },
                            "value": cell,
                        })
                    })
                    .collect();
                let value = json!({
                    "id": self.ids.next(),
                    "location": { "line": place.line, "column": place.column },
                    "cells": cells,
                });
                (value, place)
            })
            .collect()
    }
}

/// A parse error's message. gherkin prints the tokens it expected from a `HashSet`, in an order
/// that changes from run to run: they are sorted here.
fn parse_error(uri: &str, error: &gherkin::ParseError) -> String {
    let text = error.to_string();
    match text.split_once(": {") {
        Some((at, expected)) => {
            let mut expected: Vec<&str> = expected.trim_end_matches('}').split(", ").collect();
            expected.sort_unstable();
            format!("{uri}: {at}: expected one of {}", expected.join(", "))
        }
        None => format!("{uri}: {text}"),
    }
}

/// The `# language:` of a feature file, `en` without one.
fn language(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .and_then(|l| l.strip_prefix('#'))
        .and_then(|l| l.trim().strip_prefix("language"))
        .and_then(|l| l.trim().strip_prefix(':'))
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "en".to_owned())
}

/// The text's lines, numbered from 1.
struct Lines<'a>(Vec<&'a str>);

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self(
            text.split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .collect(),
        )
    }

    /// Line `n` (from 1); empty past the end.
    fn get(&self, n: usize) -> &'a str {
        n.checked_sub(1)
            .and_then(|i| self.0.get(i))
            .copied()
            .unwrap_or_default()
    }

    /// The column (from 1, in characters) of the first non-blank character of line `n`.
    fn indent(&self, n: usize) -> usize {
        self.get(n)
            .chars()
            .take_while(|c| c.is_whitespace())
            .count()
            + 1
    }

    /// The location of what starts line `n` (a keyword).
    fn location(&self, n: usize) -> Value {
        json!({ "line": n, "column": self.indent(n) })
    }

    fn is_blank_or_comment(&self, n: usize) -> bool {
        let line = self.get(n).trim_start();
        line.is_empty() || line.starts_with('#')
    }
}

/// Words of a line with the column (from 1, in characters) each starts at.
fn words(line: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (column, (byte, c)) in line.char_indices().enumerate() {
        match (c.is_whitespace(), start) {
            (true, Some((at, from))) => {
                words.push((at, &line[from..byte]));
                start = None;
            }
            (false, None) => start = Some((column + 1, byte)),
            _ => {}
        }
    }
    if let Some((at, from)) = start {
        words.push((at, &line[from..]));
    }
    words
}

/// Where the tags above line `line` are written, (line, column) for each of `names`, in order;
/// `None` when the lines above do not end with exactly these tags.
fn tag_places(lines: &Lines<'_>, line: usize, names: &[String]) -> Option<Vec<(usize, usize)>> {
    if names.is_empty() {
        return Some(Vec::new());
    }
    let mut found: Vec<(usize, usize, &str)> = Vec::new();
    let mut n = line;
    while n > 1 && found.len() < names.len() {
        n -= 1;
        if lines.is_blank_or_comment(n) {
            continue;
        }
        if !lines.get(n).trim_start().starts_with('@') {
            break;
        }
        let on_line: Vec<(usize, usize, &str)> = words(lines.get(n))
            .into_iter()
            .take_while(|(_, w)| !w.starts_with('#'))
            .filter_map(|(column, w)| Some((n, column, w.strip_prefix('@')?)))
            .collect();
        found.splice(0..0, on_line);
    }
    let tail = &found[found.len().checked_sub(names.len())?..];
    tail.iter()
        .zip(names)
        .all(|((_, _, found), name)| found == name)
        .then(|| tail.iter().map(|&(l, c, _)| (l, c)).collect())
}

/// Where a table row is: its line, the column of its first `|` and of each cell's value.
struct RowPlace {
    line: usize,
    column: usize,
    cells: Vec<usize>,
}

/// The places of `count` table rows written from line `from` on (blank and comment lines
/// skipped); rows not found there are placed on the following lines.
fn row_places(lines: &Lines<'_>, from: usize, count: usize) -> Vec<RowPlace> {
    let mut places = Vec::new();
    let mut n = from;
    while places.len() < count && n <= lines.0.len() {
        let text = lines.get(n);
        if text.trim_start().starts_with('|') {
            places.push(RowPlace {
                line: n,
                column: lines.indent(n),
                cells: cell_columns(text),
            });
        } else if !lines.is_blank_or_comment(n) {
            break;
        }
        n += 1;
    }
    while places.len() < count {
        let line = places.last().map_or(from, |p| p.line + 1);
        places.push(RowPlace {
            line,
            column: 1,
            cells: Vec::new(),
        });
    }
    places
}

/// The column (from 1, in characters) of each cell's value in a table row: its first non-blank
/// character, or the character after its `|` when it is empty.
fn cell_columns(row: &str) -> Vec<usize> {
    let chars: Vec<char> = row.chars().collect();
    let Some(mut i) = chars.iter().position(|&c| c == '|') else {
        return Vec::new();
    };
    let mut columns = Vec::new();
    i += 1;
    loop {
        let start = i;
        let mut first = None;
        while i < chars.len() && chars[i] != '|' {
            if first.is_none() && !chars[i].is_whitespace() {
                first = Some(i);
            }
            i += if chars[i] == '\\' { 2 } else { 1 };
        }
        if i >= chars.len() {
            return columns;
        }
        columns.push(first.unwrap_or(start) + 1);
        i += 1;
    }
}

/// A step's doc string: the location of its opening delimiter, the delimiter and its media type.
fn doc_string_place(lines: &Lines<'_>, step_line: usize) -> (Value, &'static str, Option<String>) {
    let mut n = step_line + 1;
    while n <= lines.0.len() && lines.get(n).trim().is_empty() {
        n += 1;
    }
    let text = lines.get(n).trim_start();
    for delimiter in ["\"\"\"", "```"] {
        if let Some(rest) = text.strip_prefix(delimiter) {
            let media_type = Some(rest.trim().to_owned()).filter(|m| !m.is_empty());
            return (lines.location(n), delimiter, media_type);
        }
    }
    (
        json!({ "line": step_line + 1, "column": 1 }),
        "\"\"\"",
        None,
    )
}

/// The comments of a feature file (lines starting with `#`, outside doc strings).
fn comments(lines: &Lines<'_>) -> Vec<Value> {
    let mut comments = Vec::new();
    let mut in_doc_string: Option<&str> = None;
    for (i, text) in lines.0.iter().enumerate() {
        let trimmed = text.trim_start();
        if let Some(delimiter) = in_doc_string {
            if trimmed.starts_with(delimiter) {
                in_doc_string = None;
            }
            continue;
        }
        if let Some(delimiter) = ["\"\"\"", "```"]
            .into_iter()
            .find(|d| trimmed.starts_with(d))
        {
            in_doc_string = Some(delimiter);
        } else if trimmed.starts_with('#') {
            comments.push(json!({
                "location": { "line": i + 1, "column": 1 },
                "text": text,
            }));
        }
    }
    comments
}

/// `text` with each `<name>` of the header replaced by the row's value (one pass, as
/// cucumber-rs does: a value is never substituted again).
fn substitute(text: &str, header: &[String], row: &[String]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('>').and_then(|close| {
            let name = &after[..close];
            let i = header.iter().position(|h| h == name)?;
            Some((row.get(i)?, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// From outcomes to the AST

/// Where an outcome's scenario is: by file and line (the scenario's, or the example row's as
/// cucumber-rs numbers it, or its real line), the name deciding between candidates; failing
/// that by name alone.
fn resolve(docs: &[Doc], outcome: &ScenarioOutcome) -> Option<Target> {
    let (d, doc) = docs
        .iter()
        .enumerate()
        .find(|(_, doc)| doc.uri == outcome.file && doc.ast.is_ok())?;
    let at = |&(scenario, row): &Place| Target {
        doc: d,
        scenario,
        row,
    };
    if let Some(candidates) = doc.by_line.get(&outcome.line) {
        let named = candidates
            .iter()
            .find(|&&(s, row)| doc.name_of(s, row) == outcome.name);
        return Some(at(named.unwrap_or(&candidates[0])));
    }
    let mut all = doc.by_line.values().flatten().collect::<Vec<_>>();
    all.sort_by_key(|&&(s, row)| (s, row));
    all.into_iter()
        .find(|&&(s, row)| doc.name_of(s, row) == outcome.name)
        .map(at)
}

/// Gives the outcomes not found in any document a reconstructed one per file: a feature with
/// those scenarios and their steps as the outcome has them.
fn reconstruct(
    report: &RunReport,
    docs: &mut Vec<Doc>,
    targets: &mut [Option<Target>],
    ids: &mut Ids,
) {
    let mut files: Vec<&str> = Vec::new();
    for (outcome, target) in report.scenarios.iter().zip(targets.iter()) {
        if target.is_none() && !files.contains(&outcome.file.as_str()) {
            files.push(&outcome.file);
        }
    }
    for file in files {
        let mut uri = if file.is_empty() {
            "unknown.feature".to_owned()
        } else {
            file.to_owned()
        };
        while docs.iter().any(|d| d.uri == uri) {
            uri.push_str(" (as run)");
        }
        let lost: Vec<usize> = (0..report.scenarios.len())
            .filter(|&i| targets[i].is_none() && report.scenarios[i].file == file)
            .collect();
        let one_line = |s: &str| s.replace(['\r', '\n'], " ");
        let mut text = format!(
            "Feature: {}\n",
            one_line(&report.scenarios[lost[0]].feature)
        );
        let mut lines = Vec::new();
        for &i in &lost {
            let outcome = &report.scenarios[i];
            text.push('\n');
            lines.push(text.lines().count() + 1);
            let _ = writeln!(text, "  Scenario: {}", one_line(&outcome.name));
            for step in &outcome.steps {
                let keyword = match step.keyword.trim() {
                    k @ ("Given" | "When" | "Then" | "And" | "But") => k,
                    _ => "*",
                };
                let _ = writeln!(text, "    {keyword} {}", one_line(&step.text));
            }
        }
        let doc = Doc::parse(&uri, &text, ids);
        let d = docs.len();
        for (&i, line) in lost.iter().zip(lines) {
            targets[i] = doc
                .scenarios
                .iter()
                .position(|s| s.line == line)
                .map(|scenario| Target {
                    doc: d,
                    scenario,
                    row: None,
                });
        }
        docs.push(doc);
    }
}

/// A pickle step as the test case runs it.
struct PickleStep {
    id: String,
    status: StepStatus,
    error: Option<String>,
}

/// A scenario outcome with its pickle.
struct Case<'a> {
    outcome: &'a ScenarioOutcome,
    pickle_id: String,
    steps: Vec<PickleStep>,
}

/// The pickle of an outcome: its steps are the outcome's (placed by line among the background's
/// and the scenario's AST steps), or the AST's when the outcome has none (a scenario that did not
/// apply and never ran).
fn pickle<'a>(
    doc: &Doc,
    target: Target,
    outcome: &'a ScenarioOutcome,
    ids: &mut Ids,
) -> (Value, Case<'a>) {
    let scenario = &doc.scenarios[target.scenario];
    let row = target.row.map(|(e, r)| {
        let examples = &scenario.examples[e];
        (examples, &examples.rows[r])
    });
    let row_id = row.map(|(_, r)| r.id.clone());
    let fill = |text: &str, own: bool| match row {
        Some((examples, r)) if own => substitute(text, &examples.header, &r.cells),
        _ => text.to_owned(),
    };
    // The AST steps, background first; `true` for the scenario's own (filled from the row).
    let ast: Vec<(&StepNode, bool)> = scenario
        .background
        .iter()
        .map(|s| (s, false))
        .chain(scenario.steps.iter().map(|s| (s, true)))
        .collect();
    let mut chosen: Vec<(&StepNode, bool, String, StepStatus, Option<String>)> = Vec::new();
    if outcome.steps.is_empty() {
        for &(node, own) in &ast {
            chosen.push((node, own, fill(&node.text, own), StepStatus::Skipped, None));
        }
        let statuses = derived_statuses(outcome.status, chosen.len());
        for (step, status) in chosen.iter_mut().zip(statuses) {
            step.3 = status;
        }
    } else {
        for (i, step) in outcome.steps.iter().enumerate() {
            let node = ast
                .iter()
                .find(|(n, _)| n.line == step.line)
                .or_else(|| ast.get(i));
            if let Some(&(node, own)) = node {
                chosen.push((
                    node,
                    own,
                    step.text.clone(),
                    step.status,
                    step.error.clone(),
                ));
            }
        }
    }

    let mut steps = Vec::new();
    let mut values = Vec::new();
    for (node, own, text, status, error) in chosen {
        let id = ids.next();
        let mut ast_ids = vec![node.id.clone()];
        if own && let Some(row_id) = &row_id {
            ast_ids.push(row_id.clone());
        }
        let mut value = json!({
            "id": id,
            "text": text,
            "type": node.kind,
            "astNodeIds": ast_ids,
        });
        if let Some(content) = &node.doc_string {
            value["argument"] = json!({ "docString": { "content": fill(content, own) } });
        } else if let Some(table) = node
            .table
            .as_ref()
            .filter(|t| t.iter().all(|r| !r.is_empty()))
        {
            let rows: Vec<Value> = table
                .iter()
                .map(|r| {
                    let cells: Vec<Value> =
                        r.iter().map(|c| json!({ "value": fill(c, own) })).collect();
                    json!({ "cells": cells })
                })
                .collect();
            value["argument"] = json!({ "dataTable": { "rows": rows } });
        }
        values.push(value);
        steps.push(PickleStep { id, status, error });
    }

    let tags: Vec<Value> = scenario
        .tags
        .iter()
        .chain(row.iter().flat_map(|(examples, _)| &examples.tags))
        .map(|t| json!({ "name": t.name, "astNodeId": t.id }))
        .collect();
    let (line, column) = row.map_or((scenario.line, scenario.column), |(_, r)| {
        (r.line, r.column)
    });
    let mut ast_ids = vec![scenario.id.clone()];
    ast_ids.extend(row_id);
    let pickle_id = ids.next();
    let value = json!({
        "id": pickle_id,
        "uri": doc.uri,
        "location": { "line": line, "column": column },
        "name": outcome.name,
        "language": doc.language,
        "steps": values,
        "tags": tags,
        "astNodeIds": ast_ids,
    });
    let case = Case {
        outcome,
        pickle_id,
        steps,
    };
    (value, case)
}

/// Step statuses for an outcome that recorded no steps: all passed, the first failed and the
/// rest skipped, or all skipped.
fn derived_statuses(status: Status, count: usize) -> Vec<StepStatus> {
    (0..count)
        .map(|i| match status {
            Status::Passed => StepStatus::Passed,
            Status::Failed if i == 0 => StepStatus::Failed,
            Status::Failed | Status::Skipped => StepStatus::Skipped,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Execution

/// The wire name of a step status.
fn status_name(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Passed => "PASSED",
        StepStatus::Failed => "FAILED",
        StepStatus::Skipped => "SKIPPED",
        StepStatus::Undefined => "UNDEFINED",
        StepStatus::Ambiguous => "AMBIGUOUS",
    }
}

/// One result per pickle step, and the step that carries the evidence. A scenario that did not
/// apply has only skipped steps, the reason on the first; a failed scenario none of whose steps
/// failed (a hook failed) has its first skipped step (or its last step) failed with the
/// explanation, so the test case reads as failed, as the report says.
fn results(case: &Case<'_>) -> (Vec<(StepStatus, Option<String>)>, Option<usize>) {
    let outcome = case.outcome;
    let mut results: Vec<(StepStatus, Option<String>)> = case
        .steps
        .iter()
        .map(|s| (s.status, s.error.clone()))
        .collect();
    let failing = |s: &StepStatus| {
        matches!(
            s,
            StepStatus::Failed | StepStatus::Undefined | StepStatus::Ambiguous
        )
    };
    let evidence = match outcome.status {
        Status::Skipped => {
            results.fill((StepStatus::Skipped, None));
            (!results.is_empty()).then_some(0)
        }
        Status::Passed => None,
        Status::Failed => {
            let at = results.iter().position(|(s, _)| failing(s)).or_else(|| {
                let at = results
                    .iter()
                    .position(|(s, _)| *s == StepStatus::Skipped)
                    .or(results.len().checked_sub(1))?;
                results[at].0 = StepStatus::Failed;
                Some(at)
            });
            if let Some(at) = at
                && results[at].1.is_none()
            {
                results[at].1.clone_from(&outcome.explanation);
            }
            at
        }
    };
    if outcome.status == Status::Skipped
        && let Some(first) = results.first_mut()
    {
        first.1 = Some(
            outcome
                .explanation
                .clone()
                .unwrap_or_else(|| "not applicable".to_owned()),
        );
    }
    (results, evidence)
}

/// A test case's run from `start` (ns since the epoch): its steps share the scenario's duration
/// (the steps that ran, evenly), the evidence attached to its step. Returns when it finished.
fn execute(
    out: &mut Envelopes,
    ids: &mut Ids,
    case: &Case<'_>,
    case_id: &str,
    step_ids: &[String],
    start: u64,
) -> u64 {
    let outcome = case.outcome;
    let started_id = ids.next();
    out.push(
        "testCaseStarted",
        json!({
            "id": started_id,
            "testCaseId": case_id,
            "attempt": 0,
            "timestamp": timestamp(start),
        }),
    );
    let (results, evidence) = results(case);
    let total = outcome.duration_ms.saturating_mul(1_000_000);
    let ran = results
        .iter()
        .filter(|(s, _)| matches!(s, StepStatus::Passed | StepStatus::Failed))
        .count() as u64;
    let mut shared = 0;
    let mut now = start;
    for (i, ((status, message), step_id)) in results.iter().zip(step_ids).enumerate() {
        let duration = if matches!(status, StepStatus::Passed | StepStatus::Failed) {
            shared += 1;
            if shared == ran {
                total - (total / ran) * (ran - 1)
            } else {
                total / ran
            }
        } else {
            0
        };
        out.push(
            "testStepStarted",
            json!({ "testCaseStartedId": started_id, "testStepId": step_id, "timestamp": timestamp(now) }),
        );
        if evidence == Some(i) {
            for (media_type, file_name, body) in attachments(outcome) {
                out.push(
                    "attachment",
                    json!({
                        "testCaseStartedId": started_id,
                        "testStepId": step_id,
                        "body": body,
                        "contentEncoding": "IDENTITY",
                        "mediaType": media_type,
                        "fileName": file_name,
                        "timestamp": timestamp(now),
                    }),
                );
            }
        }
        now = now.saturating_add(duration);
        let mut result = json!({ "status": status_name(*status), "duration": timestamp(duration) });
        if let Some(message) = message {
            result["message"] = json!(message);
        }
        out.push(
            "testStepFinished",
            json!({
                "testCaseStartedId": started_id,
                "testStepId": step_id,
                "testStepResult": result,
                "timestamp": timestamp(now),
            }),
        );
    }
    let finished = now.max(start.saturating_add(total));
    out.push(
        "testCaseFinished",
        json!({ "testCaseStartedId": started_id, "timestamp": timestamp(finished), "willBeRetried": false }),
    );
    finished
}

/// The attachments of a failed or not applicable scenario: (media type, file name, body).
fn attachments(outcome: &ScenarioOutcome) -> Vec<(&'static str, &'static str, String)> {
    let mut attachments = Vec::new();
    if let Some(explanation) = &outcome.explanation {
        let name = match outcome.status {
            Status::Skipped => "not-applicable.txt",
            _ => "what-went-wrong.txt",
        };
        attachments.push(("text/plain", name, explanation.clone()));
    }
    if !outcome.exchanges.is_empty() {
        attachments.push((
            "text/plain",
            "http-exchanges.txt",
            exchanges_text(&outcome.exchanges),
        ));
        let json = serde_json::to_string_pretty(&outcome.exchanges).unwrap_or_default();
        attachments.push(("application/json", "http-exchanges.json", json));
    }
    attachments
}

/// The exchanges as an HTTP-like transcript, numbered.
fn exchanges_text(exchanges: &[Exchange]) -> String {
    let mut out = String::new();
    for (i, ex) in exchanges.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{}. {} → {} (+{} ms)",
            i + 1,
            ex.from.label(),
            ex.to.label(),
            ex.at_ms
        );
        let _ = writeln!(out, "{} {}", ex.method, ex.url);
        push_block(&mut out, &ex.request_headers, ex.request_body.as_deref());
        match ex.status {
            Some(status) => {
                let _ = writeln!(out, "← {status}");
            }
            None => out.push_str("← no response\n"),
        }
        push_block(&mut out, &ex.response_headers, ex.response_body.as_deref());
        if let Some(note) = &ex.note {
            let _ = writeln!(out, "Note: {note}");
        }
    }
    out
}

/// Headers and body (cut) followed by a line break, when there are any.
fn push_block(out: &mut String, headers: &[(String, String)], body: Option<&str>) {
    let text = message_text(headers, body);
    if !text.is_empty() {
        out.push_str(&text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use serde_json::Value;

    use super::super::model::{
        Exchange, FeatureSource, Gate, Party, RunReport, ScenarioOutcome, Status, StepOutcome,
        StepStatus, Strength,
    };
    use super::{PROTOCOL_VERSION, render};

    const FEATURE: &str = "\
# A comment before anything
@rfc6749
Feature: error handling
  Whatever goes wrong, the user is told.

  Background:
    Given the provider is up

  @must
  Scenario: A valid callback links the account
    Source: RFC 6749 §4.1.2
    When alice links her account
    Then alice is linked

  @must
  Scenario Outline: An error at the authorization endpoint: <error>
    Source: RFC 6749 §4.1.2.1
    Given the provider will answer the next authorization with <error>
    When alice links her account
    Then the platform tells alice that linking failed

    @errors   @more
    Examples: the errors
      | error         | note |
      | access_denied | a    |
      | server_error  | b\\|c |

  @should
  Scenario: A step nobody wrote
    When alice does something new

  @must @ocs
  Scenario: Only for OCS
    When alice links her account
      | key | value |
      | x   | y     |
";

    /// The line of the first line of `FEATURE` containing `needle`.
    fn line_of(needle: &str) -> usize {
        FEATURE
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("{needle:?} is not in the feature"))
    }

    fn step(keyword: &str, text: &str, status: StepStatus) -> StepOutcome {
        step_at(keyword, text, line_of(text), status)
    }

    fn step_at(keyword: &str, text: &str, line: usize, status: StepStatus) -> StepOutcome {
        StepOutcome {
            keyword: keyword.to_owned(),
            text: text.to_owned(),
            line,
            status,
            error: None,
        }
    }

    fn outcome(
        name: &str,
        line: usize,
        status: Status,
        steps: Vec<StepOutcome>,
    ) -> ScenarioOutcome {
        ScenarioOutcome {
            file: "client/errors.feature".to_owned(),
            line,
            feature: "error handling".to_owned(),
            name: name.to_owned(),
            tags: vec!["rfc6749".to_owned(), "must".to_owned()],
            source: String::new(),
            strength: Strength::Must,
            status,
            explanation: None,
            steps,
            duration_ms: 30,
            exchanges: Vec::new(),
        }
    }

    fn exchange(method: &str, url: &str, status: Option<u16>) -> Exchange {
        Exchange {
            at_ms: 5,
            from: Party::Browser,
            to: Party::Platform,
            method: method.to_owned(),
            url: url.to_owned(),
            request_headers: vec![("Cookie".to_owned(), "[redacted]".to_owned())],
            request_body: None,
            status,
            response_headers: vec![("Content-Type".to_owned(), "text/html".to_owned())],
            response_body: Some("<p>linked</p>".to_owned()),
            note: None,
        }
    }

    /// A passed scenario, a failed example row with evidence, an undefined step and a
    /// scenario that does not apply.
    fn report() -> RunReport {
        use StepStatus::{Failed, Passed, Undefined};
        let background = || step("Given ", "the provider is up", Passed);
        let passed = outcome(
            "A valid callback links the account",
            line_of("Scenario: A valid callback"),
            Status::Passed,
            vec![
                background(),
                step("When ", "alice links her account", Passed),
                step("Then ", "alice is linked", Passed),
            ],
        );
        // cucumber-rs numbers the second row of the outline's examples `Examples` + 2 + 1.
        let mut failed = outcome(
            "An error at the authorization endpoint: server_error",
            line_of("Examples:") + 3,
            Status::Failed,
            vec![
                background(),
                step_at(
                    "Given ",
                    "the provider will answer the next authorization with server_error",
                    line_of("Given the provider will answer"),
                    Passed,
                ),
                step_at(
                    "When ",
                    "alice links her account",
                    line_of("Given the provider will answer") + 1,
                    Passed,
                ),
                StepOutcome {
                    error: Some("expected an error page, got 200".to_owned()),
                    ..step(
                        "Then ",
                        "the platform tells alice that linking failed",
                        Failed,
                    )
                },
            ],
        );
        failed.explanation = Some("The platform said nothing about the failure".to_owned());
        failed.exchanges = vec![
            exchange(
                "GET",
                "https://platform.example/callback?error=server_error",
                Some(200),
            ),
            exchange("POST", "https://provider.example/token", None),
        ];
        let mut undefined = outcome(
            "A step nobody wrote",
            line_of("Scenario: A step nobody wrote"),
            Status::Failed,
            vec![
                background(),
                step("When ", "alice does something new", Undefined),
            ],
        );
        undefined.strength = Strength::Should;
        undefined.explanation = Some("a step has no definition in this Gauntlet".to_owned());
        let mut skipped = outcome(
            "Only for OCS",
            line_of("Scenario: Only for OCS"),
            Status::Skipped,
            Vec::new(),
        );
        skipped.explanation = Some("not applicable: OCS only".to_owned());
        RunReport {
            target: "reference (web)".to_owned(),
            direction: "client".to_owned(),
            started_unix_ms: 1_700_000_000_123,
            duration_ms: 500,
            gate: Gate::Must,
            shard: None,
            features: vec![FeatureSource {
                path: "client/errors.feature".to_owned(),
                text: FEATURE.to_owned(),
            }],
            scenarios: vec![passed, failed, undefined, skipped],
        }
    }

    /// The envelopes: (type, message), after checking each line is one JSON object with one key.
    fn envelopes(ndjson: &str) -> Vec<(String, Value)> {
        assert!(ndjson.ends_with('\n'));
        ndjson
            .lines()
            .map(|line| {
                let value: Value = serde_json::from_str(line).expect("each line is JSON");
                let object = value.as_object().expect("each line is an object");
                assert_eq!(object.len(), 1, "one key per envelope: {line}");
                let (key, message) = object.iter().next().unwrap();
                (key.clone(), message.clone())
            })
            .collect()
    }

    fn all<'a>(envelopes: &'a [(String, Value)], kind: &str) -> Vec<&'a Value> {
        envelopes
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, v)| v)
            .collect()
    }

    fn str_of(value: &Value) -> &str {
        value
            .as_str()
            .unwrap_or_else(|| panic!("{value} is not a string"))
    }

    /// Every object with an `id` in a gherkinDocument, by id.
    fn ast_nodes(value: &Value, nodes: &mut BTreeMap<String, Value>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(id)) = map.get("id") {
                    assert!(
                        nodes.insert(id.clone(), value.clone()).is_none(),
                        "AST id {id} twice"
                    );
                }
                map.values().for_each(|v| ast_nodes(v, nodes));
            }
            Value::Array(items) => items.iter().for_each(|v| ast_nodes(v, nodes)),
            _ => {}
        }
    }

    /// Checks that every id referred to exists (and every id is unique); returns the AST nodes.
    fn check_references(envelopes: &[(String, Value)]) -> BTreeMap<String, Value> {
        let mut nodes = BTreeMap::new();
        for doc in all(envelopes, "gherkinDocument") {
            ast_nodes(doc, &mut nodes);
        }
        let mut ids: BTreeSet<String> = nodes.keys().cloned().collect();
        let mut unique = |id: &Value| assert!(ids.insert(str_of(id).to_owned()), "id {id} twice");
        let mut pickle_steps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for pickle in all(envelopes, "pickle") {
            unique(&pickle["id"]);
            for id in pickle["astNodeIds"].as_array().unwrap() {
                assert!(nodes.contains_key(str_of(id)), "pickle refers to {id}");
            }
            for tag in pickle["tags"].as_array().unwrap() {
                let node = &nodes[str_of(&tag["astNodeId"])];
                assert_eq!(node["name"], tag["name"]);
            }
            let steps = pickle_steps
                .entry(str_of(&pickle["id"]).to_owned())
                .or_default();
            for step in pickle["steps"].as_array().unwrap() {
                unique(&step["id"]);
                steps.insert(str_of(&step["id"]).to_owned());
                let refs = step["astNodeIds"].as_array().unwrap();
                assert!(!refs.is_empty());
                for id in refs {
                    assert!(nodes.contains_key(str_of(id)), "pickle step refers to {id}");
                }
            }
        }
        let runs = all(envelopes, "testRunStarted");
        assert_eq!(runs.len(), 1);
        let run = str_of(&runs[0]["id"]).to_owned();
        unique(&runs[0]["id"]);
        let mut case_steps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for case in all(envelopes, "testCase") {
            unique(&case["id"]);
            assert_eq!(str_of(&case["testRunStartedId"]), run);
            let steps = &pickle_steps[str_of(&case["pickleId"])];
            let mine = case_steps
                .entry(str_of(&case["id"]).to_owned())
                .or_default();
            for test_step in case["testSteps"].as_array().unwrap() {
                unique(&test_step["id"]);
                mine.insert(str_of(&test_step["id"]).to_owned());
                assert!(steps.contains(str_of(&test_step["pickleStepId"])));
                assert_eq!(test_step["stepDefinitionIds"], serde_json::json!([]));
                assert_eq!(test_step["stepMatchArgumentsLists"], serde_json::json!([]));
            }
        }
        let mut started: BTreeMap<String, String> = BTreeMap::new();
        let mut finished = BTreeSet::new();
        for (kind, message) in envelopes {
            match kind.as_str() {
                "testCaseStarted" => {
                    unique(&message["id"]);
                    let case = str_of(&message["testCaseId"]);
                    assert!(case_steps.contains_key(case));
                    started.insert(str_of(&message["id"]).to_owned(), case.to_owned());
                }
                "testStepStarted" | "testStepFinished" | "attachment" => {
                    let case = &started[str_of(&message["testCaseStartedId"])];
                    assert!(!finished.contains(str_of(&message["testCaseStartedId"])));
                    assert!(case_steps[case].contains(str_of(&message["testStepId"])));
                }
                "testCaseFinished" => {
                    let id = str_of(&message["testCaseStartedId"]);
                    assert!(started.contains_key(id));
                    assert!(finished.insert(id.to_owned()), "finished twice");
                }
                "testRunFinished" => assert_eq!(str_of(&message["testRunStartedId"]), run),
                _ => {}
            }
        }
        assert_eq!(finished.len(), started.len());
        nodes
    }

    /// The `testStepFinished` statuses of each test case, in order.
    fn statuses(envelopes: &[(String, Value)]) -> Vec<Vec<String>> {
        let mut cases: Vec<(String, Vec<String>)> = Vec::new();
        for (kind, message) in envelopes {
            match kind.as_str() {
                "testCaseStarted" => cases.push((str_of(&message["id"]).to_owned(), Vec::new())),
                "testStepFinished" => {
                    let (id, steps) = cases.last_mut().unwrap();
                    assert_eq!(str_of(&message["testCaseStartedId"]), id);
                    steps.push(str_of(&message["testStepResult"]["status"]).to_owned());
                }
                _ => {}
            }
        }
        cases.into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn every_line_is_one_envelope_in_the_standard_order() {
        let envelopes = envelopes(&render(&report()));
        let kinds: Vec<&str> = envelopes.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            kinds[..8],
            [
                "meta",
                "source",
                "gherkinDocument",
                "pickle",
                "pickle",
                "pickle",
                "pickle",
                "testRunStarted"
            ]
        );
        assert_eq!(kinds[8..12], ["testCase"; 4]);
        assert_eq!(kinds[12], "testCaseStarted");
        assert_eq!(kinds.last(), Some(&"testRunFinished"));
        let meta = &envelopes[0].1;
        assert_eq!(meta["protocolVersion"], PROTOCOL_VERSION);
        assert_eq!(meta["implementation"]["name"], "gauntlet");
        assert_eq!(meta["implementation"]["version"], env!("CARGO_PKG_VERSION"));
        for key in ["runtime", "os", "cpu"] {
            assert!(meta[key]["name"].is_string(), "{key}");
        }
        let source = &envelopes[1].1;
        assert_eq!(source["uri"], "client/errors.feature");
        assert_eq!(source["data"], FEATURE);
        assert_eq!(source["mediaType"], "text/x.cucumber.gherkin+plain");
    }

    #[test]
    fn every_reference_resolves() {
        check_references(&envelopes(&render(&report())));
    }

    #[test]
    fn the_ast_has_the_features_keywords_positions_tags_and_tables() {
        let envelopes = envelopes(&render(&report()));
        let doc = all(&envelopes, "gherkinDocument")[0];
        assert_eq!(doc["uri"], "client/errors.feature");
        assert_eq!(doc["comments"][0]["location"]["line"], 1);
        let feature = &doc["feature"];
        assert_eq!(feature["keyword"], "Feature");
        assert_eq!(feature["name"], "error handling");
        assert_eq!(feature["language"], "en");
        assert_eq!(feature["location"]["line"], line_of("Feature:"));
        assert_eq!(feature["tags"][0]["name"], "@rfc6749");
        assert_eq!(feature["tags"][0]["location"]["line"], line_of("@rfc6749"));
        let children = feature["children"].as_array().unwrap();
        assert_eq!(children.len(), 5);
        let background = &children[0]["background"];
        assert_eq!(background["keyword"], "Background");
        assert_eq!(background["steps"][0]["keyword"], "Given ");
        assert_eq!(background["steps"][0]["keywordType"], "Context");
        assert_eq!(
            background["steps"][0]["location"],
            serde_json::json!({ "line": line_of("Given the provider is up"), "column": 5 })
        );
        let outline = &children[2]["scenario"];
        assert_eq!(outline["keyword"], "Scenario Outline");
        assert_eq!(outline["location"]["column"], 3);
        assert_eq!(outline["steps"][1]["keywordType"], "Action");
        let examples = &outline["examples"][0];
        assert_eq!(examples["keyword"], "Examples");
        assert_eq!(examples["name"], "the errors");
        let tag_line = line_of("@errors");
        assert_eq!(
            examples["tags"],
            serde_json::json!([
                { "location": { "line": tag_line, "column": 5 }, "name": "@errors", "id": examples["tags"][0]["id"] },
                { "location": { "line": tag_line, "column": 15 }, "name": "@more", "id": examples["tags"][1]["id"] },
            ])
        );
        assert_eq!(examples["tableHeader"]["cells"][1]["value"], "note");
        assert_eq!(
            examples["tableHeader"]["location"]["line"],
            line_of("| error")
        );
        let row = &examples["tableBody"][1];
        assert_eq!(
            row["location"],
            serde_json::json!({ "line": line_of("| server_error"), "column": 7 })
        );
        assert_eq!(row["cells"][0]["value"], "server_error");
        assert_eq!(row["cells"][0]["location"]["column"], 9);
        assert_eq!(row["cells"][1]["value"], "b|c");
        assert_eq!(row["cells"][1]["location"]["column"], 25);
        let ocs = &children[4]["scenario"];
        assert_eq!(ocs["tags"].as_array().unwrap().len(), 2);
        let table = &ocs["steps"][0]["dataTable"];
        assert_eq!(table["location"]["line"], line_of("| key"));
        assert_eq!(table["rows"][1]["cells"][1]["value"], "y");
    }

    #[test]
    fn pickles_point_at_their_scenario_row_and_steps() {
        let envelopes = envelopes(&render(&report()));
        let nodes = check_references(&envelopes);
        let pickles = all(&envelopes, "pickle");
        let node = |id: &Value| &nodes[str_of(id)];

        let plain = pickles[0];
        assert_eq!(plain["name"], "A valid callback links the account");
        assert_eq!(plain["language"], "en");
        assert_eq!(plain["uri"], "client/errors.feature");
        assert_eq!(plain["astNodeIds"].as_array().unwrap().len(), 1);
        assert_eq!(
            node(&plain["astNodeIds"][0])["name"],
            "A valid callback links the account"
        );
        let steps = plain["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 3);
        assert_eq!(
            node(&steps[0]["astNodeIds"][0])["text"],
            "the provider is up"
        );
        assert_eq!(steps[0]["type"], "Context");
        assert_eq!(steps[2]["type"], "Outcome");
        let tags: Vec<&Value> = plain["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| &t["name"])
            .collect();
        assert_eq!(tags, ["@rfc6749", "@must"]);

        let row = pickles[1];
        assert_eq!(
            row["name"],
            "An error at the authorization endpoint: server_error"
        );
        let ids = row["astNodeIds"].as_array().unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(node(&ids[0])["keyword"], "Scenario Outline");
        assert_eq!(node(&ids[1])["cells"][0]["value"], "server_error");
        assert_eq!(row["location"]["line"], line_of("| server_error"));
        let steps = row["steps"].as_array().unwrap();
        assert_eq!(
            steps[0]["astNodeIds"].as_array().unwrap().len(),
            1,
            "background step"
        );
        assert_eq!(
            steps[1]["astNodeIds"][1], ids[1],
            "outline step and its row"
        );
        assert_eq!(
            node(&steps[2]["astNodeIds"][0])["location"]["line"],
            line_of("Given the provider will answer") + 1,
            "the outline's When, not the plain scenario's"
        );
        assert_eq!(
            steps[1]["text"],
            "the provider will answer the next authorization with server_error"
        );
        let tags: Vec<&Value> = row["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| &t["name"])
            .collect();
        assert_eq!(tags, ["@rfc6749", "@must", "@errors", "@more"]);

        // The scenario that never ran: its steps come from the AST, the table included.
        let skipped = pickles[3];
        let steps = skipped["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[1]["text"], "alice links her account");
        assert_eq!(
            steps[1]["argument"]["dataTable"]["rows"][1],
            serde_json::json!({ "cells": [{ "value": "x" }, { "value": "y" }] })
        );
    }

    #[test]
    fn statuses_messages_and_attachments() {
        let envelopes = envelopes(&render(&report()));
        assert_eq!(
            statuses(&envelopes),
            [
                vec!["PASSED"; 3],
                vec!["PASSED", "PASSED", "PASSED", "FAILED"],
                vec!["PASSED", "UNDEFINED"],
                vec!["SKIPPED"; 2],
            ]
        );
        let finished = all(&envelopes, "testStepFinished");
        let failed = finished
            .iter()
            .find(|f| f["testStepResult"]["status"] == "FAILED")
            .unwrap();
        assert_eq!(
            failed["testStepResult"]["message"],
            "expected an error page, got 200"
        );
        let undefined = finished
            .iter()
            .find(|f| f["testStepResult"]["status"] == "UNDEFINED")
            .unwrap();
        assert_eq!(
            undefined["testStepResult"]["message"],
            "a step has no definition in this Gauntlet"
        );
        let reason = finished.iter().rev().nth(1).unwrap();
        assert_eq!(
            reason["testStepResult"]["message"],
            "not applicable: OCS only"
        );

        let attachments = all(&envelopes, "attachment");
        let on = |step: &Value| -> Vec<(String, String)> {
            attachments
                .iter()
                .filter(|a| a["testStepId"] == step["testStepId"])
                .map(|a| {
                    assert_eq!(a["contentEncoding"], "IDENTITY");
                    (
                        str_of(&a["mediaType"]).to_owned(),
                        str_of(&a["body"]).to_owned(),
                    )
                })
                .collect()
        };
        let evidence = on(failed);
        assert_eq!(evidence.len(), 3);
        assert_eq!(
            evidence[0],
            (
                "text/plain".to_owned(),
                "The platform said nothing about the failure".to_owned()
            )
        );
        assert_eq!(evidence[1].0, "text/plain");
        assert!(evidence[1].1.starts_with("1. Browser → Platform (+5 ms)\nGET https://platform.example/callback?error=server_error\nCookie: [redacted]\n← 200\n"), "{}", evidence[1].1);
        assert!(evidence[1].1.contains("← no response"));
        assert_eq!(evidence[2].0, "application/json");
        let json: Vec<Exchange> = serde_json::from_str(&evidence[2].1).unwrap();
        assert_eq!(json.len(), 2);
        assert_eq!(on(undefined).len(), 1);
        assert_eq!(
            on(reason),
            [(
                "text/plain".to_owned(),
                "not applicable: OCS only".to_owned()
            )]
        );
        assert_eq!(attachments.len(), 5);

        let run = all(&envelopes, "testRunFinished")[0];
        assert_eq!(run["success"], false);
    }

    #[test]
    fn times_follow_the_run() {
        let envelopes = envelopes(&render(&report()));
        let ns = |t: &Value| {
            t["seconds"].as_u64().unwrap() * 1_000_000_000 + t["nanos"].as_u64().unwrap()
        };
        let start = ns(&all(&envelopes, "testRunStarted")[0]["timestamp"]);
        assert_eq!(start, 1_700_000_000_123 * 1_000_000);
        let mut last = start;
        for (kind, message) in &envelopes {
            if kind.starts_with("test") && kind != "testCase" && kind != "testRunFinished" {
                let at = ns(&message["timestamp"]);
                assert!(at >= last, "{kind} goes back in time");
                last = at;
            }
        }
        // Four scenarios of 30 ms one after the other.
        assert_eq!(last, start + 4 * 30_000_000);
        let passed: u64 = all(&envelopes, "testStepFinished")[..3]
            .iter()
            .map(|f| ns(&f["testStepResult"]["duration"]))
            .sum();
        assert_eq!(passed, 30_000_000);
        let end = ns(&all(&envelopes, "testRunFinished")[0]["timestamp"]);
        assert_eq!(end, start + 500_000_000);
    }

    #[test]
    fn the_same_report_gives_the_same_bytes() {
        let report = report();
        assert_eq!(render(&report), render(&report));
        let mut passing = report.clone();
        passing.scenarios.retain(|s| s.status != Status::Failed);
        let envelopes = envelopes(&render(&passing));
        assert_eq!(all(&envelopes, "testRunFinished")[0]["success"], true);
    }

    #[test]
    fn scenarios_without_their_source_get_a_reconstructed_one() {
        let mut report = report();
        report.features.clear();
        let rebuilt = envelopes(&render(&report));
        check_references(&rebuilt);
        let sources = all(&rebuilt, "source");
        assert_eq!(sources.len(), 1);
        assert_eq!(sources[0]["uri"], "client/errors.feature");
        assert!(str_of(&sources[0]["data"]).contains("  Scenario: Only for OCS\n"));
        assert_eq!(all(&rebuilt, "pickle").len(), 4);
        assert_eq!(
            statuses(&rebuilt)[1],
            ["PASSED", "PASSED", "PASSED", "FAILED"]
        );

        // A line that is not in the file: found by name, else reconstructed beside it.
        let mut report = self::report();
        report.scenarios[0].line = 999;
        report.scenarios[2].line = 998;
        report.scenarios[2].name = "Renamed since".to_owned();
        let envelopes = envelopes(&render(&report));
        check_references(&envelopes);
        let uris: Vec<&Value> = all(&envelopes, "source")
            .iter()
            .map(|s| &s["uri"])
            .collect();
        assert_eq!(
            uris,
            ["client/errors.feature", "client/errors.feature (as run)"]
        );
        let pickles = all(&envelopes, "pickle");
        assert_eq!(pickles[0]["name"], "A valid callback links the account");
        assert_eq!(pickles[0]["uri"], "client/errors.feature");
        assert_eq!(pickles[3]["name"], "Renamed since");
        assert_eq!(pickles[3]["uri"], "client/errors.feature (as run)");
    }

    #[test]
    fn a_feature_that_does_not_parse_is_a_parse_error() {
        let mut report = report();
        report.features.push(FeatureSource {
            path: "client/broken.feature".to_owned(),
            text: "Feature: broken\n  Scenario: x\n    Given ok\n  | not | a table |\n nonsense\n"
                .to_owned(),
        });
        let first = render(&report);
        assert_eq!(first, render(&report));
        let envelopes = envelopes(&first);
        let errors = all(&envelopes, "parseError");
        assert_eq!(errors.len(), 1, "{first}");
        assert_eq!(errors[0]["source"]["uri"], "client/broken.feature");
        check_references(&envelopes);
    }

    #[test]
    fn a_failed_scenario_without_a_failed_step_fails_its_first_skipped_step() {
        let mut report = report();
        report.scenarios.truncate(1);
        let scenario = &mut report.scenarios[0];
        scenario.status = Status::Failed;
        scenario.explanation = Some("the scenario could not be set up".to_owned());
        for step in &mut scenario.steps {
            step.status = StepStatus::Skipped;
        }
        let envelopes = envelopes(&render(&report));
        assert_eq!(statuses(&envelopes), [["FAILED", "SKIPPED", "SKIPPED"]]);
        let finished = all(&envelopes, "testStepFinished");
        assert_eq!(
            finished[0]["testStepResult"]["message"],
            "the scenario could not be set up"
        );
    }
}
