//! Version ordering per ecosystem: an affected range means nothing unless versions are
//! compared the way the ecosystem's installer compares them. PyPI follows PEP 440, npm and
//! crates.io follow semver, GitHub Actions tags are semver with a `v` (`v4` is `4.0.0`),
//! conda follows conda's own `VersionOrder` (CEP 33; conda versions are not semver:
//! `1.1.1w`, `1.1_1`, `1.0.post`, `1!2.0`). Everything else is compared by the `generic`
//! segments.
//!
//! OSV's `"0"` is accepted in every scheme and sorts before every version, so that
//! "introduced 0" covers even the pre-releases of the first release.

mod generic;

#[cfg(test)]
mod tests;

use std::cmp::Ordering;
use std::str::FromStr;

use embargo_core::AffectedRange;

/// How an ecosystem orders its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// PyPI.
    Pep440,
    /// npm, crates.io, and GitHub Actions tags (a leading `v` is accepted, see [`check_version`]).
    Semver,
    /// conda.
    Conda,
    /// Everything else; see the `generic` module's rules.
    Generic,
}

impl Scheme {
    /// The scheme of a purl type. GitHub tags are semver with a `v`; Go's `v` is dropped by
    /// the generic rules.
    pub fn for_purl_type(ty: &str) -> Self {
        match ty {
            "pypi" => Self::Pep440,
            "npm" | "cargo" | "githubactions" | "github" => Self::Semver,
            "conda" => Self::Conda,
            _ => Self::Generic,
        }
    }

    /// The name users see, and CVE JSON 5's `versionType`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pep440 => "python",
            Self::Semver => "semver",
            Self::Conda => "conda",
            Self::Generic => "custom",
        }
    }

    /// The scheme as named in error sentences.
    fn label(self) -> &'static str {
        match self {
            Self::Pep440 => "PEP 440",
            Self::Semver => "semver",
            Self::Conda => "conda",
            Self::Generic => "generic",
        }
    }
}

/// Why a version or a range is not usable, as a sentence naming the version and the scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionError(pub String);

impl std::fmt::Display for VersionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for VersionError {}

/// A parsed version of one scheme; `Zero` is OSV's `"0"`, before every version.
#[derive(Debug, Clone)]
enum Parsed {
    Zero,
    Pep440(pep440_rs::Version),
    Semver(semver::Version),
    Conda(rattler_conda_version::Version),
    Generic(generic::Version),
}

fn parse(scheme: Scheme, v: &str) -> Result<Parsed, VersionError> {
    let invalid = |why: &str| {
        VersionError(format!(
            "{v:?} is not a valid {} version ({why})",
            scheme.label()
        ))
    };
    if v.is_empty() {
        return Err(invalid("it is empty"));
    }
    // The libraries would trim or reject spaces inconsistently; a version is one word.
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("versions are one word, without spaces"));
    }
    if v == "0" {
        return Ok(Parsed::Zero);
    }
    match scheme {
        Scheme::Pep440 => pep440_rs::Version::from_str(v)
            .map(Parsed::Pep440)
            .map_err(|e| invalid(&e.to_string())),
        Scheme::Semver => semver::Version::parse(&semver_tag(v))
            .map(Parsed::Semver)
            .map_err(|e| invalid(&e.to_string())),
        Scheme::Conda => rattler_conda_version::Version::from_str(v)
            .map(Parsed::Conda)
            .map_err(|e| invalid(&e.kind.to_string())),
        Scheme::Generic => generic::Version::parse(v)
            .map(Parsed::Generic)
            .map_err(|why| invalid(&why)),
    }
}

/// Reads a GitHub-style tag as semver: `v1.2.3` is `1.2.3`, and a `v` tag with fewer
/// numbers is padded, `v4` to `4.0.0` and `v4.1-beta` to `4.1.0-beta` (Actions' moving major
/// tags are compared as their `.0` release). Without a `v` nothing is padded, so npm and
/// crates.io versions stay strict (`1.0` is refused there, as their registries refuse it).
fn semver_tag(v: &str) -> String {
    let Some(rest) = v
        .strip_prefix(['v', 'V'])
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    else {
        return v.to_string();
    };
    let end = rest.find(['-', '+']).unwrap_or(rest.len());
    let (core, suffix) = rest.split_at(end);
    let parts = core.split('.').count();
    let numeric = core
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if numeric && parts < 3 {
        format!("{core}{}{suffix}", ".0".repeat(3 - parts))
    } else {
        rest.to_string()
    }
}

