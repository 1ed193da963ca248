//! Wall time of the whole client suite against the bundled reference platform (web and chat
//! channels), and of the whole provider suite against the embedded mock (default and
//! openchatstudio profiles), compilation excluded. Run with
//! `cargo bench -p gauntlet --bench suite`.

use std::time::{Duration, Instant};

use gauntlet::profile::PlatformProfile;
use gauntlet::provider::profile::ProviderTarget;
use gauntlet::provider::run::{ProviderOptions, run as run_provider};
use gauntlet::report::Status;
use gauntlet::run::{Gate, RunOptions, run};

const ROUNDS: usize = 5;

#[tokio::main]
async fn main() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/platforms");
    println!(
        "gauntlet client suite, {ROUNDS} rounds per profile, concurrency 8 (nproc = {})",
        cores()
    );
    for file in ["reference.toml", "reference-chat.toml"] {
        let profile = PlatformProfile::from_file(&std::path::Path::new(fixtures).join(file))
            .expect("profile parses");
        let mut times = Vec::new();
        let mut scenarios = 0;
        for round in 0..ROUNDS {
            let report_dir =
                std::env::temp_dir().join(format!("gauntlet-bench-{}-{round}", std::process::id()));
            let options = RunOptions {
                gate: Gate::Should,
                ..RunOptions::new(profile.clone(), report_dir)
            };
            let started = Instant::now();
            let result = run(options.clone()).await.expect("the run completes");
            times.push(started.elapsed());
            let _ = std::fs::remove_dir_all(&options.report_dir);
            scenarios = result.report.scenarios.len();
            let failed = result
                .report
                .scenarios
                .iter()
                .filter(|s| s.status == Status::Failed)
                .count();
            assert_eq!(
                failed, 0,
                "the reference platform failed {failed} scenarios"
            );
        }
        times.sort();
        let median = times[ROUNDS / 2];
        let max = times[ROUNDS - 1];
        println!(
            "{file}: {scenarios} scenarios, median {}, max {} (start-up of mock and platform included)",
            ms(median),
            ms(max)
        );
    }
    println!("gauntlet provider suite against the embedded mock, {ROUNDS} rounds per profile");
    let providers = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/providers");
    for file in ["default.toml", "openchatstudio.toml"] {
        let target = ProviderTarget::from_file(&std::path::Path::new(providers).join(file))
            .expect("profile parses");
        let mut times = Vec::new();
        let mut scenarios = 0;
        for round in 0..ROUNDS {
            let report_dir = std::env::temp_dir().join(format!(
                "gauntlet-bench-provider-{}-{round}",
                std::process::id()
            ));
            let options = ProviderOptions::new(target.clone(), report_dir.clone());
            let started = Instant::now();
            let result = run_provider(options).await.expect("the run completes");
            times.push(started.elapsed());
            let _ = std::fs::remove_dir_all(&report_dir);
            scenarios = result.report.scenarios.len();
            let failed = result
                .report
                .scenarios
                .iter()
                .filter(|s| s.status == Status::Failed)
                .count();
            assert_eq!(failed, 0, "the mock failed {failed} provider scenarios");
        }
        times.sort();
        println!(
            "{file}: {scenarios} scenarios, median {}, max {} (mock start-up included)",
            ms(times[ROUNDS / 2]),
            ms(times[ROUNDS - 1])
        );
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
