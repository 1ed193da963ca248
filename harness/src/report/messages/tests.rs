//! Unit tests of the Cucumber Messages writer: one report with a passed scenario, a failed
//! example row with evidence, an undefined step and a scenario that does not apply.

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

fn outcome(name: &str, line: usize, status: Status, steps: Vec<StepOutcome>) -> ScenarioOutcome {
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
        accepted: None,
        root_cause: None,
    }
}

fn exchange(method: &str, url: &str, status: Option<u16>) -> Exchange {
    Exchange {
        at_ms: 5,
        at_us: 0,
        from: Party::Browser,
        by: None,
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
        baseline: None,
        preflight: None,
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
    let ns =
        |t: &Value| t["seconds"].as_u64().unwrap() * 1_000_000_000 + t["nanos"].as_u64().unwrap();
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
