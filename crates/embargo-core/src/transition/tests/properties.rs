//! Property tests: random sequences of commands by random actors at advancing times.

use proptest::prelude::*;

use super::*;

#[derive(Debug, Clone)]
enum Op {
    /// Any command by any actor: mostly refused, which must change nothing.
    Cmd(u8, u8, u8),
    /// A command that fits the case's current state, so walks reach publication.
    Guided(u8, u8, u8),
    Wait(u16),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        3 => (0u8..9, 0u8..22, any::<u8>()).prop_map(|(a, c, p)| Op::Cmd(a, c, p)),
        6 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(a, c, p)| Op::Guided(a, c, p)),
        1 => (1u16..24 * 40).prop_map(Op::Wait),
    ];
    proptest::collection::vec(op, 1..160)
}

fn who(n: u8) -> Actor {
    match n {
        0 => Actor::Reporter,
        8 => Actor::System,
        n => actor(n),
    }
}

fn command(kind: u8, p: u8, now: Timestamp) -> Command {
    let someone = user(1 + p % 7);
    let fork = ForkId::from_random_bytes([p % 3; 16]);
    let msg = text("a message");
    match kind {
        0 => Command::Acknowledge { message: msg },
        1 => Command::StartTriage,
        2 => Command::RequestInfo { message: msg },
        3 => Command::ReporterReplied,
        4 => Command::Accept,
        5 => Command::Reject {
            reason: match p % 4 {
                0 => RejectReason::NotAVulnerability,
                1 => RejectReason::OutOfScope,
                2 => RejectReason::CannotReproduce,
                _ => RejectReason::Duplicate {
                    of: CaseId::from_random_bytes([p; 16]),
                },
            },
            message: msg,
        },
        6 => Command::MarkSpam,
        7 => Command::Withdraw { reason: msg },
        8 => Command::AssignCoordinator { user: someone },
        9 => Command::AddDeveloper { user: someone },
        10 => Command::RemoveDeveloper { user: someone },
        11 => Command::StartFixing,
        12 => Command::RecordFork {
            id: fork,
            name: Private::new("org/fork".into()),
        },
        13 => Command::SignOffFork { fork, note: None },
        14 => Command::CompleteStep {
            step: Step::new(1 + p % 18).unwrap(),
            note: None,
        },
        15 => Command::SetDates {
            dates: dates_at(now + days(i64::from(p % 100) + 1)),
        },
        16 => Command::Publish,
        17 => Command::DiscloseAtDeadline,
        18 => Command::ExtendDisclosure {
            until: now + days(i64::from(p % 60) + 30),
            reason: RequiredText::parse("more time").unwrap(),
        },
        19 => Command::Close,
        20 => Command::Reopen {
            reason: RequiredText::parse("new facts").unwrap(),
        },
        _ => Command::PublishAsScheduled,
    }
}

/// A command kind useful in `state` (indices into `command`), and the actor to try.
fn guided(case: &Case, a: u8, k: u8, p: u8) -> (Actor, u8, u8) {
    let kinds: &[u8] = match case.state {
        CaseState::Received => &[0, 0, 0, 6],
        CaseState::Acknowledged => &[1],
        CaseState::Triage => &[4, 4, 4, 2, 5, 9],
        CaseState::AwaitingReporter => &[3],
        CaseState::Accepted => &[9, 11, 14, 8],
        CaseState::Fixing => &[12, 13, 13, 14, 14, 14, 14, 14, 15, 18, 9, 10],
        CaseState::Scheduled => &[16, 16, 21, 14, 15, 17],
        CaseState::Published => &[14, 14, 19],
        CaseState::Closed { .. } => &[20],
    };
    let kind = kinds[usize::from(k) % kinds.len()];
    // For "complete step", a step that fits the state (command() takes step = 1 + p % 18).
    let steps: &[u8] = match case.state {
        CaseState::Accepted => &[4, 5, 6, 9],
        CaseState::Fixing => &[6, 7, 9, 10, 10, 10, 12, 13, 14],
        CaseState::Scheduled => &[11, 12, 13, 14, 14],
        _ => &[16, 17, 17],
    };
    let p = if kind == 14 {
        steps[usize::from(p) % steps.len()] - 1
    } else {
        p
    };
    let who = match kind {
        3 => Actor::Reporter,
        17 | 21 => Actor::System,
        _ => actor([COORD, COORD2, DEV, 4, REPORTER][usize::from(a ^ p) % 5]),
    };
    (who, kind, p)
}

