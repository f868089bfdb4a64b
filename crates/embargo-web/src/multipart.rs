//! Reading posted forms: multipart (with files) or URL-encoded, with limits and a clear
//! error for anything malformed or not UTF-8.

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use embargo_app::{AppError, MAX_FILE_BYTES, MAX_FILES, Upload};
use embargo_core::ValueError;

use crate::WebState;

/// The largest text field we read (descriptions are limited to 100 kB by the domain).
const MAX_FIELD_BYTES: usize = 256 * 1024;

#[derive(Debug, Default)]
pub struct Posted {
    pub fields: HashMap<String, String>,
    pub files: Vec<Upload>,
}

impl Posted {
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    pub fn flag(&self, name: &str) -> bool {
        self.fields
            .get(name)
            .is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
    }
}

fn invalid(what: &'static str, why: impl Into<String>) -> AppError {
    AppError::invalid(ValueError::new(what, why))
}

pub fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

pub fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Reads a form posted either way; files come from the multipart field `file_field`.
pub async fn read_form(
    req: Request,
    state: &WebState,
    file_field: &str,
) -> Result<Posted, AppError> {
    if is_multipart(&req) {
        let mp = Multipart::from_request(req, state)
            .await
            .map_err(|e| invalid("form", format!("is malformed: {}", e.body_text())))?;
        return read_multipart(mp, file_field).await;
    }
    let bytes = axum::body::Bytes::from_request(req, state)
        .await
        .map_err(|e| invalid("form", format!("could not be read: {}", e.body_text())))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| invalid("form", "is not valid UTF-8"))?;
    let mut fields = HashMap::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| -> Result<String, AppError> {
            let spaced = s.replace('+', " ");
            percent_decode(&spaced).ok_or_else(|| invalid("form", "is not valid UTF-8"))
        };
        fields.insert(decode(k)?, decode(v)?);
    }
    Ok(Posted {
        fields,
        files: Vec::new(),
    })
}

/// `%XX` decoding into UTF-8; `None` when the result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

pub async fn read_multipart(mut mp: Multipart, file_field: &str) -> Result<Posted, AppError> {
    let mut posted = Posted::default();
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            invalid(
                "attachments",
                format!(
                    "together must be at most {} MiB",
                    embargo_app::MAX_TOTAL_BYTES >> 20
                ),
            )
        } else {
            invalid("form", format!("is malformed: {}", e.body_text()))
        }
    };
    while let Some(mut field) = mp.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_string();
        if name == file_field {
            let filename = field.file_name().unwrap_or("").to_string();
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let mut data = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                if data.len() + chunk.len() > MAX_FILE_BYTES {
                    return Err(invalid(
                        "attachments",
                        format!("each file must be at most {} MiB", MAX_FILE_BYTES >> 20),
                    ));
                }
                data.extend_from_slice(&chunk);
            }
            // An empty file input still sends a part with no name and no bytes.
            if filename.is_empty() && data.is_empty() {
                continue;
            }
            if posted.files.len() == MAX_FILES {
                return Err(invalid("attachments", format!("at most {MAX_FILES} files")));
            }
            posted.files.push(Upload {
                filename,
                content_type,
                data,
            });
        } else {
            let mut data = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                if data.len() + chunk.len() > MAX_FIELD_BYTES {
                    return Err(AppError::Invalid(vec![ValueError::new(
                        "form",
                        format!("field {name} is too long"),
                    )]));
                }
                data.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(data).map_err(|_| {
                AppError::Invalid(vec![ValueError::new(
                    "form",
                    format!("field {name} is not valid UTF-8"),
                )])
            })?;
            posted.fields.insert(name, text);
        }
    }
    Ok(posted)
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%C3%A9").as_deref(), Some("a bé"));
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(percent_decode("%FF"), None);
    }
}
