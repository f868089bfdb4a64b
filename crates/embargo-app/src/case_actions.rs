//! Every action on a case takes one path: open a transaction, load the case, resolve the
//! principal to an actor, let the state machine decide, then save the case, its audit entry,
//! messages and jobs, and commit. A refusal returns before anything is written; dropping the
//! transaction rolls it back.

use embargo_core::{
    Author, Case, CaseId, Command, EmbargoDates, ForkId, Private, RejectReason, RequiredText,
    RolesOnCase, Step, UserId, transition,
};
use embargo_store::Tx;
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::error::AppError;
use crate::principal::{Principal, actor_on_case};

impl App {
    /// Applies `command` to the case for `principal`. Returns the case as saved.
    pub async fn act(
        &self,
        principal: Principal,
        case_id: CaseId,
        command: Command,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        let mut tx = self.store.begin().await?;
        let case = self
            .act_in(&mut tx, principal, case_id, command, now)
            .await?;
        tx.commit().await?;
        Ok(case)
    }

    /// `act` inside a transaction the caller commits (for use cases that change more).
    pub(crate) async fn act_in(
        &self,
        tx: &mut Tx,
        principal: Principal,
        case_id: CaseId,
        command: Command,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        let case = tx.case(case_id).await?;
        let Some(actor) = actor_on_case(tx, principal, case_id).await? else {
            return Err(AppError::NotFound);
        };
        let can_see = RolesOnCase::of(&actor, &case).any();
        let outcome = transition(&case, &command, &actor, now)
            .map_err(|e| AppError::from_domain(e, can_see))?;
        // A Coordinator publishes only the text whose preview they approved; disclosure at
        // the deadline publishes whatever exists (PROCESS.md).
        if matches!(command, Command::Publish | Command::PublishAsScheduled) {
            self.require_approved_preview(tx, case_id).await?;
        }
        tx.update_case(&outcome.case).await?;
        let publication = if outcome
            .events
            .iter()
            .any(|e| matches!(e, embargo_core::Event::Published { .. }))
        {
            Some(self.freeze_publication(tx, &outcome.case, now).await?)
        } else {
            None
        };
        let author = match principal {
            Principal::User(id) => Author::User(id),
            Principal::Reporter(_) => Author::Reporter,
            Principal::System | Principal::Operator => Author::System,
        };
        let events = self
            .record_events(
                tx,
                case_id,
                author,
                &outcome.events,
                publication.as_ref(),
                now,
            )
            .await?;
        self.schedule_clocks(tx, &outcome.case, &outcome.events, now)
            .await?;
        let detail = json!({
            "version": outcome.case.version,
            "events": events,
            "reason": reason_of(&command),
        });
        self.audit(tx, principal, Some(case_id), command.name(), detail, now)
            .await?;
        self.queue_tracking_issue(tx, &case, &outcome.case, now)
            .await?;
        // The case's people are the drafts' collaborators on GitHub (step 5).
        if matches!(
            command,
            Command::AssignCoordinator { .. }
                | Command::AddDeveloper { .. }
                | Command::RemoveDeveloper { .. }
        ) {
            self.queue_github_sync(tx, case_id, now).await?;
        }
        Ok(outcome.case)
    }

    pub async fn acknowledge(
        &self,
        p: Principal,
        case: CaseId,
        message: &str,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        let message = Private::new(RequiredText::parse(message).map_err(AppError::invalid)?);
        self.act(p, case, Command::Acknowledge { message }, now)
            .await
    }

    pub async fn start_triage(
        &self,
        p: Principal,
        case: CaseId,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        self.act(p, case, Command::StartTriage, now).await
    }

    pub async fn request_info(
        &self,
        p: Principal,
        case: CaseId,
        message: &str,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        let message = Private::new(RequiredText::parse(message).map_err(AppError::invalid)?);
        self.act(p, case, Command::RequestInfo { message }, now)
            .await
    }

    pub async fn accept(
        &self,
        p: Principal,
        case: CaseId,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        self.act(p, case, Command::Accept, now).await
    }

    /// Rejects with the reason and the message the reporter receives (both required).
    pub async fn reject(
        &self,
        p: Principal,
        case: CaseId,
        reason: RejectReason,
        message: &str,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        let message = Private::new(RequiredText::parse(message).map_err(|e| {
            AppError::invalid(embargo_core::ValueError::new(
                "message to the reporter",
                e.why,
            ))
        })?);
        self.act(p, case, Command::Reject { reason, message }, now)
            .await
    }

