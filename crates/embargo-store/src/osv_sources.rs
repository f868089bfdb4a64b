//! What the OSV query answers with: an imported advisory's OSV document exactly as its
//! database published it, any other publication exported from the model. The imported
//! documents are kept in `publication_osv_sources` (migration 23) beside the publication
//! that holds them too: a query reads only the bytes it sends, in narrow rows, instead of
//! whole publications whose source is one escaped string to parse and unescape (that was
//! most of an answer's cost when it was not kept in memory).

use embargo_core::Publication;
use serde::Deserialize;
use sqlx::Row;

use crate::error::StoreError;
use crate::{Backend, Store, Tx};

/// A publication as the OSV query answers with it.
#[derive(Debug, Clone, PartialEq)]
pub enum OsvSource {
    /// Imported from an OSV database: the document as kept at import (a JSON object,
    /// written by `serde_json` from its parsed value), given back as published.
    Imported(String),
    /// Any other: exported from the model.
    Publication(Box<Publication>),
}

impl OsvSource {
    /// From a publication's stored document (one without a kept source).
    fn read(document: &str) -> Result<Self, StoreError> {
        /// The one field wanted: the rest is skipped, not built.
        #[derive(Deserialize)]
        struct SourceOnly {
            #[serde(default)]
            osv_source: Option<String>,
        }
        let corrupt = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
        match serde_json::from_str::<SourceOnly>(document)
            .map_err(corrupt)?
            .osv_source
        {
            Some(source) if is_json_object(&source) => Ok(Self::Imported(source)),
            _ => Ok(Self::Publication(Box::new(
                serde_json::from_str(document).map_err(corrupt)?,
            ))),
        }
    }
}

/// As `embargo_formats::osv::document` decides: a source that is not a JSON object is no
/// source, and the model is exported instead.
fn is_json_object(text: &str) -> bool {
    text.trim_start().starts_with('{')
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

impl Tx {
    /// Keeps the OSV source of a publication just inserted, if it has one.
    pub(crate) async fn keep_osv_source(&mut self, p: &Publication) -> Result<(), StoreError> {
        if let Some(source) = p.osv_source.as_deref().filter(|s| is_json_object(s)) {
            sqlx::query(
                "INSERT INTO publication_osv_sources (publication_id, source) VALUES ($1, $2)",
            )
            .bind(&p.id)
            .bind(source)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Keeps the OSV source of a publication just revised (or withdrawn) instead of the
    /// one it had.
    pub(crate) async fn keep_osv_source_again(
        &mut self,
        p: &Publication,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM publication_osv_sources WHERE publication_id = $1")
            .bind(&p.id)
            .execute(self.conn())
            .await?;
        self.keep_osv_source(p).await
    }
}

impl Store {
    /// What the OSV query answers with for these ids, in the order given (an id with no
    /// publication is left out): the kept sources, and the other publications read whole.
    pub async fn osv_sources_with_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, OsvSource)>, StoreError> {
        if ids.is_empty() {
            // Most queries match nothing: no round trip for them.
            return Ok(Vec::new());
        }
        // One parameter, a JSON array: one statement text whatever the page's size (it
        // stays prepared), and no list of parameters to bind by name.
        let list = match self.backend() {
            Backend::Sqlite => "SELECT value FROM json_each($1)",
            Backend::Postgres => "SELECT json_array_elements_text($1::json)",
        };
        let sql = format!(
            "SELECT publication_id, source FROM publication_osv_sources \
             WHERE publication_id IN ({list})"
        );
        let ids_json =
            serde_json::to_string(ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut found = std::collections::HashMap::with_capacity(ids.len());
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ids_json)
            .fetch_all(self.pool())
            .await?
        {
            let id: String = r.try_get(0)?;
            found.insert(id, OsvSource::Imported(r.try_get(1)?));
        }
        if found.len() < ids.len() {
            let rest: Vec<String> = ids
                .iter()
                .filter(|id| !found.contains_key(*id))
                .cloned()
                .collect();
            for (id, document) in self.documents_with_ids(&rest).await? {
                found.insert(id, OsvSource::read(&document)?);
            }
        }
        Ok(ids
            .iter()
            .filter_map(|id| Some((id.clone(), found.remove(id)?)))
            .collect())
    }
}
