//! Affected packages as purls (package-url spec), and what each export calls them.

use std::str::FromStr;

use packageurl::PackageUrl;

use crate::versions::Scheme;

/// A parsed purl without a version: the package an advisory names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The purl type, lower-case: `pypi`, `conda`, `npm`, `cargo`, `githubactions`, ...
    pub ty: String,
    pub namespace: Option<String>,
    pub name: String,
    /// The purl as given, trimmed (qualifiers such as a conda channel kept).
    pub purl: String,
}

/// The purl types an advisory may name, and their ecosystems.
const TYPES: &[(&str, Option<&str>, &str)] = &[
    // (purl type, OSV ecosystem, what people call it)
    ("pypi", Some("PyPI"), "PyPI"),
    ("conda", None, "conda"),
    ("npm", Some("npm"), "npm"),
    ("cargo", Some("crates.io"), "crates.io"),
    ("githubactions", Some("GitHub Actions"), "GitHub Actions"),
    ("github", None, "GitHub"),
    ("gem", Some("RubyGems"), "RubyGems"),
    ("golang", Some("Go"), "Go"),
    ("maven", Some("Maven"), "Maven"),
    ("nuget", Some("NuGet"), "NuGet"),
    ("composer", Some("Packagist"), "Packagist"),
    ("hex", Some("Hex"), "Hex"),
    ("pub", Some("Pub"), "Pub"),
    // Swift packages by their repository URL without the scheme (github.com/apple/swift-nio).
    ("swift", Some("SwiftURL"), "Swift"),
    ("generic", None, "generic"),
];

impl Package {
    /// The bytes its texts hold on the heap (for estimating a cache's size).
    pub fn heap_bytes(&self) -> usize {
        self.ty.len()
            + self.namespace.as_ref().map_or(0, String::len)
            + self.name.len()
            + self.purl.len()
    }

    pub fn parse(purl: &str) -> Result<Self, String> {
        let purl = purl.trim();
        let parsed = PackageUrl::from_str(purl)
            .map_err(|e| format!("{purl:?} is not a package URL (pkg:type/namespace/name): {e}"))?;
        if parsed.version().is_some() {
            return Err(format!(
                "{purl:?} names a version: give the package without @version and put versions in the ranges"
            ));
        }
        Self::of(purl, &parsed)
    }

    /// A purl as an OSV query gives it: the package, and the version it may name
    /// (`pkg:npm/%40scope/name@1.2.3`: the version decoded, the scope and a Go module
    /// path's case kept).
    pub fn parse_with_version(purl: &str) -> Result<(Self, Option<String>), String> {
        let text = purl.trim();
        let parsed = PackageUrl::from_str(text)
            .map_err(|e| format!("{text:?} is not a package URL (pkg:type/namespace/name): {e}"))?;
        let Some(version) = parsed.version().map(str::to_string) else {
            return Ok((Self::of(text, &parsed)?, None));
        };
        let mut base = parsed.clone();
        base.without_version();
        let mut package = Self::of(text, &parsed)?;
        package.purl = base.to_string();
        Ok((package, Some(version)))
    }

    /// The package of a parsed purl (`text` is the purl as given).
    fn of(purl: &str, parsed: &PackageUrl<'_>) -> Result<Self, String> {
        let ty = parsed.ty().to_ascii_lowercase();
        if !TYPES.iter().any(|(t, _, _)| *t == ty) {
            let known: Vec<&str> = TYPES.iter().map(|(t, _, _)| *t).collect();
            return Err(format!(
                "{purl:?} has the package type {ty:?}; known types are {}",
                known.join(", ")
            ));
        }
        if matches!(ty.as_str(), "githubactions" | "github") && parsed.namespace().is_none() {
            return Err(format!(
                "{purl:?} needs the owner: pkg:{ty}/OWNER/REPOSITORY"
            ));
        }
        // Go module paths are case-sensitive (OSV and the Go proxy both say so), but the
        // purl spec lower-cases a golang namespace: keep the path as written.
        let (namespace, name) = match go_path(purl).filter(|_| ty == "golang") {
            Some((ns, name)) => (ns, name),
            None => (
                parsed.namespace().map(str::to_string),
                parsed.name().to_string(),
            ),
        };
        Ok(Self {
            namespace,
            name,
            ty,
            purl: purl.to_string(),
        })
    }

