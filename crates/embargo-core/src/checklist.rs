//! The policy's task list for an accepted case (PROCESS.md, "The checklist").

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, ValueError};
use crate::ids::UserId;
use crate::role::{CaseRole, RolesOnCase};

/// One task of the policy, numbered as in PROCESS.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Step(u8);

/// Who owns a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    Coordinator,
    Developer,
    /// Either may do it (step 9: request a CVE).
    CoordinatorOrDeveloper,
    /// Both must sign it off (step 10: dates; step 14: announcement texts).
    DeveloperAndCoordinator,
}

/// How a task gets done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// Done by a case command, never ticked by hand (e.g. step 1 by acknowledging).
    ByCommand(&'static str),
    /// Ticked by its owner.
    Manual,
}

impl Step {
    pub const ACKNOWLEDGE: Step = Step(1);
    pub const OPEN_TRACKING_ISSUE: Step = Step(2);
    pub const TRIAGE: Step = Step(3);
    pub const DRAFT_ADVISORY: Step = Step(4);
    pub const ADD_PEOPLE: Step = Step(5);
    pub const REPLICATE: Step = Step(6);
    pub const FIX_PR: Step = Step(7);
    pub const MANUAL_TEST: Step = Step(8);
    pub const REQUEST_CVE: Step = Step(9);
    pub const DECIDE_DATES: Step = Step(10);
    pub const POST_DATES: Step = Step(11);
    pub const MERGE: Step = Step(12);
    pub const RELEASE: Step = Step(13);
    pub const DRAFT_ANNOUNCEMENTS: Step = Step(14);
    pub const PUBLISH_ADVISORY: Step = Step(15);
    pub const PUBLISH_ANNOUNCEMENTS: Step = Step(16);
    pub const NOTIFY_REPORTER: Step = Step(17);
    pub const CLOSE: Step = Step(18);

    pub const COUNT: u8 = 18;

    pub fn new(n: u8) -> Result<Self, ValueError> {
        if (1..=Self::COUNT).contains(&n) {
            Ok(Step(n))
        } else {
            Err(ValueError::new(
                "checklist step",
                format!("{n} is not a step (1-18)"),
            ))
        }
    }

    pub fn all() -> impl Iterator<Item = Step> {
        (1..=Self::COUNT).map(Step)
    }

    pub fn number(self) -> u8 {
        self.0
    }

    pub fn title(self) -> &'static str {
        match self.0 {
            1 => "Acknowledge receipt to the reporter",
            2 => "Open the private tracking issue",
            3 => "Triage for completeness and suitability",
            4 => "Open a draft security advisory in each relevant repository",
            5 => "Add the relevant people to the advisory",
            6 => "Replicate the vulnerability",
            7 => "Work on the fix PR(s) in private security forks",
            8 => "Test manually: CI does not run on private forks (sign-off per fork)",
            9 => "Request a CVE if applicable (private until publication)",
            10 => "Decide release and announcement dates",
            11 => "Post the dates to the core chat room and mailing list",
            12 => "Merge the fix PR",
            13 => "Release the package and/or deploy the fix",
            14 => "Draft the blog post and announcement texts",
            15 => "Publish the advisory on the announcement date",
            16 => "Publish the blog post and announcements",
            17 => "Notify the reporter of the releases",
            _ => "Close the tracking issue",
        }
    }

    pub fn owner(self) -> Owner {
        match self.0 {
            6 | 7 | 8 | 12 | 13 => Owner::Developer,
            9 => Owner::CoordinatorOrDeveloper,
            10 | 14 => Owner::DeveloperAndCoordinator,
            _ => Owner::Coordinator,
        }
    }

    pub fn completion(self) -> Completion {
        match self.0 {
            1 => Completion::ByCommand("acknowledge"),
            2 => Completion::ByCommand("acknowledge"),
            3 => Completion::ByCommand("accept"),
            15 => Completion::ByCommand("publish"),
            18 => Completion::ByCommand("close"),
            _ => Completion::Manual,
        }
    }

    /// The hard ordering rules: this step cannot be done before these. PROCESS.md names
    /// 12 after 8, 15 after 10, 18 after 17; posting the dates (11) needs dates (10).
    pub fn requires(self) -> &'static [Step] {
        match self.0 {
            11 => &[Step::DECIDE_DATES],
            12 => &[Step::MANUAL_TEST],
            15 => &[Step::DECIDE_DATES],
            18 => &[Step::NOTIFY_REPORTER],
            _ => &[],
        }
    }

    /// Whether someone with `roles` may tick (or sign) this step, and as which role.
    pub fn signer_role(self, roles: &RolesOnCase) -> Option<CaseRole> {
        match self.owner() {
            Owner::Coordinator => roles.coordinator.then_some(CaseRole::Coordinator),
            Owner::Developer => roles.developer.then_some(CaseRole::Developer),
            Owner::CoordinatorOrDeveloper | Owner::DeveloperAndCoordinator => {
                if roles.coordinator {
                    Some(CaseRole::Coordinator)
                } else if roles.developer {
                    Some(CaseRole::Developer)
                } else {
                    None
                }
            }
        }
    }
}

