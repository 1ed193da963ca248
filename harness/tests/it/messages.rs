//! Cucumber Messages read by Cucumber's own tooling: a run of two features (passed, failed with
//! evidence, undefined, ambiguous, not applicable; an outline, a rule with a background, a doc
//! string, a data table) rendered by `@cucumber/html-formatter`, and the page it makes rendered
//! in jsdom. scripts/cucumber-html installs them from the npm registry into `target/` on first
//! use (pinned in its package-lock.json), and checks the stream against the Messages JSON schema
//! and through `@cucumber/query` before rendering. Needs node and npm.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use gauntlet::report::messages::{self, PROTOCOL_VERSION};
use gauntlet::report::{
    Exchange, FeatureSource, Gate, Party, RunReport, ScenarioOutcome, Status, StepOutcome,
    StepStatus, Strength,
};
use serde_json::Value;

const ERRORS: &str = "\
@rfc6749
Feature: error handling
  Whatever goes wrong at the provider, the user is told that linking failed.

  @must
  Scenario Outline: An error at the authorization endpoint: <error>
    Source: RFC 6749 §4.1.2.1
    Given the provider will answer the next authorization with <error>
    When alice links her account
    Then the platform tells alice that linking failed
    And alice is not linked

    Examples:
      | error         |
      | access_denied |
      | server_error  |

  @should
  Scenario: The platform keeps answering after a failed exchange
    Source: RFC 6749 §5.2
    Given the token endpoint will answer with status 500
    When alice links her account
    Then the platform is still answering
";

const STATE: &str = "\
@rfc6749 @rfc9700
Feature: state
  The callback's state binds it to the browser that started the flow.

  Rule: a forged callback is refused
    Background:
      Given alice has started linking her account

    @must
    Scenario: A callback with a forged state is refused
      Source: RFC 6749 §10.12
      When the browser calls back with:
        \"\"\"
        state=forged
        \"\"\"
      Then alice is not linked

    @must @ocs
    Scenario: OCS keeps the state in its session
      Source: RFC 9700 §4.7.1
      When the browser calls back with the state of another session
      Then the platform answers with:
        | status | 400 |
";

/// Where the repository is.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The line of `needle` in `text` (from 1).
fn line(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} is not in the feature"))
}

fn step(keyword: &str, text: &str, line: usize, status: StepStatus) -> StepOutcome {
    StepOutcome {
        keyword: keyword.to_owned(),
        text: text.to_owned(),
        line,
        status,
        error: None,
    }
}

fn scenario(file: &str, feature: &str, name: &str, line: usize) -> ScenarioOutcome {
    ScenarioOutcome {
        file: file.to_owned(),
        line,
        feature: feature.to_owned(),
        name: name.to_owned(),
        tags: vec!["must".to_owned()],
        source: String::new(),
        strength: Strength::Must,
        status: Status::Passed,
        explanation: None,
        steps: Vec::new(),
        duration_ms: 120,
        exchanges: Vec::new(),
        accepted: None,
        root_cause: None,
    }
}

