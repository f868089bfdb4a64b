//! What embargo reads from GitHub's answers, typed; everything else is ignored.

use serde_json::Value;

/// A repository security advisory as GitHub holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteAdvisory {
    pub ghsa_id: String,
    pub html_url: String,
    /// `triage`, `draft`, `published`, `closed` or `withdrawn`.
    pub state: String,
    pub summary: String,
    pub cve_id: Option<String>,
    pub collaborating_users: Vec<String>,
    /// The temporary private fork's `owner/name`, once there is one.
    pub private_fork: Option<String>,
    pub published_at: Option<String>,
}

impl RemoteAdvisory {
    /// From GitHub's `repository-advisory` object (an answer, or a webhook's
    /// `repository_advisory`); `None` without a `ghsa_id`.
    pub fn from_json(v: &Value) -> Option<Self> {
        let text = |k: &str| v[k].as_str().map(str::to_string);
        Some(Self {
            ghsa_id: text("ghsa_id")?,
            html_url: text("html_url").unwrap_or_default(),
            state: text("state").unwrap_or_default(),
            summary: text("summary").unwrap_or_default(),
            cve_id: text("cve_id").filter(|c| !c.is_empty()),
            collaborating_users: logins(&v["collaborating_users"]),
            private_fork: v["private_fork"]["full_name"].as_str().map(str::to_string),
            published_at: text("published_at"),
        })
    }
}

/// A repository: a temporary private fork, or one embargo checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    pub full_name: String,
    pub html_url: String,
    pub private: bool,
    /// The token's role (`admin`, `maintain`, `push`, `triage`, `pull`): the highest
    /// GitHub says the credentials have; `None` for an App (its permissions are the
    /// installation's).
    pub role: Option<String>,
}

impl Repository {
    pub(crate) fn from_json(v: &Value) -> Option<Self> {
        let role = ["admin", "maintain", "push", "triage", "pull"]
            .into_iter()
            .find(|r| v["permissions"][*r].as_bool() == Some(true))
            .map(str::to_string);
        Some(Self {
            full_name: v["full_name"].as_str()?.to_string(),
            html_url: v["html_url"].as_str().unwrap_or_default().to_string(),
            private: v["private"].as_bool().unwrap_or(false),
            role,
        })
    }
}

/// An issue in the private tracking repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub number: u64,
    pub html_url: String,
    pub state: String,
    pub title: String,
}

impl Issue {
    pub(crate) fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            number: v["number"].as_u64()?,
            html_url: v["html_url"].as_str().unwrap_or_default().to_string(),
            state: v["state"].as_str().unwrap_or_default().to_string(),
            title: v["title"].as_str().unwrap_or_default().to_string(),
        })
    }
}

/// A pull request, for step 12 (whether the fix was merged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub html_url: String,
    pub title: String,
    pub merged_at: Option<String>,
    pub state: String,
}

impl PullRequest {
    pub(crate) fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            number: v["number"].as_u64()?,
            html_url: v["html_url"].as_str().unwrap_or_default().to_string(),
            title: v["title"].as_str().unwrap_or_default().to_string(),
            merged_at: v["merged_at"].as_str().map(str::to_string),
            state: v["state"].as_str().unwrap_or_default().to_string(),
        })
    }
}

/// What `embargo github check` prints for one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryAccess {
    pub repository: Repository,
    /// The installation's permissions (App), `name=level` each.
    pub permissions: Vec<String>,
    /// Whether the credentials may read the repository's security advisories.
    pub advisories_readable: bool,
}

fn logins(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|u| u["login"].as_str().or(u.as_str()).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
