//! embargo-mail against real mail: the `.eml` files in `fixtures/` were written by Python's
//! `email` package and encrypted by gpg (see `fixtures/make-fixtures.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// One test binary; its modules live in tests/parse/.
#[path = "parse/encrypted.rs"]
mod encrypted;
#[path = "parse/gpg.rs"]
mod gpg;
#[path = "parse/keys.rs"]
mod keys;

use std::sync::OnceLock;

use embargo_mail::{Limits, MailError, TeamKey, parse};

pub const PLUS_TOKEN: &str = "3f9a1c0d5e7b2a4c6d8e0f12";
pub const SUBJECT_TOKEN: &str = "a1b2c3d4e5f60718293a4b5c";

pub fn fixture_path(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn fixture_text(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

/// The test team key, unlocked once for the whole binary.
pub fn team_key() -> &'static TeamKey {
    static KEY: OnceLock<TeamKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let passphrase = fixture_text("test-team-passphrase.txt");
        TeamKey::from_armored(
            &fixture_text("test-team-secret.asc"),
            Some(passphrase.trim()),
        )
        .unwrap()
    })
}

pub fn parse_fixture(name: &str) -> Result<embargo_mail::Incoming, MailError> {
    parse(&fixture(name), Some(team_key()), &Limits::default())
}

#[test]
fn plain_text_mail() {
    let mail = parse_fixture("plain.eml").unwrap();
    assert_eq!(mail.from.as_ref(), "ada@example.net");
    assert_eq!(mail.from_name.as_deref(), Some("Ada Reporter"));
    assert_eq!(mail.subject, "SQL injection in /search – unauthenticated");
    assert_eq!(mail.message_id.as_deref(), Some("plain-1@example.net"));
    // The fixture has CRLF line ends, as on the wire; the text has LF.
    assert_eq!(
        mail.text,
        "Hello security team,\n\nthe q parameter of /search is passed to SQL unescaped.\n\nAda\n"
    );
    assert!(mail.attachments.is_empty());
    assert!(!mail.encrypted);
    assert_eq!(mail.reply_token, None);
    assert_eq!(mail.reply_to, None);
}

#[test]
fn alternative_prefers_the_plain_text() {
    let mail = parse_fixture("alternative.eml").unwrap();
    assert_eq!(
        mail.text,
        "Plain version: the comment form reflects <script> unescaped.\n"
    );
    assert!(
        mail.attachments.is_empty(),
        "the HTML alternative is not an attachment"
    );
}

#[test]
fn html_only_mail_is_rendered_as_readable_text() {
    let mail = parse_fixture("html-only.eml").unwrap();
    assert_eq!(
        mail.text,
        "Hi team,\n\nthe login page redirects to any URL:\n\
         proof <https://example.org/login?next=//evil.example>\n\n\
         - step one\n- step two & three\n\nIt’s <bad> — Ada\n"
    );
}

#[test]
fn attachments_keep_their_bytes_and_get_safe_names() {
    let mail = parse_fixture("attachments.eml").unwrap();
    assert_eq!(
        mail.text,
        "Two files attached: the PoC and the crashing input.\n"
    );
    let names: Vec<_> = mail
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .collect();
    assert_eq!(
        names,
        ["poc.py", "passwd"],
        "../../etc/passwd loses its path"
    );
    assert_eq!(mail.attachments[0].content_type, "text/x-python");
    assert_eq!(mail.attachments[0].data, fixture("payload/poc.py"));
    assert_eq!(mail.attachments[1].content_type, "application/octet-stream");
    assert_eq!(mail.attachments[1].data, fixture("payload/crash-input.bin"));
}

