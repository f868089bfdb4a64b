//! A burst of new reports told to the team in one notice. A flood of machine-written reports
//! made one notice per report: mail to the team's list, a delivery per chat room and webhook,
//! and a copy per person who chose the event, so thousands of each, and the team's mail
//! caught up for minutes after the flood. When at least [`DIGEST_FROM`] new-report notices
//! are due at once, the runner claims them together (up to [`DIGEST_MAX`]) and this sends
//! one digest in their place: the same references, projects and deadlines, in a list.
//! A smaller burst keeps a notice per report. While a flood lasts, digests go out at most
//! every [`DIGEST_PAUSE`]: the team reads a few mails a minute, and the runner's claims and
//! marks, each a write, stop competing with the flood's filings for the database (measured
//! with digests back to back: 0.77–0.89x the reports filed a second, p99 42–48 ms instead
//! of 27).

use std::sync::atomic::Ordering;

use embargo_app::{AppError, Job, NewReportLine, jobs};
use embargo_core::CaseId;
use jiff::{SignedDuration, Timestamp};

use crate::compose::Outgoing;
use crate::failure::Failure;
use crate::{Ran, Worker, runner};

/// Fewer new-report notices due at once than this are sent one by one.
const DIGEST_FROM: usize = 5;

/// The most notices one digest stands for; the rest make the next one.
const DIGEST_MAX: u32 = 500;

/// The least time between two digests; new-report notices wait meanwhile.
const DIGEST_PAUSE: SignedDuration = SignedDuration::from_secs(10);

/// The most reports a digest lists one by one; it counts the rest and links the dashboard.
const LISTED: usize = 50;

impl Worker {
    /// Whether new-report notices wait for the pause after the last digest.
    pub(crate) fn digest_paused(&self, now: Timestamp) -> bool {
        let last = self.last_digest.load(Ordering::Acquire);
        now.as_second() < last.saturating_add(DIGEST_PAUSE.as_secs())
    }

    fn digest_sent(&self, now: Timestamp) {
        self.last_digest.store(now.as_second(), Ordering::Release);
    }

    /// After claiming new-report notice `job`: claims the others due and runs them as one
    /// digest, or one by one when fewer than [`DIGEST_FROM`] are due.
    pub(crate) async fn run_new_report_notices(
        &self,
        job: Job,
        now: Timestamp,
    ) -> Result<Vec<Ran>, AppError> {
        let more = self
            .app
            .claim_jobs_of_kind(now, self.lease, &job.kind, DIGEST_MAX - 1)
            .await?;
        let mut burst = vec![job];
        burst.extend(more);
        if burst.len() < DIGEST_FROM {
            let mut ran = Vec::with_capacity(burst.len());
            for job in burst {
                ran.push(self.run_claimed(job).await?);
            }
            return Ok(ran);
        }
        let worker = self.clone();
        let jobs = burst.clone();
        let outcome = runner::isolated(
            jobs::NOTIFY_TEAM_NEW_REPORT,
            self.job_time_limit(),
            async move { worker.notify_team_new_reports(&jobs).await },
        )
        .await;
        if outcome.is_ok() {
            let ids: Vec<_> = burst.iter().map(|j| j.id).collect();
            self.app.finish_jobs(&ids, (self.clock)()).await?;
            self.digest_sent(now);
            return Ok(burst
                .into_iter()
                .map(|j| Ran::Done { kind: j.kind })
                .collect());
        }
        let mut ran = Vec::with_capacity(burst.len());
        for job in &burst {
            ran.push(self.record(job, outcome.clone()).await?);
        }
        Ok(ran)
    }

    /// Tells the team of every case `jobs` (new-report notices) name, in one notice.
    pub(crate) async fn notify_team_new_reports(&self, jobs: &[Job]) -> Result<(), Failure> {
        let first = jobs
            .first()
            .ok_or_else(|| Failure::permanent("an empty digest"))?;
        let mut cases = Vec::with_capacity(jobs.len());
        for job in jobs {
            cases.push(
                job.case_id
                    .ok_or_else(|| Failure::permanent("the job names no case"))?,
            );
        }
        let reports = self.app.new_report_lines(&cases).await?;
        if reports.is_empty() {
            return Ok(()); // every case is gone (erased): nothing to tell
        }
        let all: Vec<usize> = (0..reports.len()).collect();
        let (subject, body) = self.digest(&reports, &all);
        let now = (self.clock)();

        let notice = serde_json::json!({
            "event": jobs::NOTIFY_TEAM_NEW_REPORT,
            "case_id": null,
            "reference": null,
            "cases": reports.iter().map(|r| serde_json::json!({
                "case_id": r.case_id,
                "reference": r.reference,
                "project": r.project,
            })).collect::<Vec<_>>(),
            "subject": subject,
            "text": body,
            "source": first.id,
            "announcement": null,
        });
        self.app
            .enqueue_deliveries(first.id, None, &self.channels.names(), &notice, now)
            .await?;
        if self.mailer.is_some() {
            let cases: Vec<CaseId> = reports.iter().map(|r| r.case_id).collect();
            self.app
                .enqueue_personal_digests(
                    first.id,
                    &cases,
                    jobs::NOTIFY_TEAM_NEW_REPORT,
                    |visible| self.digest(&reports, visible),
                    now,
                )
                .await?;
        }
        let (Some(team), Some(_)) = (self.team.clone(), &self.mailer) else {
            return Ok(());
        };
        self.send(Outgoing {
            to: team,
            reply_to: None,
            subject,
            body,
            encrypt_to: None,
            message_id: self.message_id(first),
        })
        .await
    }

    /// The subject and body of a digest naming `shown` (positions in `reports`).
    fn digest(&self, reports: &[NewReportLine], shown: &[usize]) -> (String, String) {
        let listed: Vec<&NewReportLine> = shown.iter().filter_map(|&i| reports.get(i)).collect();
        let mut projects: Vec<&str> = listed.iter().map(|r| r.project.as_str()).collect();
        projects.sort_unstable();
        projects.dedup();
        let count = match listed.len() {
            1 => "1 new security report".to_string(),
            n => format!("{n} new security reports"),
        };
        let subject = format!(
            "[{}] {count} ({})",
            self.links.organization,
            projects.join(", ")
        );
        let url = &self.links.public_url;
        let mut body = format!(
            "{count} among several that arrived at once, listed here in place of a notice \
             each.\nAcknowledge each by its date (policy).\n\n"
        );
        for r in listed.iter().take(LISTED) {
            body.push_str(&format!(
                "{reference}  {project}  acknowledge by {due}\n  {url}/cases/{id}\n",
                reference = r.reference,
                project = r.project,
                due = r.acknowledge_by.strftime("%Y-%m-%d %H:%M UTC"),
                id = r.case_id,
            ));
        }
        if listed.len() > LISTED {
            body.push_str(&format!(
                "\n... and {} more: {url}/cases\n",
                listed.len() - LISTED
            ));
        }
        (subject, body)
    }
}
