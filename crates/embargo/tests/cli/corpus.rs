//! Real advisories from public databases (`crates/embargo-formats/tests/corpus/`: samples of
//! golang/vulndb, the GitHub Advisory Database, pypa/advisory-database, RustSec and the CVE
//! List), imported, served and exported as a user would: every file imports, every export
//! passes its official validator, the OSV documents come back exactly as their databases
//! published them, and the CVE records' CNA containers exactly as their CNAs wrote them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use embargo_validators::Validator;

use crate::support::*;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../embargo-formats/tests/corpus")
}

/// The corpus file's documents (`<source>.jsonl.gz`), in path order.
fn read_source(source: &str) -> Vec<serde_json::Value> {
    let file = corpus_dir().join(format!("{source}.jsonl.gz"));
    let out = std::process::Command::new("gzip")
        .arg("-dc")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "gzip -dc {}", file.display());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["document"].clone())
        .collect()
}

/// The documents of `sources`, by the id `id_of` reads, written one file each under `into`
/// (a later one of the same id replaces an earlier one).
fn unpack_sources(
    into: &Path,
    sources: &[&str],
    id_of: fn(&serde_json::Value) -> String,
) -> BTreeMap<String, serde_json::Value> {
    let mut docs = BTreeMap::new();
    for source in sources {
        let dir = into.join(source);
        std::fs::create_dir_all(&dir).unwrap();
        for doc in read_source(source) {
            let id = id_of(&doc);
            std::fs::write(dir.join(format!("{id}.json")), doc.to_string()).unwrap();
            docs.insert(id, doc);
        }
    }
    docs
}

/// The OSV documents of the corpus, by id, written one file each under `into`.
fn unpack(into: &Path) -> BTreeMap<String, serde_json::Value> {
    unpack_sources(
        into,
        &[
            "golang-vulndb",
            "github-advisory-database",
            "pypa-advisory-database",
            "rustsec",
            "osv-dev-ghsa",
        ],
        |doc| doc["id"].as_str().unwrap().to_string(),
    )
}

/// Exports every format, imported history included, under `<dir>/export/<format>`.
fn export_everything(dir: &Path) -> PathBuf {
    let out_dir = dir.join("export");
    for format in ["osv", "cve", "csaf"] {
        let out = run(embargo(dir)
            .args(["export", format, "--include-imported", "--out"])
            .arg(out_dir.join(format)));
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    out_dir
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

    let out_dir = export_everything(dir.path());

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
    // osv.dev's recorded answers (osv-scanner's cassettes), for the advisories both know:
    // the same ids.
    let recorded: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../vendor/osv-scanner/recorded-answers.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(recorded.len() >= 30);
    let mut differences = Vec::new();
    for row in &recorded {
        let answer = json_body(&http_post_json(
            &addr,
            "/v1/query",
            &row["query"].to_string(),
        ));
        let mut ids: Vec<&str> = answer["vulns"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v["id"].as_str().unwrap())
            .collect();
        ids.sort_unstable();
        // Where the advisory changed after the recording (vendor/osv-scanner/README.md),
        // embargo answers from the newer copy: osv.dev's ids and the drifted ones.
        let mut expected: Vec<&str> = row["ids"]
            .as_array()
            .into_iter()
            .chain(row["drift"]["embargo_also"].as_array())
            .flatten()
            .map(|v| v.as_str().unwrap())
            .collect();
        expected.sort_unstable();
        if ids != expected {
            differences.push(format!(
                "{}: osv.dev {expected:?}, embargo {ids:?}",
                row["query"]
            ));
        }
    }
    assert!(differences.is_empty(), "{differences:#?}");

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

#[test]
fn real_cve_records_import_and_their_cna_containers_come_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    // The CVE List's records (through osv.dev's test data and the stored file index) and
    // the Go CNA's submissions. Two records are in two sources: one file each, so the
    // importer sees each id once.
    let corpus = dir.path().join("corpus");
    let mut docs = BTreeMap::new();
    for source in ["cvelistv5", "osv-dev-cvelistv5", "golang-vulndb-cve5"] {
        for doc in read_source(source) {
            let id = doc["cveMetadata"]["cveId"].as_str().unwrap().to_string();
            docs.insert(id, doc);
        }
    }
    std::fs::create_dir_all(&corpus).unwrap();
    for (id, doc) in &docs {
        std::fs::write(corpus.join(format!("{id}.json")), doc.to_string()).unwrap();
    }
    assert!(docs.len() >= 80, "the CVE sample shrank: {}", docs.len());
    let rejected: Vec<&String> = docs
        .iter()
        .filter(|(_, d)| d["cveMetadata"]["state"] == "REJECTED")
        .map(|(id, _)| id)
        .collect();
    assert!(!rejected.is_empty());

    let out = run(embargo(dir.path()).args(["import", "--json"]).arg(&corpus));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["failed"],
        serde_json::json!([]),
        "nothing is refused"
    );
    assert_eq!(report["imported"].as_array().unwrap().len(), docs.len());
    // What the model cannot hold (vendor/product entries, ADP containers) is named.
    let adjusted = report["adjusted"].as_array().unwrap();
    assert!(adjusted.iter().any(|a| {
        a["notes"]
            .to_string()
            .contains("kept in the CVE record, not as a package")
    }));

    let out_dir = export_everything(dir.path());
    // CVE: each published record's CNA container exactly as its CNA wrote it, and valid;
    // no full record (these ids are other CNAs', not this installation's).
    let cna = files_under(&out_dir.join("cve/cna"));
    assert_eq!(cna.len(), docs.len() - rejected.len());
    for file in &cna {
        let exported: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let id = file.file_stem().unwrap().to_str().unwrap();
        assert_eq!(
            exported, docs[id]["containers"]["cna"],
            "{id} changed on the way through"
        );
    }
    Validator::CveCnaContainer.assert_valid(&cna);
    assert_eq!(files_under(&out_dir.join("cve")).len(), cna.len());
    // OSV (rejected ids as withdrawn advisories) and CSAF, each checked by its validator.
    let osv = files_under(&out_dir.join("osv"));
    assert_eq!(osv.len(), docs.len());
    Validator::Osv.assert_valid(&osv);
    let withdrawn: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join(format!("osv/{}.json", rejected[0]))).unwrap(),
    )
    .unwrap();
    assert!(withdrawn.get("withdrawn").is_some(), "{withdrawn}");
    let csaf = files_under(&out_dir.join("csaf/white"));
    assert_eq!(csaf.len(), docs.len() - rejected.len());
    Validator::Csaf.assert_valid(&csaf);

    // A Go package named by the Go CNA's record is found by an OSV query.
    let (_server, addr) = serve(dir.path());
    let answer = http_post_json(
        &addr,
        "/v1/query",
        r#"{"package": {"ecosystem": "Go", "name": "github.com/gin-gonic/gin"}, "version": "1.5.0"}"#,
    );
    assert!(answer.contains("CVE-2020-36567"), "{answer}");
    let page = http_get(&addr, &format!("/advisories/{}", rejected[0]));
    assert!(page.contains("Withdrawn on"), "{page}");
}
