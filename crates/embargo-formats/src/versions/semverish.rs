//! The parts shared by the semver-like schemes (Go, Hex, Pub, NuGet, GitHub Actions):
//! `[v]N(.N)*[-pre.release][+build]`, with numbers of any length (they are compared as
//! digit strings, so no number is too big). Each scheme says how many release numbers it
//! takes and whether leading zeros are allowed, and orders the parts by its own rules with
//! the comparisons below.

use std::cmp::Ordering;

/// One dot-separated identifier of a pre-release or build label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ident {
    /// Digits without leading zeros (`"0"` for zero).
    Num(String),
    /// Anything else, as written.
    Text(String),
}

/// A parsed semver-like version.
#[derive(Debug, Clone)]
pub struct Parts {
    /// The release numbers, without leading zeros.
    pub release: Vec<String>,
    /// The pre-release identifiers; empty for a release.
    pub pre: Vec<Ident>,
    /// The build identifiers; empty without `+`.
    pub build: Vec<Ident>,
}

/// What a scheme accepts.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Fewest release numbers (`1` accepts `v4`).
    pub min: usize,
    /// Most release numbers.
    pub max: usize,
    /// Whether `01` is a number (NuGet, Pub) or refused (semver, Go, Hex).
    pub leading_zeros: bool,
}

/// Drops a leading `v` or `V` that comes before a digit: `v1.2.3` is `1.2.3`.
pub fn strip_v(v: &str) -> &str {
    v.strip_prefix(['v', 'V'])
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(v)
}

/// Parses `v` (after an optional `v`) by the rules, or says why not.
pub fn parse(v: &str, rules: Rules) -> Result<Parts, String> {
    let body = strip_v(v);
    let (body, build) = match body.split_once('+') {
        Some((body, build)) => (body, Some(build)),
        None => (body, None),
    };
    let (core, pre) = match body.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (body, None),
    };
    let release = core
        .split('.')
        .map(|p| number(p, rules.leading_zeros))
        .collect::<Result<Vec<_>, _>>()?;
    if release.len() < rules.min || release.len() > rules.max {
        let wanted = if rules.min == rules.max {
            format!("{} numbers", rules.max)
        } else {
            format!("{} to {} numbers", rules.min, rules.max)
        };
        return Err(format!(
            "it has {} release numbers, {wanted} are expected",
            release.len()
        ));
    }
    let pre = match pre {
        Some(pre) => idents(pre, "pre-release", rules.leading_zeros)?,
        None => Vec::new(),
    };
    let build = match build {
        Some(build) => idents(build, "build", true)?,
        None => Vec::new(),
    };
    Ok(Parts {
        release,
        pre,
        build,
    })
}

fn number(p: &str, leading_zeros: bool) -> Result<String, String> {
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{p:?} is not a release number"));
    }
    if !leading_zeros && p.len() > 1 && p.starts_with('0') {
        return Err(format!("the number {p:?} has a leading zero"));
    }
    Ok(trim_zeros(p))
}

fn trim_zeros(p: &str) -> String {
    match p.trim_start_matches('0') {
        "" => "0".to_string(),
        t => t.to_string(),
    }
}

fn idents(label: &str, what: &str, leading_zeros: bool) -> Result<Vec<Ident>, String> {
    label
        .split('.')
        .map(|id| {
            if id.is_empty() {
                return Err(format!("the {what} label has an empty part"));
            }
            if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(format!(
                    "the {what} label {id:?} has characters other than letters, digits and `-`"
                ));
            }
            if id.bytes().all(|b| b.is_ascii_digit()) {
                if !leading_zeros && id.len() > 1 && id.starts_with('0') {
                    return Err(format!("the {what} number {id:?} has a leading zero"));
                }
                Ok(Ident::Num(trim_zeros(id)))
            } else {
                Ok(Ident::Text(id.to_string()))
            }
        })
        .collect()
}

/// Compares digit strings without leading zeros, of any length.
pub fn cmp_num(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Compares release numbers, a missing number counting as zero (`1.2 == 1.2.0`).
pub fn cmp_release(a: &[String], b: &[String]) -> Ordering {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            cmp_num(
                a.get(i).map_or("0", String::as_str),
                b.get(i).map_or("0", String::as_str),
            )
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Semver's identifier order: numbers numerically and before words, words in ASCII order
/// (or ignoring case with `fold_case`), and a shorter list first when one is a prefix of
/// the other.
pub fn cmp_idents(a: &[Ident], b: &[Ident], fold_case: bool) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (x, y) {
            (Ident::Num(x), Ident::Num(y)) => cmp_num(x, y),
            (Ident::Num(_), Ident::Text(_)) => Ordering::Less,
            (Ident::Text(_), Ident::Num(_)) => Ordering::Greater,
            (Ident::Text(x), Ident::Text(y)) if fold_case => x
                .bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(y.bytes().map(|c| c.to_ascii_lowercase())),
            (Ident::Text(x), Ident::Text(y)) => x.cmp(y),
        };
        if o.is_ne() {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// Semver's pre-release order: a release comes after all of its pre-releases.
pub fn cmp_pre(a: &[Ident], b: &[Ident], fold_case: bool) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => cmp_idents(a, b, fold_case),
    }
}

/// Semver 2.0 precedence: release numbers, then pre-release; build metadata is ignored.
pub fn cmp_precedence(a: &Parts, b: &Parts) -> Ordering {
    cmp_release(&a.release, &b.release).then_with(|| cmp_pre(&a.pre, &b.pre, false))
}
