//! The state of a CVE id at the CVE Program, as CVE Services names it: reserved by a CNA,
//! published with a record, or rejected. One name table for both spellings.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CveState {
    /// Reserved by the CNA; no record yet.
    Reserved,
    /// A published record exists.
    Published,
    /// The id was rejected (a rejected record exists).
    Rejected,
}

/// (state, CVE Services' spelling, ours).
const NAMES: &[(CveState, &str, &str)] = &[
    (CveState::Reserved, "RESERVED", "reserved"),
    (CveState::Published, "PUBLISHED", "published"),
    (CveState::Rejected, "REJECTED", "rejected"),
];

impl CveState {
    /// Every state, in the name table's order.
    pub fn all() -> impl Iterator<Item = CveState> {
        NAMES.iter().map(|(state, _, _)| *state)
    }

    /// As embargo stores and shows it.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(s, ..)| *s == self)
            .map_or("reserved", |(.., ours)| ours)
    }

    /// Either spelling.
    pub fn parse(s: &str) -> Option<Self> {
        NAMES
            .iter()
            .find(|(_, api, ours)| *api == s || *ours == s)
            .map(|(state, ..)| *state)
    }
}

impl std::fmt::Display for CveState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for CveState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| format!("unknown CVE id state {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_round_trip() {
        for (state, api, ours) in NAMES {
            assert_eq!(state.name(), *ours);
            assert_eq!(CveState::parse(api), Some(*state));
            assert_eq!(ours.parse::<CveState>(), Ok(*state));
        }
        assert_eq!(CveState::parse("AVAILABLE"), None);
    }
}
