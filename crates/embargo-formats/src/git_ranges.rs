//! GIT ranges of OSV documents, and the commits they affect.
//!
//! OSV's GIT ranges name commits, not versions: a commit is affected when it descends from
//! (or is) an `introduced` commit and does not descend from (or is) a `fixed` commit of
//! that stretch, nor strictly from a `last_affected` one, and comes before a `limit`.
//! Working that out needs the repository's history; osv.dev keeps the affected commits of
//! each advisory in an index, and so does embargo (`embargo osv index-commits`). The
//! history is read through [`History`], so that this crate stays free of I/O.

use std::collections::BTreeSet;

use serde_json::Value;

/// One GIT range: the repository and its events, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitRange {
    pub repo: String,
    pub introduced: Vec<String>,
    pub fixed: Vec<String>,
    pub last_affected: Vec<String>,
    pub limit: Vec<String>,
}

/// The GIT ranges of an OSV document, in document order.
pub fn git_ranges(document: &Value) -> Vec<GitRange> {
    let mut out = Vec::new();
    for entry in document["affected"].as_array().into_iter().flatten() {
        for range in entry["ranges"].as_array().into_iter().flatten() {
            if range["type"].as_str() != Some("GIT") {
                continue;
            }
            let Some(repo) = range["repo"].as_str() else {
                continue;
            };
            let mut git = GitRange {
                repo: repo.to_string(),
                ..GitRange::default()
            };
            for event in range["events"].as_array().into_iter().flatten() {
                let Some((kind, Value::String(commit))) =
                    event.as_object().and_then(|o| o.iter().next())
                else {
                    continue;
                };
                let list = match kind.as_str() {
                    "introduced" => &mut git.introduced,
                    "fixed" => &mut git.fixed,
                    "last_affected" => &mut git.last_affected,
                    "limit" => &mut git.limit,
                    _ => continue,
                };
                list.push(commit.trim().to_ascii_lowercase());
            }
            out.push(git);
        }
    }
    out
}

/// A repository URL as a key: scheme, case of the host, a trailing `/` or `.git` do not
/// make another repository (`https://github.com/harfbuzz/harfbuzz.git` is
/// `https://github.com/harfbuzz/harfbuzz`).
pub fn repo_key(url: &str) -> String {
    let url = url.trim();
    let rest = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    match rest.split_once('/') {
        Some((host, path)) => format!("{}/{path}", host.to_ascii_lowercase()),
        None => rest.to_ascii_lowercase(),
    }
}

