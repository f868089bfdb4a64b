//! What the case page needs beyond the plain actions: refusing stale forms, and knowing
//! which actions to offer.

use embargo_core::{
    Case, CaseId, Command, EmbargoDates, ForkId, Private, RejectReason, RequiredText, RolesOnCase,
    Step, TimeZoneName, UserId, transition,
};
use jiff::{SignedDuration, Timestamp};

use crate::App;
use crate::error::AppError;
use crate::principal::{Principal, actor_on_case};

impl App {
    /// `act` on the version of the case the person was looking at: if someone changed it
    /// meanwhile, the action is refused with a clear message instead of being applied to a
    /// case that is no longer what they saw.
    pub async fn act_at_version(
        &self,
        principal: Principal,
        case_id: CaseId,
        seen_version: u64,
        command: Command,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        let mut tx = self.store.begin().await?;
        let current = tx.case(case_id).await?;
        // Only the case's team learns that it changed; anyone else goes on to be refused by
        // the use case like any other request of theirs.
        let actor = actor_on_case(&mut tx, principal, case_id).await?;
        let team = actor.is_some_and(|a| RolesOnCase::of(&a, &current).team());
        if current.version != seen_version && team {
            return Err(AppError::Conflict(format!(
                "this case changed since you opened the page (it is now {}); reload it and try again",
                current.state
            )));
        }
        let case = self
            .act_in(&mut tx, principal, case_id, command, now)
            .await?;
        tx.commit().await?;
        Ok(case)
    }

    /// The commands `principal` may give on the case now, found by asking the state
    /// machine (the one source of truth) about a sample of each: pages offer exactly these.
    pub async fn available_commands(
        &self,
        principal: Principal,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<Vec<Command>, AppError> {
        let mut tx = self.store.begin_read().await?;
        let case = tx.case(case_id).await?;
        let actor = actor_on_case(&mut tx, principal, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.rollback().await?;
        let text = || RequiredText::parse("sample").map_err(AppError::invalid);
        let someone = UserId::from_random_bytes(self.random.bytes16()?);
        let other_case = CaseId::from_random_bytes(self.random.bytes16()?);
        let zone = TimeZoneName::utc();
        let soon = (now + SignedDuration::from_hours(1))
            .to_zoned_datetime(zone.zone())
            .datetime();
        let mut samples = vec![
            Command::Acknowledge {
                message: Private::new(text()?),
            },
            Command::StartTriage,
            Command::RequestInfo {
                message: Private::new(text()?),
            },
            Command::Accept,
            Command::Reject {
                reason: RejectReason::NotAVulnerability,
                message: Private::new(text()?),
            },
            Command::Reject {
                reason: RejectReason::Duplicate { of: other_case },
                message: Private::new(text()?),
            },
            Command::MarkSpam,
            Command::Withdraw {
                reason: Private::new(text()?),
            },
            Command::AddDeveloper { user: someone },
            Command::StartFixing,
            Command::RecordFork {
                id: ForkId::from_random_bytes(self.random.bytes16()?),
                name: Private::new("sample".into()),
            },
            Command::SetDates {
                dates: EmbargoDates {
                    release_on: soon.date(),
                    announce_at: soon,
                    zone,
                },
            },
            Command::ExtendDisclosure {
                until: case.deadlines.disclose_by + SignedDuration::from_hours(24),
                reason: text()?,
            },
            Command::Publish,
            Command::Close,
            Command::Reopen { reason: text()? },
        ];
        for fork in &case.forks {
            samples.push(Command::SignOffFork {
                fork: fork.id,
                note: None,
            });
        }
        for step in Step::all() {
            samples.push(Command::CompleteStep { step, note: None });
        }
        // Publishing also needs the approved preview, which the case itself does not hold.
        let approved = self
            .store
            .advisory_draft(case_id)
            .await?
            .is_some_and(|d| d.approved());
        Ok(samples
            .into_iter()
            .filter(|c| approved || *c != Command::Publish)
            .filter(|c| transition(&case, c, &actor, now).is_ok())
            .collect())
    }
}
