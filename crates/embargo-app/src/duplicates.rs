//! Duplicate and noise hints for the Coordinator at triage: cases of the same project that
//! read alike, public advisories naming an id or a package the report names, and how the
//! reporter's earlier reports ended. Hints only: nothing is closed or blocked without a
//! Coordinator's action.

use embargo_core::{
    CaseId, CaseState, LIKELY_DUPLICATE, Publication, TextProfile, WordRarity, named_identifiers,
};
use embargo_store::{CandidateCase, ReporterRecord};
use jiff::{SignedDuration, Timestamp};

use crate::App;
use crate::error::AppError;
use crate::principal::Principal;

/// Closed and published cases stay candidates this long after they were received.
const RECENT: SignedDuration = SignedDuration::from_hours(24 * 365);

/// The most hints of each kind a page shows.
const MAX_HINTS: usize = 5;

/// A package named in passing is a hint only if the advisory also reads somewhat alike.
const PACKAGE_MATCH: f64 = 0.15;

/// A case the report may duplicate, and why.
#[derive(Debug, Clone)]
pub struct CaseHint {
    pub id: CaseId,
    pub reference: String,
    pub state: CaseState,
    pub title: String,
    pub score: f64,
    pub reason: String,
}

/// A public advisory the report may be about, and why.
#[derive(Debug, Clone)]
pub struct AdvisoryHint {
    pub id: String,
    pub title: String,
    /// The installation's own case behind it, with its reference (a duplicate target).
    pub case: Option<(CaseId, String)>,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct DuplicateHints {
    pub cases: Vec<CaseHint>,
    pub advisories: Vec<AdvisoryHint>,
    pub reporter: ReporterRecord,
}

impl DuplicateHints {
    /// Several earlier reports rejected or closed as spam: shown as a flag, never acted on.
    pub fn reporter_flagged(&self) -> bool {
        self.reporter.rejected + self.reporter.spam >= 2
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty() && self.advisories.is_empty() && !self.reporter_flagged()
    }
}

impl App {
    /// The hints for a case at triage, for its Coordinator. Other team members, and cases
    /// past triage, get none; anyone else is told the case does not exist.
    pub async fn duplicate_hints(
        &self,
        principal: Principal,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<DuplicateHints, AppError> {
        let (case, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        let at_triage = matches!(
            case.state,
            CaseState::Received
                | CaseState::Acknowledged
                | CaseState::Triage
                | CaseState::AwaitingReporter
        );
        let Some(viewer) = principal.user().filter(|_| roles.coordinator && at_triage) else {
            return Ok(DuplicateHints::default());
        };
        let report = self.store.report(case_id).await?;
        let content = report.content.reveal();
        // Every report about the project names it: its name tells nothing about the flaw.
        let project = self
            .store
            .projects()
            .await?
            .into_iter()
            .find(|p| p.slug == case.project)
            .map(|p| format!("{} {}", p.slug, p.name))
            .unwrap_or_else(|| case.project.to_string());
        let profile = TextProfile::of(&content.title, &content.description).without(&project);
        let candidates = self
            .store
            .duplicate_candidates(case.project.as_ref(), case_id, viewer, now - RECENT)
            .await?;
        let text = format!(
            "{}\n{}\n{}",
            content.title, content.description, content.affected_versions
        );
        Ok(DuplicateHints {
            cases: similar_cases(&profile, candidates, &project),
            advisories: self.matching_advisories(&profile, &text).await?,
            reporter: self
                .store
                .reporter_record(
                    case_id,
                    content.reporter_email.as_ref().map(|e| e.as_ref()),
                    case.reporter_user,
                )
                .await?,
        })
    }

    /// Advisories whose id or CVE id the report names, then advisories of packages it
    /// names that read alike.
    async fn matching_advisories(
        &self,
        profile: &TextProfile,
        text: &str,
    ) -> Result<Vec<AdvisoryHint>, AppError> {
        let mut hints: Vec<AdvisoryHint> = Vec::new();
        for id in named_identifiers(text) {
            for (p, case) in self.store.publications_with_id(&id).await? {
                match hints.iter_mut().find(|h| h.id == p.id) {
                    Some(h) => h.reason.push_str(&format!(", {id}")),
                    None => {
                        let reason = format!("the report names {id}");
                        hints.push(self.advisory_hint(&p, case, reason).await?);
                    }
                }
            }
        }
        let mut by_package: Vec<(f64, AdvisoryHint)> = Vec::new();
        for (ty, name) in self.store.packages_named(&package_words(text)).await? {
            for (p, case) in self.store.publications_of_package(&ty, &name, 200).await? {
                if hints.iter().any(|h| h.id == p.id) {
                    continue;
                }
                let score = profile.similarity(&TextProfile::of(
                    &p.advisory.title,
                    &format!("{}\n{}", p.advisory.summary, p.advisory.description),
                ));
                if score >= PACKAGE_MATCH {
                    let reason = format!(
                        "the report names the package {name} ({ty}), and reads alike ({:.0}%)",
                        score * 100.0
                    );
                    by_package.push((score, self.advisory_hint(&p, case, reason).await?));
                }
            }
        }
        by_package.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        by_package.dedup_by(|a, b| a.1.id == b.1.id);
        hints.extend(by_package.into_iter().map(|(_, h)| h));
        hints.truncate(MAX_HINTS);
        Ok(hints)
    }

    async fn advisory_hint(
        &self,
        p: &Publication,
        case: Option<CaseId>,
        reason: String,
    ) -> Result<AdvisoryHint, AppError> {
        let case = match case {
            Some(id) => Some((id, self.store.case_reference(id).await?)),
            None => None,
        };
        Ok(AdvisoryHint {
            id: p.id.clone(),
            title: p.advisory.title.clone(),
            case,
            reason,
        })
    }
}

/// The candidates that read like the report, most alike first. Words are weighed by how
/// rare they are among the project's cases (its jargon weighs little), as measured on
/// the labelled pairs in embargo-core's tests.
fn similar_cases(
    profile: &TextProfile,
    candidates: Vec<CandidateCase>,
    project: &str,
) -> Vec<CaseHint> {
    let profiles: Vec<TextProfile> = candidates
        .iter()
        .map(|c| TextProfile::of(&c.title, &c.description).without(project))
        .collect();
    let rarity = WordRarity::of(profiles.iter().chain(std::iter::once(profile)));
    let report = profile.clone().weighed_by(&rarity);
    let mut hints: Vec<CaseHint> = candidates
        .into_iter()
        .zip(profiles)
        .filter_map(|(c, other)| {
            let other = other.weighed_by(&rarity);
            let score = report.similarity(&other);
            (score >= LIKELY_DUPLICATE).then(|| CaseHint {
                reason: format!(
                    "reads alike ({:.0}%): {}",
                    score * 100.0,
                    report.shared_words(&other, 5).join(", ")
                ),
                id: c.id,
                reference: c.reference,
                state: c.state,
                title: c.title,
                score,
            })
        })
        .collect();
    hints.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    hints.truncate(MAX_HINTS);
    hints
}

/// Words of a report that may be package names (lower-case, as the index keeps them).
fn package_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || ",;:()[]{}<>\"'`".contains(c))
        .map(|w| w.trim_matches(|c: char| ".!?".contains(c)).to_lowercase())
        .filter(|w| w.len() >= 2 && w.len() <= 214)
        .collect();
    words.sort();
    words.dedup();
    words
}
