//! Import of earlier advisories, served and exported again.

use std::path::Path;

use embargo_validators::Validator;

use crate::support::*;

/// An organization brings its history: a directory of OSV and GitHub advisory files goes
/// in (bad files named with their reason, the rest imported, twice is harmless), shows up
/// on the public site, and comes out again in the three formats.
#[test]
fn history_is_imported_served_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let fixtures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../embargo-formats/tests/fixtures/import");
    let out = run(embargo(dir.path()).arg("import").arg(&fixtures));
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "some files are refused: {stderr}"
    );
    assert!(
        stderr.contains("3 advisories imported, 0 already there, 3 refused"),
        "{stderr}"
    );
    for bad in ["broken.json", "neither.json", "withdrawn.json"] {
        assert!(stderr.contains(bad), "{bad} is not named: {stderr}");
    }
    let again = run(embargo(dir.path())
        .args(["import", "--json"])
        .arg(&fixtures));
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["imported"].as_array().unwrap().len(), 0);
    assert_eq!(report["existing"].as_array().unwrap().len(), 3);

    let (_server, addr) = serve(dir.path());
    let index = http_get(&addr, "/advisories");
    assert!(
        index.contains("GHSA-4xq7-6v2m-9hwr") && index.contains("PYSEC-2025-17"),
        "{index}"
    );

    let out_dir = dir.path().join("export");
    for format in ["osv", "cve", "csaf"] {
        let out = run(embargo(dir.path())
            .args(["export", format, "--out"])
            .arg(out_dir.join(format)));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with("3 advisories exported"),
            "{}",
            text(&out.stdout)
        );
    }
    let osv: Vec<_> = std::fs::read_dir(out_dir.join("osv"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(osv.len(), 3);
    Validator::Osv.assert_valid(&osv);
    let cna: Vec<_> = std::fs::read_dir(out_dir.join("cve/cna"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    Validator::CveCnaContainer.assert_valid(&cna);
    let index = std::fs::read_to_string(out_dir.join("csaf/white/index.txt")).unwrap();
    assert_eq!(index.lines().count(), 3);
    for line in index.lines() {
        assert!(out_dir.join("csaf/white").join(line).is_file(), "{line}");
    }
    assert!(out_dir.join("csaf/provider-metadata.json").is_file());
}
