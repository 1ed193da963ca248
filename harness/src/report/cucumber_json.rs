//! `cucumber.json`: the classic Cucumber JSON report (one element per feature file with its
//! scenarios and their steps), read by many CI plugins. Written from the run model, so its
//! counts are the other reports' counts; a scenario that does not apply has only skipped steps.

use cucumber::gherkin;
use serde_json::{Value, json};

use super::model::{RunReport, ScenarioOutcome, StepStatus};

/// The report as Cucumber JSON.
pub fn render(report: &RunReport) -> String {
    let mut features: Vec<Value> = Vec::new();
    let mut current: Option<(String, Vec<Value>)> = None;
    for scenario in &report.scenarios {
        if current
            .as_ref()
            .is_none_or(|(file, _)| *file != scenario.file)
        {
            if let Some((file, elements)) = current.take() {
                features.push(feature(report, &file, elements));
            }
            current = Some((scenario.file.clone(), Vec::new()));
        }
        if let Some((_, elements)) = &mut current {
            elements.push(element(scenario));
        }
    }
    if let Some((file, elements)) = current {
        features.push(feature(report, &file, elements));
    }
    serde_json::to_string_pretty(&features).unwrap_or_else(|_| "[]".into())
}

/// A feature file's entry: its name, keyword, line and tags come from its source.
fn feature(report: &RunReport, file: &str, elements: Vec<Value>) -> Value {
    let parsed = report
        .features
        .iter()
        .find(|f| f.path == file)
        .and_then(|f| gherkin::Feature::parse(&f.text, gherkin::GherkinEnv::default()).ok());
    let (keyword, name, line, description, tags) = match &parsed {
        Some(f) => (
            f.keyword.as_str(),
            f.name.as_str(),
            f.position.line,
            f.description.clone().unwrap_or_default(),
            f.tags.clone(),
        ),
        None => ("Feature", "", 1, String::new(), Vec::new()),
    };
    json!({
        "uri": file,
        "id": slug(file),
        "keyword": keyword,
        "name": name,
        "line": line,
        "description": description,
        "tags": tags.iter().map(|t| json!({ "name": format!("@{t}"), "line": line.saturating_sub(1).max(1) })).collect::<Vec<_>>(),
        "elements": elements,
    })
}

/// A scenario with its steps and their results.
fn element(scenario: &ScenarioOutcome) -> Value {
    let steps: Vec<Value> = scenario
        .steps
        .iter()
        .map(|step| {
            let status = match step.status {
                StepStatus::Passed => "passed",
                StepStatus::Failed => "failed",
                StepStatus::Skipped => "skipped",
                StepStatus::Undefined => "undefined",
                StepStatus::Ambiguous => "ambiguous",
            };
            let mut result = json!({ "status": status });
            if let Some(error) = &step.error {
                result["error_message"] = json!(error);
            }
            json!({
                "keyword": step.keyword,
                "name": step.text,
                "line": step.line,
                "result": result,
            })
        })
        .collect();
    json!({
        "id": format!("{};{}", slug(&scenario.file), slug(&scenario.name)),
        "keyword": "Scenario",
        "type": "scenario",
        "name": scenario.name,
        "line": scenario.line,
        "description": scenario.explanation.clone().unwrap_or_default(),
        "tags": scenario.tags.iter().map(|t| json!({ "name": format!("@{t}") })).collect::<Vec<_>>(),
        "steps": steps,
    })
}

/// Lower-case words joined by `-`.
fn slug(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}
