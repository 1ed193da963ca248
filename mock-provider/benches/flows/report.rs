//! The report: the Markdown that `cargo bench -p mock-provider --bench flows` prints, from the
//! preamble to the table of figures against the targets.

use std::time::Duration;

use crate::cpu::CpuShare;
use crate::flow::ClientKind;
use crate::load::Run;
use crate::measure::{Memory, Startup, Throughput};
use crate::{
    MEMORY_CONCURRENCY, Plan, TARGET_FLOWS_PER_SEC_AT_64, TARGET_RSS_MB, TARGET_STARTUP_MS,
};

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
fn percentile_ms(sorted_us: &[u32], p: f64) -> f64 {
    let n = sorted_us.len();
    if n == 0 {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    f64::from(sorted_us[rank.clamp(1, n) - 1]) / 1_000.0
}

/// The runs of one case: the median rate and its spread, latencies over every run.
#[derive(Debug)]
pub(crate) struct Summary {
    /// Flows per second of each run, sorted.
    rates: Vec<f64>,
    /// Every counted flow's latency, sorted.
    latencies_us: Vec<u32>,
    /// The largest share of the CPU other processes took during a run.
    others: f64,
    /// The largest share the hypervisor stole during a run.
    steal: f64,
    /// The benchmark's mean share of the CPU.
    ours: f64,
    /// The provider process's mean share of the CPU, when it runs apart.
    server: Option<f64>,
}

impl Summary {
    pub(crate) fn of(runs: &[Run]) -> Self {
        let mut rates: Vec<f64> = runs.iter().map(Run::rate).collect();
        rates.sort_by(f64::total_cmp);
        let mut latencies_us: Vec<u32> = runs
            .iter()
            .flat_map(|r| r.latencies_us.iter().copied())
            .collect();
        latencies_us.sort_unstable();
        let max = |f: fn(&CpuShare) -> f64| runs.iter().map(|r| f(&r.cpu)).fold(0.0, f64::max);
        Self {
            rates,
            latencies_us,
            others: max(|c| c.others),
            steal: max(|c| c.steal),
            ours: mean(runs.iter().map(|r| r.cpu.ours)),
            server: runs
                .iter()
                .map(|r| r.cpu.server)
                .collect::<Option<Vec<f64>>>()
                .map(|shares| mean(shares.into_iter())),
        }
    }

    pub(crate) fn median_rate(&self) -> f64 {
        self.rates.get(self.rates.len() / 2).copied().unwrap_or(0.0)
    }

    pub(crate) fn print_row(&self, label: &str) {
        let low = self.rates.first().copied().unwrap_or(0.0);
        let high = self.rates.last().copied().unwrap_or(0.0);
        println!(
            "| {label} | {:.0} | {low:.0}–{high:.0} | {:.3} | {:.3} | {} | {:.0}{} / {:.0} / {:.0} |",
            self.median_rate(),
            percentile_ms(&self.latencies_us, 50.0),
            percentile_ms(&self.latencies_us, 99.0),
            self.latencies_us.len(),
            self.ours,
            self.server
                .map(|s| format!(" (server {s:.0})"))
                .unwrap_or_default(),
            self.others,
            self.steal,
        );
        if self.others > SKEW_PCT {
            println!(
                "| (other processes took up to {:.0}% of the CPU: this row is skewed) | | | | | | |",
                self.others
            );
        }
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(sum, n), v| (sum + v, n + 1));
    sum / n.max(1) as f64
}

/// Other processes taking more than this share of the CPU skew a figure.
const SKEW_PCT: f64 = 5.0;

const TABLE_HEAD: &str = "| case | flows/s (median) | range | p50 ms | p99 ms | flows | CPU % ours / others / steal |\n|---|---:|---:|---:|---:|---:|---:|";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} CPUs available, {model}")
}

/// The title, the machine and how the runs are made.
pub(crate) fn preamble(plan: &Plan) {
    println!("# mock-provider flows benchmark");
    println!();
    println!("machine: {}", machine());
    if plan.is_quick() {
        println!("QUICK MODE: shortened phases, figures are indicative only");
    }
    println!(
        "flow: GET /authorize (302, auto-approve, S256) -> POST /token (Basic) -> GET /userinfo"
    );
    println!(
        "client: {:?} (FLOWS_CLIENT=pool for hyper-util's pooled client)",
        ClientKind::from_env()
    );
    println!(
        "each run: {:.1} s warm-up, then {:.1} s measured, {} round(s); client and server share \
         the CPUs",
        plan.warmup.as_secs_f64(),
        plan.measure.as_secs_f64(),
        plan.rounds
    );
    println!();
}

