//! Versions of ecosystems without a library here (generic, gem, golang, maven, nuget,
//! composer, ...). No single rule is right for all of them, so this one is predictable:
//!
//! - a leading `v` or `V` followed by a digit is dropped (Go modules, tags): `v1.2` is `1.2`;
//! - everything after the first `+` is build metadata (Go's `+incompatible`, NuGet), ignored
//!   for ordering as in semver;
//! - the rest is split at `.`, `-` and `_`, and inside a part where digits meet letters
//!   (`1rc2` is `1`, `rc`, `2`);
//! - numbers compare as numbers, of any length (`1.10 > 1.9`, `01 == 1`); words compare
//!   lexically, ignoring case;
//! - at the same position a word sorts before a number, and a missing segment counts as the
//!   number zero, so a suffix marks a pre-release: `2.0-beta < 2.0 == 2.0.0 < 2.0.1`.
//!
//! Empty parts (`1..2`, `1.`, `1.0+`) are refused; they are typos more often than versions.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros ("" is zero), so any length compares numerically.
    Number(String),
    /// Lowercased.
    Word(String),
}

impl Segment {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Number(x), Self::Number(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
            (Self::Word(x), Self::Word(y)) => x.cmp(y),
            (Self::Word(_), Self::Number(_)) => Ordering::Less,
            (Self::Number(_), Self::Word(_)) => Ordering::Greater,
        }
    }
}

/// A parsed generic version; build metadata is dropped. Equality is the ordering's:
/// `1.0 == 1.0.0`.
#[derive(Debug, Clone)]
pub struct Version(Vec<Segment>);

impl Version {
    /// Parses `v`, or says why not (a clause that completes "not a valid version").
    pub fn parse(v: &str) -> Result<Self, String> {
        let body = v
            .strip_prefix(['v', 'V'])
            .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(v);
        let (body, build) = match body.split_once('+') {
            Some((body, build)) => (body, Some(build)),
            None => (body, None),
        };
        if build.is_some_and(str::is_empty) {
            return Err("nothing follows the `+`".into());
        }
        let mut segments = Vec::new();
        for part in body.split(['.', '-', '_']) {
            if part.is_empty() {
                return Err("it has an empty segment".into());
            }
            let mut rest = part;
            while let Some(first) = rest.chars().next() {
                let digits = first.is_ascii_digit();
                let end = rest
                    .find(|c: char| c.is_ascii_digit() != digits)
                    .unwrap_or(rest.len());
                let (head, tail) = rest.split_at(end);
                segments.push(if digits {
                    Segment::Number(head.trim_start_matches('0').to_string())
                } else {
                    Segment::Word(head.to_lowercase())
                });
                rest = tail;
            }
        }
        Ok(Self(segments))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Number(String::new());
        let n = self.0.len().max(other.0.len());
        (0..n)
            .map(|i| {
                let a = self.0.get(i).unwrap_or(&zero);
                let b = other.0.get(i).unwrap_or(&zero);
                a.cmp(b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
