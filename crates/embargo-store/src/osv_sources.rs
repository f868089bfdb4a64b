//! What the OSV query answers with: an imported advisory's OSV document exactly as its
//! database published it, any other publication exported from the model. The imported
//! documents are kept in `publication_osv_sources` (migration 23) beside the publication
//! that holds them too: a query reads only the bytes it sends, in narrow rows, instead of
//! whole publications whose source is one escaped string to parse and unescape (that was
//! most of an answer's cost when it was not kept in memory).

use embargo_core::Publication;
use serde::Deserialize;

use crate::error::StoreError;
use crate::{Store, Tx};

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
    /// Keeps the OSV source of a publication just written (inserted, revised or
    /// withdrawn), instead of the one it had; none if it has none.
    pub(crate) async fn keep_osv_source(&mut self, p: &Publication) -> Result<(), StoreError> {
        let query = match p.osv_source.as_deref().filter(|s| is_json_object(s)) {
            Some(source) => sqlx::query(
                "INSERT INTO publication_osv_sources (publication_id, source) VALUES ($1, $2) \
                 ON CONFLICT (publication_id) DO UPDATE SET source = excluded.source",
            )
            .bind(&p.id)
            .bind(source),
            None => sqlx::query("DELETE FROM publication_osv_sources WHERE publication_id = $1")
                .bind(&p.id),
        };
        query.execute(self.conn()).await?;
        Ok(())
    }
}

impl Store {
    /// What the OSV query answers with for these ids, in the order given (an id with no
    /// publication is left out): the kept sources, and the other publications read whole.
    pub async fn osv_sources_with_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, OsvSource)>, StoreError> {
        let mut found: std::collections::HashMap<String, OsvSource> = self
            .texts_by_id("publication_osv_sources", "publication_id", "source", ids)
            .await?
            .into_iter()
            .map(|(id, source)| (id, OsvSource::Imported(source)))
            .collect();
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
