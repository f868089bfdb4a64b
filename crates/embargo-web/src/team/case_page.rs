//! `GET /cases/{id}`: everything about a case for its team, with exactly the actions the
//! viewer's role allows now (the state machine decides, see `App::available_commands`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use embargo_app::{AppError, TeamCaseView};
use embargo_core::{Author, CaseId, Command, Owner, RejectReason, Step, Visibility};

use super::action_views::ActionView;
use super::action_views::{split_actions, view_of};

use super::{Moment, TeamSession};
use crate::WebState;
use crate::page_error::{CasePath, PageError};
use crate::render::page;

pub struct MessageRow {
    pub author: String,
    pub at: Moment,
    pub body_html: String,
    pub internal: bool,
    pub files: Vec<(String, String)>,
}

/// One entry of the case's timeline: a message, or an event of the audit trail.
pub struct TimelineItem {
    sort: jiff::Timestamp,
    pub message: Option<MessageRow>,
    /// For an event: (when, who, what).
    pub event: Option<(Moment, String, String)>,
}

/// Items of the conversation on one page.
const TIMELINE_PAGE: usize = 50;

/// `?older=N`: the page of the conversation before its N newest items.
#[derive(Debug, Default, serde::Deserialize)]
pub struct TimelinePage {
    #[serde(default)]
    older: Option<usize>,
}

pub struct DraftRow {
    pub kind: &'static str,
    pub label: &'static str,
    pub body: String,
    pub updated: String,
}

