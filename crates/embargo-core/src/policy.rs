//! The installation's clock settings, defaulting to the policy's numbers.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// Clock lengths. The policy's defaults: acknowledge within 7 days, disclose within 90.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawPolicy")]
pub struct Policy {
    acknowledge_within_days: u16,
    disclose_within_days: u16,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    acknowledge_within_days: u16,
    disclose_within_days: u16,
}

impl TryFrom<RawPolicy> for Policy {
    type Error = ValueError;
    fn try_from(raw: RawPolicy) -> Result<Self, ValueError> {
        Policy::new(raw.acknowledge_within_days, raw.disclose_within_days)
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            acknowledge_within_days: 7,
            disclose_within_days: 90,
        }
    }
}

impl Policy {
    /// Longest embargo an installation may configure: a year. Longer is not coordinated
    /// disclosure any more.
    pub const MAX_DISCLOSURE_DAYS: u16 = 365;

    pub fn new(
        acknowledge_within_days: u16,
        disclose_within_days: u16,
    ) -> Result<Self, ValueError> {
        if acknowledge_within_days == 0 {
            return Err(ValueError::new(
                "policy",
                "acknowledgement time must be at least 1 day",
            ));
        }
        if disclose_within_days == 0 || disclose_within_days > Self::MAX_DISCLOSURE_DAYS {
            return Err(ValueError::new(
                "policy",
                format!(
                    "disclosure time must be 1-{} days",
                    Self::MAX_DISCLOSURE_DAYS
                ),
            ));
        }
        if acknowledge_within_days >= disclose_within_days {
            return Err(ValueError::new(
                "policy",
                "acknowledgement time must be shorter than disclosure time",
            ));
        }
        Ok(Self {
            acknowledge_within_days,
            disclose_within_days,
        })
    }

    pub fn acknowledge_within_days(&self) -> u16 {
        self.acknowledge_within_days
    }

    pub fn disclose_within_days(&self) -> u16 {
        self.disclose_within_days
    }

    /// The deadlines of a report received at `received_at`. Days are 24-hour periods from
    /// the moment of receipt, so the deadline never depends on a time zone.
    pub fn deadlines_for(&self, received_at: Timestamp) -> Deadlines {
        Deadlines {
            acknowledge_by: add_days(received_at, self.acknowledge_within_days),
            disclose_by: add_days(received_at, self.disclose_within_days),
            extensions: Vec::new(),
        }
    }
}

fn add_days(t: Timestamp, days: u16) -> Timestamp {
    let d = SignedDuration::from_hours(24 * i64::from(days));
    t.checked_add(d).unwrap_or(Timestamp::MAX)
}

/// The clocks of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    pub acknowledge_by: Timestamp,
    /// The current disclosure deadline (after any extensions).
    pub disclose_by: Timestamp,
    /// Every extension, oldest first; each carries its reason (PROCESS.md, Clocks).
    pub extensions: Vec<Extension>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub from: Timestamp,
    pub to: Timestamp,
    pub reason: crate::values::RequiredText,
    pub by: crate::ids::UserId,
    pub at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_policys_numbers() {
        let t: Timestamp = "2026-01-01T12:00:00Z".parse().unwrap();
        let d = Policy::default().deadlines_for(t);
        assert_eq!(d.acknowledge_by.to_string(), "2026-01-08T12:00:00Z");
        assert_eq!(d.disclose_by.to_string(), "2026-04-01T12:00:00Z");
    }

    #[test]
    fn nonsense_policies_are_refused() {
        assert!(Policy::new(0, 90).is_err());
        assert!(Policy::new(7, 0).is_err());
        assert!(Policy::new(7, 400).is_err());
        assert!(Policy::new(30, 14).is_err());
        assert!(Policy::new(3, 45).is_ok());
    }

    #[test]
    fn policy_deserializes_through_its_checks() {
        let bad = serde_json::from_str::<Policy>(
            r#"{"acknowledge_within_days":0,"disclose_within_days":90}"#,
        );
        assert!(bad.is_err());
        let unknown = serde_json::from_str::<Policy>(
            r#"{"acknowledge_within_days":7,"disclose_within_days":90,"x":1}"#,
        );
        assert!(unknown.is_err());
    }
}
