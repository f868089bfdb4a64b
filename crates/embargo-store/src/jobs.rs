//! The job queue (outbox). A use case enqueues jobs inside its transaction, so a side effect
//! exists exactly when the change that caused it was committed. Workers claim due jobs
//! with a lease; a job whose worker died becomes claimable again when its lease expires.

use embargo_core::{CaseId, JobId};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::codec::{from_ts, opt_ts, parse, parse_opt, ts};
use crate::error::StoreError;
use crate::rows::Rows;
use crate::{Store, Tx};

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub case_id: Option<CaseId>,
    pub payload: serde_json::Value,
    pub run_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Pending,
    Running,
    Done,
    /// Failed too often: shown on the dead-letter list, retried by hand.
    Dead,
}

impl JobStatus {
    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "pending" => JobStatus::Pending,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "dead" => JobStatus::Dead,
            other => return Err(StoreError::Corrupt(format!("job status {other:?}"))),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub case_id: Option<CaseId>,
    pub payload: serde_json::Value,
    pub status: JobStatus,
    pub run_at: Timestamp,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub locked_until: Option<Timestamp>,
}

/// The queue at a glance, for the admin page and operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QueueSummary {
    /// Jobs waiting, due or not.
    pub pending: i64,
    /// Pending jobs whose time has come.
    pub due: i64,
    /// When the oldest due job was due: a runner that keeps up keeps this recent.
    pub oldest_due: Option<Timestamp>,
    pub running: i64,
    pub dead: i64,
}

const JOB_COLUMNS: &str =
    "id, kind, case_id, payload, status, run_at, attempts, last_error, locked_until";

fn row_job(r: &AnyRow) -> Result<Job, StoreError> {
    let payload: String = r.try_get("payload")?;
    Ok(Job {
        id: parse(&r.try_get::<String, _>("id")?)?,
        kind: r.try_get("kind")?,
        case_id: parse_opt(r.try_get("case_id")?)?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| StoreError::Corrupt(format!("job payload: {e}")))?,
        status: JobStatus::parse(&r.try_get::<String, _>("status")?)?,
        run_at: from_ts(r.try_get("run_at")?)?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        locked_until: opt_ts(r.try_get("locked_until")?)?,
    })
}

impl Tx {
    /// Enqueues a job unless one with this id exists: for follow-up jobs whose id is derived
    /// from the job that makes them, so doing that job twice makes them once.
    pub async fn enqueue_job_once(
        &mut self,
        id: JobId,
        job: &NewJob,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO jobs (id, kind, case_id, payload, status, run_at, attempts, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'pending', $5, 0, $6, $6) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(&job.kind)
        .bind(job.case_id.map(|c| c.to_string()))
        .bind(job.payload.to_string())
        .bind(ts(job.run_at))
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn enqueue_job(
        &mut self,
        id: JobId,
        job: &NewJob,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.enqueue_jobs(&[(id, job.clone())], now).await
    }

    /// Queues jobs in one statement.
    pub async fn enqueue_jobs(
        &mut self,
        jobs: &[(JobId, NewJob)],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if jobs.is_empty() {
            return Ok(());
        }
        let mut rows = Rows::new(
            self.backend,
            "id, kind, case_id, payload, run_at, created_at, updated_at",
            jobs.len(),
        );
        for (id, job) in jobs {
            rows.push(vec![
                id.to_string().into(),
                job.kind.clone().into(),
                job.case_id.map(|c| c.to_string()).into(),
                job.payload.to_string().into(),
                ts(job.run_at).into(),
                ts(now).into(),
                ts(now).into(),
            ])?;
        }
        rows.insert_into(
            self.conn(),
            "jobs",
            &[("status", "'pending'"), ("attempts", "0")],
        )
        .await?;
        Ok(())
    }
}

const FINISH: &str = "UPDATE jobs SET status = 'done', locked_until = NULL, last_error = NULL, \
                      updated_at = $2 WHERE id = $1";

impl Store {
    /// Jobs of one case (or all when `None`), oldest first.
    pub async fn jobs(&self, case: Option<CaseId>) -> Result<Vec<Job>, StoreError> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE ($1 IS NULL OR case_id = $1) ORDER BY created_at, id"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.map(|c| c.to_string()))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(row_job)
            .collect()
    }