fn cmp(a: &Parsed, b: &Parsed) -> Ordering {
    match (a, b) {
        (Parsed::Zero, Parsed::Zero) => Ordering::Equal,
        (Parsed::Zero, _) => Ordering::Less,
        (_, Parsed::Zero) => Ordering::Greater,
        (Parsed::Pep440(a), Parsed::Pep440(b)) => a.cmp(b),
        // Semver precedence: build metadata does not order versions (`Ord` would use it).
        (Parsed::Semver(a), Parsed::Semver(b)) => a.cmp_precedence(b),
        (Parsed::Conda(a), Parsed::Conda(b)) => a.cmp(b),
        (Parsed::Generic(a), Parsed::Generic(b)) => a.cmp(b),
        // Callers parse both sides with one scheme, so this cannot happen; equal is harmless.
        _ => Ordering::Equal,
    }
}

/// Whether `v` is a version of the scheme (or `"0"`).
pub fn check_version(scheme: Scheme, v: &str) -> Result<(), VersionError> {
    parse(scheme, v).map(|_| ())
}

/// Orders two versions by the scheme's rules; `"0"` comes before everything.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(cmp(&parse(scheme, a)?, &parse(scheme, b)?))
}

/// A range, parsed.
struct Bounds {
    introduced: Parsed,
    fixed: Option<Parsed>,
    last_affected: Option<Parsed>,
}

impl Bounds {
    fn parse(scheme: Scheme, range: &AffectedRange) -> Result<Self, VersionError> {
        Ok(Self {
            introduced: parse(scheme, &range.introduced)?,
            fixed: range
                .fixed
                .as_deref()
                .map(|v| parse(scheme, v))
                .transpose()?,
            last_affected: range
                .last_affected
                .as_deref()
                .map(|v| parse(scheme, v))
                .transpose()?,
        })
    }

    fn contains(&self, v: &Parsed) -> bool {
        if cmp(v, &self.introduced).is_lt() {
            return false;
        }
        match (&self.fixed, &self.last_affected) {
            (Some(fixed), _) => cmp(v, fixed).is_lt(),
            (None, Some(last)) => cmp(v, last).is_le(),
            (None, None) => true,
        }
    }
}

/// A range is usable when every bound parses, it is not empty, and it has at most one
/// upper bound (OSV forbids `fixed` and `last_affected` together, and they would disagree).
pub fn check_range(scheme: Scheme, range: &AffectedRange) -> Result<(), VersionError> {
    let bounds = Bounds::parse(scheme, range)?;
    if let (Some(fixed), Some(last)) = (&range.fixed, &range.last_affected) {
        return Err(VersionError(format!(
            "the range from {} gives both a fixed version ({fixed}) and a last affected one \
             ({last}); give one of them",
            range.introduced
        )));
    }
    if let (Some(fixed), Some(parsed)) = (&range.fixed, &bounds.fixed)
        && !cmp(parsed, &bounds.introduced).is_gt()
    {
        return Err(VersionError(format!(
            "the fixed version {fixed} does not come after the introduced version {} \
             ({} ordering)",
            range.introduced,
            scheme.label()
        )));
    }
    if let (Some(last), Some(parsed)) = (&range.last_affected, &bounds.last_affected)
        && cmp(parsed, &bounds.introduced).is_lt()
    {
        return Err(VersionError(format!(
            "the last affected version {last} comes before the introduced version {} \
             ({} ordering)",
            range.introduced,
            scheme.label()
        )));
    }
    Ok(())
}

/// Whether `version` lies in any of the ranges: from `introduced` (inclusive) to `fixed`
/// (exclusive) or `last_affected` (inclusive), open-ended when neither is given; pre-releases
/// are inside a range by plain ordering (`1.4.2rc1` is affected when `1.4.2` fixes). Every range
/// must parse, even when an earlier one already matches, so the answer does not depend on
/// the order of the ranges.
pub fn affects(
    scheme: Scheme,
    ranges: &[AffectedRange],
    version: &str,
) -> Result<bool, VersionError> {
    let v = match parse(scheme, version)? {
        // PEP 440 ignores a candidate's local label when matching a specifier: the
        // distributor's `1.4.2+ubuntu1` is 1.4.2, fixed by `1.4.2`, and `3.2+local` is
        // within "last affected 3.2" (plain ordering would put it after 3.2).
        Parsed::Pep440(v) => Parsed::Pep440(v.without_local()),
        v => v,
    };
    let bounds = ranges
        .iter()
        .map(|r| Bounds::parse(scheme, r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(bounds.iter().any(|b| b.contains(&v)))
}
