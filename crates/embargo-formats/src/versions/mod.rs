//! Version ordering per ecosystem: an affected range means nothing unless versions are
//! compared the way the ecosystem's installer compares them, as the OSV specification asks
//! (each ecosystem's own ordering for `ECOSYSTEM` ranges). One module per scheme:
//!
//! | scheme | ecosystems | rules |
//! |---|---|---|
//! | [`Scheme::Pep440`] | PyPI | PEP 440 (`pep440_rs`) |
//! | [`Scheme::Semver`] | npm, crates.io | semver 2.0 (`semver`), a leading `v` dropped |
//! | [`Scheme::Go`] | Go | `golang.org/x/mod/semver`, `v` optional (`go`) |
//! | [`Scheme::Maven`] | Maven | `ComparableVersion` (`maven`) |
//! | [`Scheme::NuGet`] | NuGet | `NuGet.Versioning` (`nuget`) |
//! | [`Scheme::RubyGems`] | RubyGems | `Gem::Version` (`rubygems`) |
//! | [`Scheme::Packagist`] | Packagist | PHP's `version_compare` (`packagist`) |
//! | [`Scheme::Hex`] | Hex | Elixir's `Version`, semver (`hex`) |
//! | [`Scheme::Pub`] | Pub | Dart's `pub_semver` (`dart`) |
//! | [`Scheme::GitHubActions`] | GitHub Actions, GitHub tags | semver, `v` optional, padded (`actions`) |
//! | [`Scheme::Conda`] | conda | conda's `VersionOrder` (`rattler_conda_version`) |
//! | [`Scheme::Generic`] | everything else | the `generic` module's rules |
//!
//! conda versions are not semver (`1.1.1w`, `1.1_1`, `1.0.post`, `1!2.0`); GitHub Actions'
//! moving tags are (`v4` and `41` are `4.0.0` and `41.0.0`).
//!
//! OSV's `"0"` is accepted in every scheme and sorts before every version, so that
//! "introduced 0" covers even the pre-releases of the first release (and, in Maven, the
//! versions Maven itself counts as equal to `0`, such as `0.0`).
//!
//! `fixtures/` holds OSV's version-ordering fixtures, gathered from the ecosystems' own
//! implementations; `fixtures.rs` checks every line of them (see `fixtures/README.md`).

mod actions;
mod dart;
mod generic;
mod go;
mod hex;
mod maven;
mod nuget;
mod packagist;
mod rubygems;
mod semverish;

#[cfg(test)]
mod ecosystem_tests;
#[cfg(test)]
mod fixtures;
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
    /// npm and crates.io (a leading `v` is accepted, nothing is padded).
    Semver,
    /// Go modules and the Go standard library.
    Go,
    /// Maven.
    Maven,
    /// NuGet.
    NuGet,
    /// RubyGems.
    RubyGems,
    /// Packagist (Composer).
    Packagist,
    /// Hex (Elixir and Erlang).
    Hex,
    /// Pub (Dart and Flutter).
    Pub,
    /// GitHub Actions and GitHub repository tags: `v4`, `41`, `v4.1.2`.
    GitHubActions,
    /// conda.
    Conda,
    /// Everything else; see the `generic` module's rules.
    Generic,
}

impl Scheme {
    /// Every scheme, for tests and for callers that list them.
    pub const ALL: [Scheme; 12] = [
        Self::Pep440,
        Self::Semver,
        Self::Go,
        Self::Maven,
        Self::NuGet,
        Self::RubyGems,
        Self::Packagist,
        Self::Hex,
        Self::Pub,
        Self::GitHubActions,
        Self::Conda,
        Self::Generic,
    ];

    /// The scheme of a purl type; unknown types are [`Scheme::Generic`].
    pub fn for_purl_type(ty: &str) -> Self {
        match ty {
            "pypi" => Self::Pep440,
            "npm" | "cargo" | "swift" => Self::Semver,
            "golang" => Self::Go,
            "maven" => Self::Maven,
            "nuget" => Self::NuGet,
            "gem" => Self::RubyGems,
            "composer" => Self::Packagist,
            "hex" => Self::Hex,
            "pub" => Self::Pub,
            "githubactions" | "github" => Self::GitHubActions,
            "conda" => Self::Conda,
            _ => Self::Generic,
        }
    }

