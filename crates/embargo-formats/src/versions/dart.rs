//! Pub (Dart and Flutter packages) versions, ordered as `pub_semver`'s `Version.compareTo`:
//!
//! - three release numbers (leading zeros are read as numbers: `01` is `1`, as Dart's
//!   `int.parse` reads them), compared numerically;
//! - a pre-release comes before the release; pre-release identifiers compare as semver's
//!   (numbers before words, numbers numerically, words in ASCII order, fewer first);
//! - unlike semver, the build is *not* ignored: no build comes first
//!   (`1.0.0 < 1.0.0+build`), then builds compare like pre-releases (`+1 < +2 < +a`).
//!
//! A leading `v` is accepted and dropped, as in the other semver schemes.

use std::cmp::Ordering;

use super::semverish::{self, Parts, Rules};

const RULES: Rules = Rules {
    min: 3,
    max: 3,
    leading_zeros: true,
};

/// A parsed Pub version.
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
        semverish::cmp_precedence(a, b).then_with(|| {
            match (a.build.is_empty(), b.build.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => semverish::cmp_idents(&a.build, &b.build, false),
            }
        })
    }
}
