//! Advisory drafts (private until publication) and publications (the frozen public
//! documents every public page, feed, export and query reads).

use embargo_core::{Advisory, CaseId, Credit, Publication, UserId};
use jiff::Timestamp;
use sqlx::Row;

use crate::codec::{from_ts, opt_ts, parse, parse_opt, ts};
use crate::error::StoreError;
use crate::{Store, Tx};

/// A case's advisory draft and whether its current revision's preview was approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryDraft {
    pub advisory: Advisory,
    pub revision: i64,
    pub updated_by: UserId,
    pub updated_at: Timestamp,
    pub approved_revision: Option<i64>,
    pub approved_by: Option<UserId>,
    pub approved_at: Option<Timestamp>,
    /// The reporter's credit as the approved preview showed it: `Some(None)` when it showed
    /// none (anonymous); `None` when approved before credits were frozen, or never.
    pub approved_credit: Option<Option<Credit>>,
}

impl AdvisoryDraft {
    /// Whether a Coordinator approved the preview of exactly this revision.
    pub fn approved(&self) -> bool {
        self.approved_revision == Some(self.revision)
    }
}

/// What the store keeps of a publication besides the document: search keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublication {
    pub publication: Publication,
    pub case_id: Option<CaseId>,
    /// "critical", "high", ... or none.
    pub severity: Option<String>,
    /// Lower-case text the index's search box matches.
    pub search: String,
    /// (purl type, package name as its ecosystem writes it, lower-case).
    pub packages: Vec<(String, String)>,
}

/// Where a page of publications starts: a position in the newest-first order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor {
    pub published: jiff::Timestamp,
    pub id: String,
}

/// Which page: the newest, or the one just older or just newer than a cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageFrom {
    Newest,
    Older(PageCursor),
    Newer(PageCursor),
}

/// Filters of the public index; every given one must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicationFilter {
    /// Words whose starts are looked for in ids, aliases, titles and package names (see
    /// `public_search`).
    pub text: Option<String>,
    pub severity: Option<String>,
}

impl Tx {
    pub async fn advisory_draft_in(
        &mut self,
        case_id: CaseId,
    ) -> Result<Option<AdvisoryDraft>, StoreError> {
        let row = sqlx::query(DRAFT_SELECT)
            .bind(case_id.to_string())
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(draft_of).transpose()
    }

    /// Saves a new revision if `expected` is the current one (0: no draft yet); returns the
    /// new revision, or `Stale` when someone saved in between.
    pub async fn save_advisory_draft(
        &mut self,
        case_id: CaseId,
        expected: i64,
        advisory: &Advisory,
        by: UserId,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let body =
            serde_json::to_string(advisory).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let done = if expected == 0 {
            sqlx::query(
                "INSERT INTO advisory_drafts (case_id, body, revision, updated_by, updated_at) \
                 VALUES ($1, $2, 1, $3, $4) ON CONFLICT (case_id) DO NOTHING",
            )
            .bind(case_id.to_string())
            .bind(&body)
            .bind(by.to_string())
            .bind(ts(now))
            .execute(self.conn())
            .await?
        } else {
            sqlx::query(
                "UPDATE advisory_drafts SET body = $1, revision = revision + 1, updated_by = $2, updated_at = $3 \
                 WHERE case_id = $4 AND revision = $5",
            )
            .bind(&body)
            .bind(by.to_string())
            .bind(ts(now))
            .bind(case_id.to_string())
            .bind(expected)
            .execute(self.conn())
            .await?
        };
        if done.rows_affected() != 1 {
            return Err(StoreError::Stale);
        }
        Ok(expected + 1)
    }