impl TryFrom<u8> for Step {
    type Error = ValueError;
    fn try_from(n: u8) -> Result<Self, ValueError> {
        Step::new(n)
    }
}

impl From<Step> for u8 {
    fn from(s: Step) -> u8 {
        s.0
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {} ({})", self.0, self.title())
    }
}

/// Who ticked a step (or signed one half of a joint step), when, with an optional note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    /// `None` when the system did it (deadline disclosure).
    pub by: Option<UserId>,
    pub role: Option<CaseRole>,
    pub at: Timestamp,
    pub note: Option<String>,
}

/// The state of all 18 steps of one case. A step is done when it has a sign-off from
/// each role its owner requires.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Checklist {
    signoffs: BTreeMap<Step, Vec<SignOff>>,
}

impl Checklist {
    pub fn is_done(&self, step: Step) -> bool {
        let signs = self.signoffs.get(&step).map(Vec::as_slice).unwrap_or(&[]);
        match step.owner() {
            Owner::DeveloperAndCoordinator => {
                let has = |r| signs.iter().any(|s| s.role == Some(r) || s.by.is_none());
                has(CaseRole::Developer) && has(CaseRole::Coordinator)
            }
            _ => !signs.is_empty(),
        }
    }

    pub fn signoffs(&self, step: Step) -> &[SignOff] {
        self.signoffs.get(&step).map(Vec::as_slice).unwrap_or(&[])
    }

    /// When the step became done (its last needed sign-off).
    pub fn done_at(&self, step: Step) -> Option<Timestamp> {
        if self.is_done(step) {
            self.signoffs(step).iter().map(|s| s.at).max()
        } else {
            None
        }
    }

    /// Check the ordering rules for `step`.
    pub fn check_order(&self, step: Step) -> Result<(), DomainError> {
        for before in step.requires() {
            if !self.is_done(*before) {
                return Err(DomainError::Checklist(format!(
                    "step {} needs step {} ({}) first",
                    step.number(),
                    before.number(),
                    before.title()
                )));
            }
        }
        Ok(())
    }

    /// Records a sign-off. Refuses a second sign-off by the same role on the same step.
    pub(crate) fn sign(&mut self, step: Step, signoff: SignOff) -> Result<(), DomainError> {
        if self.is_done(step) {
            return Err(DomainError::Checklist(format!(
                "step {} is already done",
                step.number()
            )));
        }
        let signs = self.signoffs.entry(step).or_default();
        if signoff.role.is_some() && signs.iter().any(|s| s.role == signoff.role) {
            return Err(DomainError::Checklist(format!(
                "step {} is already signed by the {}; it needs the other role too",
                step.number(),
                signoff.role.map(CaseRole::as_str).unwrap_or("system")
            )));
        }
        signs.push(signoff);
        signs.sort_by(canonical_order);
        Ok(())
    }

