//! Which commands an actor may give on a case now: what pages and the API offer. The state
//! machine decides: each kind of command (and each fork and step) is tried on the case
//! with stand-in data, and kept when `transition` accepts it. The stand-ins carry no
//! meaning; the page asks the person for the real values.

use jiff::{SignedDuration, Timestamp};

use super::transition;
use crate::case::{Case, EmbargoDates};
use crate::checklist::Step;
use crate::command::Command;
use crate::ids::{CaseId, ForkId, UserId};
use crate::private::Private;
use crate::role::Actor;
use crate::state::RejectReason;
use crate::values::{RequiredText, TimeZoneName};

/// Stand-in ids, from all-zero random bits: no real case, person or fork is given one.
const NOBODY: [u8; 16] = [0; 16];

fn stand_ins(case: &Case, now: Timestamp) -> Vec<Command> {
    let text = || RequiredText::parse("offered").ok();
    let Some(some_text) = text() else {
        return Vec::new();
    };
    let message = || Private::new(some_text.clone());
    let zone = TimeZoneName::utc();
    let soon = (now + SignedDuration::from_hours(1))
        .to_zoned_datetime(zone.zone())
        .datetime();
    let mut commands = vec![
        Command::Acknowledge { message: message() },
        Command::StartTriage,
        Command::RequestInfo { message: message() },
        Command::Accept,
        Command::Reject {
            reason: RejectReason::NotAVulnerability,
            message: message(),
        },
        Command::Reject {
            reason: RejectReason::Duplicate {
                of: CaseId::from_random_bytes(NOBODY),
            },
            message: message(),
        },
        Command::MarkSpam,
        Command::Withdraw { reason: message() },
        Command::AddDeveloper {
            user: UserId::from_random_bytes(NOBODY),
        },
        Command::StartFixing,
        Command::RecordFork {
            id: ForkId::from_random_bytes(NOBODY),
            name: Private::new("offered".into()),
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
            reason: some_text.clone(),
        },
        Command::Publish,
        Command::Close,
        Command::Reopen { reason: some_text },
    ];
    commands.extend(case.forks.iter().map(|f| Command::SignOffFork {
        fork: f.id,
        note: None,
    }));
    commands.extend(Step::all().map(|step| Command::CompleteStep { step, note: None }));
    commands
}

/// The commands `actor` may give on `case` at `now`, one per kind (and per fork and step).
pub fn offered(case: &Case, actor: &Actor, now: Timestamp) -> Vec<Command> {
    stand_ins(case, now)
        .into_iter()
        .filter(|c| transition(case, c, actor, now).is_ok())
        .collect()
}