    /// A package named the way OSV queries do: an ecosystem (OSV's name, or a purl type such
    /// as `conda`) and the ecosystem's own name for it.
    pub fn from_ecosystem(ecosystem: &str, name: &str) -> Result<Self, String> {
        let ecosystem = ecosystem.trim();
        let ty = TYPES
            .iter()
            .find(|(t, e, l)| {
                e.is_some_and(|e| e.eq_ignore_ascii_case(ecosystem))
                    || t.eq_ignore_ascii_case(ecosystem)
                    || l.eq_ignore_ascii_case(ecosystem)
            })
            .map(|(t, _, _)| *t)
            .ok_or_else(|| {
                format!("the ecosystem {ecosystem:?} is not one this installation knows")
            })?;
        let name = name.trim();
        if name.is_empty() {
            return Err("the package name is empty".into());
        }
        let (namespace, base) = match ty {
            "maven" => name
                .split_once(':')
                .map_or((None, name), |(n, b)| (Some(n), b)),
            "npm" | "golang" | "githubactions" | "github" | "composer" | "swift" => name
                .rsplit_once('/')
                .map_or((None, name), |(n, b)| (Some(n), b)),
            _ => (None, name),
        };
        if ty == "golang" {
            // Written by hand: the purl library would lower-case the module path.
            let escaped: Vec<String> = name
                .split('/')
                .map(|seg| {
                    percent_encoding::utf8_percent_encode(seg, percent_encoding::NON_ALPHANUMERIC)
                        .to_string()
                        .replace("%2E", ".")
                        .replace("%2D", "-")
                        .replace("%5F", "_")
                        .replace("%7E", "~")
                })
                .collect();
            return Self::parse(&format!("pkg:golang/{}", escaped.join("/")));
        }
        let mut purl = PackageUrl::new(ty, base).map_err(|e| e.to_string())?;
        if let Some(ns) = namespace {
            purl.with_namespace(ns).map_err(|e| e.to_string())?;
        }
        Self::parse(&purl.to_string())
    }

    /// A package by its OSV ecosystem, spelt exactly as OSV spells it (`PyPI`, not `pypi`:
    /// the OSV API is case-sensitive), and its name; `None` for an ecosystem this
    /// installation does not know, or a name no package URL can carry.
    pub fn from_osv_ecosystem(ecosystem: &str, name: &str) -> Option<Self> {
        let ty = TYPES
            .iter()
            .find(|(_, e, _)| *e == Some(ecosystem))
            .map(|(t, _, _)| *t)?;
        Self::from_ecosystem(ty, name).ok()
    }

    /// OSV's ecosystem name; `None` where OSV has none (conda, generic).
    pub fn osv_ecosystem(&self) -> Option<&'static str> {
        Self::osv_ecosystem_of(&self.ty)
    }

    /// OSV's ecosystem name of a purl type (`cargo` → `crates.io`).
    pub fn osv_ecosystem_of(purl_type: &str) -> Option<&'static str> {
        TYPES
            .iter()
            .find(|(t, _, _)| *t == purl_type)
            .and_then(|(_, e, _)| *e)
    }

    /// The ecosystem as people call it ("PyPI", "conda", ...).
    pub fn ecosystem_label(&self) -> &'static str {
        TYPES
            .iter()
            .find(|(t, _, _)| *t == self.ty)
            .map_or("generic", |(_, _, l)| *l)
    }

    /// The package's name as its ecosystem writes it: `@scope/name` on npm, `group:artifact`
    /// on Maven, `owner/repo` on GitHub, the bare name elsewhere (a conda channel is a
    /// qualifier or namespace, not part of the name).
    pub fn ecosystem_name(&self) -> String {
        match (self.ty.as_str(), &self.namespace) {
            ("npm", Some(ns)) => format!("{ns}/{}", self.name),
            ("maven", Some(ns)) => format!("{ns}:{}", self.name),
            ("golang" | "githubactions" | "github" | "composer" | "swift", Some(ns)) => {
                format!("{ns}/{}", self.name)
            }
            _ => self.name.clone(),
        }
    }

    /// The name as an index key: lower-case, and for PyPI normalized as PEP 503 does
    /// (`Jupyter_Server` and `jupyter-server` are one package).
    pub fn index_name(&self) -> String {
        let name = self.ecosystem_name().to_lowercase();
        if self.ty != "pypi" {
            return name;
        }
        let mut out = String::with_capacity(name.len());
        for c in name.chars() {
            let separator = matches!(c, '-' | '_' | '.');
            if !(separator && out.ends_with('-')) {
                out.push(if separator { '-' } else { c });
            }
        }
        out
    }

    /// How this ecosystem orders versions.
    pub fn scheme(&self) -> Scheme {
        Scheme::for_purl_type(&self.ty)
    }

    /// The purl with a version, for an export that names one exact version.
    pub fn with_version(&self, version: &str) -> String {
        let base = self.purl.split(['?', '#']).next().unwrap_or(&self.purl);
        let rest = &self.purl[base.len()..];
        format!("{base}@{}{rest}", encode_version(version))
    }
}

