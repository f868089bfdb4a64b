//! Conditional requests on the public side: pages, the feed and documents carry an `ETag`,
//! and a poll naming it gets `304 Not Modified` without a body, until something changes.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use embargo_app::Principal;

use crate::support::{Res, Web};

async fn import(w: &Web, id: &str, summary: &str) {
    let now: jiff::Timestamp = "2026-11-30T12:00:00Z".parse().unwrap();
    let doc = serde_json::json!({
        "id": id, "modified": "2024-02-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
        "summary": summary, "details": "d",
    });
    let item = embargo_formats::import::from_json(&doc.to_string(), now).unwrap();
    w.t.app
        .import_published(Principal::Operator, &[item], w.t.now())
        .await
        .unwrap();
}

async fn get_if_none_match(w: &Web, path: &str, tag: &str) -> Res {
    let req = Request::get(path)
        .header("if-none-match", tag)
        .body(Body::empty())
        .unwrap();
    w.send(req).await
}

#[tokio::test]
async fn public_pages_feeds_and_documents_answer_conditional_polls_with_304() {
    let w = Web::new().await;
    import(&w, "OSV-2024-0001", "First advisory").await;
    for path in [
        "/advisories",
        "/advisories.atom",
        "/advisories/OSV-2024-0001",
        "/advisories/OSV-2024-0001/osv.json",
        "/v1/vulns/OSV-2024-0001",
        "/.well-known/security.txt",
    ] {
        let first = w.get(path, None).await;
        assert_eq!(first.status, StatusCode::OK, "{path}: {}", first.body);
        let tag = first.header("etag");
        assert!(tag.starts_with("W/\"") && tag.len() > 10, "{path}: {tag:?}");
        assert_eq!(
            w.get(path, None).await.header("etag"),
            tag,
            "{path}: stable"
        );
        let again = get_if_none_match(&w, path, &tag).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.bytes.is_empty(), "{path}: a 304 has no body");
        assert_eq!(again.header("etag"), tag);
        // Security headers still apply.
        assert!(!again.header("x-content-type-options").is_empty(), "{path}");
        let other = get_if_none_match(&w, path, "\"something-else\"").await;
        assert_eq!(other.status, StatusCode::OK, "{path}");
    }

    // A new advisory changes the index and the feed: the old tag no longer matches.
    let index_tag = w.get("/advisories", None).await.header("etag");
    import(&w, "OSV-2024-0002", "Second advisory").await;
    let changed = get_if_none_match(&w, "/advisories", &index_tag).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert!(changed.body.contains("Second advisory"));

    // Text is compressed for clients that take it; the tag still matches.
    let req = Request::get("/advisories")
        .header("accept-encoding", "br, gzip")
        .body(Body::empty())
        .unwrap();
    let compressed = w.send(req).await;
    assert_eq!(compressed.header("content-encoding"), "br");
    assert!(
        compressed
            .header("vary")
            .to_lowercase()
            .contains("accept-encoding")
    );
    let plain = w.get("/advisories", None).await;
    assert!(
        compressed.bytes.len() < plain.bytes.len() / 2,
        "{} vs {}",
        compressed.bytes.len(),
        plain.bytes.len()
    );
    let req = Request::get("/advisories")
        .header("accept-encoding", "gzip")
        .header("if-none-match", plain.header("etag"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(w.send(req).await.status, StatusCode::NOT_MODIFIED);

    // Private and team pages are never tagged, nor compressed: they carry CSRF tokens, and
    // compressed sizes would leak them (BREACH).
    assert!(w.get("/login", None).await.header("etag").is_empty());
    let req = Request::get("/login")
        .header("accept-encoding", "br, gzip")
        .body(Body::empty())
        .unwrap();
    assert!(w.send(req).await.header("content-encoding").is_empty());
}
