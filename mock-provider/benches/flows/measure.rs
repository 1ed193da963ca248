//! The measurements: start-up of the binary, throughput of every case over interleaved rounds,
//! and the resident memory of a fresh process after a long run.

use std::time::Duration;

use mock_provider::TokenFormat;

use crate::cpu::CpuSample;
use crate::load::{Budget, Run, run_flows};
use crate::process::{Spawned, embedded, memory_kb, startup_once};
use crate::report::Summary;
use crate::{Failure, LEVELS, MEMORY_CONCURRENCY};

/// Start-up of the binary over a number of spawns.
#[derive(Debug)]
pub(crate) struct Startup {
    /// Whether the binary ran with `--tls`.
    pub(crate) tls: bool,
    pub(crate) spawns: usize,
    /// Median time from spawn to the base URL on stdout.
    pub(crate) printed_median: Duration,
    /// Median, fastest and slowest time from spawn to the first answered request.
    pub(crate) answered_median: Duration,
    pub(crate) answered_min: Duration,
    pub(crate) answered_max: Duration,
    /// The share of the CPU other processes took meanwhile.
    pub(crate) others: f64,
}

impl Startup {
    pub(crate) fn measure(spawns: usize, tls: bool) -> Result<Self, Failure> {
        let before = CpuSample::take(None)?;
        let mut printed = Vec::with_capacity(spawns);
        let mut answered = Vec::with_capacity(spawns);
        for _ in 0..spawns {
            let (p, a) = startup_once(tls)?;
            printed.push(p);
            answered.push(a);
        }
        let answered_min = answered.iter().min().copied().unwrap_or_default();
        let answered_max = answered.iter().max().copied().unwrap_or_default();
        let printed_median = median(&mut printed);
        let answered_median = median(&mut answered);
        let others = CpuSample::take(None)?.share_since(&before, false).others;
        Ok(Self {
            tls,
            spawns,
            printed_median,
            answered_median,
            answered_min,
            answered_max,
            others,
        })
    }
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}

/// What a throughput case runs against.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    /// `MockProvider::start` in this process, on the client's runtime.
    Embedded(TokenFormat),
    /// The `mock-provider` binary in its own process.
    Spawned,
}

/// One row of the throughput tables.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Case {
    pub(crate) target: Target,
    pub(crate) concurrency: usize,
}

impl Case {
    pub(crate) fn label(&self) -> String {
        let tokens = match self.target {
            Target::Embedded(TokenFormat::Jwt) => "jwt (ES256)",
            _ => "opaque",
        };
        format!("{tokens}, concurrency {}", self.concurrency)
    }

    /// One run against a fresh provider, so that no run inherits another's stores.
    fn run(&self, runtime: &tokio::runtime::Runtime, budget: Budget) -> Result<Run, Failure> {
        match self.target {
            Target::Embedded(format) => runtime.block_on(async {
                let provider = embedded(format).await?;
                run_flows(&provider.uri(), None, self.concurrency, budget).await
            }),
            Target::Spawned => {
                let provider = Spawned::start()?;
                runtime.block_on(run_flows(
                    &provider.base,
                    Some(provider.pid()),
                    self.concurrency,
                    budget,
                ))
            }
        }
    }
}

/// The throughput cases and their summaries, in table order.
#[derive(Debug)]
pub(crate) struct Throughput {
    pub(crate) cases: Vec<Case>,
    pub(crate) summaries: Vec<Summary>,
}

impl Throughput {
    /// Every case once per round, rounds interleaved so that a slow spell of the machine
    /// spreads over all cases instead of sinking one.
    pub(crate) fn measure(
        runtime: &tokio::runtime::Runtime,
        budget: Budget,
        rounds: usize,
    ) -> Result<Self, Failure> {
        let cases = Self::cases();
        let mut runs: Vec<Vec<Run>> = cases.iter().map(|_| Vec::new()).collect();
        for _ in 0..rounds {
            for (case, runs) in cases.iter().zip(&mut runs) {
                runs.push(case.run(runtime, budget)?);
            }
        }
        let summaries = runs.iter().map(|r| Summary::of(r)).collect();
        Ok(Self { cases, summaries })
    }

    /// Opaque tokens at every level, JWTs at 64, embedded; then the spawned process.
    fn cases() -> Vec<Case> {
        let mut cases: Vec<Case> = LEVELS
            .iter()
            .map(|&concurrency| Case {
                target: Target::Embedded(TokenFormat::Opaque),
                concurrency,
            })
            .collect();
        cases.push(Case {
            target: Target::Embedded(TokenFormat::Jwt),
            concurrency: 64,
        });
        cases.extend(LEVELS.iter().map(|&concurrency| Case {
            target: Target::Spawned,
            concurrency,
        }));
        cases
    }

    /// The median rate with opaque tokens at concurrency 64, embedded or spawned.
    pub(crate) fn rate_at_64(&self, embedded: bool) -> f64 {
        self.cases
            .iter()
            .zip(&self.summaries)
            .find(|(c, _)| {
                c.concurrency == 64
                    && match c.target {
                        Target::Embedded(format) => embedded && format == TokenFormat::Opaque,
                        Target::Spawned => !embedded,
                    }
            })
            .map_or(0.0, |(_, s)| s.median_rate())
    }
}

/// The memory of a fresh process, idle and after a long run of flows.
#[derive(Debug)]
pub(crate) struct Memory {
    /// `VmRSS` before any flow, in kB.
    pub(crate) idle_rss: u64,
    /// `VmRSS` and `VmHWM` after the flows, in kB.
    pub(crate) rss: u64,
    pub(crate) hwm: u64,
    pub(crate) run: Run,
}

impl Memory {
    /// A fresh process, so that its figures are the server's alone.
    pub(crate) fn measure(
        runtime: &tokio::runtime::Runtime,
        flows: usize,
    ) -> Result<Self, Failure> {
        let provider = Spawned::start()?;
        let (idle_rss, _) = memory_kb(provider.pid())?;
        let run = runtime.block_on(run_flows(
            &provider.base,
            Some(provider.pid()),
            MEMORY_CONCURRENCY,
            Budget::Count(flows),
        ))?;
        let (rss, hwm) = memory_kb(provider.pid())?;
        drop(provider);
        Ok(Self {
            idle_rss,
            rss,
            hwm,
            run,
        })
    }

    /// `VmRSS` after the flows, in MB.
    pub(crate) fn rss_mb(&self) -> f64 {
        self.rss as f64 / 1024.0
    }
}
