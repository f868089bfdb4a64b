//! Every job the outbox carries, typed: one variant per kind with its payload's fields.
//! A row stores the kind (`kind` column) and the payload (JSON) under the names below;
//! rows outlive releases, so these names and fields only ever grow (a new field has a
//! default). Use cases enqueue a `JobSpec`; the worker parses each claimed row back into
//! one and matches on it.

use embargo_core::{CaseId, MessageId, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::record::jobs;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum JobSpec {
    /// E-mail a message that is already stored on the case to its reporter.
    NotifyReporter {
        case_id: CaseId,
        message_id: MessageId,
    },
    /// Tell the team a new report arrived.
    NotifyTeamNewReport { case_id: CaseId },
    /// Remind the Coordinators at the acknowledgement deadline.
    AcknowledgementDue { case_id: CaseId },
    /// Remind the team that an acknowledgement is due soon; with `then_due`, then queue the
    /// `AcknowledgementDue` job. Reports filed before 2026-12-04 had both queued at intake
    /// (their rows lack the field): one job at intake instead of two is a third fewer job
    /// rows on the intake's writer.
    AcknowledgementReminder {
        case_id: CaseId,
        #[serde(default)]
        then_due: bool,
    },
    /// Issue a fresh portal link and e-mail it to the reporter.
    SendPortalLink { case_id: CaseId },
    /// Publish at the announcement time `announce_at` once the preview is approved.
    PublishAdvisory {
        case_id: CaseId,
        announce_at: Timestamp,
    },
    /// Warn the team `days` before the disclosure deadline `disclose_by`.
    DisclosureWarning {
        case_id: CaseId,
        disclose_by: Timestamp,
        days: i64,
    },
    /// Publish at the disclosure deadline `disclose_by`, fixed or not.
    DiscloseAtDeadline {
        case_id: CaseId,
        disclose_by: Timestamp,
        #[serde(default)]
        days: i64,
    },
    /// Tell the team's channels the agreed dates (policy step 11).
    DatesAgreed { case_id: CaseId },
    /// Deliver one team notice to one chat room or webhook (`channel`: `matrix` or
    /// `webhook:N`).
    DeliverNotice { channel: String, notice: Value },
    /// Invite a person to the installation, for a case when one is named.
    InviteCollaborator {
        user: UserId,
        #[serde(default)]
        case_id: Option<CaseId>,
    },
    /// Mail one person the copy of a team notice they chose to receive.
    NotifyPerson {
        user: UserId,
        subject: String,
        body: String,
        /// The further cases a digest's copy names, besides the job's own: the copy goes
        /// only if the person may still see each of them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        cases: Vec<CaseId>,
    },
    /// Publish or update the case's CVE record at CVE Services.
    CveRecord {
        case_id: CaseId,
        #[serde(default)]
        revision: Option<u32>,
    },
    /// Reject the case's CVE id at CVE Services.
    RejectCveId { case_id: CaseId },
    /// Open and sync the case's drafts on GitHub; `refresh` reads GitHub again even when
    /// nothing changed here.
    GithubDrafts {
        case_id: CaseId,
        #[serde(default)]
        refresh: bool,
    },
    /// Ask GitHub for a CVE id for the case's draft.
    GithubCve { case_id: CaseId },
    /// Publish the case's drafts on GitHub and delete its CI mirror branches.
    GithubPublish { case_id: CaseId },
    /// Open, update or close the case's issue in the tracking repository.
    GithubTracking { case_id: CaseId },
    /// Copy a fork's branch to the CI mirror (unless `polls` > 0: only read the runs).
    GithubCi {
        case_id: CaseId,
        fork: String,
        branch: String,
        #[serde(default)]
        polls: u64,
    },
}

impl JobSpec {
    /// The kind, as the `kind` column and the worker's kind lists name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotifyReporter { .. } => jobs::NOTIFY_REPORTER,
            Self::NotifyTeamNewReport { .. } => jobs::NOTIFY_TEAM_NEW_REPORT,
            Self::AcknowledgementDue { .. } => jobs::ACKNOWLEDGEMENT_DUE,
            Self::AcknowledgementReminder { .. } => jobs::ACKNOWLEDGEMENT_REMINDER,
            Self::SendPortalLink { .. } => jobs::SEND_PORTAL_LINK,
            Self::PublishAdvisory { .. } => jobs::PUBLISH_ADVISORY,
            Self::DisclosureWarning { .. } => jobs::DISCLOSURE_WARNING,
            Self::DiscloseAtDeadline { .. } => jobs::DISCLOSE_AT_DEADLINE,
            Self::DatesAgreed { .. } => jobs::DATES_AGREED,
            Self::DeliverNotice { .. } => jobs::DELIVER_NOTICE,
            Self::InviteCollaborator { .. } => jobs::INVITE_COLLABORATOR,
            Self::NotifyPerson { .. } => jobs::NOTIFY_PERSON,
            Self::CveRecord { .. } => jobs::CVE_RECORD,
            Self::RejectCveId { .. } => jobs::REJECT_CVE_ID,
            Self::GithubDrafts { .. } => jobs::GITHUB_DRAFTS,
            Self::GithubCve { .. } => jobs::GITHUB_CVE,
            Self::GithubPublish { .. } => jobs::GITHUB_PUBLISH,
            Self::GithubTracking { .. } => jobs::GITHUB_TRACKING,
            Self::GithubCi { .. } => jobs::GITHUB_CI,
        }
    }

    /// The case the job is about, for the row's `case_id` (the admin page, retention);
    /// `None` for the fan-out jobs, whose rows take the case of the notice they carry.
    pub fn case_id(&self) -> Option<CaseId> {
        match self {
            Self::DeliverNotice { .. } | Self::NotifyPerson { .. } => None,
            Self::InviteCollaborator { case_id, .. } => *case_id,
            Self::NotifyReporter { case_id, .. }
            | Self::NotifyTeamNewReport { case_id }
            | Self::AcknowledgementDue { case_id }
            | Self::AcknowledgementReminder { case_id, .. }
            | Self::SendPortalLink { case_id }
            | Self::PublishAdvisory { case_id, .. }
            | Self::DisclosureWarning { case_id, .. }
            | Self::DiscloseAtDeadline { case_id, .. }
            | Self::DatesAgreed { case_id }
            | Self::CveRecord { case_id, .. }
            | Self::RejectCveId { case_id }
            | Self::GithubDrafts { case_id, .. }
            | Self::GithubCve { case_id }
            | Self::GithubPublish { case_id }
            | Self::GithubTracking { case_id }
            | Self::GithubCi { case_id, .. } => Some(*case_id),
        }
    }

    /// The payload column.
    pub fn payload(&self) -> Value {
        match serde_json::to_value(self) {
            Ok(mut v) => v["payload"].take(),
            Err(_) => Value::Null,
        }
    }

    /// A stored row back into its spec; the error names the kind, the payload's fields
    /// (never their values: a notice's text is private) and what is wrong.
    pub fn parse(kind: &str, payload: &Value) -> Result<Self, String> {
        serde_json::from_value(json!({"kind": kind, "payload": payload})).map_err(|e| {
            let fields: Vec<&str> = payload
                .as_object()
                .map(|o| o.keys().map(String::as_str).collect())
                .unwrap_or_default();
            format!(
                "job {kind} with the fields {{{}}} does not parse: {e}",
                fields.join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn case() -> CaseId {
        CaseId::from_random_bytes([7; 16])
    }

    /// One example of every kind: its serde name is the kind the rows and kind lists use,
    /// and it comes back from a row as it went in.
    #[test]
    fn every_kind_has_one_name_and_round_trips() {
        let c = case();
        let u = UserId::from_random_bytes([8; 16]);
        let t: Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
        let all = [
            JobSpec::NotifyReporter {
                case_id: c,
                message_id: MessageId::from_random_bytes([9; 16]),
            },
            JobSpec::NotifyTeamNewReport { case_id: c },
            JobSpec::AcknowledgementDue { case_id: c },
            JobSpec::AcknowledgementReminder {
                case_id: c,
                then_due: true,
            },
            JobSpec::SendPortalLink { case_id: c },
            JobSpec::PublishAdvisory {
                case_id: c,
                announce_at: t,
            },
            JobSpec::DisclosureWarning {
                case_id: c,
                disclose_by: t,
                days: 7,
            },
            JobSpec::DiscloseAtDeadline {
                case_id: c,
                disclose_by: t,
                days: 0,
            },
            JobSpec::DatesAgreed { case_id: c },
            JobSpec::DeliverNotice {
                channel: "matrix".into(),
                notice: json!({"subject": "s"}),
            },
            JobSpec::InviteCollaborator {
                user: u,
                case_id: Some(c),
            },
            JobSpec::NotifyPerson {
                user: u,
                subject: "s".into(),
                body: "b".into(),
                cases: vec![c],
            },
            JobSpec::CveRecord {
                case_id: c,
                revision: Some(2),
            },
            JobSpec::RejectCveId { case_id: c },
            JobSpec::GithubDrafts {
                case_id: c,
                refresh: true,
            },
            JobSpec::GithubCve { case_id: c },
            JobSpec::GithubPublish { case_id: c },
            JobSpec::GithubTracking { case_id: c },
            JobSpec::GithubCi {
                case_id: c,
                fork: "o/f".into(),
                branch: "fix".into(),
                polls: 1,
            },
        ];
        for spec in all {
            let tagged = serde_json::to_value(&spec).unwrap();
            assert_eq!(tagged["kind"], spec.kind());
            assert_eq!(JobSpec::parse(spec.kind(), &spec.payload()).unwrap(), spec);
        }
    }

    /// Rows written before a field existed still parse (the field takes its default), and
    /// the timestamps are the RFC 3339 strings older releases wrote.
    #[test]
    fn older_rows_still_parse() {
        let c = case();
        let spec = JobSpec::parse("github_drafts", &json!({"case_id": c})).unwrap();
        assert_eq!(
            spec,
            JobSpec::GithubDrafts {
                case_id: c,
                refresh: false
            }
        );
        // A reminder queued with its own due job beside it: it queues no second one.
        let spec = JobSpec::parse("acknowledgement_reminder", &json!({"case_id": c})).unwrap();
        assert_eq!(
            spec,
            JobSpec::AcknowledgementReminder {
                case_id: c,
                then_due: false
            }
        );
        let spec = JobSpec::parse(
            "disclose_at_deadline",
            &json!({"case_id": c, "disclose_by": "2026-06-01T09:00:00Z", "days": 0}),
        )
        .unwrap();
        assert!(matches!(spec, JobSpec::DiscloseAtDeadline { days: 0, .. }));
        let e = JobSpec::parse("no_such_kind", &json!({})).unwrap_err();
        assert!(e.contains("no_such_kind"), "{e}");
    }
}
