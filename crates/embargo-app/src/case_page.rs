//! What the case page needs beyond the plain actions: refusing stale forms, and knowing
//! which actions to offer.

use embargo_core::{Case, CaseId, Command, RolesOnCase};
use jiff::Timestamp;

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

    /// The commands `principal` may give on the case now, as the state machine offers
    /// them (`transition::offered`): pages and the API offer exactly these.
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
        let offered = embargo_core::transition::offered(&case, &actor, now);
        // Publishing also needs the approved preview, which the case itself does not hold.
        let approved = self
            .store
            .advisory_draft(case_id)
            .await?
            .is_some_and(|d| d.approved());
        Ok(offered
            .into_iter()
            .filter(|c| approved || *c != Command::Publish)
            .collect())
    }
}
