//! GitHub's advisory JSON: the objects of the REST API's global advisory endpoints
//! (`/advisories/{ghsa_id}`) and repository advisory endpoints
//! (`/repos/{owner}/{repo}/security-advisories/{ghsa_id}`).

use embargo_core::{
    Advisory, AffectedRange, Credit, CreditKind, CveId, CweId, Reference, ReferenceKind,
};
use serde_json::{Map, Value};

use super::{
    ImportError, Imported, add_affected, array, checked_cvss, finish, opt_str, purl_of, req_str,
    timestamp,
};

const FORMAT: &str = "GitHub advisory";

/// Reads a GitHub REST advisory object (already known to be a JSON object).
/// (`now` is unused: GitHub's REST objects always carry real dates.)
pub(crate) fn read(
    doc: &Map<String, Value>,
    _now: jiff::Timestamp,
) -> Result<Imported, ImportError> {
    let id = req_str(doc, "ghsa_id", FORMAT)?;
    // Withdrawn advisories are imported as withdrawn: the record stays readable, marked.
    let withdrawn = timestamp(doc, "withdrawn_at", FORMAT)?;
    let published = timestamp(doc, "published_at", FORMAT)?.ok_or_else(|| {
        ImportError::new(format!(
            "The GitHub advisory {id} has no \"published_at\": it is not published."
        ))
    })?;
    let mut notes = Vec::new();
    let modified = timestamp(doc, "updated_at", FORMAT)?.unwrap_or(published);

    let summary = opt_str(doc, "summary").unwrap_or_default();
    let mut advisory = Advisory {
        title: summary.to_string(),
        summary: summary.to_string(),
        description: opt_str(doc, "description").unwrap_or_default().to_string(),
        ..Advisory::default()
    };

    // Ids.
    let mut aliases = Vec::new();
    if let Some(cve) = opt_str(doc, "cve_id") {
        aliases.push(cve.to_string());
        match CveId::parse(cve) {
            Ok(cve) => advisory.cve = Some(cve),
            Err(e) => notes.push(format!("cve_id: {e}; dropped")),
        }
    }
    for (i, identifier) in array(doc, "identifiers", &mut notes).iter().enumerate() {
        match identifier.as_object().and_then(|o| opt_str(o, "value")) {
            Some(value) => aliases.push(value.to_string()),
            None => notes.push(format!("identifiers[{i}]: no value, dropped")),
        }
    }
    if advisory.cve.is_none()
        && let Some(cve) = aliases.iter().find_map(|a| CveId::parse(a).ok())
    {
        advisory.cve = Some(cve);
    }

    cvss(doc, &mut advisory, &mut notes);
    if let Some(severity) = opt_str(doc, "severity")
        && advisory.cvss_v3.is_none()
        && advisory.cvss_v4.is_none()
    {
        notes.push(format!(
            "severity: {severity} without a CVSS vector has no place in the model, dropped"
        ));
    }
    for (i, cwe) in array(doc, "cwes", &mut notes).iter().enumerate() {
        let field = format!("cwes[{i}]");
        let text = cwe
            .as_object()
            .and_then(|o| opt_str(o, "cwe_id"))
            .or_else(|| cwe.as_str());
        match text.map(CweId::parse) {
            Some(Ok(cwe)) => {
                if !advisory.cwes.contains(&cwe) {
                    advisory.cwes.push(cwe);
                }
            }
            Some(Err(e)) => notes.push(format!("{field}: {e}; dropped")),
            None => notes.push(format!("{field}: no cwe_id, dropped")),
        }
    }

    vulnerabilities(doc, &mut advisory, &mut notes);
    advisory.references = references(doc, &mut notes);
    advisory.credits = credits(doc, &mut notes);

    let mut imported = finish(id, advisory, published, modified, aliases, notes);
    imported.publication.withdrawn = withdrawn;
    Ok(imported)
}

fn cvss(doc: &Map<String, Value>, advisory: &mut Advisory, notes: &mut Vec<String>) {
    let vector = |v: Option<&Value>| {
        v.and_then(Value::as_object)
            .and_then(|o| opt_str(o, "vector_string"))
            .map(str::to_string)
    };
    if let Some(severities) = doc.get("cvss_severities").and_then(Value::as_object) {
        if let Some(v3) = vector(severities.get("cvss_v3")) {
            advisory.cvss_v3 = checked_cvss(&v3, 3, "cvss_severities.cvss_v3", notes);
        }
        if let Some(v4) = vector(severities.get("cvss_v4")) {
            advisory.cvss_v4 = checked_cvss(&v4, 4, "cvss_severities.cvss_v4", notes);
        }
    }
    // The older single `cvss` object: a 3.x vector, or a 4.0 one on some records.
    if let Some(v) = vector(doc.get("cvss")) {
        if v.starts_with("CVSS:4.0/") {
            if advisory.cvss_v4.is_none() {
                advisory.cvss_v4 = checked_cvss(&v, 4, "cvss", notes);
            }
        } else if advisory.cvss_v3.is_none() {
            advisory.cvss_v3 = checked_cvss(&v, 3, "cvss", notes);
        }
    }
}

