//! OSV documents (schema 1.x), including the GitHub Advisory Database's files, which are
//! OSV with GitHub's `database_specific` (`cwe_ids`, `severity`, ...).

use embargo_core::{
    Advisory, Affected, AffectedRange, Credit, CreditKind, CveId, CweId, Reference, ReferenceKind,
};
use jiff::Timestamp;
use serde_json::{Map, Value};

use super::{
    ImportError, Imported, add_affected, array, checked_cvss, checked_purl, finish, known, opt_str,
    purl_of, req_str, timestamp,
};

const FORMAT: &str = "OSV";

/// Reads an OSV document (already known to be a JSON object).
pub(crate) fn read(doc: &Map<String, Value>, now: Timestamp) -> Result<Imported, ImportError> {
    let id = req_str(doc, "id", FORMAT)?;
    let modified = timestamp(doc, "modified", FORMAT)?
        .ok_or_else(|| ImportError::new(format!("The OSV document {id} has no \"modified\".")))?;
    // Withdrawn advisories are imported as withdrawn: the record stays readable, marked.
    let withdrawn = timestamp(doc, "withdrawn", FORMAT)?;
    let mut notes = Vec::new();
    let modified = known(modified).unwrap_or_else(|| {
        notes.push(format!(
            "modified: the source gives no date ({modified}); the import time is used"
        ));
        now
    });
    let published = match timestamp(doc, "published", FORMAT)? {
        Some(published) => known(published).unwrap_or_else(|| {
            notes.push(format!(
                "published: the source gives no date ({published}); the modified time is used"
            ));
            modified
        }),
        None => {
            notes.push("published: missing; the modified time is used".to_string());
            modified
        }
    };

    let mut advisory = Advisory {
        title: opt_str(doc, "summary").unwrap_or_default().to_string(),
        summary: opt_str(doc, "summary").unwrap_or_default().to_string(),
        description: opt_str(doc, "details").unwrap_or_default().to_string(),
        ..Advisory::default()
    };

    // Ids: the aliases, the CVE among them (or the id itself, for CVE-named records).
    let mut aliases = Vec::new();
    for (i, alias) in array(doc, "aliases", &mut notes).iter().enumerate() {
        match alias.as_str().map(str::trim) {
            Some(alias) if !alias.is_empty() => aliases.push(alias.to_string()),
            _ => notes.push(format!("aliases[{i}]: not a string, dropped")),
        }
    }
    for candidate in std::iter::once(id).chain(aliases.iter().map(String::as_str)) {
        if !candidate.to_ascii_uppercase().starts_with("CVE-") {
            continue;
        }
        match CveId::parse(candidate) {
            Ok(cve) if advisory.cve.is_none() => advisory.cve = Some(cve),
            Ok(cve) => {
                if advisory.cve.as_ref() != Some(&cve) {
                    notes.push(format!(
                        "aliases: {cve} is a second CVE id; only {} is kept as the CVE (both stay aliases)",
                        advisory.cve.as_ref().map_or("", |c| c.as_ref())
                    ));
                }
            }
            Err(e) => notes.push(format!("aliases: {e}; not kept as the CVE")),
        }
    }
    let related = array(doc, "related", &mut notes);
    if !related.is_empty() {
        let ids: Vec<&str> = related.iter().filter_map(Value::as_str).collect();
        notes.push(format!(
            "related: {} not kept (the model has no related advisories)",
            ids.join(", ")
        ));
    }

    severity(doc, &mut advisory, &mut notes);
    cwes(doc, &mut advisory, &mut notes);
    affected(doc, &mut advisory, &mut notes);
    advisory.references = references(doc, &mut notes);
    advisory.credits = credits(doc, &mut notes);

    let mut imported = finish(id, advisory, published, modified, aliases, notes);
    imported.publication.withdrawn = withdrawn;
    // Kept whole: the OSV export gives it back unchanged.
    imported.publication.osv_source = serde_json::to_string(doc).ok();
    Ok(imported)
}

fn severity(doc: &Map<String, Value>, advisory: &mut Advisory, notes: &mut Vec<String>) {
    for (i, entry) in array(doc, "severity", notes).iter().enumerate() {
        let field = format!("severity[{i}]");
        let Some(entry) = entry.as_object() else {
            notes.push(format!("{field}: not an object, dropped"));
            continue;
        };
        let ty = opt_str(entry, "type").unwrap_or_default();
        let Some(score) = opt_str(entry, "score") else {
            notes.push(format!("{field}: no score, dropped"));
            continue;
        };
        let (slot, version) = match ty {
            "CVSS_V3" => (&mut advisory.cvss_v3, 3),
            "CVSS_V4" => (&mut advisory.cvss_v4, 4),
            other => {
                notes.push(format!(
                    "{field}: {other} scores have no place in the model (CVSS 3.1 and 4.0 only), dropped"
                ));
                continue;
            }
        };
        if slot.is_some() {
            notes.push(format!("{field}: a second {ty} vector, dropped"));
            continue;
        }
        *slot = checked_cvss(score, version, &field, notes);
    }
}

