//! OSV and CVE JSON 5 exports of varied advisories, checked by the official validators
//! (vendor/validators) and against insta snapshots (`cargo insta review`, or
//! `INSTA_UPDATE=always`, to accept a change).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::{Path, PathBuf};

use embargo_formats::{cve5, osv, samples};
use embargo_validators::Validator;

fn write(dir: &Path, name: &str, doc: &serde_json::Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(doc).unwrap()).unwrap();
    path
}

#[test]
fn osv_exports_pass_the_official_validator() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = samples::publisher();
    let files: Vec<PathBuf> = samples::all()
        .iter()
        .map(|p| {
            write(
                dir.path(),
                &format!("{}.json", p.id),
                &osv::document(&publisher, p),
            )
        })
        .collect();
    Validator::Osv.assert_valid(&files);
}

#[test]
fn cve_records_and_cna_containers_pass_the_official_validator() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = samples::publisher();
    let mut records = Vec::new();
    let mut containers = Vec::new();
    for p in samples::all() {
        containers.push(write(
            dir.path(),
            &format!("{}.cna.json", p.id),
            &cve5::cna_container(&publisher, &p),
        ));
        if let Some(record) = cve5::record(&publisher, &p) {
            records.push(write(dir.path(), &format!("{}.cve.json", p.id), &record));
        }
    }
    assert_eq!(
        records.len(),
        2,
        "the two samples with a CVE id get a full record"
    );
    Validator::CveRecord.assert_valid(&records);
    Validator::CveCnaContainer.assert_valid(&containers);
}

#[test]
fn osv_ids_use_the_local_prefix_and_conda_keeps_its_purl_aside() {
    let publisher = samples::publisher();
    let doc = osv::document(&publisher, &samples::conda_unfixed());
    assert_eq!(doc["id"], "x_EXAMPLE-2026-0002");
    let affected = &doc["affected"][0];
    assert!(
        affected.get("package").is_none(),
        "OSV has no conda ecosystem"
    );
    assert_eq!(
        affected["database_specific"]["purl"],
        "pkg:conda/conda-build?channel=conda-forge"
    );
    assert!(
        doc["details"]
            .as_str()
            .unwrap()
            .ends_with("No fix is available yet.")
    );
    let doc = osv::document(&publisher, &samples::many_ecosystems());
    let ecosystems: Vec<&str> = doc["affected"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["package"]["ecosystem"].as_str())
        .collect();
    assert_eq!(ecosystems, ["GitHub Actions", "npm", "crates.io"]);
    assert_eq!(doc["affected"][1]["package"]["name"], "@example/ci-tools");
}

#[test]
fn cve_versions_carry_each_ecosystems_version_type() {
    let publisher = samples::publisher();
    let cna = cve5::cna_container(&publisher, &samples::pypi_fixed());
    let versions = &cna["affected"][0]["versions"];
    assert_eq!(versions[0]["versionType"], "python");
    assert_eq!(versions[1]["version"], "2.0.0");
    assert_eq!(versions[1]["lessThan"], "2.1.1");
    let credits: Vec<&str> = cna["credits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert!(credits.contains(&"remediation developer"));
    // No CNA configured, no full record: it would not be accepted.
    let mut no_cna = publisher.clone();
    no_cna.cna_org_id = None;
    assert!(cve5::record(&no_cna, &samples::pypi_fixed()).is_none());
}

#[test]
fn snapshots() {
    let publisher = samples::publisher();
    insta::assert_json_snapshot!(
        "osv-pypi_fixed",
        osv::document(&publisher, &samples::pypi_fixed())
    );
    insta::assert_json_snapshot!(
        "osv-many_ecosystems",
        osv::document(&publisher, &samples::many_ecosystems())
    );
    insta::assert_json_snapshot!(
        "cve-pypi_fixed",
        cve5::record(&publisher, &samples::pypi_fixed()).unwrap()
    );
}

#[test]
fn the_atom_feed_is_well_formed_and_escapes_titles() {
    let publisher = samples::publisher();
    let mut p = samples::pypi_fixed();
    p.advisory.title = "A <b>bold</b> & \"quoted\" title".into();
    let feed = embargo_formats::atom::feed(&publisher, &[p, samples::conda_unfixed()]);
    assert!(feed.contains("A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; title"));
    assert_eq!(feed.matches("<entry>").count(), 2);
    // Parsed by a real XML parser.
    let out = std::process::Command::new(embargo_validators::python())
        .args(["-c", "import sys, xml.etree.ElementTree as E; r=E.fromstring(sys.stdin.read()); print(len(r.findall('{http://www.w3.org/2005/Atom}entry')))"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(feed.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2");
}