    pub async fn mark_spam(
        &self,
        p: Principal,
        case: CaseId,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        self.act(p, case, Command::MarkSpam, now).await
    }

    pub async fn withdraw(
        &self,
        p: Principal,
        case: CaseId,
        reason: &str,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        let reason = Private::new(RequiredText::parse(reason).map_err(AppError::invalid)?);
        self.act(p, case, Command::Withdraw { reason }, now).await
    }

    pub async fn assign_coordinator(
        &self,
        p: Principal,
        case: CaseId,
        user: UserId,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        // Only a core member can coordinate; the state machine checks the two-person rule.
        let person = self.store.person(user).await.map_err(|_| {
            AppError::invalid(embargo_core::ValueError::new(
                "coordinator",
                "is not a person of this installation",
            ))
        })?;
        if !person.roles.coordinator || person.disabled_at.is_some() {
            return Err(AppError::invalid(embargo_core::ValueError::new(
                "coordinator",
                "must be a core member with the Coordinator role",
            )));
        }
        self.act(p, case, Command::AssignCoordinator { user }, now)
            .await
    }

    pub async fn add_developer(
        &self,
        p: Principal,
        case: CaseId,
        user: UserId,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        self.store.person(user).await.map_err(|_| {
            AppError::invalid(embargo_core::ValueError::new(
                "developer",
                "is not a person of this installation",
            ))
        })?;
        self.act(p, case, Command::AddDeveloper { user }, now).await
    }

    pub async fn remove_developer(
        &self,
        p: Principal,
        case: CaseId,
        user: UserId,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        self.act(p, case, Command::RemoveDeveloper { user }, now)
            .await
    }

    pub async fn start_fixing(
        &self,
        p: Principal,
        case: CaseId,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        self.act(p, case, Command::StartFixing, now).await
    }

    /// Records a private fork; returns its id.
    pub async fn record_fork(
        &self,
        p: Principal,
        case: CaseId,
        name: &str,
        now: Timestamp,
    ) -> Result<(Case, ForkId), AppError> {
        let name = embargo_core::one_line("fork", name, 300).map_err(AppError::invalid)?;
        let id = ForkId::from_random_bytes(self.random.bytes16()?);
        let command = Command::RecordFork {
            id,
            name: Private::new(name),
        };
        Ok((self.act(p, case, command, now).await?, id))
    }

    pub async fn sign_off_fork(
        &self,
        p: Principal,
        case: CaseId,
        fork: ForkId,
        note: Option<String>,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        self.act(p, case, Command::SignOffFork { fork, note }, now)
            .await
    }

    pub async fn complete_step(
        &self,
        p: Principal,
        case: CaseId,
        step: u8,
        note: Option<String>,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        let step = Step::new(step).map_err(AppError::invalid)?;
        self.act(p, case, Command::CompleteStep { step, note }, now)
            .await
    }

    pub async fn set_dates(
        &self,
        p: Principal,
        case: CaseId,
        dates: EmbargoDates,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        self.act(p, case, Command::SetDates { dates }, now).await
    }

    pub async fn extend_disclosure(
        &self,
        p: Principal,
        case: CaseId,
        until: Timestamp,
        reason: &str,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        let reason = RequiredText::parse(reason).map_err(|e| {
            AppError::invalid(embargo_core::ValueError::new(
                "reason for the extension",
                e.why,
            ))
        })?;
        self.act(p, case, Command::ExtendDisclosure { until, reason }, now)
            .await
    }

    pub async fn publish(
        &self,
        p: Principal,
        case: CaseId,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        self.act(p, case, Command::Publish, now).await
    }

    pub async fn disclose_at_deadline(
        &self,
        case: CaseId,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        self.act(Principal::System, case, Command::DiscloseAtDeadline, now)
            .await
    }

    pub async fn close(
        &self,
        p: Principal,
        case: CaseId,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        self.act(p, case, Command::Close, now).await
    }

    pub async fn reopen(
        &self,
        p: Principal,
        case: CaseId,
        reason: &str,
        now: Timestamp,
    ) -> Result<Case, AppError> {
        let reason = RequiredText::parse(reason).map_err(AppError::invalid)?;
        self.act(p, case, Command::Reopen { reason }, now).await
    }
}

/// Reasons the team gives (extension, reopen) belong in the audit log; messages to the
/// reporter do not (they are stored as messages).
fn reason_of(command: &Command) -> Option<String> {
    match command {
        Command::ExtendDisclosure { reason, .. } | Command::Reopen { reason } => {
            Some(reason.to_string())
        }
        Command::Reject { reason, .. } => Some(reason.name().to_string()),
        _ => None,
    }
}