/// What must be true of every case the machine can produce.
fn check_invariants(c: &Case) {
    if c.state.needs_two_persons() {
        c.check_two_persons().unwrap();
    }
    let done = |s| c.checklist.is_done(s);
    assert!(
        !done(Step::MERGE) || done(Step::MANUAL_TEST),
        "12 without 8"
    );
    assert!(
        !done(Step::CLOSE) || done(Step::NOTIFY_REPORTER),
        "18 without 17"
    );
    assert!(
        !done(Step::POST_DATES) || done(Step::DECIDE_DATES),
        "11 without 10"
    );
    let published = matches!(
        c.state,
        CaseState::Published
            | CaseState::Closed {
                resolution: Resolution::Published
            }
    );
    assert_eq!(done(Step::PUBLISH_ADVISORY), published, "15 iff published");
    assert_eq!(c.published_at.is_some(), published);
    assert!(published || c.fix_available.is_none());
    if c.state == CaseState::Scheduled {
        assert!(done(Step::DECIDE_DATES) && c.dates.is_some());
    }
    if c.state == CaseState::Fixing {
        assert!(!c.developers.is_empty());
    }
    if done(Step::MANUAL_TEST) {
        assert!(c.every_fork_tested());
    }
    if c.state.needs_two_persons() {
        // Nothing is accepted before the reporter was acknowledged (step 1).
        assert!(
            done(Step::ACKNOWLEDGE) && c.acknowledged_at.is_some(),
            "{:?} without acknowledgement",
            c.state
        );
        assert!(done(Step::TRIAGE), "{:?} without triage", c.state);
    }
    let mut last = c.received_at;
    for e in &c.deadlines.extensions {
        assert!(e.to > e.from && e.from >= last);
        last = e.to;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_sequence_reaches_an_illegal_state(ops in ops()) {
        let mut case = new_case();
        let mut now = t0();
        for op in ops {
            match op {
                Op::Wait(hours) => now += SignedDuration::from_hours(i64::from(hours)),
                Op::Cmd(_, _, _) | Op::Guided(_, _, _) => {
                    let (actor, cmd) = match op {
                        Op::Guided(a, k, p) => {
                            let (actor, kind, p) = guided(&case, a, k, p);
                            // Publication waits for the announcement; disclosure for the deadline.
                            if let (16, Some(d)) = (kind, &case.dates) {
                                now = now.max(d.announcement_instant());
                            }
                            if kind == 17 {
                                now = now.max(case.deadlines.disclose_by);
                            }
                            (actor, command(kind, p, now))
                        }
                        Op::Cmd(a, k, p) => (who(a), command(k, p, now)),
                        Op::Wait(_) => continue,
                    };
                    let before = case.clone();
                    match transition(&case, &cmd, &actor, now) {
                        Ok(t) => {
                            prop_assert_eq!(t.case.version, before.version + 1);
                            if let CaseState::Closed { resolution: Resolution::Rejected { .. } } = t.case.state
                                && before.state != t.case.state
                            {
                                prop_assert!(
                                    t.events.iter().any(|e| matches!(e, Event::ReporterNotified { notice: Notice::Rejected, .. })),
                                    "a rejection without a message to the reporter"
                                );
                            }
                            check_invariants(&t.case);
                            case = t.case;
                        }
                        Err(_) => prop_assert_eq!(&case, &before),
                    }
                }
            }
        }
    }

    #[test]
    fn the_happy_path_with_noise_still_publishes(noise in ops()) {
        // Random noise before a valid path never stops a Coordinator from rejecting or
        // publishing a case that is still open: no dead ends.
        let mut case = new_case();
        let mut now = t0();
        for op in noise {
            let attempt = match op {
                Op::Cmd(a, k, p) => Some((who(a), command(k, p, now))),
                Op::Guided(a, k, p) => {
                    let (actor, kind, p) = guided(&case, a, k, p);
                    Some((actor, command(kind, p, now)))
                }
                Op::Wait(_) => None,
            };
            if let Some((actor, cmd)) = attempt && let Ok(t) = transition(&case, &cmd, &actor, now) {
                case = t.case;
            }
            now += SignedDuration::from_hours(1);
        }
        if case.state.is_open() {
            let end = if case.state.is_before_acceptance() {
                Command::Reject { reason: RejectReason::NotAVulnerability, message: text("no") }
            } else {
                now = now.max(case.deadlines.disclose_by);
                Command::DiscloseAtDeadline
            };
            let who = if matches!(end, Command::DiscloseAtDeadline) { Actor::System } else {
                // A core member who is on the case in no other role.
                Actor::User { id: user(9), roles: InstallationRoles::COORDINATOR }
            };
            let t = transition(&case, &end, &who, now);
            prop_assert!(t.is_ok(), "dead end in {:?}: {:?}", case.state, t.err());
        }
    }
}
