//! The duplicate hints' text similarity, measured on labelled pairs of real advisories
//! (`tests/duplicates/`: the same vulnerability as two databases wrote it, and different
//! vulnerabilities of the same or another package). Prints precision and recall at the
//! threshold the case page uses, and fails if either falls below what was measured when
//! the threshold was chosen.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use embargo_core::{LIKELY_DUPLICATE, TextProfile, WordRarity};
use serde_json::Value;

/// What the threshold achieved on the set when it was chosen, rounded down. Recall matters
/// most: a missed duplicate costs a Coordinator's day, a wrong hint a glance.
const MIN_PRECISION: f64 = 0.70;
const MIN_RECALL: f64 = 0.95;

struct Scored {
    duplicate: bool,
    kind: String,
    score: f64,
}

fn scored() -> Vec<Scored> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/duplicates/pairs.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let pairs: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // As on the case page: the package's own name tells nothing, and words are weighed by
    // their rarity among all the reports at hand.
    let profile = |side: &Value| {
        TextProfile::of(
            side["title"].as_str().unwrap(),
            side["description"].as_str().unwrap(),
        )
        .without(side["package"].as_str().unwrap())
    };
    // Each report once, by package: the app weighs words among the project's cases.
    let mut by_package: std::collections::BTreeMap<String, Vec<(String, TextProfile)>> =
        Default::default();
    for side in pairs.iter().flat_map(|p| [&p["a"], &p["b"]]) {
        let reports = by_package
            .entry(side["package"].as_str().unwrap().to_string())
            .or_default();
        let source = side["source"].as_str().unwrap().to_string();
        if !reports.iter().any(|(s, _)| *s == source) {
            reports.push((source, profile(side)));
        }
    }
    pairs
        .iter()
        .map(|pair| {
            let mut near: Vec<&TextProfile> = Vec::new();
            for side in [&pair["a"], &pair["b"]] {
                near.extend(
                    by_package[side["package"].as_str().unwrap()]
                        .iter()
                        .map(|(_, p)| p),
                );
            }
            let rarity = WordRarity::of(near);
            let a = profile(&pair["a"]).weighed_by(&rarity);
            let b = profile(&pair["b"]).weighed_by(&rarity);
            Scored {
                duplicate: pair["duplicate"].as_bool().unwrap(),
                kind: pair["kind"].as_str().unwrap().to_string(),
                score: a.similarity(&b),
            }
        })
        .collect()
}

/// (precision, recall) when pairs scoring at least `threshold` are called duplicates.
fn measure(pairs: &[Scored], threshold: f64) -> (f64, f64) {
    let called = |p: &&Scored| p.score >= threshold;
    let true_pos = pairs.iter().filter(called).filter(|p| p.duplicate).count() as f64;
    let called_n = pairs.iter().filter(called).count() as f64;
    let dups = pairs.iter().filter(|p| p.duplicate).count() as f64;
    (
        if called_n == 0.0 {
            1.0
        } else {
            true_pos / called_n
        },
        true_pos / dups,
    )
}

#[test]
fn likely_duplicates_are_found_with_the_measured_precision_and_recall() {
    let pairs = scored();
    let dups = pairs.iter().filter(|p| p.duplicate).count();
    assert!(pairs.len() >= 250 && dups >= 90, "the labelled set shrank");
    println!("{} pairs, {} duplicates", pairs.len(), dups);
    for t in [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5] {
        let (p, r) = measure(&pairs, t);
        println!("threshold {t:.2}: precision {p:.2}, recall {r:.2}");
    }
    for kind in ["same-vulnerability", "same-package", "other-package"] {
        let mut s: Vec<f64> = pairs
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.score)
            .collect();
        s.sort_by(f64::total_cmp);
        println!(
            "{kind}: median {:.2}, 90th percentile {:.2}, max {:.2}",
            s[s.len() / 2],
            s[s.len() * 9 / 10],
            s[s.len() - 1]
        );
    }
    let (precision, recall) = measure(&pairs, LIKELY_DUPLICATE);
    println!("at {LIKELY_DUPLICATE}: precision {precision:.2}, recall {recall:.2}");
    // Measured when the threshold was chosen (see the README beside the pairs).
    assert!(
        precision >= MIN_PRECISION && recall >= MIN_RECALL,
        "precision {precision:.2} (at least {MIN_PRECISION}), recall {recall:.2} (at least {MIN_RECALL})"
    );
}
