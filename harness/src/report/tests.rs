//! Tests of the human reports over one synthetic run: two features, a passed `@must`, a failed
//! `@must` with three exchanges (one without response, a body full of markup), a failed
//! `@should` and a skipped one.

use super::markdown::{Summary, cut_body, format_duration};
use super::model::{Exchange, Gate, Party, RunReport, ScenarioOutcome, Status, Strength};
use super::{diagram, html, markdown};

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

fn exchange(from: Party, to: Party, method: &str, url: &str, status: Option<u16>) -> Exchange {
    Exchange {
        at_ms: 0,
        at_us: 0,
        from,
        by: None,
        to,
        method: method.to_owned(),
        url: url.to_owned(),
        request_headers: Vec::new(),
        request_body: None,
        status,
        response_headers: Vec::new(),
        response_body: None,
        note: None,
    }
}

fn scenario(feature: &str, name: &str, strength: Strength, status: Status) -> ScenarioOutcome {
    let tag = match strength {
        Strength::Must => vec!["must".to_owned()],
        Strength::Should => vec!["should".to_owned()],
        Strength::May => Vec::new(),
    };
    ScenarioOutcome {
        file: format!("client/{}.feature", feature.to_lowercase()),
        line: 1 + name.len(),
        feature: feature.to_owned(),
        name: name.to_owned(),
        tags: tag,
        source: String::new(),
        strength,
        status,
        explanation: None,
        steps: Vec::new(),
        duration_ms: 0,
        exchanges: Vec::new(),
        accepted: None,
        root_cause: None,
    }
}

/// The three exchanges of the failed `@must` scenario.
fn forged_state_exchanges() -> Vec<Exchange> {
    let mut callback = exchange(
        Party::Browser,
        Party::Platform,
        "GET",
        "https://platform.example/oauth/callback?code=[redacted:3fa2]&state=forged;x#frag",
        Some(302),
    );
    callback.at_ms = 12;
    callback.request_headers = headers(&[("Cookie", "sid=[redacted:51d0]")]);
    callback.response_headers = headers(&[("Location", "https://platform.example/chat?linked=1")]);

    let mut token = exchange(
        Party::Platform,
        Party::Provider,
        "POST",
        "https://provider.example/token",
        Some(200),
    );
    token.at_ms = 30;
    token.request_headers = headers(&[
        ("Authorization", "Basic [redacted:9c1e]"),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ]);
    token.request_body = Some("grant_type=authorization_code&code=[redacted:3fa2]".to_owned());
    token.response_headers = headers(&[("Content-Type", "application/json")]);
    token.response_body = Some(
        "{\"access_token\":\"[redacted:77b0]\",\n\"note\":\"a|b <script>alert('x')</script> ```` & \\\"q\\\"\"}"
            .to_owned(),
    );

    let mut userinfo = exchange(
        Party::Platform,
        Party::Provider,
        "GET",
        "https://provider.example/userinfo?access_token=[redacted:77b0]&fields=sub,email,name,picture,locale",
        None,
    );
    userinfo.at_ms = 45;
    userinfo.note = Some("connection refused".to_owned());
    vec![callback, token, userinfo]
}

