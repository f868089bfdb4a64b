//! CSAF 2.0 exports of varied advisories, checked by BSI's csaf-validator-lib (the strict
//! schema and every mandatory test) through vendor/validators/validate_csaf.mjs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use embargo_formats::{csaf, samples};
use embargo_validators::Validator;

#[test]
fn csaf_documents_pass_every_mandatory_test() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = samples::publisher();
    let mut files = Vec::new();
    let all = samples::all();
    for p in &all {
        let path = dir.path().join(csaf::file_name(&p.id));
        std::fs::write(
            &path,
            serde_json::to_vec_pretty(&csaf::document(&publisher, p)).unwrap(),
        )
        .unwrap();
        files.push(path);
    }
    Validator::Csaf.assert_valid(&files);
}

#[test]
fn an_unfixed_advisory_says_so_and_lists_no_fixed_product() {
    let doc = csaf::document(&samples::publisher(), &samples::conda_unfixed());
    let v = &doc["vulnerabilities"][0];
    assert!(v["product_status"].get("fixed").is_none());
    assert_eq!(v["remediations"][0]["category"], "none_available");
    assert_eq!(
        doc["product_tree"]["branches"][0]["branches"][0]["branches"][0]["name"],
        "vers:conda/>=3.21.0"
    );
    // CSAF 2.0 has no CVSS v4: the vector is kept in a note.
    assert!(v.get("scores").is_none());
    assert_eq!(v["notes"][1]["title"], "CVSS 4.0");
}

#[test]
fn fixed_versions_carry_a_purl_and_the_cwe_its_official_name() {
    let doc = csaf::document(&samples::publisher(), &samples::pypi_fixed());
    let leaves = &doc["product_tree"]["branches"][0]["branches"][0]["branches"];
    assert_eq!(leaves[0]["name"], "vers:pypi/<1.4.2");
    assert_eq!(leaves[1]["name"], "1.4.2");
    assert_eq!(
        leaves[1]["product"]["product_identification_helper"]["purl"],
        "pkg:pypi/example-server@1.4.2"
    );
    let v = &doc["vulnerabilities"][0];
    assert_eq!(
        v["cwe"]["name"],
        "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')"
    );
    assert_eq!(v["product_status"]["fixed"].as_array().unwrap().len(), 2);
    assert_eq!(doc["document"]["tracking"]["version"], "1");
}

#[test]
fn the_provider_layout_lists_every_document() {
    let all = samples::all();
    let publisher = samples::publisher();
    let meta = csaf::provider_metadata(&publisher, &all, jiff::Timestamp::UNIX_EPOCH);
    assert_eq!(meta["role"], "csaf_provider");
    assert_eq!(
        meta["distributions"][0]["directory_url"],
        "https://security.example.org/.well-known/csaf/white/"
    );
    assert_eq!(meta["last_updated"], "2026-09-20T10:00:00Z");
    let index = csaf::index_txt(&all);
    assert_eq!(index.lines().count(), 4);
    assert!(index.contains("2026/example-2026-0001.json"));
    let changes = csaf::changes_csv(&all);
    assert!(changes.starts_with("\"2026/example-2026-0003.json\",\"2026-09-20T10:00:00Z\""));
}

#[test]
fn snapshot() {
    let doc = csaf::document(&samples::publisher(), &samples::many_ecosystems());
    insta::assert_json_snapshot!("csaf-many_ecosystems", doc);
}
