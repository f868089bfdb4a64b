//! CVE Services, for organizations that are CNAs: reserving ids into the pool,
//! synchronizing the pool, publishing the case's record in the job the publication
//! enqueues, updating it with each revision, and rejecting or releasing the id of a case
//! that was not published. Without `[cve_services]`, none of this runs and the pool works
//! as before.

use embargo_core::{CaseId, CaseState, CveId, CveState, Publication, Resolution};
use embargo_cve_services::{Account, CveError, CveServices, check_cna_container};
use embargo_store::{PooledCve, Tx};
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::App;
use crate::JobSpec;
use crate::error::AppError;
use crate::principal::Principal;

impl From<CveError> for AppError {
    fn from(e: CveError) -> Self {
        AppError::Upstream {
            temporary: e.is_temporary(),
            message: e.sentence,
            wait_secs: None,
        }
    }
}

/// Ids reserved through CVE Services.
#[derive(Debug, Clone)]
pub struct Reservation {
    pub ids: Vec<CveId>,
    /// Ids the organization could still reserve before, and after (when the service said).
    pub available_before: u64,
    pub available_after: Option<u64>,
}

/// The pool after `embargo cve sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSync {
    pub listed: usize,
    pub added: u64,
    pub changed: u64,
}

/// What the record job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// The advisory has no CVE id from the pool, or CVE Services is not connected.
    NotOurs,
    /// CVE Services already holds this revision.
    Current,
    Published(CveId),
    Updated(CveId),
}

/// What the preview shows of the CVE record.
#[derive(Debug, Clone)]
pub struct CveRecordPreview {
    pub cve: CveId,
    /// Exactly what will be sent (`datePublic` becomes the publication time).
    pub container: Value,
    /// The schema's complaints: publication would fail with these.
    pub problems: Vec<String>,
    /// The container CVE Services holds now, when this is a revision.
    pub sent: Option<String>,
}

impl App {
    /// Connects CVE Services (see `[cve_services]`).
    pub fn with_cve_services(mut self, client: CveServices) -> Self {
        self.cve_services = Some(client);
        self.intake_queue = crate::intake_batch::IntakeQueue::default();
        self
    }

    pub fn cve_services(&self) -> Option<&CveServices> {
        self.cve_services.as_ref()
    }

    fn require_cve_services(&self) -> Result<&CveServices, AppError> {
        self.cve_services.as_ref().ok_or_else(|| AppError::Rule {
            code: "cve_services_off",
            message: "CVE Services is not connected: see [cve_services] in the configuration"
                .into(),
        })
    }

    /// What the credentials are: organization, roles, quota. Administrators.
    pub async fn cve_account(&self, principal: Principal) -> Result<Account, AppError> {
        self.require_admin(principal).await?;
        Ok(self.require_cve_services()?.check().await?)
    }

