//! Inputs for the import fuzz properties: JSON shaped like OSV and GitHub advisories, filled with values that mean something to the importers, and mutations of the real fixtures.

use super::*;

// ---- strings that mean something to the importers ----

pub(crate) const MEANINGFUL: &[&str] = &[
    "0",
    "1",
    "1.0",
    "1.0.0",
    "v1",
    "v4.1-beta",
    "2.0.0rc1",
    "1!2.0",
    "1.1.1w",
    "1.0.post1",
    "1.0+local",
    "1..2",
    "99999999999999999999999999",
    "PyPI",
    "pip",
    "npm",
    "crates.io",
    "rust",
    "Go",
    "go",
    "Maven",
    "maven",
    "NuGet",
    "RubyGems",
    "Packagist",
    "composer",
    "GitHub Actions",
    "actions",
    "Debian:12",
    "ECOSYSTEM",
    "SEMVER",
    "GIT",
    "CVSS_V3",
    "CVSS_V4",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    "CVSS:4.0/AV:N",
    "CVE-2024-35195",
    "CVE-1998-0001",
    "CVE-2024-1",
    "GHSA-9wx4-h78v-vm56",
    "CWE-79",
    "CWE-0",
    "CWE-99999999",
    "2024-05-20T20:15:00Z",
    "2025-02-10T09:12:00.483121Z",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "-009999-01-01T00:00:00Z",
    "2024-02-30T00:00:00Z",
    "pkg:pypi/requests",
    "pkg:pypi/requests@2.0",
    "pkg:npm/%40scope/name@1.0.0",
    "pkg:npm/@",
    "pkg:githubactions/x",
    "pkg:github/o/r",
    "pkg:conda/openssl?channel=conda-forge",
    "pkg:maven/g/a#sub",
    "pkg:/",
    "pkg:",
    "@",
    "https://example.org/advisories/1",
    "https://github.com/o/r/commit/abc",
    "http://",
    "javascript:alert(1)",
    ">= 2.0.0, < 2.1.1",
    "< 1.4.2",
    "<= 0.5.7",
    "= 1.0.0",
    "> 1.0",
    ">=",
    ", ,",
    ">= 1, <= 2, < 3",
    "<=",
    "ADVISORY",
    "FIX",
    "WEB",
    "FINDER",
    "REPORTER",
    "analyst",
    "low",
    "critical",
    "",
    " ",
];

pub(crate) const FIELDS: &[&str] = &[
    // OSV
    "schema_version",
    "id",
    "modified",
    "published",
    "withdrawn",
    "aliases",
    "related",
    "summary",
    "details",
    "severity",
    "type",
    "score",
    "affected",
    "package",
    "ecosystem",
    "name",
    "purl",
    "ranges",
    "repo",
    "events",
    "introduced",
    "fixed",
    "last_affected",
    "limit",
    "versions",
    "ecosystem_specific",
    "database_specific",
    "last_known_affected_version_range",
    "cwe_ids",
    "references",
    "url",
    "credits",
    "contact",
    // GitHub REST
    "ghsa_id",
    "cve_id",
    "html_url",
    "description",
    "source_code_location",
    "identifiers",
    "value",
    "published_at",
    "updated_at",
    "withdrawn_at",
    "vulnerabilities",
    "vulnerable_version_range",
    "first_patched_version",
    "patched_versions",
    "identifier",
    "cvss",
    "cvss_severities",
    "cvss_v3",
    "cvss_v4",
    "vector_string",
    "cwes",
    "credits_detailed",
    "user",
    "login",
];

pub(crate) fn meaningful() -> impl Strategy<Value = String> {
    prop::sample::select(MEANINGFUL).prop_map(str::to_string)
}

/// A string: meaningful, meaningful with something around it, or random.
pub(crate) fn string() -> BoxedStrategy<String> {
    prop_oneof![
        5 => meaningful(),
        2 => (meaningful(), "[ -~]{0,4}", "[ -~]{0,4}").prop_map(|(m, a, b)| format!("{a}{m}{b}")),
        1 => (meaningful(), meaningful()).prop_map(|(a, b)| format!("{a}{b}")),
        2 => "[ -~]{0,24}",
        1 => "\\PC{0,16}",
        1 => prop::collection::vec(any::<char>(), 0..12).prop_map(|c| c.into_iter().collect()),
    ]
    .boxed()
}

pub(crate) fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => prop::sample::select(FIELDS).prop_map(str::to_string),
        1 => "[a-z_]{0,12}",
    ]
}

/// Any JSON value, its object keys mostly the formats' real field names.
pub(crate) fn any_json() -> BoxedStrategy<Value> {
    json_of_depth(4)
}

