//! Who is asking, as the outer layers authenticated them. The app turns a principal into a
//! domain `Actor` by loading the person's current roles: a role removed a second ago is
//! removed now, whatever the session cookie says.

use embargo_core::{Actor, CaseId, UserId};
use embargo_store::{StoreError, Tx};

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// A signed-in account.
    User(UserId),
    /// The reporter of one case, by its secret link.
    Reporter(CaseId),
    /// The scheduler.
    System,
    /// Someone with shell access to the installation's data directory (the CLI): may manage
    /// users and projects, sees no case content.
    Operator,
}

impl Principal {
    /// The signed-in person, if this is one.
    pub fn user(&self) -> Option<UserId> {
        match self {
            Principal::User(id) => Some(*id),
            _ => None,
        }
    }

    /// The actor's name in the audit log. Ids only: never a name or e-mail address.
    pub fn audit_name(&self) -> String {
        match self {
            Principal::User(id) => format!("user:{id}"),
            Principal::Reporter(_) => "reporter".to_string(),
            Principal::System => "system".to_string(),
            Principal::Operator => "operator".to_string(),
        }
    }
}

/// The domain actor for `principal` acting on `case`. `None` means "no business here".
pub(crate) async fn actor_on_case(
    tx: &mut Tx,
    principal: Principal,
    case: CaseId,
) -> Result<Option<Actor>, AppError> {
    Ok(match principal {
        Principal::User(id) => match tx.person(id).await {
            Ok(p) if p.disabled_at.is_none() => Some(Actor::User { id, roles: p.roles }),
            Ok(_) | Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        Principal::Reporter(of) if of == case => Some(Actor::Reporter),
        Principal::Reporter(_) | Principal::Operator => None,
        Principal::System => Some(Actor::System),
    })
}
