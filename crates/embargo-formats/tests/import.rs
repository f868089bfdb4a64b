//! The importers on hand-written fixtures (tests/fixtures/import): OSV (the GitHub Advisory
//! Database's files and PYSEC-style records), GitHub's REST advisory JSON, and the files an
//! import must refuse.

// The helpers below are test code too: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use embargo_core::{AffectedRange, CreditKind, ReferenceKind};
use embargo_formats::Package;
use embargo_formats::import::{DirImport, ImportError, Imported};

/// The import time the tests give (it stands in for dates a source does not know).
const NOW: &str = "2026-11-30T12:00:00Z";

fn from_json(text: &str) -> Result<Imported, ImportError> {
    embargo_formats::import::from_json(text, NOW.parse().unwrap())
}

fn from_dir(dir: &Path, progress: &mut dyn FnMut(usize, usize)) -> DirImport {
    embargo_formats::import::from_dir(dir, NOW.parse().unwrap(), progress)
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixtures().join(name)).unwrap()
}

fn import(name: &str) -> Imported {
    from_json(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn range(introduced: &str, fixed: Option<&str>, last_affected: Option<&str>) -> AffectedRange {
    AffectedRange {
        introduced: introduced.into(),
        fixed: fixed.map(Into::into),
        last_affected: last_affected.map(Into::into),
    }
}

fn has_note(imported: &Imported, needle: &str) -> bool {
    imported.notes.iter().any(|n| n.contains(needle))
}

/// Everything imported passes the checks a draft must pass.
fn assert_valid(imported: &Imported) {
    let a = &imported.publication.advisory;
    assert!(!a.title.trim().is_empty());
    for affected in &a.affected {
        Package::parse(&affected.purl).unwrap();
        assert!(!affected.ranges.is_empty());
    }
    if let Some(v) = &a.cvss_v3 {
        embargo_formats::cvss::v3(v).unwrap();
    }
    if let Some(v) = &a.cvss_v4 {
        embargo_formats::cvss::v4(v).unwrap();
    }
}

#[test]
fn github_advisory_database_osv() {
    let imported = import("GHSA-4xq7-6v2m-9hwr.json");
    assert_valid(&imported);
    let p = &imported.publication;
    let a = &p.advisory;
    assert_eq!(imported.source_id, "GHSA-4xq7-6v2m-9hwr");
    assert_eq!(p.id, "GHSA-4xq7-6v2m-9hwr");
    assert_eq!(imported.aliases, ["CVE-2024-28179"]);
    assert_eq!(a.cve.as_ref().unwrap().as_ref(), "CVE-2024-28179");
    assert_eq!(
        a.title,
        "Jupyter Server Proxy's websocket proxying does not require authentication"
    );
    assert_eq!(a.summary, a.title);
    assert!(a.description.starts_with("### Impact"));
    assert_eq!(
        a.cvss_v3.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")
    );
    assert_eq!(a.cvss_v4, None);
    let cwes: Vec<&str> = a.cwes.iter().map(AsRef::as_ref).collect();
    assert_eq!(cwes, ["CWE-306", "CWE-1385"]);

    // Two packages, each with two introduced/fixed pairs.
    let pairs = vec![
        range("0", Some("3.2.3"), None),
        range("4.0.0", Some("4.1.1"), None),
    ];
    assert_eq!(a.affected.len(), 2);
    assert_eq!(a.affected[0].purl, "pkg:pypi/jupyter-server-proxy");
    assert_eq!(a.affected[0].ranges, pairs);
    assert_eq!(a.affected[1].purl, "pkg:npm/%40jupyterlab/server-proxy");
    assert_eq!(a.affected[1].ranges, pairs);
    assert!(p.fix_available);

    let kinds: Vec<ReferenceKind> = a.references.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            ReferenceKind::Web,
            ReferenceKind::Advisory,
            ReferenceKind::Fix,
            ReferenceKind::Package,
            ReferenceKind::Web, // DISCUSSION
        ]
    );
    assert!(a.credits.is_empty());

    assert_eq!(p.published.to_string(), "2024-03-12T15:30:42Z");
    assert_eq!(p.modified.to_string(), "2024-03-18T21:04:11Z");
    assert_eq!(p.timeline.reported.to_string(), "2024-03-12");
    assert_eq!(p.timeline.published.to_string(), "2024-03-12");
    assert_eq!(p.timeline.acknowledged, None);
    assert_eq!(p.revision, 1);
    assert!(has_note(&imported, "related: PYSEC-2024-41"));
}

