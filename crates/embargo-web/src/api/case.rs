//! A case as the JSON API shows it to its team: typed, so that the OpenAPI document is
//! generated from the same structs that are serialized.

use std::collections::HashMap;

use embargo_app::TeamCaseView;
use embargo_core::{Author, CaseId, Step, UserId, Visibility};
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::{at, case_state, maybe_at};

/// Everything the case's team sees, with the actions the caller may take now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Case {
    #[schema(value_type = String, format = Uuid)]
    id: CaseId,
    /// The case's reference (`EMB-2026-0042`).
    reference: String,
    /// What the reporter quotes (`#1a2b3c4d`).
    receipt: String,
    /// Send it back with an action to refuse it (409) if the case changed meanwhile.
    version: u64,
    project: String,
    #[schema(schema_with = case_state)]
    state: &'static str,
    /// The state in words, with a closed case's resolution.
    state_text: String,
    #[schema(format = DateTime)]
    received_at: String,
    #[schema(format = DateTime)]
    acknowledge_by: String,
    #[schema(format = DateTime)]
    acknowledged_at: Option<String>,
    /// The disclosure deadline, extensions included.
    #[schema(format = DateTime)]
    disclose_by: String,
    extensions: Vec<DeadlineExtension>,
    dates: Option<Dates>,
    #[schema(format = DateTime)]
    published_at: Option<String>,
    fix_available: Option<bool>,
    coordinator: Option<Person>,
    developers: Vec<Person>,
    report: Report,
    checklist: Vec<ChecklistStep>,
    forks: Vec<Fork>,
    /// The thread's newest messages (at most 100), oldest first.
    messages: Vec<Message>,
    /// There are older messages: `GET /api/v1/cases/{id}/messages?before=` this.
    #[schema(format = Uuid)]
    older_messages: Option<String>,
    attachments: Vec<Attachment>,
    /// The actions (`ActionRequest.action`) the caller may take now.
    available_actions: Vec<&'static str>,
}

/// A person on the case.
#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    #[schema(value_type = String, format = Uuid)]
    id: UserId,
    name: Option<String>,
}

/// The disclosure deadline moved, with why.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineExtension {
    #[schema(format = DateTime)]
    from: String,
    #[schema(format = DateTime)]
    to: String,
    reason: String,
}

/// The release and announcement dates agreed by a Developer and the Coordinator.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dates {
    #[schema(format = Date)]
    release_on: String,
    /// Local date and time, in `zone`.
    #[schema(example = "2026-12-14T15:00:00")]
    announce_at: String,
    /// IANA time zone.
    zone: String,
    /// The announcement as an instant.
    #[schema(format = DateTime)]
    announce_instant: String,
}

/// The report as it was filed: private to the team.
#[derive(Debug, Serialize, ToSchema)]
pub struct Report {
    /// How it arrived: `web`, `api`, `email`, `github`.
    channel: &'static str,
    title: String,
    description: String,
    affected_versions: String,
    reproduction: String,
    impact: String,
    already_public: bool,
    exploited: bool,
    reporter_name: String,
    reporter_email: Option<String>,
    credit: CreditChoice,
}

/// How the reporter wants to be credited.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreditChoice {
    /// `name`, `handle`, `link` or `anonymous`.
    kind: &'static str,
    value: String,
}

/// One of the policy's 18 steps, with its sign-offs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistStep {
    #[schema(minimum = 1, maximum = 18)]
    step: u8,
    title: &'static str,
    done: bool,
    signoffs: Vec<SignOff>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignOff {
    /// Nobody when the system did it (the disclosure deadline).
    #[schema(value_type = Option<String>, format = Uuid)]
    by: Option<UserId>,
    /// `coordinator` or `developer`.
    role: Option<&'static str>,
    #[schema(format = DateTime)]
    at: String,
    note: Option<String>,
}

/// A private fork where the fix is prepared.
#[derive(Debug, Serialize, ToSchema)]
pub struct Fork {
    #[schema(value_type = String, format = Uuid)]
    id: embargo_core::ForkId,
    name: String,
    /// When a Developer signed off that the fix was tested there.
    #[schema(format = DateTime)]
    tested: Option<String>,
}

/// A message of the case's thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    #[schema(value_type = String, format = Uuid)]
    id: embargo_core::MessageId,
    author: MessageAuthor,
    #[schema(value_type = String, example = "reporter")]
    visibility: Visibility,
    /// The notice it was sent as (acknowledgement, rejection...), if any.
    notice: Option<String>,
    body: String,
    #[schema(format = DateTime)]
    at: String,
}

/// `reporter`, `system`, or a person of the team.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum MessageAuthor {
    /// `reporter` or `system`.
    Role(&'static str),
    Person(Person),
}

