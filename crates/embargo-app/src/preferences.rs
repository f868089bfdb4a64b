//! Each person's choices: the time zone their pages show times in, and which team events
//! also mail them personally (the team's address gets every one regardless). A personal
//! notice goes only to people who may see the case as team when it is sent.

use embargo_core::{CaseId, JobId, TimeZoneName, UserId, ValueError};
use embargo_store::{NewJob, StoredPreferences};
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::error::AppError;
use crate::principal::Principal;
use crate::record::jobs;

/// The team events a person may choose to be mailed about, with how pages name them.
pub const MAIL_EVENTS: [(&str, &str); 5] = [
    (jobs::NOTIFY_TEAM_NEW_REPORT, "A new report arrives"),
    (
        jobs::ACKNOWLEDGEMENT_REMINDER,
        "An acknowledgement is due soon",
    ),
    (jobs::ACKNOWLEDGEMENT_DUE, "An acknowledgement is overdue"),
    (jobs::DISCLOSURE_WARNING, "A disclosure deadline approaches"),
    (
        jobs::DATES_AGREED,
        "Release and announcement dates are agreed",
    ),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    pub time_zone: TimeZoneName,
    /// Kinds from `MAIL_EVENTS`.
    pub mail_events: Vec<&'static str>,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            time_zone: TimeZoneName::utc(),
            mail_events: Vec::new(),
        }
    }
}

/// A personal copy of a team notice, ready to mail.
#[derive(Debug, Clone)]
pub struct PersonalNotice {
    pub name: String,
    pub email: embargo_core::Email,
}

fn known_event(kind: &str) -> Option<&'static str> {
    MAIL_EVENTS.iter().map(|(k, _)| *k).find(|k| *k == kind)
}

/// A stored zone; one the time zone database no longer knows shows UTC rather than failing.
fn zone_or_utc(stored: Option<String>) -> TimeZoneName {
    stored
        .and_then(|z| TimeZoneName::parse(&z).ok())
        .unwrap_or_else(TimeZoneName::utc)
}

impl App {
    /// The zone `user`'s pages show times in (read on every signed-in request).
    pub(crate) async fn time_zone_of(&self, user: UserId) -> Result<TimeZoneName, AppError> {
        Ok(zone_or_utc(self.store.time_zone(user).await?))
    }

    /// The signed-in person's choices (defaults: UTC, no personal mail).
    pub async fn preferences(&self, principal: Principal) -> Result<Preferences, AppError> {
        let user = principal.user().ok_or(AppError::NotFound)?;
        let stored = self.store.preferences(user).await?;
        Ok(Preferences {
            time_zone: zone_or_utc(stored.time_zone),
            mail_events: stored
                .mail_events
                .iter()
                .filter_map(|e| known_event(e))
                .collect(),
        })
    }

    /// Replaces the signed-in person's choices. An unknown zone or event changes nothing.
    pub async fn set_preferences(
        &self,
        principal: Principal,
        time_zone: &str,
        mail_events: &[String],
        now: Timestamp,
    ) -> Result<Preferences, AppError> {
        let user = principal.user().ok_or(AppError::NotFound)?;
        let zone = TimeZoneName::parse(time_zone).map_err(AppError::invalid)?;
        let mut events: Vec<&'static str> = Vec::new();
        for e in mail_events {
            let kind = known_event(e).ok_or_else(|| {
                AppError::invalid(ValueError::new(
                    "event",
                    format!("{e:?} is not one of ours"),
                ))
            })?;
            if !events.contains(&kind) {
                events.push(kind);
            }
        }
        let mut tx = self.store.begin().await?;
        tx.set_preferences(
            user,
            &StoredPreferences {
                time_zone: (zone != TimeZoneName::utc()).then(|| zone.to_string()),
                mail_events: events.iter().map(ToString::to_string).collect(),
            },
        )
        .await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "set_preferences",
            json!({"time_zone": zone.to_string(), "mail_events": events}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Preferences {
            time_zone: zone,
            mail_events: events,
        })
    }

    /// One personal mail job per person who chose `event` and may see the case as team,
    /// with ids derived from the notice's job (`source`): repeating it repeats nothing.
    pub async fn enqueue_personal_notices(
        &self,
        source: JobId,
        case_id: CaseId,
        event: &str,
        subject: &str,
        body: &str,
        now: Timestamp,
    ) -> Result<usize, AppError> {
        self.enqueue_personal_digests(
            source,
            &[case_id],
            event,
            |_| (subject.to_string(), body.to_string()),
            now,
        )
        .await
    }

    /// After a team notice about `cases` (a digest of new reports names several): one
    /// personal copy per person who chose `event`, naming only the cases they may see as
    /// team, and none for a person who may see none of them. `compose` writes a copy's
    /// subject and body from the cases it names (positions in `cases`).
    pub async fn enqueue_personal_digests(
        &self,
        source: JobId,
        cases: &[CaseId],
        event: &str,
        compose: impl Fn(&[usize]) -> (String, String),
        now: Timestamp,
    ) -> Result<usize, AppError> {
        let mut copies = Vec::new();
        for user in self.store.people_mailed_for(event).await? {
            let mut visible = Vec::new();
            for (i, case_id) in cases.iter().enumerate() {
                if self.sees_as_team(user, *case_id).await? {
                    visible.push(i);
                }
            }
            let Some(first) = visible.first().map(|&i| cases[i]) else {
                continue;
            };
            let (subject, body) = compose(&visible);
            let spec = crate::JobSpec::NotifyPerson {
                user,
                subject,
                body,
                cases: visible.iter().skip(1).map(|&i| cases[i]).collect(),
            };
            let job = NewJob {
                kind: spec.kind().to_string(),
                case_id: Some(first),
                payload: spec.payload(),
                run_at: now,
            };
            copies.push((
                crate::delivery::delivery_job_id(source, &format!("person:{user}")),
                job,
            ));
        }
        let mut tx = self.store.begin().await?;
        for (id, job) in &copies {
            tx.enqueue_job_once(*id, job, now).await?;
        }
        tx.commit().await?;
        Ok(copies.len())
    }

    /// Where a personal notice about the case goes, if the person may still see the case as
    /// team (roles change between the notice and its mail).
    pub async fn personal_recipient(
        &self,
        user: UserId,
        case_id: CaseId,
    ) -> Result<Option<PersonalNotice>, AppError> {
        if !self.sees_as_team(user, case_id).await? {
            return Ok(None);
        }
        let person = self.store.person(user).await?;
        Ok(Some(PersonalNotice {
            name: person.display_name.to_string(),
            email: person.email,
        }))
    }

    /// Whether the person may see the case as team now. A digest asks this of each case it
    /// names, for each reader: without loading the reader again each time.
    pub async fn sees_as_team(&self, user: UserId, case_id: CaseId) -> Result<bool, AppError> {
        match self.roles_on(Principal::User(user), case_id).await {
            Ok((_, roles)) => Ok(roles.team()),
            Err(AppError::NotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
