//! Reading a case. The team sees everything; the reporter sees their report, the thread
//! and the status; anyone else gets "not found".

use embargo_core::{Case, CaseId, Message, Private, RolesOnCase};
use embargo_store::{AttachmentInfo, AuditEntry, StoredReport};

use crate::App;
use crate::error::AppError;
use crate::principal::{Principal, actor_on_case};

/// What the team sees.
#[derive(Debug, Clone)]
pub struct TeamCaseView {
    pub case: Case,
    /// The case's reference (`EMB-2026-0042`).
    pub reference: String,
    pub report: StoredReport,
    pub messages: Vec<Message>,
    pub attachments: Vec<AttachmentInfo>,
    pub audit: Vec<AuditEntry>,
    pub roles: RolesOnCase,
    /// Drafts of the blog post and announcement (policy step 14).
    pub drafts: Vec<embargo_store::Draft>,
    /// Names of everyone the page mentions (people of the installation).
    pub names: std::collections::HashMap<embargo_core::UserId, String>,
}

/// A page of a case's thread, oldest first.
#[derive(Debug, Clone)]
pub struct MessagePage {
    pub messages: Vec<embargo_core::Message>,
    /// Where the next (older) page starts, when there is one.
    pub older: Option<embargo_core::MessageId>,
    /// The names of the people who wrote them.
    pub names: std::collections::HashMap<embargo_core::UserId, String>,
}

/// A page of a case's audit trail, oldest first.
#[derive(Debug, Clone)]
pub struct EventPage {
    pub events: Vec<embargo_store::AuditEntry>,
    /// Where the next (older) page starts, when there is one: `?before=` this.
    pub older: Option<i64>,
    /// The names of the people who acted.
    pub names: std::collections::HashMap<embargo_core::UserId, String>,
}

/// What the reporter sees through the secret link: no internal comments, no people, no
/// forks, no audit.
#[derive(Debug, Clone)]
pub struct ReporterCaseView {
    pub case_id: CaseId,
    pub state: embargo_core::CaseState,
    pub report: StoredReport,
    pub messages: Vec<Message>,
    pub attachments: Vec<AttachmentInfo>,
    /// The reporter's timeline: received, acknowledged, published (no internal deadlines).
    pub received_at: jiff::Timestamp,
    pub acknowledged_at: Option<jiff::Timestamp>,
    pub published_at: Option<jiff::Timestamp>,
}

