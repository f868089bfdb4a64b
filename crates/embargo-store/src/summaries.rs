//! The dashboard's queries: one page of the cases a person may see as team, filtered,
//! searched and sorted by when they fall due, and the count of each state for the same
//! filters. Visibility is the domain's rule (RolesOnCase), written in SQL: a Developer of
//! the case, or a Coordinator who did not report it.

use embargo_core::{CaseId, CaseState, EmbargoDates, ProjectSlug, TimeZoneName, UserId};
use jiff::Timestamp;
use sqlx::Row;

use crate::codec::{escape_like, from_ts, opt_ts, parse, parse_opt, ts};
use crate::error::StoreError;
use crate::{Backend, Store};

#[derive(Debug, Clone)]
pub struct CaseSummary {
    pub id: CaseId,
    /// The human reference (`EMB-2026-0042`).
    pub reference: String,
    pub project: ProjectSlug,
    pub state: CaseState,
    /// The report's title: private, shown to the team only.
    pub title: String,
    pub received_at: Timestamp,
    pub acknowledge_by: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub disclose_by: Timestamp,
    pub published_at: Option<Timestamp>,
    /// When the next promise falls due (`Case::due`); none once public or closed.
    pub due_at: Option<Timestamp>,
    pub dates: Option<EmbargoDates>,
    pub coordinator: Option<UserId>,
    pub reporter_user: Option<UserId>,
    /// The viewer is a Developer of this case.
    pub viewer_is_developer: bool,
}

/// Which states a listing shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateFilter {
    /// Every state.
    Any,
    /// The open states, and cases published since the time (the dashboard's default).
    Active { published_since: Timestamp },
    /// These states (`CaseState::name`).
    In(Vec<&'static str>),
    /// Published since the time (public, whether or not closed since).
    PublishedSince(Timestamp),
    /// Published or closed.
    Done,
}

impl StateFilter {
    /// Whether cases it selects may have a due date: published and closed ones have none,
    /// so a listing of only those need not walk the due-date index.
    fn may_be_due(&self) -> bool {
        match self {
            StateFilter::Any | StateFilter::Active { .. } => true,
            StateFilter::In(names) => names.iter().any(|n| !matches!(*n, "published" | "closed")),
            StateFilter::PublishedSince(_) | StateFilter::Done => false,
        }
    }
}

const OPEN_STATES: &str = "'received', 'acknowledged', 'triage', 'awaiting_reporter', \
    'accepted', 'fixing', 'scheduled'";

/// The states in which a case can be overdue: open, not scheduled (publication happens by
/// itself then). Their cases always have a `due_at`; the others' is NULL or never overdue.
const DUE_STATES: [&str; 6] = [
    "received",
    "acknowledged",
    "triage",
    "awaiting_reporter",
    "accepted",
    "fixing",
];

/// What a listing asks for.
#[derive(Debug, Clone)]
pub struct CaseQuery {
    pub viewer: UserId,
    /// The viewer holds the Coordinator role.
    pub coordinator: bool,
    /// Words: a reference, an id or receipt, or text of the title, the reporter's name or
    /// address, the advisory draft (packages, CVE id) or a pooled CVE id.
    pub text: Option<String>,
    pub project: Option<ProjectSlug>,
    pub states: StateFilter,
    /// Only cases the viewer coordinates or develops.
    pub mine: bool,
    /// Only cases whose promise was broken at this time (announcements excepted).
    pub overdue_at: Option<Timestamp>,
}

/// Where a page starts: after this (due, id), in due order (no due date sorts last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCursor {
    pub due: i64,
    pub id: String,
}

/// "No due date" in the sort key: after every real one.
const NEVER: i64 = i64::MAX;

/// One way a viewer sees cases. A Coordinator sees every case but the ones they reported,
/// and a Developer the cases they develop: counted apart, the first is read from an index
/// alone (`cases_counted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// The domain's rule whole.
    Team,
    /// As a Coordinator: not reported by them.
    Coordinator,
    /// As someone who is no Coordinator: the cases they develop.
    Developer,
    /// Reported by them and developed by them (only the Developer role shows these).
    OwnReportDeveloper,
}

/// Parameters of a query built from its filters, in placeholder order.
enum Param {
    Text(String),
    Int(i64),
    Flag(bool),
}

struct Sql {
    conditions: Vec<String>,
    params: Vec<Param>,
}

impl Sql {
    fn param(&mut self, p: Param) -> String {
        self.params.push(p);
        format!("${}", self.params.len())
    }