fn cwes(doc: &Map<String, Value>, advisory: &mut Advisory, notes: &mut Vec<String>) {
    let Some(specific) = doc.get("database_specific").and_then(Value::as_object) else {
        return;
    };
    if let Some(severity) = opt_str(specific, "severity")
        && advisory.cvss_v3.is_none()
        && advisory.cvss_v4.is_none()
    {
        notes.push(format!(
            "database_specific.severity: {severity} without a CVSS vector has no place in the model, dropped"
        ));
    }
    for (i, cwe) in array(specific, "cwe_ids", notes).iter().enumerate() {
        let field = format!("database_specific.cwe_ids[{i}]");
        match cwe.as_str().map(CweId::parse) {
            Some(Ok(cwe)) => {
                if !advisory.cwes.contains(&cwe) {
                    advisory.cwes.push(cwe);
                }
            }
            Some(Err(e)) => notes.push(format!("{field}: {e}; dropped")),
            None => notes.push(format!("{field}: not a string, dropped")),
        }
    }
}

fn affected(doc: &Map<String, Value>, advisory: &mut Advisory, notes: &mut Vec<String>) {
    let mut out: Vec<Affected> = Vec::new();
    for (i, entry) in array(doc, "affected", notes).iter().enumerate() {
        let field = format!("affected[{i}]");
        let Some(entry) = entry.as_object() else {
            notes.push(format!("{field}: not an object, dropped"));
            continue;
        };
        let Some(package) = entry.get("package").and_then(Value::as_object) else {
            notes.push(format!("{field}: no package, dropped"));
            continue;
        };
        let purl = match (
            opt_str(package, "ecosystem"),
            opt_str(package, "name"),
            opt_str(package, "purl"),
        ) {
            (Some(ecosystem), Some(name), given) => match purl_of(ecosystem, name) {
                Ok(purl) => Ok(purl),
                Err(e) => given.map_or(Err(e), checked_purl),
            },
            (_, _, Some(given)) => checked_purl(given),
            _ => Err("the package has neither ecosystem and name nor purl".to_string()),
        };
        let purl = match purl {
            Ok(purl) => purl,
            Err(e) => {
                notes.push(format!("{field}: {e}; dropped"));
                continue;
            }
        };
        if !array(entry, "severity", notes).is_empty() {
            notes.push(format!(
                "{field}.severity: per-package severity has no place in the model (the advisory's is kept), dropped"
            ));
        }
        let mut ranges = Vec::new();
        for (j, range) in array(entry, "ranges", notes).iter().enumerate() {
            ranges.extend(read_range(range, &format!("{field}.ranges[{j}]"), notes));
        }
        // GitHub records where an open range is known to end.
        if let Some(last) = entry
            .get("database_specific")
            .and_then(Value::as_object)
            .and_then(|d| opt_str(d, "last_known_affected_version_range"))
            .and_then(|r| r.strip_prefix("<="))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            && let [range] = ranges.as_mut_slice()
            && range.fixed.is_none()
            && range.last_affected.is_none()
        {
            range.last_affected = Some(last.to_string());
        }
        let versions = array(entry, "versions", notes);
        if ranges.is_empty() {
            if versions.is_empty() {
                notes.push(format!(
                    "{field}: {purl} has no version range we can keep, dropped"
                ));
            } else {
                notes.push(format!(
                    "{field}: {purl} lists {} versions without a range; the model keeps ranges only, dropped",
                    versions.len()
                ));
            }
            continue;
        }
        add_affected(&mut out, purl, ranges);
    }
    advisory.affected = out;
}

