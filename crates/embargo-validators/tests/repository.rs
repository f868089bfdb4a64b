//! The repository stands alone, and the validators can say no.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::Path;
use std::process::Command;

use embargo_validators::{Validator, vendor_dir};

/// A user clones the repository with nothing beside it: no tracked file may read a path
/// outside it (the reference folder the project was designed from is not shipped).
#[test]
fn no_tracked_file_refers_to_a_folder_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // Built from pieces so that this file does not match itself.
    let needle = format!("..{}shared", '/');
    let out = Command::new("git")
        .current_dir(&root)
        .args(["grep", "-l", "-F", &needle])
        .output()
        .expect("git runs");
    let files = String::from_utf8_lossy(&out.stdout);
    assert!(
        files.trim().is_empty(),
        "these tracked files refer to {needle}, which a fresh clone does not have:\n{files}"
    );
    // `git grep` exits 1 when nothing matched and 128 when it could not look.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_vendored_folder_names_its_source() {
    for folder in [
        "schemas/osv",
        "schemas/cve5",
        "schemas/csaf",
        "schemas/cvss",
        "validators",
        "sqlx-core",
    ] {
        let readme = vendor_dir().join(folder).join("README.md");
        let text = std::fs::read_to_string(&readme)
            .unwrap_or_else(|e| panic!("{} is missing: {e}", readme.display()));
        assert!(
            text.contains("commit") || text.contains("PyPI"),
            "{} does not say where its files come from",
            readme.display()
        );
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Each validator accepts a known-good document and refuses a broken one, so a green
/// export test means something.
#[test]
fn the_validators_accept_good_documents_and_refuse_bad_ones() {
    let dir = tempfile_dir();
    let good_osv = write(
        &dir,
        "good-osv.json",
        r#"{"schema_version":"1.7.0","id":"x_EX-2026-0001","modified":"2026-01-02T03:04:05Z"}"#,
    );
    let bad_osv = write(
        &dir,
        "bad-osv.json",
        r#"{"id":"x_EX-2026-0001","modified":"yesterday"}"#,
    );
    Validator::Osv.assert_valid(&[&good_osv]);
    assert!(!Validator::Osv.run(&[], &[&bad_osv]).status.success());

    let bad_cna = write(&dir, "bad-cna.json", r#"{"providerMetadata":{}}"#);
    assert!(
        !Validator::CveCnaContainer
            .run(&[], &[&bad_cna])
            .status
            .success()
    );

    let bad_csaf = write(
        &dir,
        "bad-csaf.json",
        r#"{"document":{"category":"csaf_security_advisory","csaf_version":"2.0"}}"#,
    );
    let out = Validator::Csaf.run(&[], &[&bad_csaf]);
    assert!(
        !out.status.success() && String::from_utf8_lossy(&out.stdout).contains("FAIL"),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let bad_openapi = write(&dir, "bad-openapi.json", r#"{"openapi":"3.1.0"}"#);
    assert!(
        !Validator::OpenApi
            .run(&[], &[&bad_openapi])
            .status
            .success()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A fresh folder under the target directory (no tempfile crate: this crate has no
/// dependencies).
fn tempfile_dir() -> std::path::PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("validators-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
