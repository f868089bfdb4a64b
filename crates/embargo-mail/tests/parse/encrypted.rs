//! Encrypted reports: PGP/MIME (RFC 3156) and inline OpenPGP, as gpg writes them.

use embargo_mail::{Limits, MailError, parse};

use crate::gpg::Gpg;
use crate::{SUBJECT_TOKEN, fixture, fixture_text, parse_fixture, team_key};

const SECRET_LINE: &str = "Secret details: the overflow is in parse_header(), line 1234.\n";

#[test]
fn pgp_mime_yields_the_decrypted_text_and_attachment() {
    let mail = parse_fixture("pgp-mime.eml").unwrap();
    assert!(mail.encrypted);
    assert_eq!(mail.subject, "Encrypted report");
    assert_eq!(mail.from.as_ref(), "ada@example.net");
    assert_eq!(mail.text, SECRET_LINE);
    // The control part ("Version: 1") and the ciphertext are not attachments; the file
    // inside the encrypted part is, byte for byte.
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.attachments[0].filename, "crash-input.bin");
    assert_eq!(mail.attachments[0].content_type, "application/octet-stream");
    assert_eq!(mail.attachments[0].data, fixture("payload/crash-input.bin"));
}

#[test]
fn signed_compressed_pgp_mime_with_a_protected_subject() {
    // Thunderbird's default: the outer subject is "...", the real one is inside; signed by
    // the reporter, bzip2-compressed.
    let mail = parse_fixture("pgp-mime-protected.eml").unwrap();
    assert!(mail.encrypted);
    assert_eq!(
        mail.subject,
        format!("Re: [embargo:{SUBJECT_TOKEN}] Protected subject")
    );
    assert_eq!(mail.reply_token.as_deref(), Some(SUBJECT_TOKEN));
    assert_eq!(mail.text, "Signed and encrypted follow-up.\n");
}

#[test]
fn inline_pgp_is_decrypted_in_place() {
    let mail = parse_fixture("inline-pgp.eml").unwrap();
    assert!(mail.encrypted);
    assert_eq!(
        mail.text,
        "Hello, my report is encrypted below.\n\n\
         Inline secret: token leak in /api/v2/session — see logs.\n\n\n-- \nAda\n"
    );
}

#[test]
fn mail_for_another_key_is_refused_and_says_so() {
    let err = parse_fixture("pgp-mime-to-reporter.eml").unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, MailError::WrongKey { .. }), "{err:?}");
    assert!(
        message.starts_with("the message is encrypted to a key this installation does not have"),
        "{message}"
    );
    assert!(message.contains(&team_key().fingerprint()), "{message}");
    assert!(!err.is_temporary());
}

#[test]
fn encrypted_mail_without_a_team_key_is_refused_and_says_so() {
    for name in ["pgp-mime.eml", "inline-pgp.eml"] {
        let err = parse(&fixture(name), None, &Limits::default()).unwrap_err();
        assert_eq!(err, MailError::NoTeamKey, "{name}");
        assert_eq!(
            err.to_string(),
            "the message is encrypted to a key this installation does not have: \
             no team OpenPGP key is configured"
        );
    }
}

#[test]
fn modified_ciphertext_is_refused_without_quoting_it() {
    let raw = fixture_text("pgp-mime.eml");
    // Flip one base64 character in the middle of the armored body, and drop the armor
    // checksum line so the failure comes from the cipher layer, not the armor.
    let start = raw.find("-----BEGIN PGP MESSAGE-----").unwrap();
    let at = start + 200;
    let flipped = if &raw[at..=at] == "A" { "B" } else { "A" };
    let mut damaged = format!("{}{flipped}{}", &raw[..at], &raw[at + 1..]);
    if let Some(sum) = damaged.lines().find(|l| l.starts_with('=') && l.len() == 5) {
        damaged = damaged.replace(&format!("\n{sum}\n"), "\n");
    }
    let err = parse(damaged.as_bytes(), Some(team_key()), &Limits::default()).unwrap_err();
    assert!(
        matches!(err, MailError::Decrypt(_) | MailError::Malformed(_)),
        "{err:?}"
    );
    assert!(!err.to_string().contains("Secret details"), "{err}");
}

#[test]
fn a_multipart_encrypted_without_ciphertext_is_malformed() {
    let raw = "From: a@example.net\nSubject: s\nMIME-Version: 1.0\n\
               Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=b\n\n\
               --b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--b--\n";
    let err = parse(raw.as_bytes(), Some(team_key()), &Limits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the message is malformed: its multipart/encrypted part has no encrypted data"
    );
    let smime = raw.replace("application/pgp-encrypted\"", "application/x-other\"");
    let err = parse(smime.as_bytes(), Some(team_key()), &Limits::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("only OpenPGP (RFC 3156) is supported"),
        "{err}"
    );
}

