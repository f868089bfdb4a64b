//! Imports: advisories published elsewhere (OSV, GitHub's advisory JSON) read into the
//! model, so an installation's public history can start with what a project already
//! published.
//!
//! Everything read is checked the way a draft is: purls with [`Package::parse`], CVSS
//! vectors with [`crate::cvss`], CVE and CWE ids with the core parsers. A field the model
//! cannot hold, or a value that does not pass its check, is dropped and named in
//! [`Imported::notes`]; a document that cannot become an advisory at all (not JSON, neither
//! format, a required field missing, withdrawn) is an [`ImportError`].
//!
//! - [`osv`]: OSV documents, including the GitHub Advisory Database's files (OSV with
//!   GitHub's `database_specific`);
//! - [`ghsa`]: the advisory objects of GitHub's REST API (global and repository advisories);
//! - [`cve5`]: CVE JSON 5 records (the CVE List's, and the ones a CNA submits).

pub mod cve5;
pub mod ghsa;
pub mod osv;
mod repair;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use embargo_core::{Advisory, Affected, AffectedRange, PublicTimeline, Publication};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Map, Value};

use crate::Package;

/// One advisory read from a file, ready to store as a published advisory of the
/// installation's history.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub publication: Publication,
    /// The source's own id (GHSA-..., PYSEC-..., OSV id).
    pub source_id: String,
    /// Other ids (CVE, GHSA, ...) for search.
    pub aliases: Vec<String>,
    /// Fields the model cannot hold, dropped with a reason (e.g. "affected[2]: ecosystem
    /// Debian has no purl type we know").
    pub notes: Vec<String>,
}

/// Why a document could not be imported: a sentence naming the field and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError(pub String);

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ImportError {}

impl ImportError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Reads one JSON document, detecting the format: OSV (`id` + `modified`, or
/// `schema_version`; the GitHub Advisory Database's files are OSV), GitHub's REST
/// advisory object (`ghsa_id`) or a CVE record (`"dataType": "CVE_RECORD"`).
///
/// `now` stands in for dates the source does not know (golang/vulndb writes
/// `0001-01-01T00:00:00Z`), with a note saying so.
pub fn from_json(text: &str, now: Timestamp) -> Result<Imported, ImportError> {
    // Editors on Windows start UTF-8 files with a byte-order mark; JSON parsers do not.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ImportError::new(format!("The file is not valid JSON: {e}.")))?;
    let Value::Object(doc) = value else {
        return Err(ImportError::new(format!(
            "The document is a JSON {}, not an advisory object.",
            kind_of(&value)
        )));
    };
    let imported = if cve5::is_record(&doc) {
        cve5::read(&doc, now)
    } else if doc.contains_key("ghsa_id") {
        ghsa::read(&doc, now)
    } else if doc.contains_key("schema_version")
        || (doc.contains_key("id") && doc.contains_key("modified"))
    {
        osv::read(&doc, now)
    } else {
        Err(ImportError::new(
            "The document is neither OSV (no \"schema_version\", or \"id\" and \"modified\"), \
             GitHub advisory JSON (no \"ghsa_id\") nor a CVE record (no \"dataType\": \
             \"CVE_RECORD\").",
        ))
    }?;
    if !is_valid_id(&imported.source_id) {
        return Err(ImportError::new(format!(
            "The id {:?} is not an advisory id (letters, digits, '.', '_', ':' and '-', \
             not starting with a dot, at most 128 characters).",
            imported.source_id
        )));
    }
    Ok(imported)
}

/// An advisory id as OSV databases write them (`GHSA-xxxx-xxxx-xxxx`, `GO-2024-1234`,
/// `PYSEC-2021-1`, `RUSTSEC-2020-0001`, `DSA-4000-1:1`): ids become URL paths and file
/// names, so nothing else is accepted.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'))
}

