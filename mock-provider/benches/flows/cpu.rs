//! Where the machine's CPU time went during a measurement: the benchmark's own processes, the
//! provider's when it runs apart, every other process, and the hypervisor's steal.

use crate::Failure;

/// CPU time counters, in clock ticks: the machine's (`/proc/stat`) and the benchmark's own, this
/// process plus the provider's when it runs apart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuSample {
    /// Every CPU state but guest time (already counted in user time).
    total: u64,
    /// User, nice and system time; interrupt time is left out because loopback traffic is
    /// accounted there rather than to the processes that cause it.
    busy: u64,
    /// Time the hypervisor gave to other guests.
    steal: u64,
    /// User and system time of the benchmark's processes.
    ours: u64,
    /// User and system time of the provider's process, when it runs apart.
    server: u64,
}

/// Shares of the machine's CPU time over an interval, in percent.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CpuShare {
    /// Used by the benchmark (client and provider).
    pub(crate) ours: f64,
    /// Used by every other process: other work on the machine skews the figures.
    pub(crate) others: f64,
    /// Stolen by the hypervisor.
    pub(crate) steal: f64,
    /// Used by the provider's process, when it runs apart (part of `ours`).
    pub(crate) server: Option<f64>,
}

impl CpuSample {
    pub(crate) fn take(server: Option<u32>) -> Result<Self, Failure> {
        let stat = std::fs::read_to_string("/proc/stat").map_err(|e| format!("/proc/stat: {e}"))?;
        let fields: Vec<u64> = stat
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("cpu "))
            .ok_or("/proc/stat has no cpu line")?
            .split_whitespace()
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        let field = |i: usize| fields.get(i).copied().unwrap_or(0);
        let server = match server {
            Some(pid) => Some(process_ticks(&pid.to_string())?),
            None => None,
        };
        Ok(Self {
            total: (0..8).map(field).sum(),
            busy: field(0) + field(1) + field(2),
            steal: field(7),
            ours: process_ticks("self")? + server.unwrap_or(0),
            server: server.unwrap_or(0),
        })
    }

    /// The shares since `before`; `apart` says whether a provider process was counted.
    pub(crate) fn share_since(&self, before: &Self, apart: bool) -> CpuShare {
        let total = self.total.saturating_sub(before.total).max(1) as f64;
        let busy = self.busy.saturating_sub(before.busy);
        let ours = self.ours.saturating_sub(before.ours);
        CpuShare {
            ours: 100.0 * ours as f64 / total,
            others: 100.0 * busy.saturating_sub(ours) as f64 / total,
            steal: 100.0 * self.steal.saturating_sub(before.steal) as f64 / total,
            server: apart.then(|| 100.0 * self.server.saturating_sub(before.server) as f64 / total),
        }
    }
}

/// User plus system ticks of a process (`self` or a pid), all threads included; for `self`,
/// also those of its children that have been waited for (the providers spawned and stopped).
fn process_ticks(pid: &str) -> Result<u64, Failure> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("/proc/{pid}/stat: {e}"))?;
    // Fields after the command name, which may hold spaces: state is the first, then utime,
    // stime, cutime and cstime are the 12th to the 15th.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .ok_or_else(|| format!("/proc/{pid}/stat is not as expected"))
    };
    let own = tick(11)? + tick(12)?;
    let children = if pid == "self" {
        tick(13)? + tick(14)?
    } else {
        0
    };
    Ok(own + children)
}
