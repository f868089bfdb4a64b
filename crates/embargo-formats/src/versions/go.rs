//! Go module versions, ordered as `golang.org/x/mod/semver` orders them: semver 2.0
//! precedence with the `v` optional (OSV writes Go versions without it: `1.21.0-rc.2`).
//!
//! - `v1` and `v1.2` are Go's shorthands for `v1.0.0` and `v1.2.0`; a shorthand cannot
//!   carry a pre-release or build (`v1.2-rc.1` is refused, as Go refuses it);
//! - pre-releases come first, by semver's identifier rules: `1.21.0-0 < 1.21.0-rc.2 <
//!   1.21.0`;
//! - pseudo-versions are semver pre-releases and need nothing more: `v0.0.0-20210101000000-
//!   abcdef123456` (no earlier tag), `v1.2.4-0.20210101000000-abcdef123456` (after `v1.2.3`)
//!   and `v1.2.3-pre.0.20210101000000-abcdef123456` (after `v1.2.3-pre`) each sort after the
//!   version they were derived from and before the next tag, by their timestamp;
//! - build metadata, `+incompatible` included, is ignored: `v2.0.0+incompatible == v2.0.0`;
//! - numbers have no leading zeros and may be of any length.

use std::cmp::Ordering;

use super::semverish::{self, Parts, Rules};

const RULES: Rules = Rules {
    min: 1,
    max: 3,
    leading_zeros: false,
};

/// A parsed Go version.
#[derive(Debug, Clone)]
pub struct Version(Parts);

impl Version {
    /// Parses `v`, or says why not (a clause that completes "not a valid version").
    pub fn parse(v: &str) -> Result<Self, String> {
        let parts = semverish::parse(v, RULES)?;
        if parts.release.len() < 3 && (!parts.pre.is_empty() || !parts.build.is_empty()) {
            return Err("a shortened version (v1, v1.2) cannot have a pre-release or build".into());
        }
        Ok(Self(parts))
    }

    /// Orders two versions by the scheme's rules.
    pub fn order(&self, other: &Self) -> Ordering {
        semverish::cmp_precedence(&self.0, &other.0)
    }
}