    /// Records the approval of `revision`'s preview, freezing the reporter's credit it
    /// showed; `Stale` if the draft moved on.
    pub async fn approve_advisory_draft(
        &mut self,
        case_id: CaseId,
        revision: i64,
        reporter_credit: Option<&Credit>,
        by: UserId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let credit = serde_json::to_string(&reporter_credit)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let done = sqlx::query(
            "UPDATE advisory_drafts SET approved_revision = revision, approved_by = $1, approved_at = $2, \
             approved_credit = $5 WHERE case_id = $3 AND revision = $4",
        )
        .bind(by.to_string())
        .bind(ts(now))
        .bind(case_id.to_string())
        .bind(revision)
        .bind(credit)
        .execute(self.conn())
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Stale);
        }
        Ok(())
    }

    /// The reporter changed their credit choice: the draft, if any, gets a new revision of
    /// the same text, so an approval (or a preview still open) of the old one no longer
    /// counts. Returns whether that withdrew the approval of the current revision.
    pub async fn revise_for_credit(&mut self, case_id: CaseId) -> Result<bool, StoreError> {
        let approved: Option<i64> = sqlx::query_scalar(
            "SELECT CASE WHEN approved_revision = revision THEN 1 ELSE 0 END \
             FROM advisory_drafts WHERE case_id = $1",
        )
        .bind(case_id.to_string())
        .fetch_optional(self.conn())
        .await?;
        sqlx::query("UPDATE advisory_drafts SET revision = revision + 1 WHERE case_id = $1")
            .bind(case_id.to_string())
            .execute(self.conn())
            .await?;
        Ok(approved == Some(1))
    }

    /// The next number of `year` in the installation's advisory ids.
    pub async fn next_advisory_number(&mut self, year: i16) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO advisory_counters (year, last) VALUES ($1, 1) \
             ON CONFLICT (year) DO UPDATE SET last = advisory_counters.last + 1 RETURNING last",
        )
        .bind(i64::from(year))
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get("last")?)
    }

    /// Stores a publication; `Conflict` if its id exists (an import of the same file twice).
    pub async fn insert_publication(
        &mut self,
        new: &NewPublication,
        source: &str,
    ) -> Result<(), StoreError> {
        let p = &new.publication;
        let document = serde_json::to_string(p).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        // ON CONFLICT rather than catching the violation: on PostgreSQL a failed statement
        // aborts the whole transaction, and an import goes on after an existing id.
        let inserted = sqlx::query(
            "INSERT INTO publications (id, case_id, document, published_at, modified_at, source, severity, search) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&p.id)
        .bind(new.case_id.map(|c| c.to_string()))
        .bind(document)
        .bind(ts(p.published))
        .bind(ts(p.modified))
        .bind(source)
        .bind(&new.severity)
        .bind(&new.search)
        .execute(self.conn())
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::Conflict(format!(
                "an advisory with the id {} exists already",
                p.id
            )));
        }
        self.insert_packages(p, &new.packages).await?;
        self.keep_osv_source(p).await
    }
}

