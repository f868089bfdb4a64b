//! One raw mail in, one checked [`Incoming`] out.

use embargo_core::Email;
use mail_parser::{Address, HeaderValue, Message, MessageParser, MimeHeaders};

use crate::decrypt::{PlaintextBudget, decrypt};
use crate::error::MailError;
use crate::key::TeamKey;
use crate::parts::{self, Content, normalize_newlines, one_line, push_normalized};
use crate::{Attachment, Incoming, Limits, token};

const BEGIN_PGP: &str = "-----BEGIN PGP MESSAGE-----";
const END_PGP: &str = "-----END PGP MESSAGE-----";

/// Parses one raw RFC 5322 mail, as a mail server's pipe delivery hands it over.
///
/// - The sender is the From: address (the one a reader sees and DMARC checks), validated as
///   an [`Email`]; Reply-To: is only reported beside it, in [`Incoming::reply_to`].
/// - PGP/MIME (RFC 3156) is decrypted with `key`; the text, the attachments and a protected
///   subject (Thunderbird's default) then come from inside. Mail encrypted to another key, or
///   with no key configured, is refused with a message that says so.
/// - Everything decrypted, the PGP/MIME part and all inline blocks together, shares one
///   budget, [`Limits::max_plaintext_bytes`]; each block is read only up to what is left of
///   it, and going over it refuses the mail with [`MailError::PlaintextBudgetExceeded`].
/// - Inline `-----BEGIN PGP MESSAGE-----` blocks in the text are decrypted in place. Quoted
///   blocks (`> -----BEGIN ...`, a reply quoting mail the desk sent encrypted to the
///   reporter) and blocks that are not encrypted OpenPGP at all (a proof of concept about
///   some OpenPGP software, say) are left as text.
/// - Broken MIME is read as far as it goes: mail-parser recovers what it can, and charsets are
///   decoded lossily, so a bad byte becomes U+FFFD rather than an error.
pub fn parse(raw: &[u8], key: Option<&TeamKey>, limits: &Limits) -> Result<Incoming, MailError> {
    if raw.len() > limits.max_message_bytes {
        return Err(MailError::TooLarge {
            what: "message",
            size: raw.len(),
            limit: limits.max_message_bytes,
        });
    }
    let parser = MessageParser::default();
    // The MIME parser is third-party code fed by strangers: should it panic (our fuzzing
    // found a nested boundary that is a prefix of its parent's tripping an assertion of
    // mail-parser 0.11), the message is malformed, not the end of the process.
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(raw)))
        .map_err(|_| MailError::Malformed("its MIME structure cannot be read".into()))?;
    let message = parsed
        .filter(|m| !m.headers().is_empty())
        .ok_or_else(|| MailError::Malformed("it has no header fields".into()))?;

    let (from, from_name) = sender(&message)?;
    let reply_to = first_address(message.reply_to()).and_then(|a| Email::parse(a).ok());
    let outer_subject = one_line(message.subject().unwrap_or_default());
    let message_id = message
        .message_id()
        .map(one_line)
        .filter(|id| !id.is_empty());

    let mut subject = outer_subject.clone();
    let mut encrypted = false;
    let mut budget = PlaintextBudget::new(limits.max_plaintext_bytes);
    let mut content = match pgp_mime_payload(&message)? {
        Some(payload) => {
            let plaintext = decrypt(key, payload, &mut budget)?;
            encrypted = true;
            let (inner, protected_subject) = decrypted_content(&parser, &plaintext);
            if let Some(protected) = protected_subject {
                subject = protected;
            }
            inner
        }
        None => parts::collect(&message),
    };
    if let Some(text) = decrypt_inline(&content.text, key, &mut budget)? {
        content.text = text;
        encrypted = true;
    }
    check_attachments(&content.attachments, limits)?;

    let recipients = recipient_addresses(&message);
    let reply_token = token::find(recipients.iter().map(String::as_str), &subject)
        .or_else(|| token::from_subject(&outer_subject).map(str::to_string));

    Ok(Incoming {
        from,
        from_name,
        reply_to,
        subject,
        message_id,
        text: content.text,
        attachments: content.attachments,
        encrypted,
        reply_token,
    })
}

fn sender(message: &Message<'_>) -> Result<(Email, Option<String>), MailError> {
    let first = message.from().and_then(Address::first);
    let address = first
        .and_then(|a| a.address())
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .ok_or(MailError::NoSender)?;
    let email = Email::parse(address).map_err(|e| MailError::BadSender {
        address: one_line(address),
        reason: e.why,
    })?;
    let name = first
        .and_then(|a| a.name())
        .map(one_line)
        .filter(|n| !n.is_empty());
    Ok((email, name))
}

fn first_address<'a>(address: Option<&'a Address<'_>>) -> Option<&'a str> {
    address.and_then(Address::first).and_then(|a| a.address())
}

