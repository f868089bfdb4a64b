//! Keys and encryption to reporters, checked against gpg in both directions.

use embargo_mail::{Limits, MailError, TeamKey, check_public_key, encrypt_for, parse};

use crate::gpg::Gpg;
use crate::{fixture_text, team_key};

fn fingerprint(name: &str) -> String {
    fixture_text(&format!("test-{name}-fingerprint.txt"))
        .trim()
        .to_string()
}

#[test]
fn the_team_key_loads_and_shows_only_its_fingerprint() {
    let key = team_key();
    assert_eq!(key.fingerprint(), fingerprint("team"));
    let debug = format!("{key:?}");
    assert_eq!(
        debug,
        format!("TeamKey {{ fingerprint: {:?}, .. }}", fingerprint("team"))
    );
}

#[test]
fn a_wrong_or_missing_passphrase_is_refused() {
    let armored = fixture_text("test-team-secret.asc");
    for passphrase in [Some("wrong"), None] {
        let err = TeamKey::from_armored(&armored, passphrase).unwrap_err();
        assert_eq!(err, MailError::BadPassphrase);
        assert_eq!(
            err.to_string(),
            "the team key's passphrase is missing or wrong"
        );
        assert!(!err.to_string().contains("embargo-test-only"));
    }
    // The reporter's key has no passphrase, and loads without one.
    let reporter = TeamKey::from_armored(&fixture_text("test-reporter-secret.asc"), None).unwrap();
    assert_eq!(reporter.fingerprint(), fingerprint("reporter"));
}

#[test]
fn a_public_key_or_garbage_is_not_a_team_key() {
    let err = TeamKey::from_armored(&fixture_text("test-team-public.asc"), None).unwrap_err();
    assert!(
        err.to_string().contains("must be a secret key block"),
        "{err}"
    );
    let garbage = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nnot base64!\n-----END PGP PRIVATE KEY BLOCK-----\n";
    let err = TeamKey::from_armored(garbage, None).unwrap_err();
    assert!(matches!(err, MailError::InvalidKey(_)), "{err:?}");
}

#[test]
fn the_published_public_key_is_what_gpg_imports() {
    let armored = team_key().public_key_armored().unwrap();
    assert!(armored.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    assert!(!armored.contains("PRIVATE"));
    assert_eq!(check_public_key(&armored).unwrap(), fingerprint("team"));
    let gpg = Gpg::with_keys(&[]);
    gpg.run(&["--import"], armored.as_bytes());
    let listing = String::from_utf8(gpg.run(&["--with-colons", "--list-keys"], b"")).unwrap();
    assert!(listing.contains(&fingerprint("team")), "{listing}");
    let secrets =
        String::from_utf8(gpg.run(&["--with-colons", "--list-secret-keys"], b"")).unwrap();
    assert!(secrets.is_empty(), "no secret travels with the public key");
}

#[test]
fn reporter_keys_are_checked() {
    assert_eq!(
        check_public_key(&fixture_text("test-reporter-public.asc")).unwrap(),
        fingerprint("reporter")
    );
    let err = check_public_key(&fixture_text("test-reporter-secret.asc")).unwrap_err();
    assert!(
        err.to_string().contains("this is a secret (private) key"),
        "{err}"
    );
    for bad in [
        "",
        "hello",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP PUBLIC KEY BLOCK-----\n",
    ] {
        let err = check_public_key(bad).unwrap_err();
        assert!(matches!(err, MailError::InvalidKey(_)), "{bad:?}: {err:?}");
    }
    // A key whose armored body was altered does not pass as valid.
    let public = fixture_text("test-reporter-public.asc");
    let damaged = public.replacen("A", "B", 1);
    if damaged != public {
        assert!(check_public_key(&damaged).is_err());
    }
}

const MESSAGE: &str = "Your report EMB-7 is accepted.\nFix date: 2026-02-01. — The security team\n";

#[test]
fn mail_encrypted_to_a_reporter_decrypts_with_gpg_and_rpgp() {
    let armored = encrypt_for(&fixture_text("test-reporter-public.asc"), MESSAGE).unwrap();
    assert!(armored.starts_with("-----BEGIN PGP MESSAGE-----"));
    assert!(!armored.contains("Your report"));

    // gpg, holding the reporter's secret key (RSA), reads exactly the text.
    let gpg = Gpg::with_keys(&["test-reporter-secret.asc"]);
    let plain = gpg.run(&["--passphrase", "", "--decrypt"], armored.as_bytes());
    assert_eq!(String::from_utf8(plain).unwrap(), MESSAGE);

    // And so does rPGP, through this crate's own reading of an inline-encrypted mail.
    let reporter = TeamKey::from_armored(&fixture_text("test-reporter-secret.asc"), None).unwrap();
    let mail = format!("From: desk@example.org\nSubject: s\n\n{armored}");
    let read = parse(mail.as_bytes(), Some(&reporter), &Limits::default()).unwrap();
    assert!(read.encrypted);
    // The block is replaced by the message; the line break that ended the block stays.
    assert_eq!(read.text, format!("{MESSAGE}\n"));
}

#[test]
fn encryption_to_an_ecdh_key_interoperates_too() {
    // The team key is Curve25519 (ECDH), the reporter's RSA: both algorithm families.
    let armored = encrypt_for(&fixture_text("test-team-public.asc"), MESSAGE).unwrap();
    let gpg = Gpg::with_keys(&["test-team-secret.asc"]);
    let passphrase = fixture_text("test-team-passphrase.txt");
    let plain = gpg.run(
        &["--passphrase", passphrase.trim(), "--decrypt"],
        armored.as_bytes(),
    );
    assert_eq!(String::from_utf8(plain).unwrap(), MESSAGE);
}

#[test]
fn encrypting_to_something_that_is_not_a_public_key_fails_clearly() {
    let err = encrypt_for(&fixture_text("test-reporter-secret.asc"), MESSAGE).unwrap_err();
    assert!(
        err.to_string().contains("send only the public key"),
        "{err}"
    );
    let err = encrypt_for("no key here", MESSAGE).unwrap_err();
    assert!(
        err.to_string().starts_with("the OpenPGP key is not usable"),
        "{err}"
    );
}
