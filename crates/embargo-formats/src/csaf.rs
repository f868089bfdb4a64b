//! CSAF 2.0 `csaf_security_advisory` documents, and the files of the CSAF provider's
//! directory-based distribution (provider metadata, `index.txt`, `changes.csv`).
//!
//! CSAF 2.0 carries CVSS v2/v3 only (v4 arrives with CSAF 2.1): a CVSS 4.0 vector goes into
//! a note. It allows one CWE per vulnerability, named exactly as MITRE's list names it; the
//! first CWE with a known name is used and every CWE is listed in a note.

use embargo_core::{AffectedRange, Publication};
use serde_json::{Value, json};

use crate::Publisher;
use crate::osv::timestamp;
use crate::package::Package;

/// `example-2026-0001.json`: CSAF's file name rule (lower case, `+`, `-`, `a-z`, `0-9` and
/// `_` for anything else).
pub fn file_name(id: &str) -> String {
    let base: String = id
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '+' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{base}.json")
}

/// `2026/example-2026-0001.json`: under `white/`, by the year of first release.
pub fn path(p: &Publication) -> String {
    format!("{}/{}", p.timeline.published.year(), file_name(&p.id))
}

fn document_url(publisher: &Publisher, p: &Publication) -> String {
    format!("{}/.well-known/csaf/white/{}", publisher.base_url, path(p))
}

/// One product of the product tree, with its status.
struct Product {
    id: String,
    affected: bool,
}

/// The branches of one affected package, and its products.
fn package_branch(
    package_name: &str,
    vers_type: &str,
    purl: Option<&Package>,
    ranges: &[AffectedRange],
    next_id: &mut usize,
    products: &mut Vec<Product>,
    fixed_versions: &mut Vec<(String, String)>,
) -> Value {
    let mut leaves = Vec::new();
    for r in ranges {
        let vers = vers(vers_type, r);
        let id = product_id(next_id);
        let mut product = json!({"product_id": id, "name": format!("{package_name} {vers}")});
        if let Some(p) = purl {
            product["product_identification_helper"] = range_helper(p);
        }
        leaves.push(json!({
            "category": "product_version_range",
            "name": vers,
            "product": product,
        }));
        products.push(Product {
            id: id.clone(),
            affected: true,
        });
        if let Some(fixed) = &r.fixed
            && !fixed_versions.iter().any(|(_, v)| v == fixed)
        {
            let id = product_id(next_id);
            let mut product = json!({"product_id": id, "name": format!("{package_name} {fixed}")});
            if let Some(p) = purl {
                product["product_identification_helper"] = json!({"purl": p.with_version(fixed)});
            }
            leaves.push(json!({"category": "product_version", "name": fixed, "product": product}));
            products.push(Product {
                id: id.clone(),
                affected: false,
            });
            fixed_versions.push((id, fixed.clone()));
        }
    }
    json!({"category": "product_name", "name": package_name, "branches": leaves})
}

/// What identifies a range product. A range has no single version: the package's purl
/// identifies it, except where the purl spec requires a version (Swift): there the
/// package's repository URL, which is what a Swift package is named by.
fn range_helper(p: &Package) -> Value {
    if p.ty == "swift" {
        json!({"x_generic_uris": [{
            "namespace": "https://github.com/package-url/purl-spec/blob/main/types-doc/swift-definition.md",
            "uri": format!("https://{}", p.ecosystem_name()),
        }]})
    } else {
        json!({"purl": p.purl})
    }
}

fn product_id(next: &mut usize) -> String {
    *next += 1;
    format!("CSAFPID-{:04}", *next)
}

/// A range in the `vers` syntax (package-url/vers-spec): `vers:pypi/>=2.0.0|<2.1.1`.
pub fn vers(ty: &str, r: &AffectedRange) -> String {
    let constraints: Vec<String> = r
        .bounds()
        .iter()
        .map(|(op, v)| format!("{op}{v}"))
        .collect();
    if constraints.is_empty() {
        return format!("vers:{ty}/*");
    }
    format!("vers:{ty}/{}", constraints.join("|"))
}

