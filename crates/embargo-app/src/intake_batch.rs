//! Group commit for intake. One writer task per installation process takes every report
//! waiting to be filed, writes them in one transaction (each behind its own savepoint, so
//! a refused one is undone alone) and commits once: one fsync for the batch instead of one
//! per report. Each waiting request is answered when its batch is on disk, exactly as
//! before: `201` means the case, its report, audit entry and jobs are durable. The audit
//! hash chain is appended in batch order.

use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use crate::App;
use crate::error::AppError;
use crate::intake::{Filing, Submitted};

/// The most reports in one transaction.
const MAX_BATCH: usize = 64;

/// Reports waiting for the writer; beyond this, submitters wait to be queued.
const QUEUE: usize = 1024;

type Answer = oneshot::Sender<Result<Submitted, AppError>>;

/// The way to the writer task, started with the first report.
#[derive(Debug, Clone, Default)]
pub(crate) struct IntakeQueue(Arc<OnceLock<mpsc::Sender<(Filing, Answer)>>>);

fn writer_gone() -> AppError {
    AppError::Unavailable("the intake writer stopped; restart embargo".into())
}

impl App {
    /// Queues `filing` for the next batch and waits until that batch is committed.
    pub(crate) async fn file_in_batch(&self, filing: Filing) -> Result<Submitted, AppError> {
        let queue = self.intake_queue.0.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            tokio::spawn(self.clone().write_batches(receiver));
            sender
        });
        let (answer, answered) = oneshot::channel();
        queue
            .send((filing, answer))
            .await
            .map_err(|_| writer_gone())?;
        answered.await.map_err(|_| writer_gone())?
    }

    /// The writer: whatever is waiting when it is free makes the next batch, so batches
    /// grow with the load and a lone report is written at once.
    async fn write_batches(self, mut receiver: mpsc::Receiver<(Filing, Answer)>) {
        while let Some(first) = receiver.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            self.write_batch(batch).await;
        }
    }

    async fn write_batch(&self, batch: Vec<(Filing, Answer)>) {
        let mut tx = match self.store.begin().await {
            Ok(tx) => tx,
            Err(e) => {
                let e = AppError::from(e);
                for (_, answer) in batch {
                    let _ = answer.send(Err(AppError::Unavailable(e.to_string())));
                }
                return;
            }
        };
        let mut done: Vec<(Answer, Result<Submitted, AppError>)> = Vec::new();
        for (filing, answer) in batch {
            let outcome = match tx.begin_item().await {
                Ok(()) => match self.write_filing(&mut tx, filing).await {
                    Ok(submitted) => tx.keep_item().await.map(|()| submitted).map_err(Into::into),
                    Err(refused) => match tx.undo_item().await {
                        Ok(()) => Err(refused),
                        Err(e) => Err(e.into()),
                    },
                },
                Err(e) => Err(e.into()),
            };
            done.push((answer, outcome));
        }
        match tx.commit().await {
            Ok(()) => {
                for (answer, outcome) in done {
                    // The submitter may have gone (a closed connection): the report stays.
                    let _ = answer.send(outcome);
                }
            }
            Err(e) => {
                let e = AppError::from(e);
                for (answer, _) in done {
                    let _ = answer.send(Err(AppError::Unavailable(e.to_string())));
                }
            }
        }
    }
}
