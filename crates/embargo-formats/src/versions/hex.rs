//! Hex (Elixir and Erlang packages) versions, ordered by Elixir's `Version`: strict semver
//! 2.0 (three numbers, no leading zeros) and semver precedence, build metadata ignored. A
//! leading `v` is accepted and dropped, as in the other semver schemes; numbers may be of
//! any length, as Elixir's integers are.

use std::cmp::Ordering;

use super::semverish::{self, Parts, Rules};

const RULES: Rules = Rules {
    min: 3,
    max: 3,
    leading_zeros: false,
};

/// A parsed Hex version.
#[derive(Debug, Clone)]
pub struct Version(Parts);

impl Version {
    /// Parses `v`, or says why not (a clause that completes "not a valid version").
    pub fn parse(v: &str) -> Result<Self, String> {
        semverish::parse(v, RULES).map(Self)
    }

    /// Orders two versions by the scheme's rules.
    pub fn order(&self, other: &Self) -> Ordering {
        semverish::cmp_precedence(&self.0, &other.0)
    }
}