/// The affected packages of a GitHub advisory object (its `vulnerabilities`), also of one
/// that is not published (a private vulnerability report's), with what was dropped.
pub fn affected(doc: &Value) -> (Vec<embargo_core::Affected>, Vec<String>) {
    let mut advisory = Advisory::default();
    let mut notes = Vec::new();
    if let Some(obj) = doc.as_object() {
        vulnerabilities(obj, &mut advisory, &mut notes);
    }
    (advisory.affected, notes)
}

fn vulnerabilities(doc: &Map<String, Value>, advisory: &mut Advisory, notes: &mut Vec<String>) {
    for (i, entry) in array(doc, "vulnerabilities", notes).iter().enumerate() {
        let field = format!("vulnerabilities[{i}]");
        let Some(entry) = entry.as_object() else {
            notes.push(format!("{field}: not an object, dropped"));
            continue;
        };
        let package = entry.get("package").and_then(Value::as_object);
        let (Some(ecosystem), Some(name)) = (
            package.and_then(|p| opt_str(p, "ecosystem")),
            package.and_then(|p| opt_str(p, "name")),
        ) else {
            notes.push(format!("{field}: no package ecosystem and name, dropped"));
            continue;
        };
        let purl = match purl_of(ecosystem, name) {
            Ok(purl) => purl,
            Err(e) => {
                notes.push(format!("{field}: {e}; dropped"));
                continue;
            }
        };
        let patched = patched_version(entry);
        let range = match opt_str(entry, "vulnerable_version_range") {
            Some(text) => parse_range(text, patched.as_deref()),
            None => match &patched {
                Some(p) => Ok((
                    AffectedRange {
                        introduced: "0".to_string(),
                        fixed: Some(p.clone()),
                        last_affected: None,
                    },
                    None,
                )),
                None => Err("no vulnerable_version_range nor patched version".to_string()),
            },
        };
        match range {
            Ok((range, note)) => {
                if let Some(note) = note {
                    notes.push(format!("{field}: {note}"));
                }
                add_affected(&mut advisory.affected, purl, vec![range]);
            }
            Err(e) => notes.push(format!("{field}: {purl}: {e}; dropped")),
        }
    }
}

/// The first patched version: `first_patched_version` (a string, or `{identifier}` in older
/// responses) or `patched_versions` (a string such as "2.1.1" or ">= 2.1.1").
fn patched_version(entry: &Map<String, Value>) -> Option<String> {
    let first = match entry.get("first_patched_version") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => opt_str(o, "identifier"),
        _ => None,
    };
    first
        .or_else(|| opt_str(entry, "patched_versions"))
        .and_then(|s| s.split(',').next())
        .map(|s| {
            s.trim()
                .trim_start_matches(">=")
                .trim_start_matches('=')
                .trim()
        })
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A `vulnerable_version_range` such as ">= 2.0.0, < 2.1.1", "< 1.4.2", "<= 0.5.7" or
/// "= 1.0.0" as a range, with a note when something is dropped.
fn parse_range(
    text: &str,
    patched: Option<&str>,
) -> Result<(AffectedRange, Option<String>), String> {
    let mut introduced: Option<String> = None;
    let mut fixed: Option<String> = None;
    let mut last_affected: Option<String> = None;
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (op, version) = ["<=", ">=", "<", ">", "="]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|v| (*op, v.trim())))
            .ok_or_else(|| format!("the range {text:?} has a part {part:?} without an operator"))?;
        if version.is_empty() {
            return Err(format!(
                "the range {text:?} has an operator without a version"
            ));
        }
        match op {
            ">=" => introduced = Some(version.to_string()),
            "<" => fixed = Some(version.to_string()),
            "<=" => last_affected = Some(version.to_string()),
            "=" => {
                introduced = Some(version.to_string());
                last_affected = Some(version.to_string());
            }
            _ => {
                return Err(format!(
                    "the range {text:?} starts after a version (\"> {version}\"), which the model cannot say"
                ));
            }
        }
    }
    if fixed.is_some() && last_affected.is_some() {
        return Err(format!("the range {text:?} has two upper bounds"));
    }
    let mut note = None;
    match (&fixed, &last_affected, patched) {
        (None, None, Some(p)) => fixed = Some(p.to_string()),
        (None, Some(last), Some(p)) => {
            note = Some(format!(
                "the range ends at <= {last} (last affected); the patched version {p} is not kept"
            ));
        }
        (Some(f), None, Some(p)) if f != p => {
            note = Some(format!(
                "the range ends before {f}, while the first patched version is {p}; the range is kept"
            ));
        }
        _ => {}
    }
    Ok((
        AffectedRange {
            introduced: introduced.unwrap_or_else(|| "0".to_string()),
            fixed,
            last_affected,
        },
        note,
    ))
}