/// The run: every kind of outcome the model has.
fn report() -> RunReport {
    use StepStatus::{Ambiguous, Failed, Passed, Skipped, Undefined};
    let errors = "client/errors.feature";
    let state = "client/state.feature";
    let outline = |row: usize, error: &str| {
        let given = line(ERRORS, "Given the provider will answer");
        let mut s = scenario(
            errors,
            "error handling",
            &format!("An error at the authorization endpoint: {error}"),
            // cucumber-rs: the `Examples` line + 2 + the row's index.
            line(ERRORS, "Examples:") + 2 + row,
        );
        s.steps = vec![
            step(
                "Given ",
                &format!("the provider will answer the next authorization with {error}"),
                given,
                Passed,
            ),
            step("When ", "alice links her account", given + 1, Passed),
            step(
                "Then ",
                "the platform tells alice that linking failed",
                given + 2,
                Passed,
            ),
            step("And ", "alice is not linked", given + 3, Passed),
        ];
        s
    };
    let passed = outline(0, "access_denied");
    let mut failed = outline(1, "server_error");
    failed.status = Status::Failed;
    failed.steps[2].status = Failed;
    failed.steps[2].error = Some("no page told alice that linking failed".to_owned());
    failed.steps[3].status = Skipped;
    failed.explanation = Some(
        "The platform showed a blank page after the provider's server_error <redirect>".to_owned(),
    );
    failed.exchanges = vec![
        Exchange {
            at_ms: 3,
            at_us: 0,
            from: Party::Browser,
            by: None,
            to: Party::Provider,
            method: "GET".to_owned(),
            url: "https://provider.example/authorize?state=[redacted:3fa2]".to_owned(),
            request_headers: Vec::new(),
            request_body: None,
            status: Some(302),
            response_headers: vec![(
                "Location".to_owned(),
                "https://platform.example/cb?error=server_error".to_owned(),
            )],
            response_body: None,
            note: None,
        },
        Exchange {
            at_ms: 9,
            at_us: 0,
            from: Party::Browser,
            by: None,
            to: Party::Platform,
            method: "GET".to_owned(),
            url: "https://platform.example/cb?error=server_error".to_owned(),
            request_headers: vec![("Cookie".to_owned(), "session=[redacted:77aa]".to_owned())],
            request_body: None,
            status: Some(200),
            response_headers: vec![("Content-Type".to_owned(), "text/html".to_owned())],
            response_body: Some("<html><body></body></html>".to_owned()),
            note: None,
        },
    ];
    let given = line(ERRORS, "Given the token endpoint");
    let mut undefined = scenario(
        errors,
        "error handling",
        "The platform keeps answering after a failed exchange",
        line(ERRORS, "Scenario: The platform keeps"),
    );
    undefined.strength = Strength::Should;
    undefined.status = Status::Failed;
    undefined.explanation = Some("a step has no definition in this Gauntlet".to_owned());
    undefined.steps = vec![
        step(
            "Given ",
            "the token endpoint will answer with status 500",
            given,
            Undefined,
        ),
        step("When ", "alice links her account", given + 1, Skipped),
        step(
            "Then ",
            "the platform is still answering",
            given + 2,
            Skipped,
        ),
    ];

    let background = line(STATE, "Given alice has started");
    let when = line(STATE, "When the browser calls back with:");
    let mut ambiguous = scenario(
        state,
        "state",
        "A callback with a forged state is refused",
        line(STATE, "Scenario: A callback with a forged"),
    );
    ambiguous.status = Status::Failed;
    ambiguous.explanation = Some("the feature is wrong: a step matches two definitions".to_owned());
    ambiguous.steps = vec![
        step(
            "Given ",
            "alice has started linking her account",
            background,
            Passed,
        ),
        StepOutcome {
            error: Some("matches `the browser calls back with:` twice".to_owned()),
            ..step("When ", "the browser calls back with:", when, Ambiguous)
        },
        step("Then ", "alice is not linked", when + 4, Skipped),
    ];
    let mut not_applicable = scenario(
        state,
        "state",
        "OCS keeps the state in its session",
        line(STATE, "Scenario: OCS keeps"),
    );
    not_applicable.status = Status::Skipped;
    not_applicable.duration_ms = 0;
    not_applicable.explanation =
        Some("not applicable: the platform is not OpenChatStudio".to_owned());

    RunReport {
        target: "reference (web)".to_owned(),
        direction: "client".to_owned(),
        started_unix_ms: 1_750_000_000_000,
        duration_ms: 900,
        gate: Gate::Must,
        shard: None,
        features: vec![
            FeatureSource {
                path: errors.to_owned(),
                text: ERRORS.to_owned(),
            },
            FeatureSource {
                path: state.to_owned(),
                text: STATE.to_owned(),
            },
        ],
        scenarios: vec![passed, failed, undefined, ambiguous, not_applicable],
        baseline: None,
        preflight: None,
    }
}

/// The formatter's directory, installed on first use (once per test process; install.sh
/// serializes test processes).
fn formatter() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        for tool in ["node", "npm"] {
            if Command::new(tool).arg("--version").output().is_err() {
                panic!(
                    "`{tool}` is not installed: this test installs @cucumber/html-formatter from \
                     the npm registry and needs Node.js 20 or later with npm on the PATH"
                );
            }
        }
        let install = root().join("scripts/cucumber-html/install.sh");
        let output = Command::new(&install)
            .stderr(Stdio::inherit())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", install.display()));
        assert!(
            output.status.success(),
            "{} failed ({})",
            install.display(),
            output.status
        );
        PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
    })
}

