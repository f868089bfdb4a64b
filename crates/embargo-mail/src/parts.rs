//! The readable body and the attachments of one parsed MIME message (the mail itself, or what
//! its encrypted part decrypted to).

use std::borrow::Cow;

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Encoding, Message, MessagePart, MimeHeaders, PartType};

use crate::Attachment;
use crate::filename::sanitize_filename;
use crate::html;

/// What a message says and carries, before limits are applied.
pub(crate) struct Content {
    pub text: String,
    pub attachments: Vec<Attachment>,
}

/// Collects the text body (text/plain preferred in multipart/alternative, HTML rendered as
/// text when it is all there is, several inline parts joined) and the attachments.
pub(crate) fn collect(message: &Message<'_>) -> Content {
    let texts: Vec<String> = message
        .text_body
        .iter()
        .filter_map(|id| message.parts.get(*id as usize))
        .filter_map(|part| match &part.body {
            PartType::Text(text) => Some(normalize_newlines(text)),
            PartType::Html(markup) => Some(html::to_text(markup)),
            _ => None,
        })
        .filter(|text| !text.trim().is_empty())
        .collect();
    let attachments = message
        .attachments
        .iter()
        .filter_map(|id| message.parts.get(*id as usize))
        .filter_map(|part| attachment(message, part))
        .collect();
    Content {
        text: texts.join("\n"),
        attachments,
    }
}

fn attachment(message: &Message<'_>, part: &MessagePart<'_>) -> Option<Attachment> {
    let content_type = content_type(part);
    let (data, default_name) = match &part.body {
        PartType::Multipart(_) => return None,
        // An attached mail stays one .eml file, as the sender attached it.
        PartType::Message(nested) => (
            Cow::Borrowed(nested.raw_message()),
            format!("{}.eml", nested.subject().unwrap_or("message")),
        ),
        // mail-parser has already converted text to UTF-8 from its charset; a proof-of-concept
        // file must arrive byte for byte, so text attachments are decoded again from the raw
        // part, transfer encoding only.
        PartType::Text(_) | PartType::Html(_) => (
            raw_decoded(message, part).unwrap_or(Cow::Borrowed(part.contents())),
            String::new(),
        ),
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
            (Cow::Borrowed(bytes.as_ref()), String::new())
        }
    };
    let name = part
        .attachment_name()
        .map(str::to_string)
        .unwrap_or(default_name);
    Some(Attachment {
        filename: sanitize_filename(&name),
        content_type,
        data: data.into_owned(),
    })
}

/// `type/subtype`, lower case, `application/octet-stream` when absent (RFC 2045 says
/// text/plain, but for an attachment that says nothing a download is the safe reading).
pub(crate) fn content_type(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        },
        None => "application/octet-stream".to_string(),
    }
}

/// The part's body with only its transfer encoding undone.
fn raw_decoded<'a>(message: &'a Message<'_>, part: &MessagePart<'_>) -> Option<Cow<'a, [u8]>> {
    let raw = message
        .raw_message()
        .get(part.offset_body as usize..part.offset_end as usize)?;
    if part.is_encoding_problem {
        // mail-parser gave up on the transfer encoding (a truncated or corrupt base64 body)
        // and kept the raw text. What can be decoded is more use than base64 text saved
        // under a binary file name.
        let declared = part.content_transfer_encoding().unwrap_or("");
        return Some(if declared.trim().eq_ignore_ascii_case("base64") {
            Cow::Owned(lenient_base64(raw))
        } else {
            Cow::Borrowed(raw)
        });
    }
    match part.encoding {
        Encoding::Base64 => base64_decode(raw).map(Cow::Owned),
        Encoding::QuotedPrintable => quoted_printable_decode(raw).map(Cow::Owned),
        _ => Some(Cow::Borrowed(raw)),
    }
}

/// Decodes every base64 character, skipping anything else, and keeps the bits of a final
/// incomplete group that make whole bytes.
fn lenient_base64(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in raw {
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    out
}

/// CRLF and lone CR become LF, so the text reads and stores the same whatever the sender's
/// platform and whether the mail came from the wire or a mailbox file.
pub(crate) fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// [`normalize_newlines`] appending to `out`, without a copy of `text` on the way.
pub(crate) fn push_normalized(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(cr) = rest.find('\r') {
        out.push_str(&rest[..cr]);
        out.push('\n');
        rest = &rest[cr + 1..];
        if let Some(after) = rest.strip_prefix('\n') {
            rest = after;
        }
    }
    out.push_str(rest);
}

/// A header value as one clean line: decoded encoded-words can contain CR/LF or other
/// controls, which must not reach a later outgoing header or a log line.
pub(crate) fn one_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::{lenient_base64, normalize_newlines, one_line, push_normalized};

    #[test]
    fn truncated_base64_decodes_as_far_as_it_goes() {
        assert_eq!(lenient_base64(b"SGVsbG8="), b"Hello");
        assert_eq!(lenient_base64(b"SGVs\r\nbG8"), b"Hello");
        assert_eq!(
            lenient_base64(b"SGVsbG8sIHRoaXMgaXMgY3V0IG9mZi"),
            b"Hello, this is cut off"
        );
        assert_eq!(lenient_base64(b"S"), b"");
        assert_eq!(lenient_base64(b"!!"), b"");
    }

    #[test]
    fn lines_and_headers() {
        assert_eq!(normalize_newlines("a\r\nb\rc\n"), "a\nb\nc\n");
        for text in ["a\r\nb\rc\n", "\r\r\n\n\r", "", "plain", "end\r"] {
            let mut out = String::from(">");
            push_normalized(&mut out, text);
            assert_eq!(out, format!(">{}", normalize_newlines(text)), "{text:?}");
        }
        assert_eq!(one_line(" Re:\r\n  x\u{0}y\tz "), "Re: x y z");
    }
}
