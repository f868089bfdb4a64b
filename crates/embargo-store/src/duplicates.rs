//! What the duplicate hints compare a new report with: the project's open and recent
//! cases (as a Coordinator may see them), the public advisories that name an id or a
//! package the report names, and the reporter's earlier outcomes.

use embargo_core::{CaseId, CaseState, Publication, UserId};
use jiff::Timestamp;
use sqlx::Row;

use crate::Store;
use crate::codec::{escape_like, from_ts, parse, parse_opt, ts};
use crate::error::StoreError;

/// A case a new report may duplicate. Private: for the team's eyes.
#[derive(Debug, Clone)]
pub struct CandidateCase {
    pub id: CaseId,
    pub reference: String,
    pub state: CaseState,
    pub title: String,
    pub description: String,
    pub received_at: Timestamp,
}

/// The most cases one hint search reads: the most recent ones.
const MAX_CANDIDATES: i64 = 2000;

/// The most words of a report looked up as package names.
const MAX_PACKAGE_WORDS: usize = 200;

/// How the reporter's earlier reports ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReporterRecord {
    pub earlier: i64,
    pub rejected: i64,
    pub spam: i64,
}

impl Store {
    /// Cases of `project` other than `except`, open or received since `since`, that a
    /// Coordinator `viewer` may see (not the ones they reported), newest first.
    pub async fn duplicate_candidates(
        &self,
        project: &str,
        except: CaseId,
        viewer: UserId,
        since: Timestamp,
    ) -> Result<Vec<CandidateCase>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, c.reference, c.state, c.resolution, c.reject_reason, c.duplicate_of, \
             r.title, r.description, c.received_at \
             FROM cases c JOIN reports r ON r.case_id = c.id \
             WHERE c.project = $1 AND c.id <> $2 \
               AND (c.reporter_user IS NULL OR c.reporter_user <> $3) \
               AND (c.state NOT IN ('published', 'closed') OR c.received_at >= $4) \
             ORDER BY c.received_at DESC, c.id LIMIT $5",
        )
        .bind(project)
        .bind(except.to_string())
        .bind(viewer.to_string())
        .bind(ts(since))
        .bind(MAX_CANDIDATES)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CandidateCase {
                    id: parse(&r.try_get::<String, _>("id")?)?,
                    reference: r
                        .try_get::<Option<String>, _>("reference")?
                        .unwrap_or_default(),
                    state: crate::codec::case_state(r)?,
                    title: r.try_get("title")?,
                    description: r.try_get("description")?,
                    received_at: from_ts(r.try_get("received_at")?)?,
                })
            })
            .collect()
    }

    /// Publications (with their case, if any) known by `id`: their own id, CVE id or an
    /// alias their source gave (any letter case).
    pub async fn publications_with_id(
        &self,
        id: &str,
    ) -> Result<Vec<(Publication, Option<CaseId>)>, StoreError> {
        let id = id.to_lowercase();
        let rows = sqlx::query(
            "SELECT document, case_id, search FROM publications WHERE search LIKE $1 ESCAPE '\\' \
             ORDER BY published_at DESC, id LIMIT 20",
        )
        .bind(format!("%{}%", escape_like(&id)))
        .fetch_all(self.pool())
        .await?;
        let mut found = Vec::new();
        for row in &rows {
            // The search text holds one key per line: a whole line, not a part of one.
            let search: String = row.try_get("search")?;
            if search.lines().any(|l| l.trim() == id) {
                found.push(publication_and_case(row)?);
            }
        }
        Ok(found)
    }

    /// The packages (purl type, name) of public advisories whose name is one of `words`
    /// (lower-case): the packages a report names in passing.
    pub async fn packages_named(
        &self,
        words: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let words: Vec<&String> = words.iter().take(MAX_PACKAGE_WORDS).collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (1..=words.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT DISTINCT purl_type, name FROM publication_packages WHERE name IN ({}) \
             ORDER BY purl_type, name",
            list.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for w in words {
            query = query.bind(w.as_str());
        }
        query
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get("purl_type")?, r.try_get("name")?)))
            .collect()
    }

    /// Publications naming the package, with their case if any (newest first, at most
    /// `limit`).
    pub async fn publications_of_package(
        &self,
        purl_type: &str,
        name: &str,
        limit: i64,
    ) -> Result<Vec<(Publication, Option<CaseId>)>, StoreError> {
        sqlx::query(
            "SELECT p.document, p.case_id FROM publications p \
             JOIN publication_packages k ON k.publication_id = p.id \
             WHERE k.purl_type = $1 AND k.name = $2 \
             ORDER BY p.published_at DESC, p.id DESC LIMIT $3",
        )
        .bind(purl_type)
        .bind(name)
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(publication_and_case)
        .collect()
    }

    /// How the other reports from this address (or signed-in reporter) ended.
    pub async fn reporter_record(
        &self,
        except: CaseId,
        email: Option<&str>,
        user: Option<UserId>,
    ) -> Result<ReporterRecord, StoreError> {
        if email.is_none() && user.is_none() {
            return Ok(ReporterRecord::default());
        }
        let row = sqlx::query(
            "SELECT COUNT(*) AS earlier, \
             COALESCE(SUM(CASE WHEN c.resolution = 'rejected' THEN 1 ELSE 0 END), 0) AS rejected, \
             COALESCE(SUM(CASE WHEN c.resolution = 'spam' THEN 1 ELSE 0 END), 0) AS spam \
             FROM cases c JOIN reports r ON r.case_id = c.id \
             WHERE c.id <> $1 AND ((CAST($2 AS TEXT) IS NOT NULL AND LOWER(r.reporter_email) = LOWER($2)) \
               OR (CAST($3 AS TEXT) IS NOT NULL AND c.reporter_user = $3))",
        )
        .bind(except.to_string())
        .bind(email)
        .bind(user.map(|u| u.to_string()))
        .fetch_one(self.pool())
        .await?;
        Ok(ReporterRecord {
            earlier: row.try_get("earlier")?,
            rejected: row.try_get("rejected")?,
            spam: row.try_get("spam")?,
        })
    }
}

fn publication_and_case(
    r: &sqlx::any::AnyRow,
) -> Result<(Publication, Option<CaseId>), StoreError> {
    let document: String = r.try_get("document")?;
    let publication =
        serde_json::from_str(&document).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok((publication, parse_opt(r.try_get("case_id")?)?))
}
