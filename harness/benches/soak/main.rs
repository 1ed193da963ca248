//! A soak of the mock provider: at least a minute of full flow load from one client, with a whole
//! `gauntlet provider` run against the same mock in the middle. It prints the flows per second and
//! the mock's resident memory every 5 s, and compares the run's verdicts with those of a run
//! against a quiet mock. It fails (exit 1) if a verdict differs, the memory passes
//! [`RSS_LIMIT_MB`], or flows broke.
//!
//! Run it with `cargo bench -p gauntlet --bench soak`. Knobs: `SOAK_SECS` (the least load time,
//! default 90, at least 60), `SOAK_CONCURRENCY` (flows at once, default 64), `SOAK_RUN_AT`
//! (seconds of load before the run starts, default 20). The load goes on until the run has
//! ended and at least `SOAK_SECS` have passed.
//!
//! The mock runs in a child process (the release `mock-provider` binary, built on first use) with
//! the built-in profile: default store bounds, 60 s codes, auto-approval. [`child`] serves and describes it, [`load`]
//! floods it, [`verdicts`] runs the suite and compares.

mod child;
mod load;
mod verdicts;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use crate::child::{Memory, Spawned};
use crate::load::Load;

/// The most resident memory the mock may hold (issue 13: under 40 MB with the bounds full).
const RSS_LIMIT_MB: f64 = 40.0;

/// How often the memory and the rate are sampled.
const SAMPLE: Duration = Duration::from_secs(5);

/// The phases a sample is taken in.
const LOAD: u8 = 0;
const RUN: u8 = 1;
const AFTER: u8 = 2;
const DONE: u8 = 3;

/// One sample: seconds since the load started, flows/s over the last period, the mock's
/// memory, and the phase.
type Row = (u64, f64, Memory, &'static str);

/// Samples the rate and the memory every [`SAMPLE`] until the phase is [`DONE`].
async fn sample(
    mock: Arc<Spawned>,
    load: Arc<Load>,
    phase: Arc<AtomicU8>,
    started: Instant,
) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut last_flows = 0;
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + SAMPLE, SAMPLE);
    while phase.load(Ordering::Relaxed) != DONE {
        ticker.tick().await;
        let flows = load.flows.load(Ordering::Relaxed);
        let rate = (flows - last_flows) as f64 / SAMPLE.as_secs_f64();
        last_flows = flows;
        let name = match phase.load(Ordering::Relaxed) {
            LOAD => "load",
            RUN => "load + run",
            _ => "load (run over)",
        };
        let row = (started.elapsed().as_secs(), rate, mock.memory(), name);
        println!(
            "{:>4} s  {:>8.0} flows/s  {:>6.1} MB ({:.1} anon, {:.1} file)  {}",
            row.0, row.1, row.2.rss, row.2.anon, row.2.file, row.3
        );
        rows.push(row);
    }
    rows
}

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let soak = Duration::from_secs(knob("SOAK_SECS", 90).max(60));
    let concurrency = usize::try_from(knob("SOAK_CONCURRENCY", 64).max(1)).unwrap_or(64);
    let run_at = Duration::from_secs(knob("SOAK_RUN_AT", 20));

    println!("quiet run: gauntlet provider against a fresh mock with no other load");
    let quiet_mock = Spawned::start();
    let quiet = verdicts::run(&quiet_mock).await;
    drop(quiet_mock);
    println!("quiet run: {}", quiet.summary());

    println!(
        "\nsoak: {concurrency} workers of flows for at least {} s, the run starting after {} s\n",
        soak.as_secs(),
        run_at.as_secs()
    );
    let mock = Arc::new(Spawned::start());
    let load = Load::new(&mock.base, concurrency);
    let workers = load.start(concurrency);
    let started = Instant::now();
    let phase = Arc::new(AtomicU8::new(LOAD));
    let sampler = tokio::spawn(sample(
        Arc::clone(&mock),
        Arc::clone(&load),
        Arc::clone(&phase),
        started,
    ));
    // The schedule of the soak, not a wait for readiness: the load runs alone for a while.
    tokio::time::sleep(run_at).await;
    phase.store(RUN, Ordering::Relaxed);
    let loaded = verdicts::run_profile(&mock.profile()).await;
    phase.store(AFTER, Ordering::Relaxed);
    tokio::time::sleep(soak.saturating_sub(started.elapsed()).max(SAMPLE)).await;
    phase.store(DONE, Ordering::Relaxed);
    let rows = sampler.await.expect("the sampler ends");
    load.stop();
    for worker in workers {
        let _ = worker.await;
    }
    let flows = load.flows.load(Ordering::Relaxed);
    let broken = load.broken.load(Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64();

    println!(
        "\n| t (s) | flows/s | mock RSS (MB) | anon | file | phase |\n|---:|---:|---:|---:|---:|---|"
    );
    for (t, rate, m, phase) in &rows {
        println!(
            "| {t} | {rate:.0} | {:.1} | {:.1} | {:.1} | {phase} |",
            m.rss, m.anon, m.file
        );
    }
    let peak = rows.iter().map(|r| r.2.rss).fold(0.0, f64::max);
    println!(
        "\n{flows} flows in {secs:.0} s ({:.0} flows/s), {broken} broken; peak RSS {peak:.1} MB \
         (limit {RSS_LIMIT_MB} MB)",
        flows as f64 / secs
    );
    println!("quiet run:  {}", quiet.summary());
    println!("loaded run: {}", loaded.summary());
    let differences = quiet.differences(&loaded);
    let mut failed = false;
    if differences.is_empty() {
        println!("verdicts: the same in both runs");
    } else {
        failed = true;
        println!("verdicts DIFFER:");
        for line in differences {
            println!("  {line}");
        }
    }
    if peak.is_nan() || peak >= RSS_LIMIT_MB {
        failed = true;
        println!("memory: the mock's RSS reached {peak:.1} MB, not under {RSS_LIMIT_MB} MB");
    }
    if broken > 0 {
        failed = true;
        println!("load: {broken} flows broke");
    }
    drop(load);
    drop(mock);
    if failed {
        std::process::exit(1);
    }
}
