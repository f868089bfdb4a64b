#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! Bounded fuzzing of what a stranger can make embargo-mail read: a raw mail piped to
//! `embargo ingest-email` (any bytes at all), a public key pasted into a form, an attachment
//! name and a subject or address that may carry a reply token.
//!
//! Each property runs a fixed number of proptest cases, so the file stays a few seconds in
//! the normal test run. The inputs are arbitrary bytes, hostile but well-formed-looking mail
//! (random headers, encoded words, nested multipart with colliding boundaries, quoted-printable
//! and base64 bodies, random and real-but-mutated OpenPGP armor, very long header lines) and
//! the fixtures mutated byte by byte. Nothing may panic; what comes out must keep the
//! promises of [`embargo_mail::Incoming`] (one-line header fields, safe attachment names,
//! limits applied, LF line ends).
//!
//! Crashes found are kept in `tests/fuzz-corpus/` and replayed by
//! `corpus_inputs_do_not_crash`; a file's name says which function it is for.

use std::sync::OnceLock;

use embargo_mail::{Incoming, Limits, TeamKey, check_public_key, parse, sanitize_filename, token};
use proptest::prelude::*;
use proptest::sample::Index;

mod shapes;
use shapes::*;

// ---- fixtures and helpers ----

fn fixture_path(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn fixture_text(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

/// The test team key, unlocked once for the whole binary.
fn team_key() -> &'static TeamKey {
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

const MAIL_FIXTURES: [&str; 12] = [
    "alternative.eml",
    "attachments.eml",
    "broken-mime.eml",
    "html-only.eml",
    "inline-pgp.eml",
    "latin1.eml",
    "pgp-mime-protected.eml",
    "pgp-mime-to-reporter.eml",
    "pgp-mime.eml",
    "plain.eml",
    "reply-plus.eml",
    "reply-subject.eml",
];

fn mail_fixtures() -> &'static [Vec<u8>] {
    static MAILS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    MAILS.get_or_init(|| MAIL_FIXTURES.iter().map(|name| fixture(name)).collect())
}

fn public_keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        ["test-team-public.asc", "test-reporter-public.asc"]
            .iter()
            .map(|name| fixture_text(name))
            .collect()
    })
}

