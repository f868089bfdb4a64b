//! Whether an advisory can be exported validly, field by field (issue: "an advisory that
//! cannot be exported validly cannot be published: the preview shows what to fix").
//!
//! Two levels: [`check`] finds values no export could carry (a CVSS vector that does not
//! parse, a range that does not order); a draft with such problems is not saved.
//! [`publishable`] adds what a publication needs (a title, a summary, a package).

use embargo_core::Advisory;
use serde::Serialize;

use crate::package::Package;
use crate::versions;

/// One thing to fix, named by the editor's field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `title`, `cvss_v3`, `affected[1].ranges[0]`, ...
    pub field: String,
    pub message: String,
}

impl Problem {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Problems that make the advisory impossible to export, whatever else it lacks.
pub fn check(a: &Advisory) -> Vec<Problem> {
    let mut problems = Vec::new();
    if a.title.chars().count() > 256 {
        problems.push(Problem::new("title", "is longer than 256 characters"));
    }
    // Titles and credited names become mail subjects, feed titles and CSAF/CVE fields
    // that are single-line.
    if a.title.chars().any(embargo_core::is_line_breaking) {
        problems.push(Problem::new(
            "title",
            "must be on one line, without control characters",
        ));
    }
    if let Some(v) = &a.cvss_v3
        && let Err(e) = crate::cvss::v3(v)
    {
        problems.push(Problem::new("cvss_v3", e));
    }
    if let Some(v) = &a.cvss_v4
        && let Err(e) = crate::cvss::v4(v)
    {
        problems.push(Problem::new("cvss_v4", e));
    }
    let mut purls = std::collections::BTreeSet::new();
    for (i, affected) in a.affected.iter().enumerate() {
        let field = format!("affected[{i}]");
        let package = match Package::parse(&affected.purl) {
            Ok(p) => p,
            Err(e) => {
                problems.push(Problem::new(format!("{field}.purl"), e));
                continue;
            }
        };
        if !purls.insert(package.purl.clone()) {
            problems.push(Problem::new(
                format!("{field}.purl"),
                format!("{} is listed twice", package.purl),
            ));
        }
        if affected.ranges.is_empty() {
            problems.push(Problem::new(
                format!("{field}.ranges"),
                "needs at least one affected range (introduced \"0\" for every version up to the fix)",
            ));
        }
        for (j, range) in affected.ranges.iter().enumerate() {
            if let Err(e) = versions::check_range(package.scheme(), range) {
                problems.push(Problem::new(format!("{field}.ranges[{j}]"), e.to_string()));
            }
        }
    }
    for (i, r) in a.references.iter().enumerate() {
        if !is_web_url(&r.url) {
            problems.push(Problem::new(
                format!("references[{i}]"),
                format!("{:?} is not an http(s) URL", r.url),
            ));
        }
    }
    for (i, c) in a.credits.iter().enumerate() {
        if c.name.trim().is_empty() {
            problems.push(Problem::new(format!("credits[{i}].name"), "is empty"));
        } else if c.name.chars().any(embargo_core::is_line_breaking) {
            problems.push(Problem::new(
                format!("credits[{i}].name"),
                "must be on one line, without control characters",
            ));
        }
        if let Some(link) = &c.link
            && !is_web_url(link)
            && !link.starts_with("mailto:")
        {
            problems.push(Problem::new(
                format!("credits[{i}].link"),
                format!("{link:?} is not an http(s) or mailto: link"),
            ));
        }
    }
    problems
}

/// [`check`] plus what every publication needs.
pub fn publishable(a: &Advisory) -> Vec<Problem> {
    let mut problems = Vec::new();
    if a.title.trim().is_empty() {
        problems.push(Problem::new("title", "is empty"));
    }
    if a.summary.trim().is_empty() {
        problems.push(Problem::new("summary", "is empty"));
    }
    if a.description.trim().is_empty() {
        problems.push(Problem::new("description", "is empty"));
    }
    if a.affected.is_empty() {
        problems.push(Problem::new(
            "affected",
            "names no package: add at least one purl with its affected versions",
        ));
    }
    problems.extend(check(a));
    problems
}

pub(crate) fn is_web_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}
