//! Checklist steps embargo carries out itself, signed off by embargo once the delivery
//! succeeded (with where it went as evidence): step 11, the agreed dates posted to the team's
//! mail and every chat room and webhook; step 17, the reporter told of the publication. A
//! delivery that fails leaves the step open; the dead job says why on the admin page.

use embargo_app::{Job, delivery_job_id};
use embargo_core::{CaseId, JobId, Step};
use serde_json::Value;

use crate::Worker;
use crate::failure::Failure;

impl Worker {
    /// Signs step 11 off when the notice `source` reached every destination: its own job
    /// (the team's mail) and each channel's delivery. `current` is the job asking, done
    /// once it returns; the last of them to finish signs.
    pub(crate) async fn sign_off_posted_dates(
        &self,
        case_id: CaseId,
        source: JobId,
        current: JobId,
        announcement: jiff::Timestamp,
    ) -> Result<(), Failure> {
        let channels = self.channels.names();
        let others: Vec<JobId> = std::iter::once(source)
            .chain(channels.iter().map(|c| delivery_job_id(source, c)))
            .filter(|id| *id != current)
            .collect();
        if !self.app.jobs_all_done(&others).await? {
            return Ok(());
        }
        let mut destinations = Vec::new();
        if let (Some(team), Some(_)) = (&self.team, &self.mailer) {
            destinations.push(format!("the team's mail ({})", team.email));
        }
        for c in &channels {
            destinations.push(if c == "matrix" {
                "the chat room".to_string()
            } else {
                format!("webhook {}", c.trim_start_matches("webhook:"))
            });
        }
        if destinations.is_empty() {
            // Nowhere to post: the step stays the Coordinator's to do by hand.
            return Ok(());
        }
        let evidence = format!(
            "posted by embargo to {} on {}",
            destinations.join(", "),
            (self.clock)().strftime("%Y-%m-%d %H:%M UTC")
        );
        self.app
            .sign_off_delivered(
                case_id,
                Step::POST_DATES,
                Some(announcement),
                &evidence,
                (self.clock)(),
            )
            .await?;
        Ok(())
    }

    /// After a channel delivery succeeded: the step its notice completes, if any.
    pub(crate) async fn after_delivery(&self, job: &Job, notice: &Value) -> Result<(), Failure> {
        if notice.get("event").and_then(Value::as_str) != Some(embargo_app::jobs::DATES_AGREED) {
            return Ok(());
        }
        let parse = |key: &str| notice.get(key).and_then(Value::as_str).map(str::to_string);
        let (Some(case_id), Some(source), Some(announcement)) = (
            parse("case_id").and_then(|c| c.parse::<CaseId>().ok()),
            parse("source").and_then(|s| s.parse::<JobId>().ok()),
            parse("announcement").and_then(|a| a.parse::<jiff::Timestamp>().ok()),
        ) else {
            return Ok(()); // a notice from before this was tracked
        };
        self.sign_off_posted_dates(case_id, source, job.id, announcement)
            .await
    }

    /// Signs step 17 off once the reporter has the publication notice (`how` says by which
    /// way), if `notice` is one.
    pub(crate) async fn sign_off_reporter_told(
        &self,
        case_id: CaseId,
        notice: Option<&str>,
        how: &str,
    ) -> Result<(), Failure> {
        if !matches!(notice, Some("published" | "disclosed")) {
            return Ok(());
        }
        let now = (self.clock)();
        let evidence = format!("{how} on {}", now.strftime("%Y-%m-%d %H:%M UTC"));
        self.app
            .sign_off_delivered(case_id, Step::NOTIFY_REPORTER, None, &evidence, now)
            .await?;
        Ok(())
    }
}