/// The result of importing a directory.
#[derive(Debug)]
pub struct DirImport {
    pub imported: Vec<(PathBuf, Imported)>,
    pub failed: Vec<(PathBuf, ImportError)>,
}

/// A whole directory (recursively, `*.json` files, sorted by path): each file read with
/// [`from_json`]; bad files reported with their path and reason, the rest imported. The
/// callback is called after each file with (done, total) so a CLI can draw a progress bar.
/// A directory that cannot be listed is reported as a failure under its own path; symlinked
/// directories are not followed.
pub fn from_dir(dir: &Path, now: Timestamp, progress: &mut dyn FnMut(usize, usize)) -> DirImport {
    let mut result = DirImport {
        imported: Vec::new(),
        failed: Vec::new(),
    };
    let mut files = Vec::new();
    collect_json_files(dir, &mut files, &mut result.failed);
    files.sort();
    let total = files.len();
    for (i, path) in files.into_iter().enumerate() {
        let read = std::fs::read_to_string(&path)
            .map_err(|e| ImportError::new(format!("The file could not be read: {e}.")))
            .and_then(|text| from_json(&text, now));
        match read {
            Ok(imported) => result.imported.push((path, imported)),
            Err(e) => result.failed.push((path, e)),
        }
        progress(i + 1, total);
    }
    result
}

fn collect_json_files(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    failed: &mut Vec<(PathBuf, ImportError)>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            failed.push((
                dir.to_path_buf(),
                ImportError::new(format!("The directory could not be listed: {e}.")),
            ));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                failed.push((
                    dir.to_path_buf(),
                    ImportError::new(format!("The directory could not be listed: {e}.")),
                ));
                continue;
            }
        };
        let path = entry.path();
        // Symlinked directories are not followed (a link loop would never end); symlinked
        // files are read.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            collect_json_files(&path, files, failed);
        } else if path.is_file()
            && path
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
        {
            files.push(path);
        }
    }
}

// ---- shared by both formats ----

/// The JSON type of a value, for messages.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A string field that may be absent or null; empty strings count as absent.
fn opt_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A required, non-empty string field.
fn req_str<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    format: &str,
) -> Result<&'a str, ImportError> {
    match obj.get(key) {
        None | Some(Value::Null) => Err(ImportError::new(format!(
            "The {format} document has no \"{key}\"."
        ))),
        Some(Value::String(s)) if s.trim().is_empty() => Err(ImportError::new(format!(
            "The {format} document's \"{key}\" is empty."
        ))),
        Some(Value::String(s)) => Ok(s.trim()),
        Some(other) => Err(ImportError::new(format!(
            "The {format} document's \"{key}\" is a {}, not a string.",
            kind_of(other)
        ))),
    }
}

/// An array field; absent or null is empty, anything else a note and empty.
fn array<'a>(obj: &'a Map<String, Value>, key: &str, notes: &mut Vec<String>) -> &'a [Value] {
    match obj.get(key) {
        None | Some(Value::Null) => &[],
        Some(Value::Array(items)) => items,
        Some(other) => {
            notes.push(format!(
                "{key}: a {} where a list was expected, dropped",
                kind_of(other)
            ));
            &[]
        }
    }
}

/// An RFC 3339 timestamp field.
fn timestamp(
    obj: &Map<String, Value>,
    key: &str,
    format: &str,
) -> Result<Option<Timestamp>, ImportError> {
    let Some(s) = opt_str(obj, key) else {
        return Ok(None);
    };
    Timestamp::from_str(s).map(Some).map_err(|e| {
        ImportError::new(format!(
            "The {format} document's \"{key}\" ({s:?}) is not an RFC 3339 timestamp: {e}."
        ))
    })
}

/// A date the source knows: golang/vulndb writes `0001-01-01T00:00:00Z` for "not known",
/// and no advisory predates 1970.
fn known(t: Timestamp) -> Option<Timestamp> {
    (t.as_second() >= 0).then_some(t)
}

