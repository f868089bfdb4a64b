//! The advisory as a GitHub repository security advisory: the body of
//! `POST /repos/{owner}/{repo}/security-advisories` and of its `PATCH` (GitHub's
//! `repository-advisory-create` and `-update` schemas, vendored in `vendor/github/`).
//!
//! Only the advisory's public fields go in (PROCESS.md: the draft on GitHub becomes public
//! on publication). What GitHub cannot carry is said in [`RepositoryAdvisory::notes`], so
//! the team sees it on the case instead of finding it missing after publication.

use embargo_core::{Advisory, CreditKind};
use serde_json::{Value, json};

use crate::package::Package;

/// GitHub's limits on the two texts (`maxLength` in the schema).
const SUMMARY_MAX: usize = 1024;
const DESCRIPTION_MAX: usize = 65_535;

/// The fields embargo keeps in sync on a draft.
#[derive(Debug, Clone, PartialEq)]
pub struct RepositoryAdvisory {
    /// The JSON object for the create or update call (no `state`, no collaborators).
    pub fields: Value,
    /// What was left out or changed to fit GitHub, one sentence each.
    pub notes: Vec<String>,
}

/// GitHub's ecosystem (`security-advisory-ecosystems`) for a purl type; `other` where
/// GitHub has none (conda, generic, a bare GitHub repository).
pub fn ecosystem_of(purl_type: &str) -> &'static str {
    match purl_type {
        "gem" => "rubygems",
        "npm" => "npm",
        "pypi" => "pip",
        "maven" => "maven",
        "nuget" => "nuget",
        "composer" => "composer",
        "golang" => "go",
        "cargo" => "rust",
        "hex" => "erlang",
        "githubactions" => "actions",
        "pub" => "pub",
        "swift" => "swift",
        _ => "other",
    }
}

/// The login in a credit's link when it is a GitHub profile (`https://github.com/LOGIN`).
/// GitHub credits name accounts, so other credits stay only in embargo's own exports.
pub fn github_login(link: Option<&str>) -> Option<String> {
    let rest = link?
        .trim()
        .strip_prefix("https://github.com/")?
        .trim_end_matches('/');
    let valid = !rest.is_empty()
        && rest.len() <= 39
        && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !rest.starts_with('-');
    valid.then(|| rest.to_string())
}

/// The advisory's public fields in GitHub's shape.
pub fn repository_advisory(advisory: &Advisory) -> RepositoryAdvisory {
    let mut notes = Vec::new();
    let summary = shorten(&advisory.title, SUMMARY_MAX, "title", &mut notes);
    let description = shorten(
        &description(advisory),
        DESCRIPTION_MAX,
        "description",
        &mut notes,
    );
    let mut fields = json!({
        "summary": summary,
        "description": description,
        "vulnerabilities": vulnerabilities(advisory, &mut notes),
        "cwe_ids": advisory.cwes.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "credits": credits(advisory, &mut notes),
    });
    // Absent rather than null: a CVE id GitHub assigned to the draft must not be cleared.
    if let Some(cve) = &advisory.cve {
        fields["cve_id"] = json!(cve.to_string());
    }
    // GitHub takes a vector or a severity, not both; the vector decides the severity.
    let vector = advisory.cvss_v3.as_ref().or(advisory.cvss_v4.as_ref());
    fields["cvss_vector_string"] = json!(vector);
    if advisory.cvss_v3.is_some() && advisory.cvss_v4.is_some() {
        notes.push(
            "GitHub's draft carries one CVSS vector: the CVSS 3.1 vector is sent, the 4.0 vector stays in embargo's exports".into(),
        );
    }
    RepositoryAdvisory { fields, notes }
}

/// GitHub has one text: the summary, the description, workarounds and references.
fn description(advisory: &Advisory) -> String {
    let mut out = String::new();
    for part in [advisory.summary.trim(), advisory.description.trim()] {
        if !part.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(part);
        }
    }
    if !advisory.workarounds.trim().is_empty() {
        out.push_str("\n\n### Workarounds\n\n");
        out.push_str(advisory.workarounds.trim());
    }
    if !advisory.references.is_empty() {
        out.push_str("\n\n### References\n");
        for r in &advisory.references {
            out.push_str(&format!("\n- {}", r.url));
        }
    }
    out
}

