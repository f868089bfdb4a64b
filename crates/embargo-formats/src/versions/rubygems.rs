//! RubyGems versions, ordered as `Gem::Version#<=>`:
//!
//! - a version is `Gem::Version::VERSION_PATTERN`: digits, then `.`-separated runs of
//!   letters and digits, then optionally `-` and a pre-release label (`1.0`, `1.0.0.beta2`,
//!   `2.0.0-rc1`); anything else is refused, as `Gem::Version.new` refuses it;
//! - every `-` means `.pre.` (`1.0-rc1` is `1.0.pre.rc1`), then the segments are the runs
//!   of digits and of letters (`1.0.a10` is `1`, `0`, `a`, `10`);
//! - trailing zeros are dropped from the numbers before the first word and from the
//!   segments after it (`1.0 == 1`, `1.a.0 == 1.a`);
//! - segment by segment, a missing one counting as `0`: numbers numerically, words by
//!   their bytes (case matters: `B < a`), and a word before a number, so a word marks a
//!   pre-release (`1.0.a < 1.0 < 1.0.1`).

use std::cmp::Ordering;

use super::semverish::cmp_num;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros (`"0"` for zero).
    Num(String),
    Word(String),
}

/// A parsed gem version, as its canonical segments.
#[derive(Debug, Clone)]
pub struct Version(Vec<Segment>);

impl Version {
    /// Parses `v`, or says why not (a clause that completes "not a valid version").
    pub fn parse(v: &str) -> Result<Self, String> {
        check(v)?;
        let v = v.replace('-', ".pre.");
        let mut segments = Vec::new();
        let mut rest = v.as_str();
        while let Some(first) = rest.chars().next() {
            if !first.is_ascii_alphanumeric() {
                rest = &rest[first.len_utf8()..];
                continue;
            }
            let digits = first.is_ascii_digit();
            let end = rest
                .find(|c: char| !c.is_ascii_alphanumeric() || c.is_ascii_digit() != digits)
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at(end);
            segments.push(if digits {
                Segment::Num(match run.trim_start_matches('0') {
                    "" => "0".into(),
                    t => t.into(),
                })
            } else {
                Segment::Word(run.into())
            });
            rest = tail;
        }
        // Gem::Version#canonical_segments: split at the first word, drop trailing zeros
        // from each half.
        let split = segments
            .iter()
            .position(|s| matches!(s, Segment::Word(_)))
            .unwrap_or(segments.len());
        let mut words = segments.split_off(split);
        drop_zeros(&mut segments);
        drop_zeros(&mut words);
        segments.append(&mut words);
        Ok(Self(segments))
    }

    /// Orders two versions by the scheme's rules.
    pub fn order(&self, other: &Self) -> Ordering {
        let zero = Segment::Num("0".into());
        (0..self.0.len().max(other.0.len()))
            .map(|i| {
                match (
                    self.0.get(i).unwrap_or(&zero),
                    other.0.get(i).unwrap_or(&zero),
                ) {
                    (Segment::Num(a), Segment::Num(b)) => cmp_num(a, b),
                    (Segment::Word(a), Segment::Word(b)) => a.cmp(b),
                    (Segment::Word(_), Segment::Num(_)) => Ordering::Less,
                    (Segment::Num(_), Segment::Word(_)) => Ordering::Greater,
                }
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

fn drop_zeros(segments: &mut Vec<Segment>) {
    while segments
        .last()
        .is_some_and(|s| *s == Segment::Num("0".into()))
    {
        segments.pop();
    }
}

/// `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`, whole.
fn check(v: &str) -> Result<(), String> {
    let (release, pre) = match v.split_once('-') {
        Some((release, pre)) => (release, Some(pre)),
        None => (v, None),
    };
    let mut parts = release.split('.');
    let first = parts.next().unwrap_or_default();
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err("a gem version starts with a number".into());
    }
    if parts.any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return Err("its parts are letters and digits, separated by single dots".into());
    }
    if let Some(pre) = pre
        && pre
            .split('.')
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return Err(
            "the pre-release label after `-` is letters, digits, `-` and single dots".into(),
        );
    }
    Ok(())
}
