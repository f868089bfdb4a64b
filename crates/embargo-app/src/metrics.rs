//! Disclosure metrics: does the team keep the policy's promises? For the cases received in
//! a period (and one project, or all): how long acknowledging, triage, the fix and the
//! publication took (median and 90th percentile, nearest rank), the share of cases whose
//! acknowledgement came within the policy's days and whose advisory was public within its
//! disclosure period, reports per week by outcome, and the open cases by age now.

use embargo_core::{CaseState, ProjectSlug, Resolution, ValueError};
use embargo_store::CaseFacts;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::App;
use crate::error::AppError;
use crate::principal::Principal;

/// Case outcomes, in the order charts stack them.
pub const OUTCOMES: [&str; 5] = ["open", "published", "rejected", "spam", "withdrawn"];

/// The age groups of open cases.
pub const AGE_GROUPS: [&str; 5] = [
    "under 7 days",
    "7 to 30 days",
    "30 to 60 days",
    "60 to 90 days",
    "over 90 days",
];

/// How long one milestone took, over the cases that reached it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationStat {
    pub name: &'static str,
    pub count: usize,
    pub median: Option<SignedDuration>,
    pub p90: Option<SignedDuration>,
}

/// One promise of the policy: cases that kept it, broke it, or may still keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseStat {
    pub name: String,
    pub kept: usize,
    pub broken: usize,
    pub pending: usize,
}

impl PromiseStat {
    /// Kept, in percent of the decided cases (kept or broken).
    pub fn share(&self) -> Option<u32> {
        let decided = self.kept + self.broken;
        (decided > 0).then(|| u32::try_from(self.kept * 100 / decided).unwrap_or(100))
    }
}

/// Reports received in one week (Monday to Sunday, UTC), by outcome ([`OUTCOMES`] order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekRow {
    pub monday: Date,
    pub counts: [usize; OUTCOMES.len()],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metrics {
    pub from: Date,
    /// The last day, included.
    pub to: Date,
    pub project: Option<ProjectSlug>,
    pub received: usize,
    pub durations: Vec<DurationStat>,
    pub promises: Vec<PromiseStat>,
    pub weeks: Vec<WeekRow>,
    /// Open cases now, by [`AGE_GROUPS`].
    pub open_by_age: [usize; AGE_GROUPS.len()],
}

impl App {
    /// The metrics of cases received from `from` to `to` (both days included, UTC), for
    /// Coordinators and administrators.
    pub async fn metrics(
        &self,
        principal: Principal,
        from: Date,
        to: Date,
        project: Option<ProjectSlug>,
        now: Timestamp,
    ) -> Result<Metrics, AppError> {
        match principal {
            Principal::Operator => {}
            Principal::User(user) => {
                let person = self.store.person(user).await?;
                if person.disabled_at.is_some() || !(person.roles.coordinator || person.roles.admin)
                {
                    return Err(AppError::NotFound);
                }
            }
            _ => return Err(AppError::NotFound),
        }
        if to < from {
            return Err(AppError::invalid(ValueError::new(
                "to",
                "is before the first day".to_string(),
            )));
        }
        let start = day_start(from)?;
        let end = day_start(to.tomorrow().map_err(|e| bad_date(&e))?)?;
        let facts = self.store.case_facts(start, end, project.as_ref()).await?;
        let open = self.store.open_cases_received(project.as_ref()).await?;
        let disclose =
            SignedDuration::from_hours(24 * i64::from(self.policy.disclose_within_days()));
        Ok(Metrics {
            from,
            to,
            project,
            received: facts.len(),
            durations: durations(&facts),
            promises: vec![
                acknowledgement_promise(&facts, self.policy.acknowledge_within_days(), now),
                disclosure_promise(&facts, disclose, self.policy.disclose_within_days(), now),
            ],
            weeks: weeks(&facts, from, to),
            open_by_age: open_by_age(&open, now),
        })
    }
}

fn bad_date(e: &jiff::Error) -> AppError {
    AppError::invalid(ValueError::new("to", e.to_string()))
}

fn day_start(d: Date) -> Result<Timestamp, AppError> {
    TimeZone::UTC
        .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
        .map_err(|e| bad_date(&e))
}

/// The nearest-rank percentile of sorted values: the smallest value with at least `p`
/// percent of the values at or below it.
fn percentile(sorted: &[SignedDuration], p: usize) -> Option<SignedDuration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn stat(name: &'static str, mut values: Vec<SignedDuration>) -> DurationStat {
    values.sort();
    DurationStat {
        name,
        count: values.len(),
        median: percentile(&values, 50),
        p90: percentile(&values, 90),
    }
}

