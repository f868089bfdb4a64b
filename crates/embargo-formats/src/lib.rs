//! Publication formats, pure: a published advisory in, documents out (ARCHITECTURE.md).
//!
//! - [`check()`]: whether an advisory can be exported validly, field by field;
//! - [`osv`], [`cve5`], [`csaf`], [`atom`]: the exports;
//! - [`import`]: OSV and GitHub advisory JSON into advisories;
//! - [`github`]: the advisory as a GitHub repository security advisory draft;
//! - [`cvss`], [`package`], [`versions`]: the values the exports must understand.

pub mod atom;
pub mod check;
pub mod csaf;
pub mod cve5;
pub mod cvss;
pub mod cwe;
pub mod diff;
pub mod git_ranges;
pub mod github;
pub mod import;
pub mod osv;
pub mod osv_match;
pub mod package;
#[cfg(feature = "samples")]
pub mod samples;
pub mod text;
pub mod versions;

pub use check::{Problem, check};
pub use package::Package;

/// Who publishes: the installation's name and addresses, used by every export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    /// The organization, e.g. "Example Org".
    pub name: String,
    /// Base URL of the public site, without a trailing slash: `https://security.example.org`.
    pub base_url: String,
    /// The CVE program's id of the organization as a CNA (a UUID), when it is one.
    pub cna_org_id: Option<String>,
    /// The CNA's short name, e.g. "example".
    pub cna_short_name: Option<String>,
}

impl Publisher {
    /// The public page of an advisory.
    pub fn advisory_url(&self, id: &str) -> String {
        format!("{}/advisories/{id}", self.base_url)
    }
}
