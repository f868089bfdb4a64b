//! Building messages: plain text with an HTML alternative (multipart/alternative), or
//! PGP/MIME-encrypted (RFC 3156) plain text for recipients who gave a key. An encrypted
//! message's subject says nothing about the report.

use lettre::Message;
use lettre::message::header::{ContentDisposition, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};

/// One mail to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub to: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub subject: String,
    pub body: String,
    /// Encrypt to this ASCII-armored public key.
    pub encrypt_to: Option<String>,
    /// A stable Message-ID (from the job), so a delivery repeated after a crash is the
    /// same message to the recipient's client.
    pub message_id: String,
}

pub fn build(from: &Mailbox, mail: Outgoing) -> Result<Message, String> {
    let mut builder = Message::builder()
        .from(from.clone())
        .to(mail.to.clone())
        .message_id(Some(mail.message_id.clone()));
    if let Some(r) = &mail.reply_to {
        builder = builder.reply_to(r.clone());
    }
    let result = match &mail.encrypt_to {
        None => {
            let html = crate::html::render(&mail.body);
            builder
                .subject(mail.subject)
                .multipart(MultiPart::alternative_plain_html(mail.body, html))
        }
        Some(key) => {
            let armored = embargo_mail::encrypt_for(key, &mail.body)
                .map_err(|e| format!("encryption: {e}"))?;
            let control = SinglePart::builder()
                .header(ContentType::parse("application/pgp-encrypted").map_err(|e| e.to_string())?)
                .body(String::from("Version: 1\r\n"));
            let payload = SinglePart::builder()
                .header(
                    ContentType::parse("application/octet-stream; name=\"encrypted.asc\"")
                        .map_err(|e| e.to_string())?,
                )
                .header(ContentDisposition::inline_with_name("encrypted.asc"))
                .body(armored);
            builder.subject("Encrypted message").multipart(
                MultiPart::encrypted("application/pgp-encrypted".to_string())
                    .singlepart(control)
                    .singlepart(payload),
            )
        }
    };
    result.map_err(|e| format!("building the message: {e}"))
}