/// The throughput tables: the embedded provider's, then the spawned process's.
pub(crate) fn throughput(throughput: &Throughput) {
    for (title, embedded) in [
        (
            "## embedded provider (MockProvider::start, same process and runtime as the client)",
            true,
        ),
        (
            "## spawned `mock-provider` process (its own runtime, loopback)",
            false,
        ),
    ] {
        println!("{title}");
        println!();
        println!("{TABLE_HEAD}");
        for (case, summary) in throughput.cases.iter().zip(&throughput.summaries) {
            if matches!(case.target, crate::measure::Target::Embedded(_)) == embedded {
                summary.print_row(&case.label());
            }
        }
        println!();
    }
}

/// The memory run's row and the process's resident memory.
pub(crate) fn memory(memory: &Memory) {
    println!(
        "## memory: {} flows at concurrency {MEMORY_CONCURRENCY} against a fresh process",
        memory.run.flows()
    );
    println!();
    println!("{TABLE_HEAD}");
    Summary::of(std::slice::from_ref(&memory.run)).print_row(&format!(
        "opaque, concurrency {MEMORY_CONCURRENCY}, memory run"
    ));
    println!();
    println!(
        "VmRSS idle {:.1} MB; after the flows VmRSS {:.1} MB, VmHWM {:.1} MB",
        memory.idle_rss as f64 / 1024.0,
        memory.rss as f64 / 1024.0,
        memory.hwm as f64 / 1024.0
    );
    // Each flow stores a code (a tombstone once redeemed), an access and a refresh token.
    let flows = memory.run.flows();
    if std::env::var_os("FLOWS_PROFILE").is_some() {
        println!("stores: bounded by the [limits] of FLOWS_PROFILE");
    } else {
        let limits = mock_provider::Limits::default();
        let full = flows >= limits.max_codes && flows.saturating_mul(2) >= limits.max_tokens;
        println!(
            "stores: {flows} codes and {} tokens issued against the default bounds of {} codes \
             and {} tokens ({})",
            flows.saturating_mul(2),
            limits.max_codes,
            limits.max_tokens,
            if full {
                "both full"
            } else {
                "NOT full: this is not the full-store figure"
            }
        );
    }
    println!();
}

/// The start-up times of the binary.
pub(crate) fn startup(startup: &Startup) {
    let others = startup.others;
    let how = if startup.tls {
        "with --tls: CA and certificate made at start-up, request over TLS"
    } else {
        "plain HTTP"
    };
    println!(
        "## start-up of the binary, {how} ({} spawns)",
        startup.spawns
    );
    println!();
    println!(
        "spawn -> base URL on stdout: median {:.2} ms; spawn -> first 200 from the metadata: \
         median {:.2} ms (min {:.2}, max {:.2}); CPU used by other processes meanwhile \
         {others:.0}%",
        ms(startup.printed_median),
        ms(startup.answered_median),
        ms(startup.answered_min),
        ms(startup.answered_max)
    );
    // Ticks are 10 ms, and the spawns take about 0.1 s: only a large share means something.
    if others > 6.0 * SKEW_PCT {
        println!("(other processes used {others:.0}% of the CPU meanwhile: skewed)");
    }
    println!();
}

/// The figures against the targets of the issue.
pub(crate) fn targets(throughput: &Throughput, startups: &[Startup], memory: &Memory) {
    let rss_mb = memory.rss_mb();
    println!("## against the targets");
    println!();
    println!("| figure | measured | target | |");
    println!("|---|---:|---:|---|");
    for (label, embedded) in [("embedded", true), ("spawned process", false)] {
        let rate = throughput.rate_at_64(embedded);
        println!(
            "| flows/s at concurrency 64, opaque, {label} (median) | {rate:.0} | >= {TARGET_FLOWS_PER_SEC_AT_64:.0} | {} |",
            verdict(rate >= TARGET_FLOWS_PER_SEC_AT_64)
        );
    }
    for startup in startups {
        let startup_ms = ms(startup.answered_median);
        let tls = if startup.tls { ", --tls" } else { "" };
        println!(
            "| start-up to first answered request{tls} (median) | {startup_ms:.2} ms | < {TARGET_STARTUP_MS:.0} ms | {} |",
            verdict(startup_ms < TARGET_STARTUP_MS)
        );
    }
    println!(
        "| VmRSS after {} flows | {rss_mb:.1} MB | < {TARGET_RSS_MB:.0} MB | {} |",
        memory.run.flows(),
        verdict(rss_mb < TARGET_RSS_MB)
    );
}
