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
use crate::intake::{Filing, Planned, Submitted, scope_error};

/// The most reports in one transaction.
const MAX_BATCH: usize = 64;

/// Reports waiting for the writer; beyond this, submitters wait to be queued.
const QUEUE: usize = 1024;

type Answer = oneshot::Sender<Result<Submitted, AppError>>;

/// The way to the writer task, started with the first report.
#[derive(Debug, Clone, Default)]
pub(crate) struct IntakeQueue(Arc<OnceLock<mpsc::Sender<(Filing, Answer)>>>);

/// The same failure for every filing of a batch.
fn unavailable(n: usize, e: &AppError) -> Vec<Result<Submitted, AppError>> {
    (0..n)
        .map(|_| Err(AppError::Unavailable(e.to_string())))
        .collect()
}

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
        let (filings, answers): (Vec<Filing>, Vec<Answer>) = batch.into_iter().unzip();
        let outcomes = match self.current_policy().await {
            // Files are stored one by one, so a batch with files is written that way.
            Ok(policy) if filings.iter().any(Filing::has_files) => {
                self.write_one_by_one(filings, &policy).await
            }
            Ok(policy) => match self.write_together(&filings, &policy).await {
                Ok(submitted) => submitted.into_iter().map(Ok).collect(),
                // One filing refused (its project left the scope meanwhile): each is
                // written alone, and the refused one is undone alone.
                Err(_) => self.write_one_by_one(filings, &policy).await,
            },
            Err(e) => unavailable(filings.len(), &e),
        };
        for (answer, outcome) in answers.into_iter().zip(outcomes) {
            // The submitter may have gone (a closed connection): the report stays.
            let _ = answer.send(outcome);
        }
    }

    /// A batch without files in a handful of statements, whatever its size: the cases,
    /// the reports, the audit entries (chained in batch order) and the jobs. The filings
    /// stay for the one-by-one path should one be refused (their texts are copied, never
    /// files: a batch with files does not come here).
    async fn write_together(
        &self,
        filings: &[Filing],
        policy: &embargo_core::Policy,
    ) -> Result<Vec<Submitted>, AppError> {
        let now = filings.iter().map(Filing::now).max().unwrap_or_default();
        let planned: Vec<Planned> = filings
            .iter()
            .map(|f| Planned::new(f.clone(), policy).0)
            .collect();
        let entries: Vec<_> = planned.iter().map(|p| p.audit_entry(&[])).collect();
        let specs: Vec<_> = planned.iter().flat_map(|p| p.jobs.clone()).collect();
        let jobs = self.new_jobs(&specs)?;
        let mut cases = Vec::with_capacity(planned.len());
        let mut reports = Vec::with_capacity(planned.len());
        let mut submitted = Vec::with_capacity(planned.len());
        for p in planned {
            cases.push(p.case);
            reports.push(p.report);
            submitted.push(p.submitted);
        }
        let mut tx = self.store.begin().await?;
        tx.insert_cases(&cases).await.map_err(scope_error)?;
        tx.insert_reports(&reports).await?;
        tx.append_audit_entries(&entries).await?;
        tx.enqueue_jobs(&jobs, now).await?;
        tx.commit().await?;
        Ok(submitted)
    }

    /// Each filing behind its own savepoint, in one transaction.
    async fn write_one_by_one(
        &self,
        filings: Vec<Filing>,
        policy: &embargo_core::Policy,
    ) -> Vec<Result<Submitted, AppError>> {
        let n = filings.len();
        let mut tx = match self.store.begin().await {
            Ok(tx) => tx,
            Err(e) => return unavailable(n, &AppError::from(e)),
        };
        let mut done = Vec::with_capacity(n);
        for filing in filings {
            let outcome = match tx.begin_item().await {
                Ok(()) => match self.write_filing(&mut tx, filing, policy).await {
                    Ok(submitted) => tx.keep_item().await.map(|()| submitted).map_err(Into::into),
                    Err(refused) => match tx.undo_item().await {
                        Ok(()) => Err(refused),
                        Err(e) => Err(e.into()),
                    },
                },
                Err(e) => Err(e.into()),
            };
            done.push(outcome);
        }
        match tx.commit().await {
            Ok(()) => done,
            Err(e) => unavailable(n, &AppError::from(e)),
        }
    }
}