    /// The WHERE clause of `q`, without the state filter when `with_states` is false (the
    /// per-state counts group by state instead).
    fn new(q: &CaseQuery, with_states: bool, backend: Backend) -> Self {
        let seen = if q.coordinator {
            Seen::Team
        } else {
            Seen::Developer
        };
        Self::seen_as(q, with_states, seen, backend)
    }

    /// [`Sql::new`] for the cases `q`'s viewer sees in one way (see [`Seen`]).
    fn seen_as(q: &CaseQuery, with_states: bool, seen: Seen, backend: Backend) -> Self {
        let mut sql = Sql {
            conditions: Vec::new(),
            params: Vec::new(),
        };
        let viewer = sql.param(Param::Text(q.viewer.to_string()));
        let developer = format!(
            "EXISTS (SELECT 1 FROM case_members m WHERE m.case_id = c.id AND m.user_id = {viewer} \
               AND m.role = 'developer')"
        );
        // The same as a list the query can start from (a Developer's few cases).
        let developed = format!(
            "c.id IN (SELECT m.case_id FROM case_members m WHERE m.user_id = {viewer} \
               AND m.role = 'developer')"
        );
        let visible = match seen {
            Seen::Team => {
                let coordinator = sql.param(Param::Flag(q.coordinator));
                format!(
                    "({developer} \
                     OR ({coordinator} = 1 AND (c.reporter_user IS NULL OR c.reporter_user <> {viewer})))"
                )
            }
            // Columns of the counting index only: no lookup of each case's row.
            Seen::Coordinator => {
                format!("(c.reporter_user IS NULL OR c.reporter_user <> {viewer})")
            }
            Seen::Developer => format!("({developed})"),
            Seen::OwnReportDeveloper => format!("(c.reporter_user = {viewer} AND {developed})"),
        };
        sql.conditions.push(visible);
        if q.mine {
            sql.conditions
                .push(format!("(c.coordinator = {viewer} OR {developed})"));
        }
        if let Some(project) = &q.project {
            let p = sql.param(Param::Text(project.to_string()));
            sql.conditions.push(format!("c.project = {p}"));
        }
        if let Some(now) = q.overdue_at {
            let p = sql.param(Param::Int(ts(now)));
            sql.conditions
                .push(format!("c.due_at < {p} AND c.state <> 'scheduled'"));
        }
        if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            sql.search(text, backend);
        }
        if with_states {
            sql.states(&q.states);
        }
        sql
    }

    /// Cases whose reference, id or receipt is `text`, whose pooled CVE id is `text`, whose
    /// report has every word of `text` (as a word or the start of one) in its title or its
    /// reporter's name or address, or whose advisory draft contains `text`. One list of
    /// ids, each part read from an index (the drafts, a few per open case, are read whole),
    /// which the query then starts from.
    fn search(&mut self, text: &str, backend: Backend) {
        let exact = self.param(Param::Text(text.to_ascii_uppercase()));
        let receipt = text.trim_start_matches('#').to_ascii_lowercase();
        let mut parts = vec![
            format!("SELECT x.id FROM cases x WHERE x.reference = {exact}"),
            format!("SELECT p.case_id FROM cve_pool p WHERE p.cve_id = {exact}"),
        ];
        // An id or its start: a range of the primary key; a reporter's receipt: an index.
        if receipt.len() >= 4 && receipt.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            let from = self.param(Param::Text(receipt.clone()));
            let to = self.param(Param::Text(format!("{receipt}~")));
            parts.push(format!(
                "SELECT x.id FROM cases x WHERE x.id >= {from} AND x.id < {to}"
            ));
            if receipt.len() == 8 {
                parts.push(match backend {
                    // The receipt is a column of the full-text index (migration 26).
                    Backend::Sqlite => {
                        let q = self.param(Param::Text(format!("receipt : \"{receipt}\"")));
                        format!(
                            "SELECT r3.case_id FROM reports r3 WHERE r3.rowid IN \
                             (SELECT rowid FROM reports_search WHERE reports_search MATCH {q})"
                        )
                    }
                    Backend::Postgres => {
                        format!("SELECT x.id FROM cases x WHERE x.receipt = {from}")
                    }
                });
            }
        }
        // A whole reference is looked up as one, not as the words "emb" and "2026".
        let reference = crate::case_refs::looks_like_case_reference(text.trim());
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|_| !reference)
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .take(8)
            .collect();
        if !words.is_empty() {
            parts.push(match backend {
                Backend::Sqlite => {
                    let query = words
                        .iter()
                        .map(|w| format!("\"{w}\"*"))
                        .collect::<Vec<_>>()
                        .join(" AND ");
                    // Words of the texts, not the start of some receipt.
                    let query = format!("{{title reporter_name reporter_email}} : ({query})");
                    let q = self.param(Param::Text(query));
                    format!(
                        "SELECT r2.case_id FROM reports r2 WHERE r2.rowid IN \
                         (SELECT rowid FROM reports_search WHERE reports_search MATCH {q})"
                    )
                }
                Backend::Postgres => {
                    let query = words
                        .iter()
                        .map(|w| format!("{w}:*"))
                        .collect::<Vec<_>>()
                        .join(" & ");
                    let q = self.param(Param::Text(query));
                    // The expression of the `reports_search` index, word for word.
                    format!(
                        "SELECT r2.case_id FROM reports r2 WHERE to_tsvector('simple', \
                         regexp_replace(lower(r2.title || ' ' || r2.reporter_name || ' ' || \
                         COALESCE(r2.reporter_email, '')), '[^[:alnum:]]+', ' ', 'g')) \
                         @@ to_tsquery('simple', {q})"
                    )
                }
            });
        }
        let contains = self.param(Param::Text(format!(
            "%{}%",
            escape_like(&text.to_lowercase())
        )));
        parts.push(format!(
            "SELECT d.case_id FROM advisory_drafts d \
             WHERE LOWER(d.body) LIKE {contains} ESCAPE '\\'"
        ));
        let ids = parts.join(" UNION ");
        self.conditions.push(match backend {
            Backend::Sqlite => format!("c.id IN ({ids})"),
            // PostgreSQL guesses thousands of rows for any word search and would then scan
            // every case; as an array, the few ids found are looked up by the primary key.
            Backend::Postgres => format!("c.id = ANY(ARRAY({ids}))"),
        });
    }

    fn states(&mut self, states: &StateFilter) {
        let condition = match states {
            StateFilter::Any => return,
            StateFilter::Active { published_since } => {
                let p = self.param(Param::Int(ts(*published_since)));
                format!("(c.state IN ({OPEN_STATES}) OR c.published_at >= {p})")
            }
            StateFilter::In(names) => {
                let list: Vec<String> = names
                    .iter()
                    .map(|n| self.param(Param::Text((*n).to_string())))
                    .collect();
                if list.is_empty() {
                    "1 = 0".to_string()
                } else {
                    format!("c.state IN ({})", list.join(", "))
                }
            }
            StateFilter::PublishedSince(since) => {
                let p = self.param(Param::Int(ts(*since)));
                format!("c.published_at >= {p}")
            }
            StateFilter::Done => "c.state IN ('published', 'closed')".to_string(),
        };
        self.conditions.push(condition);
    }

    fn query(&self, sql: String) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for p in &self.params {
            query = match p {
                Param::Text(t) => query.bind(t.as_str()),
                Param::Int(i) => query.bind(*i),
                Param::Flag(f) => query.bind(i64::from(*f)),
            };
        }
        query
    }
}

