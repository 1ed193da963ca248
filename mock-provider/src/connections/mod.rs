//! The connections the mock serves, and their bounds: a header-read timeout (slowloris), an
//! idle timeout, and a cap on how many are open at once.
//!
//! # Design
//!
//! Every open connection is registered with its [`Phase`](phase::Phase): idle (since its last
//! answer, or since it opened), reading a request head (since its first byte), or busy (a
//! handler is answering). A watchdog closes an idle connection after `idle_timeout_ms` and one
//! still reading its head after `header_read_timeout_ms`; a busy one is never cut (a `delay`
//! fault may hold it for minutes on purpose).
//!
//! At `max_connections` a new connection takes the place of the connection that has made no
//! progress for the longest (idle or mid-head, oldest first): sockets one peer holds open and
//! idle can therefore never lock other clients out, and a client whose head is arriving right now
//! is the last to be closed. Only when every connection is busy does the newcomer get a short
//! `503` with a JSON error and `Connection: close`, written by a bounded pool of responders; past
//! that pool, the socket is closed at once. Either way nobody waits on a full server.
//! Reserving room instead would still let a flood of idle sockets fill the reserve.

mod io;
mod phase;
mod refuse;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(crate) use io::TrackedIo;
pub(crate) use phase::Conn;
pub(crate) use refuse::Refusals;

use crate::config::Limits;
use crate::state::lock;

/// The open connections and the limits they are held to.
#[derive(Debug)]
pub(crate) struct Connections {
    open: Mutex<HashMap<u64, Arc<Conn>>>,
    next_id: AtomicU64,
    max: usize,
    header_read: Duration,
    idle: Duration,
    max_head: usize,
}

/// A registered connection; dropping it unregisters it.
#[derive(Debug)]
pub(crate) struct Ticket {
    registry: Arc<Connections>,
    id: u64,
    conn: Arc<Conn>,
}

impl Connections {
    pub(crate) fn new(limits: &Limits) -> Arc<Self> {
        Arc::new(Self {
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            max: limits.max_connections,
            header_read: Duration::from_millis(limits.header_read_timeout_ms),
            idle: Duration::from_millis(limits.idle_timeout_ms),
            max_head: limits.max_head_bytes,
        })
    }

    /// The bytes a request head may take ([`crate::Limits::max_head_bytes`]).
    pub(crate) fn max_head(&self) -> usize {
        self.max_head
    }

    /// Registers a new connection, closing the one that made no progress for the longest when
    /// at the cap; `None` when at the cap and every connection is busy.
    pub(crate) fn admit(self: &Arc<Self>) -> Option<Ticket> {
        let mut open = lock(&self.open);
        if open.len() >= self.max {
            take_stalled(&mut open)?.close();
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn::new());
        open.insert(id, conn.clone());
        Some(Ticket {
            registry: self.clone(),
            id,
            conn,
        })
    }

    /// Closes the connection that made no progress for the longest, if any; for when the
    /// process runs out of file descriptors before the cap.
    pub(crate) fn shed_one(&self) -> bool {
        take_stalled(&mut lock(&self.open))
            .map(|conn| conn.close())
            .is_some()
    }

    /// The cap.
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// How many connections are open.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.open).len()
    }
}

/// Unregisters the connection that made no progress for the longest (idle or mid-head).
fn take_stalled(open: &mut HashMap<u64, Arc<Conn>>) -> Option<Arc<Conn>> {
    let (_, id) = open
        .iter()
        .filter_map(|(id, conn)| conn.stalled_since().map(|since| (since, *id)))
        .min()?;
    open.remove(&id)
}

impl Ticket {
    /// The connection's phase and close signal.
    pub(crate) fn conn(&self) -> &Arc<Conn> {
        &self.conn
    }

    /// Resolves when the connection has been idle or reading its head for too long, or was
    /// closed to make room.
    pub(crate) async fn ended(&self) {
        let registry = &self.registry;
        self.conn.ended(registry.header_read, registry.idle).await;
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = lock(&self.registry.open);
        if open
            .get(&self.id)
            .is_some_and(|conn| Arc::ptr_eq(conn, &self.conn))
        {
            open.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(max: usize) -> Arc<Connections> {
        Connections::new(&Limits {
            max_connections: max,
            ..Limits::default()
        })
    }

    #[test]
    fn at_the_cap_the_longest_stalled_connection_makes_room() {
        let registry = registry(2);
        let first = registry.admit().expect("room");
        let second = registry.admit().expect("room");
        second.conn().bytes_read();
        let third = registry.admit().expect("an idle one makes room");
        assert!(first.conn().is_closed(), "the oldest idle one is closed");
        assert!(!second.conn().is_closed());
        assert_eq!(registry.len(), 2);
        drop(third);
        assert_eq!(registry.len(), 1);
        drop(first);
        assert_eq!(
            registry.len(),
            1,
            "a closed ticket does not unregister another"
        );
    }

    #[test]
    fn when_every_connection_is_busy_a_newcomer_is_refused() {
        let registry = registry(1);
        let only = registry.admit().expect("room");
        let busy = only.conn().busy();
        assert!(registry.admit().is_none());
        assert!(!registry.shed_one());
        drop(busy);
        assert!(registry.admit().is_some(), "idle again, it makes room");
        assert!(only.conn().is_closed());
    }
}