#[test]
fn latin1_body_and_broken_header_bytes_are_decoded_lossily() {
    let mail = parse_fixture("latin1.eml").unwrap();
    assert_eq!(
        mail.text,
        "Café crème: the naïve check in the façade fails.\n"
    );
    assert_eq!(mail.subject, "Résumé of the bug");
    // The display name is raw ISO-8859-1 in the header, which is not UTF-8: each bad byte
    // becomes U+FFFD and the rest is kept.
    assert_eq!(mail.from_name.as_deref(), Some("Jos\u{FFFD} Garc\u{FFFD}a"));
    assert_eq!(mail.from.as_ref(), "jose@example.es");
    // A text attachment is not converted from its charset: the file is what was sent.
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.attachments[0].filename, "notes.txt");
    assert_eq!(
        mail.attachments[0].data,
        fixture("payload/notes-latin1.txt")
    );
}

#[test]
fn broken_mime_is_read_as_far_as_it_goes() {
    let mail = parse_fixture("broken-mime.eml").unwrap();
    // The invalid UTF-8 bytes in a utf-8 part become U+FFFD.
    assert_eq!(
        mail.text,
        "The readable part survives: \u{FFFD}\u{FFFD} end."
    );
    // The attachment's base64 is cut off and its closing boundary missing: the decodable
    // part is kept.
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.attachments[0].filename, "cut.bin");
    assert_eq!(mail.attachments[0].data, b"Hello, this is cut off");
}

#[test]
fn reply_token_in_a_plus_address() {
    let mail = parse_fixture("reply-plus.eml").unwrap();
    // To: has security+not-a-token@ (ignored), Cc: has the token.
    assert_eq!(mail.reply_token.as_deref(), Some(PLUS_TOKEN));
    assert_eq!(mail.subject, "Re: your report");
}

#[test]
fn reply_token_in_the_subject() {
    let mail = parse_fixture("reply-subject.eml").unwrap();
    assert_eq!(mail.reply_token.as_deref(), Some(SUBJECT_TOKEN));
}

#[test]
fn reply_token_in_delivered_to() {
    let raw = format!(
        "Delivered-To: security+{PLUS_TOKEN}@example.org\nFrom: a@example.net\n\
         To: security@example.org\nSubject: Re: x\n\nbody\n"
    );
    let mail = parse(raw.as_bytes(), None, &Limits::default()).unwrap();
    assert_eq!(mail.reply_token.as_deref(), Some(PLUS_TOKEN));
}

#[test]
fn the_sender_is_from_not_reply_to() {
    let raw = "From: Ada <ada@example.net>\nReply-To: other@example.com\nSubject: s\n\nb\n";
    let mail = parse(raw.as_bytes(), None, &Limits::default()).unwrap();
    assert_eq!(mail.from.as_ref(), "ada@example.net");
    assert_eq!(mail.reply_to.unwrap().as_ref(), "other@example.com");
}

#[test]
fn a_mail_without_a_sender_is_refused() {
    for raw in [
        "To: security@example.org\nSubject: anonymous\n\nbody\n",
        "From: \nSubject: empty\n\nbody\n",
        "From: Undisclosed recipients:;\nSubject: group\n\nbody\n",
    ] {
        let err = parse(raw.as_bytes(), None, &Limits::default()).unwrap_err();
        assert_eq!(err, MailError::NoSender, "{raw}");
        assert_eq!(
            err.to_string(),
            "the message has no sender address in its From: header"
        );
        assert!(!err.is_temporary());
    }
    let err = parse(b"From: not-an-address@\n\nbody\n", None, &Limits::default()).unwrap_err();
    assert!(matches!(err, MailError::BadSender { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("the sender address \"not-an-address@\"")
    );
}

#[test]
fn headers_stay_on_one_line() {
    // Encoded words can smuggle CR/LF into a decoded subject; it must not reach an outgoing
    // header later.
    let raw = "From: a@example.net\nSubject: =?utf-8?q?a=0D=0ABcc:_x@evil.example?=\n\nb\n";
    let mail = parse(raw.as_bytes(), None, &Limits::default()).unwrap();
    assert_eq!(mail.subject, "a Bcc: x@evil.example");
}

#[test]
fn a_message_over_the_size_limit_is_refused() {
    let raw = fixture("plain.eml");
    let limits = Limits {
        max_message_bytes: 100,
        ..Limits::default()
    };
    let err = parse(&raw, None, &limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the message is {} bytes, over the limit of 100 bytes",
            raw.len()
        )
    );
    assert!(!err.is_temporary());
    // Exactly at the limit is fine.
    let limits = Limits {
        max_message_bytes: raw.len(),
        ..Limits::default()
    };
    assert!(parse(&raw, None, &limits).is_ok());
}

#[test]
fn too_many_or_too_large_attachments_are_refused() {
    let raw = fixture("attachments.eml");
    let few = Limits {
        max_attachments: 1,
        ..Limits::default()
    };
    let err = parse(&raw, None, &few).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the message has 2 attachments, over the limit of 1"
    );
    let small = Limits {
        max_attachment_bytes: 500,
        ..Limits::default()
    };
    let err = parse(&raw, None, &small).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the attachment \"passwd\" is 1024 bytes, over the limit of 500 bytes"
    );
    assert_eq!(Limits::default().max_message_bytes, 25 * 1024 * 1024);
}