#[test]
fn osv_with_cvss4_last_affected_and_git() {
    let imported = import("PYSEC-2025-17.json");
    assert_valid(&imported);
    let p = &imported.publication;
    let a = &p.advisory;
    assert_eq!(imported.source_id, "PYSEC-2025-17");
    assert_eq!(imported.aliases, ["CVE-2025-24357", "GHSA-rh4j-5rhw-hr54"]);
    assert_eq!(a.cve.as_ref().unwrap().as_ref(), "CVE-2025-24357");
    assert_eq!(
        a.cvss_v4.as_deref(),
        Some("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
    );
    // The 3.1 vector lacks A: dropped with a note.
    assert_eq!(a.cvss_v3, None);
    assert!(has_note(&imported, "severity[1]"));
    assert!(a.cwes.is_empty());

    // The GIT range is dropped, the ECOSYSTEM one kept with last_affected; Debian and the
    // versions-only entry are dropped; a trailing introduced is an open range.
    assert_eq!(a.affected.len(), 2);
    assert_eq!(a.affected[0].purl, "pkg:pypi/example-loader");
    assert_eq!(a.affected[0].ranges, [range("0.5.0", None, Some("0.7.2"))]);
    assert_eq!(a.affected[1].purl, "pkg:cargo/example-loader-rs");
    assert_eq!(a.affected[1].ranges, [range("0.2.0", None, None)]);
    assert!(!p.fix_available);
    assert!(has_note(&imported, "affected[0].ranges[0]: a GIT range"));
    assert!(has_note(
        &imported,
        "affected[1]: ecosystem Debian:12 has no purl type we know"
    ));
    assert!(has_note(
        &imported,
        "affected[2]: pkg:cargo/example-loader-sys lists 2 versions without a range"
    ));

    let kinds: Vec<ReferenceKind> = a.references.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            ReferenceKind::Report,
            ReferenceKind::Article,
            ReferenceKind::Evidence,
            ReferenceKind::Web, // GIT
        ]
    );

    let credits: Vec<(&str, CreditKind, Option<&str>)> = a
        .credits
        .iter()
        .map(|c| (c.name.as_str(), c.kind, c.link.as_deref()))
        .collect();
    assert_eq!(
        credits,
        [
            (
                "Mei Tanaka",
                CreditKind::Finder,
                Some("https://github.com/meitanaka")
            ),
            (
                "Example Security Team",
                CreditKind::RemediationDeveloper,
                None
            ),
            ("OSS-Fuzz", CreditKind::Other, None),
        ]
    );
    assert_eq!(p.published.to_string(), "2025-01-28T17:15:11Z");
    assert_eq!(p.timeline.published.to_string(), "2025-01-28");
}