pub(crate) fn json_of_depth(depth: u32) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        6 => string().prop_map(Value::String),
    ];
    leaf.prop_recursive(depth, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((field(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Usually `shaped`, sometimes anything at all (not nested deep: `shaped` nests already).
pub(crate) fn or_any(shaped: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![4 => shaped, 1 => json_of_depth(2)].boxed()
}

/// Mostly one of `valid`, so that reading gets past the field; sometimes anything.
pub(crate) fn mostly(valid: &'static [&'static str]) -> BoxedStrategy<Value> {
    prop_oneof![
        3 => prop::sample::select(valid).prop_map(|v| Value::String(v.to_string())),
        1 => s(),
    ]
    .boxed()
}

pub(crate) const TIMES: &[&str] = &[
    "2024-05-20T20:15:00Z",
    "2025-02-10T09:12:00.483121Z",
    "2023-01-01T00:00:00+02:00",
    "1999-12-31T23:59:59Z",
];
pub(crate) const IDS: &[&str] = &[
    "GHSA-9wx4-h78v-vm56",
    "PYSEC-2025-17",
    "CVE-2024-35195",
    "RUSTSEC-2024-0001",
];
pub(crate) const V3: &[&str] = &[
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:C/C:N/I:L/A:N",
];
pub(crate) const V4: &[&str] = &["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"];
pub(crate) const CVES: &[&str] = &["CVE-2024-35195", "CVE-2021-44228", "GHSA-9wx4-h78v-vm56"];
pub(crate) const CWES: &[&str] = &["CWE-79", "CWE-670", "CWE-1321"];
pub(crate) const ECOSYSTEMS: &[&str] = &[
    "PyPI",
    "pip",
    "npm",
    "crates.io",
    "rust",
    "Go",
    "Maven",
    "NuGet",
    "RubyGems",
    "composer",
    "GitHub Actions",
    "actions",
];
pub(crate) const NAMES: &[&str] = &[
    "requests",
    "Jupyter_Server",
    "@scope/name",
    "github.com/o/r",
    "org.example:lib",
    "o/r",
];

pub(crate) fn s() -> BoxedStrategy<Value> {
    or_any(string().prop_map(Value::String)).boxed()
}

/// An object from optional fields: absent fields are left out.
pub(crate) fn object(fields: Vec<(&'static str, Option<Value>)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
            .collect::<Map<_, _>>(),
    )
}

pub(crate) fn list(
    item: impl Strategy<Value = Value> + 'static,
    max: usize,
) -> BoxedStrategy<Value> {
    or_any(prop::collection::vec(item, 0..max).prop_map(Value::Array)).boxed()
}

pub(crate) fn osv_event() -> impl Strategy<Value = Value> {
    or_any(
        (
            prop::sample::select(&["introduced", "fixed", "last_affected", "limit", "other"][..]),
            s(),
        )
            .prop_map(|(k, v)| json!({ k: v })),
    )
}

pub(crate) fn osv_affected() -> impl Strategy<Value = Value> {
    let package = or_any(
        (
            prop::option::of(mostly(ECOSYSTEMS)),
            prop::option::of(mostly(NAMES)),
            prop::option::of(s()),
        )
            .prop_map(|(e, n, p)| object(vec![("ecosystem", e), ("name", n), ("purl", p)])),
    );
    let range = or_any(
        (mostly(&["ECOSYSTEM", "SEMVER"]), list(osv_event(), 6)).prop_map(
            |(ty, events)| json!({ "type": ty, "repo": "https://example.org/r", "events": events }),
        ),
    );
    let specific = or_any(
        s().prop_map(|r| json!({ "last_known_affected_version_range": format!("<= {}", r) })),
    );
    or_any(
        (
            prop::option::of(package),
            prop::option::of(list(range, 4)),
            prop::option::of(list(s(), 4)),
            prop::option::of(specific),
            prop::option::of(list(any_json(), 2)),
        )
            .prop_map(|(package, ranges, versions, specific, severity)| {
                object(vec![
                    ("package", package),
                    ("ranges", ranges),
                    ("versions", versions),
                    ("database_specific", specific),
                    ("severity", severity),
                ])
            }),
    )
}

pub(crate) fn typed(key: &'static str) -> impl Strategy<Value = Value> {
    or_any((s(), s()).prop_map(move |(ty, v)| json!({ "type": ty, key: v })))
}

pub(crate) fn osv_doc() -> impl Strategy<Value = Value> {
    let ids = (
        prop::option::of(mostly(IDS)),
        prop::option::of(mostly(TIMES)),
        prop::option::of(mostly(TIMES)),
        prop::option::of(or_any(Just(Value::Null))),
        prop::option::of(list(mostly(CVES), 4)),
        prop::option::of(list(s(), 3)),
    );
    let texts = (prop::option::of(s()), prop::option::of(s()));
    let rest = (
        prop::option::of(list(
            or_any(
                (
                    mostly(&["CVSS_V3", "CVSS_V4"]),
                    prop_oneof![mostly(V3), mostly(V4)],
                )
                    .prop_map(|(ty, v)| json!({ "type": ty, "score": v })),
            ),
            4,
        )),
        prop::option::of(list(osv_affected(), 4)),
        prop::option::of(list(typed("url"), 4)),
        prop::option::of(list(
            or_any((s(), s(), list(s(), 3)).prop_map(
                |(name, ty, contact)| json!({ "name": name, "type": ty, "contact": contact }),
            )),
            3,
        )),
        prop::option::of(or_any(
            (s(), list(mostly(CWES), 4))
                .prop_map(|(sev, cwes)| json!({ "severity": sev, "cwe_ids": cwes })),
        )),
    );
    (any::<bool>(), ids, texts, rest).prop_map(
        |(
            schema,
            (id, modified, published, withdrawn, aliases, related),
            (summary, details),
            rest,
        )| {
            let (severity, affected, references, credits, specific) = rest;
            // Mostly the fields that make a document OSV, so that reading goes deep.
            let id = id.or_else(|| Some(json!("OSV-1")));
            let modified = modified.or_else(|| Some(json!("2024-05-20T20:15:00Z")));
            object(vec![
                ("schema_version", schema.then(|| json!("1.6.0"))),
                ("id", id),
                ("modified", modified),
                ("published", published),
                ("withdrawn", withdrawn),
                ("aliases", aliases),
                ("related", related),
                ("summary", summary),
                ("details", details),
                ("severity", severity),
                ("affected", affected),
                ("references", references),
                ("credits", credits),
                ("database_specific", specific),
            ])
        },
    )
}

pub(crate) fn ghsa_vulnerability() -> impl Strategy<Value = Value> {
    let patched = prop_oneof![
        s(),
        s().prop_map(|v| json!({ "identifier": v })),
        Just(Value::Null),
    ];
    or_any(
        (
            or_any(
                (mostly(ECOSYSTEMS), mostly(NAMES))
                    .prop_map(|(e, n)| json!({ "ecosystem": e, "name": n })),
            ),
            prop::option::of(s()),
            prop::option::of(patched),
            prop::option::of(s()),
        )
            .prop_map(|(package, range, first, patched)| {
                object(vec![
                    ("package", Some(package)),
                    ("vulnerable_version_range", range),
                    ("first_patched_version", first),
                    ("patched_versions", patched),
                ])
            }),
    )
}

pub(crate) fn ghsa_doc() -> impl Strategy<Value = Value> {
    let vector = || {
        or_any(
            prop_oneof![mostly(V3), mostly(V4)]
                .prop_map(|v| json!({ "vector_string": v, "score": 5.0 })),
        )
    };
    let ids = (
        mostly(IDS),
        prop::option::of(mostly(TIMES)),
        prop::option::of(mostly(TIMES)),
        prop::option::of(or_any(Just(Value::Null))),
        prop::option::of(mostly(CVES)),
        prop::option::of(list(
            or_any(mostly(CVES).prop_map(|v| json!({ "value": v }))),
            4,
        )),
    );
    let scores = (
        prop::option::of(vector()),
        prop::option::of(or_any(
            (vector(), vector()).prop_map(|(a, b)| json!({ "cvss_v3": a, "cvss_v4": b })),
        )),
        prop::option::of(s()),
        prop::option::of(list(
            prop_oneof![
                mostly(CWES),
                mostly(CWES).prop_map(|c| json!({ "cwe_id": c }))
            ],
            4,
        )),
    );
    let rest = (
        prop::option::of(s()),
        prop::option::of(s()),
        prop::option::of(list(ghsa_vulnerability(), 4)),
        prop::option::of(list(prop_oneof![s(), s().prop_map(|u| json!({ "url": u }))], 4)),
        prop::option::of(s()),
        prop::option::of(s()),
        prop::option::of(list(
            or_any((s(), s()).prop_map(|(login, ty)| {
                json!({ "user": { "login": login, "html_url": "https://github.com/x" }, "type": ty })
            })),
            3,
        )),
    );
    (ids, scores, rest).prop_map(|(ids, scores, rest)| {
        let (ghsa_id, published, updated, withdrawn, cve, identifiers) = ids;
        let (cvss, severities, severity, cwes) = scores;
        let (summary, description, vulnerabilities, references, html_url, source, credits) = rest;
        let published = published.or_else(|| Some(json!("2024-05-20T20:15:00Z")));
        object(vec![
            ("ghsa_id", Some(ghsa_id)),
            ("published_at", published),
            ("updated_at", updated),
            ("withdrawn_at", withdrawn),
            ("cve_id", cve),
            ("identifiers", identifiers),
            ("cvss", cvss),
            ("cvss_severities", severities),
            ("severity", severity),
            ("cwes", cwes),
            ("summary", summary),
            ("description", description),
            ("vulnerabilities", vulnerabilities),
            ("references", references),
            ("html_url", html_url),
            ("source_code_location", source),
            ("credits", credits),
        ])
    })
}

// ---- JSON tree mutations ----

#[derive(Debug, Clone)]
pub(crate) enum TreeMutation {
    /// Replace the node at a path with any value.
    Replace(Index, Value),
    /// Remove the node (an object member or array item).
    Remove(Index),
    /// Put the node in an array, or an array's first item in its place.
    Wrap(Index),
    /// Copy an array item or object member once more.
    Duplicate(Index),
}

pub(crate) fn tree_mutation() -> impl Strategy<Value = TreeMutation> {
    prop_oneof![
        4 => (any::<Index>(), any_json()).prop_map(|(i, v)| TreeMutation::Replace(i, v)),
        2 => any::<Index>().prop_map(TreeMutation::Remove),
        1 => any::<Index>().prop_map(TreeMutation::Wrap),
        1 => any::<Index>().prop_map(TreeMutation::Duplicate),
    ]
}

/// Every path in `value`: object keys and array indexes from the root.
pub(crate) fn paths(value: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                prefix.push(k.clone());
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                prefix.push(i.to_string());
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

pub(crate) fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

pub(crate) fn mutate_tree(root: &mut Value, m: &TreeMutation) {
    let mut all = Vec::new();
    paths(root, &mut Vec::new(), &mut all);
    let pick = |i: &Index| all[i.index(all.len())].clone();
    match m {
        TreeMutation::Replace(i, v) => {
            if let Some(node) = root.pointer_mut(&pointer(&pick(i))) {
                *node = v.clone();
            }
        }
        TreeMutation::Remove(i) | TreeMutation::Duplicate(i) => {
            let path = pick(i);
            let Some((last, parent)) = path.split_last() else {
                return;
            };
            let duplicate = matches!(m, TreeMutation::Duplicate(_));
            match root.pointer_mut(&pointer(parent)) {
                Some(Value::Object(map)) if duplicate => {
                    if let Some(v) = map.get(last).cloned() {
                        map.insert(format!("{last}_"), v);
                    }
                }
                Some(Value::Object(map)) => {
                    map.remove(last);
                }
                Some(Value::Array(items)) => {
                    let at: usize = last.parse().unwrap();
                    if duplicate {
                        let v = items[at].clone();
                        items.insert(at, v);
                    } else {
                        items.remove(at);
                    }
                }
                _ => {}
            }
        }
        TreeMutation::Wrap(i) => {
            if let Some(node) = root.pointer_mut(&pointer(&pick(i))) {
                *node = match node.take() {
                    Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
                    other => Value::Array(vec![other]),
                };
            }
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum TextMutation {
    Flip(Index, u8),
    Insert(Index, String),
    Delete(Index, usize),
}

pub(crate) fn text_mutation() -> impl Strategy<Value = TextMutation> {
    prop_oneof![
        (any::<Index>(), 0u8..7).prop_map(|(i, b)| TextMutation::Flip(i, b)),
        (
            any::<Index>(),
            prop_oneof![
                prop::sample::select(
                    &[
                        "\"", ",", ":", "{", "}", "[", "]", "null", "\\u0000", "\\ud800", "1e999",
                        "-0", " "
                    ][..]
                )
                .prop_map(str::to_string),
                "[ -~]{1,8}",
            ]
        )
            .prop_map(|(i, s)| TextMutation::Insert(i, s)),
        (any::<Index>(), 1usize..16).prop_map(|(i, n)| TextMutation::Delete(i, n)),
    ]
}

/// Mutates the text as bytes and reads it back lossily (`from_json` takes a `&str`).
pub(crate) fn mutate_text(text: &str, mutations: &[TextMutation]) -> String {
    let mut data = text.as_bytes().to_vec();
    for m in mutations {
        if data.is_empty() {
            data.push(b'{');
        }
        match m {
            TextMutation::Flip(i, bit) => {
                let i = i.index(data.len());
                data[i] ^= 1 << bit;
            }
            TextMutation::Insert(i, s) => {
                let i = i.index(data.len() + 1);
                data.splice(i..i, s.bytes());
            }
            TextMutation::Delete(i, n) => {
                let i = i.index(data.len());
                let end = (i + n).min(data.len());
                data.drain(i..end);
            }
        }
    }
    String::from_utf8_lossy(&data).into_owned()
}
