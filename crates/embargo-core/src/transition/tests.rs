//! Scenario tests of the state machine, then property tests over random command sequences.

use jiff::{SignedDuration, Timestamp};

use crate::case::{Case, EmbargoDates};
use crate::checklist::Step;
use crate::command::Command;
use crate::error::DomainError;
use crate::event::{Event, Notice};
use crate::ids::{CaseId, ForkId, UserId};
use crate::policy::Policy;
use crate::private::Private;
use crate::role::{Actor, InstallationRoles};
use crate::state::{CaseState, RejectReason, Resolution};
use crate::transition::transition;
use crate::values::{ProjectSlug, RequiredText, TimeZoneName};

mod properties;

pub(super) fn user(n: u8) -> UserId {
    UserId::from_random_bytes([n; 16])
}

pub(super) const COORD: u8 = 1;
pub(super) const COORD2: u8 = 2;
pub(super) const DEV: u8 = 3;
pub(super) const REPORTER: u8 = 5;
pub(super) const OUTSIDER: u8 = 6;
pub(super) const ADMIN: u8 = 7;

pub(super) fn actor(n: u8) -> Actor {
    let roles = match n {
        COORD | COORD2 => InstallationRoles::COORDINATOR,
        // The reporter is a core member too: the two-person rule must still stop them.
        REPORTER => InstallationRoles::COORDINATOR,
        ADMIN => InstallationRoles::ADMIN,
        _ => InstallationRoles::MEMBER,
    };
    Actor::User { id: user(n), roles }
}

