//! OSV 1.7 JSON (ossf/osv-schema), one document per published advisory.
//!
//! OSV has no conda ecosystem (nor a generic one): such packages are listed without
//! `package`, their purl and ranges under `database_specific`, as STACK.md recommends, so
//! OSV consumers skip them instead of misreading conda versions as another ecosystem's.

use embargo_core::{AffectedRange, CreditKind, Publication, ReferenceKind};
use serde_json::{Value, json};

use crate::Publisher;
use crate::package::Package;
use crate::versions::Scheme;

/// The OSV schema version these documents follow.
pub const SCHEMA_VERSION: &str = "1.7.5";

/// Prefixes OSV knows as home databases; any other id gets OSV's local prefix `x_`.
const KNOWN_PREFIXES: &[&str] = &["CVE", "GHSA", "PYSEC", "RUSTSEC", "GO", "OSV", "PSF"];

/// The OSV id of an advisory id: as is under a registered prefix, `x_`-prefixed otherwise.
pub fn id(advisory_id: &str) -> String {
    let registered = advisory_id
        .split_once('-')
        .is_some_and(|(prefix, _)| KNOWN_PREFIXES.contains(&prefix));
    if registered {
        advisory_id.to_string()
    } else {
        format!("x_{advisory_id}")
    }
}

/// RFC 3339 in UTC with a `Z`, whole seconds, as OSV's timestamp pattern wants.
pub(crate) fn timestamp(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The OSV document of a publication.
pub fn document(publisher: &Publisher, p: &Publication) -> Value {
    // An imported OSV advisory is someone else's publication: given back as published.
    if let Some(Ok(Value::Object(original))) =
        p.osv_source.as_deref().map(serde_json::from_str::<Value>)
    {
        return Value::Object(original);
    }
    let a = &p.advisory;
    let mut doc = serde_json::Map::new();
    doc.insert("schema_version".into(), json!(SCHEMA_VERSION));
    doc.insert("id".into(), json!(id(&p.id)));
    doc.insert("modified".into(), json!(timestamp(p.modified)));
    if let Some(withdrawn) = p.withdrawn {
        doc.insert("withdrawn".into(), json!(timestamp(withdrawn)));
    }
    doc.insert("published".into(), json!(timestamp(p.published)));
    if let Some(cve) = &a.cve {
        doc.insert("aliases".into(), json!([cve.as_ref()]));
    }
    doc.insert("summary".into(), json!(a.title));
    doc.insert("details".into(), json!(crate::text::details(p)));
    let mut severity = Vec::new();
    if let Some(v) = &a.cvss_v3 {
        severity.push(json!({"type": "CVSS_V3", "score": v}));
    }
    if let Some(v) = &a.cvss_v4 {
        severity.push(json!({"type": "CVSS_V4", "score": v}));
    }
    if !severity.is_empty() {
        doc.insert("severity".into(), Value::Array(severity));
    }
    let affected: Vec<Value> = a
        .affected
        .iter()
        .filter_map(|x| affected(&x.purl, &x.ranges))
        .collect();
    doc.insert("affected".into(), Value::Array(affected));
    let mut references = vec![json!({"type": "ADVISORY", "url": publisher.advisory_url(&p.id)})];
    references.extend(
        a.references
            .iter()
            .map(|r| json!({"type": reference_type(r.kind), "url": r.url})),
    );
    doc.insert("references".into(), Value::Array(references));
    if !a.credits.is_empty() {
        let credits = a.credits.iter().map(|c| {
            let mut credit = json!({"name": c.name, "type": credit_type(c.kind)});
            if let Some(link) = &c.link {
                credit["contact"] = json!([link]);
            }
            credit
        });
        doc.insert("credits".into(), Value::Array(credits.collect()));
    }
    let mut specific = json!({"url": publisher.advisory_url(&p.id)});
    if !a.cwes.is_empty() {
        specific["cwe_ids"] = json!(a.cwes);
    }
    if let Some(s) = crate::cvss::headline(a) {
        specific["severity"] = json!(s.severity);
    }
    doc.insert("database_specific".into(), specific);
    Value::Object(doc)
}

fn affected(purl: &str, ranges: &[AffectedRange]) -> Option<Value> {
    let package = Package::parse(purl).ok()?;
    let events = |r: &AffectedRange| {
        let mut events = vec![json!({"introduced": r.introduced})];
        if let Some(fixed) = &r.fixed {
            events.push(json!({"fixed": fixed}));
        }
        if let Some(last) = &r.last_affected {
            events.push(json!({"last_affected": last}));
        }
        events
    };
    match package.osv_ecosystem() {
        Some(ecosystem) => {
            // OSV's SEMVER type is for ecosystems that are plain semver; others sort by
            // their ecosystem's own rules (ECOSYSTEM).
            let kind = match (package.scheme(), package.ty.as_str()) {
                (Scheme::Semver, "npm" | "cargo") => "SEMVER",
                _ => "ECOSYSTEM",
            };
            // One range per pair: OSV forbids mixing fixed and last_affected in one range.
            // SEMVER events are bare semver: a tag's leading "v" goes.
            let ranges: Vec<Value> = ranges
                .iter()
                .map(|r| {
                    let r = if kind == "SEMVER" { &without_v(r) } else { r };
                    json!({"type": kind, "events": events(r)})
                })
                .collect();
            Some(json!({
                "package": {
                    "ecosystem": ecosystem,
                    "name": package.ecosystem_name(),
                    "purl": package.purl,
                },
                "ranges": ranges,
            }))
        }
        None => Some(json!({
            "database_specific": {
                "purl": package.purl,
                "ecosystem": package.ecosystem_label(),
                "name": package.ecosystem_name(),
                "version_scheme": package.scheme().name(),
                "ranges": ranges.iter().map(|r| json!({"events": events(r)})).collect::<Vec<_>>(),
            },
        })),
    }
}

fn without_v(r: &AffectedRange) -> AffectedRange {
    let strip = |v: &str| {
        v.strip_prefix(['v', 'V'])
            .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(v)
            .to_string()
    };
    AffectedRange {
        introduced: strip(&r.introduced),
        fixed: r.fixed.as_deref().map(strip),
        last_affected: r.last_affected.as_deref().map(strip),
    }
}

fn reference_type(kind: ReferenceKind) -> &'static str {
    match kind {
        ReferenceKind::Advisory => "ADVISORY",
        ReferenceKind::Article => "ARTICLE",
        ReferenceKind::Report => "REPORT",
        ReferenceKind::Fix => "FIX",
        ReferenceKind::Package => "PACKAGE",
        ReferenceKind::Evidence => "EVIDENCE",
        ReferenceKind::Web => "WEB",
    }
}

/// OSV spells the shared credit types upper-case.
pub(crate) fn credit_type(kind: CreditKind) -> String {
    kind.as_str().to_ascii_uppercase()
}