/// A full commit hash (SHA-1 or SHA-256, hexadecimal).
pub fn is_commit_hash(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A repository's history, as [`affected_commits`] needs it.
pub trait History {
    type Error;
    /// Every commit reachable from the repository's refs.
    fn all(&mut self) -> Result<BTreeSet<String>, Self::Error>;
    /// The commits that descend from `commit` (not `commit` itself), reachable from refs.
    fn descendants(&mut self, commit: &str) -> Result<BTreeSet<String>, Self::Error>;
    /// `commit` and every commit it descends from.
    fn ancestors(&mut self, commit: &str) -> Result<BTreeSet<String>, Self::Error>;
}

/// The commits a range affects. Each `introduced` commit (or `0`, the first commit) starts
/// a stretch; the `fixed` and `last_affected` commits inside that stretch end it, so a fix
/// on one branch leaves another branch affected, and a later re-introduction starts again.
pub fn affected_commits<H: History>(
    range: &GitRange,
    history: &mut H,
) -> Result<BTreeSet<String>, H::Error> {
    let mut affected = BTreeSet::new();
    for introduced in &range.introduced {
        let mut stretch = if introduced == "0" {
            history.all()?
        } else {
            let mut s = history.descendants(introduced)?;
            s.insert(introduced.clone());
            s
        };
        // The ends inside this stretch, decided before any is cut off.
        let fixed: Vec<&String> = range
            .fixed
            .iter()
            .filter(|f| stretch.contains(*f))
            .collect();
        let last: Vec<&String> = (range.last_affected.iter())
            .filter(|l| stretch.contains(*l))
            .collect();
        for fixed in fixed {
            let after = history.descendants(fixed)?;
            stretch.remove(fixed);
            stretch.retain(|c| !after.contains(c));
        }
        for last in last {
            let after = history.descendants(last)?;
            stretch.retain(|c| !after.contains(c));
        }
        affected.extend(stretch);
    }
    if !range.limit.is_empty() {
        // `limit` is exclusive: the commits before it, on its ancestry.
        let mut before = BTreeSet::new();
        for limit in &range.limit {
            let mut a = history.ancestors(limit)?;
            a.remove(limit);
            before.extend(a);
        }
        affected.retain(|c| before.contains(c));
    }
    Ok(affected)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A history given as each commit's parents.
    struct Graph(BTreeMap<&'static str, Vec<&'static str>>);

    impl Graph {
        fn parents_closure(&self, c: &str) -> BTreeSet<String> {
            let mut out = BTreeSet::new();
            let mut todo = vec![c.to_string()];
            while let Some(c) = todo.pop() {
                if out.insert(c.clone()) {
                    todo.extend(self.0[c.as_str()].iter().map(|p| p.to_string()));
                }
            }
            out
        }
    }

    impl History for Graph {
        type Error = ();
        fn all(&mut self) -> Result<BTreeSet<String>, ()> {
            Ok(self.0.keys().map(|k| k.to_string()).collect())
        }
        fn descendants(&mut self, commit: &str) -> Result<BTreeSet<String>, ()> {
            Ok(self
                .0
                .keys()
                .filter(|k| **k != commit && self.parents_closure(k).contains(commit))
                .map(|k| k.to_string())
                .collect())
        }
        fn ancestors(&mut self, commit: &str) -> Result<BTreeSet<String>, ()> {
            Ok(self.parents_closure(commit))
        }
    }

    /// a - b - c - d - e (main), and c - x - y (a release branch without the fix d).
    fn graph() -> Graph {
        Graph(BTreeMap::from([
            ("a", vec![]),
            ("b", vec!["a"]),
            ("c", vec!["b"]),
            ("d", vec!["c"]),
            ("e", vec!["d"]),
            ("x", vec!["c"]),
            ("y", vec!["x"]),
        ]))
    }

    fn range(introduced: &[&str], fixed: &[&str], last: &[&str], limit: &[&str]) -> GitRange {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect();
        GitRange {
            repo: "r".into(),
            introduced: v(introduced),
            fixed: v(fixed),
            last_affected: v(last),
            limit: v(limit),
        }
    }

    fn commits(r: GitRange) -> Vec<String> {
        affected_commits(&r, &mut graph())
            .unwrap()
            .into_iter()
            .collect()
    }

    #[test]
    fn a_fix_on_one_branch_leaves_the_other_affected() {
        assert_eq!(
            commits(range(&["b"], &["d"], &[], &[])),
            ["b", "c", "x", "y"]
        );
        assert_eq!(
            commits(range(&["0"], &["d"], &[], &[])),
            ["a", "b", "c", "x", "y"]
        );
    }

    #[test]
    fn last_affected_and_limit_end_the_stretch() {
        assert_eq!(commits(range(&["b"], &[], &["c"], &[])), ["b", "c"]);
        assert_eq!(commits(range(&["0"], &[], &[], &["d"])), ["a", "b", "c"]);
    }

    #[test]
    fn a_fix_outside_the_stretch_does_not_end_it() {
        // Fixed at c, re-introduced at x (after c): x and y are affected again.
        assert_eq!(
            commits(range(&["a", "x"], &["c"], &[], &[])),
            ["a", "b", "x", "y"]
        );
    }

    #[test]
    fn repositories_are_keyed_loosely() {
        assert_eq!(
            repo_key("https://GitHub.com/harfbuzz/harfbuzz.git/"),
            "github.com/harfbuzz/harfbuzz"
        );
        assert_eq!(
            repo_key("git://github.com/harfbuzz/harfbuzz"),
            repo_key("https://github.com/harfbuzz/harfbuzz")
        );
    }

    #[test]
    fn ranges_are_read_from_documents() {
        let doc = serde_json::json!({"affected": [{"ranges": [
            {"type": "SEMVER", "events": [{"introduced": "0"}]},
            {"type": "GIT", "repo": "https://example.org/r", "events": [
                {"introduced": "0"}, {"fixed": "ABCDEF"}, {"limit": "0123"}]}]}]});
        assert_eq!(
            git_ranges(&doc),
            [GitRange {
                repo: "https://example.org/r".into(),
                introduced: vec!["0".into()],
                fixed: vec!["abcdef".into()],
                last_affected: vec![],
                limit: vec!["0123".into()],
            }]
        );
    }
}