fn sample_report() -> RunReport {
    let mut pkce = scenario(
        "PKCE",
        "The platform sends an S256 code challenge",
        Strength::Must,
        Status::Passed,
    );
    pkce.source = "RFC 7636 §4.3; RFC 9700 §2.1.1".to_owned();

    let mut forged = scenario(
        "Callback handling",
        "A callback with a forged state is rejected",
        Strength::Must,
        Status::Failed,
    );
    forged.source = "RFC 6749 §10.12".to_owned();
    forged.explanation =
        Some("The platform redeemed the code although `state` did not match (a|b <b>)".to_owned());
    forged.exchanges = forged_state_exchanges();

    let mut referrer = scenario(
        "Callback handling",
        "The callback page | sets Referrer-Policy\non its response",
        Strength::Should,
        Status::Failed,
    );
    referrer.source = "RFC 9700 §4.2.4".to_owned();
    referrer.explanation = Some("No Referrer-Policy header on the callback response.".to_owned());
    referrer.exchanges = vec![exchange(
        Party::Browser,
        Party::Platform,
        "GET",
        "https://platform.example/oauth/callback?code=[redacted:3fa2]&state=[redacted:aa01]",
        Some(200),
    )];

    let mut dcr = scenario(
        "PKCE",
        "Dynamic registration is used when offered",
        Strength::May,
        Status::Skipped,
    );
    dcr.source = "RFC 7591 §3".to_owned();
    dcr.explanation = Some("not applicable: no registration endpoint".to_owned());

    RunReport {
        target: "reference (web)".to_owned(),
        direction: "client".to_owned(),
        started_unix_ms: 0,
        duration_ms: 12_345,
        gate: Gate::Must,
        shard: None,
        features: Vec::new(),
        scenarios: vec![pkce, forged, referrer, dcr],
        baseline: None,
        preflight: None,
    }
}

/// The sample with its `@must` failure turned into a pass.
fn without_must_failure() -> RunReport {
    let mut report = sample_report();
    for s in &mut report.scenarios {
        if s.strength == Strength::Must {
            s.status = Status::Passed;
        }
    }
    report
}

/// The sample as a provider run whose `@must` failure passed, with two errors: a 500 at the
/// token endpoint (`@must`) and a dropped connection (`@should`).
fn with_errors() -> RunReport {
    let mut report = without_must_failure();
    report.direction = "provider".to_owned();
    for (name, strength, status) in [
        (
            "The matching verifier redeems the code",
            Strength::Must,
            Some(500),
        ),
        ("A wrong verifier is refused", Strength::Should, None),
    ] {
        let mut s = scenario("PKCE", name, strength, Status::Error);
        s.file = "provider/pkce.feature".to_owned();
        s.explanation = Some(format!(
            "the server answered {status:?} to POST https://as.example/token: a server error, \
             not a verdict on the rule"
        ));
        s.exchanges = vec![exchange(
            Party::Client,
            Party::Provider,
            "POST",
            "https://as.example/token",
            status,
        )];
        report.scenarios.push(s);
    }
    report
}

#[test]
fn an_error_is_reported_apart_from_failures_in_every_report() {
    let report = with_errors();
    assert!(!report.passed(), "a MUST error fails the gate");
    assert_eq!(
        markdown::summary_line(&report).split(';').next(),
        Some("6 scenarios: 2 passed, 1 failed, 2 errors, 1 not applicable")
    );
    let md = markdown::render(&report);
    let (failures, errors) = md.split_once("\n## Errors\n").expect("an Errors section");
    assert_eq!(failures.matches("\n### FAIL: ").count(), 1, "{md}");
    assert_eq!(errors.matches("\n### ERROR: ").count(), 2, "{md}");
    assert!(errors.contains("--concurrency"), "{errors}");
    assert_eq!(md.matches("| **ERROR** ").count(), 2, "{md}");
    assert!(
        md.contains("2 scenarios ended in a server error, 1 of them"),
        "{md}"
    );

    let page = html::render(&report);
    assert!(page.contains("<h2>Errors</h2>"), "{page}");
    assert!(page.contains("<a href=\"#error-2\">A wrong verifier is refused</a>"));
    assert!(page.contains("<article class=\"failure server-error\" id=\"error-2\">"));
    assert_eq!(
        page.matches("<span class=\"badge err\">ERROR</span>")
            .count(),
        4
    );

    let junit = super::junit::render(&report);
    assert_eq!(junit.matches("<error").count(), 2, "{junit}");
    assert_eq!(junit.matches("<failure").count(), 1, "{junit}");
    assert!(
        junit.contains("<error type=\"server error (MUST)\""),
        "{junit}"
    );
    assert!(junit.contains("errors=\"2\""), "{junit}");

    // messages.ndjson needs the feature sources: harness/tests/it/provider.rs checks it.

    // Below the gate's strength an error is a warning, as a failure is.
    let mut should_only = with_errors();
    should_only
        .scenarios
        .retain(|s| s.strength != Strength::Must);
    assert!(should_only.passed());
    should_only.gate = Gate::Should;
    assert!(!should_only.passed());
}