fn vulnerabilities(advisory: &Advisory, notes: &mut Vec<String>) -> Vec<Value> {
    let mut out = Vec::new();
    for affected in &advisory.affected {
        let package = match Package::parse(&affected.purl) {
            Ok(p) => p,
            Err(e) => {
                notes.push(format!("{}: {e}; not sent", affected.purl));
                continue;
            }
        };
        let ecosystem = ecosystem_of(&package.ty);
        if ecosystem == "other" {
            notes.push(format!(
                "GitHub has no {} ecosystem: {} is sent as \"other\"",
                package.ecosystem_label(),
                package.ecosystem_name()
            ));
        }
        let entry = |range: Option<String>, patched: Option<&str>| {
            json!({
                "package": {"ecosystem": ecosystem, "name": package.ecosystem_name()},
                "vulnerable_version_range": range,
                "patched_versions": patched,
            })
        };
        if affected.ranges.is_empty() {
            out.push(entry(None, None));
        }
        for range in &affected.ranges {
            let bounds: Vec<String> = range
                .bounds()
                .iter()
                .map(|(op, v)| format!("{op} {v}"))
                .collect();
            let text = (!bounds.is_empty()).then(|| bounds.join(", "));
            out.push(entry(text, range.fixed.as_deref()));
        }
    }
    out
}

fn credits(advisory: &Advisory, notes: &mut Vec<String>) -> Vec<Value> {
    let mut out = Vec::new();
    for credit in &advisory.credits {
        match github_login(credit.link.as_deref()) {
            Some(login) => out.push(json!({"login": login, "type": credit_type(credit.kind)})),
            None => notes.push(format!(
                "{} has no GitHub profile link: GitHub's draft does not credit them (embargo's advisory does)",
                credit.name
            )),
        }
    }
    out
}

/// GitHub's credit types are the CVE JSON 5 words embargo uses.
fn credit_type(kind: CreditKind) -> &'static str {
    kind.as_str()
}

fn shorten(text: &str, max: usize, what: &str, notes: &mut Vec<String>) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    notes.push(format!(
        "the {what} is longer than GitHub's {max} characters and is cut"
    ));
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use embargo_core::{Affected, AffectedRange, Credit, Reference, ReferenceKind};

    fn advisory() -> Advisory {
        Advisory {
            title: "Token leak in the log".into(),
            summary: "The bot logs its token.".into(),
            description: "When a build fails...".into(),
            cvss_v3: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into()),
            affected: vec![
                Affected {
                    purl: "pkg:pypi/conda-smithy".into(),
                    ranges: vec![AffectedRange {
                        introduced: "3.0".into(),
                        fixed: Some("3.4.1".into()),
                        last_affected: None,
                    }],
                },
                Affected {
                    purl: "pkg:conda/conda-smithy?channel=conda-forge".into(),
                    ranges: vec![AffectedRange {
                        introduced: "0".into(),
                        fixed: None,
                        last_affected: Some("3.4.0".into()),
                    }],
                },
            ],
            references: vec![Reference {
                kind: ReferenceKind::Fix,
                url: "https://github.com/conda-forge/conda-smithy/pull/1".into(),
            }],
            credits: vec![
                Credit {
                    name: "Ada".into(),
                    kind: CreditKind::Finder,
                    link: Some("https://github.com/ada-l".into()),
                },
                Credit {
                    name: "Bob".into(),
                    kind: CreditKind::Reporter,
                    link: None,
                },
            ],
            ..Advisory::default()
        }
    }

    #[test]
    fn public_fields_in_github_shape() {
        let out = repository_advisory(&advisory());
        let f = &out.fields;
        assert_eq!(f["summary"], "Token leak in the log");
        assert!(
            f["description"]
                .as_str()
                .unwrap()
                .starts_with("The bot logs its token.\n\nWhen a build fails")
        );
        assert!(
            f["description"]
                .as_str()
                .unwrap()
                .ends_with("- https://github.com/conda-forge/conda-smithy/pull/1")
        );
        assert_eq!(f["vulnerabilities"][0]["package"]["ecosystem"], "pip");
        assert_eq!(
            f["vulnerabilities"][0]["vulnerable_version_range"],
            ">= 3.0, < 3.4.1"
        );
        assert_eq!(f["vulnerabilities"][0]["patched_versions"], "3.4.1");
        assert_eq!(f["vulnerabilities"][1]["package"]["ecosystem"], "other");
        assert_eq!(
            f["vulnerabilities"][1]["vulnerable_version_range"],
            "<= 3.4.0"
        );
        assert_eq!(f["credits"], json!([{"login": "ada-l", "type": "finder"}]));
        assert!(
            f["cvss_vector_string"]
                .as_str()
                .unwrap()
                .starts_with("CVSS:3.1/")
        );
        assert!(f.get("severity").is_none());
        assert_eq!(out.notes.len(), 2, "{:?}", out.notes);
        assert!(out.notes.iter().any(|n| n.contains("Bob")));
        assert!(out.notes.iter().any(|n| n.contains("conda")));
    }

    #[test]
    fn only_github_profiles_are_logins() {
        assert_eq!(
            github_login(Some("https://github.com/a-b/")),
            Some("a-b".into())
        );
        assert_eq!(github_login(Some("https://github.com/a/b")), None);
        assert_eq!(github_login(Some("https://gitlab.com/a")), None);
        assert_eq!(github_login(None), None);
    }
}