    /// Reserves ids through CVE Services into the pool. Administrators. The ids are
    /// reserved at the service first: should this installation fail to store them, `cve
    /// sync` takes them in.
    pub async fn reserve_cve_ids(
        &self,
        principal: Principal,
        amount: u32,
        year: Option<i16>,
        sequential: bool,
        now: Timestamp,
    ) -> Result<Reservation, AppError> {
        self.require_admin(principal).await?;
        let client = self.require_cve_services()?;
        let problem = |why: &str| {
            AppError::invalid(embargo_core::ValueError::new(
                "number of ids",
                why.to_string(),
            ))
        };
        if amount == 0 || amount > 100 {
            return Err(problem("must be between 1 and 100"));
        }
        // CVE Services' limit for scattered ids (NONSEQUENTIAL_MAX_AMOUNT).
        if !sequential && amount > 10 {
            return Err(problem(
                "can be at most 10 when the ids need not be sequential",
            ));
        }
        let year = year.unwrap_or_else(|| now.to_zoned_datetime(jiff::tz::TimeZone::UTC).year());
        let before = client.quota().await?;
        if u64::from(amount) > before.available {
            return Err(AppError::Rule {
                code: "cve_quota",
                message: format!(
                    "the organization may reserve {} more id{} (quota {}, {} reserved)",
                    before.available,
                    if before.available == 1 { "" } else { "s" },
                    before.id_quota,
                    before.total_reserved
                ),
            });
        }
        let (reserved, remaining) = client.reserve(amount, year, sequential).await?;
        let pairs: Vec<(CveId, CveState)> =
            reserved.iter().map(|r| (r.cve.clone(), r.state)).collect();
        let mut tx = self.store.begin().await?;
        tx.sync_cve_ids(&pairs, now).await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "reserve_cve_ids",
            json!({"asked": amount, "year": year, "sequential": sequential,
                   "reserved": pairs.iter().map(|(c, _)| c.to_string()).collect::<Vec<_>>()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Reservation {
            ids: pairs.into_iter().map(|(c, _)| c).collect(),
            available_before: before.available,
            available_after: remaining,
        })
    }

    /// Takes in every id the organization holds at CVE Services, with its state.
    /// Administrators.
    pub async fn sync_cve_pool(
        &self,
        principal: Principal,
        now: Timestamp,
    ) -> Result<PoolSync, AppError> {
        self.require_admin(principal).await?;
        let listed = self.require_cve_services()?.ids().await?;
        let pairs: Vec<(CveId, CveState)> =
            listed.iter().map(|r| (r.cve.clone(), r.state)).collect();
        let mut tx = self.store.begin().await?;
        let (added, changed) = tx.sync_cve_ids(&pairs, now).await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "sync_cve_pool",
            json!({"listed": pairs.len(), "added": added, "changed": changed}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(PoolSync {
            listed: pairs.len(),
            added,
            changed,
        })
    }

    /// The case's pool id and what CVE Services holds for it, for the team.
    pub async fn case_cve_record(
        &self,
        principal: Principal,
        case_id: CaseId,
    ) -> Result<Option<PooledCve>, AppError> {
        let (_, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        Ok(self.store.case_cve(case_id).await?)
    }

    /// The container for a publication, exactly as the record job sends it.
    pub fn cve_container(&self, p: &Publication) -> Value {
        embargo_formats::cve5::cna_container(&self.publication.publisher, p)
    }

    /// For the preview: the record that publishing (or a revision) would send.
    pub(crate) async fn cve_record_preview(
        &self,
        case_id: CaseId,
        p: &Publication,
    ) -> Result<Option<CveRecordPreview>, AppError> {
        if self.cve_services.is_none() {
            return Ok(None);
        }
        let Some(pooled) = self.store.case_cve(case_id).await? else {
            return Ok(None);
        };
        if p.advisory.cve.as_ref() != Some(&pooled.cve) {
            return Ok(None);
        }
        let container = self.cve_container(p);
        let problems = check_cna_container(&container).err().map(|e| e.0);
        Ok(Some(CveRecordPreview {
            cve: pooled.cve,
            container,
            problems: problems.unwrap_or_default(),
            sent: pooled.record_sent,
        }))
    }

    /// In the publishing transaction: the record job, when the advisory's CVE id may be
    /// one this installation assigned (the job checks the pool).
    pub(crate) async fn enqueue_cve_record(
        &self,
        tx: &mut Tx,
        case_id: CaseId,
        p: &Publication,
        now: Timestamp,
    ) -> Result<(), AppError> {
        if self.cve_services.is_none() || p.advisory.cve.is_none() {
            return Ok(());
        }
        self.enqueue(
            tx,
            JobSpec::CveRecord {
                case_id,
                revision: Some(p.revision),
            },
            now,
            now,
        )
        .await
    }

    /// The record job: brings CVE Services in line with the case's publication. Safe to
    /// repeat: a record that may or may not have been created by an interrupted call is
    /// read back first, so an id is never published twice.
    pub async fn publish_cve_record(
        &self,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<RecordOutcome, AppError> {
        let Some(client) = self.cve_services.clone() else {
            return Ok(RecordOutcome::NotOurs);
        };
        let Some(publication) = self.store.publication_of_case(case_id).await? else {
            return Ok(RecordOutcome::NotOurs);
        };
        let Some(pooled) = self.store.case_cve(case_id).await? else {
            return Ok(RecordOutcome::NotOurs);
        };
        if publication.advisory.cve.as_ref() != Some(&pooled.cve) {
            return Ok(RecordOutcome::NotOurs);
        }
        let revision = i64::from(publication.revision);
        if pooled.record_revision >= Some(revision) {
            return Ok(RecordOutcome::Current);
        }
        let cve = pooled.cve.clone();
        let container = self.cve_container(&publication);
        let result = async {
            if pooled.state == CveState::Rejected {
                return Err(AppError::Upstream {
                    temporary: false,
                    message: format!("{cve} was rejected at CVE Services: its record cannot be published; take another id and publish a revision"),
                    wait_secs: None,
                });
            }
            check_cna_container(&container).map_err(|e| AppError::Upstream {
                temporary: false,
                message: format!("{cve}: {e}"),
                wait_secs: None,
            })?;
            let existing = client.record(&cve).await?;
            match existing.as_ref().map(|r| r["cveMetadata"]["state"].as_str()) {
                None => {
                    client.publish(&cve, container.clone()).await?;
                    Ok(RecordOutcome::Published(cve.clone()))
                }
                Some(Some("REJECTED")) => Err(AppError::Upstream {
                    temporary: false,
                    message: format!("{cve} was rejected at CVE Services: its record cannot be published"),
                    wait_secs: None,
                }),
                Some(_) if pooled.record_revision.is_none() && same_container(existing.as_ref(), &container) => {
                    // Created by an earlier attempt whose answer was lost.
                    Ok(RecordOutcome::Published(cve.clone()))
                }
                Some(_) => {
                    client.update(&cve, container.clone()).await?;
                    Ok(if pooled.record_revision.is_none() {
                        RecordOutcome::Published(cve.clone())
                    } else {
                        RecordOutcome::Updated(cve.clone())
                    })
                }
            }
        }
        .await;
        let outcome = self.noting_failure(&cve, result, now).await?;
        let mut tx = self.store.begin().await?;
        tx.cve_record_sent(&cve, revision, &container.to_string(), now)
            .await?;
        let action = match outcome {
            RecordOutcome::Updated(_) => "cve_record_updated",
            _ => "cve_record_published",
        };
        self.audit(
            &mut tx,
            Principal::System,
            Some(case_id),
            action,
            json!({"cve": cve, "revision": revision}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The case's Coordinator confirms that its id is rejected at CVE Services, with the
    /// reason the record will give (the case was rejected, withdrawn or a duplicate).
    pub async fn confirm_cve_rejection(
        &self,
        principal: Principal,
        case_id: CaseId,
        reason: &str,
        now: Timestamp,
    ) -> Result<CveId, AppError> {
        let pooled = self.closed_case_cve(principal, case_id).await?;
        let reason = embargo_core::RequiredText::parse(reason).map_err(|e| {
            AppError::invalid(embargo_core::ValueError::new(
                "reason for the rejection",
                e.why,
            ))
        })?;
        let mut tx = self.store.begin().await?;
        if !tx.confirm_cve_rejection(case_id, reason.as_ref()).await? {
            return Err(AppError::Rule {
                code: "cve_rejected",
                message: format!("{} is rejected already", pooled.cve),
            });
        }
        self.enqueue(&mut tx, JobSpec::RejectCveId { case_id }, now, now)
            .await?;
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "confirm_cve_rejection",
            json!({"cve": pooled.cve}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(pooled.cve)
    }

    /// The case's Coordinator gives its never-published id back to the pool, for another
    /// case; the id leaves the case's advisory draft.
    pub async fn release_cve_id(
        &self,
        principal: Principal,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<CveId, AppError> {
        let pooled = self.closed_case_cve(principal, case_id).await?;
        let editor = self.advisory_editor(principal, case_id).await?;
        let by = principal.user().ok_or(AppError::NotFound)?;
        let mut tx = self.store.begin().await?;
        let Some(cve) = tx.release_cve(case_id).await? else {
            return Err(AppError::Rule {
                code: "cve_not_releasable",
                message: format!(
                    "{} has a record at CVE Services ({}): reject it instead",
                    pooled.cve, pooled.state
                ),
            });
        };
        if editor.advisory.cve.as_ref() == Some(&cve) {
            crate::cve_pool::set_draft_cve(&mut tx, editor, None, by, now).await?;
        }
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "release_cve_id",
            json!({"cve": cve}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(cve)
    }

    /// The rejection job: rejects the case's id at CVE Services with the confirmed reason.
    pub async fn reject_cve_id(&self, case_id: CaseId, now: Timestamp) -> Result<bool, AppError> {
        let client = self.require_cve_services()?.clone();
        let Some(pooled) = self.store.case_cve(case_id).await? else {
            return Ok(false);
        };
        let (Some(reason), false) = (&pooled.reject_reason, pooled.state == CveState::Rejected)
        else {
            return Ok(false);
        };
        let cve = pooled.cve.clone();
        let result = async {
            // The service's state decides the call: an earlier attempt may have landed.
            match client.id(&cve).await?.map(|r| r.state) {
                Some(CveState::Rejected) => Ok(()),
                Some(CveState::Published) => client.reject(&cve, reason, true).await.map(drop),
                _ => client.reject(&cve, reason, false).await.map(drop),
            }
            .map_err(AppError::from)
        }
        .await;
        self.noting_failure(&cve, result, now).await?;
        let mut tx = self.store.begin().await?;
        tx.cve_rejected(&cve, now).await?;
        self.audit(
            &mut tx,
            Principal::System,
            Some(case_id),
            "cve_id_rejected",
            json!({"cve": cve}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The pool id of a case that was closed without publication, for its Coordinator
    /// (or an administrator).
    async fn closed_case_cve(
        &self,
        principal: Principal,
        case_id: CaseId,
    ) -> Result<PooledCve, AppError> {
        let (case, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        if !roles.coordinator && self.require_admin(principal).await.is_err() {
            return Err(AppError::Forbidden(
                "only the case's Coordinator rejects or releases its CVE id".into(),
            ));
        }
        if !matches!(case.state, CaseState::Closed { resolution } if resolution != Resolution::Published)
        {
            return Err(AppError::Rule {
                code: "case_not_closed",
                message: "a CVE id is rejected or released once its case is closed without publication (rejected, a duplicate, withdrawn or spam)".into(),
            });
        }
        self.store
            .case_cve(case_id)
            .await?
            .ok_or_else(|| AppError::Rule {
                code: "no_pool_cve",
                message: "the case holds no CVE id from the pool".into(),
            })
    }

    /// Keeps the failure's sentence on the id (the case page shows it), then passes it on.
    async fn noting_failure<T>(
        &self,
        cve: &CveId,
        result: Result<T, AppError>,
        now: Timestamp,
    ) -> Result<T, AppError> {
        if let Err(AppError::Upstream { message, .. }) = &result {
            let mut tx = self.store.begin().await?;
            tx.cve_failure(cve, message, now).await?;
            tx.commit().await?;
        }
        result
    }
}

/// Whether the record CVE Services holds carries this container (the service sets
/// `providerMetadata` itself, so that is left out of the comparison).
fn same_container(record: Option<&Value>, container: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("providerMetadata");
        }
        v
    };
    record
        .map(|r| strip(&r["containers"]["cna"]) == strip(container))
        .unwrap_or(false)
}
