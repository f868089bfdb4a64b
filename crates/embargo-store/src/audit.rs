//! The audit log: append-only and hash-chained.
//!
//! Entry n stores `hash_n = SHA-256(prev_hash ‖ seq ‖ at ‖ actor ‖ case ‖ action ‖ detail)`
//! (each field length-prefixed) and `prev_hash = hash_{n-1}`. `audit_head` holds the newest
//! seq and hash, written in the same transaction. Editing any field of any row, deleting a
//! row in the middle, or deleting the newest rows all break a link that `verify` reports.
//! Triggers refuse UPDATE and DELETE, so only someone who drops them can try.

use embargo_core::CaseId;
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::codec::{from_ts, ts};
use crate::error::StoreError;
use crate::rows::Rows;
use crate::{Store, Tx};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a use case records. `actor` is a stable text such as `user:<uuid>`, `reporter`,
/// `system`; `detail` is JSON without private content (message bodies live in `messages`).
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at: Timestamp,
    pub actor: String,
    pub case_id: Option<CaseId>,
    pub action: String,
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub case_id: Option<String>,
    pub action: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// One broken link found by `verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditProblem {
    pub seq: i64,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub entries: i64,
    /// The newest hash: operators can note it elsewhere to anchor the chain.
    pub head_hash: String,
    pub problems: Vec<AuditProblem>,
}

impl AuditReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

fn entry_hash(
    prev: &str,
    seq: i64,
    at: i64,
    actor: &str,
    case: &str,
    action: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for field in [
        prev.as_bytes(),
        seq.to_string().as_bytes(),
        at.to_string().as_bytes(),
        actor.as_bytes(),
        case.as_bytes(),
        action.as_bytes(),
        detail.as_bytes(),
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field);
    }
    hex::encode(h.finalize())
}

impl Tx {
    /// Appends an entry after the current head. Returns its seq.
    pub async fn append_audit(&mut self, entry: &NewAuditEntry) -> Result<i64, StoreError> {
        self.append_audit_entries(std::slice::from_ref(entry)).await
    }

    /// Appends entries after the current head, chained in the order given, in one
    /// statement (and one head update). Returns the last one's seq.
    pub async fn append_audit_entries(
        &mut self,
        entries: &[NewAuditEntry],
    ) -> Result<i64, StoreError> {
        let head = sqlx::query(HEAD_SELECT).fetch_optional(self.conn()).await?;
        let (mut seq, mut hash) = match head.as_ref().map(HeadRow::try_from).transpose()? {
            Some(h) => (h.seq, h.hash),
            None => (0, GENESIS.to_string()),
        };
        if entries.is_empty() {
            return Ok(seq);
        }
        let mut rows = Rows::new(self.backend, ENTRY_COLUMNS, entries.len());
        for entry in entries {
            let prev_hash = std::mem::take(&mut hash);
            seq += 1;
            let at = ts(entry.at);
            let case = entry.case_id.map(|c| c.to_string());
            let detail = entry.detail.to_string();
            hash = entry_hash(
                &prev_hash,
                seq,
                at,
                &entry.actor,
                case.as_deref().unwrap_or(""),
                &entry.action,
                &detail,
            );
            rows.push(vec![
                seq.into(),
                at.into(),
                entry.actor.clone().into(),
                case.into(),
                entry.action.clone().into(),
                detail.into(),
                prev_hash.into(),
                hash.clone().into(),
            ])?;
        }
        rows.insert_into(self.conn(), "audit_log", &[]).await?;
        sqlx::query(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        )
        .bind(seq)
        .bind(&hash)
        .execute(self.conn())
        .await?;
        Ok(seq)
    }
}

const ENTRY_COLUMNS: &str = "seq, at, actor, case_id, action, detail, prev_hash, hash";

/// An `audit_log` row (`ENTRY_COLUMNS`) as stored: raw columns, so `verify_audit` can
/// still read a row that was edited into something that no longer parses.
struct EntryRow {
    seq: i64,
    at: i64,
    actor: String,
    case_id: Option<String>,
    action: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl TryFrom<&AnyRow> for EntryRow {
    type Error = StoreError;

    fn try_from(r: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            seq: r.try_get("seq")?,
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
            case_id: r.try_get("case_id")?,
            action: r.try_get("action")?,
            detail: r.try_get("detail")?,
            prev_hash: r.try_get("prev_hash")?,
            hash: r.try_get("hash")?,
        })
    }
}

impl TryFrom<EntryRow> for AuditEntry {
    type Error = StoreError;

