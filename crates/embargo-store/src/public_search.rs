//! The public index's search box, on each database's full-text index: FTS5 on SQLite,
//! a `tsvector` GIN index on PostgreSQL, both over the publication's `search` text (lower-case
//! id, aliases, title and package names).
//!
//! What is typed is split at white space into terms; every term must match. A term's
//! letters and digits, in order, must start adjacent words: `cve-2024-12` finds
//! CVE-2024-12345, `package-7` finds package-7 and package-70, `server` finds
//! jupyter-server. Only letters and digits reach the query languages, so nothing typed can
//! change a query's syntax.

use crate::Backend;

/// At most this many terms are searched for (the rest are ignored).
const MAX_TERMS: usize = 8;

/// The terms of `text`, each as its words (lower-case letters and digits).
fn terms(text: &str) -> Vec<Vec<String>> {
    text.split_whitespace()
        .map(|term| {
            term.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .filter(|words| !words.is_empty())
        .take(MAX_TERMS)
        .collect()
}

/// The full-text query for `text` in `backend`'s language, or None when `text` has no
/// letter or digit (nothing can match it).
pub(crate) fn query(text: &str, backend: Backend) -> Option<String> {
    let terms = terms(text);
    if terms.is_empty() {
        return None;
    }
    let parts: Vec<String> = terms
        .iter()
        .map(|words| match backend {
            // A phrase whose last word is a prefix.
            Backend::Sqlite => format!("\"{}\" *", words.join(" ")),
            Backend::Postgres => {
                let mut phrase = words.join(" <-> ");
                phrase.push_str(":*");
                phrase
            }
        })
        .collect();
    Some(match backend {
        Backend::Sqlite => parts.join(" AND "),
        Backend::Postgres => parts
            .iter()
            .map(|p| format!("({p})"))
            .collect::<Vec<_>>()
            .join(" & "),
    })
}

/// The condition on `publications` (no alias) that matches the query bound as `param`.
pub(crate) fn condition(param: &str, backend: Backend) -> String {
    match backend {
        Backend::Sqlite => format!(
            "rowid IN (SELECT rowid FROM publications_search WHERE publications_search MATCH {param})"
        ),
        // The expression of the `publications_search` index, word for word.
        Backend::Postgres => format!(
            "to_tsvector('simple', regexp_replace(search, '[^[:alnum:]]+', ' ', 'g')) \
             @@ to_tsquery('simple', {param})"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_become_phrases_with_a_prefix_last_word() {
        assert_eq!(
            query("CVE-2024-12 jupyter", Backend::Sqlite).as_deref(),
            Some("\"cve 2024 12\" * AND \"jupyter\" *")
        );
        assert_eq!(
            query("CVE-2024-12 jupyter", Backend::Postgres).as_deref(),
            Some("(cve <-> 2024 <-> 12:*) & (jupyter:*)")
        );
    }

    #[test]
    fn syntax_typed_into_the_box_is_dropped() {
        for text in ["\"a\" OR b*", "a:* | !b & (c)", "NEAR(a b)"] {
            for backend in [Backend::Sqlite, Backend::Postgres] {
                let q = query(text, backend).unwrap();
                let words: String = q
                    .chars()
                    .filter(|c| c.is_alphanumeric() || c.is_whitespace())
                    .collect();
                assert!(!q.contains('|') && !q.contains('!'), "{q}");
                assert!(!words.contains("OR") && !words.contains("NEAR"), "{q}");
            }
        }
        assert_eq!(query(" -- ?? ", Backend::Sqlite), None);
    }
}
