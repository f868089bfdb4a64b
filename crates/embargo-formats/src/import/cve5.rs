//! CVE JSON 5 records (CVE Record Format 5.x, as the CVE List and CVE Services publish them,
//! and the records a CNA submits, which carry only the id in `cveMetadata`).
//!
//! The CNA container is kept whole (`Publication::cve_source`): the CVE export of the
//! advisory gives it back unchanged, so nothing the model cannot hold (vendor/product
//! entries, program routines, CPEs, ADP containers' absence...) is lost. The model is filled
//! from it for pages, search, queries and the other formats, each value checked.

use std::str::FromStr;

use embargo_core::{
    Advisory, AffectedRange, Credit, CreditKind, CveId, CweId, Reference, ReferenceKind,
};
use jiff::Timestamp;
use jiff::civil::DateTime;

use crate::Package;
use serde_json::{Map, Value};

use super::{
    ImportError, Imported, add_affected, array, checked_cvss, checked_purl, finish, opt_str,
    purl_of,
};

/// Whether a JSON object is a CVE record.
pub(crate) fn is_record(doc: &Map<String, Value>) -> bool {
    doc.get("dataType").and_then(Value::as_str) == Some("CVE_RECORD")
}

/// Reads a CVE record (already known to be one, see [`is_record`]).
pub(crate) fn read(doc: &Map<String, Value>, now: Timestamp) -> Result<Imported, ImportError> {
    let meta = doc
        .get("cveMetadata")
        .and_then(Value::as_object)
        .ok_or_else(|| ImportError::new("The CVE record has no \"cveMetadata\" object."))?;
    let id = opt_str(meta, "cveId")
        .ok_or_else(|| ImportError::new("The CVE record has no \"cveMetadata.cveId\"."))?;
    let cve = CveId::parse(id).map_err(|e| ImportError::new(format!("cveMetadata.cveId: {e}.")))?;
    let cna = doc
        .get("containers")
        .and_then(|c| c.get("cna"))
        .and_then(Value::as_object)
        .ok_or_else(|| ImportError::new(format!("The CVE record {id} has no CNA container.")))?;
    let state = opt_str(meta, "state").unwrap_or("PUBLISHED");
    if !matches!(state, "PUBLISHED" | "REJECTED") {
        return Err(ImportError::new(format!(
            "The CVE record {id} is {state}: only published and rejected records are advisories."
        )));
    }

    let mut notes = Vec::new();
    let published = date(meta, "datePublished", &mut notes)
        .or_else(|| date(cna, "datePublic", &mut notes))
        .unwrap_or_else(|| {
            notes.push(
                "cveMetadata.datePublished: the record gives none (a CNA's submission); the \
                 import time is used"
                    .to_string(),
            );
            now
        });
    let modified = date(meta, "dateUpdated", &mut notes).unwrap_or(published);

    let mut advisory = Advisory {
        cve: Some(cve.clone()),
        description: description(cna, "descriptions", &mut notes),
        ..Advisory::default()
    };
    advisory.title = match opt_str(cna, "title") {
        Some(title) => title.to_string(),
        None => {
            let title = first_sentence(&advisory.description);
            if !title.is_empty() {
                notes.push(
                    "title: the record has none; the description's first sentence is used"
                        .to_string(),
                );
            }
            title
        }
    };

    let withdrawn = if state == "REJECTED" {
        // A rejected id is a withdrawn advisory: readable, marked, matched by no query.
        if advisory.description.is_empty() {
            advisory.description = description(cna, "rejectedReasons", &mut notes);
        }
        if advisory.title.is_empty() {
            advisory.title = format!("Rejected: {id}");
        }
        Some(date(meta, "dateRejected", &mut notes).unwrap_or(modified))
    } else {
        affected(cna, &mut advisory, &mut notes);
        metrics(cna, &mut advisory, &mut notes);
        advisory.cwes = cwes(cna, &mut notes);
        advisory.references = references(cna, &mut notes);
        advisory.credits = credits(cna, &mut notes);
        None
    };
    if doc.get("containers").and_then(|c| c.get("adp")).is_some() {
        notes.push(
            "containers.adp: other organizations' additions are not part of the CNA's advisory; \
             not kept"
                .to_string(),
        );
    }

    let mut imported = finish(id, advisory, published, modified, Vec::new(), notes);
    imported.publication.withdrawn = withdrawn;
    if withdrawn.is_none() {
        // Kept whole: the CVE export gives the CNA's container back unchanged.
        imported.publication.cve_source = serde_json::to_string(cna).ok();
    }
    Ok(imported)
}

