//! What the OSV query needs of each publication, kept beside each package it names
//! (`publication_packages.matcher`): whether it was withdrawn, and its affected packages
//! (the source's OSV `affected` entries for an imported advisory, the model's otherwise).
//! A query reads these few hundred bytes for every advisory naming the package, and whole
//! documents only for the page it answers with. (In `publications` itself, the matcher
//! would sit behind the document's overflow pages.)

use embargo_core::{Affected, Publication};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::error::StoreError;
use crate::{Store, Tx};

/// A publication's package matcher (`publication_packages.matcher`, JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PackageMatcher {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// `{"affected": [...]}` of the source's OSV document, when it was imported from one:
    /// all of it is evaluated (ranges of several stretches, `limit`, version lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osv: Option<serde_json::Value>,
    /// The model's affected packages otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
}

impl PackageMatcher {
    pub fn of(p: &Publication) -> Self {
        let osv = p.osv_source.as_deref().map(|source| {
            let affected = serde_json::from_str::<serde_json::Value>(source)
                .ok()
                .and_then(|mut doc| doc.get_mut("affected").map(serde_json::Value::take))
                .unwrap_or(serde_json::Value::Null);
            serde_json::json!({ "affected": affected })
        });
        Self {
            withdrawn: p.withdrawn.is_some(),
            affected: if osv.is_some() {
                Vec::new()
            } else {
                p.advisory.affected.clone()
            },
            osv,
        }
    }

    pub(crate) fn text(p: &Publication) -> Result<String, StoreError> {
        serde_json::to_string(&Self::of(p)).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

impl Tx {
    /// Writes the matcher of a publication beside each package it names.
    async fn write_matcher(&mut self, p: &Publication) -> Result<(), StoreError> {
        sqlx::query("UPDATE publication_packages SET matcher = $1 WHERE publication_id = $2")
            .bind(PackageMatcher::text(p)?)
            .bind(&p.id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Store {
    /// The id and matcher of every publication naming the package (purl type, lower-case
    /// name).
    pub async fn matchers_naming(
        &self,
        purl_type: &str,
        name: &str,
    ) -> Result<Vec<(String, PackageMatcher)>, StoreError> {
        let rows = sqlx::query(
            "SELECT publication_id AS id, matcher FROM publication_packages \
             WHERE purl_type = $1 AND name = $2",
        )
        .bind(purl_type)
        .bind(name)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let text: Option<String> = r.try_get("matcher")?;
                let matcher = serde_json::from_str(text.as_deref().unwrap_or("{}"))
                    .map_err(|e| StoreError::Corrupt(format!("matcher of {id}: {e}")))?;
                Ok((id, matcher))
            })
            .collect()
    }

    /// How many times the publications or their packages have changed (kept by triggers):
    /// what the OSV query kept in memory is current while this stays the same.
    pub async fn publication_generation(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT generation FROM publication_generation WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// The publications with these ids, in the order given (the ids of a query's page).
    pub async fn publications_with_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<Publication>, StoreError> {
        self.documents_with_ids(ids)
            .await?
            .iter()
            .map(|(_, document)| {
                serde_json::from_str(document).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }

    /// The stored documents of the publications with these ids, in the order given (an id
    /// with no publication is left out).
    pub(crate) async fn documents_with_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut found = self
            .texts_by_id("publications", "id", "document", ids)
            .await?;
        Ok(ids
            .iter()
            .filter_map(|id| Some((id.clone(), found.remove(id)?)))
            .collect())
    }

    /// `value` of the rows of `table` whose `key` is one of `ids`, by key (names written in
    /// this crate, never given by a user).
    pub(crate) async fn texts_by_id(
        &self,
        table: &'static str,
        key: &'static str,
        value: &'static str,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        if ids.is_empty() {
            // Most queries match nothing: no round trip for them.
            return Ok(std::collections::HashMap::new());
        }
        // One parameter, a JSON array: one statement text whatever the page's size (it
        // stays prepared), and no list of parameters to bind by name.
        let list = match self.backend() {
            crate::Backend::Sqlite => "SELECT value FROM json_each($1)",
            crate::Backend::Postgres => "SELECT json_array_elements_text($1::json)",
        };
        let sql = format!("SELECT {key}, {value} FROM {table} WHERE {key} IN ({list})");
        let ids_json =
            serde_json::to_string(ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ids_json)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Fills the matchers of publications stored before they were kept (once, after the
    /// upgrade that added them), a thousand at a time.
    pub(crate) async fn backfill_matchers(&self) -> Result<(), StoreError> {
        loop {
            let rows = sqlx::query(
                "SELECT document FROM publications WHERE id IN (SELECT DISTINCT publication_id \
                 FROM publication_packages WHERE matcher IS NULL ORDER BY publication_id LIMIT 1000)",
            )
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut tx = self.begin().await?;
            for r in &rows {
                let document: String = r.try_get("document")?;
                let p: Publication = serde_json::from_str(&document)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                tx.write_matcher(&p).await?;
            }
            tx.commit().await?;
        }
    }
}
