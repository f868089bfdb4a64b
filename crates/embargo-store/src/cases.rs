//! The case aggregate: the `cases` row plus its members, sign-offs, forks and extensions.
//! Saving replaces the children wholesale: a case has tens of rows, not thousands, and
//! whole replacement cannot leave a stale child behind.

use std::collections::BTreeSet;

use embargo_core::{
    Case, CaseId, CaseRole, CaseState, Checklist, Deadlines, EmbargoDates, Extension, Fork, ForkId,
    Private, ProjectSlug, RequiredText, SignOff, Step, TimeZoneName, UserId,
};
use sqlx::{AnyConnection, Row};

use crate::codec::{flag, from_ts, opt_ts, parse, parse_opt, ts};
use crate::error::StoreError;
use crate::rows::{Cell, Rows, bind_cells};
use crate::{Store, Tx};

const CASE_COLUMNS: &str = "id, project, state, resolution, reject_reason, duplicate_of, \
    received_at, acknowledge_by, disclose_by, reporter_user, coordinator, release_on, \
    announce_at, announce_zone, acknowledged_at, published_at, fix_available, version, due_at";

impl Store {
    pub async fn case(&self, id: CaseId) -> Result<Case, StoreError> {
        let mut conn = self.pool().acquire().await?;
        load(&mut conn, id).await
    }

    /// Case ids, newest first, optionally in one state.
    pub async fn case_ids(&self, state: Option<&str>) -> Result<Vec<CaseId>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM cases WHERE ($1 IS NULL OR state = $1) ORDER BY received_at DESC, id",
        )
        .bind(state)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| parse(&r.try_get::<String, _>("id")?))
            .collect()
    }
}

impl Store {
    /// Fills in when scheduled cases fall due, for databases from before the column (its
    /// migration cannot read time zones). Cheap when there is nothing to do: one indexed
    /// lookup.
    pub(crate) async fn backfill_due(&self) -> Result<(), StoreError> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM cases WHERE due_at IS NULL AND state = 'scheduled'")
                .fetch_all(self.pool())
                .await?;
        if ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        for id in ids {
            let case = load(tx.conn(), parse(&id)?).await?;
            sqlx::query("UPDATE cases SET due_at = $1 WHERE id = $2")
                .bind(case.due().map(ts))
                .bind(&id)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await
    }
}

impl Tx {
    pub async fn case(&mut self, id: CaseId) -> Result<Case, StoreError> {
        load(self.conn(), id).await
    }

    /// Inserts a new case (version 0) and gives it the next reference of its year, which
    /// it returns.
    pub async fn insert_case(&mut self, case: &Case) -> Result<String, StoreError> {
        let mut references = self.insert_cases(std::slice::from_ref(case)).await?;
        references
            .pop()
            .ok_or_else(|| StoreError::Corrupt("no reference was given".into()))
    }

    /// Stores new cases in one statement, each with the next reference of its year (in
    /// the order given); returns the references.
    pub async fn insert_cases(&mut self, cases: &[Case]) -> Result<Vec<String>, StoreError> {
        if cases.is_empty() {
            return Ok(Vec::new());
        }
        let references = self
            .next_case_references(cases.iter().map(|c| c.received_at))
            .await?;
        let columns = format!("{CASE_COLUMNS}, reference, receipt");
        let mut rows = Rows::new(self.backend, &columns, cases.len());
        for (case, reference) in cases.iter().zip(&references) {
            let receipt = case.id.receipt().trim_start_matches('#').to_string();
            let mut cells = case_cells(case);
            cells.extend([Cell::from(reference.clone()), Cell::from(receipt)]);
            rows.push(cells)?;
        }
        rows.insert_into(self.conn(), "cases", &[])
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                    StoreError::Conflict("the project is not in the installation's scope".into())
                }
                _ => StoreError::from(e),
            })?;
        for case in cases {
            save_children(self.conn(), case).await?;
        }
        Ok(references)
    }

    /// Saves a case that `transition` produced from the stored version `case.version - 1`.
    /// Refuses with `Stale` when the stored version moved on meanwhile.
    pub async fn update_case(&mut self, case: &Case) -> Result<(), StoreError> {
        let expected = i64::try_from(case.version).unwrap_or(i64::MAX) - 1;
        let sql = "UPDATE cases SET project = $2, state = $3, resolution = $4, reject_reason = $5, \
            duplicate_of = $6, received_at = $7, acknowledge_by = $8, disclose_by = $9, \
            reporter_user = $10, coordinator = $11, release_on = $12, announce_at = $13, \
            announce_zone = $14, acknowledged_at = $15, published_at = $16, fix_available = $17, \
            version = $18, due_at = $19 WHERE id = $1 AND version = $20";
        let done = bind_cells(sqlx::query(sql), case_cells(case))
            .bind(expected)
            .execute(self.conn())
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Stale);
        }
        for table in [
            "case_members",
            "checklist_signoffs",
            "forks",
            "disclosure_extensions",
        ] {
            let sql = format!("DELETE FROM {table} WHERE case_id = $1");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(case.id.to_string())
                .execute(self.conn())
                .await?;
        }
        save_children(self.conn(), case).await
    }
}

