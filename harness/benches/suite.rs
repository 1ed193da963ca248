//! Wall time of the whole client suite against the bundled reference platform (web and chat
//! channels, and the MCP client with its `@mcp` scenarios alone and with every generic one), and
//! of the whole provider suite against the embedded mock (default, openchatstudio and mcp
//! profiles), compilation excluded. Run with `cargo bench -p gauntlet --bench suite`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use gauntlet::client::profile::PlatformProfile;
use gauntlet::client::{RunOptions, run};
use gauntlet::provider::profile::ProviderTarget;
use gauntlet::provider::{ProviderOptions, run as run_provider};
use gauntlet::report::Status;
use gauntlet::suite::{Gate, RunResult};

const ROUNDS: usize = 5;

#[tokio::main]
async fn main() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/platforms");
    println!(
        "gauntlet client suite, {ROUNDS} rounds per profile, concurrency 8 (nproc = {})",
        cores()
    );
    // The MCP client suite alone (`@mcp`), then with the generic scenarios.
    for (file, tags) in [
        ("reference.toml", None),
        ("reference-chat.toml", None),
        ("reference-mcp.toml", Some("@mcp")),
        ("reference-mcp.toml", None),
    ] {
        let profile = PlatformProfile::from_file(&std::path::Path::new(fixtures).join(file))
            .expect("profile parses");
        let label = match tags {
            Some(tags) => format!("{file} {tags}"),
            None => file.to_owned(),
        };
        measure(&label, "start-up of mock and platform included", |dir| {
            run(RunOptions {
                gate: Gate::Should,
                tags: tags.map(str::to_owned),
                ..RunOptions::new(profile.clone(), dir)
            })
        })
        .await;
    }
    println!("gauntlet provider suite against the embedded mock, {ROUNDS} rounds per profile");
    let providers = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/providers");
    for file in ["default.toml", "openchatstudio.toml", "mcp.toml"] {
        let target = ProviderTarget::from_file(&std::path::Path::new(providers).join(file))
            .expect("profile parses");
        measure(file, "mock start-up included", |dir| {
            run_provider(ProviderOptions::new(target.clone(), dir))
        })
        .await;
    }
}

/// Runs `one` [`ROUNDS`] times (each with a fresh report directory), insists that no
/// scenario failed, and prints the median and the maximum wall time.
async fn measure<F, Fut>(file: &str, note: &str, one: F)
where
    F: Fn(PathBuf) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<RunResult>>,
{
    let mut times = Vec::new();
    let mut scenarios = 0;
    for _ in 0..ROUNDS {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let started = Instant::now();
        let result = one(dir.path().to_path_buf())
            .await
            .expect("the run completes");
        times.push(started.elapsed());
        drop(dir);
        scenarios = result.report.scenarios.len();
        let failed = result
            .report
            .scenarios
            .iter()
            .filter(|s| s.status == Status::Failed)
            .count();
        assert_eq!(failed, 0, "[{file}] {failed} scenarios failed");
    }
    times.sort();
    println!(
        "{file}: {scenarios} scenarios, median {}, max {} ({note})",
        ms(times[ROUNDS / 2]),
        ms(times[ROUNDS - 1])
    );
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
