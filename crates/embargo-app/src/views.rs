//! Reading a case. The team sees everything; the reporter sees their report, the thread
//! and the status; anyone else gets "not found".

use embargo_core::{Case, CaseId, Message, RolesOnCase};
use embargo_store::{AuditEntry, StoredReport};

use crate::App;
use crate::error::AppError;
use crate::principal::{Principal, actor_on_case};

/// What the team sees.
#[derive(Debug, Clone)]
pub struct TeamCaseView {
    pub case: Case,
    pub report: StoredReport,
    pub messages: Vec<Message>,
    pub audit: Vec<AuditEntry>,
    pub roles: RolesOnCase,
}

/// What the reporter sees through the secret link: no internal comments, no people, no
/// forks, no audit.
#[derive(Debug, Clone)]
pub struct ReporterCaseView {
    pub state: embargo_core::CaseState,
    pub report: StoredReport,
    pub messages: Vec<Message>,
}

impl App {
    async fn roles_on(
        &self,
        principal: Principal,
        case_id: CaseId,
    ) -> Result<(Case, RolesOnCase), AppError> {
        let mut tx = self.store.begin_read().await?;
        let case = tx.case(case_id).await?;
        let actor = actor_on_case(&mut tx, principal, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.rollback().await?;
        let roles = RolesOnCase::of(&actor, &case);
        Ok((case, roles))
    }

    pub async fn team_view(
        &self,
        principal: Principal,
        case_id: CaseId,
    ) -> Result<TeamCaseView, AppError> {
        let (case, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        Ok(TeamCaseView {
            report: self.store.report(case_id).await?,
            messages: self.store.messages(case_id, false).await?,
            audit: self.store.audit_of_case(case_id).await?,
            case,
            roles,
        })
    }

    pub async fn reporter_view(
        &self,
        principal: Principal,
        case_id: CaseId,
    ) -> Result<ReporterCaseView, AppError> {
        let (case, roles) = self.roles_on(principal, case_id).await?;
        if !roles.reporter {
            return Err(AppError::NotFound);
        }
        Ok(ReporterCaseView {
            state: case.state,
            report: self.store.report(case_id).await?,
            messages: self.store.messages(case_id, true).await?,
        })
    }
}
