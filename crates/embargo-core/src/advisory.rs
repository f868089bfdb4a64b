//! The advisory: the case's public text, drafted while the case is private and published as
//! is (PROCESS.md, Public and private). Every field here becomes public on publication, so
//! nothing private may ever be added to these types.
//!
//! Values the exports must understand (CVSS vectors, purls, versions) are kept as the team
//! typed them; `embargo-formats` parses and checks them, and a draft that does not pass its
//! check is not saved.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::values::{CveId, CweId};

/// The advisory's public fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Advisory {
    pub title: String,
    /// One or two sentences: feeds and indexes show it.
    pub summary: String,
    /// Markdown.
    pub description: String,
    /// Known before publication only to the team; public with the advisory.
    pub cve: Option<CveId>,
    /// CVSS 3.1 base (or full) vector, `CVSS:3.1/AV:N/...`.
    pub cvss_v3: Option<String>,
    /// CVSS 4.0 vector, `CVSS:4.0/AV:N/...`.
    pub cvss_v4: Option<String>,
    pub cwes: Vec<CweId>,
    pub affected: Vec<Affected>,
    /// Markdown; empty when there is none.
    pub workarounds: String,
    pub references: Vec<Reference>,
    pub credits: Vec<Credit>,
}

/// One affected package: a purl without a version, and the version ranges it is affected in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Affected {
    /// `pkg:pypi/jupyter-server`, `pkg:conda/conda-forge/...`, `pkg:npm/...`, ...
    pub purl: String,
    pub ranges: Vec<AffectedRange>,
}

/// Affected from `introduced` (inclusive; `"0"` means every earlier version) up to `fixed`
/// (exclusive) or up to and including `last_affected`; neither means no fix exists yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AffectedRange {
    pub introduced: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
}

impl AffectedRange {
    /// The range as comparison bounds: `(">=", introduced)` unless it is "0", then
    /// `("<", fixed)` or `("<=", last_affected)`. Empty means every version. Each format
    /// writes these its own way (`vers:`, the editor's lines, the public page).
    pub fn bounds(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::with_capacity(2);
        if self.introduced != "0" {
            out.push((">=", self.introduced.as_str()));
        }
        if let Some(f) = &self.fixed {
            out.push(("<", f.as_str()));
        }
        if let Some(l) = &self.last_affected {
            out.push(("<=", l.as_str()));
        }
        out
    }
}

impl Affected {
    /// The versions that fix this package (the patched versions), in range order.
    pub fn patched_versions(&self) -> impl Iterator<Item = &str> {
        self.ranges.iter().filter_map(|r| r.fixed.as_deref())
    }
}

impl Advisory {
    /// Whether every affected range has a fixed version.
    pub fn fix_available(&self) -> bool {
        !self.affected.is_empty()
            && self
                .affected
                .iter()
                .all(|a| !a.ranges.is_empty() && a.ranges.iter().all(|r| r.fixed.is_some()))
    }
}

/// A public link, typed as OSV types references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub kind: ReferenceKind,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    Advisory,
    Article,
    Report,
    Fix,
    Package,
    Evidence,
    Web,
}

impl ReferenceKind {
    pub const ALL: [Self; 7] = [
        Self::Advisory,
        Self::Article,
        Self::Report,
        Self::Fix,
        Self::Package,
        Self::Evidence,
        Self::Web,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Advisory => "advisory",
            Self::Article => "article",
            Self::Report => "report",
            Self::Fix => "fix",
            Self::Package => "package",
            Self::Evidence => "evidence",
            Self::Web => "web",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// A credit the person agreed to (reporters choose name, handle, link or anonymous; an
/// anonymous reporter gets no credit entry at all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Credit {
    pub name: String,
    pub kind: CreditKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// The credit types shared by OSV, CVE JSON 5 and CSAF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CreditKind {
    Finder,
    Reporter,
    Analyst,
    Coordinator,
    RemediationDeveloper,
    RemediationReviewer,
    RemediationVerifier,
    Tool,
    Sponsor,
    Other,
}

impl CreditKind {
    pub const ALL: [Self; 10] = [
        Self::Finder,
        Self::Reporter,
        Self::Analyst,
        Self::Coordinator,
        Self::RemediationDeveloper,
        Self::RemediationReviewer,
        Self::RemediationVerifier,
        Self::Tool,
        Self::Sponsor,
        Self::Other,
    ];

    /// snake_case, as CVE JSON 5 spells it (OSV uses the same words upper-cased).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Finder => "finder",
            Self::Reporter => "reporter",
            Self::Analyst => "analyst",
            Self::Coordinator => "coordinator",
            Self::RemediationDeveloper => "remediation_developer",
            Self::RemediationReviewer => "remediation_reviewer",
            Self::RemediationVerifier => "remediation_verifier",
            Self::Tool => "tool",
            Self::Sponsor => "sponsor",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Words for people: "remediation developer".
    pub fn label(self) -> String {
        self.as_str().replace('_', " ")
    }
}

/// A published advisory as it is public: what every page, feed and export is rendered
/// from, frozen at publication (and at each public revision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// The installation's advisory id, `PREFIX-YYYY-NNNN`.
    pub id: String,
    pub advisory: Advisory,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub published: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub modified: Timestamp,
    pub timeline: PublicTimeline,
    /// False when the advisory went public before a fix (the disclosure deadline).
    pub fix_available: bool,
    /// Revision number, 1 at first publication.
    pub revision: u32,
    /// The installation's project (scope) the advisory is about, when it came from a case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// When the advisory was withdrawn (an imported one whose database withdrew it): it
    /// stays readable, marked so, and no query matches it any more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub withdrawn: Option<Timestamp>,
    /// For an advisory imported from an OSV database: the document as that database
    /// published it (JSON). Its OSV export is this document, unchanged, so nothing the
    /// model cannot hold (GIT ranges, `versions`, `related`, `database_specific`...) is lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osv_source: Option<String>,
    /// For an advisory imported from a CVE record: the CNA container as the CNA published
    /// it (JSON). Its CVE export is this container, unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cve_source: Option<String>,
    /// Imported from another database: someone else's publication. Pages and exports make
    /// no claim about this organization's disclosure process for it (when it was reported,
    /// why it has no fix).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub imported: bool,
}

/// The public timeline: dates only, in UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublicTimeline {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub reported: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub acknowledged: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub fixed: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub published: Date,
}
