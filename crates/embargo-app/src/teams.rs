//! Teams: named groups of people, from any organization (outside collaborators included),
//! that a Coordinator adds to a case's Developers at once. Administrators keep them.

use embargo_core::{CaseId, Command, Email, ValueError};
use embargo_store::Team;
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::error::AppError;
use crate::principal::Principal;

/// What adding a team did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamAdded {
    /// Names of the members now Developers on the case.
    pub added: Vec<String>,
    /// Members left out, with why (already on it, or the two-person rule).
    pub skipped: Vec<(String, String)>,
}

impl App {
    pub async fn create_team(
        &self,
        principal: Principal,
        name: &str,
        now: Timestamp,
    ) -> Result<String, AppError> {
        self.require_admin(principal).await?;
        let name = embargo_core::one_line("team name", name, 100).map_err(AppError::invalid)?;
        let name = name.as_str();
        let id = hex::encode(self.random.bytes16()?);
        let mut tx = self.store.begin().await?;
        tx.create_team(&id, name, now).await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "create_team",
            json!({"team": id}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a person of the installation (by address) to a team.
    pub async fn add_team_member(
        &self,
        principal: Principal,
        team: &str,
        email: &str,
        now: Timestamp,
    ) -> Result<(), AppError> {
        self.require_admin(principal).await?;
        let email = Email::parse(email).map_err(AppError::invalid)?;
        let mut tx = self.store.begin().await?;
        tx.team_in(team).await?;
        let person = tx.person_by_email(&email).await.map_err(|_| {
            AppError::invalid(ValueError::new(
                "member",
                "is not a person of this installation: add them (or invite them to a case) first",
            ))
        })?;
        tx.add_team_member(team, person.id).await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "add_team_member",
            json!({"team": team, "user": person.id}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every team (team names and member ids are not case content: any team member may
    /// list them to pick one).
    pub async fn teams(&self) -> Result<Vec<Team>, AppError> {
        Ok(self.store.teams().await?)
    }

    /// Adds every member of `team` to the case's Developers, in one transaction. Members
    /// the state machine refuses (the case's Coordinator, its reporter) are skipped and
    /// named; anything else refused rolls the whole addition back.
    pub async fn add_team_to_case(
        &self,
        principal: Principal,
        case_id: CaseId,
        team: &str,
        now: Timestamp,
    ) -> Result<TeamAdded, AppError> {
        let mut tx = self.store.begin().await?;
        // Who asks comes first: to anyone without a role here the case does not exist.
        let case = tx.case(case_id).await?;
        let actor = crate::principal::actor_on_case(&mut tx, principal, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let roles = embargo_core::RolesOnCase::of(&actor, &case);
        if !roles.any() {
            return Err(AppError::NotFound);
        }
        if !roles.coordinator {
            return Err(AppError::Forbidden(
                "only the case's Coordinator adds people to it".into(),
            ));
        }
        let team = tx.team_in(team).await.map_err(|e| match e {
            embargo_store::StoreError::NotFound => {
                AppError::invalid(ValueError::new("team", "does not exist"))
            }
            e => e.into(),
        })?;
        let mut outcome = TeamAdded::default();
        for member in &team.members {
            let person = tx.person(*member).await?;
            let name = person.display_name.to_string();
            let case = tx.case(case_id).await?;
            if case.developers.contains(member) {
                outcome.skipped.push((name, "already a Developer".into()));
                continue;
            }
            let command = Command::AddDeveloper { user: *member };
            match self.act_in(&mut tx, principal, case_id, command, now).await {
                Ok(_) => outcome.added.push(name),
                Err(AppError::Rule { message, .. })
                    if case.coordinator == Some(*member) || case.reporter_user == Some(*member) =>
                {
                    outcome.skipped.push((name, message));
                }
                Err(e) => return Err(e),
            }
        }
        tx.commit().await?;
        Ok(outcome)
    }
}
