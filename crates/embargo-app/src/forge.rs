//! GitHub's `repository_advisory` webhook, once the web layer has checked its signature:
//! a `reported` advisory (private vulnerability reporting) becomes a case that keeps the
//! advisory as its draft; any other action about an advisory a case holds updates that
//! case; anything else is acknowledged and ignored. The advisory's packages are read by
//! the formats crate's GitHub reader, the same one the importer uses.

use embargo_core::{CaseId, Channel, RawReport, ValueError};
use embargo_formats::import::ghsa;
use embargo_github::RemoteAdvisory;
use jiff::Timestamp;
use serde_json::Value;

use crate::App;
use crate::error::AppError;
use crate::intake::Intake;

/// What a delivery did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// A new case from a private report.
    Filed(CaseId),
    /// The report was filed before (a redelivery).
    Duplicate(CaseId),
    /// A case holding the advisory took in its news.
    Updated(CaseId),
    /// Nothing to do, and why.
    Ignored(String),
}

impl App {
    /// One `repository_advisory` event (`document` is the whole payload).
    pub async fn github_advisory_webhook(
        &self,
        document: &Value,
        now: Timestamp,
    ) -> Result<WebhookOutcome, AppError> {
        let invalid = |why: &str| {
            AppError::invalid(ValueError::new(
                "payload",
                format!("is not a repository_advisory event: {why}"),
            ))
        };
        let action = document["action"]
            .as_str()
            .ok_or_else(|| invalid("no action"))?;
        let repository = document["repository"]["full_name"]
            .as_str()
            .ok_or_else(|| invalid("no repository.full_name"))?;
        let advisory = &document["repository_advisory"];
        let remote = RemoteAdvisory::from_json(advisory)
            .ok_or_else(|| invalid("the advisory has no ghsa_id"))?;
        if action != "reported" {
            return Ok(match self.github_advisory_event(&remote, now).await? {
                Some(case_id) => WebhookOutcome::Updated(case_id),
                None => WebhookOutcome::Ignored(format!("no case holds {}", remote.ghsa_id)),
            });
        }
        let external_ref = format!("github:{}", remote.ghsa_id);
        if let Some(case_id) = self.case_by_external_ref(&external_ref).await? {
            // The first delivery may have stopped before linking the advisory.
            self.link_github_report(case_id, repository, &remote, now)
                .await?;
            return Ok(WebhookOutcome::Duplicate(case_id));
        }
        let project = self.project_of_repository(repository).await?;
        let login = document["sender"]["login"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let raw = RawReport {
            project: project.to_string(),
            title: remote.summary.clone(),
            description: description(advisory, &remote, repository),
            affected_versions: affected_versions(advisory),
            reporter_name: login.clone(),
            credit_kind: if login.is_empty() {
                "anonymous"
            } else {
                "handle"
            }
            .into(),
            credit_value: login,
            ..RawReport::default()
        };
        let content = self.check_report(raw).await?;
        let intake = Intake {
            channel: Channel::Forge,
            content,
            attachments: Vec::new(),
            external_ref: Some(external_ref),
            mail_portal_link: false,
            encrypted: false,
        };
        let case_id = self.submit_report(intake, now).await?.case_id;
        // The report is filed; a crash before the link is repaired by the redelivery.
        self.link_github_report(case_id, repository, &remote, now)
            .await?;
        Ok(WebhookOutcome::Filed(case_id))
    }
}

/// The reporter's text, and where it came from.
fn description(advisory: &Value, remote: &RemoteAdvisory, repository: &str) -> String {
    let mut text = advisory["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    text.push_str(&format!(
        "\n\n---\nImported from GitHub private vulnerability report {} on {repository}",
        remote.ghsa_id
    ));
    if !remote.html_url.is_empty() {
        text.push_str(&format!(" ({})", remote.html_url));
    }
    if let Some(severity) = advisory["severity"].as_str() {
        text.push_str(&format!("; severity suggested by the reporter: {severity}"));
    }
    text
}

/// One line per affected package and range, as the formats crate reads them; what it
/// could not read is kept as the reporter wrote it.
fn affected_versions(advisory: &Value) -> String {
    let (affected, _) = ghsa::affected(advisory);
    let mut lines: Vec<String> = Vec::new();
    for a in &affected {
        for r in &a.ranges {
            let bounds: Vec<String> = r
                .bounds()
                .iter()
                .map(|(op, v)| format!("{op} {v}"))
                .collect();
            lines.push(
                format!("{} {}", a.purl, bounds.join(", "))
                    .trim()
                    .to_string(),
            );
        }
    }
    if lines.is_empty() {
        // Nothing the reader understood: the reporter's own words for it.
        for v in advisory["vulnerabilities"].as_array().into_iter().flatten() {
            let text = format!(
                "{} {} {}",
                v["package"]["ecosystem"].as_str().unwrap_or(""),
                v["package"]["name"].as_str().unwrap_or(""),
                v["vulnerable_version_range"].as_str().unwrap_or("")
            );
            if !text.trim().is_empty() {
                lines.push(text.trim().to_string());
            }
        }
    }
    lines.join("; ")
}