impl Tx {
    /// The packages a publication names, each with the publication's matcher.
    async fn insert_packages(
        &mut self,
        p: &Publication,
        packages: &[(String, String)],
    ) -> Result<(), StoreError> {
        let matcher = crate::PackageMatcher::text(p)?;
        for (ty, name) in packages {
            sqlx::query(
                "INSERT INTO publication_packages (publication_id, purl_type, name, matcher) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(&p.id)
            .bind(ty)
            .bind(name)
            .bind(&matcher)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Replaces a publication's document and search keys (a revision); the id, case and
    /// first publication stay.
    /// A publication and where it came from (`case` or `import`), read in the transaction.
    pub async fn publication_with_source(
        &mut self,
        id: &str,
    ) -> Result<Option<(Publication, String)>, StoreError> {
        let row = sqlx::query("SELECT document, source FROM publications WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.map(|r| Ok((publication_of(&r)?, r.try_get::<String, _>(1)?)))
            .transpose()
    }

    pub async fn update_publication(&mut self, new: &NewPublication) -> Result<(), StoreError> {
        let p = &new.publication;
        let document = serde_json::to_string(p).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let done = sqlx::query(
            "UPDATE publications SET document = $1, modified_at = $2, severity = $3, search = $4 WHERE id = $5",
        )
        .bind(document)
        .bind(ts(p.modified))
        .bind(&new.severity)
        .bind(&new.search)
        .bind(&p.id)
        .execute(self.conn())
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM publication_packages WHERE publication_id = $1")
            .bind(&p.id)
            .execute(self.conn())
            .await?;
        // Its ranges may have changed: the commits are worked out again on the next
        // `osv index-commits`.
        sqlx::query("DELETE FROM publication_commits WHERE publication_id = $1")
            .bind(&p.id)
            .execute(self.conn())
            .await?;
        self.insert_packages(p, &new.packages).await?;
        self.keep_osv_source(p).await
    }

    /// Replaces the commits of `repo` that a publication's GIT ranges affect.
    pub async fn replace_publication_commits(
        &mut self,
        publication_id: &str,
        repo: &str,
        commits: &[String],
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM publication_commits WHERE publication_id = $1 AND repo = $2")
            .bind(publication_id)
            .bind(repo)
            .execute(self.conn())
            .await?;
        for commit in commits {
            sqlx::query(
                "INSERT INTO publication_commits (publication_id, repo, commit_hash) VALUES ($1, $2, $3)",
            )
            .bind(publication_id)
            .bind(repo)
            .bind(commit)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }
}

const DRAFT_SELECT: &str = "SELECT body, revision, updated_by, updated_at, approved_revision, approved_by, approved_at, \
     approved_credit FROM advisory_drafts WHERE case_id = $1";

fn draft_of(r: &sqlx::any::AnyRow) -> Result<AdvisoryDraft, StoreError> {
    let body: String = r.try_get("body")?;
    Ok(AdvisoryDraft {
        advisory: serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        revision: r.try_get("revision")?,
        updated_by: parse(&r.try_get::<String, _>("updated_by")?)?,
        updated_at: from_ts(r.try_get("updated_at")?)?,
        approved_revision: r.try_get("approved_revision")?,
        approved_by: parse_opt(r.try_get("approved_by")?)?,
        approved_at: opt_ts(r.try_get("approved_at")?)?,
        approved_credit: r
            .try_get::<Option<String>, _>("approved_credit")?
            .map(|c| serde_json::from_str(&c))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

fn publication_of(r: &sqlx::any::AnyRow) -> Result<Publication, StoreError> {
    let document: String = r.try_get("document")?;
    serde_json::from_str(&document).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    pub async fn advisory_draft(
        &self,
        case_id: CaseId,
    ) -> Result<Option<AdvisoryDraft>, StoreError> {
        let row = sqlx::query(DRAFT_SELECT)
            .bind(case_id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(draft_of).transpose()
    }

    /// One page of the published advisories matching `filter`, newest first: from the
    /// newest, or the `limit` just older (`PageFrom::Older`) or just newer
    /// (`PageFrom::Newer`) than a cursor (keyset paging on publication time and id, so a
    /// page costs the same wherever it is).
    pub async fn publications_page(
        &self,
        filter: &PublicationFilter,
        from: &PageFrom,
        limit: i64,
    ) -> Result<Vec<Publication>, StoreError> {
        let mut conditions = Vec::new();
        let mut texts = Vec::new();
        if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
            match crate::public_search::query(text, self.backend()) {
                Some(q) => {
                    texts.push(q);
                    let param = format!("${}", texts.len());
                    conditions.push(crate::public_search::condition(&param, self.backend()));
                }
                // Nothing searchable was typed: nothing matches.
                None => return Ok(Vec::new()),
            }
        }
        if let Some(severity) = &filter.severity {
            texts.push(severity.clone());
            conditions.push(format!("severity = ${}", texts.len()));
        }
        // Keyset paging by row values, which both databases read as one range of the
        // (published_at, id) index.
        let (order, cursor) = match from {
            PageFrom::Newest => ("DESC", None),
            PageFrom::Older(c) => ("DESC", Some(("<", c))),
            PageFrom::Newer(c) => ("ASC", Some((">", c))),
        };
        let n = texts.len();
        if let Some((op, _)) = cursor {
            conditions.push(format!("(published_at, id) {op} (${}, ${})", n + 1, n + 2));
        }
        let limit_param = n + 1 + if cursor.is_some() { 2 } else { 0 };
        // The page's ids are chosen and sorted first, then their documents read: a search
        // may match hundreds, and sorting the ids alone spares copying every document.
        let sql = format!(
            "SELECT p.document FROM publications p JOIN ( \
               SELECT id AS chosen FROM publications {} \
               ORDER BY published_at {order}, id {order} LIMIT ${limit_param} \
             ) page ON p.id = page.chosen \
             ORDER BY p.published_at {order}, p.id {order}",
            if conditions.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", conditions.join(" AND "))
            }
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for text in &texts {
            query = query.bind(text.as_str());
        }
        if let Some((_, c)) = cursor {
            query = query.bind(ts(c.published)).bind(c.id.clone());
        }
        let rows = query.bind(limit).fetch_all(self.pool()).await?;
        let mut page: Vec<Publication> =
            rows.iter().map(publication_of).collect::<Result<_, _>>()?;
        if matches!(from, PageFrom::Newer(_)) {
            page.reverse();
        }
        Ok(page)
    }

    /// Published advisories, newest first, matching `filter`, at most `limit`.
    pub async fn publications(
        &self,
        filter: &PublicationFilter,
        limit: i64,
    ) -> Result<Vec<Publication>, StoreError> {
        self.publications_page(filter, &PageFrom::Newest, limit)
            .await
    }

    /// This installation's own publications (from its cases), oldest first: what exports
    /// and the CSAF provider distribute unless imported history is asked for.
    pub async fn own_publications(&self) -> Result<Vec<Publication>, StoreError> {
        sqlx::query(
            "SELECT document FROM publications WHERE source = 'case' ORDER BY published_at, id",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(publication_of)
        .collect()
    }

    pub async fn publication(&self, id: &str) -> Result<Publication, StoreError> {
        let row = sqlx::query("SELECT document FROM publications WHERE id = $1")
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        publication_of(&row)
    }

    /// Publications whose id is `lower` in lower case (CSAF file names are lower-case ids).
    pub async fn publications_by_lower_id(
        &self,
        lower: &str,
    ) -> Result<Vec<Publication>, StoreError> {
        sqlx::query("SELECT document FROM publications WHERE lower(id) = $1")
            .bind(lower)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(publication_of)
            .collect()
    }

    /// The publication of a case, if it was published.
    pub async fn publication_of_case(
        &self,
        case_id: CaseId,
    ) -> Result<Option<Publication>, StoreError> {
        let row = sqlx::query("SELECT document FROM publications WHERE case_id = $1")
            .bind(case_id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(publication_of).transpose()
    }

    /// Publications whose GIT ranges affect the commit (full hash, lower-case).
    pub async fn publications_at_commit(
        &self,
        commit: &str,
    ) -> Result<Vec<Publication>, StoreError> {
        sqlx::query(
            "SELECT DISTINCT p.document, p.id FROM publications p \
             JOIN publication_commits c ON c.publication_id = p.id \
             WHERE c.commit_hash = $1 ORDER BY p.id",
        )
        .bind(commit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(publication_of)
        .collect()
    }
}
