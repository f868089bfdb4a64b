//! A whole installation as one portable file, written by one backend and read by either:
//! `embargo backup` / `embargo restore` move an installation between SQLite and PostgreSQL.
//!
//! The file is JSON Lines: a header line (format, schema version, source backend), then
//! per table a line naming it and its columns followed by one JSON array per row, then an
//! end line with the row count, so that a truncated file is refused rather than half
//! restored. Values are stored exactly as the database holds them (text, integers, hex
//! for bytes), so the audit chain's hashes verify on the other side.

use std::io::{BufRead, Write};

use futures_util::TryStreamExt;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::any::AnyTypeInfoKind;
use sqlx::{Row, ValueRef};

use crate::error::StoreError;
use crate::open::latest_schema_version;
use crate::{Backend, Store, Tx};

const FORMAT: &str = "embargo-backup";
const FORMAT_VERSION: u32 = 1;

/// Every table, parents before children (the order rows can be inserted in with foreign
/// keys on). A table missing here would be lost by a backup: `backup` refuses to run if
/// the database holds a table this list does not name.
const TABLES: &[&str] = &[
    "people",
    "projects",
    "cases",
    "case_members",
    "checklist_signoffs",
    "forks",
    "disclosure_extensions",
    "reports",
    "messages",
    "audit_log",
    "audit_head",
    "jobs",
    "attachments",
    "sessions",
    "login_throttle",
    "api_tokens",
    "settings",
    "case_texts",
    "invitations",
    "advisory_drafts",
    "publications",
    "publication_osv_sources",
    "publication_packages",
    "publication_commits",
    "advisory_counters",
    "case_counters",
    "cve_pool",
    "teams",
    "team_members",
    "portal_links",
    "mail_preferences",
    "github_advisories",
    "github_issues",
    "github_ci_mirrors",
];

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    schema_version: i64,
    source: Backend,
    created_at: String,
    /// The installation's secrets key, only when the operator asked for it
    /// (`embargo backup --include-key`): without it the backup's sealed secrets stay sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secrets_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Line {
    Table { table: String, columns: Vec<String> },
    End { end: bool, rows: u64 },
    Row(Vec<Value>),
}

/// What a backup wrote or a restore read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupSummary {
    pub schema_version: i64,
    pub tables: usize,
    pub rows: u64,
    /// The secrets key a restored backup carried (see `--include-key`).
    #[serde(skip)]
    pub secrets_key: Option<crate::SealingKey>,
}

/// How a column's values are bound on restore (a NULL needs the column's type on
/// PostgreSQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    Integer,
    Real,
    Bytes,
    Text,
}

impl ColumnType {
    fn from_declared(declared: &str) -> Self {
        let d = declared.to_ascii_lowercase();
        if d.contains("int") {
            Self::Integer
        } else if d.contains("blob") || d.contains("bytea") {
            Self::Bytes
        } else if d.contains("real") || d.contains("double") || d.contains("float") {
            Self::Real
        } else {
            Self::Text
        }
    }
}

fn io_error(e: std::io::Error) -> StoreError {
    StoreError::Refused(format!("cannot write the backup: {e}"))
}

impl Store {
    /// Writes the whole installation to `out` from one consistent snapshot.
    pub async fn backup(
        &self,
        out: &mut impl Write,
        now: Timestamp,
    ) -> Result<BackupSummary, StoreError> {
        self.backup_with_key(out, now, None).await
    }