#[test]
fn input_that_is_not_mail_is_malformed_not_a_panic() {
    for raw in [&b""[..], b"\n\n\n", b"\x00\x01\x02 binary garbage"] {
        let err = parse(raw, None, &Limits::default()).unwrap_err();
        assert!(
            matches!(err, MailError::Malformed(_) | MailError::NoSender),
            "{err:?}"
        );
    }
}

#[test]
fn no_prefix_or_damaged_copy_of_any_fixture_panics() {
    // What a cut-off delivery or a hostile sender can hand over: every fixture cut short at
    // many points, and with bytes overwritten. Any Result is fine; a panic is not.
    let names = [
        "plain.eml",
        "alternative.eml",
        "html-only.eml",
        "attachments.eml",
        "latin1.eml",
        "broken-mime.eml",
        "inline-pgp.eml",
        "pgp-mime.eml",
        "pgp-mime-protected.eml",
        "reply-plus.eml",
    ];
    for name in names {
        let raw = fixture(name);
        for cut in (0..raw.len()).step_by(13) {
            let _ = parse(&raw[..cut], Some(team_key()), &Limits::default());
        }
        for at in (0..raw.len()).step_by(29) {
            let mut damaged = raw.clone();
            damaged[at] ^= 0xA5;
            let _ = parse(&damaged, Some(team_key()), &Limits::default());
        }
    }
}

#[test]
fn hostile_structure_is_handled_in_reasonable_time() {
    // Deep multipart nesting, many parts, and many stray OpenPGP markers: each must parse
    // (or be refused) quickly, without exhausting the stack.
    let mut nested = String::from("From: a@example.net\nSubject: deep\n");
    for depth in 0..2000 {
        nested.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{depth}\"\n\n--b{depth}\n"
        ));
    }
    nested.push_str("Content-Type: text/plain\n\ninnermost\n");
    let _ = parse(nested.as_bytes(), None, &Limits::default());

    let mut many = String::from(
        "From: a@example.net\nSubject: many\nContent-Type: multipart/mixed; boundary=x\n\n",
    );
    for n in 0..5000 {
        many.push_str(&format!(
            "--x\nContent-Type: application/octet-stream; name=\"f{n}.bin\"\n\nAAAA\n"
        ));
    }
    many.push_str("--x--\n");
    let err = parse(many.as_bytes(), None, &Limits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the message has 5000 attachments, over the limit of 20"
    );

    let markers = format!(
        "From: a@example.net\nSubject: markers\n\n{}\n-----END PGP MESSAGE-----\n",
        "x -----BEGIN PGP MESSAGE-----".repeat(100_000)
    );
    let mail = parse(markers.as_bytes(), Some(team_key()), &Limits::default()).unwrap();
    assert!(!mail.encrypted);
}
