//! Import of earlier advisories, served and exported again.

use std::path::Path;

use embargo_validators::Validator;

use crate::support::*;

/// An organization brings its history: a directory of OSV and GitHub advisory files goes
/// in (bad files named with their reason, the rest imported, a withdrawn one as withdrawn,
/// twice is harmless), shows up on the public site, and comes out again in the three
/// formats (a withdrawn advisory only as OSV, which can say so).
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
        stderr.contains("4 advisories imported, 0 updated, 0 already there,")
            && stderr.contains(", 2 refused"),
        "{stderr}"
    );
    for bad in ["broken.json", "neither.json"] {
        assert!(
            stderr.contains(&format!("refused {}", fixtures.join(bad).display())),
            "{bad} is not named: {stderr}"
        );
    }
    assert!(!stderr.contains("withdrawn.json:"), "{stderr}");
    let again = run(embargo(dir.path())
        .args(["import", "--json"])
        .arg(&fixtures));
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["imported"].as_array().unwrap().len(), 0);
    assert_eq!(report["existing"].as_array().unwrap().len(), 4);

    // A newer version of one of them (its `modified` later): a new revision, the rest
    // unchanged; the same file again changes nothing.
    let newer_dir = dir.path().join("newer");
    std::fs::create_dir_all(&newer_dir).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures.join("PYSEC-2025-17.json")).unwrap(),
    )
    .unwrap();
    doc["modified"] = serde_json::json!("2030-01-01T00:00:00Z");
    doc["details"] = serde_json::json!("Updated details from the source.");
    std::fs::write(newer_dir.join("PYSEC-2025-17.json"), doc.to_string()).unwrap();
    for expected_updated in [1, 0] {
        let out = run(embargo(dir.path())
            .args(["import", "--json"])
            .arg(&newer_dir));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            report["updated"].as_array().unwrap().len(),
            expected_updated,
            "{report}"
        );
    }

    let (_server, addr) = serve(dir.path());
    let page = http_get(&addr, "/advisories/PYSEC-2025-17");
    assert!(
        page.contains("Updated details from the source.") && page.contains("revision 2"),
        "{page}"
    );
    let index = http_get(&addr, "/advisories");
    assert!(
        index.contains("GHSA-4xq7-6v2m-9hwr") && index.contains("PYSEC-2025-17"),
        "{index}"
    );

    // Imported advisories are someone else's publications: exported only when asked.
    let out = run(embargo(dir.path())
        .args(["export", "osv", "--out"])
        .arg(dir.path().join("own-only")));
    assert!(
        text(&out.stdout).starts_with("0 advisories exported"),
        "{}",
        text(&out.stdout)
    );
    let out_dir = dir.path().join("export");
    for format in ["osv", "cve", "csaf"] {
        let out = run(embargo(dir.path())
            .args(["export", format, "--include-imported", "--out"])
            .arg(out_dir.join(format)));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with("4 advisories exported"),
            "{}",
            text(&out.stdout)
        );
    }
    let osv: Vec<_> = std::fs::read_dir(out_dir.join("osv"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(osv.len(), 4);
    assert_eq!(
        osv.iter()
            .filter(|p| std::fs::read_to_string(p)
                .unwrap()
                .contains("\"withdrawn\""))
            .count(),
        1
    );
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

/// An id that would leave the output directory never becomes a path: the importer refuses
/// it, and an export of one stored before that check stops with a sentence instead of
/// writing outside `--out`.
#[test]
fn advisory_ids_never_lead_outside_the_export_directory() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let src = dir.path().join("hostile");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("a.json"),
        r#"{"id": "GHSA-x/../../escaped", "modified": "2024-01-01T00:00:00Z", "summary": "s"}"#,
    )
    .unwrap();
    let out = run(embargo(dir.path()).arg("import").arg(&src));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("is not an advisory id"),
        "{}",
        text(&out.stderr)
    );

    // An advisory stored under such an id by an older version.
    std::fs::write(
        src.join("a.json"),
        r#"{"id": "GHSA-2c2h-2c2h-2c2h", "modified": "2024-01-01T00:00:00Z",
            "published": "2024-01-01T00:00:00Z", "summary": "s"}"#,
    )
    .unwrap();
    let out = run(embargo(dir.path()).arg("import").arg(&src));
    assert!(out.status.success(), "{}", text(&out.stderr));
    sql(
        dir.path(),
        "UPDATE publications SET id = 'GHSA-x/../../escaped', \
         document = replace(document, 'GHSA-2c2h-2c2h-2c2h', 'GHSA-x/../../escaped')",
    );
    let export_dir = dir.path().join("deep/er/export");
    for format in ["osv", "cve"] {
        let out = run(embargo(dir.path())
            .args(["export", format, "--include-imported", "--out"])
            .arg(&export_dir));
        assert_eq!(
            out.status.code(),
            Some(4),
            "{format}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("is not a safe file name"),
            "{}",
            text(&out.stderr)
        );
    }
    let out = run(embargo(dir.path())
        .args(["export", "csaf", "--include-imported", "--out"])
        .arg(&export_dir));
    assert!(
        out.status.success(),
        "csaf maps ids to safe names: {}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("deep/escaped.json").exists());
    assert!(!dir.path().join("deep/er/escaped.json").exists());
    assert!(!dir.path().join("deep/x_GHSA-x").exists());
}