impl Store {
    /// One page of `q`, `limit` rows after `after`, by due date (the most urgent first; no
    /// due date last), then id; and the cursor of the next page if there is one. Cases
    /// with a due date are read along the `cases_by_due` index, then those without one by
    /// id: a page reads about as many cases as it shows.
    pub async fn case_page(
        &self,
        q: &CaseQuery,
        after: Option<&CaseCursor>,
        limit: u32,
    ) -> Result<(Vec<CaseSummary>, Option<CaseCursor>), StoreError> {
        let wanted = limit as usize + 1;
        let mut cases = Vec::new();
        // A search finds few cases by its indexes: the due date must not lead the query
        // instead (`+` keeps the planner from using the due-date index to filter).
        let searching = q.text.as_deref().is_some_and(|t| !t.trim().is_empty());
        let due = if searching { "+c.due_at" } else { "c.due_at" };
        if q.states.may_be_due() && after.is_none_or(|a| a.due != NEVER) {
            let mut sql = Sql::new(q, true, self.backend());
            let mut condition = format!("{due} IS NOT NULL");
            if let Some(after) = after {
                let after_due = sql.param(Param::Int(after.due));
                let id = sql.param(Param::Text(after.id.clone()));
                condition.push_str(&format!(" AND ({due}, c.id) > ({after_due}, {id})"));
            }
            sql.conditions.push(condition);
            cases = self.page_rows(&sql, "c.due_at, c.id", wanted).await?;
        }
        if cases.len() < wanted {
            let mut sql = Sql::new(q, true, self.backend());
            let mut condition = format!("{due} IS NULL");
            if let Some(after) = after.filter(|a| a.due == NEVER) {
                let id = sql.param(Param::Text(after.id.clone()));
                condition.push_str(&format!(" AND c.id > {id}"));
            }
            sql.conditions.push(condition);
            let more = self.page_rows(&sql, "c.id", wanted - cases.len()).await?;
            cases.extend(more);
        }
        let more = cases.len() > limit as usize;
        cases.truncate(limit as usize);
        let next = more
            .then(|| {
                cases.last().map(|c| CaseCursor {
                    due: c.due_at.map_or(NEVER, ts),
                    id: c.id.to_string(),
                })
            })
            .flatten();
        Ok((cases, next))
    }