    /// Withdraws every sign-off of a step (e.g. dates changed after they were agreed).
    pub(crate) fn clear(&mut self, step: Step) {
        self.signoffs.remove(&step);
    }

    /// All sign-offs, for storage.
    pub fn entries(&self) -> impl Iterator<Item = (Step, &SignOff)> {
        self.signoffs
            .iter()
            .flat_map(|(step, signs)| signs.iter().map(move |s| (*step, s)))
    }

    /// Rebuilds a checklist from stored sign-offs.
    pub fn from_entries(entries: impl IntoIterator<Item = (Step, SignOff)>) -> Self {
        let mut signoffs: BTreeMap<Step, Vec<SignOff>> = BTreeMap::new();
        for (step, s) in entries {
            signoffs.entry(step).or_default().push(s);
        }
        for signs in signoffs.values_mut() {
            signs.sort_by(canonical_order);
        }
        Self { signoffs }
    }
}

/// Sign-offs of one step by time, then role: the same whichever way they were loaded.
fn canonical_order(a: &SignOff, b: &SignOff) -> std::cmp::Ordering {
    let role = |s: &SignOff| s.role.map(CaseRole::as_str).unwrap_or("system");
    a.at.cmp(&b.at).then_with(|| role(a).cmp(role(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Timestamp {
        "2026-03-01T00:00:00Z".parse().unwrap()
    }

    fn by(role: CaseRole) -> SignOff {
        SignOff {
            by: Some(UserId::from_random_bytes([role as u8; 16])),
            role: Some(role),
            at: at(),
            note: None,
        }
    }

    #[test]
    fn there_are_eighteen_steps_with_the_policys_owners() {
        assert_eq!(Step::all().count(), 18);
        assert_eq!(Step::new(6).unwrap().owner(), Owner::Developer);
        assert_eq!(Step::new(9).unwrap().owner(), Owner::CoordinatorOrDeveloper);
        assert_eq!(
            Step::new(10).unwrap().owner(),
            Owner::DeveloperAndCoordinator
        );
        assert_eq!(
            Step::new(14).unwrap().owner(),
            Owner::DeveloperAndCoordinator
        );
        assert_eq!(Step::new(17).unwrap().owner(), Owner::Coordinator);
        assert!(Step::new(0).is_err());
        assert!(Step::new(19).is_err());
    }

    #[test]
    fn joint_steps_need_both_roles() {
        let mut c = Checklist::default();
        c.sign(Step::DECIDE_DATES, by(CaseRole::Developer)).unwrap();
        assert!(!c.is_done(Step::DECIDE_DATES));
        let again = c
            .sign(Step::DECIDE_DATES, by(CaseRole::Developer))
            .unwrap_err();
        assert!(again.to_string().contains("needs the other role"));
        c.sign(Step::DECIDE_DATES, by(CaseRole::Coordinator))
            .unwrap();
        assert!(c.is_done(Step::DECIDE_DATES));
    }

    #[test]
    fn hard_ordering_rules() {
        let c = Checklist::default();
        assert_eq!(
            c.check_order(Step::MERGE).unwrap_err().to_string(),
            "checklist: step 12 needs step 8 (Test manually: CI does not run on private forks (sign-off per fork)) first"
        );
        assert!(c.check_order(Step::PUBLISH_ADVISORY).is_err());
        assert!(c.check_order(Step::CLOSE).is_err());
        assert!(c.check_order(Step::REPLICATE).is_ok());
    }

    #[test]
    fn round_trips_through_entries() {
        let mut c = Checklist::default();
        c.sign(Step::REPLICATE, by(CaseRole::Developer)).unwrap();
        c.sign(Step::DECIDE_DATES, by(CaseRole::Coordinator))
            .unwrap();
        let back = Checklist::from_entries(c.entries().map(|(s, o)| (s, o.clone())));
        assert_eq!(back, c);
    }
}