#[test]
fn markdown_report() {
    insta::assert_snapshot!(markdown::render(&sample_report()));
}

#[test]
fn mermaid_diagram() {
    insta::assert_snapshot!(diagram::mermaid(&forged_state_exchanges()));
}

#[test]
fn markdown_gate_flips_without_must_failure() {
    assert!(markdown::render(&sample_report()).contains("**Gate: FAIL**"));
    let passing = markdown::render(&without_must_failure());
    assert!(passing.contains("**Gate: PASS**"));
    assert!(!passing.contains("Gate: FAIL"));
    assert!(passing.contains("1 SHOULD requirement failed"), "{passing}");
}

#[test]
fn every_report_says_what_the_exit_code_says_for_every_gate() {
    // (report, gate, passes): a MUST and a SHOULD failure; only the SHOULD failure.
    let cases = [
        (sample_report(), Gate::Must, false),
        (sample_report(), Gate::Should, false),
        (sample_report(), Gate::None, true),
        (without_must_failure(), Gate::Must, true),
        (without_must_failure(), Gate::Should, false),
        (without_must_failure(), Gate::None, true),
    ];
    for (mut report, gate, passes) in cases {
        report.gate = gate;
        assert_eq!(report.passed(), passes, "{gate:?}");
        let word = if passes { "PASS" } else { "FAIL" };
        let other = if passes { "FAIL" } else { "PASS" };
        let md = markdown::render(&report);
        assert!(md.contains(&format!("**Gate: {word}**")), "{gate:?}: {md}");
        assert!(!md.contains(&format!("Gate: {other}")), "{gate:?}");
        let page = html::render(&report);
        assert!(
            page.contains(&format!("<strong>Gate: {word}</strong>")),
            "{gate:?}"
        );
        assert!(
            markdown::summary_line(&report).ends_with(&format!("Gate {}: {word}", gate.name()))
        );
        let junit = super::junit::render(&report);
        assert_eq!(junit.matches("<testcase").count(), report.scenarios.len());
        assert_eq!(
            junit.matches("<failure").count(),
            report.count(Status::Failed)
        );
        assert_eq!(
            junit.matches("<skipped").count(),
            report.count(Status::Skipped)
        );
    }
}

#[test]
fn junit_types_failures_by_strength_and_names_tests_by_relative_path() {
    let junit = super::junit::render(&sample_report());
    assert!(junit.contains("type=\"MUST\""), "{junit}");
    assert!(junit.contains("type=\"SHOULD\""), "{junit}");
    assert!(
        junit.contains("classname=\"client/pkce.feature\""),
        "{junit}"
    );
    assert!(!junit.contains("Step Panicked"));
}

#[test]
fn html_gate_flips_without_must_failure() {
    assert!(html::render(&sample_report()).contains("<strong>Gate: FAIL</strong>"));
    let passing = html::render(&without_must_failure());
    assert!(passing.contains("<strong>Gate: PASS</strong>"));
    assert!(!passing.contains("Gate: FAIL"));
}

/// Every value of a `src` or `href` attribute in `page`.
fn link_targets(page: &str) -> Vec<&str> {
    let mut targets = Vec::new();
    for attr in ["src=", "href="] {
        for (at, _) in page.match_indices(attr) {
            let rest = &page[at + attr.len()..];
            let value = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
                _ => rest.split([' ', '>']).next().unwrap_or(""),
            };
            targets.push(value);
        }
    }
    targets
}

#[test]
fn html_is_self_contained_and_escaped() {
    let page = html::render(&sample_report());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(
        !page.to_ascii_lowercase().contains("<script"),
        "no script element at all"
    );
    for target in link_targets(&page) {
        assert!(
            target.starts_with('#'),
            "only in-page links, found {target:?}"
        );
    }
    assert!(!page.contains("@import") && !page.contains("url("));
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(page.contains("a|b &lt;b&gt;"), "explanation escaped");
    assert!(page.contains("state=forged;x#frag"));
    assert!(page.contains("code=[redacted:3fa2]&amp;state=forged"));
    assert_eq!(page.matches("<svg").count(), 2, "one diagram per failure");
    assert!(page.contains("<span class=\"badge fail\">FAIL</span>"));
    assert!(page.contains("no response"));
}

