//! `embargo ingest-email`: one RFC 5322 message on standard input, as a mail server's pipe
//! delivery hands it (e.g. Postfix `security: "|embargo ingest-email"`). Exit codes are
//! sysexits.h, which mail servers act on: 75 makes them retry later (also for a broken
//! configuration or database: a report must wait, not bounce), 65 and 67 bounce.

use std::io::Read;

use embargo_app::{AppError, Filed, IncomingMail, Upload};
use embargo_store::OpenMode;
use serde_json::json;

use super::{load_config, open_app};
use crate::cli::{Cli, IngestArgs};
use crate::clock;
use crate::failure::Failure;
use crate::output::Output;

pub const EX_DATAERR: u8 = 65;
pub const EX_NOUSER: u8 = 67;
pub const EX_TEMPFAIL: u8 = 75;

pub async fn run(cli: &Cli, args: &IngestArgs) -> Result<Output, Failure> {
    let limits = embargo_mail::Limits::default();
    let mut raw = Vec::new();
    // Read one byte past the limit, to tell "too large" from "exactly the limit".
    std::io::stdin()
        .lock()
        .take(limits.max_message_bytes as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(|e| Failure::Mail(EX_TEMPFAIL, format!("cannot read the message: {e}")))?;
    let config = load_config(cli).map_err(|e| Failure::Mail(EX_TEMPFAIL, e.to_string()))?;
    let key = config
        .team_secret_key()
        .map_err(|e| Failure::Mail(EX_TEMPFAIL, e.to_string()))?;
    // Every refusal of the mail itself bounces (65) with its reason: too large, the decrypted
    // content over the plaintext budget (`max_plaintext_bytes`, shared by all encrypted
    // blocks), unreadable, or encrypted to another key. `is_temporary` decides, per variant.
    let mail = embargo_mail::parse(&raw, key.as_ref(), &limits).map_err(|e| {
        let code = if e.is_temporary() {
            EX_TEMPFAIL
        } else {
            EX_DATAERR
        };
        Failure::Mail(code, format!("message refused: {e}"))
    })?;
    let app = open_app(&config, OpenMode::MustExist)
        .await
        .map_err(|e| match e {
            Failure::Setup(m) => Failure::Mail(EX_TEMPFAIL, m),
            other => Failure::Mail(EX_TEMPFAIL, other.to_string()),
        })?;
    let project = match args.project.clone().or(config.intake.email_project.clone()) {
        Some(p) => p,
        None => {
            let projects = app
                .projects()
                .await
                .map_err(|e| Failure::Mail(EX_TEMPFAIL, e.to_string()))?;
            match projects.as_slice() {
                [only] => only.slug.to_string(),
                _ => {
                    return Err(Failure::Mail(
                        EX_TEMPFAIL,
                        "set [intake] email_project (or --project): this installation has several projects".into(),
                    ));
                }
            }
        }
    };
    let incoming = IncomingMail {
        from: mail.from.to_string(),
        from_name: mail.from_name,
        subject: mail.subject,
        text: mail.text,
        attachments: mail
            .attachments
            .into_iter()
            .map(|a| Upload {
                filename: a.filename,
                content_type: a.content_type,
                data: a.data,
            })
            .collect(),
        encrypted: mail.encrypted,
        reply_token: mail.reply_token,
    };
    let filed = app.file_email(incoming, &project, clock::now()).await;
    app.store().close().await;
    match filed {
        Ok(Filed::NewCase(s)) => Ok(Output::new(
            format!("filed as new case {} ({})", s.case_id.receipt(), s.case_id),
            json!({"filed": "new_case", "case_id": s.case_id}),
        )),
        Ok(Filed::Reply { case_id }) => Ok(Output::new(
            format!("filed as a reply on case {} ({case_id})", case_id.receipt()),
            json!({"filed": "reply", "case_id": case_id}),
        )),
        Err(AppError::NotFound) => Err(Failure::Mail(
            EX_NOUSER,
            "no case has this reply token".into(),
        )),
        // Over the case's quota for files: retrying will not help, so the mail bounces. (Too
        // many messages for now falls through to "try again later", which is the point.)
        Err(
            e @ (AppError::Invalid(_)
            | AppError::Rule { .. }
            | AppError::Forbidden(_)
            | AppError::TooLarge(_)),
        ) => Err(Failure::Mail(EX_DATAERR, format!("message refused: {e}"))),
        Err(e) => Err(Failure::Mail(EX_TEMPFAIL, format!("try again later: {e}"))),
    }
}
