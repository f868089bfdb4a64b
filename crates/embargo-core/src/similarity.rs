//! How alike two reports read: the duplicate hints shown at triage. A report is reduced to
//! the weighted words of its title and description (the title counts more: it names the
//! flaw), without the words every report shares ("vulnerability", "attacker", "version"),
//! and two reports are compared by the cosine of those weights. The threshold and the
//! word lists were chosen on the labelled pairs in `tests/duplicates/` (precision and
//! recall are printed by that test).

use std::collections::BTreeMap;

/// Scores at or above this are shown as likely duplicates: on the labelled pairs, precision
/// 0.73 and recall 0.96 (see `tests/duplicates/README.md`).
pub const LIKELY_DUPLICATE: f64 = 0.20;

/// The words of one report and their weights (unit length).
#[derive(Debug, Clone, PartialEq)]
pub struct TextProfile {
    weights: BTreeMap<String, f64>,
}

/// Words that say nothing about which flaw a report describes.
const STOP: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "allow",
    "allows",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "arbitrary",
    "as",
    "at",
    "attack",
    "attacker",
    "attackers",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "bug",
    "but",
    "by",
    "can",
    "cause",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "due",
    "during",
    "each",
    "exploit",
    "few",
    "for",
    "found",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "issue",
    "it",
    "its",
    "itself",
    "just",
    "lead",
    "leads",
    "library",
    "may",
    "me",
    "might",
    "more",
    "most",
    "my",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "package",
    "patch",
    "patched",
    "please",
    "prior",
    "problem",
    "project",
    "release",
    "released",
    "report",
    "same",
    "security",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upgrade",
    "use",
    "used",
    "user",
    "users",
    "using",
    "version",
    "versions",
    "very",
    "via",
    "vulnerability",
    "vulnerable",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
];

impl TextProfile {
    /// The profile of a report (or advisory) with this title and description.
    pub fn of(title: &str, description: &str) -> Self {
        let mut counts: BTreeMap<String, f64> = BTreeMap::new();
        // The title names the flaw; the description adds context and boilerplate.
        for (text, weight) in [(title, 2.0), (description, 1.0)] {
            for word in words(text) {
                *counts.entry(word).or_default() += weight;
            }
        }
        // Damped counts: a word said ten times is not ten times as telling.
        let mut weights: BTreeMap<String, f64> =
            counts.into_iter().map(|(w, n)| (w, 1.0 + n.ln())).collect();
        let norm = weights.values().map(|v| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            weights.values_mut().for_each(|v| *v /= norm);
        }
        Self { weights }
    }

    /// Cosine of the two profiles: 0 (no word in common) to 1 (the same words).
    pub fn similarity(&self, other: &Self) -> f64 {
        let (small, large) = if self.weights.len() <= other.weights.len() {
            (self, other)
        } else {
            (other, self)
        };
        small
            .weights
            .iter()
            .filter_map(|(w, a)| large.weights.get(w).map(|b| a * b))
            .sum()
    }

    /// The words that weigh most in both, for the hint's reason (at most `n`).
    pub fn shared_words(&self, other: &Self, n: usize) -> Vec<String> {
        let mut shared: Vec<(f64, &String)> = self
            .weights
            .iter()
            .filter_map(|(w, a)| other.weights.get(w).map(|b| (a * b, w)))
            .collect();
        shared.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(y.1)));
        shared.into_iter().take(n).map(|(_, w)| w.clone()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// The profile without these words (for example the project's own name, which every
    /// report about the project names and which so tells nothing about the flaw).
    pub fn without(mut self, text: &str) -> Self {
        for word in words(text) {
            self.weights.remove(&word);
        }
        self.normalized()
    }

    /// The profile with each word weighed by how rare it is among `rarity`'s reports.
    pub fn weighed_by(mut self, rarity: &WordRarity) -> Self {
        for (word, weight) in self.weights.iter_mut() {
            *weight *= rarity.weight(word);
        }
        self.normalized()
    }

    fn normalized(mut self) -> Self {
        let norm = self.weights.values().map(|v| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            self.weights.values_mut().for_each(|v| *v /= norm);
        }
        self
    }
}