/// A file sent with the report or a message.
#[derive(Debug, Serialize, ToSchema)]
pub struct Attachment {
    #[schema(value_type = String, format = Uuid)]
    id: uuid::Uuid,
    #[schema(value_type = String, format = Uuid)]
    case_id: CaseId,
    #[schema(value_type = Option<String>, format = Uuid)]
    message_id: Option<embargo_core::MessageId>,
    by_reporter: bool,
    filename: String,
    content_type: String,
    size: i64,
    sha256: String,
    #[schema(format = DateTime)]
    created_at: String,
}

impl Message {
    pub fn of(m: &embargo_core::Message, names: &HashMap<UserId, String>) -> Self {
        Self {
            id: m.id,
            author: match m.author {
                Author::Reporter => MessageAuthor::Role("reporter"),
                Author::System => MessageAuthor::Role("system"),
                Author::User(u) => MessageAuthor::Person(Person::of(&u, names)),
            },
            visibility: m.visibility,
            notice: m.notice.clone(),
            body: m.body.reveal().clone(),
            at: at(m.created_at),
        }
    }
}

impl Person {
    fn of(id: &UserId, names: &HashMap<UserId, String>) -> Self {
        Self {
            id: *id,
            name: names.get(id).cloned(),
        }
    }
}

/// A page of a case's thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    /// Oldest first.
    pub messages: Vec<Message>,
    /// There are older messages: `?before=` this.
    #[schema(format = Uuid)]
    pub older: Option<String>,
}

impl Case {
    /// `v` holds at most `thread + 1` of the newest messages: `thread` are shown, and one
    /// more says that older ones exist.
    pub fn of(v: &TeamCaseView, actions: Vec<&'static str>, thread: usize) -> Self {
        let c = &v.case;
        let report = v.report.content.reveal();
        let person = |id: &UserId| Person::of(id, &v.names);
        let skip = v.messages.len().saturating_sub(thread);
        let shown = &v.messages[skip..];
        let older_messages = (skip > 0)
            .then(|| shown.first().map(|m| m.id.to_string()))
            .flatten();
        Self {
            id: c.id,
            reference: v.reference.clone(),
            receipt: c.id.receipt(),
            version: c.version,
            project: c.project.to_string(),
            state: c.state.name(),
            state_text: c.state.to_string(),
            received_at: at(c.received_at),
            acknowledge_by: at(c.deadlines.acknowledge_by),
            acknowledged_at: maybe_at(c.acknowledged_at),
            disclose_by: at(c.deadlines.disclose_by),
            extensions: c
                .deadlines
                .extensions
                .iter()
                .map(|e| DeadlineExtension {
                    from: at(e.from),
                    to: at(e.to),
                    reason: e.reason.to_string(),
                })
                .collect(),
            dates: c.dates.as_ref().map(|d| Dates {
                release_on: d.release_on.to_string(),
                announce_at: d.announce_at.to_string(),
                zone: d.zone.to_string(),
                announce_instant: at(d.announcement_instant()),
            }),
            published_at: maybe_at(c.published_at),
            fix_available: c.fix_available,
            coordinator: c.coordinator.as_ref().map(person),
            developers: c.developers.iter().map(person).collect(),
            report: Report {
                channel: v.report.channel.name(),
                title: report.title.clone(),
                description: report.description.clone(),
                affected_versions: report.affected_versions.clone(),
                reproduction: report.reproduction.clone(),
                impact: report.impact.clone(),
                already_public: report.already_public,
                exploited: report.exploited,
                reporter_name: report.reporter_name.clone(),
                reporter_email: report.reporter_email.as_ref().map(ToString::to_string),
                credit: CreditChoice {
                    kind: report.credit.kind(),
                    value: report.credit.value().to_string(),
                },
            },
            checklist: Step::all()
                .map(|s| ChecklistStep {
                    step: s.number(),
                    title: s.title(),
                    done: c.checklist.is_done(s),
                    signoffs: c
                        .checklist
                        .signoffs(s)
                        .iter()
                        .map(|o| SignOff {
                            by: o.by,
                            role: o.role.map(|r| r.as_str()),
                            at: at(o.at),
                            note: o.note.clone(),
                        })
                        .collect(),
                })
                .collect(),
            forks: c
                .forks
                .iter()
                .map(|f| Fork {
                    id: f.id,
                    name: f.name.reveal().clone(),
                    tested: f.tested.as_ref().map(|t| at(t.at)),
                })
                .collect(),
            messages: shown.iter().map(|m| Message::of(m, &v.names)).collect(),
            older_messages,
            attachments: v
                .attachments
                .iter()
                .map(|a| Attachment {
                    id: a.id,
                    case_id: a.case_id,
                    message_id: a.message_id,
                    by_reporter: a.by_reporter,
                    filename: a.filename.clone(),
                    content_type: a.content_type.clone(),
                    size: a.size,
                    sha256: a.sha256.clone(),
                    created_at: at(a.created_at),
                })
                .collect(),
            available_actions: actions,
        }
    }
}
