//! What a reporter sends, and the messages on a case. All of it is private forever
//! (PROCESS.md), except the credit the reporter agrees to.

use serde::{Deserialize, Serialize};

use crate::error::ValueError;
use crate::ids::{CaseId, MessageId, UserId};
use crate::private::Private;
use crate::values::{Email, ProjectSlug, one_line};

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
        let need = |v: &str| one_line("credit", v, 200);
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
        let problems = text_problems(&TextFields {
            title: &self.title,
            description: &self.description,
            affected_versions: &self.affected_versions,
            reproduction: &self.reproduction,
            impact: &self.impact,
            reporter_name: &self.reporter_name,
            openpgp_key: self.openpgp_key.as_deref(),
        });
        if problems.is_empty() {
            let title = self.title.trim().to_string();
            Ok(Self { title, ..self })
        } else {
            Err(problems)
        }
    }
}

struct TextFields<'a> {
    title: &'a str,
    description: &'a str,
    affected_versions: &'a str,
    reproduction: &'a str,
    impact: &'a str,
    reporter_name: &'a str,
    openpgp_key: Option<&'a str>,
}

fn text_problems(f: &TextFields<'_>) -> Vec<ValueError> {
    let mut problems = Vec::new();
    if let Err(e) = one_line("title", f.title, ReportContent::MAX_TITLE) {
        problems.push(e);
    }
    if f.description.trim().is_empty() {
        problems.push(ValueError::new("description", "is required"));
    }
    for (what, text) in [
        ("description", f.description),
        ("affected versions", f.affected_versions),
        ("reproduction", f.reproduction),
        ("impact", f.impact),
    ] {
        if text.len() > ReportContent::MAX_TEXT {
            problems.push(ValueError::new(
                what,
                format!("is longer than {} bytes", ReportContent::MAX_TEXT),
            ));
        }
    }
    // The name is optional (anonymous reports), but it goes into mail headers.
    if !f.reporter_name.trim().is_empty()
        && let Err(e) = one_line("name", f.reporter_name, 200)
    {
        problems.push(e);
    }
    if let Some(key) = f.openpgp_key
        && !key.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    {
        problems.push(ValueError::new(
            "OpenPGP key",
            "must be an ASCII-armored public key block",
        ));
    }
    problems
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

/// A report as typed into a form or an API call: strings, checked together by
/// [`RawReport::check`] so that a form can show every problem at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RawReport {
    /// A project slug of the installation's scope.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub project: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub title: String,
    /// Markdown.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub description: String,
    pub affected_versions: String,
    pub reproduction: String,
    pub impact: String,
    pub already_public: bool,
    pub exploited: bool,
    pub reporter_name: String,
    /// An e-mail address for answers and a new portal link; empty for none.
    pub reporter_email: String,
    /// `name`, `handle`, `link` or `anonymous`.
    pub credit_kind: String,
    pub credit_value: String,
    /// ASCII-armored public key: mail to the reporter is then encrypted.
    pub openpgp_key: String,
}