pub(super) fn t0() -> Timestamp {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

pub(super) fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

pub(super) fn text(s: &str) -> Private<RequiredText> {
    Private::new(RequiredText::parse(s).unwrap())
}

pub(super) fn new_case() -> Case {
    Case::received(
        CaseId::from_random_bytes([42; 16]),
        ProjectSlug::parse("infrastructure").unwrap(),
        t0(),
        Some(user(REPORTER)),
        &Policy::default(),
    )
}

fn dates_at(announce: Timestamp) -> EmbargoDates {
    let zone = TimeZoneName::parse("Europe/Paris").unwrap();
    let local = announce.to_zoned_datetime(zone.zone()).datetime();
    EmbargoDates {
        release_on: local.date(),
        announce_at: local,
        zone,
    }
}

/// Applies a command that must succeed.
fn ok(case: &Case, cmd: Command, who: Actor, now: Timestamp) -> Case {
    match transition(case, &cmd, &who, now) {
        Ok(t) => t.case,
        Err(e) => panic!("{} refused: {e}", cmd.name()),
    }
}

fn err(case: &Case, cmd: Command, who: Actor, now: Timestamp) -> DomainError {
    let before = case.clone();
    let e = transition(case, &cmd, &who, now).expect_err("command should be refused");
    assert_eq!(case, &before);
    e
}

fn in_triage() -> Case {
    let c = new_case();
    let c = ok(
        &c,
        Command::Acknowledge {
            message: text("Thanks, we got it."),
        },
        actor(COORD),
        t0(),
    );
    ok(&c, Command::StartTriage, actor(COORD), t0())
}

fn fixing() -> Case {
    let c = ok(&in_triage(), Command::Accept, actor(COORD), t0());
    let c = ok(
        &c,
        Command::AddDeveloper { user: user(DEV) },
        actor(COORD),
        t0(),
    );
    ok(&c, Command::StartFixing, actor(DEV), t0())
}

#[test]
fn a_case_runs_the_whole_policy() {
    let mut c = fixing();
    let now = t0() + days(1);
    for fork in [1u8, 2] {
        let id = ForkId::from_random_bytes([fork; 16]);
        let name = Private::new(format!("org{fork}/project-ghsa-xxxx"));
        c = ok(&c, Command::RecordFork { id, name }, actor(DEV), now);
    }
    assert!(matches!(
        err(
            &c,
            Command::CompleteStep {
                step: Step::MERGE,
                note: None
            },
            actor(DEV),
            now
        ),
        DomainError::Checklist(_)
    ));
    for fork in [1u8, 2] {
        let fork = ForkId::from_random_bytes([fork; 16]);
        c = ok(
            &c,
            Command::SignOffFork {
                fork,
                note: Some("tested by hand".into()),
            },
            actor(DEV),
            now,
        );
    }
    assert!(
        c.step_done(Step::MANUAL_TEST),
        "the last fork's sign-off completes step 8"
    );
    for step in [Step::REPLICATE, Step::FIX_PR, Step::MERGE, Step::RELEASE] {
        c = ok(
            &c,
            Command::CompleteStep { step, note: None },
            actor(DEV),
            now,
        );
    }
    let announce = t0() + days(30);
    c = ok(
        &c,
        Command::SetDates {
            dates: dates_at(announce),
        },
        actor(COORD),
        now,
    );
    c = ok(
        &c,
        Command::CompleteStep {
            step: Step::DECIDE_DATES,
            note: None,
        },
        actor(DEV),
        now,
    );
    assert_eq!(
        c.state,
        CaseState::Fixing,
        "one signature is not an agreement"
    );
    c = ok(
        &c,
        Command::CompleteStep {
            step: Step::DECIDE_DATES,
            note: None,
        },
        actor(COORD),
        now,
    );
    assert_eq!(c.state, CaseState::Scheduled);

    let early = err(&c, Command::Publish, actor(COORD), announce - days(1));
    assert!(early.to_string().contains("breaks the embargo"), "{early}");
    // The scheduler keeps the time: only the system uses it, and not early either.
    assert!(matches!(
        err(&c, Command::PublishAsScheduled, actor(COORD), announce),
        DomainError::Forbidden(_)
    ));
    let early = err(
        &c,
        Command::PublishAsScheduled,
        Actor::System,
        announce - days(1),
    );
    assert!(early.to_string().contains("breaks the embargo"), "{early}");
    let scheduled = ok(&c, Command::PublishAsScheduled, Actor::System, announce);
    assert_eq!(scheduled.state, CaseState::Published);
    c = ok(&c, Command::Publish, actor(COORD), announce);
    assert_eq!(c.state, CaseState::Published);
    assert_eq!(c.fix_available, Some(true));

    assert!(
        err(&c, Command::Close, actor(COORD), announce)
            .to_string()
            .contains("step 18 needs step 17")
    );
    c = ok(
        &c,
        Command::CompleteStep {
            step: Step::NOTIFY_REPORTER,
            note: None,
        },
        actor(COORD),
        announce,
    );
    c = ok(&c, Command::Close, actor(COORD), announce);
    assert_eq!(
        c.state,
        CaseState::Closed {
            resolution: Resolution::Published
        }
    );
    assert!(
        err(
            &c,
            Command::Reopen {
                reason: RequiredText::parse("oops").unwrap()
            },
            actor(COORD),
            announce
        )
        .to_string()
        .contains("revised advisory")
    );
}

#[test]
fn the_reporter_cannot_coordinate_their_own_report() {
    let c = new_case();
    let e = err(
        &c,
        Command::Acknowledge {
            message: text("hi"),
        },
        actor(REPORTER),
        t0(),
    );
    assert!(matches!(e, DomainError::Forbidden(_)));
    assert!(
        e.to_string()
            .contains("neither its Reporter nor one of its Developers"),
        "{e}"
    );
    let e = err(
        &in_triage(),
        Command::AssignCoordinator {
            user: user(REPORTER),
        },
        actor(COORD),
        t0(),
    );
    assert!(matches!(e, DomainError::TwoPersonRule(_)), "{e}");
}

#[test]
fn a_developer_cannot_accept_schedule_or_publish() {
    let c = ok(
        &in_triage(),
        Command::AddDeveloper { user: user(COORD2) },
        actor(COORD),
        t0(),
    );
    // COORD2 is a core member, but a Developer of this case: not its Coordinator.
    assert!(matches!(
        err(&c, Command::Accept, actor(COORD2), t0()),
        DomainError::Forbidden(_)
    ));
    let c = ok(&c, Command::Accept, actor(COORD), t0());
    let e = err(
        &c,
        Command::AddDeveloper { user: user(COORD) },
        actor(COORD),
        t0(),
    );
    assert!(matches!(e, DomainError::TwoPersonRule(_)));
    let e = err(
        &c,
        Command::AssignCoordinator { user: user(COORD2) },
        actor(COORD),
        t0(),
    );
    assert!(matches!(e, DomainError::TwoPersonRule(_)));
}

#[test]
fn outsiders_and_admins_have_no_role() {
    let c = in_triage();
    for who in [actor(OUTSIDER), actor(ADMIN), actor(DEV)] {
        assert!(matches!(
            err(&c, Command::Accept, who, t0()),
            DomainError::Forbidden(_)
        ));
    }
    assert!(matches!(
        err(&c, Command::Accept, Actor::System, t0()),
        DomainError::Forbidden(_)
    ));
}

#[test]
fn rejection_always_tells_the_reporter() {
    let c = in_triage();
    let t = transition(
        &c,
        &Command::Reject {
            reason: RejectReason::OutOfScope,
            message: text("Please report upstream."),
        },
        &actor(COORD),
        t0(),
    )
    .unwrap();
    assert_eq!(
        t.case.state,
        CaseState::Closed {
            resolution: Resolution::Rejected {
                reason: RejectReason::OutOfScope
            }
        }
    );
    assert!(t.events.iter().any(|e| matches!(
        e,
        Event::ReporterNotified {
            notice: Notice::Rejected,
            ..
        }
    )));
    // After acceptance only "duplicate" closes it.
    let accepted = ok(&c, Command::Accept, actor(COORD), t0());
    let e = err(
        &accepted,
        Command::Reject {
            reason: RejectReason::NotAVulnerability,
            message: text("no"),
        },
        actor(COORD),
        t0(),
    );
    assert!(matches!(e, DomainError::IllegalTransition { .. }));
    let other = CaseId::from_random_bytes([9; 16]);
    ok(
        &accepted,
        Command::Reject {
            reason: RejectReason::Duplicate { of: other },
            message: text("dup"),
        },
        actor(COORD),
        t0(),
    );
}

#[test]
fn spam_closes_quietly_and_reopen_returns_to_triage() {
    let t = transition(&new_case(), &Command::MarkSpam, &actor(COORD), t0()).unwrap();
    assert!(
        !t.events
            .iter()
            .any(|e| matches!(e, Event::ReporterNotified { .. }))
    );
    // Never acknowledged: reopening starts over, so the reporter still gets step 1.
    let c = ok(
        &t.case,
        Command::Reopen {
            reason: RequiredText::parse("not spam").unwrap(),
        },
        actor(COORD),
        t0(),
    );
    assert_eq!(c.state, CaseState::Received);
    let rejected = ok(
        &in_triage(),
        Command::Reject {
            reason: RejectReason::CannotReproduce,
            message: text("no"),
        },
        actor(COORD),
        t0(),
    );
    let c = ok(
        &rejected,
        Command::Reopen {
            reason: RequiredText::parse("reproduced").unwrap(),
        },
        actor(COORD),
        t0(),
    );
    assert_eq!(c.state, CaseState::Triage);
}

#[test]
fn info_requests_wait_for_the_reporter() {
    let c = ok(
        &in_triage(),
        Command::RequestInfo {
            message: text("Which version?"),
        },
        actor(COORD),
        t0(),
    );
    assert_eq!(c.state, CaseState::AwaitingReporter);
    assert!(matches!(
        err(&c, Command::Accept, actor(COORD), t0()),
        DomainError::IllegalTransition { .. }
    ));
    let c = ok(&c, Command::ReporterReplied, Actor::Reporter, t0());
    assert_eq!(c.state, CaseState::Triage);
}

#[test]
fn the_deadline_publishes_unfixed_cases_unless_extended() {
    let c = fixing();
    let due = c.deadlines.disclose_by;
    assert_eq!(due, t0() + days(90));
    assert!(matches!(
        err(
            &c,
            Command::DiscloseAtDeadline,
            Actor::System,
            due - days(1)
        ),
        DomainError::Deadline(_)
    ));
    assert!(matches!(
        err(&c, Command::DiscloseAtDeadline, actor(COORD), due),
        DomainError::Forbidden(_)
    ));
    let published = ok(&c, Command::DiscloseAtDeadline, Actor::System, due);
    assert_eq!(published.state, CaseState::Published);
    assert_eq!(published.fix_available, Some(false));

    let reason = RequiredText::parse("upstream needs two more weeks").unwrap();
    let e = err(
        &c,
        Command::ExtendDisclosure {
            until: due - days(1),
            reason: reason.clone(),
        },
        actor(COORD),
        t0(),
    );
    assert!(matches!(e, DomainError::Deadline(_)));
    let extended = ok(
        &c,
        Command::ExtendDisclosure {
            until: due + days(14),
            reason,
        },
        actor(COORD),
        t0(),
    );
    assert_eq!(extended.deadlines.extensions.len(), 1);
    assert!(matches!(
        err(&extended, Command::DiscloseAtDeadline, Actor::System, due),
        DomainError::Deadline(_)
    ));
}

#[test]
fn dates_must_fit_the_deadline_and_changes_need_new_agreement() {
    let c = fixing();
    let late = dates_at(c.deadlines.disclose_by + days(1));
    assert!(
        err(&c, Command::SetDates { dates: late }, actor(DEV), t0())
            .to_string()
            .contains("extension")
    );
    let past = dates_at(t0() - days(1));
    assert!(matches!(
        err(&c, Command::SetDates { dates: past }, actor(DEV), t0()),
        DomainError::Deadline(_)
    ));
    let mut c = ok(
        &c,
        Command::SetDates {
            dates: dates_at(t0() + days(20)),
        },
        actor(DEV),
        t0(),
    );
    c = ok(
        &c,
        Command::CompleteStep {
            step: Step::DECIDE_DATES,
            note: None,
        },
        actor(DEV),
        t0(),
    );
    c = ok(
        &c,
        Command::CompleteStep {
            step: Step::DECIDE_DATES,
            note: None,
        },
        actor(COORD),
        t0(),
    );
    assert_eq!(c.state, CaseState::Scheduled);
    c = ok(
        &c,
        Command::SetDates {
            dates: dates_at(t0() + days(25)),
        },
        actor(DEV),
        t0(),
    );
    assert_eq!(c.state, CaseState::Fixing);
    assert!(!c.step_done(Step::DECIDE_DATES));
}

#[test]
fn automatic_steps_cannot_be_ticked_and_owners_are_enforced() {
    let c = fixing();
    let e = err(
        &c,
        Command::CompleteStep {
            step: Step::PUBLISH_ADVISORY,
            note: None,
        },
        actor(COORD),
        t0(),
    );
    assert!(e.to_string().contains("publish action"), "{e}");
    let e = err(
        &c,
        Command::CompleteStep {
            step: Step::REPLICATE,
            note: None,
        },
        actor(COORD),
        t0(),
    );
    assert!(matches!(e, DomainError::Forbidden(_)));
    let e = err(
        &c,
        Command::CompleteStep {
            step: Step::POST_DATES,
            note: None,
        },
        actor(COORD),
        t0(),
    );
    assert!(e.to_string().contains("step 11 needs step 10"), "{e}");
    ok(
        &c,
        Command::CompleteStep {
            step: Step::REQUEST_CVE,
            note: None,
        },
        actor(DEV),
        t0(),
    );
}

#[test]
fn every_transition_bumps_the_version() {
    let c = new_case();
    let c2 = ok(&c, Command::MarkSpam, actor(COORD), t0());
    assert_eq!(c2.version, c.version + 1);
}

#[test]
fn a_received_case_offers_its_coordinator_the_triage_actions_and_others_nothing() {
    use crate::command::CommandKind;
    let c = new_case();
    let kinds = |n: u8| -> Vec<CommandKind> {
        crate::transition::offered(&c, &actor(n), t0())
            .iter()
            .map(Command::kind)
            .collect()
    };
    let coordinator = kinds(COORD);
    for k in [
        CommandKind::Acknowledge,
        CommandKind::MarkSpam,
        CommandKind::Withdraw,
    ] {
        assert!(coordinator.contains(&k), "{k} missing from {coordinator:?}");
    }
    assert!(
        !coordinator.contains(&CommandKind::Accept),
        "triage comes first"
    );
    assert!(!coordinator.contains(&CommandKind::Publish));
    assert_eq!(kinds(OUTSIDER), vec![]);
    // The reporter (a Coordinator of the installation) cannot act as Coordinator of their
    // own report.
    assert!(!kinds(REPORTER).contains(&CommandKind::Acknowledge));
}