#[test]
fn github_rest_global_advisory() {
    let imported = import("github/ghsa-rest-global.json");
    assert_valid(&imported);
    let p = &imported.publication;
    let a = &p.advisory;
    assert_eq!(imported.source_id, "GHSA-9wx4-h78v-vm56");
    assert_eq!(p.id, "GHSA-9wx4-h78v-vm56");
    assert_eq!(imported.aliases, ["CVE-2024-35195"]);
    assert_eq!(a.cve.as_ref().unwrap().as_ref(), "CVE-2024-35195");
    assert!(a.title.starts_with("Requests `Session` object"));
    assert!(a.description.starts_with("When making requests"));
    assert_eq!(
        a.cvss_v3.as_deref(),
        Some("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N")
    );
    assert_eq!(a.cvss_v4, None);
    let cwes: Vec<&str> = a.cwes.iter().map(AsRef::as_ref).collect();
    assert_eq!(cwes, ["CWE-670"]);

    let affected: Vec<(&str, &[AffectedRange])> = a
        .affected
        .iter()
        .map(|x| (x.purl.as_str(), x.ranges.as_slice()))
        .collect();
    assert_eq!(
        affected,
        [
            ("pkg:pypi/requests", &[range("0", Some("2.32.0"), None)][..]),
            (
                "pkg:cargo/requests-shim",
                &[range("2.0.0", Some("2.1.1"), None)][..]
            ),
            (
                "pkg:githubactions/psf/requests-action",
                &[range("0", None, Some("0.5.7"))][..]
            ),
            // GitHub's "erlang" is Hex.
            (
                "pkg:hex/requests_ex",
                &[range("0", Some("1.0.0"), None)][..]
            ),
        ]
    );
    assert!(!p.fix_available);
    assert!(!has_note(&imported, "vulnerabilities[3]"));

    let credits: Vec<(&str, CreditKind, Option<&str>)> = a
        .credits
        .iter()
        .map(|c| (c.name.as_str(), c.kind, c.link.as_deref()))
        .collect();
    assert_eq!(
        credits,
        [
            (
                "dsfinn",
                CreditKind::Reporter,
                Some("https://github.com/dsfinn")
            ),
            (
                "nateprewitt",
                CreditKind::RemediationDeveloper,
                Some("https://github.com/nateprewitt")
            ),
            (
                "sethmlarson",
                CreditKind::Coordinator,
                Some("https://github.com/sethmlarson")
            ),
        ]
    );

    let refs: Vec<(ReferenceKind, &str)> = a
        .references
        .iter()
        .map(|r| (r.kind, r.url.as_str()))
        .collect();
    assert_eq!(
        refs[0],
        (
            ReferenceKind::Advisory,
            "https://github.com/advisories/GHSA-9wx4-h78v-vm56"
        )
    );
    assert!(refs.contains(&(
        ReferenceKind::Fix,
        "https://github.com/psf/requests/pull/6655"
    )));
    assert!(refs.contains(&(
        ReferenceKind::Fix,
        "https://github.com/psf/requests/commit/a58d7f2ffb4d00b46dca2d70a3932a0b37e22fac"
    )));
    assert!(refs.contains(&(
        ReferenceKind::Advisory,
        "https://nvd.nist.gov/vuln/detail/CVE-2024-35195"
    )));
    assert!(refs.contains(&(ReferenceKind::Package, "https://github.com/psf/requests")));
    // The html_url also listed among the references is kept once.
    assert_eq!(
        refs.iter()
            .filter(|(_, u)| *u == "https://github.com/advisories/GHSA-9wx4-h78v-vm56")
            .count(),
        1
    );

    assert_eq!(p.published.to_string(), "2024-05-20T20:15:00Z");
    assert_eq!(p.modified.to_string(), "2024-11-18T16:26:36Z");
    assert_eq!(p.timeline.reported.to_string(), "2024-05-20");
}

#[test]
fn withdrawn_advisories_are_imported_as_withdrawn() {
    let i = import("withdrawn.json");
    assert_eq!(
        i.publication.withdrawn.map(|w| w.to_string()),
        Some("2023-09-05T18:41:27Z".to_string())
    );

    let rest = r#"{"ghsa_id": "GHSA-2c2h-2c2h-2c2h", "summary": "x",
        "published_at": "2022-01-01T00:00:00Z", "withdrawn_at": "2022-02-03T04:05:06Z"}"#;
    let i = from_json(rest).unwrap();
    assert_eq!(
        i.publication.withdrawn.map(|w| w.to_string()),
        Some("2022-02-03T04:05:06Z".to_string())
    );
}

/// golang/vulndb writes 0001-01-01 for dates it does not know: the import time stands in,
/// and the import report says so.
#[test]
fn unknown_dates_are_replaced_by_the_import_time_with_a_note() {
    let i = from_json(
        r#"{"id": "GO-2022-0363", "modified": "0001-01-01T00:00:00Z",
            "published": "0001-01-01T00:00:00Z", "summary": "x"}"#,
    )
    .unwrap();
    assert_eq!(i.publication.published.to_string(), NOW);
    assert_eq!(i.publication.modified.to_string(), NOW);
    assert!(
        has_note(&i, "modified: the source gives no date"),
        "{:?}",
        i.notes
    );
    assert!(
        has_note(&i, "published: the source gives no date"),
        "{:?}",
        i.notes
    );
}