/// Percent-encodes what a purl version may not contain unencoded.
fn encode_version(version: &str) -> String {
    let mut out = String::with_capacity(version.len());
    for b in version.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!+".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_and_names() {
        let p = Package::parse("pkg:npm/%40jupyterlab/services").unwrap();
        assert_eq!(p.osv_ecosystem(), Some("npm"));
        assert_eq!(p.ecosystem_name(), "@jupyterlab/services");
        let p = Package::parse("pkg:conda/openssl?channel=conda-forge&subdir=linux-64").unwrap();
        assert_eq!(p.osv_ecosystem(), None);
        assert_eq!(p.ecosystem_label(), "conda");
        let p = Package::parse("pkg:githubactions/conda-incubator/setup-miniconda").unwrap();
        assert_eq!(p.ecosystem_name(), "conda-incubator/setup-miniconda");
        assert_eq!(
            Package::parse("pkg:pypi/jupyter-server")
                .unwrap()
                .with_version("2.0.0rc1"),
            "pkg:pypi/jupyter-server@2.0.0rc1"
        );
    }

    #[test]
    fn mistakes_are_named() {
        assert!(
            Package::parse("jupyter-server")
                .unwrap_err()
                .contains("not a package URL")
        );
        assert!(
            Package::parse("pkg:pypi/x@1.0")
                .unwrap_err()
                .contains("names a version")
        );
        assert!(
            Package::parse("pkg:cran/x")
                .unwrap_err()
                .contains("known types")
        );
    }

    #[test]
    fn hex_pub_and_swift_packages_by_osv_ecosystem() {
        let swift =
            Package::from_osv_ecosystem("SwiftURL", "github.com/apple/swift-nio-http2").unwrap();
        assert_eq!(swift.purl, "pkg:swift/github.com/apple/swift-nio-http2");
        assert_eq!(swift.ecosystem_name(), "github.com/apple/swift-nio-http2");
        assert_eq!(swift.osv_ecosystem(), Some("SwiftURL"));
        assert_eq!(
            Package::from_osv_ecosystem("Hex", "phoenix").unwrap().purl,
            "pkg:hex/phoenix"
        );
        assert_eq!(
            Package::from_osv_ecosystem("Pub", "http").unwrap().purl,
            "pkg:pub/http"
        );
    }
}

/// The module path of a golang purl as written: (namespace, name), percent-decoded.
fn go_path(purl: &str) -> Option<(Option<String>, String)> {
    let rest = purl.strip_prefix("pkg:golang/")?;
    let end = rest.find(['?', '#', '@']).unwrap_or(rest.len());
    let path = percent_encoding::percent_decode_str(rest[..end].trim_matches('/'))
        .decode_utf8()
        .ok()?
        .into_owned();
    Some(match path.rsplit_once('/') {
        Some((ns, name)) => (Some(ns.to_string()), name.to_string()),
        None => (None, path),
    })
}

#[cfg(test)]
mod case_tests {
    use super::*;

    /// A query's purl may name a version; the package is the same as without it.
    #[test]
    fn a_query_purl_gives_its_package_and_its_version() {
        for (purl, name, version) in [
            (
                "pkg:pypi/jupyter-server@2.11.1",
                "jupyter-server",
                Some("2.11.1"),
            ),
            ("pkg:npm/%40babel/core@7.0.0", "@babel/core", Some("7.0.0")),
            ("pkg:npm/@babel/core@7.0.0", "@babel/core", Some("7.0.0")),
            (
                "pkg:golang/github.com/Masterminds/goutils@v1.1.0",
                "github.com/Masterminds/goutils",
                Some("v1.1.0"),
            ),
            (
                "pkg:conda/python@3.12.1?channel=conda-forge&subdir=linux-64",
                "python",
                Some("3.12.1"),
            ),
            (
                "pkg:cargo/hyper@1.0.0%2Bbuild",
                "hyper",
                Some("1.0.0+build"),
            ),
            ("pkg:pypi/jupyter-server", "jupyter-server", None),
        ] {
            let (package, got) = Package::parse_with_version(purl).unwrap();
            assert_eq!(package.ecosystem_name(), name, "{purl}");
            assert_eq!(got.as_deref(), version, "{purl}");
            if version.is_none() {
                assert_eq!(package, Package::parse(purl).unwrap());
            }
        }
        assert!(Package::parse_with_version("not a purl").is_err());
    }

    /// Go module paths are case-sensitive (`github.com/Masterminds/semver` is not
    /// `github.com/masterminds/semver`): the name keeps its case.
    #[test]
    fn go_module_paths_keep_their_case() {
        let p = Package::from_osv_ecosystem("Go", "github.com/Masterminds/goutils").unwrap();
        assert_eq!(p.ecosystem_name(), "github.com/Masterminds/goutils");
        let p = Package::parse("pkg:golang/github.com/Masterminds/goutils").unwrap();
        assert_eq!(p.ecosystem_name(), "github.com/Masterminds/goutils");
    }
}