fn utc_date(ts: Timestamp) -> jiff::civil::Date {
    TimeZone::UTC.to_datetime(ts).date()
}

/// The ecosystems whose names we can turn into purls: (name as the source writes it, OSV's
/// name). OSV and GitHub's REST API spell them differently (GitHub's GraphQL API upper-cases
/// the REST names; names are compared ignoring case).
const ECOSYSTEMS: &[(&str, &str)] = &[
    // OSV
    ("PyPI", "PyPI"),
    ("npm", "npm"),
    ("crates.io", "crates.io"),
    ("GitHub Actions", "GitHub Actions"),
    ("RubyGems", "RubyGems"),
    ("Go", "Go"),
    ("Maven", "Maven"),
    ("NuGet", "NuGet"),
    ("Packagist", "Packagist"),
    ("Hex", "Hex"),
    ("Pub", "Pub"),
    ("SwiftURL", "SwiftURL"),
    // GitHub's REST API
    ("pip", "PyPI"),
    ("rust", "crates.io"),
    ("actions", "GitHub Actions"),
    ("rubygems", "RubyGems"),
    ("go", "Go"),
    ("maven", "Maven"),
    ("nuget", "NuGet"),
    ("composer", "Packagist"),
    ("erlang", "Hex"),
    ("swift", "SwiftURL"),
];

/// The purl of a package named by ecosystem and name, checked with [`Package::parse`].
fn purl_of(ecosystem: &str, name: &str) -> Result<String, String> {
    let ecosystem = ecosystem.trim();
    let Some((_, osv)) = ECOSYSTEMS
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ecosystem))
    else {
        return Err(format!("ecosystem {ecosystem} has no purl type we know"));
    };
    let name = name.trim();
    let name = if *osv == "PyPI" {
        pypi_normalize(name)
    } else {
        name.to_string()
    };
    let package = Package::from_ecosystem(osv, &name)
        .map_err(|e| format!("package {name:?} in {ecosystem}: {e}"))?;
    Package::parse(&package.purl).map(|p| p.purl)
}

/// A purl given by the source: the version (if any) removed, then checked.
fn checked_purl(purl: &str) -> Result<String, String> {
    let purl = purl.trim();
    // A version sits after the last '@' of the path (an npm scope's '@' is encoded as %40,
    // or comes right after the type's slash).
    let path_end = purl.find(['?', '#']).unwrap_or(purl.len());
    let (path, rest) = purl.split_at(path_end);
    let without_version = match path.rfind('@') {
        Some(at) if !path[..at].ends_with('/') => format!("{}{rest}", &path[..at]),
        _ => purl.to_string(),
    };
    Package::parse(&without_version).map(|p| p.purl)
}

/// PEP 503: lower-case, runs of `-`, `_`, `.` become one `-`.
fn pypi_normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.to_lowercase().chars() {
        let separator = matches!(c, '-' | '_' | '.');
        if !(separator && out.ends_with('-')) {
            out.push(if separator { '-' } else { c });
        }
    }
    out
}

/// Adds ranges to the package's entry, merging entries that name the same purl.
fn add_affected(affected: &mut Vec<Affected>, purl: String, ranges: Vec<AffectedRange>) {
    if let Some(existing) = affected.iter_mut().find(|a| a.purl == purl) {
        for range in ranges {
            if !existing.ranges.contains(&range) {
                existing.ranges.push(range);
            }
        }
    } else {
        affected.push(Affected { purl, ranges });
    }
}

/// Checks a CVSS vector of the given version (3 or 4); `None` with a note when invalid.
fn checked_cvss(vector: &str, version: u8, field: &str, notes: &mut Vec<String>) -> Option<String> {
    let vector = vector.trim();
    let checked = if version == 4 {
        crate::cvss::v4(vector)
    } else {
        crate::cvss::v3(vector)
    };
    match checked {
        Ok(_) => Some(vector.to_string()),
        Err(e) => {
            notes.push(format!("{field}: {e}; dropped"));
            None
        }
    }
}

