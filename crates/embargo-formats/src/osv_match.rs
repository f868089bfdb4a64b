//! Matching a package and version against an OSV document as the OSV specification
//! evaluates it: each `affected` entry's `versions` list, and its ECOSYSTEM and SEMVER
//! ranges with their events sorted by the ecosystem's ordering (`introduced` starts an
//! affected stretch, `fixed` and `last_affected` end it, `limit` caps the range). Used for
//! advisories kept as their source's OSV document, so that queries see all of it (ranges
//! with several stretches, `limit`, version lists), not only what the model holds.

use serde_json::Value;

use crate::Package;
use crate::versions::{Scheme, VersionKey};

/// The packages an OSV document names (entries whose ecosystem this installation knows).
pub fn packages(document: &str) -> Vec<Package> {
    let Ok(doc) = serde_json::from_str::<Value>(document) else {
        return Vec::new();
    };
    entries(&doc).filter_map(|(p, _)| p).collect()
}

/// Whether the document says `version` of the package is affected (`None`: any version);
/// `same` decides whether an entry's package is the one asked for.
pub fn affects(document: &str, same: impl Fn(&Package) -> bool, version: Option<&str>) -> bool {
    let Ok(doc) = serde_json::from_str::<Value>(document) else {
        return false;
    };
    affects_in(&doc, same, version)
}

/// [`affects`] on a document already read (its `affected` entries are all it looks at).
pub fn affects_in(doc: &Value, same: impl Fn(&Package) -> bool, version: Option<&str>) -> bool {
    let compiled = Compiled::of(doc);
    let asked = version.map(|v| {
        let scheme = compiled
            .entries
            .iter()
            .find_map(|e| e.package.as_ref().filter(|p| same(p)).map(Package::scheme))
            .unwrap_or(Scheme::Generic);
        Asked::new(scheme, v)
    });
    compiled.affects(same, asked.as_ref())
}

/// The version a query asks about, parsed once by the scheme of the package it names.
#[derive(Debug, Clone)]
pub struct Asked {
    text: String,
    scheme: Scheme,
    /// `None`: the scheme cannot read it (then no range says anything about it).
    key: Option<VersionKey>,
}

impl Asked {
    pub fn new(scheme: Scheme, version: &str) -> Self {
        Self {
            text: version.to_string(),
            scheme,
            key: VersionKey::parse(scheme, version).ok(),
        }
    }

    /// The version parsed by the scheme it was asked in.
    pub fn key(&self) -> Option<&VersionKey> {
        self.key.as_ref()
    }
}

/// The `affected` entries of an OSV document, read once: the packages named, the version
/// lists, and each ECOSYSTEM or SEMVER range's events sorted by the ecosystem's ordering,
/// their versions parsed. The OSV query keeps these, so that answering parses nothing but
/// the version asked about.
#[derive(Debug, Clone)]
pub struct Compiled {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// `None`: an ecosystem this installation does not know.
    package: Option<Package>,
    versions: Vec<String>,
    /// `None` for a range that says nothing (not ECOSYSTEM or SEMVER, or a version its
    /// scheme cannot order).
    ranges: Vec<Option<Vec<(Event, VersionKey)>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
    /// A kind OSV does not define: sorted with the others, it changes nothing.
    Other,
}

