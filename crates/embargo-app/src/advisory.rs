//! The advisory: drafting its public fields, the publication preview, the Coordinator's
//! approval of that preview, and freezing what becomes public when the case is published.
//!
//! The draft is private until publication like everything else on the case; at
//! publication it is frozen into a `publications` row, which is all the public side reads.

use embargo_core::{
    Advisory, Case, CaseId, Credit, CreditKind, CreditPreference, Publication, UserId, ValueError,
};
use embargo_formats::{Package, Problem, Publisher};
use embargo_store::{AdvisoryDraft, NewPublication, Tx};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::json;

use crate::App;
use crate::error::AppError;
use crate::principal::Principal;

/// The installation's public identity: who publishes, and the prefix of advisory ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationSettings {
    pub publisher: Publisher,
    /// Advisory ids are `PREFIX-YYYY-NNNN`.
    pub prefix: String,
}

impl Default for PublicationSettings {
    fn default() -> Self {
        Self {
            publisher: Publisher {
                name: "our organization".into(),
                base_url: "http://localhost:8080".into(),
                cna_org_id: None,
                cna_short_name: None,
            },
            prefix: "EMBARGO".into(),
        }
    }
}

/// What the advisory editor shows.
#[derive(Debug, Clone)]
pub struct AdvisoryEditor {
    pub case: Case,
    pub advisory: Advisory,
    /// 0 before the first save.
    pub revision: i64,
    pub approved: bool,
    pub approved_by: Option<UserId>,
    pub approved_at: Option<Timestamp>,
    /// The credit the reporter chose now, as the preview shows it. Approving the preview
    /// freezes it; a later change of the choice needs a new approval.
    pub reporter_credit: Option<Credit>,
    /// What still keeps it from being published.
    pub problems: Vec<Problem>,
    pub can_edit: bool,
    pub can_approve: bool,
    /// What is public now, once the case was published: a revision of it needs an edit,
    /// an approved preview and "publish revision".
    pub published: Option<Publication>,
}

/// Exactly what would become public if the case were published now.
#[derive(Debug, Clone)]
pub struct Preview {
    pub editor: AdvisoryEditor,
    pub publication: Publication,
    /// With CVE Services connected and a pool id: the record that will be sent.
    pub cve_record: Option<crate::CveRecordPreview>,
}

impl App {
    pub fn publication_settings(&self) -> &PublicationSettings {
        &self.publication
    }

    pub async fn advisory_editor(
        &self,
        principal: Principal,
        case_id: CaseId,
    ) -> Result<AdvisoryEditor, AppError> {
        let (case, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        let draft = self.store.advisory_draft(case_id).await?;
        let reporter_credit = self.reporter_credit(case_id).await?;
        let published = self.store.publication_of_case(case_id).await?;
        let advisory = draft
            .as_ref()
            .map_or_else(Advisory::default, |d| d.advisory.clone());
        let problems = embargo_formats::check::publishable(&advisory);
        // Before publication the draft is the advisory; after it, revisions of it (a fix
        // released after a deadline disclosure, a corrected range).
        let open = case.state.is_in_remediation() || published.is_some();
        Ok(AdvisoryEditor {
            revision: draft.as_ref().map_or(0, |d| d.revision),
            approved: draft.as_ref().is_some_and(AdvisoryDraft::approved),
            approved_by: draft.as_ref().and_then(|d| d.approved_by),
            approved_at: draft.as_ref().and_then(|d| d.approved_at),
            can_edit: open && (roles.coordinator || roles.developer),
            can_approve: open && roles.coordinator,
            advisory,
            reporter_credit,
            problems,
            case,
            published,
        })
    }

    /// Saves the draft if nobody saved since `expected_revision`; refuses values no export
    /// could carry, listing each. Saving clears an earlier approval (it was of other text).
    pub async fn save_advisory(
        &self,
        principal: Principal,
        case_id: CaseId,
        expected_revision: i64,
        advisory: Advisory,
        now: Timestamp,
    ) -> Result<i64, AppError> {
        let editor = self.advisory_editor(principal, case_id).await?;
        if !editor.can_edit {
            return Err(AppError::Forbidden(
                "only the case's Coordinator and Developers edit its advisory, and only before publication"
                    .into(),
            ));
        }
        let problems = embargo_formats::check(&advisory);
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        let by = principal.user().ok_or(AppError::NotFound)?;
        let mut tx = self.store.begin().await?;
        let revision = tx
            .save_advisory_draft(case_id, expected_revision, &advisory, by, now)
            .await
.map_err(stale_as(
                "the advisory was saved by someone else since you opened it; reload to see their changes",
            ))?;
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "save_advisory",
            json!({"revision": revision}),
            now,
        )
        .await?;
        self.queue_github_sync(&mut tx, case_id, now).await?;
        tx.commit().await?;
        Ok(revision)
    }

