//! Running the installation: people and projects. Admins (and the operator at the shell)
//! do this; none of it opens case content.

use embargo_core::{
    CaseId, Command, DisplayName, Email, InstallationRoles, ProjectSlug, RolesOnCase, UserId,
    ValueError,
};
use embargo_store::{Person, Project, StoreError};
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::JobSpec;
use crate::error::AppError;
use crate::principal::{Principal, actor_on_case};
use crate::secrets::hash_password;

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub roles: InstallationRoles,
    pub password: Option<String>,
}

impl App {
    pub(crate) async fn require_admin(&self, principal: Principal) -> Result<(), AppError> {
        match principal {
            Principal::Operator => Ok(()),
            Principal::User(id) => match self.store.person(id).await {
                Ok(p) if p.roles.admin && p.disabled_at.is_none() => Ok(()),
                Ok(_) => Err(AppError::Forbidden("this is for administrators".into())),
                Err(StoreError::NotFound) => Err(AppError::NotFound),
                Err(e) => Err(e.into()),
            },
            Principal::Reporter(_) | Principal::System => Err(AppError::NotFound),
        }
    }

    fn check_new_user(
        &self,
        new: &NewUser,
    ) -> Result<(Email, DisplayName, Option<String>), AppError> {
        let mut problems = Vec::new();
        let email = Email::parse(&new.email).map_err(|e| problems.push(e)).ok();
        let name = DisplayName::parse(&new.display_name)
            .map_err(|e| problems.push(e))
            .ok();
        let hash = match &new.password {
            Some(pw) => match hash_password(pw, self.random.as_ref()) {
                Ok(h) => Some(h),
                Err(AppError::Invalid(mut v)) => {
                    problems.append(&mut v);
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        match (email, name) {
            (Some(e), Some(n)) if problems.is_empty() => Ok((e, n, hash)),
            _ => Err(AppError::Invalid(problems)),
        }
    }

    /// Adds an account. Admin only.
    pub async fn add_user(
        &self,
        principal: Principal,
        new: NewUser,
        now: Timestamp,
    ) -> Result<Person, AppError> {
        self.require_admin(principal).await?;
        let (email, display_name, password_hash) = self.check_new_user(&new)?;
        let person = Person {
            id: UserId::from_random_bytes(self.random.bytes16()?),
            email,
            display_name,
            roles: new.roles,
            password_hash,
            created_at: now,
            disabled_at: None,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_person(&person).await?;
        let detail = json!({"user": person.id, "coordinator": person.roles.coordinator, "admin": person.roles.admin});
        self.audit(&mut tx, principal, None, "add_user", detail, now)
            .await?;
        tx.commit().await?;
        Ok(person)
    }

    /// The first administrator of a new installation (`embargo init`). Refused once any
    /// administrator exists, so it cannot be used to take over an installation.
    pub async fn bootstrap_admin(&self, new: NewUser, now: Timestamp) -> Result<Person, AppError> {
        let (email, display_name, password_hash) = self.check_new_user(&new)?;
        let mut tx = self.store.begin().await?;
        if tx.count_admins().await? > 0 {
            return Err(AppError::Conflict(
                "this installation already has an administrator".into(),
            ));
        }
        let person = Person {
            id: UserId::from_random_bytes(self.random.bytes16()?),
            email,
            display_name,
            roles: InstallationRoles {
                admin: true,
                ..new.roles
            },
            password_hash,
            created_at: now,
            disabled_at: None,
        };
        tx.insert_person(&person).await?;
        let detail =
            json!({"user": person.id, "coordinator": person.roles.coordinator, "admin": true});
        self.audit(
            &mut tx,
            Principal::Operator,
            None,
            "bootstrap_admin",
            detail,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(person)
    }

    /// Adds a project to the installation's scope. Admin only.
    pub async fn add_project(
        &self,
        principal: Principal,
        slug: &str,
        name: &str,
        description: &str,
        repositories: &[String],
        now: Timestamp,
    ) -> Result<Project, AppError> {
        self.require_admin(principal).await?;
        let slug = ProjectSlug::parse(slug).map_err(AppError::invalid)?;
        let name = embargo_core::one_line("project name", name, 200).map_err(AppError::invalid)?;
        let name = name.as_str();
        let mut repos = Vec::new();
        for r in repositories {
            let r = r.trim().trim_end_matches(".git").to_ascii_lowercase();
            let part = |p: &str| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            };
            if !r.split_once('/').is_some_and(|(o, n)| part(o) && part(n)) {
                return Err(AppError::invalid(ValueError::new(
                    "repository",
                    format!("{r:?} must be owner/name"),
                )));
            }
            repos.push(r);
        }
        let project = Project {
            slug,
            name: name.to_string(),
            description: description.trim().to_string(),
            repositories: repos,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_project(&project, now).await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "add_project",
            json!({"project": project.slug}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(project)
    }

    /// The policy's clocks now: what an administrator set, else the configured defaults.
    pub async fn current_policy(&self) -> Result<embargo_core::Policy, AppError> {
        self.stored_policy(self.store.setting("policy").await?)
    }

    /// The policy as `tx` sees it.
    pub(crate) async fn policy_in(
        &self,
        tx: &mut embargo_store::Tx,
    ) -> Result<embargo_core::Policy, AppError> {
        self.stored_policy(tx.setting("policy").await?)
    }

    fn stored_policy(
        &self,
        stored: Option<serde_json::Value>,
    ) -> Result<embargo_core::Policy, AppError> {
        match stored {
            Some(v) => serde_json::from_value(v)
                .map_err(|e| AppError::Internal(format!("stored policy: {e}"))),
            None => Ok(self.policy),
        }
    }

    /// Changes the policy's clocks for reports received from now on (cases keep the
    /// deadlines they were given; a case's deadline moves only by a recorded extension).
    pub async fn set_policy(
        &self,
        principal: Principal,
        policy: embargo_core::Policy,
        now: Timestamp,
    ) -> Result<(), AppError> {
        self.require_admin(principal).await?;
        let value = serde_json::json!({
            "acknowledge_within_days": policy.acknowledge_within_days(),
            "disclose_within_days": policy.disclose_within_days(),
        });
        let mut tx = self.store.begin().await?;
        tx.set_setting("policy", &value).await?;
        self.audit(&mut tx, principal, None, "set_policy", value, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables or re-enables an account. The last active administrator stays.
    pub async fn set_user_disabled(
        &self,
        principal: Principal,
        user: UserId,
        disabled: bool,
        now: Timestamp,
    ) -> Result<(), AppError> {
        self.require_admin(principal).await?;
        let mut tx = self.store.begin().await?;
        let person = tx.person(user).await?;
        if disabled
            && person.roles.admin
            && person.disabled_at.is_none()
            && tx.count_admins().await? <= 1
        {
            return Err(AppError::Rule {
                code: "last_admin",
                message: "the installation needs at least one active administrator".into(),
            });
        }
        tx.set_disabled(user, disabled.then_some(now)).await?;
        let action = if disabled {
            "disable_user"
        } else {
            "enable_user"
        };
        self.audit(&mut tx, principal, None, action, json!({"user": user}), now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Jobs that failed for good (the dead-letter list), for administrators.
    pub async fn dead_jobs(
        &self,
        principal: Principal,
    ) -> Result<Vec<embargo_store::Job>, AppError> {
        self.require_admin(principal).await?;
        Ok(self.store.dead_jobs().await?)
    }

    /// The job queue's counts (waiting, due, oldest due, running, dead), for administrators.
    pub async fn queue_summary(
        &self,
        principal: Principal,
        now: Timestamp,
    ) -> Result<embargo_store::QueueSummary, AppError> {
        self.require_admin(principal).await?;
        Ok(self.store.queue_summary(now).await?)
    }

    /// Retries a dead job (e.g. after fixing the mail configuration).
    pub async fn retry_job(
        &self,
        principal: Principal,
        id: embargo_core::JobId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        self.require_admin(principal).await?;
        self.store.retry_job(id, now).await?;
        let mut tx = self.store.begin().await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "retry_job",
            json!({"job": id}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The installation's people, for administrators.
    pub async fn people(&self, principal: Principal) -> Result<Vec<Person>, AppError> {
        self.require_admin(principal).await?;
        Ok(self.store.people().await?)
    }

    /// The person with this address, for administrators; "not found" names the address.
    pub async fn person_by_email(
        &self,
        principal: Principal,
        email: &str,
    ) -> Result<Person, AppError> {
        self.require_admin(principal).await?;
        let email = embargo_core::Email::parse(email).map_err(AppError::invalid)?;
        match self.store.person_by_email(&email).await {
            Ok(p) => Ok(p),
            Err(StoreError::NotFound) => Err(AppError::invalid(embargo_core::ValueError::new(
                "e-mail address",
                format!("{email} is no account's address"),
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Walks the audit log's hash chain, for administrators.
    pub async fn verify_audit(
        &self,
        principal: Principal,
    ) -> Result<embargo_store::AuditReport, AppError> {
        self.require_admin(principal).await?;
        Ok(self.store.verify_audit().await?)
    }

    /// Adds an outside collaborator (another organization's maintainer) to one case as a
    /// Developer, creating their account if needed, in one transaction. They see only the
    /// cases they are on.
    pub async fn add_collaborator(
        &self,
        principal: Principal,
        case_id: CaseId,
        email: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<UserId, AppError> {
        let email = Email::parse(email).map_err(AppError::invalid)?;
        let mut tx = self.store.begin().await?;
        // Authorize before creating anything: only the case's Coordinator invites.
        let case = tx.case(case_id).await?;
        let actor = actor_on_case(&mut tx, principal, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let roles = RolesOnCase::of(&actor, &case);
        if !roles.coordinator {
            return Err(if roles.any() {
                AppError::Forbidden("collaborators are added by the case's Coordinator".into())
            } else {
                AppError::NotFound
            });
        }
        let user = match tx.person_by_email(&email).await {
            Ok(p) => p.id,
            Err(StoreError::NotFound) => {
                let person = Person {
                    id: UserId::from_random_bytes(self.random.bytes16()?),
                    email,
                    display_name: DisplayName::parse(name).map_err(AppError::invalid)?,
                    roles: InstallationRoles::MEMBER,
                    password_hash: None,
                    created_at: now,
                    disabled_at: None,
                };
                tx.insert_person(&person).await?;
                self.audit(
                    &mut tx,
                    principal,
                    Some(case_id),
                    "invite_collaborator",
                    json!({"user": person.id}),
                    now,
                )
                .await?;
                self.enqueue(
                    &mut tx,
                    JobSpec::InviteCollaborator {
                        user: person.id,
                        case_id: Some(case_id),
                    },
                    now,
                    now,
                )
                .await?;
                person.id
            }
            Err(e) => return Err(e.into()),
        };
        self.act_in(
            &mut tx,
            principal,
            case_id,
            Command::AddDeveloper { user },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }
}
