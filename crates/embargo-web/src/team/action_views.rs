//! The case page's actions as forms: one view per command the state machine allows the
//! viewer now (`App::available_commands`), with its fields, and which one or two of them
//! the page shows open as the likely next step.

use embargo_core::{Command, CommandKind, RejectReason};

pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub required: bool,
    pub options: Vec<(&'static str, &'static str)>,
}

fn field(name: &'static str, label: &'static str, kind: &'static str, required: bool) -> Field {
    Field {
        name,
        label,
        kind,
        value: String::new(),
        required,
        options: Vec::new(),
    }
}

pub struct ActionView {
    pub key: String,
    pub kind: CommandKind,
    /// The kind's one name, which the form posts as `action`.
    pub name: &'static str,
    pub label: String,
    pub button: &'static str,
    pub fields: Vec<Field>,
    pub step: Option<u8>,
    pub fork: Option<String>,
}

fn action(
    kind: CommandKind,
    label: impl Into<String>,
    button: &'static str,
    fields: Vec<Field>,
) -> ActionView {
    ActionView {
        key: kind.name().to_string(),
        kind,
        name: kind.name(),
        label: label.into(),
        button,
        fields,
        step: None,
        fork: None,
    }
}

pub(super) fn view_of(
    command: &Command,
    case: &embargo_core::Case,
    texts: &std::collections::BTreeMap<String, String>,
) -> Option<ActionView> {
    let message = || field("message", "Message to the reporter", "textarea", true);
    // Messages to the reporter start from the installation's templates.
    let message_from = |template: &str| {
        let mut f = message();
        f.value = texts.get(template).cloned().unwrap_or_default();
        f
    };
    Some(match command {
        Command::Acknowledge { .. } => action(
            CommandKind::Acknowledge,
            "Acknowledge receipt",
            "Acknowledge",
            vec![message_from("acknowledged")],
        ),
        Command::StartTriage => action(
            CommandKind::StartTriage,
            "Start triage",
            "Start triage",
            vec![],
        ),
        Command::RequestInfo { .. } => action(
            CommandKind::RequestInfo,
            "Ask the reporter for more information",
            "Ask",
            vec![message_from("information_requested")],
        ),
        Command::Accept => action(
            CommandKind::Accept,
            "Accept as a vulnerability",
            "Accept",
            vec![],
        ),
        Command::Reject {
            reason: RejectReason::Duplicate { .. },
            ..
        } => action(
            CommandKind::Duplicate,
            "Close as a duplicate of another case",
            "Close as duplicate",
            vec![
                field(
                    "duplicate_of",
                    "The other case (its reference, e.g. EMB-2026-0042)",
                    "text",
                    true,
                ),
                message(),
            ],
        ),
        Command::Reject { .. } => {
            let mut reason = field("reason", "Why", "select", true);
            reason.options = vec![
                ("not_a_vulnerability", "Not a vulnerability"),
                ("out_of_scope", "Out of scope: report upstream"),
                ("cannot_reproduce", "Cannot reproduce"),
            ];
            action(
                CommandKind::Reject,
                "Reject",
                "Reject and tell the reporter",
                vec![reason, message_from("rejected")],
            )
        }
        Command::MarkSpam => action(
            CommandKind::MarkSpam,
            "Close quietly as spam (nothing is sent)",
            "Spam",
            vec![],
        ),
        Command::Withdraw { .. } => action(
            CommandKind::Withdraw,
            "Withdraw (at the reporter's request)",
            "Withdraw",
            vec![field("reason", "Reason", "text", true)],
        ),
        Command::AddDeveloper { .. } => action(
            CommandKind::AddDeveloper,
            "Add a Developer (a member, or an outside collaborator by e-mail)",
            "Add",
            vec![
                field("email", "E-mail address", "email", true),
                field("name", "Name (for a new collaborator)", "text", false),
            ],
        ),
        Command::StartFixing => action(
            CommandKind::StartFixing,
            "Start fixing",
            "Start fixing",
            vec![],
        ),
        Command::RecordFork { .. } => action(
            CommandKind::RecordFork,
            "Record a private security fork",
            "Record",
            vec![field(
                "fork_name",
                "Fork (owner/name or link)",
                "text",
                true,
            )],
        ),
        Command::SetDates { .. } => {
            let mut zone = field("zone", "Time zone (IANA, e.g. Europe/Paris)", "text", true);
            zone.value = case
                .dates
                .as_ref()
                .map(|d| d.zone.to_string())
                .unwrap_or_else(|| "UTC".into());
            action(
                CommandKind::SetDates,
                "Set release and announcement dates",
                "Set dates",
                vec![
                    field("release_on", "Release on", "date", true),
                    field("announce_at", "Announce at", "datetime-local", true),
                    zone,
                ],
            )
        }
        Command::ExtendDisclosure { .. } => action(
            CommandKind::ExtendDisclosure,
            "Extend the disclosure deadline (with a reason)",
            "Extend",
            vec![
                field("until", "New deadline (UTC date)", "date", true),
                field("reason", "Reason", "text", true),
            ],
        ),
        Command::Publish => action(
            CommandKind::Publish,
            "Publish the advisory",
            "Publish",
            vec![],
        ),
        Command::Close => action(CommandKind::Close, "Close the case", "Close", vec![]),
        Command::Reopen { .. } => action(
            CommandKind::Reopen,
            "Reopen",
            "Reopen",
            vec![field("reason", "Reason", "text", true)],
        ),
        Command::SignOffFork { fork, .. } => {
            let name = case
                .fork(*fork)
                .map(|f| f.name.reveal().clone())
                .unwrap_or_default();
            let mut a = action(
                CommandKind::SignOffFork,
                format!("Sign off the manual test of {name}"),
                "Sign off",
                vec![field("note", "Note", "text", false)],
            );
            a.key = format!("sign_off_fork-{fork}");
            a.fork = Some(fork.to_string());
            a
        }
        Command::CompleteStep { step, .. } => {
            let mut a = action(
                CommandKind::CompleteStep,
                format!("Step {}: {}", step.number(), step.title()),
                "Done",
                vec![field("note", "Note or link", "text", false)],
            );
            a.key = format!("complete_step-{}", step.number());
            a.step = Some(step.number());
            a
        }
        Command::ReporterReplied
        | Command::RemoveDeveloper { .. }
        | Command::AssignCoordinator { .. }
        | Command::DiscloseAtDeadline
        | Command::PublishAsScheduled => return None,
    })
}