/// A case's values in the order of [`CASE_COLUMNS`].
fn case_cells(c: &Case) -> Vec<Cell> {
    let (resolution, reason, duplicate_of) = match c.state {
        CaseState::Closed { resolution } => {
            let (reason, dup) = match resolution {
                embargo_core::Resolution::Rejected { reason } => (
                    Some(reason.name()),
                    match reason {
                        embargo_core::RejectReason::Duplicate { of } => Some(of.to_string()),
                        _ => None,
                    },
                ),
                _ => (None, None),
            };
            (Some(resolution.name()), reason, dup)
        }
        _ => (None, None, None),
    };
    let dates = c.dates.as_ref();
    vec![
        c.id.to_string().into(),
        c.project.to_string().into(),
        c.state.name().into(),
        resolution.into(),
        reason.into(),
        duplicate_of.into(),
        ts(c.received_at).into(),
        ts(c.deadlines.acknowledge_by).into(),
        ts(c.deadlines.disclose_by).into(),
        c.reporter_user.map(|u| u.to_string()).into(),
        c.coordinator.map(|u| u.to_string()).into(),
        dates.map(|d| d.release_on.to_string()).into(),
        dates.map(|d| d.announce_at.to_string()).into(),
        dates.map(|d| d.zone.to_string()).into(),
        c.acknowledged_at.map(ts).into(),
        c.published_at.map(ts).into(),
        c.fix_available.map(flag).into(),
        i64::try_from(c.version).unwrap_or(i64::MAX).into(),
        c.due().map(ts).into(),
    ]
}

