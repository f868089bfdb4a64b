#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! Bounded fuzzing of the parsers that read what strangers write: advisory JSON imported
//! from elsewhere (OSV, GitHub's REST advisories), the purls and versions inside it, and the
//! CVSS vectors it carries. An import runs over files downloaded from the internet, so no
//! document, however odd, may panic the importer.
//!
//! Inputs: JSON built with the real field names of both formats but random values (strings,
//! numbers, nulls, nested arrays and objects, near-valid versions, purls, vectors, dates),
//! the fixtures in `tests/fixtures/import` mutated both as text and as JSON trees, and
//! arbitrary and version-shaped strings. Each property runs a fixed number of proptest cases
//! so the file takes a few seconds in the normal test run.
//!
//! Crashes found are kept in `tests/fuzz-corpus/` and replayed by
//! `corpus_inputs_do_not_crash`; a file's name says which function it is for.

use std::cmp::Ordering;
use std::sync::OnceLock;

use embargo_core::AffectedRange;
use embargo_formats::Package;
use embargo_formats::import::{Imported, from_json};
use embargo_formats::versions::{Scheme, affects, check_range, check_version, compare};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value, json};

mod shapes;
use shapes::*;

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

// ---- fixtures ----

const FIXTURES: [&str; 6] = [
    "GHSA-4xq7-6v2m-9hwr.json",
    "PYSEC-2025-17.json",
    "github/ghsa-rest-global.json",
    "withdrawn.json",
    "neither.json",
    "broken.json",
];

fn fixtures() -> &'static [String] {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        FIXTURES
            .iter()
            .map(|name| {
                let path = format!(
                    "{}/tests/fixtures/import/{name}",
                    env!("CARGO_MANIFEST_DIR")
                );
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
            })
            .collect()
    })
}

/// The fixtures that are JSON, as trees.
fn fixture_trees() -> &'static [Value] {
    static TREES: OnceLock<Vec<Value>> = OnceLock::new();
    TREES.get_or_init(|| {
        fixtures()
            .iter()
            .filter_map(|text| serde_json::from_str(text).ok())
            .collect()
    })
}

// ---- the checks ----

/// What an import promises (module docs of `import`): everything kept passes the checks a
/// draft must pass.
fn check_import(text: &str) {
    let Ok(imported) = from_json(text, "2026-11-30T12:00:00Z".parse().unwrap()) else {
        return;
    };
    check_imported(&imported);
}

fn check_imported(imported: &Imported) {
    let p = &imported.publication;
    let a = &p.advisory;
    assert!(!a.title.trim().is_empty(), "{imported:?}");
    assert!(p.modified >= p.published);
    for affected in &a.affected {
        let package = Package::parse(&affected.purl)
            .unwrap_or_else(|e| panic!("imported purl {:?}: {e}", affected.purl));
        assert!(!affected.ranges.is_empty());
        for range in &affected.ranges {
            // Whether the range is usable is for `check` to say; reading it must not panic.
            let _ = check_range(package.scheme(), range);
            let _ = affects(package.scheme(), std::slice::from_ref(range), "1.0.0");
        }
    }
    if let Some(v) = &a.cvss_v3 {
        embargo_formats::cvss::v3(v).unwrap();
    }
    if let Some(v) = &a.cvss_v4 {
        embargo_formats::cvss::v4(v).unwrap();
    }
    for alias in &imported.aliases {
        assert!(!alias.is_empty() && *alias != imported.source_id);
    }
    // An imported advisory goes on to the checks and exports; checking it must not panic.
    let _ = embargo_formats::check(a);
}

const SCHEMES: [Scheme; 4] = [
    Scheme::Pep440,
    Scheme::Semver,
    Scheme::Conda,
    Scheme::Generic,
];

fn scheme() -> impl Strategy<Value = Scheme> {
    prop::sample::select(&SCHEMES[..])
}

/// Version-shaped strings of every scheme, and a few that only look like one.
fn version() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[vV]?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}",
        3 => "[vV]?[0-9]{1,2}(\\.[0-9a-z]{1,3}){0,3}([-+_.!][0-9a-zA-Z.]{0,6}){0,2}",
        1 => "[0-9]{1,2}!?[0-9]{0,2}(\\.(post|dev|rc|a|b|c)?[0-9]{0,2}){0,3}(\\+[a-z0-9.]{1,5})?",
        1 => "[0-9]{15,40}(\\.[0-9]{15,40}){0,2}",
        1 => meaningful(),
        1 => "[ -~]{0,12}",
        1 => "\\PC{0,8}",
    ]
}

