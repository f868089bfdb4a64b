//! Case references (`EMB-2026-0042`): sequential per year of receipt, given when the case
//! is stored, in the same transaction. The team reads and types them; the UUID stays the key.

use std::collections::BTreeMap;

use embargo_core::CaseId;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sqlx::Row;

use crate::codec::parse;
use crate::error::StoreError;
use crate::{Store, Tx};

/// The prefix of every case reference. Advisory ids have their own (`[publication]
/// id_prefix`), so a case is never mistaken for an advisory.
pub const CASE_REFERENCE_PREFIX: &str = "EMB";

/// Whether `s` is written like a case reference (`EMB-2026-0042`, any case).
pub fn looks_like_case_reference(s: &str) -> bool {
    let mut parts = s.split('-');
    let (Some(prefix), Some(year), Some(number), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    prefix.eq_ignore_ascii_case(CASE_REFERENCE_PREFIX)
        && year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && (4..=9).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

impl Tx {
    /// The next references, one per case received at `times`, in that order: one counter
    /// update per year, however many cases.
    pub(crate) async fn next_case_references(
        &mut self,
        times: impl Iterator<Item = Timestamp>,
    ) -> Result<Vec<String>, StoreError> {
        let years: Vec<i64> = times
            .map(|t| i64::from(TimeZone::UTC.to_datetime(t).year()))
            .collect();
        let mut next: BTreeMap<i64, i64> = BTreeMap::new();
        for year in &years {
            *next.entry(*year).or_default() += 1;
        }
        for (year, count) in next.iter_mut() {
            let row = sqlx::query(
                "INSERT INTO case_counters (year, last) VALUES ($1, $2) \
                 ON CONFLICT (year) DO UPDATE SET last = case_counters.last + $2 RETURNING last",
            )
            .bind(*year)
            .bind(*count)
            .fetch_one(self.conn())
            .await?;
            let last: i64 = row.try_get("last")?;
            // From now on: the first number of this year's run.
            *count = last - *count + 1;
        }
        Ok(years
            .iter()
            .map(|year| {
                let number = next.get_mut(year).map_or(0, |n| {
                    *n += 1;
                    *n - 1
                });
                format!("{CASE_REFERENCE_PREFIX}-{year}-{number:04}")
            })
            .collect())
    }

    pub async fn case_reference(&mut self, id: CaseId) -> Result<String, StoreError> {
        sqlx::query_scalar("SELECT reference FROM cases WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::NotFound)
    }
}

impl Store {
    /// The case's reference.
    pub async fn case_reference(&self, id: CaseId) -> Result<String, StoreError> {
        sqlx::query_scalar("SELECT reference FROM cases WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The case a reference names (any letter case).
    pub async fn case_by_reference(&self, reference: &str) -> Result<CaseId, StoreError> {
        let id: Option<String> = sqlx::query_scalar("SELECT id FROM cases WHERE reference = $1")
            .bind(reference.trim().to_ascii_uppercase())
            .fetch_optional(self.pool())
            .await?;
        parse(&id.ok_or(StoreError::NotFound)?)
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_case_reference;

    #[test]
    fn references_are_recognized() {
        assert!(looks_like_case_reference("EMB-2026-0042"));
        assert!(looks_like_case_reference("emb-2026-12345"));
        assert!(!looks_like_case_reference("EMB-26-0042"));
        assert!(!looks_like_case_reference("GHSA-2026-0042"));
        assert!(!looks_like_case_reference("EMB-2026-42"));
        assert!(!looks_like_case_reference(
            "13f066bd-0000-4000-8000-000000000000"
        ));
    }
}

/// What a digest of new reports says about one case (never its text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReportLine {
    pub case_id: CaseId,
    pub reference: String,
    pub project: String,
    pub received_at: Timestamp,
    pub acknowledge_by: Timestamp,
}

impl Store {
    /// The digest lines of the cases `ids` names, in the order they were received; a case
    /// that is gone is left out. One query for the lot: loading 200 whole cases for a
    /// digest read about 1,200 rows while a flood was being filed.
    pub async fn new_report_lines(&self, ids: &[CaseId]) -> Result<Vec<NewReportLine>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, reference, project, received_at, acknowledge_by FROM cases \
             WHERE id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(id.to_string());
        }
        let mut lines = Vec::with_capacity(ids.len());
        for row in query.fetch_all(self.pool()).await? {
            let id: String = row.try_get("id")?;
            lines.push(NewReportLine {
                case_id: parse(&id)?,
                reference: row.try_get("reference")?,
                project: row.try_get("project")?,
                received_at: crate::codec::from_ts(row.try_get("received_at")?)?,
                acknowledge_by: crate::codec::from_ts(row.try_get("acknowledge_by")?)?,
            });
        }
        // References count up ("EMB-2026-10000" after "-9999").
        lines.sort_by(|a, b| {
            (a.received_at, a.reference.len(), &a.reference).cmp(&(
                b.received_at,
                b.reference.len(),
                &b.reference,
            ))
        });
        Ok(lines)
    }
}