    /// [`Store::backup`], carrying the secrets key too when `key` is given.
    pub async fn backup_with_key(
        &self,
        out: &mut impl Write,
        now: Timestamp,
        key: Option<&crate::SealingKey>,
    ) -> Result<BackupSummary, StoreError> {
        self.check_table_list().await?;
        let header = Header {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            schema_version: latest_schema_version(),
            source: self.backend(),
            created_at: now.to_string(),
            secrets_key: key.map(crate::SealingKey::to_hex),
        };
        write_line(out, &header)?;
        // One snapshot for every table: rows written meanwhile are either all in or all out.
        let begin = match self.backend() {
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            Backend::Sqlite => "BEGIN",
        };
        let mut tx = self.pool().begin_with(begin).await?;
        let mut rows = 0u64;
        for table in TABLES {
            let columns = self.columns(table).await?;
            let names: Vec<String> = columns.iter().map(|(n, _)| n.clone()).collect();
            write_line(
                out,
                &Line::Table {
                    table: (*table).to_string(),
                    columns: names.clone(),
                },
            )?;
            // Ordered so that two backups of the same data are the same file.
            let list = names.join(", ");
            let sql = format!("SELECT {list} FROM {table} ORDER BY {list}");
            let query = sqlx::query(sqlx::AssertSqlSafe(sql));
            let mut stream = query.fetch(&mut *tx);
            while let Some(row) = stream.try_next().await? {
                let values = (0..names.len())
                    .map(|i| value_of(&row, i))
                    .collect::<Result<Vec<_>, _>>()?;
                write_line(out, &Line::Row(values))?;
                rows += 1;
            }
        }
        tx.rollback().await?;
        write_line(out, &Line::End { end: true, rows })?;
        out.flush().map_err(io_error)?;
        Ok(BackupSummary {
            schema_version: header.schema_version,
            tables: TABLES.len(),
            rows,
            secrets_key: None,
        })
    }

    /// Reads a backup into this database, which must be empty (freshly migrated). All or
    /// nothing: one transaction, refused as a whole on any bad line.
    pub async fn restore(&self, input: impl BufRead) -> Result<BackupSummary, StoreError> {
        let mut lines = input.lines().enumerate();
        let header: Header = match lines.next() {
            Some((_, Ok(text))) => serde_json::from_str(&text)
                .map_err(|_| unusable(1, "this is not an embargo backup"))?,
            _ => return Err(unusable(1, "the file is empty")),
        };
        if header.format != FORMAT || header.version != FORMAT_VERSION {
            return Err(unusable(
                1,
                "this is not an embargo backup this version can read",
            ));
        }
        let known = latest_schema_version();
        if header.schema_version != known {
            return Err(StoreError::Refused(format!(
                "the backup has schema version {}, this embargo has {known}; restore it with the embargo version that made it, then upgrade",
                header.schema_version
            )));
        }
        self.check_table_list().await?;

        let mut tx = self.begin().await?;
        for table in TABLES {
            let count: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                    .fetch_one(tx.conn())
                    .await?;
            if count > 0 {
                return Err(StoreError::Refused(format!(
                    "the target database is not empty (table {table} has {count} rows); restore into a new database"
                )));
            }
        }

        let mut current: Option<Pending> = None;
        let mut rows = 0u64;
        let mut tables = 0usize;
        let mut ended = false;
        for (index, text) in lines {
            let number = index + 1;
            let text = text.map_err(|e| unusable(number, &e.to_string()))?;
            if ended {
                return Err(unusable(number, "text after the end line"));
            }
            let line: Line =
                serde_json::from_str(&text).map_err(|e| unusable(number, &e.to_string()))?;
            match line {
                Line::Table { table, columns } => {
                    if !TABLES.contains(&table.as_str()) {
                        return Err(unusable(number, &format!("unknown table {table:?}")));
                    }
                    let types = self
                        .column_types_for(&table, &columns)
                        .await
                        .map_err(|why| unusable(number, &format!("table {table}: {why}")))?;
                    tables += 1;
                    if let Some(done) = current.as_mut() {
                        done.insert(&mut tx).await?;
                    }
                    current = Some(Pending {
                        table,
                        columns,
                        types,
                        rows: Vec::new(),
                    });
                }
                Line::Row(values) => {
                    let Some(pending) = current.as_mut() else {
                        return Err(unusable(number, "a row before any table line"));
                    };
                    if values.len() != pending.types.len() {
                        return Err(unusable(number, "a row with the wrong number of values"));
                    }
                    pending.rows.push((number, values));
                    if pending.rows.len() * pending.types.len() >= RESTORE_VALUES {
                        pending.insert(&mut tx).await?;
                    }
                    rows += 1;
                }
                Line::End {
                    end: true,
                    rows: expected,
                } => {
                    if expected != rows {
                        return Err(unusable(
                            number,
                            &format!("the end line counts {expected} rows, the file holds {rows}"),
                        ));
                    }
                    if let Some(done) = current.as_mut() {
                        done.insert(&mut tx).await?;
                    }
                    ended = true;
                }
                Line::End { .. } => return Err(unusable(number, "a malformed end line")),
            }
        }
        if !ended {
            return Err(StoreError::Refused(
                "the backup is incomplete (no end line): nothing was restored".into(),
            ));
        }
        tx.commit().await?;
        Ok(BackupSummary {
            schema_version: header.schema_version,
            tables,
            rows,
            secrets_key: header
                .secrets_key
                .as_deref()
                .map(crate::SealingKey::from_hex)
                .transpose()?,
        })
    }

