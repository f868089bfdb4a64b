//! An imported advisory is never refused for one bad value: each value the checks of
//! `crate::check` would refuse is repaired or dropped here, with a note naming it, and the
//! rest is kept (the whole OSV document is kept besides, see `Publication::osv_source`).

use embargo_core::{Advisory, is_line_breaking};

use crate::Package;
use crate::versions;

/// The longest title the exports carry (CVE JSON 5 and CSAF limit it).
const MAX_TITLE: usize = 256;

/// Makes `a` pass `crate::check`; returns a note per change.
pub(crate) fn repair(a: &mut Advisory) -> Vec<String> {
    let mut notes = Vec::new();
    if a.title.chars().any(is_line_breaking) {
        a.title = one_line(&a.title);
        notes.push("title: line breaks replaced by spaces".to_string());
    }
    if a.title.chars().count() > MAX_TITLE {
        let mut short: String = a.title.chars().take(MAX_TITLE - 1).collect();
        short.push('…');
        notes.push(format!(
            "title: {} characters, shortened to {MAX_TITLE} (the full text stays in the details)",
            a.title.chars().count()
        ));
        if !a.description.contains(a.title.as_str()) {
            a.description = format!("{}\n\n{}", a.title, a.description);
        }
        a.title = short;
    }
    if let Some(v) = a.cvss_v3.take() {
        match crate::cvss::v3(&v) {
            Ok(_) => a.cvss_v3 = Some(v),
            Err(e) => notes.push(format!("severity (CVSS 3): {e}; dropped")),
        }
    }
    if let Some(v) = a.cvss_v4.take() {
        match crate::cvss::v4(&v) {
            Ok(_) => a.cvss_v4 = Some(v),
            Err(e) => notes.push(format!("severity (CVSS 4): {e}; dropped")),
        }
    }
    repair_affected(a, &mut notes);
    let before = a.references.len();
    a.references.retain(|r| crate::check::is_web_url(&r.url));
    if a.references.len() < before {
        notes.push(format!(
            "references: {} not http(s) URLs dropped",
            before - a.references.len()
        ));
    }
    for c in &mut a.credits {
        if c.name.chars().any(is_line_breaking) {
            c.name = one_line(&c.name);
            notes.push("credits: line breaks in a name replaced by spaces".to_string());
        }
        if let Some(link) = &c.link
            && !crate::check::is_web_url(link)
            && !link.starts_with("mailto:")
        {
            notes.push(format!(
                "credits: the link {link:?} is not http(s) or mailto:; dropped"
            ));
            c.link = None;
        }
    }
    let before = a.credits.len();
    a.credits.retain(|c| !c.name.trim().is_empty());
    if a.credits.len() < before {
        notes.push("credits: entries without a name dropped".to_string());
    }
    notes
}

/// Packages: unreadable purls dropped, the same purl listed twice merged, ranges that no
/// scheme can order dropped (a package left with none is dropped too: it would claim
/// "every version").
fn repair_affected(a: &mut Advisory, notes: &mut Vec<String>) {
    let mut kept: Vec<embargo_core::Affected> = Vec::new();
    for mut affected in std::mem::take(&mut a.affected) {
        let package = match Package::parse(&affected.purl) {
            Ok(p) => p,
            Err(e) => {
                notes.push(format!("affected: {e}; dropped"));
                continue;
            }
        };
        let scheme = package.scheme();
        let before = affected.ranges.len();
        affected
            .ranges
            .retain(|r| match versions::check_range(scheme, r) {
                Ok(()) => true,
                Err(e) => {
                    notes.push(format!(
                        "affected {}: {e}; this range dropped",
                        package.purl
                    ));
                    false
                }
            });
        if affected.ranges.is_empty() {
            if before == 0 {
                notes.push(format!(
                    "affected {}: no version range the model can hold (e.g. only a list of versions, or GIT commits); kept in the OSV document only",
                    package.purl
                ));
            } else {
                notes.push(format!(
                    "affected {}: no range left; kept in the OSV document only",
                    package.purl
                ));
            }
            continue;
        }
        match kept
            .iter_mut()
            .find(|k| Package::parse(&k.purl).is_ok_and(|p| p.purl == package.purl))
        {
            Some(same) => {
                notes.push(format!(
                    "affected {}: listed twice; the ranges are merged",
                    package.purl
                ));
                for r in affected.ranges {
                    if !same.ranges.contains(&r) {
                        same.ranges.push(r);
                    }
                }
            }
            None => kept.push(affected),
        }
    }
    a.affected = kept;
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if is_line_breaking(c) { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
