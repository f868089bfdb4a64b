//! The public side: published advisories only, for anyone (no principal). Everything here
//! reads the frozen `publications`, never a case.

use embargo_core::{CreditKind, Publication};
use embargo_formats::import::Imported;
use embargo_store::PublicationFilter;
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::advisory::index_entry;
use crate::error::AppError;
use crate::principal::Principal;

/// How many advisories one index page lists at most.
pub const INDEX_LIMIT: i64 = 500;

/// A person thanked on the public list, with the advisories they are credited on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thanks {
    pub name: String,
    pub link: Option<String>,
    pub advisories: Vec<(String, String)>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub imported: Vec<String>,
    /// Ids imported before and now given with a newer `modified`: stored as a new revision.
    pub updated: Vec<String>,
    /// Ids that exist already, unchanged (importing the same history twice adds nothing;
    /// an older or equal `modified` changes nothing).
    pub existing: Vec<String>,
    /// Advisories that no export could carry (a bad link, range or vector), with why.
    pub refused: Vec<(String, String)>,
}

impl App {
    pub async fn published(
        &self,
        filter: &PublicationFilter,
    ) -> Result<Vec<Publication>, AppError> {
        Ok(self.store.publications(filter, INDEX_LIMIT).await?)
    }

    pub async fn published_advisory(&self, id: &str) -> Result<Publication, AppError> {
        Ok(self.store.publication(id).await?)
    }

    /// The advisory behind a CSAF file name (`example-2026-0001.json`), if any.
    pub async fn published_by_csaf_path(
        &self,
        year: &str,
        file: &str,
    ) -> Result<Publication, AppError> {
        let wanted = format!("{year}/{file}");
        let lower = file.strip_suffix(".json").ok_or(AppError::NotFound)?;
        // Ids made of letters, digits and dashes map to their file name one to one; any
        // other id needs the CSAF renaming compared for each.
        let mut candidates = self.store.publications_by_lower_id(lower).await?;
        // Only a name with the renaming's "_" can belong to such an id.
        if candidates.is_empty() && lower.contains('_') {
            candidates = self.all_published().await?;
        }
        candidates
            .into_iter()
            .find(|p| embargo_formats::csaf::path(p) == wanted)
            .ok_or(AppError::NotFound)
    }

    /// Every published advisory, oldest first (exports, feeds).
    pub async fn all_published(&self) -> Result<Vec<Publication>, AppError> {
        let mut all = self
            .store
            .publications(&PublicationFilter::default(), i64::MAX)
            .await?;
        all.reverse();
        Ok(all)
    }

    /// What an export writes: this organization's own advisories, and with
    /// `include_imported` the history imported from other databases too.
    pub async fn publications_to_export(
        &self,
        include_imported: bool,
    ) -> Result<Vec<Publication>, AppError> {
        if include_imported {
            self.all_published().await
        } else {
            Ok(self.store.own_publications().await?)
        }
    }

    /// The people credited for finding or reporting, most advisories first.
    pub async fn thanks(&self) -> Result<Vec<Thanks>, AppError> {
        let mut thanks: Vec<Thanks> = Vec::new();
        for p in self.all_published().await? {
            for c in &p.advisory.credits {
                if !matches!(c.kind, CreditKind::Finder | CreditKind::Reporter) {
                    continue;
                }
                let entry = match thanks.iter_mut().find(|t| t.name == c.name) {
                    Some(t) => t,
                    None => {
                        thanks.push(Thanks {
                            name: c.name.clone(),
                            link: c.link.clone(),
                            advisories: Vec::new(),
                        });
                        let last = thanks.len() - 1;
                        &mut thanks[last]
                    }
                };
                if entry.link.is_none() {
                    entry.link.clone_from(&c.link);
                }
                entry
                    .advisories
                    .push((p.id.clone(), p.advisory.title.clone()));
            }
        }
        thanks.sort_by(|a, b| {
            b.advisories
                .len()
                .cmp(&a.advisories.len())
                .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        });
        Ok(thanks)
    }

    /// Brings an organization's published history in (operator only: the CLI).
    pub async fn import_published(
        &self,
        principal: Principal,
        imported: &[Imported],
        now: Timestamp,
    ) -> Result<ImportOutcome, AppError> {
        if principal != Principal::Operator {
            return Err(AppError::NotFound);
        }
        let mut outcome = ImportOutcome::default();
        let mut tx = self.store.begin().await?;
        for item in imported {
            // What reaches the public site meets the same checks as a drafted advisory.
            let problems = embargo_formats::check(&item.publication.advisory);
            if !problems.is_empty() {
                let why: Vec<String> = problems.iter().map(ToString::to_string).collect();
                outcome
                    .refused
                    .push((item.publication.id.clone(), why.join("; ")));
                continue;
            }
            let mut entry = index_entry(&item.publication, None);
            for alias in &item.aliases {
                entry.search.push('\n');
                entry.search.push_str(&alias.to_lowercase());
            }
            let id = item.publication.id.clone();
            match tx.publication_with_source(&id).await? {
                None => {
                    tx.insert_publication(&entry, "import").await?;
                    outcome.imported.push(id);
                }
                // A newer version of an advisory imported before: a new revision. Never
                // over one of this organization's own advisories.
                Some((old, source))
                    if source == "import" && item.publication.modified > old.modified =>
                {
                    entry.publication.revision = old.revision + 1;
                    tx.update_publication(&entry).await?;
                    outcome.updated.push(id);
                }
                Some(_) => outcome.existing.push(id),
            }
        }
        self.audit(
            &mut tx,
            principal,
            None,
            "import_advisories",
            json!({"imported": outcome.imported.len(), "updated": outcome.updated.len(), "existing": outcome.existing.len(), "refused": outcome.refused.len()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }
}
