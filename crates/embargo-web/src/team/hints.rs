//! The case page's duplicate and noise hints (`App::duplicate_hints`): likely duplicate
//! cases, each with a one-click "close as duplicate", matching public advisories, and the
//! reporter's record when several earlier reports were rejected or spam.

use embargo_app::DuplicateHints;

pub struct CaseHintRow {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub state: String,
    pub reason: String,
}

pub struct AdvisoryHintRow {
    pub id: String,
    pub title: String,
    /// The installation's own case behind the advisory: (id, reference).
    pub case: Option<(String, String)>,
    pub reason: String,
}

/// What the page shows of the hints.
pub struct HintsView {
    pub cases: Vec<CaseHintRow>,
    pub advisories: Vec<AdvisoryHintRow>,
    /// "3 earlier reports: 2 rejected, 1 spam", when the reporter is flagged.
    pub reporter_flag: Option<String>,
    /// The viewer may close the report as a duplicate now (the state machine says so).
    pub can_close: bool,
    /// The message to the reporter the one-click form starts from.
    pub message: String,
}

impl HintsView {
    pub fn of(h: DuplicateHints, can_close: bool, message: String) -> Self {
        let reporter_flag = h.reporter_flagged().then(|| {
            format!(
                "This reporter sent {} earlier report{}: {} rejected, {} closed as spam. Judge this one on its own merits.",
                h.reporter.earlier,
                if h.reporter.earlier == 1 { "" } else { "s" },
                h.reporter.rejected,
                h.reporter.spam
            )
        });
        Self {
            cases: h
                .cases
                .into_iter()
                .map(|c| CaseHintRow {
                    id: c.id.to_string(),
                    reference: c.reference,
                    title: c.title,
                    state: c.state.to_string(),
                    reason: c.reason,
                })
                .collect(),
            advisories: h
                .advisories
                .into_iter()
                .map(|a| AdvisoryHintRow {
                    id: a.id,
                    title: a.title,
                    case: a.case.map(|(id, r)| (id.to_string(), r)),
                    reason: a.reason,
                })
                .collect(),
            reporter_flag,
            can_close,
            message,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty() && self.advisories.is_empty() && self.reporter_flag.is_none()
    }
}