    /// The publication preview: the frozen document as it would be published at `now`.
    pub async fn preview(
        &self,
        principal: Principal,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<Preview, AppError> {
        let editor = self.advisory_editor(principal, case_id).await?;
        let advisory = public_advisory(&editor.advisory, editor.reporter_credit.as_ref());
        if let Some(current) = &editor.published {
            let publication = revised(current, advisory, now);
            let cve_record = self.cve_record_preview(case_id, &publication).await?;
            return Ok(Preview {
                editor,
                publication,
                cve_record,
            });
        }
        let mut case = editor.case.clone();
        // As if published now: the same constructor publication uses.
        case.state = embargo_core::CaseState::Published;
        case.published_at = Some(now);
        case.fix_available = Some(case.step_done(embargo_core::Step::RELEASE));
        let id = format!("{}-{}-NNNN", self.publication.prefix, year_of(now));
        let publication = Publication::of(&case, &advisory, id)
            .ok_or_else(|| AppError::Internal("preview of an unpublished case".into()))?;
        let cve_record = self.cve_record_preview(case_id, &publication).await?;
        Ok(Preview {
            editor,
            publication,
            cve_record,
        })
    }

    /// A Coordinator approves the preview of `revision`; publication (by hand or at the
    /// announcement time) needs the approval of the current revision.
    pub async fn approve_preview(
        &self,
        principal: Principal,
        case_id: CaseId,
        revision: i64,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let editor = self.advisory_editor(principal, case_id).await?;
        if !editor.can_approve {
            return Err(AppError::Forbidden(
                "only the case's Coordinator approves the publication preview, before publication"
                    .into(),
            ));
        }
        if editor.revision != revision {
            return Err(AppError::Conflict(
                "the advisory changed since this preview was shown; review the new preview".into(),
            ));
        }
        if !editor.problems.is_empty() {
            return Err(invalid(editor.problems));
        }
        let by = principal.user().ok_or(AppError::NotFound)?;
        let mut tx = self.store.begin().await?;
        // The credit the preview showed: a change of the reporter's choice since gave the
        // draft a new revision, so approving `revision` approves exactly this credit.
        tx.approve_advisory_draft(case_id, revision, editor.reporter_credit.as_ref(), by, now)
            .await
            .map_err(stale_as(
                "the advisory changed since this preview was shown; review the new preview",
            ))?;
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "approve_preview",
            json!({"revision": revision}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A Coordinator publishes the approved draft as a new revision of the public advisory.
    pub async fn publish_revision(
        &self,
        principal: Principal,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<Publication, AppError> {
        let editor = self.advisory_editor(principal, case_id).await?;
        let Some(current) = editor.published.clone() else {
            return Err(AppError::Rule {
                code: "not_published",
                message: "the case is not published yet: publish it first".into(),
            });
        };
        if !editor.can_approve {
            return Err(AppError::Forbidden(
                "only the case's Coordinator publishes a revision".into(),
            ));
        }
        let mut tx = self.store.begin().await?;
        let approved = self.require_approved_preview(&mut tx, case_id).await?;
        let credit = frozen_credit(&approved, editor.reporter_credit);
        let advisory = public_advisory(&approved.advisory, credit.as_ref());
        if advisory == current.advisory {
            return Err(AppError::Rule {
                code: "nothing_changed",
                message: "the approved text is the one already public".into(),
            });
        }
        let publication = revised(&current, advisory, now);
        tx.update_publication(&index_entry(&publication, Some(case_id)))
            .await?;
        self.enqueue_cve_record(&mut tx, case_id, &publication, now)
            .await?;
        // Disclosed at the deadline without a fix, the reporter was promised word of it.
        if publication.fix_available && !current.fix_available {
            let more = crate::templates::publication_placeholders(
                &self.publication.publisher,
                &publication,
            );
            self.notify_reporter_from_template(&mut tx, case_id, "fix_released", &more, now)
                .await?;
        }
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "publish_revision",
            json!({"advisory": publication.id, "revision": publication.revision}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(publication)
    }

    /// Before a Coordinator publishes: the preview of the current draft must be approved.
    /// Returns the approved draft.
    pub(crate) async fn require_approved_preview(
        &self,
        tx: &mut Tx,
        case_id: CaseId,
    ) -> Result<AdvisoryDraft, AppError> {
        let draft = tx.advisory_draft_in(case_id).await?;
        match draft {
            Some(d) if d.approved() => Ok(d),
            Some(_) => Err(AppError::Rule {
                code: "preview_not_approved",
                message: "the advisory changed since its preview was approved: review and approve the preview first".into(),
            }),
            None => Err(AppError::Rule {
                code: "preview_not_approved",
                message: "the advisory has no draft yet: write it and approve its preview first"
                    .into(),
            }),
        }
    }

    /// In the publishing transaction: freezes the public document of the case.
    pub(crate) async fn freeze_publication(
        &self,
        tx: &mut Tx,
        case: &Case,
        now: Timestamp,
    ) -> Result<Publication, AppError> {
        let draft = tx.advisory_draft_in(case.id).await?;
        let (preference, name) = tx.reporter_credit_in(case.id).await?;
        let chosen = reporter_credit_of(&preference, &name);
        // The credit the approved preview showed; only a deadline disclosure publishes a
        // draft nobody approved, with the reporter's choice as it is then.
        let credit = match &draft {
            Some(d) if d.approved() => frozen_credit(d, chosen),
            _ => chosen,
        };
        let mut advisory = draft.map(|d| d.advisory).unwrap_or_default();
        // Disclosure at the deadline publishes whatever exists; the public text must still
        // say what it is about.
        if advisory.title.trim().is_empty() {
            advisory.title = format!("Vulnerability in {}", case.project);
        }
        if advisory.summary.trim().is_empty() {
            advisory.summary = format!(
                "A vulnerability in {} was reported to {} and is disclosed at the end of the embargo.",
                case.project, self.organization
            );
        }
        let advisory = public_advisory(&advisory, credit.as_ref());
        let year = year_of(case.published_at.unwrap_or(now));
        let number = tx.next_advisory_number(year).await?;
        let id = format!("{}-{year}-{number:04}", self.publication.prefix);
        let publication = Publication::of(case, &advisory, id)
            .ok_or_else(|| AppError::Internal("froze an unpublished case".into()))?;
        tx.insert_publication(&index_entry(&publication, Some(case.id)), "case")
            .await?;
        Ok(publication)
    }

    async fn reporter_credit(&self, case_id: CaseId) -> Result<Option<Credit>, AppError> {
        let mut tx = self.store.begin_read().await?;
        let (preference, name) = tx.reporter_credit_in(case_id).await?;
        tx.rollback().await?;
        Ok(reporter_credit_of(&preference, &name))
    }
}

/// The reporter's credit frozen by the approval of `draft`'s preview; `chosen` (their
/// current choice) only for an approval given before credits were frozen.
fn frozen_credit(draft: &AdvisoryDraft, chosen: Option<Credit>) -> Option<Credit> {
    match &draft.approved_credit {
        Some(frozen) => frozen.clone(),
        None => chosen,
    }
}

/// The reporter's credit as they chose it; none when anonymous.
fn reporter_credit_of(preference: &CreditPreference, name_given: &str) -> Option<Credit> {
    let name_given = name_given.trim().to_string();
    let (name, link) = match preference {
        CreditPreference::Anonymous => return None,
        CreditPreference::Name(n) | CreditPreference::Handle(n) => (n.clone(), None),
        CreditPreference::Link(url) => {
            let name = if name_given.is_empty() {
                url.clone()
            } else {
                name_given
            };
            (name, Some(url.clone()))
        }
    };
    Some(Credit {
        name,
        kind: CreditKind::Reporter,
        link,
    })
}

/// The draft as published: the reporter's chosen credit first, unless the team already
/// listed the same name.
fn public_advisory(draft: &Advisory, reporter: Option<&Credit>) -> Advisory {
    let mut advisory = draft.clone();
    if let Some(credit) = reporter
        && !advisory.credits.iter().any(|c| c.name == credit.name)
    {
        advisory.credits.insert(0, credit.clone());
    }
    advisory
}

/// The next revision of a public advisory: same id and first publication, new text, and
/// the fix noted when a revision brings the first one.
fn revised(current: &Publication, advisory: Advisory, now: Timestamp) -> Publication {
    let mut next = current.clone();
    let newly_fixed = !current.fix_available && advisory.fix_available();
    next.fix_available = current.fix_available || advisory.fix_available();
    if newly_fixed {
        next.timeline.fixed = Some(now.to_zoned_datetime(TimeZone::UTC).date());
    }
    next.advisory = advisory;
    next.revision = current.revision + 1;
    next.modified = now;
    next
}

fn year_of(t: Timestamp) -> i16 {
    t.to_zoned_datetime(TimeZone::UTC).year()
}

/// The store's search keys of a publication.
pub(crate) fn index_entry(p: &Publication, case_id: Option<CaseId>) -> NewPublication {
    let a = &p.advisory;
    let mut packages: Vec<Package> = a
        .affected
        .iter()
        .filter_map(|x| Package::parse(&x.purl).ok())
        .collect();
    // An imported OSV document may name packages the model could not hold (known only by
    // a list of versions): the query finds them too.
    if let Some(source) = &p.osv_source {
        for k in embargo_formats::osv_match::packages(source) {
            if !packages
                .iter()
                .any(|x| x.ty == k.ty && x.index_name() == k.index_name())
            {
                packages.push(k);
            }
        }
    }
    let mut search = vec![p.id.clone(), a.title.clone(), a.summary.clone()];
    search.extend(a.cve.iter().map(ToString::to_string));
    search.extend(packages.iter().map(|k| k.ecosystem_name()));
    search.extend(packages.iter().map(|k| k.purl.clone()));
    NewPublication {
        publication: p.clone(),
        case_id,
        severity: embargo_formats::cvss::headline(a).map(|s| s.severity.to_lowercase()),
        search: search.join("\n").to_lowercase(),
        packages: packages
            .iter()
            .map(|k| (k.ty.clone(), k.index_name()))
            .collect(),
    }
}

/// A store `Stale` (someone saved in between) as a conflict the user can act on.
pub(crate) fn stale_as(message: &'static str) -> impl Fn(embargo_store::StoreError) -> AppError {
    move |e| match e {
        embargo_store::StoreError::Stale => AppError::Conflict(message.into()),
        e => e.into(),
    }
}

pub(crate) fn invalid(problems: Vec<Problem>) -> AppError {
    AppError::Invalid(
        problems
            .into_iter()
            .map(|p| {
                ValueError::new(
                    field_label(&p.field),
                    format!("({}) {}", p.field, p.message),
                )
            })
            .collect(),
    )
}

/// Human names of the editor's fields, for messages.
fn field_label(field: &str) -> &'static str {
    let head = field.split(['[', '.']).next().unwrap_or(field);
    match head {
        "title" => "Title",
        "summary" => "Summary",
        "description" => "Description",
        "cvss_v3" => "CVSS 3.1 vector",
        "cvss_v4" => "CVSS 4.0 vector",
        "affected" => "Affected package",
        "references" => "Reference",
        "credits" => "Credit",
        _ => "Advisory",
    }
}
