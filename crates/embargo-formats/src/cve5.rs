//! CVE JSON 5.1 (CVE Record Format 5.1.1): the CNA container that CVE Services' `PUT
//! /cve/{id}/cna` takes, and the full published record around it.

use embargo_core::{AffectedRange, CreditKind, Publication};
use serde_json::{Value, json};

use crate::Publisher;
use crate::osv::timestamp;
use crate::package::Package;

pub const DATA_VERSION: &str = "5.1";

/// The CNA's published container for a publication. The organization id is required by
/// the format: without a configured CNA id, the all-zero UUID stands in (CVE Services
/// replaces `providerMetadata` on submission anyway).
pub fn cna_container(publisher: &Publisher, p: &Publication) -> Value {
    // An advisory imported from a CVE record: the CNA's own container, unchanged.
    if let Some(kept) = p
        .cve_source
        .as_deref()
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
    {
        return kept;
    }
    let a = &p.advisory;
    let org_id = publisher
        .cna_org_id
        .clone()
        .unwrap_or_else(|| "00000000-0000-4000-8000-000000000000".to_string());
    let mut provider = json!({"orgId": org_id});
    if let Some(short) = &publisher.cna_short_name {
        provider["shortName"] = json!(short);
    }
    let mut cna = serde_json::Map::new();
    cna.insert("providerMetadata".into(), provider);
    cna.insert("title".into(), json!(truncate(&a.title, 256)));
    cna.insert(
        "descriptions".into(),
        json!([{"lang": "en", "value": truncate(&crate::text::details(p), 4096)}]),
    );
    cna.insert("datePublic".into(), json!(timestamp(p.published)));
    let mut products: Vec<Value> = a
        .affected
        .iter()
        .filter_map(|x| affected(publisher, &x.purl, &x.ranges))
        .collect();
    if products.is_empty() {
        // Disclosed before packages were drafted: the project, every version.
        products.push(json!({
            "vendor": publisher.name,
            "product": p.project.clone().unwrap_or_else(|| publisher.name.clone()),
            "defaultStatus": "affected",
        }));
    }
    cna.insert("affected".into(), Value::Array(products));
    if !a.cwes.is_empty() {
        let descriptions: Vec<Value> = a
            .cwes
            .iter()
            .map(|c| json!({"lang": "en", "type": "CWE", "cweId": c, "description": c}))
            .collect();
        cna.insert(
            "problemTypes".into(),
            json!([{"descriptions": descriptions}]),
        );
    }
    let mut metrics = Vec::new();
    if let Some(s) = a.cvss_v4.as_deref().and_then(|v| crate::cvss::v4(v).ok()) {
        metrics.push(json!({"format": "CVSS", "scenarios": [{"lang": "en", "value": "GENERAL"}],
            "cvssV4_0": {"version": "4.0", "vectorString": s.vector, "baseScore": s.score, "baseSeverity": s.severity}}));
    }
    if let Some(s) = a.cvss_v3.as_deref().and_then(|v| crate::cvss::v3(v).ok()) {
        // Each minor version under its own key: a 3.0 vector is no cvssV3_1.
        let key = if s.version == "3.0" {
            "cvssV3_0"
        } else {
            "cvssV3_1"
        };
        let mut metric =
            json!({"format": "CVSS", "scenarios": [{"lang": "en", "value": "GENERAL"}]});
        metric[key] = json!({"version": s.version, "vectorString": s.vector, "baseScore": s.score, "baseSeverity": s.severity});
        metrics.push(metric);
    }
    if !metrics.is_empty() {
        cna.insert("metrics".into(), Value::Array(metrics));
    }
    if !a.workarounds.trim().is_empty() {
        cna.insert(
            "workarounds".into(),
            json!([{"lang": "en", "value": truncate(a.workarounds.trim(), 4096)}]),
        );
    }
    let mut references =
        vec![json!({"url": publisher.advisory_url(&p.id), "tags": ["vendor-advisory"]})];
    references.extend(a.references.iter().map(|r| {
        let tag = match r.kind {
            embargo_core::ReferenceKind::Advisory => "vendor-advisory",
            embargo_core::ReferenceKind::Fix => "patch",
            embargo_core::ReferenceKind::Package => "product",
            embargo_core::ReferenceKind::Report => "issue-tracking",
            embargo_core::ReferenceKind::Evidence => "exploit",
            embargo_core::ReferenceKind::Article => "technical-description",
            embargo_core::ReferenceKind::Web => "related",
        };
        json!({"url": r.url, "tags": [tag]})
    }));
    dedup_urls(&mut references);
    cna.insert("references".into(), Value::Array(references));
    if !a.credits.is_empty() {
        let credits = a
            .credits
            .iter()
            .map(|c| json!({"lang": "en", "value": c.name, "type": credit_type(c.kind)}));
        cna.insert("credits".into(), Value::Array(credits.collect()));
    }
    // An imported advisory's history is its source's: only its publication is known.
    let mut timeline = Vec::new();
    if !p.imported {
        timeline.push(json!({"time": day_start(p.timeline.reported), "lang": "en", "value": "Reported to the maintainers"}));
        if let Some(fixed) = p.timeline.fixed {
            timeline.push(json!({"time": day_start(fixed), "lang": "en", "value": "Fix released"}));
        }
    }
    timeline
        .push(json!({"time": timestamp(p.published), "lang": "en", "value": "Advisory published"}));
    cna.insert("timeline".into(), Value::Array(timeline));
    cna.insert(
        "source".into(),
        json!({"discovery": if a.credits.iter().any(|c| matches!(c.kind, CreditKind::Finder | CreditKind::Reporter)) { "EXTERNAL" } else { "UNKNOWN" }}),
    );
    Value::Object(cna)
}

