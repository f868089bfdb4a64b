//! GitHub's errors as sentences for the team, from the status, GitHub's error document
//! (`{"message", "errors": [{"resource", "field", "code", "message"}], "documentation_url"}`)
//! and its headers. Tokens travel in a header and never appear here; neither does a body
//! embargo sent.

use jiff::Timestamp;
use serde_json::Value;

/// What kind of failure: decides whether a job tries again, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The token or the App's key is wrong, revoked or expired (401).
    Unauthorized,
    /// The credentials lack a permission (403); `permission` is what GitHub's
    /// `X-Accepted-GitHub-Permissions` header names, e.g. `security_advisories=write`.
    Forbidden { permission: Option<String> },
    /// No such repository or advisory, or not visible to these credentials (404: GitHub
    /// answers 404 for private things the credentials may not see).
    NotFound,
    /// GitHub refused the values (422, 400), with its field messages.
    Invalid,
    /// A rate limit: the primary one until `reset_at`, a secondary one for `retry_after`
    /// seconds.
    RateLimited {
        reset_at: Option<Timestamp>,
        retry_after_secs: Option<u64>,
    },
    /// GitHub is down or unreachable (5xx, timeouts, connection errors).
    Unavailable,
    /// GitHub answered something this client does not understand.
    Unexpected,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{sentence}")]
pub struct GitHubError {
    pub kind: ErrorKind,
    pub sentence: String,
}

/// The headers of an answer that matter for errors.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorHeaders {
    pub remaining: Option<u64>,
    pub reset: Option<i64>,
    pub retry_after: Option<u64>,
    pub accepted_permissions: Option<String>,
}

impl GitHubError {
    pub(crate) fn new(kind: ErrorKind, sentence: impl Into<String>) -> Self {
        Self {
            kind,
            sentence: sentence.into(),
        }
    }

    /// Whether trying again later may succeed by itself.
    pub fn is_temporary(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::RateLimited { .. } | ErrorKind::Unavailable
        )
    }

    /// How long to wait before the next try, when GitHub said (a rate limit).
    pub fn wait_secs(&self, now: Timestamp) -> Option<u64> {
        match &self.kind {
            ErrorKind::RateLimited {
                retry_after_secs: Some(s),
                ..
            } => Some(*s),
            ErrorKind::RateLimited {
                reset_at: Some(at), ..
            } => Some(u64::try_from(at.as_second() - now.as_second()).unwrap_or(0) + 1),
            _ => None,
        }
    }

    /// From an answer that is not a success. `doing` says what was asked ("opening a
    /// draft advisory in conda-forge/conda-smithy").
    pub(crate) fn from_answer(doing: &str, status: u16, body: &str, h: &ErrorHeaders) -> Self {
        let doc: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let message = doc["message"].as_str().map(single_line).unwrap_or_default();
        let fields = field_errors(&doc);
        let said = match (message.is_empty(), fields.is_empty()) {
            (true, true) => String::new(),
            (false, true) => format!(": {message}"),
            (true, false) => format!(": {fields}"),
            (false, false) => format!(": {message} ({fields})"),
        };
        // GitHub signals its primary limit with 403 or 429 and no requests left, a
        // secondary limit with Retry-After (or a message saying so).
        let rate_limited = matches!(status, 403 | 429)
            && (h.remaining == Some(0)
                || h.retry_after.is_some()
                || status == 429
                || message.to_lowercase().contains("rate limit"));
        let kind = match status {
            _ if rate_limited => ErrorKind::RateLimited {
                reset_at: if h.retry_after.is_none() {
                    h.reset.and_then(|s| Timestamp::from_second(s).ok())
                } else {
                    None
                },
                retry_after_secs: h.retry_after,
            },
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden {
                permission: h.accepted_permissions.clone().filter(|p| !p.is_empty()),
            },
            404 | 410 => ErrorKind::NotFound,
            400 | 409 | 422 => ErrorKind::Invalid,
            500..=599 => ErrorKind::Unavailable,
            _ => ErrorKind::Unexpected,
        };
        let sentence = match &kind {
            ErrorKind::Unauthorized => format!(
                "GitHub did not accept the credentials while {doing} (HTTP 401){said}: check the token or the App's id and private key in [github]"
            ),
            ErrorKind::Forbidden {
                permission: Some(p),
            } => format!(
                "GitHub refused {doing}: the credentials lack the permission {p} (HTTP 403){said}"
            ),
            ErrorKind::Forbidden { permission: None } => {
                format!("GitHub refused {doing} (HTTP 403){said}")
            }
            ErrorKind::NotFound => format!(
                "GitHub found nothing while {doing} (HTTP {status}): the repository or advisory does not exist, or the credentials may not see it"
            ),
            ErrorKind::RateLimited {
                retry_after_secs: Some(s),
                ..
            } => format!(
                "GitHub asked to slow down while {doing} (HTTP {status}, secondary rate limit); trying again in {s} s"
            ),
            ErrorKind::RateLimited {
                reset_at: Some(at), ..
            } => format!(
                "GitHub's rate limit is used up while {doing} (HTTP {status}); it resets at {at}"
            ),
            ErrorKind::RateLimited { .. } => {
                format!("GitHub's rate limit is used up while {doing} (HTTP {status})")
            }
            ErrorKind::Unavailable => {
                format!("GitHub is unavailable while {doing} (HTTP {status}){said}")
            }
            _ => format!("GitHub refused {doing} (HTTP {status}){said}"),
        };
        Self { kind, sentence }
    }
}

