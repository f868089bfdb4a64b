//! Files people send with a report or a message: checked against limits, names sanitized,
//! stored in the same transaction as what they came with.

use embargo_core::{Author, CaseId, MessageId, Private, ValueError, sanitize_filename};
use embargo_store::{NewAttachment, Tx};
use jiff::Timestamp;

use crate::App;
use crate::error::AppError;

/// A file as received.
#[derive(Clone)]
pub struct Upload {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Upload({} bytes)", self.data.len())
    }
}

/// Upload limits: generous for proofs of concept and logs, small enough that one report
/// cannot fill the disk.
pub const MAX_FILES: usize = 10;
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_TOTAL_BYTES: usize = 25 * 1024 * 1024;

/// What one case and one reporter may add over time (the limits above are per post).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseLimits {
    /// Every file on a case together (`[intake] attachment_quota_mib`, default 100 MiB).
    pub attachment_quota_bytes: i64,
    /// Messages a reporter posts on one case per hour, through the portal or by e-mail
    /// (`[intake] reporter_posts_per_hour`, default 30).
    pub reporter_posts_per_hour: i64,
}

impl Default for CaseLimits {
    fn default() -> Self {
        Self {
            attachment_quota_bytes: 100 * 1024 * 1024,
            reporter_posts_per_hour: 30,
        }
    }
}

fn mib(bytes: i64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

pub(crate) fn check_uploads(uploads: &[Upload]) -> Result<(), AppError> {
    let mut problems = Vec::new();
    if uploads.len() > MAX_FILES {
        problems.push(ValueError::new(
            "attachments",
            format!("at most {MAX_FILES} files"),
        ));
    }
    for u in uploads {
        if u.data.len() > MAX_FILE_BYTES {
            problems.push(ValueError::new(
                "attachments",
                format!(
                    "{} is larger than {} MiB",
                    sanitize_filename(&u.filename),
                    MAX_FILE_BYTES >> 20
                ),
            ));
        }
    }
    if uploads.iter().map(|u| u.data.len()).sum::<usize>() > MAX_TOTAL_BYTES {
        problems.push(ValueError::new(
            "attachments",
            format!("together larger than {} MiB", MAX_TOTAL_BYTES >> 20),
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(problems))
    }
}

/// A content type as a plain `type/subtype`, or `application/octet-stream`. Files are
/// always served for download, never rendered, whatever the type says.
fn clean_content_type(ct: &str) -> String {
    let t = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let ok = t.split_once('/').is_some_and(|(a, b)| {
        let part = |p: &str| {
            !p.is_empty()
                && p.len() <= 64
                && p.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(&c))
        };
        part(a) && part(b)
    });
    if ok {
        t
    } else {
        "application/octet-stream".to_string()
    }
}

impl App {
    pub(crate) async fn store_uploads(
        &self,
        tx: &mut Tx,
        case_id: CaseId,
        message_id: Option<MessageId>,
        author: Author,
        uploads: Vec<Upload>,
        now: Timestamp,
    ) -> Result<Vec<uuid::Uuid>, AppError> {
        let incoming: i64 = uploads
            .iter()
            .map(|u| i64::try_from(u.data.len()).unwrap_or(i64::MAX))
            .fold(0, i64::saturating_add);
        if incoming > 0 {
            let quota = self.limits.attachment_quota_bytes;
            let stored = tx.attachment_bytes(case_id).await?;
            if stored.saturating_add(incoming) > quota {
                return Err(AppError::TooLarge(format!(
                    "these files would take the case past its quota of {} MiB for files \
                     ({} MiB stored, {} MiB new); nothing was stored",
                    mib(quota),
                    mib(stored),
                    mib(incoming)
                )));
            }
        }
        let mut ids = Vec::with_capacity(uploads.len());
        for u in uploads {
            let id = uuid::Builder::from_random_bytes(self.random.bytes16()?).into_uuid();
            let attachment = NewAttachment {
                id,
                case_id,
                message_id,
                author,
                filename: sanitize_filename(&u.filename),
                content_type: clean_content_type(&u.content_type),
                data: Private::new(u.data),
            };
            tx.insert_attachment(&attachment, now).await?;
            ids.push(id);
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_plain() {
        assert_eq!(
            clean_content_type("Text/Plain; charset=utf-8"),
            "text/plain"
        );
        assert_eq!(
            clean_content_type("text/html\r\nX-Evil: 1"),
            "application/octet-stream"
        );
        assert_eq!(clean_content_type(""), "application/octet-stream");
    }
}