    async fn page_rows(
        &self,
        sql: &Sql,
        order: &str,
        limit: usize,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let viewer = "$1";
        let text = format!(
            "SELECT c.id, c.reference, c.project, c.state, c.resolution, c.reject_reason, \
             c.duplicate_of, r.title, c.received_at, c.acknowledge_by, c.acknowledged_at, \
             c.disclose_by, c.published_at, c.due_at, c.release_on, c.announce_at, \
             c.announce_zone, c.coordinator, c.reporter_user, \
             CASE WHEN EXISTS (SELECT 1 FROM case_members m WHERE m.case_id = c.id \
                 AND m.user_id = {viewer} AND m.role = 'developer') THEN 1 ELSE 0 END AS developer \
             FROM cases c JOIN reports r ON r.case_id = c.id WHERE {} \
             ORDER BY {order} LIMIT {limit}",
            sql.conditions.join(" AND "),
        );
        let rows = sql.query(text).fetch_all(self.pool()).await?;
        rows.iter().map(summary_of).collect()
    }

    /// How many cases of `q` (its state filter aside) are in each state: (state name,
    /// published since `published_since`, count). A Coordinator's cases are counted from
    /// an index alone, apart from the few they both reported and develop.
    pub async fn case_counts(
        &self,
        q: &CaseQuery,
        published_since: Timestamp,
    ) -> Result<Vec<(String, bool, i64)>, StoreError> {
        let ways: &[Seen] = if q.coordinator {
            &[Seen::Coordinator, Seen::OwnReportDeveloper]
        } else {
            &[Seen::Developer]
        };
        let mut counts: Vec<(String, bool, i64)> = Vec::new();
        // Without a search or filter but the project and overdue, a Coordinator's counts
        // come from the counts kept by state, less the cases they reported (and, overdue,
        // less the cases not due yet).
        let plain = !q.mine && q.text.as_deref().is_none_or(|t| t.trim().is_empty());
        for seen in ways {
            for recent in [false, true] {
                if plain && !recent && *seen == Seen::Coordinator {
                    let kept = match q.overdue_at {
                        None => self.kept_counts(q).await?,
                        Some(now) => self.kept_overdue_counts(q, now).await?,
                    };
                    for (state, n) in kept {
                        add(&mut counts, &state, false, n);
                    }
                    continue;
                }
                let mut sql = Sql::seen_as(q, false, *seen, self.backend());
                if recent {
                    let since = sql.param(Param::Int(ts(published_since)));
                    sql.conditions.push(format!("c.published_at >= {since}"));
                }
                let text = format!(
                    "SELECT c.state, COUNT(*) AS n FROM cases c WHERE {} GROUP BY c.state",
                    sql.conditions.join(" AND "),
                );
                for r in sql.query(text).fetch_all(self.pool()).await? {
                    let state: String = r.try_get("state")?;
                    let n: i64 = r.try_get("n")?;
                    add(&mut counts, &state, recent, n);
                    // Counted once among all, once among the recent ones: the recent ones
                    // leave the first.
                    if recent {
                        add(&mut counts, &state, false, -n);
                    }
                }
            }
        }
        counts.retain(|(_, _, n)| *n > 0);
        Ok(counts)
    }
}

