//! GitHub Actions (and GitHub repository) tags, read as semver: with or without a `v`
//! (`v4`, `4`, `v4.1.0`), and a tag with fewer than three numbers is padded with zeros
//! (`v4` is `4.0.0`, `41` is `41.0.0`, `v4.1-beta` is `4.1.0-beta`): Actions' moving major
//! and minor tags are compared as their `.0` release. Then semver precedence: pre-releases
//! first, build metadata ignored. Numbers have no leading zeros and may be of any length.

use std::cmp::Ordering;

use super::semverish::{self, Parts, Rules};

const RULES: Rules = Rules {
    min: 1,
    max: 3,
    leading_zeros: false,
};

/// A parsed tag.
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