/// How many of a set of reports use each word: words most reports of a project use (its
/// components, its jargon) weigh less than the words of one flaw.
#[derive(Debug, Clone, Default)]
pub struct WordRarity {
    reports: usize,
    using: BTreeMap<String, usize>,
}

impl WordRarity {
    pub fn of<'a>(profiles: impl IntoIterator<Item = &'a TextProfile>) -> Self {
        let mut rarity = Self::default();
        for p in profiles {
            rarity.reports += 1;
            for word in p.weights.keys() {
                *rarity.using.entry(word.clone()).or_default() += 1;
            }
        }
        rarity
    }

    /// Inverse document frequency, smoothed: 1 for a word no other report uses.
    fn weight(&self, word: &str) -> f64 {
        let n = self.reports as f64;
        let df = self.using.get(word).copied().unwrap_or(0) as f64;
        ((n + 1.0) / (df + 1.0)).ln() + 1.0
    }
}

/// The telling words of a text, lower-cased and stemmed.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|w| !STOP.contains(&w.as_str()))
        .map(|w| stem(&w))
}

/// A light stemmer: enough to meet "injection"/"injected", "requests"/"request".
fn stem(word: &str) -> String {
    for suffix in [
        "ations", "ation", "ings", "ing", "ions", "ion", "ed", "es", "s",
    ] {
        if let Some(root) = word.strip_suffix(suffix)
            && root.chars().count() >= 4
        {
            return root.to_string();
        }
    }
    word.to_string()
}

/// Advisory and CVE identifiers a report names, spelled as their databases do
/// (`CVE-2024-1234`, `GHSA-abcd-1234-wxyz`), in order of appearance.
pub fn named_identifiers(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        let upper = token.trim_matches('-').to_ascii_uppercase();
        if !is_identifier(&upper) {
            continue;
        }
        let id = match upper.strip_prefix("GHSA-") {
            Some(rest) => format!("GHSA-{}", rest.to_ascii_lowercase()),
            None => upper,
        };
        if !found.contains(&id) {
            found.push(id);
        }
    }
    found
}

fn is_identifier(id: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = id.split('-').collect();
    match parts.as_slice() {
        ["CVE", year, n] => year.len() == 4 && digits(year) && n.len() >= 4 && digits(n),
        ["GHSA", a, b, c] => [a, b, c]
            .iter()
            .all(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_alphanumeric())),
        ["PYSEC" | "RUSTSEC" | "GO", year, n] => year.len() == 4 && digits(year) && digits(n),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_flaw_in_other_words_scores_above_an_unrelated_one() {
        let a = TextProfile::of(
            "Stored XSS in the markdown renderer",
            "Link titles are not escaped when markdown is rendered, so script runs in the page.",
        );
        let b = TextProfile::of(
            "Cross-site scripting through markdown link titles",
            "The renderer copies the title attribute of links unescaped into the HTML page.",
        );
        let c = TextProfile::of(
            "Path traversal in the archive extractor",
            "Entries named ../../etc/passwd are written outside the target directory.",
        );
        assert!(a.similarity(&b) > LIKELY_DUPLICATE, "{}", a.similarity(&b));
        assert!(a.similarity(&c) < 0.1, "{}", a.similarity(&c));
        assert!((a.similarity(&a) - 1.0).abs() < 1e-9);
        assert!(a.shared_words(&b, 3).contains(&"markdown".to_string()));
    }

    #[test]
    fn boilerplate_alone_is_not_similarity() {
        let a = TextProfile::of(
            "Vulnerability",
            "An attacker could exploit this vulnerability.",
        );
        assert!(a.is_empty());
        assert_eq!(a.similarity(&TextProfile::of("x", "attacker")), 0.0);
    }

    #[test]
    fn identifiers_are_found_in_any_case_and_only_when_well_formed() {
        assert_eq!(
            named_identifiers(
                "See cve-2024-12345 and GHSA-abcd-1234-wxyz (also CVE-2024-12345); not CVE-24-1, GO-2023-1234."
            ),
            vec!["CVE-2024-12345", "GHSA-abcd-1234-wxyz", "GO-2023-1234"]
        );
    }
}
