//! NuGet versions, ordered as `NuGet.Versioning`'s `VersionComparer` orders them:
//!
//! - one to four release numbers (`1.0` is `1.0.0.0`; the fourth is the legacy revision),
//!   a missing one counting as zero; leading zeros are read as numbers (`1.01 == 1.1`), as
//!   NuGet normalizes them;
//! - a pre-release (`-beta.2`) comes before the release; its identifiers compare as in
//!   semver, except that letters compare ignoring case (`1.0.0-BETA == 1.0.0-beta`);
//! - build metadata (`+sha.abc`) is ignored.
//!
//! A leading `v` is accepted and dropped. Numbers may be of any length (NuGet itself stops
//! at 2^31 - 1).

use std::cmp::Ordering;

use super::semverish::{self, Parts, Rules};

const RULES: Rules = Rules {
    min: 1,
    max: 4,
    leading_zeros: true,
};

/// A parsed NuGet version.
#[derive(Debug, Clone)]
pub struct Version(Parts);

impl Version {
    /// Parses `v`, or says why not (a clause that completes "not a valid version").
    pub fn parse(v: &str) -> Result<Self, String> {
        semverish::parse(v, RULES).map(Self)
    }

    /// Orders two versions by the scheme's rules.
    pub fn order(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.0, &other.0);
        semverish::cmp_release(&a.release, &b.release)
            .then_with(|| semverish::cmp_pre(&a.pre, &b.pre, true))
    }
}
