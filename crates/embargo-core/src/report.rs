//! What a reporter sends, and the messages on a case. All of it is private forever
//! (PROCESS.md), except the credit the reporter agrees to.

use serde::{Deserialize, Serialize};

use crate::error::ValueError;
use crate::ids::{CaseId, MessageId, UserId};
use crate::private::Private;
use crate::values::{Email, ProjectSlug};

/// How a report reached the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Api,
    Email,
    Forge,
    Cli,
}

impl Channel {
    pub fn name(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Api => "api",
            Channel::Email => "email",
            Channel::Forge => "forge",
            Channel::Cli => "cli",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValueError> {
        Ok(match s {
            "web" => Channel::Web,
            "api" => Channel::Api,
            "email" => Channel::Email,
            "forge" => Channel::Forge,
            "cli" => Channel::Cli,
            _ => return Err(ValueError::new("channel", format!("{s:?} is unknown"))),
        })
    }
}

/// How the reporter wants to be credited on the advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum CreditPreference {
    Name(String),
    Handle(String),
    Link(String),
    Anonymous,
}

impl CreditPreference {
    pub fn kind(&self) -> &'static str {
        match self {
            CreditPreference::Name(_) => "name",
            CreditPreference::Handle(_) => "handle",
            CreditPreference::Link(_) => "link",
            CreditPreference::Anonymous => "anonymous",
        }
    }

    pub fn value(&self) -> &str {
        match self {
            CreditPreference::Name(v) | CreditPreference::Handle(v) | CreditPreference::Link(v) => {
                v
            }
            CreditPreference::Anonymous => "",
        }
    }

    pub fn from_parts(kind: &str, value: &str) -> Result<Self, ValueError> {
        let value = value.trim();
        let need = |v: &str| {
            if v.is_empty() || v.chars().count() > 200 || v.chars().any(char::is_control) {
                Err(ValueError::new(
                    "credit",
                    "needs 1-200 characters without control characters",
                ))
            } else {
                Ok(v.to_string())
            }
        };
        Ok(match kind {
            "name" => CreditPreference::Name(need(value)?),
            "handle" => CreditPreference::Handle(need(value)?),
            "link" => {
                if !(value.starts_with("https://") || value.starts_with("http://")) {
                    return Err(ValueError::new(
                        "credit",
                        "link must start with https:// or http://",
                    ));
                }
                CreditPreference::Link(need(value)?)
            }
            "anonymous" | "" => CreditPreference::Anonymous,
            other => {
                return Err(ValueError::new(
                    "credit",
                    format!("{other:?} is not name, handle, link or anonymous"),
                ));
            }
        })
    }
}

/// The content of a report, checked. Limits keep a single report from filling the disk
/// while leaving room for long write-ups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportContent {
    pub project: ProjectSlug,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub affected_versions: String,
    pub reproduction: String,
    pub impact: String,
    pub already_public: bool,
    pub exploited: bool,
    pub reporter_name: String,
    pub reporter_email: Option<Email>,
    pub credit: CreditPreference,
    pub openpgp_key: Option<String>,
}

impl ReportContent {
    pub const MAX_TITLE: usize = 200;
    pub const MAX_TEXT: usize = 100_000;

    /// Checks every field, returning all problems at once (a form shows them together).
    pub fn check(self) -> Result<Self, Vec<ValueError>> {
        let mut problems = Vec::new();
        let title = self.title.trim();
        if title.is_empty() {
            problems.push(ValueError::new("title", "is required"));
        } else if title.chars().count() > Self::MAX_TITLE || title.chars().any(char::is_control) {
            problems.push(ValueError::new(
                "title",
                "must be at most 200 characters on one line",
            ));
        }
        if self.description.trim().is_empty() {
            problems.push(ValueError::new("description", "is required"));
        }
        for (what, text) in [
            ("description", &self.description),
            ("affected versions", &self.affected_versions),
            ("reproduction", &self.reproduction),
            ("impact", &self.impact),
        ] {
            if text.len() > Self::MAX_TEXT {
                problems.push(ValueError::new(
                    what,
                    format!("is longer than {} bytes", Self::MAX_TEXT),
                ));
            }
        }
        if self.reporter_name.chars().count() > 200 {
            problems.push(ValueError::new("name", "must be at most 200 characters"));
        }
        if let Some(key) = &self.openpgp_key
            && !key.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----")
        {
            problems.push(ValueError::new(
                "OpenPGP key",
                "must be an ASCII-armored public key block",
            ));
        }
        if problems.is_empty() {
            Ok(Self {
                title: title.to_string(),
                ..self
            })
        } else {
            Err(problems)
        }
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Reporter,
    User(UserId),
    System,
}

/// Who may read a message: the thread with the reporter, or the team only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Reporter,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub case_id: CaseId,
    pub author: Author,
    pub visibility: Visibility,
    pub notice: Option<String>,
    pub body: Private<String>,
    pub created_at: jiff::Timestamp,
}
