//! The Gherkin documents: each feature file parsed into its `gherkinDocument` AST (or the parse
//! error), its nodes numbered, with the scenarios, steps, tags and example rows that pickles refer
//! to, and the outline placeholders filled from a row.

use std::collections::HashMap;

use cucumber::gherkin;
use serde_json::{Value, json};

use super::Ids;
use super::positions::{Lines, RowPlace, comments, doc_string_place, row_places, tag_places};

/// A feature file: its source, its AST as a `gherkinDocument` (or why it did not parse) and the
/// scenarios in it, with the ids their pickles refer to.
pub(super) struct Doc {
    pub(super) uri: String,
    pub(super) text: String,
    pub(super) language: String,
    pub(super) ast: Result<Value, String>,
    pub(super) scenarios: Vec<ScenarioNode>,
    /// Scenario line or example row line → what is there, most likely first.
    pub(super) by_line: HashMap<usize, Vec<Place>>,
}

/// A scenario (or outline) of the AST.
pub(super) struct ScenarioNode {
    pub(super) id: String,
    pub(super) line: usize,
    pub(super) column: usize,
    name: String,
    /// The feature's, the rule's and its own tags.
    pub(super) tags: Vec<TagNode>,
    /// The feature's then the rule's background steps.
    pub(super) background: Vec<StepNode>,
    pub(super) steps: Vec<StepNode>,
    pub(super) examples: Vec<ExamplesNode>,
}

/// A step of the AST.
#[derive(Clone)]
pub(super) struct StepNode {
    pub(super) id: String,
    pub(super) line: usize,
    pub(super) text: String,
    /// The pickle step type: `Context`, `Action`, `Outcome` or `Unknown`.
    pub(super) kind: &'static str,
    pub(super) doc_string: Option<String>,
    pub(super) table: Option<Vec<Vec<String>>>,
}

/// A tag of the AST.
#[derive(Clone)]
pub(super) struct TagNode {
    pub(super) id: String,
    /// With its `@`.
    pub(super) name: String,
}

/// An `Examples` block.
pub(super) struct ExamplesNode {
    line: usize,
    pub(super) tags: Vec<TagNode>,
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<RowNode>,
}

/// A row of an examples table.
pub(super) struct RowNode {
    pub(super) id: String,
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) cells: Vec<String>,
}

/// A scenario of a document and maybe one of its example rows: (scenario, (examples, row)).
pub(super) type Place = (usize, Option<(usize, usize)>);

impl Doc {
    /// Parses a feature file and builds its AST, numbering its nodes.
    pub(super) fn parse(uri: &str, text: &str, ids: &mut Ids) -> Self {
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
    pub(super) fn name_of(&self, scenario: usize, row: Option<(usize, usize)>) -> String {
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

/// `text` with each `<name>` of the header replaced by the row's value (one pass, as
/// cucumber-rs does: a value is never substituted again).
pub(super) fn substitute(text: &str, header: &[String], row: &[String]) -> String {
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
