//! Real advisories from public databases (`crates/embargo-formats/tests/corpus/`: samples of
//! golang/vulndb, the GitHub Advisory Database, pypa/advisory-database and RustSec), imported,
//! served and exported as a user would: every file imports, every export passes its official
//! validator, and the OSV documents come back exactly as their databases published them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use embargo_validators::Validator;

use crate::support::*;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../embargo-formats/tests/corpus")
}

/// The OSV documents of the corpus, by id, written one file each under `into`.
fn unpack(into: &Path) -> BTreeMap<String, serde_json::Value> {
    let mut docs = BTreeMap::new();
    for source in [
        "golang-vulndb",
        "github-advisory-database",
        "pypa-advisory-database",
        "rustsec",
    ] {
        let file = corpus_dir().join(format!("{source}.jsonl.gz"));
        let out = std::process::Command::new("gzip")
            .arg("-dc")
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "gzip -dc {}", file.display());
        let dir = into.join(source);
        std::fs::create_dir_all(&dir).unwrap();
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let entry: serde_json::Value = serde_json::from_str(line).unwrap();
            let doc = entry["document"].clone();
            let id = doc["id"].as_str().unwrap().to_string();
            std::fs::write(dir.join(format!("{id}.json")), doc.to_string()).unwrap();
            docs.insert(id, doc);
        }
    }
    docs
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn real_advisories_import_export_valid_and_round_trip_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let docs = unpack(&dir.path().join("corpus"));
    assert!(docs.len() >= 250, "the corpus shrank: {}", docs.len());

    // Every document imports; some with notes (dates the source does not know, values
    // the model cannot hold), which the report lists and the exit code flags.
    let out = run(embargo(dir.path())
        .args(["import", "--json"])
        .arg(dir.path().join("corpus")));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["failed"],
        serde_json::json!([]),
        "nothing is refused"
    );
    assert_eq!(report["imported"].as_array().unwrap().len(), docs.len());
    let adjusted = report["adjusted"].as_array().unwrap();
    assert!(
        adjusted
            .iter()
            .all(|a| !a["notes"].as_array().unwrap().is_empty())
    );

    let out_dir = dir.path().join("export");
    for format in ["osv", "cve", "csaf"] {
        let out = run(embargo(dir.path())
            .args(["export", format, "--include-imported", "--out"])
            .arg(out_dir.join(format)));
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    // OSV: every document exactly as its database published it.
    let osv = files_under(&out_dir.join("osv"));
    assert_eq!(osv.len(), docs.len());
    Validator::Osv.assert_valid(&osv);
    for file in &osv {
        let exported: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let id = exported["id"].as_str().unwrap();
        assert_eq!(&exported, &docs[id], "{id} changed on the way through");
    }

    // CVE JSON 5 CNA containers and CSAF 2.0 (schema and every mandatory test) of every
    // advisory that is not withdrawn.
    let withdrawn = docs
        .values()
        .filter(|d| d.get("withdrawn").is_some())
        .count();
    let cna = files_under(&out_dir.join("cve/cna"));
    assert_eq!(cna.len(), docs.len() - withdrawn);
    Validator::CveCnaContainer.assert_valid(&cna);
    let csaf = files_under(&out_dir.join("csaf/white"));
    assert_eq!(csaf.len(), docs.len() - withdrawn);
    Validator::Csaf.assert_valid(&csaf);
    // The optional and informative tests are run and counted (warnings, not failures):
    // printed for the record.
    let extra = Validator::Csaf.run(&["--optional", "--informative"], &csaf);
    let report = String::from_utf8_lossy(&extra.stdout);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for line in report
        .lines()
        .filter(|l| l.trim_start().starts_with("WARN") || l.trim_start().starts_with("INFO"))
    {
        let test = line
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        *counts.entry(test).or_default() += 1;
    }
    eprintln!(
        "CSAF optional/informative findings over {} documents: {counts:?}",
        csaf.len()
    );

    // The site serves them, the withdrawn ones marked.
    let (_server, addr) = serve(dir.path());
    let some_withdrawn = docs
        .values()
        .find(|d| d.get("withdrawn").is_some())
        .map(|d| d["id"].as_str().unwrap().to_string())
        .unwrap();
    let page = http_get(&addr, &format!("/advisories/{some_withdrawn}"));
    assert!(page.contains("Withdrawn on"), "{page}");
    // Someone else's publications: no claims about this organization's disclosure.
    for id in docs.keys().take(40) {
        let page = http_get(&addr, &format!("/advisories/{id}"));
        assert!(
            page.contains("Imported from another advisory database"),
            "{id}"
        );
        assert!(!page.contains("end of the disclosure period"), "{id}");
        assert!(!page.contains(": Reported</li>"), "{id}");
        assert!(page.contains(": Published by its source</li>"), "{id}");
    }
}