/// The actions most likely taken next, in the policy's order: the first of these the
/// viewer may take is shown open, with the next one.
const LIKELY_NEXT: &[CommandKind] = &[
    CommandKind::Acknowledge,
    CommandKind::StartTriage,
    CommandKind::Accept,
    CommandKind::AssignCoordinator,
    CommandKind::AddDeveloper,
    CommandKind::StartFixing,
    CommandKind::RecordFork,
    CommandKind::SignOffFork,
    CommandKind::CompleteStep,
    CommandKind::SetDates,
    CommandKind::Publish,
    CommandKind::ReporterReplied,
    CommandKind::Reopen,
];

/// Splits the available actions into the likely next ones (at most two) and the rest.
pub(super) fn split_actions(actions: Vec<ActionView>) -> (Vec<ActionView>, Vec<ActionView>) {
    let rank = |a: &ActionView| {
        LIKELY_NEXT
            .iter()
            .position(|k| *k == a.kind)
            .unwrap_or(usize::MAX)
    };
    let mut ranked: Vec<(usize, usize)> = actions
        .iter()
        .enumerate()
        .map(|(i, a)| (rank(a), i))
        .filter(|(r, _)| *r != usize::MAX)
        .collect();
    ranked.sort();
    let chosen: Vec<usize> = ranked.into_iter().take(2).map(|(_, i)| i).collect();
    let mut primary = Vec::new();
    let mut more = Vec::new();
    for (i, a) in actions.into_iter().enumerate() {
        if chosen.contains(&i) {
            primary.push(a);
        } else {
            more.push(a);
        }
    }
    (primary, more)
}
