//! The public index's search box: terms find the start of words (through the full-text
//! index of each database) in ids, aliases, titles and package names, every term must
//! match, and what is typed cannot break the query.

use axum::http::StatusCode;
use embargo_app::Principal;

use crate::support::Web;

fn advisory(id: &str, alias: &str, summary: &str, package: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "aliases": [alias],
        "modified": "2024-02-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
        "summary": summary, "details": "d",
        "affected": [{"package": {"ecosystem": "PyPI", "name": package},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.1"}]}]}],
    })
}

fn found(body: &str) -> Vec<String> {
    let mut ids: Vec<String> = body
        .split("<a href=\"/advisories/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn terms_find_the_start_of_words_and_all_must_match() {
    let w = Web::new().await;
    let now: jiff::Timestamp = "2026-11-30T12:00:00Z".parse().unwrap();
    let items: Vec<_> = [
        advisory(
            "PYSEC-2024-1",
            "CVE-2024-12345",
            "Path traversal in the notebook server",
            "jupyter-server",
        ),
        advisory(
            "PYSEC-2024-2",
            "CVE-2024-9999",
            "Token leak in the build bot",
            "conda-build",
        ),
        advisory(
            "PYSEC-2024-3",
            "CVE-2023-12",
            "Crash in the kernel gateway",
            "kernel-gateway",
        ),
    ]
    .iter()
    .map(|d| embargo_formats::import::from_json(&d.to_string(), now).unwrap())
    .collect();
    w.t.app
        .import_published(Principal::Operator, &items, w.t.now())
        .await
        .unwrap();

    for (q, expected) in [
        ("cve-2024-123", &["PYSEC-2024-1"][..]),
        ("CVE-2024", &["PYSEC-2024-1", "PYSEC-2024-2"][..]),
        ("server", &["PYSEC-2024-1"][..]),
        ("traver", &["PYSEC-2024-1"][..]),
        ("jupyter traversal", &["PYSEC-2024-1"][..]),
        ("jupyter token", &[][..]),
        ("conda-build", &["PYSEC-2024-2"][..]),
        ("pysec-2024-3", &["PYSEC-2024-3"][..]),
        // Not the middle of a word.
        ("aversal", &[][..]),
        // Query syntax is taken as words.
        ("\"kernel\" OR token*", &[][..]),
        ("NEAR(kernel gateway)", &[][..]),
        ("-- ?? !", &[][..]),
    ] {
        let page = w
            .get(&format!("/advisories?q={}", urlencoding(q)), None)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{q}");
        assert_eq!(found(&page.body), expected, "{q}");
    }
}

fn urlencoding(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
