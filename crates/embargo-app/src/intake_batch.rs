//! Group commit for intake. One writer task per installation process takes every report
//! waiting to be filed, writes them in one transaction (each behind its own savepoint, so
//! a refused one is undone alone) and commits once. A syncer task then makes what was
//! committed durable (one fsync for every batch committed since its last one) while the
//! writer goes on with the next batch (`embargo_store::batch_writes`). Each waiting request
//! is answered only when its batch is on disk, exactly as before: `201` means the case, its
//! report, audit entry and jobs are durable. The audit hash chain is appended in batch
//! order.

use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use crate::App;
use crate::error::AppError;
use crate::intake::{Filing, Planned, Submitted, scope_error};
use crate::intake_checkpoints::Checkpoints;

/// The most reports in one transaction.
const MAX_BATCH: usize = 64;

/// Reports waiting for the writer; beyond this, submitters wait to be queued.
const QUEUE: usize = 1024;

/// Committed batches waiting for the syncer; beyond this, the writer waits.
const COMMITTED: usize = 16;

type Answer = oneshot::Sender<Result<Submitted, AppError>>;

/// A committed batch's answers, to be sent once it is durable.
type Committed = Vec<(Answer, Result<Submitted, AppError>)>;

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
            self.start_writer(receiver);
            sender
        });
        let (answer, answered) = oneshot::channel();
        queue
            .send((filing, answer))
            .await
            .map_err(|_| writer_gone())?;
        answered.await.map_err(|_| writer_gone())?
    }

    /// Starts the writer on a thread of its own. Each of a batch's statements waits for the
    /// database's thread; on the runtime that serves requests, every one of those waits
    /// would also queue behind the requests ready to run (measured: about a sixth of intake's
    /// throughput). It stops once every sender is gone: its own `App` holds none.
    fn start_writer(&self, receiver: mpsc::Receiver<(Filing, Answer)>) {
        let mut writer = self.clone();
        writer.intake_queue = IntakeQueue::default();
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                // Dropping the receiver answers every submitter that the writer stopped.
                tracing::error!("the intake writer cannot start: {e}");
                return;
            }
        };
        let started = std::thread::Builder::new()
            .name("intake-writer".into())
            .spawn(move || runtime.block_on(writer.write_batches(receiver)));
        if let Err(e) = started {
            tracing::error!("the intake writer cannot start: {e}");
        }
    }

    /// The writer: whatever is waiting when it is free makes the next batch, so batches
    /// grow with the load and a lone report is written at once.
    async fn write_batches(self, mut receiver: mpsc::Receiver<(Filing, Answer)>) {
        let (committed, to_sync) = mpsc::channel(COMMITTED);
        let checkpoints = Checkpoints::new(self.store.clone());
        let syncer = tokio::spawn(self.clone().sync_batches(to_sync, checkpoints.clone()));
        while let Some(first) = receiver.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            checkpoints.before_batch().await;
            let answers = self.write_batch(batch).await;
            if committed.send(answers).await.is_err() {
                // The syncer is gone: its receiver dropped the answers, so submitters hear
                // that the writer stopped, and so do the next ones.
                return;
            }
        }
        // The last batches are answered before the thread (and its runtime) ends.
        drop(committed);
        let _ = syncer.await;
    }

    /// The syncer: one sync for every batch committed meanwhile, then their answers; then,
    /// now and then, a copy of the log into the database behind the writer.
    async fn sync_batches(self, mut to_sync: mpsc::Receiver<Committed>, checkpoints: Checkpoints) {
        while let Some(first) = to_sync.recv().await {
            let mut batches = vec![first];
            while let Ok(next) = to_sync.try_recv() {
                batches.push(next);
            }
            // The newest batch's last case filed vouches for all of them (PostgreSQL).
            let newest = batches
                .iter()
                .rev()
                .flat_map(|batch| batch.iter().rev())
                .find_map(|(_, outcome)| outcome.as_ref().ok().map(|s| s.case_id));
            let synced = self.store.sync_batches(newest).await;
            if let Err(e) = &synced {
                tracing::error!("syncing committed reports failed: {e}");
            }
            for (answer, outcome) in batches.into_iter().flatten() {
                let outcome = match (&synced, outcome) {
                    (Ok(()), outcome) | (Err(_), outcome @ Err(_)) => outcome,
                    (Err(_), Ok(_)) => Err(AppError::Unavailable(
                        "the report could not be written to disk; send it again later".into(),
                    )),
                };
                // The submitter may have gone (a closed connection): the report stays.
                let _ = answer.send(outcome);
            }
            if synced.is_ok() {
                checkpoints.after_sync();
            }
        }
    }

    /// Writes and commits one batch; returns each filing's answer, to be sent once the
    /// batch is durable.
    async fn write_batch(&self, batch: Vec<(Filing, Answer)>) -> Committed {
        let (filings, answers): (Vec<Filing>, Vec<Answer>) = batch.into_iter().unzip();
        // Files are stored one by one, so a batch with files is written that way.
        let outcomes = if filings.iter().any(Filing::has_files) {
            self.write_one_by_one(filings).await
        } else {
            match self.write_together(&filings).await {
                Ok(submitted) => submitted.into_iter().map(Ok).collect(),
                // One filing refused (its project left the scope meanwhile): each is
                // written alone, and the refused one is undone alone.
                Err(_) => self.write_one_by_one(filings).await,
            }
        };
        answers.into_iter().zip(outcomes).collect()
    }

    /// A batch without files in a handful of statements, whatever its size: the cases,
    /// the reports, the audit entries (chained in batch order) and the jobs. The filings
    /// stay for the one-by-one path should one be refused (their texts are copied, never
    /// files: a batch with files does not come here). The deadlines follow the policy the
    /// batch's transaction reads.
    async fn write_together(&self, filings: &[Filing]) -> Result<Vec<Submitted>, AppError> {
        let mut tx = self.store.begin_batch().await?;
        let policy = self.policy_in(&mut tx).await?;
        let now = filings.iter().map(Filing::now).max().unwrap_or_default();
        let planned: Vec<Planned> = filings
            .iter()
            .map(|f| Planned::new(f.clone(), &policy).0)
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
        tx.insert_cases(&cases).await.map_err(scope_error)?;
        tx.insert_reports(&reports).await?;
        tx.append_audit_entries(&entries).await?;
        tx.enqueue_jobs(&jobs, now).await?;
        tx.merge_search_index().await?;
        tx.commit().await?;
        Ok(submitted)
    }

    /// Each filing behind its own savepoint, in one transaction.
    async fn write_one_by_one(&self, filings: Vec<Filing>) -> Vec<Result<Submitted, AppError>> {
        let n = filings.len();
        let mut tx = match self.store.begin_batch().await {
            Ok(tx) => tx,
            Err(e) => return unavailable(n, &AppError::from(e)),
        };
        let policy = match self.policy_in(&mut tx).await {
            Ok(policy) => policy,
            Err(e) => return unavailable(n, &e),
        };
        let mut done = Vec::with_capacity(n);
        for filing in filings {
            let outcome = match tx.begin_item().await {
                Ok(()) => match self.write_filing(&mut tx, filing, &policy).await {
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
        if let Err(e) = tx.merge_search_index().await {
            return unavailable(n, &AppError::from(e));
        }
        match tx.commit().await {
            Ok(()) => done,
            Err(e) => unavailable(n, &AppError::from(e)),
        }
    }
}