impl RawReport {
    pub fn check(self) -> Result<ReportContent, Vec<ValueError>> {
        let mut problems = Vec::new();
        let project = ProjectSlug::parse(&self.project)
            .map_err(|_| {
                problems.push(ValueError::new(
                    "project",
                    "choose one of the projects listed",
                ))
            })
            .ok();
        let email = self.reporter_email.trim();
        let reporter_email = if email.is_empty() {
            None
        } else {
            Email::parse(email).map_err(|e| problems.push(e)).ok()
        };
        let credit_kind =
            if self.credit_kind.trim().is_empty() && !self.reporter_name.trim().is_empty() {
                "name"
            } else {
                self.credit_kind.trim()
            };
        let credit_value = if credit_kind == "name" && self.credit_value.trim().is_empty() {
            self.reporter_name.trim()
        } else {
            self.credit_value.trim()
        };
        // "By name" is the form's default: with no name given at all, there is nothing to
        // credit, which is what anonymity means; refusing the report would lose it.
        let credit_kind = if credit_kind == "name" && credit_value.is_empty() {
            "anonymous"
        } else {
            credit_kind
        };
        let credit = CreditPreference::from_parts(credit_kind, credit_value)
            .map_err(|e| problems.push(e))
            .ok();
        let key = self.openpgp_key.trim();
        let openpgp_key = (!key.is_empty()).then(|| key.to_string());
        problems.extend(text_problems(&TextFields {
            title: &self.title,
            description: &self.description,
            affected_versions: &self.affected_versions,
            reproduction: &self.reproduction,
            impact: &self.impact,
            reporter_name: self.reporter_name.trim(),
            openpgp_key: openpgp_key.as_deref(),
        }));
        match (project, credit) {
            (Some(project), Some(credit)) if problems.is_empty() => Ok(ReportContent {
                project,
                title: self.title.trim().to_string(),
                description: self.description,
                affected_versions: self.affected_versions,
                reproduction: self.reproduction,
                impact: self.impact,
                already_public: self.already_public,
                exploited: self.exploited,
                reporter_name: self.reporter_name.trim().to_string(),
                reporter_email,
                credit,
                openpgp_key,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawReport {
        RawReport {
            project: "infra".into(),
            title: "XSS in docs search".into(),
            description: "Type <script> in the box.".into(),
            reporter_name: "Rita".into(),
            reporter_email: "rita@example.org".into(),
            ..RawReport::default()
        }
    }

    #[test]
    fn a_name_is_the_default_credit() {
        let c = raw().check().unwrap();
        assert_eq!(c.credit, CreditPreference::Name("Rita".into()));
        let anon = RawReport {
            reporter_name: String::new(),
            ..raw()
        }
        .check()
        .unwrap();
        assert_eq!(anon.credit, CreditPreference::Anonymous);
    }

    /// A name with a line break once reached a mail header and killed the job runner; it
    /// is refused with the field named, whatever the credit choice.
    #[test]
    fn single_line_fields_refuse_line_breaks_and_control_characters() {
        for kind in ["handle", "anonymous", "name", "link"] {
            for hostile in [
                "Rita\nBcc: x@example.net",
                "Ri\rta",
                "Ri\u{0}ta",
                "Ri\u{2028}ta",
            ] {
                let value = if kind == "link" {
                    "https://example.net/rita"
                } else {
                    "rita"
                };
                let problems = RawReport {
                    reporter_name: hostile.into(),
                    credit_kind: kind.into(),
                    credit_value: value.into(),
                    ..raw()
                }
                .check()
                .unwrap_err();
                assert!(
                    problems.iter().any(|p| p.what == "name"),
                    "{kind} {hostile:?}: {problems:?}"
                );
            }
        }
        let problems = RawReport {
            title: "Two\nlines".into(),
            credit_kind: "handle".into(),
            credit_value: "ri\nta".into(),
            ..raw()
        }
        .check()
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.what).collect();
        assert_eq!(fields, ["credit", "title"]);
        assert_eq!(
            crate::values::one_line("fork", "org/\tfork", 300)
                .unwrap_err()
                .what,
            "fork"
        );
        assert_eq!(
            crate::values::one_line("fork", " org/fork ", 300).unwrap(),
            "org/fork"
        );
    }

    #[test]
    fn name_credit_without_a_name_is_anonymous() {
        let unnamed = RawReport {
            reporter_name: String::new(),
            credit_kind: "name".into(),
            ..raw()
        };
        assert_eq!(unnamed.check().unwrap().credit, CreditPreference::Anonymous);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = RawReport {
            project: "No Such".into(),
            title: String::new(),
            reporter_email: "nope".into(),
            credit_kind: "link".into(),
            credit_value: "javascript:alert(1)".into(),
            ..raw()
        };
        let problems: Vec<String> = bad
            .check()
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("project")));
        assert!(problems.iter().any(|p| p.starts_with("e-mail address")));
        assert!(problems.iter().any(|p| p.contains("https://")));
        assert!(problems.iter().any(|p| p == "title is required"));
    }
}