/// The CSAF 2.0 document of a publication.
pub fn document(publisher: &Publisher, p: &Publication) -> Value {
    let a = &p.advisory;
    let mut next_id = 0;
    let mut products = Vec::new();
    let mut package_branches = Vec::new();
    let mut fixes: Vec<(Vec<String>, Vec<String>, String)> = Vec::new();
    for affected in &a.affected {
        let package = Package::parse(&affected.purl).ok();
        let (name, ty) = match &package {
            Some(k) => (
                format!("{} ({})", k.ecosystem_name(), k.ecosystem_label()),
                k.ty.clone(),
            ),
            None => (affected.purl.clone(), "generic".to_string()),
        };
        let first = products.len();
        let mut fixed_versions = Vec::new();
        package_branches.push(package_branch(
            &name,
            &ty,
            package.as_ref(),
            &affected.ranges,
            &mut next_id,
            &mut products,
            &mut fixed_versions,
        ));
        let affected_ids: Vec<String> = products[first..]
            .iter()
            .filter(|x| x.affected)
            .map(|x| x.id.clone())
            .collect();
        let versions: Vec<String> = fixed_versions.iter().map(|(_, v)| v.clone()).collect();
        if !versions.is_empty() {
            fixes.push((
                affected_ids,
                fixed_versions.into_iter().map(|(id, _)| id).collect(),
                format!("Upgrade {name} to {}.", versions.join(" or ")),
            ));
        }
    }
    if package_branches.is_empty() {
        // Disclosed without a drafted package list: the project as a whole.
        let name = p.project.clone().unwrap_or_else(|| publisher.name.clone());
        let id = product_id(&mut next_id);
        package_branches.push(json!({
            "category": "product_name",
            "name": name,
            "product": {"product_id": id, "name": name},
        }));
        products.push(Product { id, affected: true });
    }
    let known_affected: Vec<&str> = products
        .iter()
        .filter(|x| x.affected)
        .map(|x| x.id.as_str())
        .collect();
    let fixed: Vec<&str> = products
        .iter()
        .filter(|x| !x.affected)
        .map(|x| x.id.as_str())
        .collect();
    let mut status = json!({"known_affected": known_affected});
    if !fixed.is_empty() {
        status["fixed"] = json!(fixed);
    }

    let mut remediations = Vec::new();
    let mut covered: Vec<String> = Vec::new();
    for (affected_ids, _fixed_ids, details) in &fixes {
        remediations.push(json!({
            "category": "vendor_fix",
            "details": details,
            "product_ids": affected_ids,
            "url": publisher.advisory_url(&p.id),
        }));
        covered.extend(affected_ids.iter().cloned());
    }
    let unfixed: Vec<&str> = known_affected
        .iter()
        .copied()
        .filter(|id| !covered.iter().any(|c| c == id))
        .collect();
    if !unfixed.is_empty() {
        remediations.push(json!({
            "category": "none_available",
            "details": crate::text::NO_FIX_YET,
            "product_ids": unfixed,
        }));
    }
    if !a.workarounds.trim().is_empty() {
        remediations.push(json!({
            "category": "workaround",
            "details": a.workarounds.trim(),
            "product_ids": known_affected,
        }));
    }

    let mut vuln_notes = vec![json!({
        "category": "description",
        "title": "Description",
        "text": crate::text::details(p),
    })];
    if let Some(s) = a.cvss_v4.as_deref().and_then(|v| crate::cvss::v4(v).ok()) {
        vuln_notes.push(json!({
            "category": "other",
            "title": "CVSS 4.0",
            "text": format!("{} ({} {})", s.vector, s.score, s.severity),
        }));
    }
    if a.cwes.len() > 1 {
        let list: Vec<String> = a
            .cwes
            .iter()
            .map(|c| match crate::cwe::name(c) {
                Some(n) => format!("{c}: {n}"),
                None => c.to_string(),
            })
            .collect();
        vuln_notes
            .push(json!({"category": "other", "title": "Weaknesses", "text": list.join("\n")}));
    }
    let mut vulnerability = json!({
        "title": a.title,
        "notes": vuln_notes,
        "product_status": status,
        "remediations": remediations,
        "release_date": timestamp(p.published),
        "ids": [{"system_name": publisher.name, "text": p.id}],
    });
    if let Some(cve) = &a.cve {
        vulnerability["cve"] = json!(cve);
    }
    if let Some((id, name)) = a
        .cwes
        .iter()
        .find_map(|c| crate::cwe::name(c).map(|n| (c, n)))
    {
        vulnerability["cwe"] = json!({"id": id, "name": name});
    }
    if let Some(s) = a.cvss_v3.as_deref().and_then(|v| crate::cvss::v3(v).ok()) {
        vulnerability["scores"] = json!([{
            "products": known_affected,
            "cvss_v3": {
                "version": s.version,
                "vectorString": s.vector,
                "baseScore": s.score,
                "baseSeverity": s.severity,
            },
        }]);
    }
    if !a.references.is_empty() {
        vulnerability["references"] = Value::Array(
            a.references
                .iter()
                .map(|r| json!({"category": "external", "summary": r.kind.as_str(), "url": r.url}))
                .collect(),
        );
    }

    // The profile needs a summary-like note, and notes may not be empty: an advisory
    // without a summary (imported ones often) is summarized by its title.
    let summary = if a.summary.trim().is_empty() {
        a.title.trim()
    } else {
        a.summary.trim()
    };
    let mut doc_notes = vec![json!({"category": "summary", "title": "Summary", "text": summary})];
    // Only about our own advisories: an imported one's disclosure is not ours to describe.
    if !p.fix_available && !p.imported {
        doc_notes.push(json!({
            "category": "general",
            "title": "No fix yet",
            "text": format!("{} This advisory was published at the end of the disclosure period.", crate::text::NO_FIX_YET),
        }));
    }
    let mut document = json!({
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "title": a.title,
        "lang": "en",
        "publisher": {
            "category": "vendor",
            "name": publisher.name,
            "namespace": publisher.base_url,
        },
        "distribution": {"tlp": {"label": "WHITE"}},
        "notes": doc_notes,
        "references": [
            {"category": "self", "summary": "The advisory", "url": publisher.advisory_url(&p.id)},
            {"category": "self", "summary": "This document", "url": document_url(publisher, p)},
        ],
        "tracking": {
            "id": p.id,
            "status": "final",
            "version": p.revision.to_string(),
            "initial_release_date": timestamp(p.published),
            "current_release_date": timestamp(p.modified),
            "revision_history": revision_history(p),
            "generator": {"engine": {"name": "embargo", "version": env!("CARGO_PKG_VERSION")}},
        },
    });
    if !a.credits.is_empty() {
        document["acknowledgments"] = Value::Array(
            a.credits
                .iter()
                .map(|c| {
                    let mut ack = json!({"names": [c.name], "summary": c.kind.label()});
                    if let Some(l) = &c.link {
                        ack["urls"] = json!([l]);
                    }
                    ack
                })
                .collect(),
        );
    }
    json!({
        "document": document,
        "product_tree": {"branches": [{
            "category": "vendor",
            "name": publisher.name,
            "branches": package_branches,
        }]},
        "vulnerabilities": [vulnerability],
    })
}