pub struct StepRow {
    pub number: u8,
    pub title: &'static str,
    pub owner: &'static str,
    pub by: String,
    pub done: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    org: String,
    me: String,
    csrf: String,
    id: String,
    version: u64,
    reference: String,
    title: String,
    state: String,
    project: String,
    my_role: &'static str,
    /// (what, when as HTML, late).
    deadlines: Vec<(&'static str, String, bool)>,
    /// The one or two actions the viewer most likely takes next, shown open.
    primary: Vec<ActionView>,
    /// The other actions, each folded until opened.
    more: Vec<ActionView>,
    /// Messages and the case's events, oldest first: one page of them.
    timeline: Vec<TimelineItem>,
    /// The link to the page of earlier items, when there are some.
    earlier: Option<String>,
    /// The link back to the latest items, when this page is an earlier one.
    latest: Option<String>,
    /// Checklist steps done, of 18.
    steps_done: usize,
    /// The next open steps: (number, title, owner).
    next_steps: Vec<(u8, &'static str, &'static str)>,
    report: embargo_core::ReportContent,
    description_html: String,
    reproduction_html: String,
    impact_html: String,
    reporter: String,
    received: Moment,
    channel: &'static str,
    credit: String,
    report_files: Vec<(String, String)>,
    people: Vec<(String, &'static str)>,
    forks: Vec<(String, String)>,
    checklist: Vec<StepRow>,
    drafts: Vec<DraftRow>,
    can_draft: bool,
    /// The advisory exists from acceptance on.
    has_advisory: bool,
    /// Teams the Coordinator may add to the Developers now: (id, name).
    teams: Vec<(String, String)>,
    /// The case's CVE id from the pool and its record at CVE Services.
    cve: Option<super::cve::CveRow>,
    /// The drafts on GitHub, with `[github]`.
    github: Option<super::github::GitHubView>,
    /// Likely duplicates and the reporter's record, at triage.
    hints: super::hints::HintsView,
}

fn owner(o: Owner) -> &'static str {
    match o {
        Owner::Coordinator => "Coordinator",
        Owner::Developer => "Developer",
        Owner::CoordinatorOrDeveloper => "Coordinator or Developer",
        Owner::DeveloperAndCoordinator => "Developer and Coordinator",
    }
}

fn build(
    state: &WebState,
    session: &TeamSession,
    v: TeamCaseView,
    commands: Vec<Command>,
    texts: std::collections::BTreeMap<String, String>,
    skip_newest: usize,
) -> CasePage {
    let now = (state.clock)();
    // Times in the viewer's zone, with UTC on hover.
    let when = |t: jiff::Timestamp| session.when(t);
    let case = &v.case;
    let name =
        |id: &embargo_core::UserId| v.names.get(id).cloned().unwrap_or_else(|| "someone".into());
    let files_of = |m: Option<embargo_core::MessageId>| -> Vec<(String, String)> {
        v.attachments
            .iter()
            .filter(|a| a.message_id == m)
            .map(|a| (a.id.to_string(), a.filename.clone()))
            .collect()
    };
    let report = v.report.content.reveal().clone();
    let reporter_label = match &report.reporter_email {
        Some(e) if !report.reporter_name.is_empty() => format!("{} <{e}>", report.reporter_name),
        Some(e) => e.to_string(),
        None if !report.reporter_name.is_empty() => report.reporter_name.clone(),
        None => "anonymous reporter".into(),
    };
    let mut deadlines = vec![match case.acknowledged_at {
        Some(t) => ("Acknowledged", when(t).html(), false),
        None => (
            "Acknowledge by",
            format!(
                "{} ({})",
                when(case.deadlines.acknowledge_by).html(),
                super::dashboard::countdown(case.deadlines.acknowledge_by, now)
            ),
            case.acknowledgement_overdue(now),
        ),
    }];
    if case.state.is_open() {
        deadlines.push((
            "Disclose by",
            format!(
                "{} ({})",
                when(case.deadlines.disclose_by).html(),
                super::dashboard::countdown(case.deadlines.disclose_by, now)
            ),
            now > case.deadlines.disclose_by,
        ));
    }
    if let Some(d) = &case.dates {
        deadlines.push((
            "Release on",
            format!("{} ({})", d.release_on, d.zone),
            false,
        ));
        deadlines.push((
            "Announce at",
            format!("{} {}", d.announce_at.strftime("%Y-%m-%d %H:%M"), d.zone),
            false,
        ));
    }
    let actions: Vec<ActionView> = commands
        .iter()
        .filter_map(|c| view_of(c, case, &texts))
        .collect();
    let (primary, more) = split_actions(actions);
    // One conversation: the messages and the case's events, in time order. Posting a
    // message is an event too; the message itself stands for it.
    let mut timeline: Vec<TimelineItem> = v
        .messages
        .iter()
        .map(|m| TimelineItem {
            sort: m.created_at,
            message: Some(MessageRow {
                author: match m.author {
                    Author::Reporter => "Reporter".into(),
                    Author::User(u) => name(&u),
                    Author::System => "embargo".into(),
                },
                at: when(m.created_at),
                body_html: crate::markdown::render(m.body.reveal()),
                internal: m.visibility == Visibility::Internal,
                files: files_of(Some(m.id)),
            }),
            event: None,
        })
        .collect();
    timeline.extend(
        v.audit
            .iter()
            .filter(|e| e.action != "post_message")
            .map(|e| TimelineItem {
                sort: e.at,
                message: None,
                event: Some((
                    when(e.at),
                    audit_actor(&e.actor, &v),
                    e.action.replace('_', " "),
                )),
            }),
    );
    timeline.sort_by_key(|t| t.sort);
    // One page: the newest items, or earlier ones (`?older=N` skips the N newest).
    let end = timeline.len().saturating_sub(skip_newest);
    let start = end.saturating_sub(TIMELINE_PAGE);
    let earlier = (start > 0).then(|| {
        format!(
            "/cases/{}?older={}#timeline",
            case.id,
            skip_newest + TIMELINE_PAGE
        )
    });
    let latest = (skip_newest > 0).then(|| format!("/cases/{}#timeline", case.id));
    timeline.truncate(end);
    timeline.drain(..start);
    let steps_done = Step::all().filter(|s| case.checklist.is_done(*s)).count();
    let next_steps = Step::all()
        .filter(|s| !case.checklist.is_done(*s))
        .take(3)
        .map(|s| (s.number(), s.title(), owner(s.owner())))
        .collect();
    let mut people = Vec::new();
    if let Some(c) = case.coordinator {
        people.push((name(&c), "Coordinator"));
    }
    people.extend(case.developers.iter().map(|d| (name(d), "Developer")));
    CasePage {
        org: state.site.organization.clone(),
        me: session.name.clone(),
        csrf: session.csrf.clone(),
        id: case.id.to_string(),
        version: case.version,
        reference: v.reference.clone(),
        title: report.title.clone(),
        state: case.state.to_string(),
        project: case.project.to_string(),
        my_role: if v.roles.coordinator {
            "its Coordinator"
        } else {
            "a Developer"
        },
        deadlines,
        primary,
        more,
        timeline,
        earlier,
        latest,
        steps_done,
        next_steps,
        reporter: reporter_label,
        received: when(case.received_at),
        channel: v.report.channel.name(),
        credit: match report.credit.kind() {
            "anonymous" => "anonymous".into(),
            kind => format!("{kind}: {}", report.credit.value()),
        },
        report_files: files_of(None),
        description_html: crate::markdown::render(&report.description),
        reproduction_html: crate::markdown::render(&report.reproduction),
        impact_html: crate::markdown::render(&report.impact),
        report,
        people,
        forks: case
            .forks
            .iter()
            .map(|f| {
                let tested = f.tested.as_ref().map_or("not tested yet".to_string(), |t| {
                    format!(
                        "tested by {} on {}",
                        t.by.as_ref().map(&name).unwrap_or_default(),
                        when(t.at)
                    )
                });
                (f.name.reveal().clone(), tested)
            })
            .collect(),
        checklist: Step::all()
            .map(|s| StepRow {
                number: s.number(),
                title: s.title(),
                owner: owner(s.owner()),
                by: case
                    .checklist
                    .signoffs(s)
                    .iter()
                    .map(|o| {
                        format!(
                            "{} {}",
                            o.by.as_ref().map(&name).unwrap_or_else(|| "embargo".into()),
                            when(o.at)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                done: case.checklist.is_done(s),
            })
            .collect(),
        can_draft: case.state.is_in_remediation(),
        teams: Vec::new(),
        cve: None,
        github: None,
        hints: super::hints::HintsView::of(Default::default(), false, String::new()),
        has_advisory: !case.state.is_before_acceptance()
            && !matches!(case.state, embargo_core::CaseState::Closed { .. } if case.published_at.is_none()),
        drafts: [
            ("blog_post", "Blog post"),
            ("announcement", "Announcement (chat, social, mailing list)"),
        ]
        .into_iter()
        .map(|(kind, label)| {
            let d = v.drafts.iter().find(|d| d.kind == kind);
            DraftRow {
                kind,
                label,
                body: d.map(|d| d.body.reveal().clone()).unwrap_or_default(),
                updated: d
                    .map(|d| {
                        format!(
                            "last saved by {} on {}",
                            name(&d.updated_by),
                            when(d.updated_at)
                        )
                    })
                    .unwrap_or_default(),
            }
        })
        .collect(),
    }
}

fn audit_actor(actor: &str, v: &TeamCaseView) -> String {
    actor
        .strip_prefix("user:")
        .and_then(|id| id.parse().ok())
        .and_then(|id| v.names.get(&id).cloned())
        .unwrap_or_else(|| actor.to_string())
}

pub async fn show(
    State(state): State<WebState>,
    session: TeamSession,
    Path(id): Path<String>,
    page_query: Result<
        axum::extract::Query<TimelinePage>,
        axum::extract::rejection::QueryRejection,
    >,
) -> Result<Response, PageError> {
    let org = state.site.organization.clone();
    // A malformed `older` shows the latest items, as without it.
    let skip_newest = page_query.ok().and_then(|q| q.0.older).unwrap_or(0);
    let Ok(case_id) = id.parse::<CaseId>() else {
        // A reference typed or linked by hand (`/cases/EMB-2026-0042`): to the case's page.
        if embargo_app::looks_like_case_reference(&id) {
            let found = state.app.case_by_reference(session.principal, &id).await?;
            return Ok(axum::response::IntoResponse::into_response(
                axum::response::Redirect::to(&format!("/cases/{found}")),
            ));
        }
        return Err(AppError::NotFound.into());
    };
    // The newest items of each stream that the page can show, and one more to know
    // whether there are earlier ones.
    let newest = skip_newest.saturating_add(TIMELINE_PAGE + 1);
    let view = state
        .app
        .team_view_recent(session.principal, case_id, newest)
        .await?;
    let commands = state
        .app
        .available_commands(session.principal, case_id, (state.clock)())
        .await?;
    let texts: std::collections::BTreeMap<String, String> = state
        .app
        .templates()
        .await?
        .into_iter()
        .map(|(k, v)| {
            let filled = v
                .replace("{reference}", &case_id.receipt())
                .replace("{organization}", &org);
            (k, filled)
        })
        .collect();
    let can_add = commands
        .iter()
        .any(|c| matches!(c, Command::AddDeveloper { .. }));
    let teams = if can_add {
        let teams = state.app.teams().await?;
        teams.into_iter().map(|t| (t.id, t.name)).collect()
    } else {
        Vec::new()
    };
    let case_state = view.case.state;
    let cve = super::cve::cve_row(&state, &session, case_id, case_state).await?;
    let github = super::github::github_view(&state, &session, case_id).await?;
    let hints = state
        .app
        .duplicate_hints(session.principal, case_id, (state.clock)())
        .await?;
    let can_close = commands.iter().any(|c| {
        matches!(
            c,
            Command::Reject {
                reason: RejectReason::Duplicate { .. },
                ..
            }
        )
    });
    let message = texts.get("duplicate").cloned().unwrap_or_default();
    let mut page_data = build(&state, &session, view, commands, texts, skip_newest);
    page_data.teams = teams;
    page_data.cve = cve;
    page_data.github = github;
    page_data.hints = super::hints::HintsView::of(hints, can_close, message);
    Ok(page(StatusCode::OK, &page_data))
}

/// `POST /cases/{id}/team`: the Coordinator adds a team's members to the Developers.
pub async fn add_team(
    State(state): State<WebState>,
    session: TeamSession,
    CasePath(case_id): CasePath,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    let posted = match super::csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let outcome = state
        .app
        .add_team_to_case(
            session.principal,
            case_id,
            &posted.text("team"),
            (state.clock)(),
        )
        .await?;
    let mut text = if outcome.added.is_empty() {
        "Nobody new was added.".to_string()
    } else {
        format!("Added as Developers: {}.", outcome.added.join(", "))
    };
    for (name, why) in &outcome.skipped {
        text.push_str(&format!(" {name} was left out: {why}."));
    }
    Ok(crate::render::notice(
        &state.site.organization,
        StatusCode::OK,
        "Team added",
        &text,
        Some((&format!("/cases/{case_id}"), "Back to the case")),
    ))
}

pub async fn attachment(
    State(state): State<WebState>,
    session: TeamSession,
    CasePath(case_id): CasePath,
    Path((_, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let file = file.parse::<uuid::Uuid>().map_err(|_| AppError::NotFound)?;
    let (info, data) = state
        .app
        .attachment(session.principal, case_id, file)
        .await?;
    Ok(crate::portal::download(
        &info.filename,
        data.into_revealed(),
    ))
}