/// The full CVE record, when the advisory has a CVE id and the installation is a CNA.
pub fn record(publisher: &Publisher, p: &Publication) -> Option<Value> {
    let cve = p.advisory.cve.as_ref()?;
    let org_id = publisher.cna_org_id.as_ref()?;
    let mut meta = json!({
        "cveId": cve,
        "assignerOrgId": org_id,
        "state": "PUBLISHED",
        "datePublished": timestamp(p.published),
        "dateUpdated": timestamp(p.modified),
    });
    if let Some(short) = &publisher.cna_short_name {
        meta["assignerShortName"] = json!(short);
    }
    Some(json!({
        "dataType": "CVE_RECORD",
        "dataVersion": DATA_VERSION,
        "cveMetadata": meta,
        "containers": {"cna": cna_container(publisher, p)},
    }))
}

fn affected(publisher: &Publisher, purl: &str, ranges: &[AffectedRange]) -> Option<Value> {
    let package = Package::parse(purl).ok()?;
    let version_type = package.scheme().name();
    let versions: Vec<Value> = ranges
        .iter()
        .map(|r| {
            let mut v =
                json!({"version": r.introduced, "status": "affected", "versionType": version_type});
            match (&r.fixed, &r.last_affected) {
                (Some(fixed), _) => v["lessThan"] = json!(fixed),
                (None, Some(last)) => v["lessThanOrEqual"] = json!(last),
                // No fix: every version from `introduced` on ("*", the format's "arbitrarily large").
                (None, None) => v["lessThan"] = json!("*"),
            }
            v
        })
        .collect();
    let mut product = json!({
        "vendor": package.namespace.clone().unwrap_or_else(|| publisher.name.clone()),
        "product": package.ecosystem_name(),
        "packageName": package.ecosystem_name(),
        "defaultStatus": "unaffected",
        "versions": versions,
    });
    if let Some(url) = collection_url(&package) {
        product["collectionURL"] = json!(url);
    }
    Some(product)
}

/// The package collections of CVE's format (`collectionURL`), by purl type: the first URL
/// of a type is the one exports write, the others are read too. GitHub's URL is written for
/// Actions but never read as a package (in CVE records it names repositories).
pub(crate) const COLLECTIONS: &[(&str, &str)] = &[
    ("pypi", "https://pypi.python.org"),
    ("pypi", "https://pypi.org"),
    ("npm", "https://registry.npmjs.org"),
    ("npm", "https://www.npmjs.com"),
    ("cargo", "https://crates.io"),
    ("conda", "https://anaconda.org"),
    ("githubactions", "https://github.com"),
    ("github", "https://github.com"),
    ("gem", "https://rubygems.org"),
    ("golang", "https://golang.org/pkg"),
    ("golang", "https://pkg.go.dev"),
    ("golang", "https://proxy.golang.org"),
    ("maven", "https://repo.maven.apache.org/maven2"),
    ("maven", "https://repo1.maven.org/maven2"),
    ("nuget", "https://nuget.org/packages"),
    ("nuget", "https://www.nuget.org/packages"),
    ("composer", "https://packagist.org"),
    ("hex", "https://repo.hex.pm"),
    ("hex", "https://hex.pm"),
    ("pub", "https://pub.dev"),
];

/// The collection URL exports write for a package.
fn collection_url(package: &Package) -> Option<&'static str> {
    COLLECTIONS
        .iter()
        .find(|(ty, _)| *ty == package.ty)
        .map(|(_, url)| *url)
}

/// CVE JSON spells the shared credit types with spaces.
fn credit_type(kind: CreditKind) -> String {
    kind.label()
}

fn day_start(d: jiff::civil::Date) -> String {
    format!("{d}T00:00:00Z")
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// The format wants unique items: a reference equal to the advisory page is listed once.
fn dedup_urls(references: &mut Vec<Value>) {
    let mut seen = std::collections::BTreeSet::new();
    references.retain(|r| seen.insert(r["url"].as_str().unwrap_or_default().to_string()));
}