/// Finishes an import: the title's fallback, the publication around the advisory.
fn finish(
    source_id: &str,
    mut advisory: Advisory,
    published: Timestamp,
    modified: Timestamp,
    aliases: Vec<String>,
    mut notes: Vec<String>,
) -> Imported {
    if advisory.title.trim().is_empty() {
        notes.push(format!(
            "title: the source has none; the id {source_id} is used"
        ));
        advisory.title = source_id.to_string();
    }
    // One bad value never refuses the advisory: it is repaired or dropped, and said so.
    notes.extend(repair::repair(&mut advisory));
    if modified < published {
        notes.push(format!(
            "modified: {modified} is before the publication; the publication time is used"
        ));
    }
    let modified = modified.max(published);
    let published_date = utc_date(published);
    let fix_available = advisory.fix_available();
    let mut unique_aliases: Vec<String> = Vec::new();
    for alias in aliases {
        let alias = alias.trim().to_string();
        if !alias.is_empty() && alias != source_id && !unique_aliases.contains(&alias) {
            unique_aliases.push(alias);
        }
    }
    Imported {
        publication: Publication {
            id: source_id.to_string(),
            advisory,
            published,
            modified,
            timeline: PublicTimeline {
                // The sources do not say when the issue was reported.
                reported: published_date,
                acknowledged: None,
                fixed: None,
                published: published_date,
            },
            fix_available,
            revision: 1,
            project: None,
            withdrawn: None,
            osv_source: None,
            cve_source: None,
            imported: true,
        },
        source_id: source_id.to_string(),
        aliases: unique_aliases,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_by_ecosystem() {
        assert_eq!(
            purl_of("PyPI", "Jupyter_Server").unwrap(),
            "pkg:pypi/jupyter-server"
        );
        assert_eq!(purl_of("pip", "Django").unwrap(), "pkg:pypi/django");
        assert_eq!(
            purl_of("npm", "@jupyterlab/services").unwrap(),
            "pkg:npm/%40jupyterlab/services"
        );
        assert_eq!(purl_of("rust", "tokio").unwrap(), "pkg:cargo/tokio");
        assert_eq!(purl_of("RUST", "tokio").unwrap(), "pkg:cargo/tokio");
        assert_eq!(
            purl_of("actions", "actions/checkout").unwrap(),
            "pkg:githubactions/actions/checkout"
        );
        assert_eq!(
            purl_of("composer", "laravel/framework").unwrap(),
            "pkg:composer/laravel/framework"
        );
        assert_eq!(purl_of("RubyGems", "rails").unwrap(), "pkg:gem/rails");
        assert_eq!(
            purl_of("nuget", "Newtonsoft.Json").unwrap(),
            "pkg:nuget/Newtonsoft.Json"
        );
        assert_eq!(
            purl_of("Maven", "org.apache.logging.log4j:log4j-core").unwrap(),
            "pkg:maven/org.apache.logging.log4j/log4j-core"
        );
        assert_eq!(
            purl_of("Go", "github.com/gin-gonic/gin").unwrap(),
            "pkg:golang/github.com/gin-gonic/gin"
        );
        assert!(
            purl_of("Debian:12", "openssl")
                .unwrap_err()
                .contains("Debian")
        );
    }

    #[test]
    fn given_purls_lose_their_version() {
        assert_eq!(
            checked_purl("pkg:pypi/requests@2.0").unwrap(),
            "pkg:pypi/requests"
        );
        assert_eq!(
            checked_purl("pkg:npm/%40scope/name@1.0.0").unwrap(),
            "pkg:npm/%40scope/name"
        );
        assert_eq!(checked_purl("pkg:cargo/serde").unwrap(), "pkg:cargo/serde");
    }
}
