//! The load: `concurrency` workers running flows for a time or a count, the latency of each
//! counted flow and the CPU time split over the measured window.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::Failure;
use crate::cpu::{CpuSample, CpuShare};
use crate::flow::{ClientKind, Flow, http_client};

/// How much work a run does.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Budget {
    /// Flows during `warmup` are not counted; flows that start after it and end within
    /// `measure` are.
    Timed { warmup: Duration, measure: Duration },
    /// Exactly this many flows, all counted.
    Count(usize),
}

/// The measured flows of one run.
#[derive(Debug)]
pub(crate) struct Run {
    /// Flow latencies in microseconds, sorted.
    pub(crate) latencies_us: Vec<u32>,
    /// The window the flows were counted in.
    pub(crate) elapsed: Duration,
    /// Where the machine's CPU time went meanwhile.
    pub(crate) cpu: CpuShare,
}

impl Run {
    pub(crate) fn flows(&self) -> usize {
        self.latencies_us.len()
    }

    pub(crate) fn rate(&self) -> f64 {
        self.flows() as f64 / self.elapsed.as_secs_f64()
    }
}

/// When a run counts flows and when it stops.
#[derive(Debug, Clone, Copy)]
struct Window {
    /// Flows that start before this are not counted.
    counted_from: Instant,
    /// No flow starts after this, and one that ends after it is not counted.
    deadline: Option<Instant>,
    /// How many flows all workers start together.
    quota: Option<usize>,
}

impl Window {
    fn of(budget: Budget, started: Instant) -> Self {
        let (counted_from, deadline, quota) = match budget {
            Budget::Timed { warmup, measure } => {
                (started + warmup, Some(started + warmup + measure), None)
            }
            Budget::Count(n) => (started, None, Some(n)),
        };
        Self {
            counted_from,
            deadline,
            quota,
        }
    }
}

/// Runs flows from `concurrency` workers against `base`; `server` is the provider's process
/// when it is not this one, so that its CPU time counts as ours.
pub(crate) async fn run_flows(
    base: &str,
    server: Option<u32>,
    concurrency: usize,
    budget: Budget,
) -> Result<Run, Failure> {
    let pool = (ClientKind::from_env() == ClientKind::Pool).then(|| http_client(concurrency));
    let mut flows = Vec::with_capacity(concurrency);
    for worker in 0..concurrency {
        flows.push(Flow::new(pool.clone(), base, worker).await?);
    }
    let started = Instant::now();
    let window = Window::of(budget, started);
    let issued = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = flows
        .into_iter()
        .map(|flow| tokio::spawn(work(flow, window, issued.clone())))
        .collect();
    tokio::time::sleep_until(window.counted_from.into()).await;
    let before = CpuSample::take(server)?;
    let mut latencies_us = Vec::new();
    for worker in workers {
        latencies_us.extend(
            worker
                .await
                .map_err(|e| format!("worker panicked: {e}"))??,
        );
    }
    let cpu = CpuSample::take(server)?.share_since(&before, server.is_some());
    let elapsed = match window.deadline {
        Some(deadline) => deadline - window.counted_from,
        None => started.elapsed(),
    };
    latencies_us.sort_unstable();
    Ok(Run {
        latencies_us,
        elapsed,
        cpu,
    })
}

/// One worker: flows one after the other until the window closes; the latencies it counted.
async fn work(
    mut flow: Flow,
    window: Window,
    issued: Arc<AtomicUsize>,
) -> Result<Vec<u32>, Failure> {
    let mut latencies = Vec::with_capacity(1 << 14);
    loop {
        let begin = Instant::now();
        if window.deadline.is_some_and(|d| begin >= d) {
            break;
        }
        if (window.quota).is_some_and(|n| issued.fetch_add(1, Ordering::Relaxed) >= n) {
            break;
        }
        flow.run().await?;
        let end = Instant::now();
        if begin >= window.counted_from && window.deadline.is_none_or(|d| end <= d) {
            let us = (end - begin).as_micros();
            latencies.push(u32::try_from(us).unwrap_or(u32::MAX));
        }
    }
    Ok(latencies)
}