/// Every To:, Cc: and Delivered-To: address, in that order: where a plus-address token can be.
fn recipient_addresses(message: &Message<'_>) -> Vec<String> {
    let listed = [message.to(), message.cc()]
        .into_iter()
        .flatten()
        .flat_map(|list| list.iter())
        .filter_map(|a| a.address())
        .map(str::to_string);
    // Delivered-To: is written by the receiving server, one per delivery hop, as plain text.
    let delivered = message
        .headers()
        .iter()
        .filter(|h| h.name().eq_ignore_ascii_case("delivered-to"))
        .filter_map(|h| match h.value() {
            HeaderValue::Text(text) => Some(text.trim().to_string()),
            HeaderValue::Address(list) => first_address(Some(list)).map(str::to_string),
            _ => None,
        });
    listed.chain(delivered).collect()
}

/// The OpenPGP payload of the first multipart/encrypted part, if the mail has one (normally
/// the root; some lists and gateways wrap it in a multipart/mixed with a footer, which is
/// then ignored: only what was encrypted is the report).
fn pgp_mime_payload<'a>(message: &'a Message<'_>) -> Result<Option<&'a [u8]>, MailError> {
    let Some(encrypted) = message.parts.iter().find(|p| {
        p.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("encrypted"))
        })
    }) else {
        return Ok(None);
    };
    let protocol = encrypted
        .content_type()
        .and_then(|ct| ct.attribute("protocol"))
        .unwrap_or("");
    if !protocol.eq_ignore_ascii_case("application/pgp-encrypted") {
        return Err(MailError::Malformed(format!(
            "it is multipart/encrypted with protocol {:?}; only OpenPGP (RFC 3156) is supported",
            one_line(protocol)
        )));
    }
    // RFC 3156: the first part is the "Version: 1" control part, the second the ciphertext.
    // Taking the first part that is not the control part also reads senders that mislabel it.
    let payload = encrypted
        .sub_parts()
        .unwrap_or_default()
        .iter()
        .filter_map(|id| message.parts.get(*id as usize))
        .find(|p| parts::content_type(p) != "application/pgp-encrypted")
        .map(|p| p.contents())
        .filter(|data| !data.iter().all(u8::is_ascii_whitespace));
    payload.map(Some).ok_or_else(|| {
        MailError::Malformed("its multipart/encrypted part has no encrypted data".into())
    })
}

/// Reads what a PGP/MIME part decrypted to: a MIME entity (RFC 3156 says so) whose Subject:,
/// if present, is the real one. Senders that encrypt bare text are read as text.
fn decrypted_content(parser: &MessageParser, plaintext: &[u8]) -> (Content, Option<String>) {
    let is_mime = plaintext.starts_with(b"\r\n") || plaintext.starts_with(b"\n");
    let inner = parser
        .parse(plaintext)
        .filter(|m| is_mime || m.root_part().content_type().is_some());
    match inner {
        Some(inner) => {
            let subject = inner.subject().map(one_line).filter(|s| !s.is_empty());
            (parts::collect(&inner), subject)
        }
        None => (
            Content {
                text: normalize_newlines(&String::from_utf8_lossy(plaintext)),
                attachments: Vec::new(),
            },
            None,
        ),
    }
}

/// Decrypts each unquoted inline OpenPGP block of `text` in place, one after the other into
/// what is left of `budget`; `None` when there is none.
fn decrypt_inline(
    text: &str,
    key: Option<&TeamKey>,
    budget: &mut PlaintextBudget,
) -> Result<Option<String>, MailError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut decrypted_any = false;
    while let Some(start) = rest.find(BEGIN_PGP) {
        // Only a marker at the start of a line begins a block; anything else (quoted, or
        // mid-sentence) is text, and is passed over before looking for an end marker, so
        // that many stray markers cost linear time.
        if !(start == 0 || rest[..start].ends_with('\n')) {
            let after = start + BEGIN_PGP.len();
            out.push_str(&rest[..after]);
            rest = &rest[after..];
            continue;
        }
        let Some(len) = rest[start..].find(END_PGP).map(|end| end + END_PGP.len()) else {
            break;
        };
        out.push_str(&rest[..start]);
        let block = &rest[start..start + len];
        match decrypt(key, block.as_bytes(), budget) {
            Ok(plain) => {
                // Straight into `out`: no further copies of a block that may be most of the
                // budget.
                match String::from_utf8(plain) {
                    Ok(plain) => push_normalized(&mut out, &plain),
                    Err(e) => push_normalized(&mut out, &String::from_utf8_lossy(e.as_bytes())),
                }
                decrypted_any = true;
            }
            // Not encrypted OpenPGP at all: it is text, keep it.
            Err(MailError::Malformed(_)) => out.push_str(block),
            Err(other) => return Err(other),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    Ok(decrypted_any.then_some(out))
}

fn check_attachments(attachments: &[Attachment], limits: &Limits) -> Result<(), MailError> {
    if attachments.len() > limits.max_attachments {
        return Err(MailError::TooManyAttachments {
            count: attachments.len(),
            limit: limits.max_attachments,
        });
    }
    match attachments
        .iter()
        .find(|a| a.data.len() > limits.max_attachment_bytes)
    {
        Some(big) => Err(MailError::AttachmentTooLarge {
            filename: big.filename.clone(),
            size: big.data.len(),
            limit: limits.max_attachment_bytes,
        }),
        None => Ok(()),
    }
}