#[test]
fn bad_documents_are_named() {
    let e = from_json(&read("broken.json")).unwrap_err();
    assert!(e.to_string().contains("not valid JSON"), "{e}");
    let e = from_json(&read("neither.json")).unwrap_err();
    assert!(e.to_string().contains("neither OSV"), "{e}");
    let e = from_json("[1, 2]").unwrap_err();
    assert!(e.to_string().contains("array"), "{e}");

    // Required fields are named.
    let e = from_json(r#"{"schema_version": "1.6.0", "modified": "2024-01-01T00:00:00Z"}"#)
        .unwrap_err();
    assert!(e.to_string().contains("\"id\""), "{e}");
    let e = from_json(r#"{"schema_version": "1.6.0", "id": "OSV-1"}"#).unwrap_err();
    assert!(e.to_string().contains("\"modified\""), "{e}");
    let e = from_json(r#"{"id": "OSV-1", "modified": "yesterday"}"#).unwrap_err();
    assert!(e.to_string().contains("RFC 3339"), "{e}");
    let e = from_json(r#"{"ghsa_id": "GHSA-2c2h-2c2h-2c2h", "published_at": null}"#).unwrap_err();
    assert!(e.to_string().contains("\"published_at\""), "{e}");
    let e = from_json(r#"{"ghsa_id": 5}"#).unwrap_err();
    assert!(e.to_string().contains("\"ghsa_id\""), "{e}");

    // Ids become URL paths and export file names: nothing but an id's characters.
    for id in [
        "GHSA-x/../../escaped",
        "../escaped",
        ".hidden",
        "a b",
        "x\\y",
    ] {
        let doc = serde_json::json!({"id": id, "modified": "2024-01-01T00:00:00Z"});
        let e = from_json(&doc.to_string()).unwrap_err();
        assert!(
            e.to_string().contains("is not an advisory id"),
            "{id:?}: {e}"
        );
    }
    for id in [
        "GHSA-2c2h-2c2h-2c2h",
        "GO-2024-1234",
        "DSA-4000-1:1",
        "PYSEC-2021.1_a",
    ] {
        let doc = serde_json::json!({"id": id, "modified": "2024-01-01T00:00:00Z"});
        assert_eq!(from_json(&doc.to_string()).unwrap().source_id, id);
    }
}

#[test]
fn minimal_documents_get_a_title_and_dates() {
    let imported =
        from_json(r#"{"id": "OSV-2024-1", "modified": "2024-06-01T10:00:00Z"}"#).unwrap();
    let p = &imported.publication;
    assert_eq!(p.advisory.title, "OSV-2024-1");
    assert_eq!(p.published, p.modified);
    assert!(!p.fix_available);
    assert!(has_note(&imported, "title"));
    assert!(has_note(&imported, "published"));

    // An OSV purl with a version loses it; a CVE-named record is its own CVE.
    let imported = from_json(
        r#"{"id": "CVE-2023-12345", "modified": "2024-06-01T10:00:00Z",
            "affected": [{"package": {"purl": "pkg:golang/github.com/gin-gonic/gin@1.9.0"},
                          "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.9.1"}]}]}]}"#,
    )
    .unwrap();
    let a = &imported.publication.advisory;
    assert_eq!(a.cve.as_ref().unwrap().as_ref(), "CVE-2023-12345");
    assert_eq!(a.affected[0].purl, "pkg:golang/github.com/gin-gonic/gin");
    assert!(imported.publication.fix_available);
}

#[test]
fn a_directory_imports_the_good_files_and_names_the_bad() {
    let mut calls = Vec::new();
    let result = from_dir(&fixtures(), &mut |done, total| calls.push((done, total)));

    let name = |p: &Path| {
        p.strip_prefix(fixtures())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/")
    };
    let imported: Vec<(String, &str)> = result
        .imported
        .iter()
        .map(|(p, i)| (name(p), i.source_id.as_str()))
        .collect();
    assert_eq!(
        imported,
        [
            (
                "GHSA-4xq7-6v2m-9hwr.json".to_string(),
                "GHSA-4xq7-6v2m-9hwr"
            ),
            ("PYSEC-2025-17.json".to_string(), "PYSEC-2025-17"),
            (
                "github/ghsa-rest-global.json".to_string(),
                "GHSA-9wx4-h78v-vm56"
            ),
            ("withdrawn.json".to_string(), "GHSA-8r3f-844c-mc37"),
        ]
    );
    let failed: Vec<(String, String)> = result
        .failed
        .iter()
        .map(|(p, e)| (name(p), e.to_string()))
        .collect();
    let failed_names: Vec<&str> = failed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(failed_names, ["broken.json", "neither.json"]);
    assert!(failed[0].1.contains("not valid JSON"));
    assert!(failed[1].1.contains("neither OSV"));

    // Once per JSON file (README.md is not one), counting up to the total.
    assert_eq!(calls, (1..=6).map(|i| (i, 6)).collect::<Vec<_>>());
}

#[test]
fn a_missing_directory_is_a_failure_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let mut calls = 0;
    let result = from_dir(&missing, &mut |_, _| calls += 1);
    assert!(result.imported.is_empty());
    assert_eq!(result.failed.len(), 1);
    assert_eq!(result.failed[0].0, missing);
    assert_eq!(calls, 0);
}

