//! The private tracking repository (policy steps 2 and 18, "a private GitHub repository
//! used for tracking vulnerabilities across projects"): once a case is accepted, embargo
//! opens an issue there carrying its reference, title, state, deadlines and a link back,
//! keeps it up to date with each change, and closes it when the case closes. The report's
//! text goes in only when `[github] tracking_report_text` asks for it.

use embargo_core::{Case, CaseId, CaseState};
use jiff::Timestamp;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::App;
use crate::JobSpec;
use crate::error::AppError;
use crate::principal::Principal;

/// `[github] tracking_repository` and what the issues carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackingSettings {
    /// `owner/name` of the private tracking repository.
    pub repository: String,
    /// Whether the report's own text (description, reproduction, impact) goes in too.
    pub report_text: bool,
}

impl App {
    /// Keeps an issue per accepted case in `settings.repository` (needs `[github]`).
    pub fn with_tracking(mut self, settings: TrackingSettings) -> Self {
        self.tracking = Some(settings);
        self.intake_queue = crate::intake_batch::IntakeQueue::default();
        self
    }

    /// Queues the issue's update when a change of an accepted case touches what the issue
    /// shows (`before` is the case as it was); most actions (a sign-off, a fork) do not.
    pub(crate) async fn queue_tracking_issue(
        &self,
        tx: &mut embargo_store::Tx,
        before: &Case,
        case: &Case,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let unchanged = shown(before) == shown(case);
        if self.github.is_none() || self.tracking.is_none() || unchanged || !was_accepted(case) {
            return Ok(());
        }
        self.enqueue(tx, JobSpec::GithubTracking { case_id: case.id }, now, now)
            .await
    }

    /// Job `github_tracking`: the issue opened (or found, after a crash), then brought up
    /// to date: title, body, open or closed.
    pub async fn sync_tracking_issue(
        &self,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let client = self.require_github()?.clone();
        let Some(settings) = self.tracking.clone() else {
            return Ok(());
        };
        let case = self.store.case(case_id).await?;
        if !was_accepted(&case) {
            return Ok(());
        }
        let reference = self.store.case_reference(case_id).await?;
        let prefix = format!("[{reference}]");
        let (title, body) = self.issue_text(&case, &reference, &settings).await?;
        let closed = matches!(case.state, CaseState::Closed { .. });
        let digest = hex::encode(Sha256::digest(format!("{title}\n{body}\n{closed}")));
        let gh = |e| Self::github_error(e, now);
        let known = self.store.tracking_issue(case_id).await?;
        if closed && known.is_none() {
            // Accepted before the tracking repository was configured: nothing to close.
            return Ok(());
        }
        let number = match known.as_ref().and_then(|i| i.number) {
            Some(n) => Some(n),
            None => {
                let mut tx = self.store.begin().await?;
                let first = tx
                    .tracking_issue_opening(case_id, &settings.repository, now)
                    .await?;
                tx.commit().await?;
                if first {
                    None
                } else {
                    // An earlier attempt may have opened it and stopped before storing it.
                    let found = client
                        .issues_titled(&settings.repository, &prefix)
                        .await
                        .map_err(gh)?;
                    found.first().map(|i| i.number as i64)
                }
            }
        };
        if known.as_ref().and_then(|i| i.synced_digest.as_deref()) == Some(digest.as_str()) {
            return Ok(());
        }
        let result = match number {
            Some(n) => {
                let patch = json!({"title": title, "body": body, "state": if closed { "closed" } else { "open" }});
                client
                    .update_issue(&settings.repository, n as u64, patch)
                    .await
            }
            None => match client
                .create_issue(&settings.repository, &title, &body)
                .await
            {
                Ok(issue) if closed => {
                    client
                        .update_issue(
                            &settings.repository,
                            issue.number,
                            json!({"state": "closed"}),
                        )
                        .await
                }
                other => other,
            },
        };
        let issue = match result {
            Ok(issue) => issue,
            Err(e) => {
                let e = gh(e);
                let mut tx = self.store.begin().await?;
                tx.tracking_issue_failure(case_id, &e.to_string(), now)
                    .await?;
                tx.commit().await?;
                return Err(e);
            }
        };
        let mut tx = self.store.begin().await?;
        tx.tracking_issue_synced(
            case_id,
            issue.number as i64,
            &issue.html_url,
            &digest,
            closed,
            now,
        )
        .await?;
        if number.is_none() {
            self.audit(
                &mut tx,
                Principal::System,
                Some(case_id),
                "github_issue_opened",
                json!({"number": issue.number}),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The issue's title and body. The report's text only when the settings ask for it.
    async fn issue_text(
        &self,
        case: &Case,
        reference: &str,
        settings: &TrackingSettings,
    ) -> Result<(String, String), AppError> {
        let report = self.store.report(case.id).await?;
        let content = report.content.reveal();
        let title = format!("[{reference}] {}", content.title);
        let day = |t: Timestamp| t.strftime("%Y-%m-%d %H:%M UTC").to_string();
        let mut body = format!(
            "Case **{reference}** of project `{}`: **{}**.\n\n",
            case.project, case.state
        );
        body.push_str(&format!("- Received: {}\n", day(case.received_at)));
        if let Some(at) = case.acknowledged_at {
            body.push_str(&format!("- Acknowledged: {}\n", day(at)));
        }
        body.push_str(&format!(
            "- Disclosure deadline: {}\n",
            day(case.deadlines.disclose_by)
        ));
        if let Some(dates) = &case.dates {
            body.push_str(&format!(
                "- Release: {}; announcement: {} ({})\n",
                dates.release_on, dates.announce_at, dates.zone
            ));
        }
        if let Some(at) = case.published_at {
            body.push_str(&format!("- Published: {}\n", day(at)));
        }
        body.push_str(&format!(
            "\nThe case: {}/cases/{}\n",
            self.publication.publisher.base_url.trim_end_matches('/'),
            case.id
        ));
        if settings.report_text {
            body.push_str(&format!("\n## Report\n\n{}\n", content.description));
        }
        body.push_str("\n<!-- kept up to date by embargo: edits here are overwritten -->\n");
        Ok((title, body))
    }
}

/// What the issue shows of the case (its title and project never change).
fn shown(
    case: &Case,
) -> (
    &CaseState,
    Option<Timestamp>,
    Timestamp,
    Option<&embargo_core::EmbargoDates>,
    Option<Timestamp>,
) {
    (
        &case.state,
        case.acknowledged_at,
        case.deadlines.disclose_by,
        case.dates.as_ref(),
        case.published_at,
    )
}

/// From acceptance on: the states of remediation, publication, and a case closed after
/// being accepted (its issue, if any, is closed then).
fn was_accepted(case: &Case) -> bool {
    case.state.is_in_remediation()
        || case.state == CaseState::Published
        || case.published_at.is_some()
        || case.step_done(embargo_core::Step::TRIAGE)
            && matches!(case.state, CaseState::Closed { .. })
}