impl Store {
    /// The overdue cases by state, `q`'s viewer's own reports aside: the cases kept by
    /// state, less the ones the viewer reported and the others not due yet (a range of an
    /// index). Counting the overdue ones themselves would read every one of them, and in a
    /// flood of reports nearly every case is overdue.
    async fn kept_overdue_counts(
        &self,
        q: &CaseQuery,
        now: Timestamp,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let project = q.project.as_ref().map(ToString::to_string);
        let in_project = "(CAST($1 AS TEXT) IS NULL OR project = $1)";
        let due_states = DUE_STATES.map(|s| format!("'{s}'")).join(", ");
        // The viewer's reports in every state, filtered below: given the states too, the
        // planner would rather read the whole `cases_due_by_state` index.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT state, CAST(SUM(n) AS BIGINT) AS n FROM ( \
               SELECT state, n FROM case_state_counts \
                 WHERE state IN ({due_states}) AND {in_project} \
               UNION ALL SELECT state, -COUNT(*) AS n FROM cases \
                 WHERE reporter_user = $3 AND {in_project} GROUP BY state \
               UNION ALL SELECT state, -COUNT(*) AS n FROM cases \
                 WHERE state IN ({due_states}) AND due_at >= $2 AND {in_project} \
                   AND (reporter_user IS NULL OR reporter_user <> $3) GROUP BY state \
             ) parts GROUP BY state"
        )))
        .bind(project.as_deref())
        .bind(ts(now))
        .bind(q.viewer.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut counts = Vec::new();
        for r in rows {
            let state: String = r.try_get("state")?;
            if DUE_STATES.contains(&state.as_str()) {
                counts.push((state, r.try_get("n")?));
            }
        }
        Ok(counts)
    }

    /// Cases by state from `case_state_counts` (of `q`'s project, if any), less the ones
    /// `q`'s viewer reported.
    async fn kept_counts(&self, q: &CaseQuery) -> Result<Vec<(String, i64)>, StoreError> {
        let project = q.project.as_ref().map(ToString::to_string);
        let kept = sqlx::query(
            "SELECT state, CAST(SUM(n) AS BIGINT) AS n FROM case_state_counts \
             WHERE (CAST($1 AS TEXT) IS NULL OR project = $1) GROUP BY state",
        )
        .bind(project.as_deref())
        .fetch_all(self.pool())
        .await?;
        let reported = sqlx::query(
            "SELECT state, COUNT(*) AS n FROM cases \
             WHERE reporter_user = $1 AND (CAST($2 AS TEXT) IS NULL OR project = $2) GROUP BY state",
        )
        .bind(q.viewer.to_string())
        .bind(project.as_deref())
        .fetch_all(self.pool())
        .await?;
        let mut counts: Vec<(String, i64)> = Vec::new();
        for (rows, sign) in [(kept, 1), (reported, -1)] {
            for r in rows {
                let state: String = r.try_get("state")?;
                let n: i64 = r.try_get("n")?;
                match counts.iter_mut().find(|(s, _)| *s == state) {
                    Some(c) => c.1 += sign * n,
                    None => counts.push((state, sign * n)),
                }
            }
        }
        Ok(counts)
    }
}

fn add(counts: &mut Vec<(String, bool, i64)>, state: &str, recent: bool, n: i64) {
    match counts
        .iter_mut()
        .find(|(s, r, _)| s == state && *r == recent)
    {
        Some(c) => c.2 += n,
        None => counts.push((state.to_string(), recent, n)),
    }
}

fn summary_of(r: &sqlx::any::AnyRow) -> Result<CaseSummary, StoreError> {
    let dates = match (
        r.try_get::<Option<String>, _>("release_on")?,
        r.try_get::<Option<String>, _>("announce_at")?,
        r.try_get::<Option<String>, _>("announce_zone")?,
    ) {
        (Some(release), Some(at), Some(zone)) => Some(EmbargoDates {
            release_on: parse(&release)?,
            announce_at: parse(&at)?,
            zone: TimeZoneName::parse(&zone)?,
        }),
        _ => None,
    };
    Ok(CaseSummary {
        id: parse(&r.try_get::<String, _>("id")?)?,
        reference: r
            .try_get::<Option<String>, _>("reference")?
            .unwrap_or_default(),
        project: ProjectSlug::parse(&r.try_get::<String, _>("project")?)?,
        state: crate::codec::case_state(r)?,
        title: r.try_get("title")?,
        received_at: from_ts(r.try_get("received_at")?)?,
        acknowledge_by: from_ts(r.try_get("acknowledge_by")?)?,
        acknowledged_at: opt_ts(r.try_get("acknowledged_at")?)?,
        disclose_by: from_ts(r.try_get("disclose_by")?)?,
        published_at: opt_ts(r.try_get("published_at")?)?,
        due_at: opt_ts(r.try_get("due_at")?)?,
        dates,
        coordinator: parse_opt(r.try_get("coordinator")?)?,
        reporter_user: parse_opt(r.try_get("reporter_user")?)?,
        viewer_is_developer: r.try_get::<i64, _>("developer")? != 0,
    })
}