#[test]
fn quoted_and_unencrypted_pgp_blocks_stay_text() {
    // A reply quoting mail the desk sent encrypted to the reporter, and a block that is
    // not an encrypted message at all: both are text, not something to decrypt.
    let quoted = fixture_text("pgp-mime-to-reporter.eml");
    let start = quoted.find("-----BEGIN PGP MESSAGE-----").unwrap();
    let end = quoted.find("-----END PGP MESSAGE-----").unwrap() + 25;
    let block: String = quoted[start..end]
        .lines()
        .map(|l| format!("> {l}\n"))
        .collect();
    let raw = format!(
        "From: a@example.net\nSubject: Re: x\n\nThanks!\n\n{block}\n\
         -----BEGIN PGP MESSAGE-----\nnot openpgp\n-----END PGP MESSAGE-----\n"
    );
    let mail = parse(raw.as_bytes(), Some(team_key()), &Limits::default()).unwrap();
    assert!(!mail.encrypted);
    assert!(
        mail.text
            .starts_with("Thanks!\n\n> -----BEGIN PGP MESSAGE-----\n")
    );
    assert!(
        mail.text
            .ends_with("-----BEGIN PGP MESSAGE-----\nnot openpgp\n-----END PGP MESSAGE-----\n")
    );
}

#[test]
fn a_decompression_bomb_stops_at_the_size_limit() {
    // 4 MiB of zeros compress to a few kilobytes; the plaintext is read through the limit.
    let gpg = Gpg::with_keys(&["test-team-public.asc"]);
    let armored = gpg.run(
        &[
            "--armor",
            "--compress-algo",
            "zlib",
            "--encrypt",
            "--recipient",
            "security@example.org",
        ],
        &vec![0u8; 4 * 1024 * 1024],
    );
    let raw = format!(
        "From: a@example.net\nSubject: big\n\n{}",
        String::from_utf8(armored).unwrap()
    );
    assert!(raw.len() < 64 * 1024);
    let limits = Limits {
        max_plaintext_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let err = parse(raw.as_bytes(), Some(team_key()), &limits).unwrap_err();
    assert_eq!(
        err,
        MailError::PlaintextBudgetExceeded {
            budget: 1024 * 1024
        }
    );
}

/// What each block of the budget tests decrypts to: 2 MiB of one recognizable line, which
/// zlib squeezes to a few kilobytes.
const BLOCK_PLAINTEXT_BYTES: usize = 2 * 1024 * 1024;
const BLOCK_LINE: &str = "plaintext of a compressed block, repeated.\n";

fn block_plaintext() -> String {
    BLOCK_LINE.repeat(BLOCK_PLAINTEXT_BYTES / BLOCK_LINE.len())
}

/// `plaintext` encrypted to the test team key by gpg, zlib-compressed, ASCII-armored.
fn compressed_block(gpg: &Gpg, plaintext: &[u8]) -> String {
    let armored = gpg.run(
        &[
            "--armor",
            "--compress-algo",
            "zlib",
            "--encrypt",
            "--recipient",
            "security@example.org",
        ],
        plaintext,
    );
    String::from_utf8(armored).unwrap()
}

/// A mail of about 1 MiB: `blocks` inline OpenPGP blocks (the same ciphertext each time, as
/// a sender could paste it) between paragraphs of ordinary text.
fn many_blocks_mail(block: &str, blocks: usize) -> String {
    let filler = "Notes between the encrypted blocks, as plain text.\n".repeat(600);
    let mut raw = String::from("From: a@example.net\nSubject: many blocks\n\n");
    for n in 0..blocks {
        raw.push_str(&format!("Part {n}:\n{filler}\n{block}\n"));
    }
    raw
}

#[test]
fn many_compressed_blocks_share_one_plaintext_budget() {
    // 32 blocks of 2 MiB each: every block alone is far under the budget, 64 MiB together
    // are not. Without one budget for the whole message each block got the full limit, and
    // such a mail of about 1 MiB took gigabytes of memory.
    let gpg = Gpg::with_keys(&["test-team-public.asc"]);
    let block = compressed_block(&gpg, block_plaintext().as_bytes());
    let raw = many_blocks_mail(&block, 32);
    assert!(
        (900 * 1024..2 * 1024 * 1024).contains(&raw.len()),
        "{}",
        raw.len()
    );
    let limits = Limits {
        max_plaintext_bytes: 5 * 1024 * 1024,
        ..Limits::default()
    };
    let err = parse(raw.as_bytes(), Some(team_key()), &limits).unwrap_err();
    assert_eq!(
        err,
        MailError::PlaintextBudgetExceeded {
            budget: 5 * 1024 * 1024
        }
    );
    assert_eq!(
        err.to_string(),
        "the decrypted content of the message exceeds the budget of 5 MiB for the whole message"
    );
    assert!(!err.is_temporary());
    assert!(!err.to_string().contains("repeated"), "{err}");
}

#[test]
fn blocks_within_the_budget_all_decrypt() {
    // Four 2 MiB blocks in a budget of exactly 8 MiB: every one is decrypted in place.
    // One byte less and the same mail is refused.
    let gpg = Gpg::with_keys(&["test-team-public.asc"]);
    let plaintext = block_plaintext();
    let block = compressed_block(&gpg, plaintext.as_bytes());
    let raw = many_blocks_mail(&block, 4);
    let exact = Limits {
        max_plaintext_bytes: 4 * plaintext.len(),
        ..Limits::default()
    };
    let mail = parse(raw.as_bytes(), Some(team_key()), &exact).unwrap();
    assert!(mail.encrypted);
    assert!(!mail.text.contains("-----BEGIN PGP MESSAGE-----"));
    assert_eq!(mail.text.matches(plaintext.as_str()).count(), 4);
    assert!(mail.text.starts_with("Part 0:\nNotes between"));
    assert!(mail.text.contains(&format!("{plaintext}\n\nPart 3:\n")));

    let short = Limits {
        max_plaintext_bytes: 4 * plaintext.len() - 1,
        ..Limits::default()
    };
    let err = parse(raw.as_bytes(), Some(team_key()), &short).unwrap_err();
    assert!(
        matches!(err, MailError::PlaintextBudgetExceeded { .. }),
        "{err:?}"
    );
}

#[test]
fn the_pgp_mime_part_and_inline_blocks_inside_it_share_the_budget() {
    // A PGP/MIME part whose decrypted text carries an inline block: each fits the budget
    // alone, the two together do not.
    let gpg = Gpg::with_keys(&["test-team-public.asc"]);
    let plaintext = block_plaintext();
    let inline = compressed_block(&gpg, plaintext.as_bytes());
    let inner = format!("Content-Type: text/plain; charset=utf-8\r\n\r\nInside:\r\n{inline}");
    let outer = compressed_block(&gpg, inner.as_bytes());
    let raw = format!(
        "From: a@example.net\nSubject: ...\nMIME-Version: 1.0\n\
         Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=b\n\n\
         --b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\
         --b\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\n\n{outer}\n--b--\n"
    );
    let both = Limits {
        max_plaintext_bytes: plaintext.len() + inner.len(),
        ..Limits::default()
    };
    let mail = parse(raw.as_bytes(), Some(team_key()), &both).unwrap();
    assert_eq!(mail.text.matches(plaintext.as_str()).count(), 1);
    let either = Limits {
        max_plaintext_bytes: plaintext.len() + inner.len() - 1,
        ..Limits::default()
    };
    assert!(inner.len() <= either.max_plaintext_bytes);
    assert!(plaintext.len() <= either.max_plaintext_bytes);
    let err = parse(raw.as_bytes(), Some(team_key()), &either).unwrap_err();
    assert!(
        matches!(err, MailError::PlaintextBudgetExceeded { .. }),
        "{err:?}"
    );
}

/// An inline-encrypted mail made by gpg in the test, with extra gpg options.
fn inline_mail(gpg_args: &[&str], text: &str) -> String {
    let gpg = Gpg::with_keys(&["test-team-public.asc", "test-reporter-public.asc"]);
    let mut args = vec!["--armor", "--encrypt"];
    args.extend_from_slice(gpg_args);
    let armored = String::from_utf8(gpg.run(&args, text.as_bytes())).unwrap();
    format!("From: a@example.net\nSubject: s\n\n{armored}")
}

#[test]
fn several_recipients_and_hidden_recipients_decrypt() {
    // Reporters often encrypt to the team and to themselves; some hide the recipients.
    for args in [
        &[
            "--recipient",
            "reporter@example.net",
            "--recipient",
            "security@example.org",
        ][..],
        &["--throw-keyids", "--recipient", "security@example.org"][..],
    ] {
        let raw = inline_mail(args, "for the team\n");
        let mail = parse(raw.as_bytes(), Some(team_key()), &Limits::default())
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert_eq!(mail.text, "for the team\n\n", "{args:?}");
    }
    // Hidden, and for someone else: still refused as not ours.
    let raw = inline_mail(
        &["--throw-keyids", "--recipient", "reporter@example.net"],
        "not for the team\n",
    );
    let err = parse(raw.as_bytes(), Some(team_key()), &Limits::default()).unwrap_err();
    assert!(matches!(err, MailError::WrongKey { .. }), "{err:?}");
    assert!(
        err.to_string().contains("it is for key (hidden recipient)"),
        "{err}"
    );
    assert!(!err.to_string().contains("not for the team"));
}
