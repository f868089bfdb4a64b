//! CVE ids (policy step 9): typed into the advisory, or taken from the pool of ids the
//! organization reserved as a CNA. Either way the id stays private until publication.

use embargo_core::{CaseId, CveId, ValueError};
use embargo_store::PooledCve;
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::error::AppError;
use crate::principal::Principal;

impl App {
    /// Adds reserved ids (whitespace- or comma-separated); every bad one is named and
    /// nothing is added then. Returns how many were new.
    pub async fn add_cve_ids(
        &self,
        principal: Principal,
        text: &str,
        now: Timestamp,
    ) -> Result<u64, AppError> {
        self.require_admin(principal).await?;
        let mut ids = Vec::new();
        let mut problems: Vec<ValueError> = Vec::new();
        for word in text
            .split([' ', ',', '\n', '\r', '\t'])
            .filter(|w| !w.is_empty())
        {
            match CveId::parse(word) {
                Ok(id) => ids.push(id),
                Err(e) => problems.push(e),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        if ids.is_empty() {
            return Err(AppError::invalid(ValueError::new(
                "CVE ids",
                "are missing: give one or more, e.g. CVE-2026-12345",
            )));
        }
        let mut tx = self.store.begin().await?;
        let added = tx.add_cve_ids(&ids, now).await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "add_cve_ids",
            json!({"given": ids.len(), "added": added}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(added)
    }

    /// The pool, for administrators.
    pub async fn cve_pool(&self, principal: Principal) -> Result<Vec<PooledCve>, AppError> {
        self.require_admin(principal).await?;
        Ok(self.store.cve_pool().await?)
    }

    /// How many pool ids are free (shown to the team beside "take one").
    pub async fn free_cve_ids(&self) -> Result<usize, AppError> {
        Ok(self
            .store
            .cve_pool()
            .await?
            .iter()
            .filter(|c| c.case_id.is_none() && c.state == embargo_core::CveState::Reserved)
            .count())
    }

    /// Takes the next free id for the case and writes it into the advisory draft (a new
    /// revision: an earlier approval no longer holds). The case's Coordinator or Developers.
    pub async fn take_cve(
        &self,
        principal: Principal,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<CveId, AppError> {
        let editor = self.advisory_editor(principal, case_id).await?;
        if !editor.can_edit || editor.published.is_some() {
            return Err(AppError::Forbidden(
                "only the case's Coordinator and Developers take a CVE id, before publication"
                    .into(),
            ));
        }
        if let Some(cve) = &editor.advisory.cve {
            return Err(AppError::Rule {
                code: "has_cve",
                message: format!("the advisory already has {cve}"),
            });
        }
        let by = principal.user().ok_or(AppError::NotFound)?;
        let mut tx = self.store.begin().await?;
        let cve = tx.take_cve(case_id, now).await?.ok_or_else(|| AppError::Rule {
            code: "pool_empty",
            message: "the pool has no free CVE id: an administrator adds reserved ids, or type one into the advisory".into(),
        })?;
        set_draft_cve(&mut tx, editor, Some(cve.clone()), by, now).await?;
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "take_cve",
            json!({"cve": cve}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(cve)
    }
}

/// Writes the case's CVE id into its advisory draft, or takes it out (a new revision: an
/// earlier approval no longer holds).
pub(crate) async fn set_draft_cve(
    tx: &mut embargo_store::Tx,
    editor: crate::AdvisoryEditor,
    cve: Option<CveId>,
    by: embargo_core::UserId,
    now: Timestamp,
) -> Result<(), AppError> {
    let case_id = editor.case.id;
    let mut advisory = editor.advisory;
    advisory.cve = cve;
    tx.save_advisory_draft(case_id, editor.revision, &advisory, by, now)
        .await
        .map_err(crate::advisory::stale_as(
            "the advisory was saved by someone else meanwhile; try again",
        ))?;
    Ok(())
}
