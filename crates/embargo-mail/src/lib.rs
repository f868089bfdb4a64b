//! embargo's incoming e-mail: one raw RFC 5322 message (what a mail server's pipe delivery
//! hands to `embargo ingest-email` on standard input) becomes a checked, structured
//! [`Incoming`] report or reply, PGP/MIME-encrypted mail (RFC 3156) included; and mail to a
//! reporter who gave a public key can be encrypted with [`encrypt_for`].
//!
//! Pure like embargo-core: no database, no network, no clock. The only outside input is the
//! operating system's randomness, which encryption needs.
//!
//! ```no_run
//! # fn run(raw: &[u8], armored_key: &str) -> Result<(), embargo_mail::MailError> {
//! let key = embargo_mail::TeamKey::from_armored(armored_key, Some("passphrase"))?;
//! let mail = embargo_mail::parse(raw, Some(&key), &embargo_mail::Limits::default())?;
//! match &mail.reply_token {
//!     Some(token) => { /* a reply: append to the case the token belongs to */ }
//!     None => { /* a new report from mail.from */ }
//! }
//! # Ok(()) }
//! ```

mod decrypt;
mod error;
mod filename;
mod html;
mod key;
mod parse;
mod parts;
pub mod token;

use embargo_core::Email;

pub use error::MailError;
pub use filename::sanitize_filename;
pub use key::{TeamKey, check_public_key, encrypt_for};
pub use parse::parse;

/// Size bounds checked while reading a mail. A mail over them is refused whole (the sender
/// gets a bounce that says which limit), never silently truncated: a report missing the
/// attachment with the proof is worse than a clear "too large".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The raw message.
    pub max_message_bytes: usize,
    /// What the message's encrypted content decrypts to, all of it together: one budget for
    /// the PGP/MIME part and every inline OpenPGP block, each decrypted into what is left of
    /// it (so a mail of many small compressed blocks cannot add up to gigabytes). Going over
    /// it refuses the mail with [`MailError::PlaintextBudgetExceeded`].
    pub max_plaintext_bytes: usize,
    pub max_attachments: usize,
    /// Each attachment, decoded.
    pub max_attachment_bytes: usize,
}

impl Default for Limits {
    /// 25 MiB per message (the common mail server default) and 25 MiB of decrypted content
    /// in all, 20 attachments, 10 MiB each.
    fn default() -> Self {
        Self {
            max_message_bytes: 25 * 1024 * 1024,
            max_plaintext_bytes: 25 * 1024 * 1024,
            max_attachments: 20,
            max_attachment_bytes: 10 * 1024 * 1024,
        }
    }
}

/// One incoming mail, read and checked: a new report, or a reply when `reply_token` is set.
///
/// `Debug` leaves out the subject, the text and the token: a report is private until
/// published, and a debug log line is not the place it leaks from.
#[derive(Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The From: address: the author as shown to the reader and as DMARC aligns it. Reply-To:
    /// does not replace it, because anyone can set Reply-To: to anyone.
    pub from: Email,
    /// The From: display name, if any, on one line.
    pub from_name: Option<String>,
    /// The first valid Reply-To: address, if the sender asked for answers elsewhere; the app
    /// decides whether to honour it.
    pub reply_to: Option<Email>,
    /// The subject on one line; for encrypted mail, the protected subject from inside when
    /// the sender hid the real one (Thunderbird sends "..." outside).
    pub subject: String,
    /// Message-ID: without angle brackets.
    pub message_id: Option<String>,
    /// The body as plain text with `\n` line ends: text/plain when there is one, else the
    /// HTML rendered as text; for encrypted mail, the decrypted body.
    pub text: String,
    /// Every attachment, those inside the encrypted part included, in message order.
    pub attachments: Vec<Attachment>,
    /// Whether the content arrived encrypted (PGP/MIME, or inline OpenPGP in the text).
    pub encrypted: bool,
    /// The case token from a `+token` recipient address or a `[embargo:token]` subject tag;
    /// see [`token`].
    pub reply_token: Option<String>,
}

impl std::fmt::Debug for Incoming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Incoming")
            .field("from", &self.from)
            .field("from_name", &self.from_name)
            .field("reply_to", &self.reply_to)
            .field("subject", &format_args!("<{} bytes>", self.subject.len()))
            .field("message_id", &self.message_id)
            .field("text", &format_args!("<{} bytes>", self.text.len()))
            .field("attachments", &self.attachments)
            .field("encrypted", &self.encrypted)
            .field("reply_token", &self.reply_token.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// A file attached to a mail.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The sender's name for it, through [`sanitize_filename`].
    pub filename: String,
    /// `type/subtype` in lower case, as the sender declared it (not trusted: never serve an
    /// attachment inline under this type).
    pub content_type: String,
    /// The decoded bytes, exactly as the sender attached them.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    /// Without the bytes, which are large and may be private.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("len", &self.data.len())
            .finish()
    }
}