/// One bad value never refuses an advisory: it is repaired or dropped, with a note each,
/// and the result passes every check a published advisory must.
#[test]
fn bad_values_are_repaired_or_dropped_with_a_note_never_refusing_the_advisory() {
    let long = "x".repeat(300);
    let doc = serde_json::json!({
        "id": "OSV-2024-77", "modified": "2024-06-01T10:00:00Z", "published": "2024-05-01T10:00:00Z",
        "summary": long, "details": "Details.",
        "affected": [
            {"package": {"ecosystem": "PyPI", "name": "good"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2"}]}]},
            {"package": {"ecosystem": "PyPI", "name": "good"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.1"}]}]},
            {"package": {"ecosystem": "PyPI", "name": "backwards"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "3.0"}, {"fixed": "1.0"}]}]},
            {"package": {"ecosystem": "PyPI", "name": "listed"}, "versions": ["1.0", "1.1"]}
        ],
        "references": [{"type": "WEB", "url": "ftp://example.org/x"}, {"type": "WEB", "url": "https://example.org/y"}]
    });
    let i = from_json(&doc.to_string()).unwrap();
    let a = &i.publication.advisory;
    assert_eq!(a.title.chars().count(), 256);
    assert!(
        has_note(&i, "title: 300 characters, shortened"),
        "{:?}",
        i.notes
    );
    assert_eq!(a.affected.len(), 1, "{:?}", a.affected);
    assert_eq!(
        a.affected[0].ranges.len(),
        2,
        "the two entries of one package merged"
    );
    assert!(has_note(&i, "this range dropped"), "{:?}", i.notes);
    assert!(
        has_note(&i, "lists 2 versions without a range"),
        "{:?}",
        i.notes
    );
    assert!(
        has_note(&i, "kept in the OSV document only"),
        "{:?}",
        i.notes
    );
    assert_eq!(a.references.len(), 1);
    assert!(has_note(&i, "is not an http(s) URL"), "{:?}", i.notes);
    assert!(
        embargo_formats::check(a).is_empty(),
        "{:?}",
        embargo_formats::check(a)
    );
}

/// Go module paths are case-sensitive: the imported package keeps its case.
#[test]
fn go_module_paths_keep_their_case_on_import() {
    let doc = serde_json::json!({
        "id": "GO-2024-9999", "modified": "2024-06-01T10:00:00Z", "published": "2024-05-01T10:00:00Z",
        "summary": "s", "details": "d",
        "affected": [{"package": {"ecosystem": "Go", "name": "github.com/Masterminds/goutils"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.1.1"}]}]}]
    });
    let i = from_json(&doc.to_string()).unwrap();
    let purl = &i.publication.advisory.affected[0].purl;
    let p = Package::parse(purl).unwrap();
    assert_eq!(
        p.ecosystem_name(),
        "github.com/Masterminds/goutils",
        "{purl}"
    );
    assert_eq!(p.osv_ecosystem(), Some("Go"));
}

/// A UTF-8 byte-order mark (Windows editors write one) is accepted.
#[test]
fn a_byte_order_mark_is_accepted() {
    let text = format!("\u{feff}{}", read("PYSEC-2025-17.json"));
    assert_eq!(from_json(&text).unwrap().source_id, "PYSEC-2025-17");
}
