//! The write-ahead log copied into the database behind the intake writer.
//!
//! SQLite copies its log into the database in a checkpoint. Made by the writer, inside the
//! commit that filled the log, it held every waiting report for the copy and a sync of the
//! database: the slowest answers under load. Here a copier task copies from another
//! connection once a batch is durable (one copy at a time, a pause of [`CHECKPOINT_EVERY`]
//! after each) while the writer goes on; once it is done, the writer copies
//! between two batches only what was committed meanwhile, after which the log is written
//! over from its start. See `embargo_store::batch_writes`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use embargo_store::Store;

/// The pause after each copy: a copy syncs the database file, so under a trickle of
/// reports this keeps to a few syncs a second, and under a flood each copies a few
/// thousand pages of log.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// Shared by the writer and the syncer of one installation process.
#[derive(Clone)]
pub(crate) struct Checkpoints {
    store: Store,
    /// A batch became durable since the copier last looked.
    pending: Arc<AtomicBool>,
    /// The copier task is running.
    running: Arc<AtomicBool>,
    /// A copy ended and the writer has not finished it yet.
    copied: Arc<AtomicBool>,
}

impl Checkpoints {
    pub(crate) fn new(store: Store) -> Self {
        Self {
            store,
            pending: Arc::default(),
            running: Arc::default(),
            copied: Arc::default(),
        }
    }

    /// The syncer, after a batch is durable: the copier copies it soon, at most one copy
    /// every [`CHECKPOINT_EVERY`]; the last batch of a burst is copied too.
    pub(crate) fn after_sync(&self) {
        self.pending.store(true, Ordering::Release);
        if self.running.swap(true, Ordering::AcqRel) {
            return; // The running copier sees `pending`.
        }
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                while this.pending.swap(false, Ordering::AcqRel) {
                    match this.store.checkpoint_behind_writer().await {
                        Ok(()) => this.copied.store(true, Ordering::Release),
                        // The server is stopping: nothing to report (a stop under load
                        // logged this as a failed copy).
                        Err(e) if e.is_closed() => return,
                        // The writer's own checkpoints take over (`BATCH_PRAGMAS`).
                        Err(e) => tracing::warn!("copying the write-ahead log: {e}"),
                    }
                    tokio::time::sleep(CHECKPOINT_EVERY).await;
                }
                this.running.store(false, Ordering::Release);
                // A batch that became durable after the last look saw the copier running.
                if !this.pending.load(Ordering::Acquire)
                    || this.running.swap(true, Ordering::AcqRel)
                {
                    break;
                }
            }
        });
    }

    /// The writer, before a batch: finishes a copy that ended since the last batch.
    pub(crate) async fn before_batch(&self) {
        if self.copied.swap(false, Ordering::AcqRel)
            && let Err(e) = self.store.finish_checkpoint().await
        {
            tracing::warn!("finishing the copy of the write-ahead log: {e}");
        }
    }
}
