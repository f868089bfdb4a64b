//! Packagist (Composer) versions, ordered by PHP's `version_compare` after dropping a
//! leading `v` or `V` (which Composer's normalization drops), as OSV orders them:
//!
//! - the version is canonicalized: `-`, `_`, `+` and every other character that is not a
//!   letter or digit become `.` (runs of them one `.`), and a `.` goes wherever digits meet
//!   other characters: `1.0RC1` is `1.0.RC.1`, `1.0-dev` is `1.0.dev`;
//! - part by part, numbers compare numerically (of any length; PHP stops at 2^63 - 1);
//!   words by their special form, known by prefix: `dev < alpha = a < beta = b < RC = rc
//!   < (a number) < pl = p`, and any other word before them all (`dev-main < 1.0`);
//! - when one version has more parts, a number there makes it greater (`1.0.0 > 1.0`, as
//!   in PHP), a word is compared with a number (`1.0-beta < 1.0 < 1.0-patch1`).
//!
//! Any one-word string is a version here, as `version_compare` takes any string. Two
//! departures from PHP, both about versions Composer would refuse: a trailing separator is
//! dropped (`1.0-` is `1.0`; PHP orders such a version before itself), and numbers past
//! 2^63 - 1 still compare. Composer's own normalization also pads the release to four
//! numbers (`1.0 == 1.0.0.0`); OSV does not, and neither does this (`1.0 < 1.0.0`).

use std::cmp::Ordering;

use super::semverish::cmp_num;

/// A parsed Packagist version: its canonical form, as bytes (PHP works on bytes).
#[derive(Debug, Clone)]
pub struct Version(Vec<u8>);

/// What `version_compare` puts in place of a number when it compares a number with a word.
const NUMBER: &[u8] = b"#N#";

impl Version {
    /// Parses `v`; never fails.
    pub fn parse(v: &str) -> Self {
        let v = v
            .strip_prefix(['v', 'V'])
            .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(v);
        let mut canonical = canonical(v.as_bytes());
        // A trailing separator would make `version_compare` put the version before itself
        // (`1.0.` < `1.0.`); it is dropped, so `1.0-` is `1.0`.
        while canonical.len() > 1 && canonical.last() == Some(&b'.') {
            canonical.pop();
        }
        Self(canonical)
    }

    /// Orders two versions by the scheme's rules.
    pub fn order(&self, other: &Self) -> Ordering {
        compare(&self.0, &other.0)
    }
}

fn is_digit(c: u8) -> bool {
    c.is_ascii_digit()
}

fn is_not_digit(c: u8) -> bool {
    !c.is_ascii_digit() && c != b'.'
}

/// `php_canonicalize_version`.
fn canonical(v: &[u8]) -> Vec<u8> {
    let Some((&first, rest)) = v.split_first() else {
        return Vec::new();
    };
    if first == b'#' {
        // version_compare leaves a version that starts with `#` as it is.
        return v.to_vec();
    }
    let mut out = vec![first];
    let mut last = first;
    let dot = |out: &mut Vec<u8>| {
        if out.last() != Some(&b'.') {
            out.push(b'.');
        }
    };
    for &c in rest {
        if matches!(c, b'-' | b'_' | b'+') {
            dot(&mut out);
        } else if (is_not_digit(last) && is_digit(c)) || (is_digit(last) && is_not_digit(c)) {
            dot(&mut out);
            out.push(c);
        } else if !c.is_ascii_alphanumeric() {
            dot(&mut out);
        } else {
            out.push(c);
        }
        last = c;
    }
    out
}

/// `compare_special_version_forms`' order of a word, by prefix.
fn special(form: &[u8]) -> i8 {
    const FORMS: [(&[u8], i8); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| form.starts_with(name))
        .map_or(-1, |(_, order)| *order)
}

fn starts_with_digit(part: &[u8]) -> bool {
    part.first().is_some_and(|c| c.is_ascii_digit())
}

fn cmp_part(a: &[u8], b: &[u8]) -> Ordering {
    match (starts_with_digit(a), starts_with_digit(b)) {
        (true, true) => cmp_num(&leading_number(a), &leading_number(b)),
        (false, false) => special(a).cmp(&special(b)),
        (true, false) => special(NUMBER).cmp(&special(b)),
        (false, true) => special(a).cmp(&special(NUMBER)),
    }
}

/// The digits a part starts with, as `strtol` reads them, without leading zeros.
fn leading_number(part: &[u8]) -> String {
    let digits: String = part
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .map(|&c| char::from(c))
        .collect();
    match digits.trim_start_matches('0') {
        "" => "0".into(),
        t => t.into(),
    }
}

/// `php_version_compare` on two canonical versions.
fn compare(a: &[u8], b: &[u8]) -> Ordering {
    if a.is_empty() || b.is_empty() {
        return (!a.is_empty()).cmp(&!b.is_empty());
    }
    let pa: Vec<&[u8]> = a.split(|&c| c == b'.').collect();
    let pb: Vec<&[u8]> = b.split(|&c| c == b'.').collect();
    // What remains of a version from part `i` on is empty only at a trailing `.`.
    let rest_empty = |parts: &[&[u8]], i: usize| i + 1 == parts.len() && parts[i].is_empty();
    let (mut i, mut j) = (0, 0);
    // Whether a `.` followed the part last compared (true before the first).
    let (mut more_a, mut more_b) = (true, true);
    let mut result = Ordering::Equal;
    while more_a && more_b && !rest_empty(&pa, i) && !rest_empty(&pb, j) {
        more_a = i + 1 < pa.len();
        more_b = j + 1 < pb.len();
        result = cmp_part(pa[i], pb[j]);
        if result.is_ne() {
            return result;
        }
        if more_a {
            i += 1;
        }
        if more_b {
            j += 1;
        }
    }
    if more_a {
        result = if starts_with_digit(pa[i]) {
            Ordering::Greater
        } else {
            compare(&canonical(&pa[i..].join(&b'.')), NUMBER)
        };
    } else if more_b {
        result = if starts_with_digit(pb[j]) {
            Ordering::Less
        } else {
            compare(NUMBER, &canonical(&pb[j..].join(&b'.')))
        };
    }
    result
}