    /// The scheme of an OSV ecosystem, spelled as OSV spells it (`Go`, `PyPI`, `crates.io`,
    /// `GitHub Actions`, ...; `conda` is not an OSV ecosystem but is accepted). A `:suffix`
    /// (`Maven:https://repo.example`) is ignored; unknown ecosystems are
    /// [`Scheme::Generic`].
    pub fn for_osv_ecosystem(ecosystem: &str) -> Self {
        let base = ecosystem
            .split_once(':')
            .map_or(ecosystem, |(base, _)| base);
        match base {
            "PyPI" => Self::Pep440,
            "npm" | "crates.io" | "SwiftURL" => Self::Semver,
            "Go" => Self::Go,
            "Maven" => Self::Maven,
            "NuGet" => Self::NuGet,
            "RubyGems" => Self::RubyGems,
            "Packagist" => Self::Packagist,
            "Hex" => Self::Hex,
            "Pub" => Self::Pub,
            "GitHub Actions" => Self::GitHubActions,
            "conda" => Self::Conda,
            _ => Self::Generic,
        }
    }

    /// The name users see, and CVE JSON 5's `versionType`. The semver family (npm,
    /// crates.io, Go, Hex, Pub, GitHub Actions) is `"semver"` and PyPI `"python"`, the
    /// values CVE's schema gives as examples; the others are their ecosystem's name in lower
    /// case (`"maven"` is also one of CVE's examples), and the generic rules `"custom"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pep440 => "python",
            Self::Semver | Self::Go | Self::Hex | Self::Pub | Self::GitHubActions => "semver",
            Self::Maven => "maven",
            Self::NuGet => "nuget",
            Self::RubyGems => "rubygems",
            Self::Packagist => "packagist",
            Self::Conda => "conda",
            Self::Generic => "custom",
        }
    }

    /// The scheme as named in error sentences.
    fn label(self) -> &'static str {
        match self {
            Self::Pep440 => "PEP 440",
            Self::Semver => "semver",
            Self::Go => "Go",
            Self::Maven => "Maven",
            Self::NuGet => "NuGet",
            Self::RubyGems => "RubyGems",
            Self::Packagist => "Packagist",
            Self::Hex => "Hex",
            Self::Pub => "Pub",
            Self::GitHubActions => "GitHub Actions",
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

/// A parsed version of one scheme; `Zero` is OSV's `"0"`, before every version. The
/// schemes' own types are boxed (PEP 440's is already shared behind a pointer): the OSV
/// query keeps thousands of these in memory, so the enum stays two words wide instead of
/// the widest scheme's size (conda's, 120 bytes).
#[derive(Debug, Clone)]
enum Parsed {
    Zero,
    Pep440(pep440_rs::Version),
    Semver(Box<semver::Version>),
    Go(Box<go::Version>),
    Maven(Box<maven::Version>),
    NuGet(Box<nuget::Version>),
    RubyGems(Box<rubygems::Version>),
    Packagist(Box<packagist::Version>),
    Hex(Box<hex::Version>),
    Pub(Box<dart::Version>),
    GitHubActions(Box<actions::Version>),
    Conda(Box<rattler_conda_version::Version>),
    Generic(Box<generic::Version>),
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
        Scheme::Semver => semver::Version::parse(semverish::strip_v(v))
            .map(|v| Parsed::Semver(Box::new(v)))
            .map_err(|e| invalid(&e.to_string())),
        Scheme::Go => go::Version::parse(v)
            .map(|v| Parsed::Go(Box::new(v)))
            .map_err(|why| invalid(&why)),
        Scheme::Maven => Ok(Parsed::Maven(Box::new(maven::Version::parse(v)))),
        Scheme::NuGet => nuget::Version::parse(v)
            .map(|v| Parsed::NuGet(Box::new(v)))
            .map_err(|why| invalid(&why)),
        Scheme::RubyGems => rubygems::Version::parse(v)
            .map(|v| Parsed::RubyGems(Box::new(v)))
            .map_err(|why| invalid(&why)),
        Scheme::Packagist => Ok(Parsed::Packagist(Box::new(packagist::Version::parse(v)))),
        Scheme::Hex => hex::Version::parse(v)
            .map(|v| Parsed::Hex(Box::new(v)))
            .map_err(|why| invalid(&why)),
        Scheme::Pub => dart::Version::parse(v)
            .map(|v| Parsed::Pub(Box::new(v)))
            .map_err(|why| invalid(&why)),
        Scheme::GitHubActions => actions::Version::parse(v)
            .map(|v| Parsed::GitHubActions(Box::new(v)))
            .map_err(|why| invalid(&why)),
        Scheme::Conda => rattler_conda_version::Version::from_str(v)
            .map(|v| Parsed::Conda(Box::new(v)))
            .map_err(|e| invalid(&e.kind.to_string())),
        Scheme::Generic => generic::Version::parse(v)
            .map(|v| Parsed::Generic(Box::new(v)))
            .map_err(|why| invalid(&why)),
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
        (Parsed::Go(a), Parsed::Go(b)) => a.order(b),
        (Parsed::Maven(a), Parsed::Maven(b)) => a.order(b),
        (Parsed::NuGet(a), Parsed::NuGet(b)) => a.order(b),
        (Parsed::RubyGems(a), Parsed::RubyGems(b)) => a.order(b),
        (Parsed::Packagist(a), Parsed::Packagist(b)) => a.order(b),
        (Parsed::Hex(a), Parsed::Hex(b)) => a.order(b),
        (Parsed::Pub(a), Parsed::Pub(b)) => a.order(b),
        (Parsed::GitHubActions(a), Parsed::GitHubActions(b)) => a.order(b),
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
#[derive(Debug, Clone)]
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

/// A range is usable when every bound parses, its upper bound does not come before its
/// lower one, and it has at most one upper bound (OSV forbids `fixed` and `last_affected`
/// together, and they would disagree).
///
/// An empty range, `fixed` equal to `introduced` (by the scheme's ordering: `1.0` and
/// `1.0.0` in PEP 440), is accepted: RustSec writes "introduced 0, fixed 0" to say that no
/// version is affected. [`affects`] matches nothing with it.
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
        && cmp(parsed, &bounds.introduced).is_lt()
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

/// A version parsed once by its scheme, to be compared many times: the OSV query parses
/// the version it is asked about once, and the bounds of every range when it loads them,
/// instead of parsing both on every comparison.
#[derive(Debug, Clone)]
pub struct VersionKey(Parsed);

impl VersionKey {
    /// About the bytes a parsed version holds besides itself (its parts on the heap), for
    /// estimating a cache's size.
    pub const HEAP_ESTIMATE: usize = 64;

    pub fn parse(scheme: Scheme, v: &str) -> Result<Self, VersionError> {
        parse(scheme, v).map(Self)
    }

    /// PEP 440 ignores a candidate's local label when matching a specifier: the
    /// distributor's `1.4.2+ubuntu1` is 1.4.2, fixed by `1.4.2`, and `3.2+local` is within
    /// "last affected 3.2" (plain ordering would put it after 3.2). Other schemes keep it.
    pub fn without_local(self) -> Self {
        match self.0 {
            Parsed::Pep440(v) => Self(Parsed::Pep440(v.without_local())),
            v => Self(v),
        }
    }
}

impl PartialEq for VersionKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for VersionKey {}

impl PartialOrd for VersionKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for VersionKey {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp(&self.0, &other.0)
    }
}

/// The model's ranges of one package, their bounds parsed ([`affects`] without parsing).
#[derive(Debug, Clone)]
pub struct RangeKeys(Vec<Bounds>);

impl RangeKeys {
    /// About how many bytes it holds (see [`VersionKey::HEAP_ESTIMATE`]).
    pub fn weight(&self) -> usize {
        self.0.len() * (size_of::<Bounds>() + 3 * VersionKey::HEAP_ESTIMATE)
    }

    /// Every range must parse, so that the answer does not depend on the order of the
    /// ranges.
    pub fn parse(scheme: Scheme, ranges: &[AffectedRange]) -> Result<Self, VersionError> {
        ranges
            .iter()
            .map(|r| Bounds::parse(scheme, r))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether a version (parsed, its local label dropped: [`VersionKey::without_local`])
    /// lies in any of the ranges.
    pub fn contain(&self, v: &VersionKey) -> bool {
        self.0.iter().any(|b| b.contains(&v.0))
    }
}

/// Whether `version` lies in any of the ranges: from `introduced` (inclusive) to `fixed`
/// (exclusive) or `last_affected` (inclusive), open-ended when neither is given (a range
/// whose `fixed` equals its `introduced` is empty and matches nothing); pre-releases
/// are inside a range by plain ordering (`1.4.2rc1` is affected when `1.4.2` fixes). Every range
/// must parse, even when an earlier one already matches, so the answer does not depend on
/// the order of the ranges.
pub fn affects(
    scheme: Scheme,
    ranges: &[AffectedRange],
    version: &str,
) -> Result<bool, VersionError> {
    let v = VersionKey::parse(scheme, version)?.without_local();
    Ok(RangeKeys::parse(scheme, ranges)?.contain(&v))
}
