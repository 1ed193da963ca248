//! From outcomes to the AST: where each scenario outcome sits in the documents (or a reconstructed
//! source for those found nowhere), and its pickle, with the steps its test case runs.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::Ids;
use super::ast::{Doc, Place, StepNode, substitute};
use crate::report::model::{RunReport, ScenarioOutcome, Status, StepStatus};

/// Where a scenario outcome sits: its document, scenario and example row (examples, row).
#[derive(Clone, Copy)]
pub(super) struct Target {
    pub(super) doc: usize,
    scenario: usize,
    row: Option<(usize, usize)>,
}

/// Where an outcome's scenario is: by file and line (the scenario's, or the example row's as
/// cucumber-rs numbers it, or its real line), the name deciding between candidates; failing
/// that by name alone.
pub(super) fn resolve(docs: &[Doc], outcome: &ScenarioOutcome) -> Option<Target> {
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
pub(super) fn reconstruct(
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
pub(super) struct PickleStep {
    pub(super) id: String,
    pub(super) status: StepStatus,
    pub(super) error: Option<String>,
}

/// A scenario outcome with its pickle.
pub(super) struct Case<'a> {
    pub(super) outcome: &'a ScenarioOutcome,
    pub(super) pickle_id: String,
    pub(super) steps: Vec<PickleStep>,
}

/// The pickle of an outcome: its steps are the outcome's (placed by line among the background's
/// and the scenario's AST steps), or the AST's when the outcome has none (a scenario that did not
/// apply and never ran).
pub(super) fn pickle<'a>(
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
            Status::Failed | Status::Error if i == 0 => StepStatus::Failed,
            Status::Failed | Status::Error | Status::Skipped => StepStatus::Skipped,
        })
        .collect()
}
