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

/// Builds the message. Never panics: lettre's header formatting panics on a display name
/// with a line break, so every name and the subject are made single-line here, whatever
/// the caller passed (a name stored before names were checked, an organization's name from
/// the configuration).
pub fn build(from: &Mailbox, mail: Outgoing) -> Result<Message, String> {
    let mut builder = Message::builder()
        .from(single_line_mailbox(from))
        .to(single_line_mailbox(&mail.to))
        .message_id(Some(single_line(&mail.message_id)));
    if let Some(r) = &mail.reply_to {
        builder = builder.reply_to(single_line_mailbox(r));
    }
    let subject = single_line(&mail.subject);
    let result = match &mail.encrypt_to {
        None => {
            let html = crate::html::render(&mail.body);
            builder
                .subject(subject)
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

/// `text` on one line: control characters (line breaks among them) and Unicode line and
/// paragraph separators become spaces, runs of spaces one space.
pub fn single_line(text: &str) -> String {
    text.split(|c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The mailbox with its display name made single-line (dropped if nothing is left).
fn single_line_mailbox(m: &Mailbox) -> Mailbox {
    let name = m.name.as_deref().map(single_line).filter(|n| !n.is_empty());
    Mailbox::new(name, m.email.clone())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;

    fn mail(name: &str, subject: &str) -> Outgoing {
        Outgoing {
            to: Mailbox::new(Some(name.into()), "rita@example.org".parse().unwrap()),
            reply_to: Some(Mailbox::new(
                Some(format!("{name} security")),
                "security@example.org".parse().unwrap(),
            )),
            subject: subject.into(),
            body: "Hello".into(),
            encrypt_to: None,
            message_id: "<job-1@example.org>".into(),
        }
    }

    /// A display name or subject with a line break made lettre panic, which killed the
    /// job runner (issue: two anonymous requests stopped every clock).
    #[test]
    fn names_and_subjects_with_line_breaks_build_a_message_with_one_line_headers() {
        let from: Mailbox = "Example <security@example.org>".parse().unwrap();
        for hostile in [
            "Rita\nBcc: victim@example.net",
            "Rita\r\nX-Injected: 1",
            "Rita\0Nul",
            "Rita\u{2028}Separator",
            "\n\r\t",
        ] {
            let message = build(&from, mail(hostile, hostile)).unwrap();
            let text = String::from_utf8(message.formatted()).unwrap();
            let headers = text.split("\r\n\r\n").next().unwrap();
            for line in headers.split("\r\n") {
                assert!(
                    !line.starts_with("Bcc:") && !line.starts_with("X-Injected:"),
                    "a header was injected: {headers}"
                );
                assert!(
                    !line.contains('\n') && !line.contains('\r') && !line.contains('\0'),
                    "{line:?}"
                );
            }
        }
    }

    #[test]
    fn single_line_keeps_words_and_drops_breaks() {
        assert_eq!(single_line(" Rita\n\n Example\tOrg "), "Rita Example Org");
        assert_eq!(single_line("\u{2029}"), "");
    }
}
