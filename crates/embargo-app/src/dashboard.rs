//! The team's dashboard: the cases a person may see, in the queues of the policy, with
//! their deadlines, the most urgent first; searched, filtered and paged in the store.

use embargo_core::{CaseState, ProjectSlug, Resolution, ValueError};
use embargo_store::{CaseCursor, CaseQuery, CaseSummary, StateFilter};
use jiff::{SignedDuration, Timestamp};

use crate::App;
use crate::error::AppError;
use crate::principal::Principal;

/// The dashboard's queues, in the order of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    NeedsAcknowledgement,
    InTriage,
    AwaitingReporter,
    Fixing,
    Scheduled,
    PublishedRecently,
}

impl Queue {
    pub const ALL: [Queue; 6] = [
        Queue::NeedsAcknowledgement,
        Queue::InTriage,
        Queue::AwaitingReporter,
        Queue::Fixing,
        Queue::Scheduled,
        Queue::PublishedRecently,
    ];

    /// The name in links and the API (`?queue=triage`).
    pub fn name(self) -> &'static str {
        match self {
            Queue::NeedsAcknowledgement => "acknowledge",
            Queue::InTriage => "triage",
            Queue::AwaitingReporter => "awaiting_reporter",
            Queue::Fixing => "fixing",
            Queue::Scheduled => "scheduled",
            Queue::PublishedRecently => "published",
        }
    }

    pub fn parse(name: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.name() == name)
    }

    pub fn title(self) -> &'static str {
        match self {
            Queue::NeedsAcknowledgement => "Needs acknowledgement",
            Queue::InTriage => "In triage",
            Queue::AwaitingReporter => "Awaiting the reporter",
            Queue::Fixing => "Accepted and fixing",
            Queue::Scheduled => "Scheduled",
            Queue::PublishedRecently => "Published in the last 30 days",
        }
    }

    /// The states of the queue, as the store filters them.
    fn states(self, now: Timestamp) -> StateFilter {
        let names = match self {
            Queue::NeedsAcknowledgement => vec!["received"],
            Queue::InTriage => vec!["acknowledged", "triage"],
            Queue::AwaitingReporter => vec!["awaiting_reporter"],
            Queue::Fixing => vec!["accepted", "fixing"],
            Queue::Scheduled => vec!["scheduled"],
            Queue::PublishedRecently => return StateFilter::PublishedSince(recent_since(now)),
        };
        StateFilter::In(names)
    }

    fn of(state: CaseState, published_at: Option<Timestamp>, now: Timestamp) -> Option<Queue> {
        Some(match state {
            CaseState::Received => Queue::NeedsAcknowledgement,
            CaseState::Acknowledged | CaseState::Triage => Queue::InTriage,
            CaseState::AwaitingReporter => Queue::AwaitingReporter,
            CaseState::Accepted | CaseState::Fixing => Queue::Fixing,
            CaseState::Scheduled => Queue::Scheduled,
            CaseState::Published
            | CaseState::Closed {
                resolution: Resolution::Published,
            } if published_at.is_some_and(|p| p >= recent_since(now)) => Queue::PublishedRecently,
            _ => return None,
        })
    }
}

/// "Published recently": in the last 30 days.
fn recent_since(now: Timestamp) -> Timestamp {
    now - SignedDuration::from_hours(24 * 30)
}

/// Which cases the dashboard lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DashboardView {
    /// Every queue: open cases and those published recently.
    #[default]
    Active,
    Queue(Queue),
    /// Published or closed (rejected, spam, withdrawn, published long ago).
    Done,
    All,
}

impl DashboardView {
    pub fn name(self) -> &'static str {
        match self {
            DashboardView::Active => "active",
            DashboardView::Queue(q) => q.name(),
            DashboardView::Done => "done",
            DashboardView::All => "all",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "" | "active" => Some(DashboardView::Active),
            "done" => Some(DashboardView::Done),
            "all" => Some(DashboardView::All),
            other => Queue::parse(other).map(DashboardView::Queue),
        }
    }
}

/// What a person asks the dashboard for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardFilter {
    /// A reference, receipt or id, or words of the title, the reporter, a package or a
    /// CVE id.
    pub text: Option<String>,
    pub project: Option<ProjectSlug>,
    pub view: DashboardView,
    /// Only cases the person coordinates or develops.
    pub mine: bool,
    /// Only cases past their due promise.
    pub overdue: bool,
}

/// One row: the case and the deadline that matters for its queue.
#[derive(Debug, Clone)]
pub struct DashboardRow {
    pub case: CaseSummary,
    /// None for cases in no queue (closed, published long ago).
    pub queue: Option<Queue>,
    /// The next promise the team must keep: acknowledgement before acceptance, the
    /// announcement or the disclosure deadline after.
    pub due: Option<Timestamp>,
    pub overdue: bool,
}