/// The binary OpenPGP messages inside the encrypted fixtures, to mutate and re-armor: they
/// get past the armor and the packet framing, and (for those to the team key) into the
/// session key and the decryption.
fn real_ciphertexts() -> &'static [Vec<u8>] {
    static CIPHERTEXTS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CIPHERTEXTS.get_or_init(|| {
        let found: Vec<Vec<u8>> = [
            "pgp-mime.eml",
            "pgp-mime-protected.eml",
            "pgp-mime-to-reporter.eml",
            "inline-pgp.eml",
        ]
        .iter()
        .map(|name| dearmor(&fixture_text(name)))
        .collect();
        assert!(found.iter().all(|c| c.len() > 100), "armor not found");
        found
    })
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for b in text.bytes() {
        let Some(v) = B64.iter().position(|c| *c == b) else {
            continue;
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// The first armored PGP message of `text`, decoded (checksum line skipped).
fn dearmor(text: &str) -> Vec<u8> {
    let start = text.find("-----BEGIN PGP MESSAGE-----").unwrap();
    let end = text.find("-----END PGP MESSAGE-----").unwrap();
    let body = &text[start..end];
    let body = body.split_once("\n\n").map_or(body, |(_, b)| b);
    let data: String = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('='))
        .collect();
    unbase64(&data)
}

/// OpenPGP's CRC-24 (RFC 4880, 6.1).
fn crc24(data: &[u8]) -> u32 {
    let mut crc: u32 = 0xB7_04CE;
    for &b in data {
        crc ^= u32::from(b) << 16;
        for _ in 0..8 {
            crc <<= 1;
            if crc & 0x100_0000 != 0 {
                crc ^= 0x186_4CFB;
            }
        }
    }
    crc & 0xFF_FFFF
}

fn armor(data: &[u8], headers: &[String], checksum: bool, width: usize) -> String {
    let mut out = String::from("-----BEGIN PGP MESSAGE-----\n");
    for h in headers {
        out.push_str(h);
        out.push('\n');
    }
    out.push('\n');
    let encoded = base64(data);
    for line in encoded.as_bytes().chunks(width.max(1)) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    if checksum {
        let crc = crc24(data);
        out.push('=');
        out.push_str(&base64(&crc.to_be_bytes()[1..]));
        out.push('\n');
    }
    out.push_str("-----END PGP MESSAGE-----\n");
    out
}

// ---- the checks ----

/// What `sanitize_filename` promises: a plain base name, never empty, `.` or `..`.
fn assert_safe_filename(name: &str, input: &str) {
    assert!(!name.is_empty(), "{input:?} -> empty");
    assert!(name != "." && name != "..", "{input:?} -> {name:?}");
    assert!(
        !name.starts_with('.'),
        "{input:?} -> {name:?} has a leading dot"
    );
    assert!(
        !name.contains(['/', '\\']),
        "{input:?} -> {name:?} has a path separator"
    );
    assert!(
        !name.chars().any(char::is_control),
        "{input:?} -> {name:?} has a control character"
    );
    assert!(name.chars().count() <= 100, "{input:?} -> {name:?} is long");
}

fn assert_one_line(what: &str, s: &str) {
    assert!(
        !s.chars().any(embargo_core::is_line_breaking),
        "{what} {s:?} is not one line"
    );
}

/// Parses `raw` with and without the team key; checks what an `Ok` promises.
fn check_parse(raw: &[u8], limits: &Limits) {
    for key in [Some(team_key()), None] {
        if let Ok(mail) = parse(raw, key, limits) {
            check_incoming(&mail, limits);
        }
    }
}

fn check_incoming(mail: &Incoming, limits: &Limits) {
    assert_one_line("subject", &mail.subject);
    if let Some(name) = &mail.from_name {
        assert_one_line("from name", name);
        assert!(!name.is_empty());
    }
    if let Some(id) = &mail.message_id {
        assert_one_line("message id", id);
    }
    if let Some(token) = &mail.reply_token {
        assert!(token::is_token(token), "{token:?}");
    }
    assert!(
        !mail.text.contains('\r'),
        "text keeps a CR: {:?}",
        mail.text
    );
    assert!(mail.attachments.len() <= limits.max_attachments);
    for a in &mail.attachments {
        assert_safe_filename(&a.filename, "(attachment)");
        assert!(a.data.len() <= limits.max_attachment_bytes);
        assert_eq!(a.content_type, a.content_type.to_ascii_lowercase());
    }
}

/// `cases` per property, from a fixed seed so that the suite is reproducible: CI fails the
/// same way twice. To explore further, `EMBARGO_FUZZ_CASES=5000` and
/// `PROPTEST_RNG_SEED=<number>` (or another fixed seed) change both.
fn config(cases: u32) -> ProptestConfig {
    let base = ProptestConfig::default();
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_130);
    ProptestConfig {
        cases: std::env::var("EMBARGO_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..base
    }
}

proptest! {
    #![proptest_config(config(1_024))]

    #[test]
    fn parse_arbitrary_bytes(raw in prop::collection::vec(any::<u8>(), 0..2_048), limits in limits()) {
        check_parse(&raw, &limits);
    }

    #[test]
    fn parse_mutated_fixtures(
        which in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        let fixtures = mail_fixtures();
        let mut raw = fixtures[which.index(fixtures.len())].clone();
        mutate(&mut raw, &mutations);
        check_parse(&raw, &Limits::default());
    }

    #[test]
    fn check_public_key_arbitrary(text in prop_oneof![
        "\\PC{0,200}",
        armor_block(),
        armor_block().prop_map(|b| b.replace("MESSAGE", "PUBLIC KEY BLOCK")),
    ]) {
        if let Ok(fingerprint) = check_public_key(&text) {
            assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()), "{fingerprint}");
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn parse_hostile_mime(raw in mail(), limits in limits()) {
        check_parse(&raw, &limits);
    }

    #[test]
    fn parse_headers_only(
        headers in prop::collection::vec(header(), 0..12),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut raw = Vec::new();
        render_headers(&mut raw, &headers);
        raw.extend_from_slice(b"\r\n");
        raw.extend_from_slice(&body);
        check_parse(&raw, &Limits::default());
    }

    #[test]
    fn check_public_key_mutated(
        which in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
        binary in any::<bool>(),
    ) {
        let keys = public_keys();
        let key = &keys[which.index(keys.len())];
        // Mutated in its armor (mostly refused by the armor reader), or in its packets,
        // re-armored with a correct checksum (reaching the key and signature parsers).
        let text = if binary {
            let body = key.split_once("\n\n").map_or(key.as_str(), |(_, b)| b);
            let mut data = unbase64(
                &body.lines().filter(|l| !l.starts_with(['=', '-'])).collect::<String>(),
            );
            mutate(&mut data, &mutations);
            armor(&data, &[], true, 64).replace("MESSAGE", "PUBLIC KEY BLOCK")
        } else {
            let mut data = key.clone().into_bytes();
            mutate(&mut data, &mutations);
            String::from_utf8_lossy(&data).into_owned()
        };
        let _ = check_public_key(&text);
    }
}

proptest! {
    #![proptest_config(config(2_048))]

    #[test]
    fn sanitize_filename_arbitrary(name in prop_oneof![
        "\\PC{0,40}",
        "[./\\\\ \t\r\n\u{202E}\u{200B}\u{0}a]{0,12}",
        prop::collection::vec(any::<char>(), 0..20).prop_map(|c| c.into_iter().collect()),
        (0usize..300, "[a-z. ]{0,12}").prop_map(|(n, ext)| format!("{}{ext}", "é".repeat(n))),
    ]) {
        assert_safe_filename(&sanitize_filename(&name), &name);
    }

    #[test]
    fn token_functions_arbitrary(
        s in prop_oneof![
            "\\PC{0,60}",
            "[a-z0-9+@<>\\[\\]:é]{0,60}",
            "(.{0,5}\\[[eE]mbargo:[0-9a-fé\\]]{0,36}){1,3}",
            "[a-z]{0,5}\\+[0-9a-f]{20,36}@[a-z.]{0,8}",
        ],
    ) {
        let _ = token::is_token(&s);
        if let Some(t) = token::from_address(&s) {
            assert!(token::is_token(t) && s.contains(t), "{s:?} -> {t:?}");
        }
        if let Some(t) = token::from_subject(&s) {
            assert!(token::is_token(t) && s.contains(t), "{s:?} -> {t:?}");
        }
        if let Some(t) = token::find([s.as_str()], &s) {
            assert!(token::is_token(&t), "{s:?} -> {t:?}");
        }
    }
}

/// Every crash found so far stays fixed. The file name's prefix says what the input is for:
/// `parse-*` a raw mail, `sanitize_filename-*` a file name, `check_public_key-*` a key block.
#[test]
fn corpus_inputs_do_not_crash() {
    let dir = format!("{}/tests/fuzz-corpus", env!("CARGO_MANIFEST_DIR"));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&data);
        if name.starts_with("parse-") {
            check_parse(&data, &Limits::default());
        } else if name.starts_with("sanitize_filename-") {
            // The file holds the name exactly, without a line end.
            assert_safe_filename(&sanitize_filename(&text), &text);
        } else if name.starts_with("check_public_key-") {
            let _ = check_public_key(&text);
        } else {
            panic!("{name}: unknown corpus file prefix");
        }
    }
}