fn revision_history(p: &Publication) -> Vec<Value> {
    (1..=p.revision.max(1))
        .map(|n| {
            let (date, summary) = if n == 1 {
                (p.published, "Initial public release.")
            } else {
                (p.modified, "Revised.")
            };
            json!({"number": n.to_string(), "date": timestamp(date), "summary": summary})
        })
        .collect()
}

/// `/.well-known/csaf/provider-metadata.json`.
pub fn provider_metadata(
    publisher: &Publisher,
    publications: &[Publication],
    now: jiff::Timestamp,
) -> Value {
    let last_updated = publications.iter().map(|p| p.modified).max().unwrap_or(now);
    json!({
        "canonical_url": format!("{}/.well-known/csaf/provider-metadata.json", publisher.base_url),
        "distributions": [{"directory_url": format!("{}/.well-known/csaf/white/", publisher.base_url)}],
        "last_updated": timestamp(last_updated),
        "list_on_CSAF_aggregators": true,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": true,
        "publisher": {
            "category": "vendor",
            "name": publisher.name,
            "namespace": publisher.base_url,
        },
        "role": "csaf_provider",
    })
}

/// `index.txt`: every document's path, one per line.
pub fn index_txt(publications: &[Publication]) -> String {
    let mut lines: Vec<String> = publications.iter().map(path).collect();
    lines.sort();
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// `changes.csv`: path and last change, newest first.
pub fn changes_csv(publications: &[Publication]) -> String {
    let mut rows: Vec<(jiff::Timestamp, String)> =
        publications.iter().map(|p| (p.modified, path(p))).collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    rows.iter()
        .map(|(t, path)| format!("\"{path}\",\"{}\"\n", timestamp(*t)))
        .collect()
}
