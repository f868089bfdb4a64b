//! Every line of OSV's version-ordering fixtures (`fixtures/*.txt`, vendored from
//! google/osv-scalibr; see `fixtures/README.md`), against each scheme that follows it. The
//! lines a scheme deliberately does not follow, and the versions it deliberately refuses,
//! are listed in the README's tables with the reason; those are checked too (a listed line
//! must fail, a listed version must be refused), so that the tables stay true.

use std::collections::BTreeSet;

use super::*;

/// (file, contents, the schemes that must follow it)
const FIXTURES: &[(&str, &str, &[Scheme])] = &[
    (
        "semver-versions.txt",
        include_str!("fixtures/semver-versions.txt"),
        &[
            Scheme::Semver,
            Scheme::Go,
            Scheme::Hex,
            Scheme::GitHubActions,
        ],
    ),
    (
        "pub-versions.txt",
        include_str!("fixtures/pub-versions.txt"),
        &[Scheme::Pub],
    ),
    (
        "nuget-versions.txt",
        include_str!("fixtures/nuget-versions.txt"),
        &[Scheme::NuGet],
    ),
    (
        "maven-versions.txt",
        include_str!("fixtures/maven-versions.txt"),
        &[Scheme::Maven],
    ),
    (
        "maven-versions-generated.txt",
        include_str!("fixtures/maven-versions-generated.txt"),
        &[Scheme::Maven],
    ),
    (
        "rubygems-versions.txt",
        include_str!("fixtures/rubygems-versions.txt"),
        &[Scheme::RubyGems],
    ),
    (
        "rubygems-versions-generated.txt",
        include_str!("fixtures/rubygems-versions-generated.txt"),
        &[Scheme::RubyGems],
    ),
    (
        "packagist-versions.txt",
        include_str!("fixtures/packagist-versions.txt"),
        &[Scheme::Packagist],
    ),
    (
        "packagist-versions-generated.txt",
        include_str!("fixtures/packagist-versions-generated.txt"),
        &[Scheme::Packagist],
    ),
    (
        "pypi-versions.txt",
        include_str!("fixtures/pypi-versions.txt"),
        &[Scheme::Pep440],
    ),
    (
        "pypi-versions-generated.txt",
        include_str!("fixtures/pypi-versions-generated.txt"),
        &[Scheme::Pep440],
    ),
];

/// The comparison lines of a fixture: `a < b`, `a = b` or `a > b`; blank lines and `#` or
/// `//` comments are skipped, as OSV's own test runner skips them.
fn lines(text: &str) -> impl Iterator<Item = (&str, &str, &str, Ordering)> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with("# ") && !l.starts_with("// "))
        .map(|line| {
            let parts: Vec<&str> = line.split(' ').collect();
            assert_eq!(parts.len(), 3, "{line:?}");
            let want = match parts[1] {
                "<" => Ordering::Less,
                "=" => Ordering::Equal,
                ">" => Ordering::Greater,
                op => panic!("unknown comparison {op:?} in {line:?}"),
            };
            (line, parts[0], parts[2], want)
        })
}

/// The README's table rows `| file | line or version | schemes | reason |`, as (file, line
/// or version, scheme).
fn exceptions() -> BTreeSet<(String, String, String)> {
    let readme = include_str!("fixtures/README.md");
    let Some((_, table)) = readme.split_once("## Lines and versions not followed") else {
        panic!("the README has no table of lines not followed");
    };
    let mut out = BTreeSet::new();
    for row in table.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let [_, file, line, schemes, _reason, _] = cells[..] else {
            panic!("a README row has not four cells: {row:?}");
        };
        let unquote = |s: &str| s.trim_matches('`').to_string();
        for scheme in schemes.split(',') {
            out.insert((unquote(file), unquote(line), scheme.trim().to_string()));
        }
    }
    out
}

/// Whether the scheme orders `a` and `b` as the line says, both ways round.
fn follows(scheme: Scheme, a: &str, b: &str, want: Ordering) -> Result<(), String> {
    let there = compare(scheme, a, b).map_err(|e| e.to_string())?;
    let back = compare(scheme, b, a).map_err(|e| e.to_string())?;
    if there == want && back == want.reverse() {
        Ok(())
    } else {
        Err(format!("compared {there:?}, and {back:?} the other way"))
    }
}

#[test]
fn every_fixture_line_is_followed_or_listed() {
    let listed = exceptions();
    let mut used = BTreeSet::new();
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for (file, text, schemes) in FIXTURES {
        let mut n = 0;
        for (line, a, b, want) in lines(text) {
            n += 1;
            for &scheme in *schemes {
                let label = scheme.label().to_string();
                let key = |entry: &str| (file.to_string(), entry.to_string(), label.clone());
                let result = follows(scheme, a, b, want);
                let line_listed = listed.contains(&key(line));
                let refused: Vec<&str> = [a, b]
                    .into_iter()
                    .filter(|v| listed.contains(&key(v)))
                    .collect();
                used.insert(key(line));
                used.extend(refused.iter().map(|v| key(v)));
                let what = format!("{file}: {line:?} ({label})");
                if let Some(v) = refused.iter().find(|v| check_version(scheme, v).is_ok()) {
                    failures.push(format!("{what}: {v:?} is listed as refused but parses"));
                } else if line_listed || !refused.is_empty() {
                    if result.is_ok() {
                        failures.push(format!("{what} is listed in the README but passes"));
                    }
                } else if let Err(why) = result {
                    failures.push(format!("{what}: {why}"));
                }
            }
        }
        counts.push((*file, n));
    }
    let unused: Vec<_> = listed.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "README rows that match no fixture line or version: {unused:#?}"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Guard against a fixture silently read as empty.
    for (file, n) in counts {
        assert!(n > 10, "{file} has only {n} lines");
    }
}