/// The ranges of one OSV range object: each `introduced` paired with the following `fixed`
/// or `last_affected`; a trailing `introduced` is an open range.
fn read_range(range: &Value, field: &str, notes: &mut Vec<String>) -> Vec<AffectedRange> {
    let Some(range) = range.as_object() else {
        notes.push(format!("{field}: not an object, dropped"));
        return Vec::new();
    };
    match opt_str(range, "type") {
        Some("ECOSYSTEM" | "SEMVER") => {}
        Some("GIT") => {
            notes.push(format!(
                "{field}: a GIT range (commits of {}) is kept in the OSV document only; \
                 commit queries find it once `embargo osv index-commits` has read a clone",
                opt_str(range, "repo").unwrap_or("a repository")
            ));
            return Vec::new();
        }
        other => {
            notes.push(format!(
                "{field}: range type {} is not ECOSYSTEM or SEMVER, dropped",
                other.unwrap_or("(none)")
            ));
            return Vec::new();
        }
    }
    let mut out = Vec::new();
    let mut open: Option<String> = None;
    for (k, event) in array(range, "events", notes).iter().enumerate() {
        let Some(event) = event.as_object() else {
            notes.push(format!("{field}.events[{k}]: not an object, dropped"));
            continue;
        };
        if let Some(introduced) = opt_str(event, "introduced") {
            if let Some(previous) = open.replace(introduced.to_string()) {
                out.push(AffectedRange {
                    introduced: previous,
                    fixed: None,
                    last_affected: None,
                });
            }
        } else if let Some(fixed) = opt_str(event, "fixed") {
            match open.take() {
                Some(introduced) => out.push(AffectedRange {
                    introduced,
                    fixed: Some(fixed.to_string()),
                    last_affected: None,
                }),
                None => notes.push(format!(
                    "{field}.events[{k}]: fixed {fixed} follows no introduced event, dropped"
                )),
            }
        } else if let Some(last) = opt_str(event, "last_affected") {
            match open.take() {
                Some(introduced) => out.push(AffectedRange {
                    introduced,
                    fixed: None,
                    last_affected: Some(last.to_string()),
                }),
                None => notes.push(format!(
                    "{field}.events[{k}]: last_affected {last} follows no introduced event, dropped"
                )),
            }
        } else if let Some(limit) = opt_str(event, "limit") {
            notes.push(format!(
                "{field}.events[{k}]: limit {limit} has no place in the model, dropped"
            ));
        } else {
            notes.push(format!(
                "{field}.events[{k}]: an event of no known kind, dropped"
            ));
        }
    }
    if let Some(introduced) = open {
        out.push(AffectedRange {
            introduced,
            fixed: None,
            last_affected: None,
        });
    }
    out
}

fn references(doc: &Map<String, Value>, notes: &mut Vec<String>) -> Vec<Reference> {
    let mut out: Vec<Reference> = Vec::new();
    for (i, entry) in array(doc, "references", notes).iter().enumerate() {
        let field = format!("references[{i}]");
        let Some(entry) = entry.as_object() else {
            notes.push(format!("{field}: not an object, dropped"));
            continue;
        };
        let Some(url) = opt_str(entry, "url") else {
            notes.push(format!("{field}: no url, dropped"));
            continue;
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            notes.push(format!("{field}: {url:?} is not an http(s) URL, dropped"));
            continue;
        }
        let kind = match opt_str(entry, "type").unwrap_or("WEB") {
            "ADVISORY" => ReferenceKind::Advisory,
            "ARTICLE" => ReferenceKind::Article,
            "REPORT" => ReferenceKind::Report,
            "FIX" => ReferenceKind::Fix,
            "PACKAGE" => ReferenceKind::Package,
            "EVIDENCE" => ReferenceKind::Evidence,
            _ => ReferenceKind::Web,
        };
        if !out.iter().any(|r| r.url == url) {
            out.push(Reference {
                kind,
                url: url.to_string(),
            });
        }
    }
    out
}

fn credits(doc: &Map<String, Value>, notes: &mut Vec<String>) -> Vec<Credit> {
    let mut out = Vec::new();
    for (i, entry) in array(doc, "credits", notes).iter().enumerate() {
        let field = format!("credits[{i}]");
        let Some(entry) = entry.as_object() else {
            notes.push(format!("{field}: not an object, dropped"));
            continue;
        };
        let Some(name) = opt_str(entry, "name") else {
            notes.push(format!("{field}: no name, dropped"));
            continue;
        };
        let kind = match opt_str(entry, "type") {
            None => CreditKind::Other,
            Some(ty) => CreditKind::parse(ty).unwrap_or_else(|| {
                notes.push(format!(
                    "{field}: credit type {ty} is unknown; kept as other"
                ));
                CreditKind::Other
            }),
        };
        let link = array(entry, "contact", notes)
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .find(|c| c.starts_with("https://") || c.starts_with("http://"))
            .map(str::to_string);
        out.push(Credit {
            name: name.to_string(),
            kind,
            link,
        });
    }
    out
}
