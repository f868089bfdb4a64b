//! One queue for the writers of a SQLite file within this process.
//!
//! SQLite lets one connection write at a time, and a connection that finds the write lock
//! taken sleeps and tries again (its busy handler: 1 ms, then 2, 5, 10, ... up to 100 ms
//! between tries). The intake's batch writer takes the lock again as soon as it committed
//! a batch, so under a flood of reports every other writer kept waking up to find it
//! taken. Measured during floods of about 5,000 reports/s: an API read (which marked its
//! token used) took up to 1-2 s instead of 2 ms, and the job runner (notices to the team,
//! the policy's clocks) finished 15 jobs in 8 s.
//!
//! Every write of this process (transactions, and the few single statements that write)
//! now first waits in this queue, first come first served (tokio's mutex is fair): another
//! writer waits for at most the batch being written. Other processes (a CLI command next to
//! `serve`) still meet SQLite's busy handler. PostgreSQL queues writers itself (the
//! advisory lock every transaction takes, and row locks): no gate there.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OwnedMutexGuard};

/// How long a writer waits in the queue before it tries SQLite's lock anyway: as long as
/// SQLite's own busy handler waits (`busy_timeout`). A writer that waited that long meets
/// the outcome it met before there was a queue (the lock, or "database is locked"), never
/// a wait without end (say, a write made while the same task holds a transaction).
const PATIENCE: Duration = Duration::from_secs(10);

/// The queue, shared by every clone of a SQLite [`crate::Store`].
#[derive(Debug, Clone)]
pub(crate) struct WriteGate(Option<Arc<Mutex<()>>>);

/// A writer's turn, until dropped (a transaction keeps it until its commit or rollback).
#[derive(Debug)]
pub(crate) struct WriteTurn {
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTurn {
    /// For a transaction that only reads.
    pub(crate) fn none() -> Self {
        Self { _turn: None }
    }
}

impl WriteGate {
    /// The queue of a SQLite file's writers.
    pub(crate) fn sqlite() -> Self {
        Self(Some(Arc::new(Mutex::new(()))))
    }

    /// No queue: PostgreSQL's own locks order its writers.
    pub(crate) fn none() -> Self {
        Self(None)
    }

    /// Waits for this writer's turn (for [`PATIENCE`] at most).
    pub(crate) async fn turn(&self) -> WriteTurn {
        match &self.0 {
            Some(queue) => WriteTurn {
                _turn: tokio::time::timeout(PATIENCE, queue.clone().lock_owned())
                    .await
                    .ok(),
            },
            None => WriteTurn::none(),
        }
    }
}