/// One page of the dashboard.
#[derive(Debug, Clone)]
pub struct DashboardPage {
    pub rows: Vec<DashboardRow>,
    /// `?after=` this for the next page.
    pub next: Option<String>,
    /// Cases in each queue for the same search and filters (queue views aside).
    pub counts: Vec<(Queue, i64)>,
    /// Published or closed cases for the same search and filters.
    pub done: i64,
}

/// Pages hold at most this many cases.
pub const DASHBOARD_MAX_PAGE: u32 = 200;

impl App {
    /// The cases `principal` works on, as `filter` asks, one page of `limit` after the
    /// cursor `after`: Coordinators see every case they may coordinate, Developers the
    /// cases they are on; nobody sees, as team, a case they reported.
    pub async fn dashboard(
        &self,
        principal: Principal,
        filter: &DashboardFilter,
        after: Option<&str>,
        limit: u32,
        now: Timestamp,
    ) -> Result<DashboardPage, AppError> {
        let Principal::User(user) = principal else {
            return Err(AppError::NotFound);
        };
        let person = self.store.person(user).await?;
        if person.disabled_at.is_some() {
            return Err(AppError::NotFound);
        }
        if limit == 0 || limit > DASHBOARD_MAX_PAGE {
            return Err(AppError::invalid(ValueError::new(
                "limit",
                format!("must be between 1 and {DASHBOARD_MAX_PAGE}"),
            )));
        }
        let after = after.map(decode_cursor).transpose()?;
        let mut query = CaseQuery {
            viewer: user,
            coordinator: person.roles.coordinator,
            text: filter.text.clone(),
            project: filter.project.clone(),
            states: StateFilter::Any,
            mine: filter.mine,
            overdue_at: filter.overdue.then_some(now),
        };
        let counts = self.store.case_counts(&query, recent_since(now)).await?;
        query.states = match filter.view {
            DashboardView::Active => StateFilter::Active {
                published_since: recent_since(now),
            },
            DashboardView::Queue(q) => q.states(now),
            DashboardView::Done => StateFilter::Done,
            DashboardView::All => StateFilter::Any,
        };
        let (cases, next) = self.store.case_page(&query, after.as_ref(), limit).await?;
        let rows = cases
            .into_iter()
            .map(|c| {
                let queue = Queue::of(c.state, c.published_at, now);
                let due = c.due_at;
                let overdue = due.is_some_and(|d| d < now) && queue != Some(Queue::Scheduled);
                DashboardRow {
                    case: c,
                    queue,
                    due,
                    overdue,
                }
            })
            .collect();
        let mut per_queue: Vec<(Queue, i64)> = Queue::ALL.iter().map(|q| (*q, 0)).collect();
        let mut done = 0;
        for (state, recent, n) in counts {
            let state_queue = Queue::ALL.into_iter().find(|q| match q.states(now) {
                StateFilter::In(names) => names.contains(&state.as_str()),
                _ => false,
            });
            if let Some(q) = state_queue {
                if let Some(slot) = per_queue.iter_mut().find(|(x, _)| *x == q) {
                    slot.1 += n;
                }
            } else {
                done += n;
                if recent
                    && let Some(slot) = per_queue
                        .iter_mut()
                        .find(|(x, _)| *x == Queue::PublishedRecently)
                {
                    slot.1 += n;
                }
            }
        }
        Ok(DashboardPage {
            rows,
            next: next.map(|c| encode_cursor(&c)),
            counts: per_queue,
            done,
        })
    }
}

/// `<due in microseconds>.<id>`, base64url: opaque to clients.
fn encode_cursor(c: &CaseCursor) -> String {
    data_encoding::BASE64URL_NOPAD.encode(format!("{}.{}", c.due, c.id).as_bytes())
}

fn decode_cursor(text: &str) -> Result<CaseCursor, AppError> {
    data_encoding::BASE64URL_NOPAD
        .decode(text.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (due, id) = s.split_once('.')?;
            Some(CaseCursor {
                due: due.parse().ok()?,
                id: id.parse::<embargo_core::CaseId>().ok()?.to_string(),
            })
        })
        .ok_or_else(|| {
            AppError::invalid(ValueError::new(
                "after",
                "is not a cursor this server gave".to_string(),
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let c = CaseCursor {
            due: 1_700_000_000_000_000,
            id: "13f066bd-0000-4000-8000-000000000000".into(),
        };
        assert_eq!(decode_cursor(&encode_cursor(&c)).unwrap(), c);
        assert!(decode_cursor("nonsense!").is_err());
        assert!(decode_cursor(&data_encoding::BASE64URL_NOPAD.encode(b"1.not-an-id")).is_err());
    }

    #[test]
    fn views_have_names() {
        for v in [
            DashboardView::Active,
            DashboardView::Done,
            DashboardView::All,
            DashboardView::Queue(Queue::InTriage),
        ] {
            assert_eq!(DashboardView::parse(v.name()), Some(v));
        }
        assert_eq!(DashboardView::parse("nope"), None);
    }
}