    /// Claims the next due job of one of `kinds` for `lease`. Pending jobs whose time has
    /// come, and running jobs whose lease ran out (their worker died), are claimable. Kinds
    /// this worker does not handle are left for one that does.
    pub async fn claim_job(
        &self,
        now: Timestamp,
        lease: SignedDuration,
        kinds: &[&str],
    ) -> Result<Option<Job>, StoreError> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let until = now.checked_add(lease).unwrap_or(Timestamp::MAX);
        let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 3)).collect();
        let kinds_in = placeholders.join(", ");
        let next = match self.backend() {
            // Several workers may claim at once (several instances): a row another claim
            // holds is skipped, not waited for and then claimed twice.
            crate::Backend::Postgres => format!(
                "SELECT id FROM jobs \
                 WHERE ((status = 'pending' AND run_at <= $1) OR (status = 'running' AND locked_until < $1)) \
                 AND kind IN ({kinds_in}) \
                 ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
            ),
            // The earliest due job of each kind, one seek each in `jobs_claimable`, then the
            // earliest of those and of the jobs whose lease ran out (a few at most): the due
            // jobs of kinds this runner does not handle are never read (migration 25). One
            // writer at a time here anyway: nothing to skip.
            crate::Backend::Sqlite => {
                let earliest: Vec<String> = placeholders
                    .iter()
                    .map(|kind| {
                        format!(
                            "SELECT * FROM (SELECT id, run_at FROM jobs INDEXED BY jobs_claimable \
                             WHERE status = 'pending' AND kind = {kind} AND run_at <= $1 \
                             ORDER BY run_at, id LIMIT 1)"
                        )
                    })
                    .collect();
                format!(
                    "SELECT id FROM ({} UNION ALL SELECT id, run_at FROM jobs \
                     WHERE status = 'running' AND locked_until < $1 AND kind IN ({kinds_in})) \
                     ORDER BY run_at, id LIMIT 1",
                    earliest.join(" UNION ALL ")
                )
            }
        };
        let sql = format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2, updated_at = $1 \
             WHERE id = ({next}) RETURNING {JOB_COLUMNS}"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ts(now))
            .bind(ts(until));
        for kind in kinds {
            query = query.bind(*kind);
        }
        let _turn = self.write_turn().await;
        let row = query.fetch_optional(self.pool()).await?;
        row.as_ref().map(row_job).transpose()
    }

    /// Claims up to `limit` more due jobs of one `kind` at once, earliest first (a burst of
    /// notices that the runner sums up in one: see the worker's digest). Only pending jobs:
    /// a job whose lease ran out is claimed alone by [`Store::claim_job`].
    pub async fn claim_jobs_of_kind(
        &self,
        now: Timestamp,
        lease: SignedDuration,
        kind: &str,
        limit: u32,
    ) -> Result<Vec<Job>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let until = now.checked_add(lease).unwrap_or(Timestamp::MAX);
        let due = match self.backend() {
            crate::Backend::Postgres => {
                "SELECT id FROM jobs WHERE status = 'pending' AND kind = $3 AND run_at <= $1 \
                 ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED"
            }
            crate::Backend::Sqlite => {
                "SELECT id FROM jobs INDEXED BY jobs_claimable \
                 WHERE status = 'pending' AND kind = $3 AND run_at <= $1 \
                 ORDER BY run_at, id LIMIT $4"
            }
        };
        let sql = format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2, updated_at = $1 \
             WHERE id IN ({due}) RETURNING {JOB_COLUMNS}"
        );
        let query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ts(now))
            .bind(ts(until))
            .bind(kind)
            .bind(i64::from(limit));
        let _turn = self.write_turn().await;
        let rows = query.fetch_all(self.pool()).await?;
        let mut jobs = rows.iter().map(row_job).collect::<Result<Vec<_>, _>>()?;
        // RETURNING gives no order.
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs)
    }

    /// Counts of the queue at `now` (done jobs are not read: an index led by status serves
    /// the rest, `jobs_due` on PostgreSQL, `jobs_claimable` on SQLite).
    pub async fn queue_summary(&self, now: Timestamp) -> Result<QueueSummary, StoreError> {
        let row = sqlx::query(
            "SELECT \
               COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS pending, \
               COALESCE(SUM(CASE WHEN status = 'pending' AND run_at <= $1 THEN 1 ELSE 0 END), 0) AS due, \
               MIN(CASE WHEN status = 'pending' AND run_at <= $1 THEN run_at END) AS oldest_due, \
               COALESCE(SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END), 0) AS running, \
               COALESCE(SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END), 0) AS dead \
             FROM jobs WHERE status IN ('pending', 'running', 'dead')",
        )
        .bind(ts(now))
        .fetch_one(self.pool())
        .await?;
        Ok(QueueSummary {
            pending: row.try_get("pending")?,
            due: row.try_get("due")?,
            oldest_due: opt_ts(row.try_get("oldest_due")?)?,
            running: row.try_get("running")?,
            dead: row.try_get("dead")?,
        })
    }

    /// How many jobs of `kind` were enqueued for `case` after `since`, whatever became of
    /// them: rate limits on what strangers can make the worker do (mail to an address).
    pub async fn jobs_enqueued_since(
        &self,
        kind: &str,
        case: CaseId,
        since: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT count(*) FROM jobs WHERE kind = $1 AND case_id = $2 AND created_at > $3",
        )
        .bind(kind)
        .bind(case.to_string())
        .bind(ts(since))
        .fetch_one(self.pool())
        .await?)
    }

    /// Jobs that failed for good (the dead-letter list), newest first.
    pub async fn dead_jobs(&self) -> Result<Vec<Job>, StoreError> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'dead' ORDER BY updated_at DESC, id"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(row_job)
            .collect()
    }

    /// Puts a dead job back in the queue, due now, with a fresh count of attempts.
    pub async fn retry_job(&self, id: JobId, now: Timestamp) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let done = sqlx::query(
            "UPDATE jobs SET status = 'pending', run_at = $2, attempts = 0, locked_until = NULL, updated_at = $2 WHERE id = $1 AND status = 'dead'",
        )
        .bind(id.to_string())
        .bind(ts(now))
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    pub async fn finish_job(&self, id: JobId, now: Timestamp) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(FINISH)
            .bind(id.to_string())
            .bind(ts(now))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Marks several jobs done in one transaction (a digest's): one commit, not one each.
    pub async fn finish_jobs(&self, ids: &[JobId], now: Timestamp) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        for id in ids {
            sqlx::query(FINISH)
                .bind(id.to_string())
                .bind(ts(now))
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await
    }

    /// Records a failure: retried at `retry_at`, or dead when `retry_at` is `None`.
    pub async fn fail_job(
        &self,
        id: JobId,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let (status, run_at) = match retry_at {
            Some(t) => ("pending", Some(ts(t))),
            None => ("dead", None),
        };
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE jobs SET status = $2, run_at = COALESCE($3, run_at), last_error = $4, \
             locked_until = NULL, updated_at = $5 WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(status)
        .bind(run_at)
        .bind(error)
        .bind(ts(now))
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

impl Store {
    /// How many of the jobs `ids` are done.
    pub async fn jobs_done(&self, ids: &[JobId]) -> Result<usize, StoreError> {
        let mut done = 0;
        for id in ids {
            let status: Option<String> =
                sqlx::query_scalar("SELECT status FROM jobs WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(self.pool())
                    .await?;
            if status.as_deref() == Some("done") {
                done += 1;
            }
        }
        Ok(done)
    }
}