/// What `render.mjs` makes of `ndjson`: success, the HTML, stderr.
fn render_html(ndjson: &str) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("messages.ndjson");
    let html = dir.path().join("report.html");
    std::fs::write(&input, ndjson).unwrap();
    let output = Command::new("node")
        .arg(root().join("scripts/cucumber-html/render.mjs"))
        .arg(formatter())
        .stdin(std::fs::File::open(&input).unwrap())
        .stdout(std::fs::File::create(&html).unwrap())
        .output()
        .expect("cannot run node");
    (
        output.status.success(),
        std::fs::read_to_string(&html).unwrap(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The text the page shows once its script has rendered it (in jsdom), one text node a line;
/// fails if the page's script reports an error.
fn page_text(html: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, html).unwrap();
    let output = Command::new("node")
        .arg(root().join("scripts/cucumber-html/page-text.mjs"))
        .arg(formatter())
        .stdin(std::fs::File::open(&page).unwrap())
        .output()
        .expect("cannot run node");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.is_empty(),
        "the page did not render:\n{stderr}"
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The envelopes the page embeds (`window.CUCUMBER_MESSAGES = [...]`, `<` written `\x3C`).
fn embedded(html: &str) -> Vec<Value> {
    let start = html
        .find("window.CUCUMBER_MESSAGES = ")
        .expect("the page embeds the messages")
        + "window.CUCUMBER_MESSAGES = ".len();
    let end = start
        + html[start..]
            .find(";\n</script>")
            .expect("end of the messages");
    serde_json::from_str(&html[start..end].replace("\\x3C", "<")).expect("the messages are JSON")
}

fn ndjson_envelopes(ndjson: &str) -> Vec<Value> {
    ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_official_html_formatter_renders_the_messages() {
    // Arrange
    let report = report();
    let ndjson = messages::render(&report);
    // Act
    let (ok, html, stderr) = render_html(&ndjson);
    // Assert
    assert!(ok && stderr.is_empty(), "the formatter refused:\n{stderr}");
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..html.len().min(200)]
    );
    assert!(html.contains("<div id=\"content\">"));
    let envelopes = embedded(&html);
    assert_eq!(envelopes, ndjson_envelopes(&ndjson), "embedded as written");
    assert_eq!(
        check_locations(&envelopes),
        40,
        "every node of both features is placed"
    );
    let of = |kind: &str| -> Vec<&Value> { envelopes.iter().filter_map(|e| e.get(kind)).collect() };

    let pickles: Vec<&str> = of("pickle")
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let names: Vec<&str> = report.scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(pickles, names);
    for name in &names {
        assert!(html.contains(name), "{name} is not in the page");
    }
    let statuses: Vec<Vec<&str>> = {
        let mut cases: Vec<Vec<&str>> = Vec::new();
        for envelope in &envelopes {
            if envelope.get("testCaseStarted").is_some() {
                cases.push(Vec::new());
            }
            if let Some(finished) = envelope.get("testStepFinished") {
                let status = finished["testStepResult"]["status"].as_str().unwrap();
                cases.last_mut().unwrap().push(status);
            }
        }
        cases
    };
    assert_eq!(
        statuses,
        [
            vec!["PASSED"; 4],
            vec!["PASSED", "PASSED", "FAILED", "SKIPPED"],
            vec!["UNDEFINED", "SKIPPED", "SKIPPED"],
            vec!["PASSED", "AMBIGUOUS", "SKIPPED"],
            vec!["SKIPPED", "SKIPPED", "SKIPPED"],
        ]
    );
    let attachments: Vec<&str> = of("attachment")
        .iter()
        .map(|a| a["body"].as_str().unwrap())
        .collect();
    assert!(attachments.contains(
        &"The platform showed a blank page after the provider's server_error <redirect>"
    ));
    assert!(attachments.contains(&"not applicable: the platform is not OpenChatStudio"));
    assert!(
        attachments
            .iter()
            .any(|a| a.contains("GET https://platform.example/cb?error=server_error")),
        "the exchanges are attached"
    );
    assert_eq!(of("testRunFinished")[0]["success"], false);

    // What a reader sees once the page has rendered: the summary by status, every scenario
    // (an outline by its name and its rows' steps), the messages and the evidence.
    let text = page_text(&html);
    for status in ["passed", "failed", "undefined", "ambiguous", "skipped"] {
        assert!(
            text.contains(&format!("\n{status}\n1\n")),
            "{status} 1:\n{text}"
        );
    }
    for shown in [
        "error handling",
        "An error at the authorization endpoint: <error>",
        "the provider will answer the next authorization with access_denied",
        "the provider will answer the next authorization with server_error",
        "The platform keeps answering after a failed exchange",
        "Rule",
        "a forged callback is refused",
        "A callback with a forged state is refused",
        "state=forged",
        "OCS keeps the state in its session",
        "no page told alice that linking failed",
        "The platform showed a blank page after the provider's server_error <redirect>",
        "GET https://platform.example/cb?error=server_error",
        "No step definition found.",
        "Multiple matching step definitions found:",
        "not applicable: the platform is not OpenChatStudio",
    ] {
        assert!(
            text.contains(shown),
            "{shown:?} is not on the page:\n{text}"
        );
    }

    // The protocol version written is the one of the schema the stream was checked against.
    let installed: Value = serde_json::from_str(
        &std::fs::read_to_string(formatter().join("node_modules/@cucumber/messages/package.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(installed["version"], PROTOCOL_VERSION);
    assert_eq!(of("meta")[0]["protocolVersion"], PROTOCOL_VERSION);
}

/// Messages have no error status: a scenario that ended in an error (provider direction) has
/// its step FAILED with a `gauntlet::ServerError` exception, and the stream still passes the
/// schema and the official formatter.
#[test]
fn an_error_is_a_failed_step_with_an_exception_the_formatter_accepts() {
    let mut report = report();
    report.direction = "provider".to_owned();
    report.scenarios[1].status = Status::Error;
    let ndjson = messages::render(&report);
    let (ok, html, stderr) = render_html(&ndjson);
    assert!(ok && stderr.is_empty(), "the formatter refused:\n{stderr}");
    let envelopes = embedded(&html);
    let results: Vec<&Value> = envelopes
        .iter()
        .filter_map(|e| e.get("testStepFinished"))
        .map(|f| &f["testStepResult"])
        .filter(|r| r.get("exception").is_some())
        .collect();
    assert_eq!(results.len(), 1, "{ndjson}");
    assert_eq!(results[0]["status"], "FAILED");
    assert_eq!(results[0]["exception"]["type"], "gauntlet::ServerError");
    assert_eq!(
        results[0]["exception"]["message"],
        "The platform showed a blank page after the provider's server_error <redirect>"
    );
}

#[test]
fn a_broken_stream_is_refused() {
    let ndjson = messages::render(&report());
    let breakages: [(&str, &str, &str); 5] = [
        ("\"pickleId\":", "\"pickleID\":", "pickleID"),
        (
            "\"status\":\"FAILED\"",
            "\"status\":\"BROKEN\"",
            "allowedValues",
        ),
        ("{\"testCase\":{", "{\"testCase\":{\"extra\":1,", "extra"),
        (
            "\"astNodeIds\":[\"",
            "\"astNodeIds\":[\"nope",
            "AST node nope",
        ),
        ("\"pickleId\":\"", "\"pickleId\":\"x", "its pickle"),
    ];
    for (from, to, expected) in breakages {
        assert!(ndjson.contains(from), "{from}");
        let broken = ndjson.replacen(from, to, 1);
        let (ok, html, stderr) = render_html(&broken);
        assert!(!ok, "{to} was accepted");
        assert!(html.is_empty(), "{to}: the page was written anyway");
        assert!(stderr.contains(expected), "{to}: {stderr}");
    }
    let (ok, _, stderr) = render_html("{\"meta\":");
    assert!(!ok && stderr.contains("not JSON"), "{stderr}");
}

/// Every location in the gherkinDocuments points at what the node is: its keyword, tag or
/// cell value, in the source (lines and columns from 1, in characters).
fn check_locations(envelopes: &[Value]) -> usize {
    let mut checked = 0;
    for doc in envelopes.iter().filter_map(|e| e.get("gherkinDocument")) {
        let uri = doc["uri"].as_str().unwrap();
        let source = envelopes
            .iter()
            .filter_map(|e| e.get("source"))
            .find(|s| s["uri"] == uri)
            .unwrap();
        let lines: Vec<&str> = source["data"].as_str().unwrap().lines().collect();
        let mut stack = vec![&doc["feature"]];
        while let Some(node) = stack.pop() {
            match node {
                Value::Array(items) => stack.extend(items),
                Value::Object(map) => {
                    stack.extend(map.values());
                    let Some(location) = map.get("location") else {
                        continue;
                    };
                    // A row or a table starts with its `|`, a doc string with its delimiter.
                    let expected = match ["keyword", "name", "value", "delimiter"]
                        .into_iter()
                        .find_map(|k| map.get(k)?.as_str())
                    {
                        Some(text) => text,
                        None if map.contains_key("cells") || map.contains_key("rows") => "|",
                        None => panic!("{uri}: what is at {location}? {node}"),
                    };
                    let line = lines[location["line"].as_u64().unwrap() as usize - 1];
                    let column = location["column"].as_u64().unwrap() as usize;
                    let at: String = line.chars().skip(column - 1).collect();
                    // Escaped cell values are written differently.
                    if expected == "|" || !expected.contains(['|', '\\', '\n']) {
                        assert!(
                            at.starts_with(expected),
                            "{uri}:{location}: {expected:?} is not at {at:?}"
                        );
                        checked += 1;
                    }
                }
                _ => {}
            }
        }
    }
    checked
}

#[test]
fn every_feature_of_the_suite_renders_with_exact_positions() {
    use cucumber::gherkin;
    // Arrange: every scenario (every example row) of features/, in the order of the files.
    let features = root().join("features");
    let mut files = Vec::new();
    let mut dirs = vec![features.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "feature") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut report = report();
    report.features.clear();
    report.scenarios.clear();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let path = file.strip_prefix(&features).unwrap().display().to_string();
        let feature = gherkin::Feature::parse(&text, gherkin::GherkinEnv::default())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let scenarios = feature
            .scenarios
            .iter()
            .chain(feature.rules.iter().flat_map(|r| &r.scenarios));
        for s in scenarios {
            let mut places = vec![(s.position.line, s.name.clone())];
            if !s.examples.is_empty() {
                places.clear();
                for examples in &s.examples {
                    let rows = examples.table.as_ref().map_or(&[][..], |t| &t.rows[..]);
                    for (i, row) in rows.iter().skip(1).enumerate() {
                        let mut name = s.name.clone();
                        for (header, value) in rows[0].iter().zip(row) {
                            name = name.replace(&format!("<{header}>"), value);
                        }
                        places.push((examples.position.line + 2 + i, name));
                    }
                }
            }
            for (line, name) in places {
                report.scenarios.push(ScenarioOutcome {
                    status: [Status::Passed, Status::Failed, Status::Skipped]
                        [report.scenarios.len() % 3],
                    explanation: Some("why".to_owned()),
                    ..scenario(&path, &feature.name, &name, line)
                });
            }
        }
        report.features.push(FeatureSource { path, text });
    }
    assert!(report.scenarios.len() > 50, "the suite has its scenarios");
    // Act
    let ndjson = messages::render(&report);
    let (ok, _, stderr) = render_html(&ndjson);
    // Assert
    assert!(ok && stderr.is_empty(), "the formatter refused:\n{stderr}");
    let envelopes = ndjson_envelopes(&ndjson);
    let sources: Vec<&Value> = envelopes.iter().filter_map(|e| e.get("source")).collect();
    assert_eq!(sources.len(), files.len(), "no reconstructed source");
    let pickles: Vec<&Value> = envelopes.iter().filter_map(|e| e.get("pickle")).collect();
    assert_eq!(pickles.len(), report.scenarios.len());
    for (pickle, scenario) in pickles.iter().zip(&report.scenarios) {
        assert_eq!(pickle["name"], scenario.name.as_str());
        assert_eq!(pickle["uri"], scenario.file.as_str());
    }
    assert!(check_locations(&envelopes) > 500);
}
