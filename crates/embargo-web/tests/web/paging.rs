//! Lists that grow are paged: the public index (50 a page, newer/older links), the
//! advisories API (cursor) and the Atom feed (RFC 5005 links). Nothing stops silently.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use embargo_app::Principal;

use crate::support::{Web, call, json};

/// 120 advisories, imported (the quickest way to many publications).
async fn many(w: &Web) -> BTreeSet<String> {
    let mut items = Vec::new();
    let now: jiff::Timestamp = "2026-11-30T12:00:00Z".parse().unwrap();
    for i in 0..120 {
        // Some share a publication time: the cursor orders them by id too.
        let day = 1 + i / 2;
        let doc = serde_json::json!({
            "id": format!("OSV-2024-{i:04}"),
            "modified": format!("2024-02-{:02}T00:00:00Z", 1 + day % 28),
            "published": format!("2024-01-{:02}T00:00:00Z", 1 + day % 28),
            "summary": format!("Advisory number {i}"), "details": "d",
        });
        items.push(embargo_formats::import::from_json(&doc.to_string(), now).unwrap());
    }
    let outcome =
        w.t.app
            .import_published(Principal::Operator, &items, w.t.now())
            .await
            .unwrap();
    assert_eq!(outcome.imported.len(), 120);
    items.into_iter().map(|i| i.publication.id).collect()
}

fn ids_on_index(body: &str) -> Vec<String> {
    body.split("<a href=\"/advisories/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.to_string())
        .collect()
}

fn link(body: &str, id: &str) -> Option<String> {
    let at = body.find(&format!("id=\"{id}\""))?;
    let start = body[..at].rfind("href=\"")? + 6;
    Some(body[start..].split('"').next()?.replace("&amp;", "&"))
}

#[tokio::test]
async fn the_index_the_api_and_the_feed_page_through_everything_once() {
    let w = Web::new().await;
    let all = many(&w).await;

    // The index: 50, 50, 20, each once, in order; and back.
    let mut seen = Vec::new();
    let mut url = "/advisories".to_string();
    let mut pages = Vec::new();
    loop {
        let page = w.get(&url, None).await;
        assert_eq!(page.status, StatusCode::OK);
        let ids = ids_on_index(&page.body);
        assert!(ids.len() <= 50);
        seen.extend(ids.clone());
        pages.push((url.clone(), ids));
        match link(&page.body, "older") {
            Some(next) => url = next,
            None => break,
        }
    }
    assert_eq!(
        pages.iter().map(|(_, ids)| ids.len()).collect::<Vec<_>>(),
        [50, 50, 20]
    );
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), all);
    assert_eq!(seen.len(), all.len(), "nothing twice");
    let last = w.get(&pages[2].0, None).await;
    let back = w.get(&link(&last.body, "newer").unwrap(), None).await;
    assert_eq!(ids_on_index(&back.body), pages[1].1, "newer leads back");
    assert!(link(&w.get("/advisories", None).await.body, "newer").is_none());
    // The search is kept across pages.
    let searched = w.get("/advisories?q=advisory+number", None).await;
    assert!(
        link(&searched.body, "older")
            .unwrap()
            .contains("q=advisory")
    );
    assert_eq!(
        w.get("/advisories?after=bogus", None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The API: a cursor chain.
    let mut cursor: Option<String> = None;
    let mut api_seen = Vec::new();
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/advisories?limit=45&cursor={c}"),
            None => "/api/v1/advisories?limit=45".to_string(),
        };
        let res = call(&w, "GET", &url, None, None).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let body = json(&res);
        api_seen.extend(
            body["advisories"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_str().unwrap().to_string()),
        );
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(api_seen, seen, "the same order as the index");
    for bad in [
        "/api/v1/advisories?limit=0",
        "/api/v1/advisories?limit=501",
        "/api/v1/advisories?cursor=bogus",
    ] {
        assert_eq!(
            call(&w, "GET", bad, None, None).await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }

    // The feed: the latest 50, then RFC 5005 "next" links to older pages.
    let mut feed_seen = 0;
    let mut url = "/advisories.atom".to_string();
    loop {
        let feed = w.get(&url, None).await;
        assert_eq!(feed.status, StatusCode::OK);
        let entries = feed.body.matches("<entry>").count();
        assert!(entries <= 50);
        feed_seen += entries;
        let next = feed
            .body
            .split("<link rel=\"next\" href=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(|s| s.replace("&amp;", "&"));
        match next {
            Some(abs) => url = abs[abs.find("/advisories.atom").unwrap()..].to_string(),
            None => break,
        }
    }
    assert_eq!(feed_seen, 120);
}