#[test]
fn svg_draws_every_exchange_with_escaped_labels() {
    let svg = diagram::svg(&forged_state_exchanges());
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    for party in ["Browser", "Platform", "Provider"] {
        assert!(svg.contains(&format!(">{party}</text>")));
    }
    assert_eq!(
        svg.matches("<polygon").count(),
        6,
        "a request and a return per exchange"
    );
    assert_eq!(
        svg.matches("stroke-dasharray=\"6 4\"").count(),
        3,
        "dashed returns"
    );
    assert!(
        svg.contains(">1. GET /oauth/callback?code=[redacted:3fa2]&amp;state=forged;x#frag</text>")
    );
    assert!(
        svg.contains(">3. GET /userinfo?access_token=[redacted:77b0]&amp;fields=sub,email…</text>")
    );
    assert!(svg.contains(">no response</text>"));
    assert!(!svg.contains("<script") && !svg.contains("&state"));
}

#[test]
fn svg_of_no_exchange_is_only_lifelines() {
    let svg = diagram::svg(&[]);
    assert_eq!(svg.matches("<line").count(), 3);
    assert!(!svg.contains("<polygon"));
}

#[test]
fn markdown_escapes_cells_and_fences_bodies() {
    let md = markdown::render(&sample_report());
    assert!(md.contains("| The callback page \\| sets Referrer-Policy<br>on its response |"));
    assert!(
        md.contains("\n   `````text\n"),
        "fence longer than the body's four backticks"
    );
    assert!(md.contains("\n   \"note\":\"a|b <script>alert('x')</script> ```` & \\\"q\\\"\"}\n"));
    assert!(md.contains("(a\\|b \\<b\\>)"), "explanation escaped");
    assert!(
        md.contains("| **FAIL** |")
            && md.contains("| pass |")
            && md.contains(
                "- _no registration endpoint_: Dynamic registration is used when offered"
            )
    );
}

#[test]
fn bodies_are_cut_at_a_character_boundary() {
    assert_eq!(cut_body("short", 2048), "short");
    let body = "é".repeat(1500); // 3000 bytes
    let cut = cut_body(&body, 2047);
    assert_eq!(cut, format!("{}\n… (954 bytes more)", "é".repeat(1023)));
}

#[test]
fn durations_read_naturally() {
    assert_eq!(format_duration(850), "850 ms");
    assert_eq!(format_duration(12_345), "12.3 s");
    assert_eq!(format_duration(125_000), "2 min 5 s");
}

#[test]
fn empty_run_passes_the_gate() {
    let report = RunReport {
        target: "t".to_owned(),
        direction: "client".to_owned(),
        started_unix_ms: 0,
        duration_ms: 0,
        gate: Gate::Must,
        shard: None,
        features: Vec::new(),
        scenarios: Vec::new(),
        baseline: None,
        preflight: None,
    };
    assert!(Summary::of(&report).gate_passed());
    assert!(markdown::render(&report).contains("No scenario ran."));
    assert!(html::render(&report).contains("No scenario ran."));
}

#[test]
fn svg_draws_a_party_talking_to_itself_as_a_loop() {
    let mut ex = forged_state_exchanges();
    ex[1].to = Party::Platform;
    let svg = diagram::svg(&ex);
    assert_eq!(
        svg.matches("<polyline").count(),
        2,
        "request and return loops"
    );
    assert!(
        svg.contains("text-anchor=\"end\""),
        "label left of the Platform lifeline"
    );
}

#[test]
fn provider_diagrams_name_the_middle_lane_client() {
    let exchanges = vec![exchange(
        Party::Browser,
        Party::Provider,
        "GET",
        "https://as.example/authorize?client_id=c",
        Some(302),
    )];
    assert!(diagram::mermaid(&exchanges).contains("participant Client"));
    assert!(diagram::svg(&exchanges).contains(">Client</text>"));
    let mut client = exchanges.clone();
    client[0].from = Party::Platform;
    assert!(diagram::mermaid(&client).contains("participant Platform"));
}