    /// Refuses when the database has a table `TABLES` does not name, or lacks one it does:
    /// a backup must never drop data silently.
    async fn check_table_list(&self) -> Result<(), StoreError> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                // The search indexes (virtual tables and their own tables), the counts
                // of cases by state and the publications' generation are made again by
                // triggers as the rows are restored.
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' \
                 AND name NOT LIKE 'reports_search%' AND name NOT LIKE 'publications_search%' \
                 AND name <> 'case_state_counts' AND name <> 'publication_generation'"
            }
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> '_sqlx_migrations' AND table_name <> 'case_state_counts' \
                 AND table_name <> 'publication_generation'"
            }
        };
        let mut present: Vec<String> = sqlx::query_scalar(sql).fetch_all(self.pool()).await?;
        present.sort();
        let mut listed: Vec<String> = TABLES.iter().map(|t| (*t).to_string()).collect();
        listed.sort();
        if present != listed {
            return Err(StoreError::Refused(format!(
                "the database's tables ({}) are not the ones this embargo backs up ({}); is the schema up to date?",
                present.join(", "),
                listed.join(", ")
            )));
        }
        Ok(())
    }

    /// The table's columns and their declared types, in the database's order.
    async fn columns(&self, table: &str) -> Result<Vec<(String, ColumnType)>, StoreError> {
        let rows = match self.backend() {
            Backend::Sqlite => {
                sqlx::query("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(self.pool())
                    .await?
            }
            Backend::Postgres => {
                sqlx::query(
                    "SELECT column_name::text, data_type::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>(0)?,
                    ColumnType::from_declared(&r.try_get::<String, _>(1)?),
                ))
            })
            .collect()
    }

    /// The types of `columns` in this database; they must be exactly its columns.
    async fn column_types_for(
        &self,
        table: &str,
        columns: &[String],
    ) -> Result<Vec<ColumnType>, String> {
        let known = self.columns(table).await.map_err(|e| e.to_string())?;
        let mut wanted: Vec<&String> = columns.iter().collect();
        wanted.sort();
        let mut have: Vec<&String> = known.iter().map(|(n, _)| n).collect();
        have.sort();
        if wanted != have {
            return Err(format!(
                "the backup's columns ({}) are not this database's ({})",
                columns.join(", "),
                known
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(columns
            .iter()
            .map(|c| {
                known
                    .iter()
                    .find(|(n, _)| n == c)
                    .map_or(ColumnType::Text, |(_, t)| *t)
            })
            .collect())
    }
}

/// A refusal of the backup's line `line` (counted from 1).
fn unusable(line: usize, why: &str) -> StoreError {
    StoreError::Refused(format!("the backup is not usable (line {line}): {why}"))
}

/// Values a restore inserts in one statement at most: a statement a row took 93 s to
/// restore 615,073 rows into SQLite, a round trip each. (SQLite takes up to 32,766
/// parameters a statement, PostgreSQL 65,535.)
const RESTORE_VALUES: usize = 8_000;

/// Rows of one table read from a backup and not inserted yet, each with its line number.
struct Pending {
    table: String,
    columns: Vec<String>,
    types: Vec<ColumnType>,
    rows: Vec<(usize, Vec<Value>)>,
}

impl Pending {
    /// Inserts the rows read so far, in one statement.
    async fn insert(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let width = self.columns.len();
        // SQLite's `?`, not `$N`: its driver looks each `$N` up by name, a scan of the
        // statement's names per value (85% of a restore's time at 8,000 values a statement).
        let placeholder = |n: usize| match tx.backend {
            Backend::Sqlite => "?".to_string(),
            Backend::Postgres => format!("${n}"),
        };
        let tuples: Vec<String> = (0..self.rows.len())
            .map(|r| {
                let cells: Vec<String> = (1..=width).map(|c| placeholder(r * width + c)).collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            self.table,
            self.columns.join(", "),
            tuples.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (number, values) in self.rows.drain(..) {
            for (value, ty) in values.into_iter().zip(&self.types) {
                query = bind_value(query, value, *ty).map_err(|why| unusable(number, &why))?;
            }
        }
        query.execute(tx.conn()).await?;
        Ok(())
    }
}

use crate::rows::Query;

fn bind_value(query: Query<'_>, value: Value, ty: ColumnType) -> Result<Query<'_>, String> {
    Ok(match (ty, value) {
        (ColumnType::Integer, Value::Null) => query.bind(None::<i64>),
        (ColumnType::Real, Value::Null) => query.bind(None::<f64>),
        (ColumnType::Bytes, Value::Null) => query.bind(None::<Vec<u8>>),
        (ColumnType::Text, Value::Null) => query.bind(None::<String>),
        (ColumnType::Integer, Value::Number(n)) => {
            query.bind(n.as_i64().ok_or("an integer column holds a non-integer")?)
        }
        (ColumnType::Real, Value::Number(n)) => {
            query.bind(n.as_f64().ok_or("a number that does not fit")?)
        }
        (ColumnType::Text, Value::String(s)) => query.bind(s),
        (ColumnType::Bytes, Value::Object(o)) => {
            let hex_text = o
                .get("hex")
                .and_then(Value::as_str)
                .ok_or("bytes must be {\"hex\": ...}")?;
            query.bind(hex::decode(hex_text).map_err(|e| e.to_string())?)
        }
        (ty, other) => return Err(format!("a {ty:?} column holds {other}")),
    })
}

/// One stored value as JSON, exactly: integers as numbers, text as strings, bytes as hex.
fn value_of(row: &sqlx::any::AnyRow, i: usize) -> Result<Value, StoreError> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let kind = raw.type_info().kind();
    Ok(match kind {
        AnyTypeInfoKind::Null => Value::Null,
        AnyTypeInfoKind::Bool => Value::from(i64::from(row.try_get::<bool, _>(i)?)),
        AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
            Value::from(row.try_get::<i64, _>(i)?)
        }
        AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => Value::from(row.try_get::<f64, _>(i)?),
        AnyTypeInfoKind::Text => Value::from(row.try_get::<String, _>(i)?),
        AnyTypeInfoKind::Blob => {
            serde_json::json!({ "hex": hex::encode(row.try_get::<Vec<u8>, _>(i)?) })
        }
    })
}

fn write_line(out: &mut impl Write, value: &impl Serialize) -> Result<(), StoreError> {
    serde_json::to_writer(&mut *out, value)
        .map_err(|e| StoreError::Refused(format!("cannot write the backup: {e}")))?;
    out.write_all(b"\n").map_err(io_error)
}