fn durations(facts: &[CaseFacts]) -> Vec<DurationStat> {
    let since = |f: &CaseFacts, t: Option<Timestamp>| t.map(|t| t.duration_since(f.received_at));
    vec![
        stat(
            "to acknowledge",
            facts
                .iter()
                .filter_map(|f| since(f, f.acknowledged_at))
                .collect(),
        ),
        stat(
            "to triage",
            facts
                .iter()
                .filter_map(|f| since(f, f.triaged_at))
                .collect(),
        ),
        stat(
            "to fix",
            facts
                .iter()
                .filter(|f| f.fix_available != Some(false))
                .filter_map(|f| since(f, f.release_on.and_then(|d| day_start(d).ok())))
                .collect(),
        ),
        stat(
            "to publish",
            facts
                .iter()
                .filter_map(|f| since(f, f.published_at))
                .collect(),
        ),
    ]
}

fn acknowledgement_promise(facts: &[CaseFacts], days: u16, now: Timestamp) -> PromiseStat {
    let mut p = PromiseStat {
        name: format!("acknowledged within {days} days"),
        kept: 0,
        broken: 0,
        pending: 0,
    };
    for f in facts {
        match f.acknowledged_at {
            Some(at) if at <= f.acknowledge_by => p.kept += 1,
            Some(_) => p.broken += 1,
            // Spam is closed without an answer, as the policy allows.
            None if is_spam(f.state) => {}
            None if now > f.acknowledge_by => p.broken += 1,
            None => p.pending += 1,
        }
    }
    p
}

/// Accepted cases (rejected, spam and withdrawn reports promise no advisory) whose
/// advisory was public within the disclosure period of their receipt.
fn disclosure_promise(
    facts: &[CaseFacts],
    period: SignedDuration,
    days: u16,
    now: Timestamp,
) -> PromiseStat {
    let mut p = PromiseStat {
        name: format!("disclosed within {days} days"),
        kept: 0,
        broken: 0,
        pending: 0,
    };
    for f in facts
        .iter()
        .filter(|f| f.state.is_in_remediation() || f.published_at.is_some())
    {
        let due = f.received_at + period;
        match f.published_at {
            Some(at) if at <= due => p.kept += 1,
            Some(_) => p.broken += 1,
            None if now > due => p.broken += 1,
            None => p.pending += 1,
        }
    }
    p
}

fn is_spam(state: CaseState) -> bool {
    matches!(
        state,
        CaseState::Closed {
            resolution: Resolution::Spam
        }
    )
}

/// The outcome of a case, as an index into [`OUTCOMES`].
fn outcome(f: &CaseFacts) -> usize {
    match f.state {
        CaseState::Published => 1,
        CaseState::Closed { resolution } => match resolution {
            Resolution::Published => 1,
            Resolution::Rejected { .. } => 2,
            Resolution::Spam => 3,
            Resolution::Withdrawn => 4,
        },
        _ => 0,
    }
}

fn monday_of(d: Date) -> Date {
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d)
}

fn weeks(facts: &[CaseFacts], from: Date, to: Date) -> Vec<WeekRow> {
    let mut rows: Vec<WeekRow> = Vec::new();
    let mut monday = monday_of(from);
    while monday <= to {
        rows.push(WeekRow {
            monday,
            counts: [0; OUTCOMES.len()],
        });
        match monday.checked_add(jiff::Span::new().days(7)) {
            Ok(next) => monday = next,
            Err(_) => break,
        }
    }
    for f in facts {
        let day = TimeZone::UTC.to_datetime(f.received_at).date();
        let week = monday_of(day);
        if let Some(row) = rows.iter_mut().find(|r| r.monday == week) {
            row.counts[outcome(f)] += 1;
        }
    }
    debug_assert!(rows.iter().all(|r| r.monday.weekday() == Weekday::Monday));
    rows
}

fn open_by_age(received: &[Timestamp], now: Timestamp) -> [usize; AGE_GROUPS.len()] {
    let mut groups = [0; AGE_GROUPS.len()];
    for r in received {
        let days = now.duration_since(*r).as_hours() / 24;
        let i = match days {
            d if d < 7 => 0,
            d if d < 30 => 1,
            d if d < 60 => 2,
            d if d < 90 => 3,
            _ => 4,
        };
        groups[i] += 1;
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: i64) -> SignedDuration {
        SignedDuration::from_hours(n)
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<SignedDuration> = (1..=10).map(h).collect();
        assert_eq!(percentile(&v, 50), Some(h(5)));
        assert_eq!(percentile(&v, 90), Some(h(9)));
        assert_eq!(percentile(&[h(7)], 90), Some(h(7)));
        assert_eq!(percentile(&[h(1), h(2), h(3)], 50), Some(h(2)));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn weeks_start_on_monday_and_cover_the_period() {
        let from: Date = "2026-03-04".parse().unwrap(); // a Wednesday
        let to: Date = "2026-03-16".parse().unwrap(); // a Monday
        let w = weeks(&[], from, to);
        let mondays: Vec<String> = w.iter().map(|r| r.monday.to_string()).collect();
        assert_eq!(mondays, ["2026-03-02", "2026-03-09", "2026-03-16"]);
    }
}
