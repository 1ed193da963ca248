//! Full OAuth flows against the mock provider over loopback: throughput and latency at several
//! concurrency levels, start-up time of the `mock-provider` binary, and its resident memory after
//! 100,000 flows.
//!
//! One flow is what a chatbot platform does to link an account with the default profile:
//!
//! 1. `GET /authorize?response_type=code&client_id=…&redirect_uri=…&state=…&code_challenge=…`
//!    with `code_challenge_method=S256`; auto-approval answers 302 and the code is read from the
//!    `Location` header (the redirect is not followed);
//! 2. `POST /token` with `grant_type=authorization_code`, the code, `redirect_uri` and
//!    `code_verifier`, the client authenticated by HTTP Basic over the form-urlencoded id and
//!    secret;
//! 3. `GET /userinfo` with `Authorization: Bearer` and the access token.
//!
//! Every status is checked (302, 200, 200) and the code, token and claims are read, so a broken
//! flow stops the benchmark with an error instead of producing a figure.
//!
//! Run it with `cargo bench -p mock-provider --bench flows`. `FLOWS_QUICK=1` (or `--quick`)
//! shortens every phase for a smoke run; its figures are noisier and are not the ones recorded in
//! `BENCHMARKS.md`. `FLOWS_CLIENT=pool` swaps the one-connection-per-worker client for
//! hyper-util's pooled one; `FLOWS_PROFILE=FILE` runs the provider with a TOML profile that keeps
//! the default client and paths; `FLOWS_MEMORY_ONLY=1` runs only the memory case, with
//! `FLOWS_MEMORY_FLOWS=N` flows instead of 100,000; `FLOWS_STARTUP_ONLY=1` runs only the start-up
//! cases, plain and `--tls`. The load generator runs in this process and shares the
//! machine's cores with the provider; each row says how the CPU time was split.
//!
//! The modules: [`flow`] drives one flow, [`load`] runs many at once, [`cpu`] and [`process`]
//! read what they cost, [`measure`] makes each measurement and [`report`] prints it.

mod cpu;
mod flow;
mod load;
mod measure;
mod process;
mod report;

use std::time::Duration;

use crate::load::Budget;
use crate::measure::{Memory, Startup, Throughput};

/// Flows for the resident-memory figure.
const MEMORY_FLOWS: usize = 100_000;

/// Concurrency of the resident-memory run.
const MEMORY_CONCURRENCY: usize = 64;

/// Concurrency levels of the throughput table.
const LEVELS: [usize; 3] = [1, 8, 64];

/// Targets from the issue, printed beside the figures.
const TARGET_FLOWS_PER_SEC_AT_64: f64 = 10_000.0;
const TARGET_STARTUP_MS: f64 = 50.0;
/// Resident memory with both stores full at the default bounds.
const TARGET_RSS_MB: f64 = 40.0;

type Failure = String;

/// How long each phase runs.
#[derive(Debug, Clone, Copy)]
struct Plan {
    /// Flows run before measuring, per run.
    warmup: Duration,
    /// Measured time per run.
    measure: Duration,
    /// Runs of each case, interleaved; the table gives the median rate.
    rounds: usize,
    /// Spawns of the binary for the start-up median.
    startups: usize,
    /// Flows before reading the server's memory.
    memory_flows: usize,
}

impl Plan {
    fn from_env() -> Self {
        let quick = std::env::args().any(|a| a == "--quick")
            || std::env::var("FLOWS_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        if quick {
            Self {
                warmup: Duration::from_millis(200),
                measure: Duration::from_millis(600),
                rounds: 1,
                startups: 5,
                memory_flows: 20_000,
            }
        } else {
            Self {
                warmup: Duration::from_millis(500),
                measure: Duration::from_secs(2),
                rounds: 3,
                startups: 21,
                memory_flows: MEMORY_FLOWS,
            }
        }
    }

    fn is_quick(&self) -> bool {
        self.memory_flows != MEMORY_FLOWS
    }
}

fn bench(plan: Plan) -> Result<(), Failure> {
    report::preamble(&plan);
    if env_flag("FLOWS_MEMORY_ONLY") {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot build the runtime: {e}"))?;
        let flows = std::env::var("FLOWS_MEMORY_FLOWS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(plan.memory_flows);
        report::memory(&Memory::measure(&runtime, flows)?);
        return Ok(());
    }
    // Start-up first, on a machine not yet busy with anything else: plain, then with TLS.
    let startups = [
        Startup::measure(plan.startups, false)?,
        Startup::measure(plan.startups, true)?,
    ];
    if env_flag("FLOWS_STARTUP_ONLY") {
        startups.iter().for_each(report::startup);
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    let budget = Budget::Timed {
        warmup: plan.warmup,
        measure: plan.measure,
    };
    let throughput = Throughput::measure(&runtime, budget, plan.rounds)?;
    report::throughput(&throughput);
    let memory = Memory::measure(&runtime, plan.memory_flows)?;
    report::memory(&memory);
    startups.iter().for_each(report::startup);
    report::targets(&throughput, &startups, &memory);
    Ok(())
}

/// Whether an environment variable is set to something other than empty or `0`.
fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

fn main() {
    if let Err(failure) = bench(Plan::from_env()) {
        eprintln!("flows benchmark FAILED: {failure}");
        std::process::exit(1);
    }
}
