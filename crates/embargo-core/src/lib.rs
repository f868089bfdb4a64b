//! embargo's domain: the policy as code. Pure: no I/O, no async, no SQL, no HTTP. Time and
//! randomness come in as arguments.
//!
//! The entry point is [`transition::transition`]: `(case, command, actor, now)` in, the new
//! case and its events out, or an error naming the rule that refused the command.

pub mod advisory;
pub mod case;
pub mod checklist;
pub mod command;
pub mod cve_state;
pub mod error;
pub mod event;
pub mod filename;
pub mod ids;
#[cfg(feature = "openapi")]
mod openapi;
pub mod policy;
pub mod private;
pub mod public;
pub mod report;
pub mod role;
pub mod similarity;
pub mod state;
pub mod transition;
pub mod values;

pub use advisory::{
    Advisory, Affected, AffectedRange, Credit, CreditKind, PublicTimeline, Publication, Reference,
    ReferenceKind,
};
pub use case::{Case, EmbargoDates, Fork};
pub use checklist::{Checklist, Owner, SignOff, Step};
pub use command::{Command, CommandKind};
pub use cve_state::CveState;
pub use error::{DomainError, ValueError};
pub use event::{Event, Notice};
pub use filename::sanitize_filename;
pub use ids::{CaseId, ForkId, JobId, MessageId, UserId};
pub use policy::{Deadlines, Extension, Policy};
pub use private::Private;
pub use report::{
    Author, Channel, CreditPreference, Message, RawReport, ReportContent, Visibility,
};
pub use role::{Actor, CaseRole, InstallationRoles, RolesOnCase};
pub use similarity::{LIKELY_DUPLICATE, TextProfile, WordRarity, named_identifiers};
pub use state::{CaseState, RejectReason, Resolution};
pub use transition::{Transition, transition};
pub use values::{
    CveId, CweId, DisplayName, Email, ProjectSlug, RequiredText, TimeZoneName, is_line_breaking,
    one_line,
};
