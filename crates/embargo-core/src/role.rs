//! Who acts: installation roles (held by accounts) and case roles (held on one case).

use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::ids::UserId;

/// What an account may do across the installation. A person can hold both.
/// Admins run the installation (users, projects, policy) but see no case content unless they
/// are also Coordinators (PROCESS.md, Who).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InstallationRoles {
    /// A core member of the organization: may coordinate any case.
    pub coordinator: bool,
    /// Operator of the installation.
    pub admin: bool,
}

impl InstallationRoles {
    pub const MEMBER: Self = Self {
        coordinator: false,
        admin: false,
    };
    pub const COORDINATOR: Self = Self {
        coordinator: true,
        admin: false,
    };
    pub const ADMIN: Self = Self {
        coordinator: false,
        admin: true,
    };
}

/// Whoever issues a command. Authentication happened in an outer layer; authorization
/// happens here, against the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in account, with the installation roles the store holds for it.
    User {
        id: UserId,
        roles: InstallationRoles,
    },
    /// The reporter of this case, authenticated by its secret link (no account).
    Reporter,
    /// The scheduler (deadline disclosure, reminders).
    System,
}

/// The role an actor holds on one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseRole {
    Reporter,
    Coordinator,
    Developer,
}

impl CaseRole {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseRole::Reporter => "reporter",
            CaseRole::Coordinator => "coordinator",
            CaseRole::Developer => "developer",
        }
    }
}

/// The case roles an actor holds on `case`.
///
/// A user who is a Developer of the case, or its Reporter, never acts as its Coordinator on
/// it, even with installation coordinator rights: that is the two-person rule applied to
/// every action, not just to the assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RolesOnCase {
    pub reporter: bool,
    pub coordinator: bool,
    pub developer: bool,
}

impl RolesOnCase {
    pub fn of(actor: &Actor, case: &Case) -> Self {
        match actor {
            Actor::Reporter => Self {
                reporter: true,
                ..Self::default()
            },
            Actor::System => Self::default(),
            Actor::User { id, roles } => {
                let developer = case.developers.contains(id);
                let reporter = case.reporter_user == Some(*id);
                let coordinator = roles.coordinator && !developer && !reporter;
                Self {
                    reporter,
                    coordinator,
                    developer,
                }
            }
        }
    }

    /// May see the case at all (outsiders get "not found").
    pub fn any(&self) -> bool {
        self.reporter || self.coordinator || self.developer
    }

    pub fn team(&self) -> bool {
        self.coordinator || self.developer
    }
}
