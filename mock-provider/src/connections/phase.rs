//! One connection's phase (idle, reading a head, busy) and the watchdog that ends it when a
//! phase lasts too long.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::state::lock;

/// What a connection is doing, and since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a request, since the last answer or since it opened.
    Idle(Instant),
    /// A request head has started to arrive, at this instant.
    ReadingHead(Instant),
    /// A handler is answering.
    Busy,
}

/// One open connection: its phase, and the signals that wake its watchdog.
#[derive(Debug)]
pub(crate) struct Conn {
    phase: Mutex<Phase>,
    changed: Notify,
    closing: Notify,
    closed: AtomicBool,
}

/// Marks a connection busy while it lives.
#[derive(Debug)]
pub(crate) struct Busy<'a>(&'a Conn);

impl Conn {
    pub(super) fn new() -> Self {
        Self {
            phase: Mutex::new(Phase::Idle(Instant::now())),
            changed: Notify::new(),
            closing: Notify::new(),
            closed: AtomicBool::new(false),
        }
    }

    fn set(&self, phase: Phase) {
        *lock(&self.phase) = phase;
        self.changed.notify_one();
    }

    /// Bytes arrived: an idle connection starts reading a request head.
    pub(crate) fn bytes_read(&self) {
        let mut phase = lock(&self.phase);
        if let Phase::Idle(_) = *phase {
            *phase = Phase::ReadingHead(Instant::now());
            drop(phase);
            self.changed.notify_one();
        }
    }

    /// The head is in and a handler answers: busy until the guard drops, then idle.
    pub(crate) fn busy(&self) -> Busy<'_> {
        self.set(Phase::Busy);
        Busy(self)
    }

    /// Since when it has made no progress (idle or mid-head); `None` while busy.
    pub(super) fn stalled_since(&self) -> Option<Instant> {
        match *lock(&self.phase) {
            Phase::Idle(since) | Phase::ReadingHead(since) => Some(since),
            Phase::Busy => None,
        }
    }

    /// Asks the connection to close.
    pub(super) fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.closing.notify_one();
    }

    #[cfg(test)]
    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// When the current phase must end, if it must.
    fn deadline(&self, header_read: Duration, idle: Duration) -> Option<Instant> {
        match *lock(&self.phase) {
            Phase::Idle(since) => since.checked_add(idle),
            Phase::ReadingHead(since) => since.checked_add(header_read),
            Phase::Busy => None,
        }
    }

    /// Resolves when a phase outlasts its timeout or the connection is asked to close.
    pub(super) async fn ended(&self, header_read: Duration, idle: Duration) {
        loop {
            if self.closed.load(Ordering::Relaxed) {
                return;
            }
            let changed = self.changed.notified();
            match self.deadline(header_read, idle) {
                Some(deadline) if deadline <= Instant::now() => return,
                Some(deadline) => tokio::select! {
                    () = tokio::time::sleep_until(deadline) => {}
                    () = changed => {}
                    () = self.closing.notified() => return,
                },
                None => tokio::select! {
                    () = changed => {}
                    () = self.closing.notified() => return,
                },
            }
        }
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.set(Phase::Idle(Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn each_phase_ends_after_its_own_timeout() {
        let conn = Conn::new();
        let (head, idle) = (Duration::from_secs(10), Duration::from_secs(60));
        let start = Instant::now();
        conn.ended(head, idle).await;
        assert_eq!(start.elapsed(), idle, "idle from the start");

        let conn = Conn::new();
        conn.bytes_read();
        let start = Instant::now();
        conn.ended(head, idle).await;
        assert_eq!(start.elapsed(), head, "a head has its own deadline");
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_connection_is_never_cut() {
        let conn = Conn::new();
        let busy = conn.busy();
        let cut = tokio::time::timeout(Duration::from_secs(3600), {
            conn.ended(Duration::from_secs(1), Duration::from_secs(1))
        })
        .await;
        assert!(cut.is_err());
        drop(busy);
        conn.close();
        conn.ended(Duration::from_secs(1), Duration::from_secs(1))
            .await;
    }
}
