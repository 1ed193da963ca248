//! The whole client suite against the bundled reference platform in every profile of
//! `fixtures/platforms/` — web and chat channels, the CSML, Converse, Kore.ai and Botpress
//! shapes, each against the default mock and the mock playing OpenChatStudio: every applicable
//! scenario must pass, and every shape's own scenarios must run in its profiles.
//! (`harness = false`: a plain binary that prints what failed.)

use std::path::PathBuf;
use std::process::ExitCode;

use gauntlet::client::profile::PlatformProfile;
use gauntlet::client::{RunOptions, run};
use gauntlet::report::Status;
use gauntlet::suite::Gate;

/// Each scenario's feature, name and status, sorted.
fn verdicts(report: &gauntlet::report::RunReport) -> Vec<(String, String, Status)> {
    let mut verdicts: Vec<_> = report
        .scenarios
        .iter()
        .map(|s| (s.feature.clone(), s.name.clone(), s.status))
        .collect();
    verdicts.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    verdicts
}

#[tokio::main]
async fn main() -> ExitCode {
    let fixtures = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/platforms"
    ));
    let mut files: Vec<String> = std::fs::read_dir(&fixtures)
        .expect("fixtures/platforms exists")
        .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
        // Profiles that launch a program from the repository have their own tests
        // (tests/it/launched.rs, tests/it/outside_client.rs, tests/it/outside_client_node.rs).
        .filter(|n| {
            n.ends_with(".toml")
                && !gauntlet::bundled::NOT_BUNDLED
                    .iter()
                    .any(|(file, _)| *file == format!("platforms/{n}"))
        })
        .collect();
    files.sort();
    let runs = files.iter().map(|file| {
        let fixtures = &fixtures;
        async move {
            let profile = PlatformProfile::from_file(&fixtures.join(file)).expect("profile parses");
            let shape = profile.shape.name();
            let report_dir = tempfile::tempdir().expect("a temporary folder");
            let options = RunOptions {
                gate: Gate::Should,
                ..RunOptions::new(profile, report_dir.path().to_owned())
            };
            let result = run(options).await.expect("the run completes");
            (file, shape, result)
        }
    });
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    // Three profiles at a time: eleven runs of eight concurrent scenarios at once starve a busy
    // 2-core machine, and the suite's own request timeouts would then fail scenarios.
    use futures::StreamExt as _;
    let results: Vec<_> = futures::stream::iter(runs).buffered(3).collect().await;
    // A profile whose mock serves HTTPS has the verdicts of its plain twin, scenario by scenario,
    // but for the transport rules (`client/transport.feature`): passed over HTTPS (the
    // reference's redirect URI is loopback http, and it refuses to start against metadata
    // naming a plain-HTTP token endpoint), not applicable over plain HTTP.
    {
        let transport = |verdicts: &mut Vec<(String, String, Status)>| {
            let mut statuses: Vec<Status> = Vec::new();
            verdicts.retain(|(feature, _, status)| {
                let keep = feature != "transport security";
                if !keep {
                    statuses.push(*status);
                }
                keep
            });
            statuses
        };
        let (https, plain) = ("reference-tls.toml", "reference.toml");
        let verdicts = |name: &str| {
            results
                .iter()
                .find(|(file, _, _)| file.as_str() == name)
                .map(|(_, _, result)| verdicts(&result.report))
        };
        let (mut https_verdicts, mut plain_verdicts) = (verdicts(https), verdicts(plain));
        let over_https = https_verdicts.as_mut().map(transport);
        let over_plain = plain_verdicts.as_mut().map(transport);
        let (passed, skipped) = (vec![Status::Passed; 2], vec![Status::Skipped; 2]);
        if over_https.as_ref() != Some(&passed) || over_plain.as_ref() != Some(&skipped) {
            eprintln!(
                "[{https}] transport verdicts {over_https:?} (want {passed:?}); [{plain}] \
                 {over_plain:?} (want {skipped:?})"
            );
            failed += 1;
        }
        match (https_verdicts, plain_verdicts) {
            (Some(https_verdicts), Some(plain_verdicts)) if https_verdicts == plain_verdicts => {}
            (https_verdicts, plain_verdicts) => {
                eprintln!(
                    "[{https}] verdicts differ from [{plain}]: {https_verdicts:#?}\nvs\n{plain_verdicts:#?}"
                );
                failed += 1;
            }
        }
    }
    for (file, shape, result) in results {
        let report = &result.report;
        for scenario in &report.scenarios {
            match scenario.status {
                Status::Passed => passed += 1,
                Status::Skipped => skipped += 1,
                // The client direction gives no errors; one would be a failure here.
                Status::Failed | Status::Error => {
                    failed += 1;
                    eprintln!(
                        "FAILED [{file}] {}: {}",
                        scenario.name,
                        scenario.explanation.as_deref().unwrap_or("?")
                    );
                }
            }
        }
        let ran = report
            .scenarios
            .iter()
            .filter(|s| s.status == Status::Passed)
            .count();
        let own_shape_ran = shape == "web"
            || report
                .scenarios
                .iter()
                .any(|s| s.tags.iter().any(|t| t == shape) && s.status == Status::Passed);
        if ran < 40 || !own_shape_ran || !result.passed {
            eprintln!(
                "[{file}] only {ran} scenarios passed, own shape ran: {own_shape_ran}, gate passed: {}",
                result.passed
            );
            failed += 1;
        }
    }
    println!(
        "{passed} passed, {failed} failed, {skipped} not applicable ({} profiles)",
        files.len()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
