//! `gauntlet provider` and MCP servers (`features/provider/mcp/`): the strict mock serving MCP
//! (`fixtures/providers/mcp.toml`) passes every scenario, and the lax MCP mock
//! (`fixtures/providers/lax-mcp.toml`) fails exactly the scenarios of the rules its quirks break.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gauntlet::provider::profile::ProviderTarget;
use gauntlet::provider::{ProviderOptions, run};
use gauntlet::report::{RunReport, Status};
use gauntlet::suite::Gate;

use crate::verdicts::{failures, names};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/providers")
        .join(name)
}

/// The whole provider suite against the mock profile `name`, no gate.
async fn run_mock(name: &str) -> RunReport {
    let target = ProviderTarget::from_file(&fixture(name)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = ProviderOptions {
        gate: Gate::None,
        ..ProviderOptions::new(target, dir.path().to_owned())
    };
    run(options).await.expect("the run happens").report
}

/// The names of the `@mcp` scenarios of `report` with `status`.
fn mcp_names(report: &RunReport, status: Status) -> BTreeSet<String> {
    report
        .scenarios
        .iter()
        .filter(|s| s.status == status && s.tags.iter().any(|t| t == "mcp"))
        .map(|s| s.name.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_strict_mock_serving_mcp_passes_every_mcp_scenario() {
    let report = run_mock("mcp.toml").await;
    assert!(
        names(&report, Status::Failed).is_empty(),
        "{}",
        failures(&report)
    );
    let mcp: Vec<_> = (report.scenarios.iter())
        .filter(|s| s.tags.iter().any(|t| t == "mcp"))
        .collect();
    assert!(mcp.len() >= 16, "{} MCP scenarios", mcp.len());
    for scenario in &mcp {
        assert_eq!(scenario.status, Status::Passed, "{}", scenario.name);
    }
    // The MCP exchanges are evidence, the token redacted.
    let opened = mcp
        .iter()
        .find(|s| s.name == "A token issued for the MCP server opens it")
        .unwrap();
    let call = (opened.exchanges.iter())
        .find(|e| e.method == "POST" && e.url.ends_with("/mcp"))
        .expect("the initialize request in the evidence");
    let authorization = (call.request_headers.iter())
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .map(|(_, value)| value.as_str())
        .unwrap_or_default();
    assert!(authorization.contains("[redacted"), "{authorization}");
}

/// What `lax-mcp.toml` breaks, quirk by quirk, and the scenarios that must catch it.
const LAX_MCP_CATCHES: &[(&str, &[&str])] = &[
    (
        "challenge = \"bare\"",
        &[
            "The 401 names the protected-resource metadata in WWW-Authenticate",
            "The 401 names the scope the MCP server needs",
        ],
    ),
    (
        "metadata_resource",
        &["The protected-resource metadata describes the MCP server"],
    ),
    (
        "omit_code_challenge_methods",
        &[
            "The MCP server's authorization server advertises S256",
            // The same omission, judged by the generic metadata rules.
            "S256 is advertised",
        ],
    ),
    (
        "mcp_audience_unchecked",
        &["A token issued for another resource is refused with 401"],
    ),
    (
        "mcp_query_token",
        &["A token in the query string is not accepted"],
    ),
    (
        // It sends iss but does not advertise it: RFC 9207 §3 (and MCP 2026-07-28,
        // "Authorization Response Validation", a MUST) ask it to. The generic rule catches
        // it; MCP's own iss scenarios (@should: iss in success and error responses) pass.
        "iss_unadvertised",
        &["iss is sent exactly when the metadata says so"],
    ),
    (
        "mcp_expiry_unchecked",
        &[
            "An expired token is refused with 401",
            // The same acceptance: a token taken gets no 401 to carry invalid_token.
            "The 401 for an expired token says invalid_token",
        ],
    ),
    (
        "client_metadata_error_redirects",
        &[
            "A metadata-document client_id whose document cannot be fetched is refused without a redirect",
        ],
    ),
    (
        "client_metadata_redirect_unchecked",
        &["A redirect URI the metadata document does not list is refused without a redirect"],
    ),
];

#[tokio::test(flavor = "multi_thread")]
async fn the_lax_mcp_mock_fails_exactly_the_scenarios_of_the_rules_it_breaks() {
    let report = run_mock("lax-mcp.toml").await;
    let expected: BTreeSet<String> = LAX_MCP_CATCHES
        .iter()
        .flat_map(|(_, names)| names.iter().map(|n| (*n).to_owned()))
        .collect();
    assert_eq!(
        names(&report, Status::Failed),
        expected,
        "{}",
        failures(&report)
    );
    // A bare challenge breaks the 2025-06-18 rule only: from 2025-11-25 on, the well-known
    // URLs are enough.
    assert!(mcp_names(&report, Status::Passed).contains(
        "A request without a token gets 401 and a way to the protected-resource metadata"
    ));
    // A server that sends iss without advertising it still names itself in every response.
    for sent in [
        "The MCP server's authorization server sends iss in a successful authorization response",
        "The MCP server's authorization server sends iss in an error response",
    ] {
        assert!(mcp_names(&report, Status::Passed).contains(sent), "{sent}");
    }
    // Each failure names what the server did.
    let why = |name: &str| {
        let scenario = report.scenarios.iter().find(|s| s.name == name).unwrap();
        scenario.explanation.clone().unwrap_or_default()
    };
    let audience = why("A token issued for another resource is refused with 401");
    assert!(
        audience.contains(
            "accepted a token issued for the other resource (https://api.gauntlet.test/other)"
        ),
        "{audience}"
    );
    let expired = why("An expired token is refused with 401");
    assert!(
        expired.contains("accepted an expired token") && expired.contains("Token Handling"),
        "{expired}"
    );
    let metadata = why("The protected-resource metadata describes the MCP server");
    assert!(
        metadata.contains("\"https://elsewhere.gauntlet.test/mcp\"")
            && metadata.contains("RFC 9728 §3.3"),
        "{metadata}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_mcp_server_the_mcp_scenarios_do_not_apply_and_say_why() {
    let target = ProviderTarget::from_file(&fixture("default.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = ProviderOptions {
        gate: Gate::None,
        tags: Some("@mcp".into()),
        ..ProviderOptions::new(target, dir.path().to_owned())
    };
    let error = run(options).await.unwrap_err().to_string();
    assert!(
        error.contains("the profile names no MCP server ([server.mcp]"),
        "{error}"
    );
}

/// An authorization server elsewhere that advertises metadata documents, with the document
/// named in `[server.mcp] client_metadata_document`: one that cannot fetch it (it does not
/// trust the document host's CA) fails the acceptance scenario, named for the cause; told to
/// trust the CA, it passes both document scenarios.
#[tokio::test(flavor = "multi_thread")]
async fn a_named_document_the_server_cannot_fetch_fails_the_acceptance_scenario() {
    const ACCEPTED: &str =
        "A client identified by its metadata document gets a token the MCP server accepts";
    const UNLISTED: &str =
        "A redirect URI the metadata document does not list is refused without a redirect";
    let host = mock_provider::DocumentHost::start("/client.json", |url| {
        serde_json::json!({
            "client_id": url,
            "client_name": "integrator's test client",
            "redirect_uris": ["http://127.0.0.1/mcp-callback"],
            "token_endpoint_auth_method": "none",
        })
    })
    .await
    .unwrap();
    let text = std::fs::read_to_string(fixture("mcp.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut verdicts = Vec::new();
    for trusted in [false, true] {
        let mut config = mock_provider::ProviderConfig::from_toml(&text).unwrap();
        if trusted {
            config.mcp.client_metadata_ca_file = Some(host.ca_file().to_owned());
        }
        let server = mock_provider::MockProvider::builder()
            .config(config)
            .start()
            .await
            .unwrap();
        let profile = format!(
            "name = \"mcp elsewhere\"\n[server]\nissuer = \"{issuer}\"\n\
             [server.mcp]\nurl = \"{issuer}/mcp\"\nclient_metadata_document = \"{document}\"\n\
             [client]\nclient_id = \"gauntlet-client\"\nclient_secret = \"gauntlet:secret+/=&%\"\n\
             redirect_uri = \"https://client.gauntlet.test/callback\"\nscope = \"read\"\n",
            issuer = server.issuer(),
            document = host.url(),
        );
        let file = dir.path().join(format!("elsewhere-{trusted}.toml"));
        std::fs::write(&file, profile).unwrap();
        let options = ProviderOptions {
            tags: Some("@mcp_cimd_document".into()),
            gate: Gate::None,
            // The main client's flows are not needed: only the document's client is.
            preflight: false,
            ca_files: vec![host.ca_file().to_owned()],
            ..ProviderOptions::new(
                ProviderTarget::from_file(&file).unwrap(),
                dir.path().join(format!("report-{trusted}")),
            )
        };
        let report = run(options).await.expect("the run happens").report;
        let verdict = |name: &str| {
            let scenario = (report.scenarios.iter()).find(|s| s.name == name).unwrap();
            (
                scenario.status,
                scenario.explanation.clone().unwrap_or_default(),
            )
        };
        verdicts.push((verdict(ACCEPTED), verdict(UNLISTED)));
    }
    let [(refused, unlisted_untrusted), (accepted, unlisted)] = verdicts.as_slice() else {
        unreachable!()
    };
    assert_eq!(refused.0, Status::Failed, "{}", refused.1);
    for needed in [host.url(), "got no token", "Client ID Metadata Documents"] {
        assert!(
            refused.1.contains(needed),
            "{needed:?} not in {}",
            refused.1
        );
    }
    assert_eq!(
        unlisted_untrusted.0,
        Status::Passed,
        "{}",
        unlisted_untrusted.1
    );
    assert_eq!(accepted.0, Status::Passed, "{}", accepted.1);
    assert_eq!(unlisted.0, Status::Passed, "{}", unlisted.1);
}