    fn try_from(r: EntryRow) -> Result<Self, StoreError> {
        Ok(Self {
            seq: r.seq,
            at: from_ts(r.at)?,
            actor: r.actor,
            case_id: r.case_id,
            action: r.action,
            detail: r.detail,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

fn row_entry(r: &AnyRow) -> Result<AuditEntry, StoreError> {
    AuditEntry::try_from(EntryRow::try_from(r)?)
}

const HEAD_SELECT: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";

/// The `audit_head` row: the newest entry's seq and hash.
struct HeadRow {
    seq: i64,
    hash: String,
}

impl TryFrom<&AnyRow> for HeadRow {
    type Error = StoreError;

    fn try_from(r: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            seq: r.try_get("seq")?,
            hash: r.try_get("hash")?,
        })
    }
}

impl Store {
    /// The entries of one case, oldest first.
    pub async fn audit_of_case(&self, case: CaseId) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE case_id = $1 ORDER BY seq");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(row_entry)
            .collect()
    }

    /// One page of a case's entries: the `limit` newest before `before` (a sequence
    /// number; the newest of all without it), oldest first. Keyset on the chain's order, so
    /// a page costs the same at any depth.
    pub async fn audit_of_case_before(
        &self,
        case: CaseId,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE case_id = $1 AND seq < $2 \
             ORDER BY seq DESC LIMIT $3"
        );
        let query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.to_string())
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::try_from(limit).unwrap_or(i64::MAX));
        self.oldest_first(query).await
    }

    /// The latest `newest` entries of one case other than `except` (an action the caller
    /// shows otherwise), oldest first.
    pub async fn audit_of_case_newest(
        &self,
        case: CaseId,
        except: &str,
        newest: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE case_id = $1 AND action <> $2 \
             ORDER BY seq DESC LIMIT $3"
        );
        let query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.to_string())
            .bind(except)
            .bind(i64::try_from(newest).unwrap_or(i64::MAX));
        self.oldest_first(query).await
    }

    /// The entries a newest-first query returns, oldest first.
    async fn oldest_first(
        &self,
        query: sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut entries = query
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(row_entry)
            .collect::<Result<Vec<_>, _>>()?;
        entries.reverse();
        Ok(entries)
    }

    /// Walks the whole chain and reports every broken link. Reads in pages so a long log
    /// does not have to fit in memory.
    pub async fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        const PAGE: i64 = 1000;
        let mut problems = Vec::new();
        let mut expected_seq = 1;
        let mut prev_hash = GENESIS.to_string();
        let mut entries = 0;
        let mut last_seen = 0;
        loop {
            let sql = format!(
                "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(last_seen)
                .bind(PAGE)
                .fetch_all(self.pool())
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                // Read raw columns: an edited row may no longer parse as a domain value.
                let EntryRow {
                    seq,
                    at,
                    actor,
                    case_id: case,
                    action,
                    detail,
                    prev_hash: stored_prev,
                    hash: stored_hash,
                } = EntryRow::try_from(r)?;
                entries += 1;
                last_seen = seq;
                if seq != expected_seq {
                    problems.push(AuditProblem {
                        seq,
                        problem: format!("entries {expected_seq} to {} are missing", seq - 1),
                    });
                }
                if stored_prev != prev_hash {
                    problems.push(AuditProblem {
                        seq,
                        problem: "does not link to the entry before it".to_string(),
                    });
                }
                let actual = entry_hash(
                    &stored_prev,
                    seq,
                    at,
                    &actor,
                    case.as_deref().unwrap_or(""),
                    &action,
                    &detail,
                );
                if actual != stored_hash {
                    problems.push(AuditProblem {
                        seq,
                        problem: "was edited: its content does not match its hash".to_string(),
                    });
                }
                prev_hash = stored_hash;
                expected_seq = seq + 1;
            }
        }
        let head = sqlx::query(HEAD_SELECT).fetch_optional(self.pool()).await?;
        match head.as_ref().map(HeadRow::try_from).transpose()? {
            Some(h) => {
                let HeadRow { seq, hash } = h;
                if seq != last_seen || hash != prev_hash {
                    problems.push(AuditProblem {
                        seq,
                        problem: format!(
                            "the chain ends at entry {last_seen} but its recorded head is entry {seq}: entries were deleted or the head was edited"
                        ),
                    });
                }
            }
            None if entries > 0 => problems.push(AuditProblem {
                seq: 0,
                problem: "the chain's head record is missing".to_string(),
            }),
            None => {}
        }
        Ok(AuditReport {
            entries,
            head_hash: prev_hash,
            problems,
        })
    }
}
