//! One query for the dashboard: every case with what its queue row shows, and whether the
//! viewer is one of its Developers (the app decides visibility with the domain's rule).

use embargo_core::{CaseId, CaseState, EmbargoDates, ProjectSlug, TimeZoneName, UserId};
use jiff::Timestamp;
use sqlx::Row;

use crate::Store;
use crate::codec::{from_ts, opt_ts, parse, parse_opt};
use crate::error::StoreError;

#[derive(Debug, Clone)]
pub struct CaseSummary {
    pub id: CaseId,
    pub project: ProjectSlug,
    pub state: CaseState,
    /// The report's title: private, shown to the team only.
    pub title: String,
    pub received_at: Timestamp,
    pub acknowledge_by: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub disclose_by: Timestamp,
    pub published_at: Option<Timestamp>,
    pub dates: Option<EmbargoDates>,
    pub coordinator: Option<UserId>,
    pub reporter_user: Option<UserId>,
    /// The viewer is a Developer of this case.
    pub viewer_is_developer: bool,
}

impl Store {
    pub async fn case_summaries(&self, viewer: UserId) -> Result<Vec<CaseSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, c.project, c.state, c.resolution, c.reject_reason, c.duplicate_of, r.title, \
             c.received_at, c.acknowledge_by, c.acknowledged_at, c.disclose_by, c.published_at, \
             c.release_on, c.announce_at, c.announce_zone, c.coordinator, c.reporter_user, \
             CASE WHEN EXISTS (SELECT 1 FROM case_members m WHERE m.case_id = c.id AND m.user_id = $1 \
                 AND m.role = 'developer') THEN 1 ELSE 0 END \
             FROM cases c JOIN reports r ON r.case_id = c.id ORDER BY c.received_at DESC, c.id",
        )
        .bind(viewer.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let dates = match (
                    r.try_get::<Option<String>, _>(12)?,
                    r.try_get::<Option<String>, _>(13)?,
                    r.try_get::<Option<String>, _>(14)?,
                ) {
                    (Some(release), Some(at), Some(zone)) => Some(EmbargoDates {
                        release_on: parse(&release)?,
                        announce_at: parse(&at)?,
                        zone: TimeZoneName::parse(&zone)?,
                    }),
                    _ => None,
                };
                Ok(CaseSummary {
                    id: parse(&r.try_get::<String, _>(0)?)?,
                    project: ProjectSlug::parse(&r.try_get::<String, _>(1)?)?,
                    state: CaseState::from_parts(
                        &r.try_get::<String, _>(2)?,
                        r.try_get::<Option<String>, _>(3)?.as_deref(),
                        r.try_get::<Option<String>, _>(4)?.as_deref(),
                        parse_opt(r.try_get(5)?)?,
                    )?,
                    title: r.try_get(6)?,
                    received_at: from_ts(r.try_get(7)?)?,
                    acknowledge_by: from_ts(r.try_get(8)?)?,
                    acknowledged_at: opt_ts(r.try_get(9)?)?,
                    disclose_by: from_ts(r.try_get(10)?)?,
                    published_at: opt_ts(r.try_get(11)?)?,
                    dates,
                    coordinator: parse_opt(r.try_get(15)?)?,
                    reporter_user: parse_opt(r.try_get(16)?)?,
                    viewer_is_developer: r.try_get::<i64, _>(17)? != 0,
                })
            })
            .collect()
    }
}