impl Compiled {
    /// Reads the `affected` entries of a document (or of `{"affected": [...]}`).
    pub fn of(doc: &Value) -> Self {
        Self {
            entries: entries(doc)
                .map(|(package, entry)| {
                    let scheme = package.as_ref().map_or(Scheme::Generic, Package::scheme);
                    Entry {
                        versions: entry["versions"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect(),
                        ranges: entry["ranges"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|r| sorted_events(scheme, r))
                            .collect(),
                        package,
                    }
                })
                .collect(),
        }
    }

    /// About how many bytes it holds (for a cache's budget; a parsed version is counted
    /// with [`VersionKey::HEAP_ESTIMATE`] bytes of its own).
    pub fn weight(&self) -> usize {
        self.entries
            .iter()
            .map(|e| {
                let package = e.package.as_ref().map_or(0, Package::heap_bytes);
                let versions: usize = e
                    .versions
                    .iter()
                    .map(|v| size_of::<String>() + v.len())
                    .sum();
                let ranges: usize = e
                    .ranges
                    .iter()
                    .map(|r| {
                        size_of::<Option<Vec<(Event, VersionKey)>>>()
                            + r.as_ref().map_or(0, |events| {
                                events.len()
                                    * (size_of::<(Event, VersionKey)>() + VersionKey::HEAP_ESTIMATE)
                            })
                    })
                    .sum();
                size_of::<Entry>() + package + versions + ranges
            })
            .sum()
    }

    /// Whether the document says the version asked about (`None`: any version) of the
    /// package is affected; `same` decides whether an entry's package is the one asked for.
    pub fn affects(&self, same: impl Fn(&Package) -> bool, version: Option<&Asked>) -> bool {
        self.entries.iter().any(|entry| {
            let Some(package) = entry.package.as_ref().filter(|p| same(p)) else {
                return false;
            };
            let Some(asked) = version else {
                return true;
            };
            if entry.versions.contains(&asked.text) {
                return true;
            }
            // The entry's scheme is the asked package's whenever `same` compares purl
            // types; parsed again otherwise.
            let reparsed;
            let key = if package.scheme() == asked.scheme {
                asked.key.as_ref()
            } else {
                reparsed = VersionKey::parse(package.scheme(), &asked.text).ok();
                reparsed.as_ref()
            };
            let Some(key) = key else {
                return false;
            };
            entry
                .ranges
                .iter()
                .flatten()
                .any(|events| range_affects(events, key))
        })
    }
}

fn entries(doc: &Value) -> impl Iterator<Item = (Option<Package>, &Value)> {
    doc["affected"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| {
            let package = match (
                entry["package"]["ecosystem"].as_str(),
                entry["package"]["name"].as_str(),
            ) {
                // "Debian:11" and the like: the ecosystem before the colon.
                (Some(eco), Some(name)) => {
                    Package::from_osv_ecosystem(eco.split(':').next().unwrap_or(eco), name)
                }
                _ => None,
            };
            (package, entry)
        })
}

/// An ECOSYSTEM or SEMVER range's events, sorted by the scheme's ordering; `None` for other
/// ranges, and for one with a version the scheme cannot order (it says nothing).
fn sorted_events(scheme: Scheme, range: &Value) -> Option<Vec<(Event, VersionKey)>> {
    if !matches!(range["type"].as_str(), Some("ECOSYSTEM" | "SEMVER")) {
        return None;
    }
    let mut list = Vec::new();
    for e in range["events"].as_array()? {
        let Some((kind, v)) = e.as_object().and_then(|o| o.iter().next()) else {
            continue;
        };
        let Some(v) = v.as_str() else {
            continue;
        };
        let event = match kind.as_str() {
            "introduced" => Event::Introduced,
            "fixed" => Event::Fixed,
            "last_affected" => Event::LastAffected,
            "limit" => Event::Limit,
            _ => Event::Other,
        };
        list.push((event, VersionKey::parse(scheme, v).ok()?));
    }
    // Stable, as OSV's evaluation: equal versions keep the document's order.
    list.sort_by(|a, b| a.1.cmp(&b.1));
    Some(list)
}

/// OSV's evaluation of one sorted range: `introduced` starts an affected stretch, `fixed`
/// and `last_affected` end it, `limit` caps the range.
fn range_affects(events: &[(Event, VersionKey)], version: &VersionKey) -> bool {
    let mut affected = false;
    for (event, bound) in events {
        let ge = version >= bound;
        match event {
            Event::Introduced if ge => affected = true,
            Event::Fixed if ge => affected = false,
            Event::LastAffected if version > bound => affected = false,
            Event::Limit if ge => return false,
            _ => {}
        }
    }
    affected
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(affected: Value) -> String {
        serde_json::json!({"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": affected})
            .to_string()
    }

    fn pypi(name: &str) -> impl Fn(&Package) -> bool + '_ {
        move |p: &Package| p.ty == "pypi" && p.index_name() == name
    }

    #[test]
    fn ranges_with_several_stretches_limits_and_version_lists() {
        let d = doc(serde_json::json!([{
            "package": {"ecosystem": "PyPI", "name": "lib"},
            "ranges": [{"type": "ECOSYSTEM", "events": [
                {"introduced": "1.0"}, {"fixed": "1.2"}, {"introduced": "2.0"}, {"last_affected": "2.3"},
                {"introduced": "3.0"}, {"limit": "3.5"}]}],
            "versions": ["0.9.1"]
        }]));
        let at = |v: &str| affects(&d, pypi("lib"), Some(v));
        assert!(at("1.1") && !at("1.2") && !at("1.9"));
        assert!(at("2.0") && at("2.3") && !at("2.4"));
        assert!(at("3.4") && !at("3.5"));
        assert!(at("0.9.1"), "listed");
        assert!(!at("0.9"));
        assert!(affects(&d, pypi("lib"), None));
        assert!(!affects(&d, pypi("other"), Some("1.1")));
    }

    #[test]
    fn git_ranges_and_unknown_ecosystems_say_nothing() {
        let d = doc(serde_json::json!([
            {"package": {"ecosystem": "PyPI", "name": "lib"},
             "ranges": [{"type": "GIT", "repo": "https://example.org/r", "events": [{"introduced": "0"}]}]},
            {"package": {"ecosystem": "Debian:12", "name": "lib"}, "versions": ["1.0"]}
        ]));
        assert!(!affects(&d, pypi("lib"), Some("1.0")));
        assert_eq!(packages(&d).len(), 1);
    }
}
