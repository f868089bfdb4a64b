//! What becomes public on publication, and nothing else (PROCESS.md, Public and private).
//!
//! A [`Publication`] is built from an [`Advisory`] (public fields only, by construction: it
//! holds no private type) and the case's public dates. Its constructor reads the case only
//! for its state and dates; it never touches the case's people, forks, checklist notes or
//! deadlines, and it refuses to build anything before publication.

use jiff::tz::TimeZone;

use crate::advisory::{Advisory, PublicTimeline, Publication};
use crate::case::Case;
use crate::checklist::Step;
use crate::state::{CaseState, Resolution};

impl Publication {
    /// `None` unless the case is published: nothing is public before.
    pub fn of(case: &Case, advisory: &Advisory, id: String) -> Option<Self> {
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
            id,
            advisory: advisory.clone(),
            published: published_at,
            modified: published_at,
            timeline: PublicTimeline {
                reported: day(case.received_at),
                acknowledged: case.acknowledged_at.map(day),
                fixed: case.checklist.done_at(Step::RELEASE).map(day),
                published: day(published_at),
            },
            fix_available: case.fix_available.unwrap_or(false),
            revision: 1,
            project: Some(case.project.to_string()),
            withdrawn: None,
            osv_source: None,
            cve_source: None,
            imported: false,
        })
    }
}