impl App {
    /// The case a team member names by its reference (`EMB-2026-0042`), if they may see it
    /// as team; anyone else gets `NotFound`, as for a case that does not exist.
    pub async fn case_by_reference(
        &self,
        principal: Principal,
        reference: &str,
    ) -> Result<CaseId, AppError> {
        let id = match self.store.case_by_reference(reference).await {
            Ok(id) => id,
            Err(embargo_store::StoreError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(e.into()),
        };
        let (_, roles) = self.roles_on(principal, id).await?;
        if roles.team() {
            Ok(id)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The reference of a case the principal may see as team.
    pub async fn case_reference(
        &self,
        principal: Principal,
        case_id: CaseId,
    ) -> Result<String, AppError> {
        let (_, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        Ok(self.store.case_reference(case_id).await?)
    }

    pub(crate) async fn roles_on(
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
        self.team_view_with(principal, case_id, None).await
    }

    /// [`App::team_view`] with only the `newest` latest messages and the `newest` latest
    /// case events other than posted messages: a page of a long conversation.
    pub async fn team_view_recent(
        &self,
        principal: Principal,
        case_id: CaseId,
        newest: usize,
    ) -> Result<TeamCaseView, AppError> {
        self.team_view_with(principal, case_id, Some(newest)).await
    }

    async fn team_view_with(
        &self,
        principal: Principal,
        case_id: CaseId,
        newest: Option<usize>,
    ) -> Result<TeamCaseView, AppError> {
        let (case, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        let audit = match newest {
            Some(n) => {
                self.store
                    .audit_of_case_newest(case_id, "post_message", n)
                    .await?
            }
            None => self.store.audit_of_case(case_id).await?,
        };
        Ok(TeamCaseView {
            reference: self.store.case_reference(case_id).await?,
            report: self.store.report(case_id).await?,
            messages: self.store.messages_newest(case_id, false, newest).await?,
            attachments: self.store.attachments(case_id).await?,
            audit,
            drafts: self.store.drafts(case_id).await?,
            names: self
                .store
                .people()
                .await?
                .into_iter()
                .map(|p| (p.id, p.display_name.to_string()))
                .collect(),
            case,
            roles,
        })
    }

    /// The display names of `people`, for a page that shows who wrote or did what.
    async fn names_of(
        &self,
        people: &std::collections::HashSet<embargo_core::UserId>,
    ) -> Result<std::collections::HashMap<embargo_core::UserId, String>, AppError> {
        Ok(self
            .store
            .people()
            .await?
            .into_iter()
            .filter(|p| people.contains(&p.id))
            .map(|p| (p.id, p.display_name.to_string()))
            .collect())
    }

    /// A page of the case's audit trail for its team: the `limit` newest entries before
    /// the sequence number `before` (the newest of all without it), oldest first.
    pub async fn team_events(
        &self,
        principal: Principal,
        case_id: CaseId,
        before: Option<i64>,
        limit: usize,
    ) -> Result<EventPage, AppError> {
        let (_, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        let mut events = self
            .store
            .audit_of_case_before(case_id, before, limit.saturating_add(1))
            .await?;
        let more = events.len() > limit;
        if more {
            events.remove(0);
        }
        let older = more.then(|| events.first().map(|e| e.seq)).flatten();
        let actors: std::collections::HashSet<embargo_core::UserId> = events
            .iter()
            .filter_map(|e| e.actor.strip_prefix("user:")?.parse().ok())
            .collect();
        let names = self.names_of(&actors).await?;
        Ok(EventPage {
            events,
            older,
            names,
        })
    }

    /// A page of the case's thread for its team: the `limit` newest messages before
    /// `before` (the newest of all without it), oldest first, and whether older ones exist.
    pub async fn team_messages(
        &self,
        principal: Principal,
        case_id: CaseId,
        before: Option<embargo_core::MessageId>,
        limit: usize,
    ) -> Result<MessagePage, AppError> {
        let (_, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        let mut messages = self
            .store
            .messages_before(case_id, false, before, Some(limit.saturating_add(1)))
            .await?;
        let more = messages.len() > limit;
        if more {
            messages.remove(0);
        }
        let older = more.then(|| messages.first().map(|m| m.id)).flatten();
        let authors: std::collections::HashSet<embargo_core::UserId> = messages
            .iter()
            .filter_map(|m| match m.author {
                embargo_core::Author::User(u) => Some(u),
                _ => None,
            })
            .collect();
        let names = self.names_of(&authors).await?;
        Ok(MessagePage {
            messages,
            older,
            names,
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
        let messages = self.store.messages(case_id, true).await?;
        // Files on the reporter's thread only: the team's private files stay private.
        let attachments = self
            .store
            .attachments(case_id)
            .await?
            .into_iter()
            .filter(|a| {
                a.by_reporter
                    || a.message_id
                        .is_some_and(|m| messages.iter().any(|x| x.id == m))
            })
            .collect();
        Ok(ReporterCaseView {
            case_id,
            state: case.state,
            report: self.store.report(case_id).await?,
            messages,
            attachments,
            received_at: case.received_at,
            acknowledged_at: case.acknowledged_at,
            published_at: case.published_at,
        })
    }

    /// One attachment's bytes, for someone who may see it (team: all; reporter: their
    /// thread's).
    pub async fn attachment(
        &self,
        principal: Principal,
        case_id: CaseId,
        id: uuid::Uuid,
    ) -> Result<(AttachmentInfo, Private<Vec<u8>>), AppError> {
        let (_, roles) = self.roles_on(principal, case_id).await?;
        if roles.team() {
            return Ok(self.store.attachment(case_id, id).await?);
        }
        // Reporters read their files through the portal (the secret link), never as a
        // signed-in user: a core member who reported a case is not its team.
        if roles.reporter && matches!(principal, Principal::Reporter(_)) {
            let view = self.reporter_view(principal, case_id).await?;
            if view.attachments.iter().any(|a| a.id == id) {
                return Ok(self.store.attachment(case_id, id).await?);
            }
        }
        Err(AppError::NotFound)
    }
}