async fn save_children(conn: &mut AnyConnection, c: &Case) -> Result<(), StoreError> {
    let id = c.id.to_string();
    for dev in &c.developers {
        sqlx::query(
            "INSERT INTO case_members (case_id, user_id, role) VALUES ($1, $2, 'developer')",
        )
        .bind(&id)
        .bind(dev.to_string())
        .execute(&mut *conn)
        .await?;
    }
    for (step, s) in c.checklist.entries() {
        sqlx::query(
            "INSERT INTO checklist_signoffs (case_id, step, role, signed_by, signed_at, note) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(i64::from(step.number()))
        .bind(s.role.map(CaseRole::as_str).unwrap_or("system"))
        .bind(s.by.map(|u| u.to_string()))
        .bind(ts(s.at))
        .bind(s.note.as_deref())
        .execute(&mut *conn)
        .await?;
    }
    for (position, fork) in c.forks.iter().enumerate() {
        let tested = fork.tested.as_ref();
        sqlx::query(
            "INSERT INTO forks (id, case_id, position, name, tested_by, tested_at, test_note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(fork.id.to_string())
        .bind(&id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(fork.name.reveal())
        .bind(tested.and_then(|t| t.by).map(|u| u.to_string()))
        .bind(tested.map(|t| ts(t.at)))
        .bind(tested.and_then(|t| t.note.as_deref()))
        .execute(&mut *conn)
        .await?;
    }
    for (position, e) in c.deadlines.extensions.iter().enumerate() {
        sqlx::query(
            "INSERT INTO disclosure_extensions (case_id, position, from_at, to_at, reason, extended_by, extended_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(ts(e.from))
        .bind(ts(e.to))
        .bind(e.reason.as_ref())
        .bind(e.by.to_string())
        .bind(ts(e.at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn load(conn: &mut AnyConnection, id: CaseId) -> Result<Case, StoreError> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let key = id.to_string();

    // One row, the ids joined, rather than a row per Developer: the driver hands each row
    // over from its thread, and a case with 200 parties is loaded several times a page.
    let developers: BTreeSet<UserId> = sqlx::query_scalar::<_, Option<String>>(
        "SELECT string_agg(user_id, ' ') FROM case_members WHERE case_id = $1 AND role = 'developer'",
    )
    .bind(&key)
    .fetch_one(&mut *conn)
    .await?
    .unwrap_or_default()
    .split_whitespace()
    .map(parse)
    .collect::<Result<_, _>>()?;

    let mut signoffs = Vec::new();
    for r in sqlx::query(
        "SELECT step, role, signed_by, signed_at, note FROM checklist_signoffs WHERE case_id = $1 ORDER BY step, signed_at, role",
    )
    .bind(&key)
    .fetch_all(&mut *conn)
    .await?
    {
        let step = Step::new(u8::try_from(r.try_get::<i64, _>("step")?).unwrap_or(0))?;
        let role = match r.try_get::<String, _>("role")?.as_str() {
            "coordinator" => Some(CaseRole::Coordinator),
            "developer" => Some(CaseRole::Developer),
            _ => None,
        };
        signoffs.push((
            step,
            SignOff {
                by: parse_opt(r.try_get("signed_by")?)?,
                role,
                at: from_ts(r.try_get("signed_at")?)?,
                note: r.try_get("note")?,
            },
        ));
    }

    let mut forks = Vec::new();
    for r in sqlx::query(
        "SELECT id, name, tested_by, tested_at, test_note FROM forks WHERE case_id = $1 ORDER BY position",
    )
    .bind(&key)
    .fetch_all(&mut *conn)
    .await?
    {
        let tested = match opt_ts(r.try_get("tested_at")?)? {
            Some(at) => Some(SignOff {
                by: parse_opt(r.try_get("tested_by")?)?,
                role: Some(CaseRole::Developer),
                at,
                note: r.try_get("test_note")?,
            }),
            None => None,
        };
        forks.push(Fork {
            id: parse::<ForkId>(&r.try_get::<String, _>("id")?)?,
            name: Private::new(r.try_get("name")?),
            tested,
        });
    }

    let mut extensions = Vec::new();
    for r in sqlx::query(
        "SELECT from_at, to_at, reason, extended_by, extended_at FROM disclosure_extensions WHERE case_id = $1 ORDER BY position",
    )
    .bind(&key)
    .fetch_all(&mut *conn)
    .await?
    {
        extensions.push(Extension {
            from: from_ts(r.try_get("from_at")?)?,
            to: from_ts(r.try_get("to_at")?)?,
            reason: RequiredText::parse(&r.try_get::<String, _>("reason")?)?,
            by: parse(&r.try_get::<String, _>("extended_by")?)?,
            at: from_ts(r.try_get("extended_at")?)?,
        });
    }

    let state = crate::codec::case_state(&row)?;
    let dates = match (
        row.try_get::<Option<String>, _>("release_on")?,
        row.try_get::<Option<String>, _>("announce_at")?,
        row.try_get::<Option<String>, _>("announce_zone")?,
    ) {
        (Some(release), Some(announce), Some(zone)) => Some(EmbargoDates {
            release_on: parse(&release)?,
            announce_at: parse(&announce)?,
            zone: TimeZoneName::parse(&zone)?,
        }),
        _ => None,
    };
    Ok(Case {
        id,
        project: ProjectSlug::parse(&row.try_get::<String, _>("project")?)?,
        state,
        received_at: from_ts(row.try_get("received_at")?)?,
        deadlines: Deadlines {
            acknowledge_by: from_ts(row.try_get("acknowledge_by")?)?,
            disclose_by: from_ts(row.try_get("disclose_by")?)?,
            extensions,
        },
        reporter_user: parse_opt(row.try_get("reporter_user")?)?,
        coordinator: parse_opt(row.try_get("coordinator")?)?,
        developers,
        checklist: Checklist::from_entries(signoffs),
        forks,
        dates,
        acknowledged_at: opt_ts(row.try_get("acknowledged_at")?)?,
        published_at: opt_ts(row.try_get("published_at")?)?,
        fix_available: row
            .try_get::<Option<i64>, _>("fix_available")?
            .map(|v| v != 0),
        version: u64::try_from(row.try_get::<i64, _>("version")?).unwrap_or(0),
    })
}
