//! Matching a package and version against an OSV document as the OSV specification
//! evaluates it: each `affected` entry's `versions` list, and its ECOSYSTEM and SEMVER
//! ranges with their events sorted by the ecosystem's ordering (`introduced` starts an
//! affected stretch, `fixed` and `last_affected` end it, `limit` caps the range). Used for
//! advisories kept as their source's OSV document, so that queries see all of it (ranges
//! with several stretches, `limit`, version lists), not only what the model holds.

use serde_json::Value;

use crate::Package;
use crate::versions::{Scheme, compare};

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
    entries(doc).any(|(package, entry)| {
        let Some(package) = package.filter(|p| same(p)) else {
            return false;
        };
        let Some(v) = version else {
            return true;
        };
        let listed = entry["versions"]
            .as_array()
            .is_some_and(|vs| vs.iter().any(|x| x.as_str() == Some(v)));
        listed
            || entry["ranges"]
                .as_array()
                .is_some_and(|ranges| ranges.iter().any(|r| range_affects(package.scheme(), r, v)))
    })
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

/// OSV's evaluation of one ECOSYSTEM or SEMVER range; a range whose versions the scheme
/// cannot order says nothing.
fn range_affects(scheme: Scheme, range: &Value, version: &str) -> bool {
    if !matches!(range["type"].as_str(), Some("ECOSYSTEM" | "SEMVER")) {
        return false;
    }
    let Some(events) = range["events"].as_array() else {
        return false;
    };
    let mut list: Vec<(&str, &str)> = Vec::new();
    for e in events {
        let Some((kind, v)) = e.as_object().and_then(|o| o.iter().next()) else {
            continue;
        };
        if let Some(v) = v.as_str() {
            list.push((kind.as_str(), v));
        }
    }
    let mut failed = false;
    list.sort_by(|a, b| {
        compare(scheme, a.1, b.1).unwrap_or_else(|_| {
            failed = true;
            std::cmp::Ordering::Equal
        })
    });
    if failed {
        return false;
    }
    let at_least = |bound: &str| compare(scheme, version, bound).map(|o| o.is_ge());
    let mut affected = false;
    for (kind, bound) in &list {
        let Ok(ge) = at_least(bound) else {
            return false;
        };
        match *kind {
            "introduced" if ge => affected = true,
            "fixed" if ge => affected = false,
            "last_affected" if ge && compare(scheme, version, bound).is_ok_and(|o| o.is_gt()) => {
                affected = false
            }
            "limit" if ge => return false,
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