/// A CVE record timestamp. The format allows leaving out the offset (`2019-04-01T00:00:00`,
/// as older records do): such a time is UTC.
fn date(obj: &Map<String, Value>, key: &str, notes: &mut Vec<String>) -> Option<Timestamp> {
    let text = opt_str(obj, key)?;
    if let Ok(t) = Timestamp::from_str(text) {
        return Some(t);
    }
    match DateTime::from_str(text).and_then(|d| jiff::tz::TimeZone::UTC.to_timestamp(d)) {
        Ok(t) => Some(t),
        Err(e) => {
            notes.push(format!(
                "{key}: {text:?} is not a timestamp ({e}); not used"
            ));
            None
        }
    }
}

/// The English text of a `descriptions`-like list (`en`, `en-US`...), else the first one.
fn description(obj: &Map<String, Value>, key: &str, notes: &mut Vec<String>) -> String {
    let entries = array(obj, key, notes);
    let english = entries.iter().find(|d| {
        d.get("lang")
            .and_then(Value::as_str)
            .is_some_and(|l| l.to_ascii_lowercase().starts_with("en"))
    });
    english
        .or_else(|| entries.first())
        .and_then(|d| d.get("value"))
        .and_then(Value::as_str)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// A title for records without one: the description's first sentence, at most 120
/// characters (cut at a word).
fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    let sentence = line
        .find(". ")
        .map_or(line, |end| &line[..end])
        .trim_end_matches('.');
    if sentence.chars().count() <= 120 {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(120).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

fn affected(cna: &Map<String, Value>, advisory: &mut Advisory, notes: &mut Vec<String>) {
    for (i, product) in array(cna, "affected", notes).iter().enumerate() {
        let field = format!("affected[{i}]");
        let Some(product) = product.as_object() else {
            notes.push(format!("{field}: not an object, dropped"));
            continue;
        };
        let purl = match package(product) {
            Ok(purl) => purl,
            Err(why) => {
                notes.push(format!(
                    "{field}: {why}; kept in the CVE record, not as a package"
                ));
                continue;
            }
        };
        let mut ranges = Vec::new();
        for (j, version) in array(product, "versions", notes).iter().enumerate() {
            if let Some(range) = range(version, &format!("{field}.versions[{j}]"), notes) {
                ranges.push(range);
            }
        }
        if ranges.is_empty() {
            let every = product.get("defaultStatus").and_then(Value::as_str) == Some("affected");
            if every {
                ranges.push(AffectedRange {
                    introduced: "0".into(),
                    fixed: None,
                    last_affected: None,
                });
            } else {
                notes.push(format!(
                    "{field}: no affected version embargo can read; the package is dropped"
                ));
                continue;
            }
        }
        add_affected(&mut advisory.affected, purl, ranges);
    }
}

/// The product's purl: `packageURL` (CVE 5.2), or the package collection and name.
fn package(product: &Map<String, Value>) -> Result<String, String> {
    if let Some(purl) = opt_str(product, "packageURL") {
        return checked_purl(purl).map_err(|e| format!("packageURL {purl:?}: {e}"));
    }
    let name = opt_str(product, "packageName");
    let collection = opt_str(product, "collectionURL").map(|u| u.trim_end_matches('/'));
    match (collection, name) {
        (Some(url), Some(name)) => {
            let ecosystem = crate::cve5::COLLECTIONS
                .iter()
                .filter(|(ty, _)| !matches!(*ty, "github" | "githubactions"))
                .find(|(_, known)| known.eq_ignore_ascii_case(url))
                .and_then(|(ty, _)| Package::osv_ecosystem_of(ty))
                .ok_or_else(|| format!("the collection {url} is not a package registry we know"))?;
            purl_of(ecosystem, name)
        }
        _ => Err(format!(
            "{} / {} names no package (no packageURL, or collectionURL and packageName)",
            opt_str(product, "vendor").unwrap_or("(no vendor)"),
            opt_str(product, "product").unwrap_or("(no product)"),
        )),
    }
}

/// One `versions` entry with status `affected`: a range from `version` to `lessThan`
/// (exclusive) or `lessThanOrEqual`, or the single version.
fn range(version: &Value, field: &str, notes: &mut Vec<String>) -> Option<AffectedRange> {
    let entry = version.as_object()?;
    let status = opt_str(entry, "status").unwrap_or_default();
    if status != "affected" {
        // Unaffected and unknown entries describe exceptions the model's ranges do not hold.
        notes.push(format!(
            "{field}: status {status:?} is kept in the CVE record only"
        ));
        return None;
    }
    if opt_str(entry, "versionType") == Some("git") {
        notes.push(format!(
            "{field}: git commits are kept in the CVE record only"
        ));
        return None;
    }
    let introduced = opt_str(entry, "version")?.to_string();
    let open = |v: &str| v == "*";
    let range = match (
        opt_str(entry, "lessThan"),
        opt_str(entry, "lessThanOrEqual"),
    ) {
        (Some(less), _) if open(less) => AffectedRange {
            introduced,
            fixed: None,
            last_affected: None,
        },
        (Some(less), _) => AffectedRange {
            introduced,
            fixed: Some(less.to_string()),
            last_affected: None,
        },
        (None, Some(most)) if open(most) => AffectedRange {
            introduced,
            fixed: None,
            last_affected: None,
        },
        (None, Some(most)) => AffectedRange {
            introduced,
            fixed: None,
            last_affected: Some(most.to_string()),
        },
        (None, None) => AffectedRange {
            last_affected: Some(introduced.clone()),
            introduced,
            fixed: None,
        },
    };
    Some(range)
}

fn metrics(cna: &Map<String, Value>, advisory: &mut Advisory, notes: &mut Vec<String>) {
    for (i, metric) in array(cna, "metrics", notes).iter().enumerate() {
        let field = format!("metrics[{i}]");
        let Some(metric) = metric.as_object() else {
            continue;
        };
        for (key, value) in metric {
            let vector = value.get("vectorString").and_then(Value::as_str);
            let (slot, version) = match key.as_str() {
                "cvssV3_1" | "cvssV3_0" => (&mut advisory.cvss_v3, 3),
                "cvssV4_0" => (&mut advisory.cvss_v4, 4),
                "format" | "scenarios" => continue,
                other => {
                    notes.push(format!(
                        "{field}.{other}: kept in the CVE record only (the model holds CVSS 3 and 4)"
                    ));
                    continue;
                }
            };
            match vector {
                Some(vector) if slot.is_none() => {
                    *slot = checked_cvss(vector, version, &format!("{field}.{key}"), notes);
                }
                Some(_) => notes.push(format!(
                    "{field}.{key}: a second CVSS {version} score; the first is kept"
                )),
                None => notes.push(format!("{field}.{key}: no vectorString, dropped")),
            }
        }
    }
}

fn cwes(cna: &Map<String, Value>, notes: &mut Vec<String>) -> Vec<CweId> {
    let mut out = Vec::new();
    for problem in array(cna, "problemTypes", notes) {
        let Some(descriptions) = problem.get("descriptions").and_then(Value::as_array) else {
            continue;
        };
        for d in descriptions {
            let Some(id) = d.get("cweId").and_then(Value::as_str) else {
                continue;
            };
            match CweId::parse(id) {
                Ok(cwe) if !out.contains(&cwe) => out.push(cwe),
                Ok(_) => {}
                Err(e) => notes.push(format!("problemTypes: {e}; dropped")),
            }
        }
    }
    out
}

fn references(cna: &Map<String, Value>, notes: &mut Vec<String>) -> Vec<Reference> {
    let mut out = Vec::new();
    for (i, reference) in array(cna, "references", notes).iter().enumerate() {
        let Some(url) = reference.get("url").and_then(Value::as_str) else {
            notes.push(format!("references[{i}]: no url, dropped"));
            continue;
        };
        let tags: Vec<&str> = reference
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        out.push(Reference {
            kind: reference_kind(&tags),
            url: url.trim().to_string(),
        });
    }
    out
}

/// CVE's reference tags, read as OSV's reference types (the first tag that says more than
/// "web" wins).
fn reference_kind(tags: &[&str]) -> ReferenceKind {
    tags.iter()
        .find_map(|tag| match *tag {
            "patch" => Some(ReferenceKind::Fix),
            "vendor-advisory" | "third-party-advisory" | "government-resource" => {
                Some(ReferenceKind::Advisory)
            }
            "issue-tracking" => Some(ReferenceKind::Report),
            "exploit" => Some(ReferenceKind::Evidence),
            "release-notes" | "product" => Some(ReferenceKind::Package),
            "technical-description" | "media-coverage" | "mailing-list" | "signature" => {
                Some(ReferenceKind::Article)
            }
            _ => None,
        })
        .unwrap_or(ReferenceKind::Web)
}

fn credits(cna: &Map<String, Value>, notes: &mut Vec<String>) -> Vec<Credit> {
    let mut out = Vec::new();
    for (i, credit) in array(cna, "credits", notes).iter().enumerate() {
        let Some(name) = credit.get("value").and_then(Value::as_str) else {
            notes.push(format!("credits[{i}]: no value, dropped"));
            continue;
        };
        let kind = credit
            .get("type")
            .and_then(Value::as_str)
            .and_then(|t| CreditKind::parse(&t.replace(' ', "_")))
            .unwrap_or(CreditKind::Other);
        out.push(Credit {
            name: name.trim().to_string(),
            kind,
            link: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_descriptions_stop_at_the_first_sentence() {
        assert_eq!(
            first_sentence("Apache Log4j2 JNDI features do not protect. Second."),
            "Apache Log4j2 JNDI features do not protect"
        );
        let long = "word ".repeat(60);
        let title = first_sentence(&long);
        assert!(
            title.chars().count() <= 121 && title.ends_with('…'),
            "{title}"
        );
    }

    #[test]
    fn versions_become_ranges() {
        let mut notes = Vec::new();
        let r = |v: Value, notes: &mut Vec<String>| range(&v, "v", notes);
        assert_eq!(
            r(
                serde_json::json!({"version": "0", "lessThan": "1.2", "status": "affected"}),
                &mut notes
            ),
            Some(AffectedRange {
                introduced: "0".into(),
                fixed: Some("1.2".into()),
                last_affected: None
            })
        );
        assert_eq!(
            r(
                serde_json::json!({"version": "2.0", "status": "affected"}),
                &mut notes
            ),
            Some(AffectedRange {
                introduced: "2.0".into(),
                fixed: None,
                last_affected: Some("2.0".into())
            })
        );
        assert_eq!(
            r(
                serde_json::json!({"version": "2.0", "lessThan": "*", "status": "affected"}),
                &mut notes
            ),
            Some(AffectedRange {
                introduced: "2.0".into(),
                fixed: None,
                last_affected: None
            })
        );
        assert!(notes.is_empty());
        assert_eq!(
            r(
                serde_json::json!({"version": "3.0", "status": "unaffected"}),
                &mut notes
            ),
            None
        );
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn packages_from_collections() {
        let product = |v: Value| package(v.as_object().unwrap());
        assert_eq!(
            product(
                serde_json::json!({"collectionURL": "https://pkg.go.dev", "packageName": "cmd/go"})
            )
            .unwrap(),
            "pkg:golang/cmd/go"
        );
        assert_eq!(
            product(serde_json::json!({"packageURL": "pkg:pypi/urllib3@2.0"})).unwrap(),
            "pkg:pypi/urllib3"
        );
        assert!(
            product(serde_json::json!({"vendor": "Apache", "product": "Log4j2"}))
                .unwrap_err()
                .contains("Apache / Log4j2")
        );
    }
}