/// The sample judged by a baseline that accepts its `@must` failure, lists a passing scenario
/// (stale) and one the run does not hold (absent).
fn baselined() -> RunReport {
    let mut report = sample_report();
    crate::suite::baseline::Baseline {
        file: "ci/baseline.toml".into(),
        entries: vec![
            super::BaselineEntry {
                feature: "client/callback handling.feature".into(),
                scenario: "A callback with a forged state is rejected".into(),
                reason: "JIRA-1 <state>".into(),
            },
            super::BaselineEntry {
                feature: "client/pkce.feature".into(),
                scenario: "The platform sends an S256 code challenge".into(),
                reason: "fixed since".into(),
            },
            super::BaselineEntry {
                feature: "client/other.feature".into(),
                scenario: "Elsewhere".into(),
                reason: "another shard".into(),
            },
        ],
    }
    .apply(&mut report);
    report
}

#[test]
fn markdown_report_with_a_baseline() {
    let report = baselined();
    assert_eq!(
        report.scenarios[1].accepted.as_deref(),
        Some("JIRA-1 <state>")
    );
    insta::assert_snapshot!(markdown::render(&report));
}

#[test]
fn junit_and_html_mark_accepted_failures_and_stale_entries() {
    let report = baselined();
    let junit = super::junit::render(&report);
    assert!(
        junit.contains("message=\"accepted by the baseline: JIRA-1 &lt;state&gt;\""),
        "{junit}"
    );
    assert_eq!(junit.matches("<failure").count(), 1, "{junit}");
    let html = html::render(&report);
    assert!(
        html.contains("accepted by the baseline: JIRA-1 &lt;state&gt;"),
        "{html}"
    );
    assert!(
        html.contains("Stale entries") && html.contains("fixed since"),
        "{html}"
    );
    assert!(
        html.contains("<strong>Gate: FAIL</strong>"),
        "a stale entry fails the gate"
    );
    assert!(
        markdown::summary_line(&report).contains(
            "2 failed (1 accepted by the baseline), 1 not applicable; 1 stale baseline entry"
        ),
        "{}",
        markdown::summary_line(&report)
    );
}

/// A browser's way through login and consent: Markdown gives the steps between its first
/// request and its arrival one line each and summarises pages; index.html keeps every page,
/// folded.
#[test]
fn the_steps_through_the_pages_are_folded() {
    let page = |url: &str| {
        let mut ex = exchange(Party::Browser, Party::Provider, "GET", url, Some(200));
        ex.response_headers = vec![("content-type".into(), "text/html; charset=utf-8".into())];
        ex.response_body = Some(
            "<html><head><title>Log in</title></head><body><form><input type=hidden name=n value=SECRET-FORM></form></body></html>"
                .into(),
        );
        ex
    };
    let mut login = scenario("Browser", "Pages", Strength::Must, Status::Failed);
    login.exchanges = vec![
        page("https://as.test/authorize?client_id=c"),
        page("https://as.test/login"),
        page("https://as.test/consent"),
        exchange(
            Party::Browser,
            Party::Provider,
            "POST",
            "https://as.test/consent",
            Some(302),
        ),
        exchange(
            Party::Client,
            Party::Provider,
            "POST",
            "https://as.test/token",
            Some(400),
        ),
    ];
    let report = RunReport {
        scenarios: vec![login],
        ..sample_report()
    };
    let md = markdown::render(&report);
    assert_eq!(md.matches("a step through the pages").count(), 2, "{md}");
    assert!(md.contains("`GET /login`"), "{md}");
    assert!(!md.contains("SECRET-FORM"), "{md}");
    assert!(md.contains("[an HTML page of"), "{md}");
    let html = html::render(&report);
    assert_eq!(html.matches("<details><summary>[an HTML page").count(), 3);
    assert!(html.contains("SECRET-FORM"));
}