fn references(doc: &Map<String, Value>, notes: &mut Vec<String>) -> Vec<Reference> {
    let mut out: Vec<Reference> = Vec::new();
    let mut push = |kind, url: &str| {
        if !out.iter().any(|r| r.url == url) {
            out.push(Reference {
                kind,
                url: url.to_string(),
            });
        }
    };
    if let Some(url) = opt_str(doc, "html_url") {
        push(ReferenceKind::Advisory, url);
    }
    for (i, entry) in array(doc, "references", notes).iter().enumerate() {
        let field = format!("references[{i}]");
        let url = match entry {
            Value::String(s) => Some(s.trim()),
            Value::Object(o) => opt_str(o, "url"),
            _ => None,
        };
        let Some(url) = url.filter(|u| !u.is_empty()) else {
            notes.push(format!("{field}: no URL, dropped"));
            continue;
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            notes.push(format!("{field}: {url:?} is not an http(s) URL, dropped"));
            continue;
        }
        push(kind_of_url(url), url);
    }
    if let Some(url) = opt_str(doc, "source_code_location")
        && (url.starts_with("https://") || url.starts_with("http://"))
    {
        push(ReferenceKind::Package, url);
    }
    out
}

/// GitHub gives bare URLs; their kind is guessed from where they point.
fn kind_of_url(url: &str) -> ReferenceKind {
    let lower = url.to_ascii_lowercase();
    if lower.contains("/advisories/")
        || lower.contains("/security/advisories/")
        || lower.contains("nvd.nist.gov/vuln/detail/")
        || lower.contains("cve.org/cverecord")
        || lower.contains("cve.mitre.org/")
    {
        ReferenceKind::Advisory
    } else if lower.contains("/commit/")
        || lower.contains("/pull/")
        || lower.contains("/releases/tag/")
    {
        ReferenceKind::Fix
    } else if lower.contains("/issues/") {
        ReferenceKind::Report
    } else if lower.contains("pypi.org/project/")
        || lower.contains("npmjs.com/package/")
        || lower.contains("crates.io/crates/")
        || lower.contains("rubygems.org/gems/")
    {
        ReferenceKind::Package
    } else {
        ReferenceKind::Web
    }
}

fn credits(doc: &Map<String, Value>, notes: &mut Vec<String>) -> Vec<Credit> {
    let key = if doc.get("credits").is_some_and(|c| !c.is_null()) {
        "credits"
    } else {
        "credits_detailed"
    };
    let mut out = Vec::new();
    for (i, entry) in array(doc, key, notes).iter().enumerate() {
        let field = format!("{key}[{i}]");
        let Some(entry) = entry.as_object() else {
            notes.push(format!("{field}: not an object, dropped"));
            continue;
        };
        let user = entry.get("user").and_then(Value::as_object);
        let Some(name) = user
            .and_then(|u| opt_str(u, "login"))
            .or_else(|| opt_str(entry, "login"))
        else {
            notes.push(format!("{field}: no user login, dropped"));
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
        let link = user
            .and_then(|u| opt_str(u, "html_url"))
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .map_or_else(
                || Some(format!("https://github.com/{name}")),
                |u| Some(u.to_string()),
            );
        out.push(Credit {
            name: name.to_string(),
            kind,
            link,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str, patched: Option<&str>) -> AffectedRange {
        parse_range(text, patched).unwrap().0
    }

    #[test]
    fn version_ranges() {
        assert_eq!(
            range(">= 2.0.0, < 2.1.1", Some("2.1.1")),
            AffectedRange {
                introduced: "2.0.0".into(),
                fixed: Some("2.1.1".into()),
                last_affected: None
            }
        );
        assert_eq!(range("< 1.4.2", None).introduced, "0");
        assert_eq!(
            range("<= 0.5.7", None).last_affected.as_deref(),
            Some("0.5.7")
        );
        assert_eq!(range(">= 3.0", Some("3.2")).fixed.as_deref(), Some("3.2"));
        assert_eq!(
            range("= 1.0.0", None).last_affected.as_deref(),
            Some("1.0.0")
        );
        assert!(parse_range("> 1.0", None).is_err());
        assert!(parse_range("~1.0", None).is_err());
    }
}