/// GitHub's validation errors: `field: message` (or `field code`), joined.
fn field_errors(doc: &Value) -> String {
    let Some(items) = doc["errors"].as_array() else {
        return String::new();
    };
    let parts: Vec<String> = items
        .iter()
        .take(5)
        .map(|e| match e {
            Value::String(s) => single_line(s),
            other => {
                let field = other["field"].as_str().unwrap_or("");
                let text = other["message"]
                    .as_str()
                    .map(single_line)
                    .or_else(|| other["code"].as_str().map(|c| format!("is {c}")))
                    .unwrap_or_default();
                format!("{field} {text}").trim().to_string()
            }
        })
        .filter(|s| !s.is_empty())
        .collect();
    parts.join("; ")
}

/// At most 300 characters on one line: an error lands in a sentence on the case.
fn single_line(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 300 {
        one.chars().take(300).collect::<String>() + "…"
    } else {
        one
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn validation_errors_name_the_fields() {
        let body = r#"{"message":"Validation Failed","errors":[{"resource":"RepositoryAdvisory","field":"collaborating_users","code":"invalid","message":"ghost is not a user"}]}"#;
        let e = GitHubError::from_answer("updating GHSA-x", 422, body, &ErrorHeaders::default());
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(
            e.sentence
                .contains("collaborating_users ghost is not a user"),
            "{}",
            e.sentence
        );
        assert!(!e.is_temporary());
    }

    #[test]
    fn a_missing_permission_is_named() {
        let h = ErrorHeaders {
            accepted_permissions: Some("security_advisories=write".into()),
            remaining: Some(4000),
            ..ErrorHeaders::default()
        };
        let e = GitHubError::from_answer(
            "opening a draft",
            403,
            r#"{"message":"Resource not accessible by integration"}"#,
            &h,
        );
        assert!(
            e.sentence.contains("security_advisories=write"),
            "{}",
            e.sentence
        );
    }

    #[test]
    fn rate_limits_say_when_to_try_again() {
        let now = Timestamp::from_second(1_000_000).unwrap();
        let primary = ErrorHeaders {
            remaining: Some(0),
            reset: Some(1_000_100),
            ..ErrorHeaders::default()
        };
        let e = GitHubError::from_answer(
            "x",
            403,
            r#"{"message":"API rate limit exceeded"}"#,
            &primary,
        );
        assert!(e.is_temporary());
        assert_eq!(e.wait_secs(now), Some(101));
        let secondary = ErrorHeaders {
            retry_after: Some(60),
            ..ErrorHeaders::default()
        };
        let e = GitHubError::from_answer("x", 429, "{}", &secondary);
        assert_eq!(e.wait_secs(now), Some(60));
    }
}