fn range() -> impl Strategy<Value = AffectedRange> {
    (
        version(),
        prop::option::of(version()),
        prop::option::of(version()),
    )
        .prop_map(|(introduced, fixed, last_affected)| AffectedRange {
            introduced,
            fixed,
            last_affected,
        })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn import_any_json(value in any_json()) {
        check_import(&value.to_string());
    }

    #[test]
    fn import_osv_shaped(doc in osv_doc()) {
        check_import(&doc.to_string());
    }

    #[test]
    fn import_ghsa_shaped(doc in ghsa_doc()) {
        check_import(&doc.to_string());
    }

    #[test]
    fn import_mutated_fixture_trees(
        which in any::<Index>(),
        mutations in prop::collection::vec(tree_mutation(), 1..6),
    ) {
        let trees = fixture_trees();
        let mut doc = trees[which.index(trees.len())].clone();
        for m in &mutations {
            mutate_tree(&mut doc, m);
        }
        check_import(&doc.to_string());
    }

    #[test]
    fn import_mutated_fixture_text(
        which in any::<Index>(),
        mutations in prop::collection::vec(text_mutation(), 1..6),
    ) {
        let texts = fixtures();
        check_import(&mutate_text(&texts[which.index(texts.len())], &mutations));
    }
}

proptest! {
    #![proptest_config(config(1_024))]

    #[test]
    fn import_arbitrary_text(text in "\\PC{0,64}") {
        check_import(&text);
    }


    #[test]
    fn version_ranges_arbitrary(scheme in scheme(), ranges in prop::collection::vec(range(), 0..3), v in version()) {
        for r in &ranges {
            let _ = check_range(scheme, r);
        }
        let _ = affects(scheme, &ranges, &v);
    }

    #[test]
    fn package_parse_arbitrary(purl in prop_oneof![
        "\\PC{0,40}",
        "pkg:[a-zA-Z]{0,14}/[ -~]{0,30}",
        "(pkg:)?(pypi|npm|cargo|conda|githubactions|github|gem|golang|maven|nuget|composer|generic)(/[a-zA-Z0-9%@.~_-]{0,8}){0,4}(@[ -~]{0,6})?(\\?[a-z=&%]{0,12})?(#[ -~]{0,6})?",
    ]) {
        if let Ok(p) = Package::parse(&purl) {
            let _ = (p.osv_ecosystem(), p.ecosystem_label(), p.ecosystem_name(), p.index_name(), p.scheme());
            let _ = p.with_version(&purl);
        }
    }

    #[test]
    fn package_from_ecosystem_arbitrary(ecosystem in string(), name in string()) {
        if let Ok(p) = Package::from_ecosystem(&ecosystem, &name) {
            prop_assert!(Package::parse(&p.purl).is_ok(), "{:?}", p);
        }
    }

    #[test]
    fn cvss_arbitrary(vector in prop_oneof![
        "\\PC{0,40}",
        "CVSS:3\\.[01](/[A-Z]{1,2}:[A-Z]{0,2}){0,10}",
        "CVSS:4\\.0(/[A-Z]{1,2}:[A-Z]{0,2}){0,14}",
    ]) {
        let _ = embargo_formats::cvss::v3(&vector);
        let _ = embargo_formats::cvss::v4(&vector);
    }
}

proptest! {
    #![proptest_config(config(2_048))]

    #[test]
    fn versions_arbitrary(scheme in scheme(), a in version(), b in version(), c in version()) {
        let _ = check_version(scheme, &a);
        let (Ok(ab), Ok(ba)) = (compare(scheme, &a, &b), compare(scheme, &b, &a)) else {
            return Ok(());
        };
        prop_assert_eq!(ab, ba.reverse(), "{:?}: {:?} vs {:?}", scheme, a, b);
        prop_assert_eq!(compare(scheme, &a, &a).unwrap(), Ordering::Equal, "{:?}: {:?}", scheme, a);
        // Transitivity: a <= b <= c means a <= c.
        if let (Ok(bc), Ok(ac)) = (compare(scheme, &b, &c), compare(scheme, &a, &c))
            && ab != Ordering::Greater
            && bc != Ordering::Greater
        {
            prop_assert_ne!(ac, Ordering::Greater, "{:?}: {:?} <= {:?} <= {:?}", scheme, a, b, c);
        }
    }
}

/// Every crash found so far stays fixed. The file name's prefix says what the input is for:
/// `import-*` a document for `from_json`, `purl-*` a purl, `version-<scheme>-*` the
/// versions to compare, one per line.
#[test]
fn corpus_inputs_do_not_crash() {
    let dir = format!("{}/tests/fuzz-corpus", env!("CARGO_MANIFEST_DIR"));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        if name.starts_with("import-") {
            check_import(&text);
        } else if name.starts_with("purl-") {
            let _ = Package::parse(&text);
        } else if let Some(rest) = name.strip_prefix("version-") {
            let scheme = SCHEMES
                .into_iter()
                .find(|s| rest.starts_with(s.name()))
                .unwrap_or_else(|| panic!("{name}: no scheme"));
            let versions: Vec<&str> = text.lines().collect();
            for a in &versions {
                let _ = check_version(scheme, a);
                for b in &versions {
                    let _ = compare(scheme, a, b);
                }
            }
        } else {
            panic!("{name}: unknown corpus file prefix");
        }
    }
}
