//! What becomes public on publication, and nothing else (PROCESS.md, Public and private).
//!
//! A [`PublicView`] is built from an [`Advisory`] (public fields only, by construction: it
//! holds no private type) and a [`PublicTimeline`] (dates). Its constructor takes the case
//! only to read its state and dates; it never touches the case's people, forks, checklist
//! notes or deadlines, and it refuses to build anything before publication.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::checklist::Step;
use crate::state::{CaseState, Resolution};
use crate::values::{CveId, CweId};

/// The advisory's public text, drafted while the case is private and published as is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advisory {
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub description: String,
    pub cve: Option<CveId>,
    pub cwes: Vec<CweId>,
    pub workarounds: String,
    pub references: Vec<String>,
    pub credits: Vec<Credit>,
}

/// A credit the person agreed to (reporters choose name, handle, link or anonymous).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credit {
    pub name: String,
    pub kind: CreditKind,
    pub link: Option<String>,
}

/// The credit types shared by OSV, CVE JSON 5 and CSAF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditKind {
    Finder,
    Reporter,
    Analyst,
    Coordinator,
    RemediationDeveloper,
    RemediationReviewer,
    RemediationVerifier,
    Tool,
    Sponsor,
    Other,
}

/// The public timeline: dates only, in UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicTimeline {
    pub reported: Date,
    pub acknowledged: Option<Date>,
    pub fixed: Option<Date>,
    pub published: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicView {
    pub advisory: Advisory,
    pub timeline: PublicTimeline,
    pub fix_available: bool,
}

impl PublicView {
    /// `None` unless the case is published: nothing is public before.
    pub fn of(case: &Case, advisory: &Advisory) -> Option<Self> {
        let published = matches!(
            case.state,
            CaseState::Published
                | CaseState::Closed {
                    resolution: Resolution::Published
                }
        );
        let published_at = case.published_at.filter(|_| published)?;
        let day = |t: jiff::Timestamp| t.to_zoned_datetime(TimeZone::UTC).date();
        Some(Self {
            advisory: advisory.clone(),
            timeline: PublicTimeline {
                reported: day(case.received_at),
                acknowledged: case.acknowledged_at.map(day),
                fixed: case.checklist.done_at(Step::RELEASE).map(day),
                published: day(published_at),
            },
            fix_available: case.fix_available.unwrap_or(false),
        })
    }
}
