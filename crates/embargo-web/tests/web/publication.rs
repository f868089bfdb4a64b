//! Publication end to end through HTTP: the team drafts and approves over the API, the
//! case is published, and it shows up on the site, in the feed, in the query endpoint and
//! in all three formats, which the official validators accept. Then the boundary: every
//! private field of a case carries a marker, and no public URL shows it.

use axum::http::StatusCode;
use embargo_app::{Principal, PublicationSettings};
use embargo_core::CreditPreference;
use embargo_formats::Publisher;
use embargo_testkit::cases::advisory;
use embargo_testkit::days;
use embargo_validators::Validator;

use crate::support::{Web, call, json};

async fn web_with_cna() -> Web {
    let mut w = Web::new().await;
    let app = w.state.app.clone().with_publication(PublicationSettings {
        publisher: Publisher {
            name: "Example Org".into(),
            base_url: "http://embargo.test".into(),
            cna_org_id: Some("b3476cb9-2e3d-41a6-98d0-0f47421a65b6".into()),
            cna_short_name: Some("example".into()),
        },
        prefix: "EXAMPLE".into(),
    });
    w.state = w.state.clone().with_app(app);
    w
}

/// Drafts, previews, approves and publishes a case over the JSON API; returns its id.
async fn publish_over_the_api(w: &Web, case: embargo_core::CaseId, in_days: i64) -> String {
    let p = w.t.people;
    let now = w.t.now();
    let dev =
        w.t.app
            .issue_api_token(Principal::Operator, p.developer, "d", Some(90), now)
            .await
            .unwrap();
    let coord =
        w.t.app
            .issue_api_token(Principal::Operator, p.coordinator, "c", Some(90), now)
            .await
            .unwrap();
    let path = format!("/api/v1/cases/{case}/advisory");
    let body = serde_json::json!({"revision": 0, "advisory": advisory()}).to_string();
    let saved = call(w, "PUT", &path, Some(&dev), Some(&body)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(json(&saved)["revision"], 1);
    assert_eq!(json(&saved)["problems"], serde_json::json!([]));
    let preview = json(&call(w, "GET", &format!("{path}/preview"), Some(&dev), None).await);
    assert_eq!(
        preview["publication"]["advisory"]["title"],
        "Token leak in the build bot"
    );
    // The Developer may not approve; the Coordinator does.
    let approve = format!("{path}/approve");
    let res = call(w, "POST", &approve, Some(&dev), Some(r#"{"revision": 1}"#)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let res = call(
        w,
        "POST",
        &approve,
        Some(&coord),
        Some(r#"{"revision": 1}"#),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    w.t.clock.advance(days(in_days));
    let act = format!("/api/v1/cases/{case}/actions");
    let res = call(
        w,
        "POST",
        &act,
        Some(&coord),
        Some(r#"{"action": "publish"}"#),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    w.t.store
        .publication_of_case(case)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn a_published_case_is_on_the_site_in_the_feed_and_in_three_valid_formats() {
    let w = web_with_cna().await;
    let case = w.t.scheduled_case(5).await;
    w.t.app
        .set_credit(
            Principal::Reporter(case),
            case,
            CreditPreference::Name("Rita Reporter".into()),
            w.t.now(),
        )
        .await
        .unwrap();
    // Nothing is public before publication.
    assert!(!w.get("/advisories", None).await.body.contains("Token leak"));
    let id = publish_over_the_api(&w, case, 5).await;
    assert_eq!(id, "EXAMPLE-2026-0001");

    let index = w.get("/advisories", None).await;
    assert!(index.body.contains(&id) && index.body.contains("Token leak in the build bot"));
    // Search by package, by CVE, by severity; and a miss.
    for q in ["?q=build-bot", "?q=cve-2026-40001", "?severity=critical"] {
        let res = w.get(&format!("/advisories{q}"), None).await;
        assert!(res.body.contains(&id), "{q} does not find it");
    }
    assert!(
        !w.get("/advisories?q=nothing-like-this", None)
            .await
            .body
            .contains(&id)
    );
    assert!(
        !w.get("/advisories?severity=low", None)
            .await
            .body
            .contains(&id)
    );

    let page = w.get(&format!("/advisories/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.body.replace("&#60;", "<").replace("&#62;", ">");
    for needle in [
        "CVE-2026-40001",
        "CWE-532",
        ">= 3.0, < 3.1.2",
        "Rita Reporter",
        "Fix released",
        ": Reported</li>",
        ": Advisory published</li>",
    ] {
        assert!(text.contains(needle), "the page lacks {needle}:\n{text}");
    }
    assert!(w.get("/thanks", None).await.body.contains("Rita Reporter"));
    let feed = w.get("/advisories.atom", None).await;
    assert_eq!(
        feed.header("content-type"),
        "application/atom+xml; charset=utf-8"
    );
    assert!(
        feed.body
            .contains(&format!("http://embargo.test/advisories/{id}"))
    );

    // The three formats, checked by the official validators.
    let dir = tempfile::tempdir().unwrap();
    for (format, validator) in [
        ("osv.json", Validator::Osv),
        ("cve.json", Validator::CveRecord),
        ("cna.json", Validator::CveCnaContainer),
    ] {
        let res = w.get(&format!("/advisories/{id}/{format}"), None).await;
        assert_eq!(res.status, StatusCode::OK, "{format}");
        let file = dir.path().join(format);
        std::fs::write(&file, &res.body).unwrap();
        validator.assert_valid(&[&file]);
    }
    let provider = json(
        &w.get("/.well-known/csaf/provider-metadata.json", None)
            .await,
    );
    assert_eq!(
        provider["canonical_url"],
        "http://embargo.test/.well-known/csaf/provider-metadata.json"
    );
    let index = w.get("/.well-known/csaf/white/index.txt", None).await.body;
    let path = index.lines().next().unwrap().to_string();
    assert!(
        w.get("/.well-known/csaf/white/changes.csv", None)
            .await
            .body
            .contains(&path)
    );
    let csaf = w
        .get(&format!("/.well-known/csaf/white/{path}"), None)
        .await;
    assert_eq!(csaf.status, StatusCode::OK, "{path}");
    assert_eq!(
        csaf.body,
        w.get(&format!("/advisories/{id}/csaf.json"), None)
            .await
            .body
    );
    let file = dir.path().join("csaf.json");
    std::fs::write(&file, &csaf.body).unwrap();
    Validator::Csaf.assert_valid(&[&file]);
    assert!(
        w.get("/.well-known/security.txt", None)
            .await
            .body
            .contains("CSAF: http://embargo.test/.well-known/csaf/provider-metadata.json")
    );

    // The query endpoint: OSV's shape, each ecosystem's version rules.
    let query = async |body: &str| {
        let res = call(&w, "POST", "/api/v1/query", None, Some(body)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        json(&res)["vulns"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(
        query(r#"{"package": {"purl": "pkg:pypi/build-bot"}, "version": "3.1.1"}"#).await,
        1
    );
    assert_eq!(
        query(r#"{"package": {"purl": "pkg:pypi/build-bot"}, "version": "3.1.2"}"#).await,
        0
    );
    assert_eq!(
        query(r#"{"package": {"name": "build-bot", "ecosystem": "PyPI"}, "version": "3.0"}"#).await,
        1
    );
    let bad = call(
        &w,
        "POST",
        "/api/v1/query",
        None,
        Some(r#"{"package": {}}"#),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(json(&bad)["code"], 3, "osv.dev's INVALID_ARGUMENT");
    // A revision: edited, approved again, published under the same id; CSAF keeps history.
    let coord =
        w.t.app
            .issue_api_token(
                Principal::Operator,
                w.t.people.coordinator,
                "c2",
                Some(90),
                w.t.now(),
            )
            .await
            .unwrap();
    let mut changed = advisory();
    changed.workarounds = "Turn debug logging off, then rotate every token.".into();
    let body = serde_json::json!({"revision": 1, "advisory": changed}).to_string();
    let path = format!("/api/v1/cases/{case}/advisory");
    assert_eq!(
        call(&w, "PUT", &path, Some(&coord), Some(&body))
            .await
            .status,
        StatusCode::OK
    );
    let early = call(&w, "POST", &format!("{path}/publish"), Some(&coord), None).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    call(
        &w,
        "POST",
        &format!("{path}/approve"),
        Some(&coord),
        Some(r#"{"revision": 2}"#),
    )
    .await;
    let res = call(&w, "POST", &format!("{path}/publish"), Some(&coord), None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        w.get(&format!("/advisories/{id}"), None)
            .await
            .body
            .contains("revision 2")
    );
    let csaf = w.get(&format!("/advisories/{id}/csaf.json"), None).await;
    assert_eq!(
        json(&csaf)["document"]["tracking"]["revision_history"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    std::fs::write(&file, &csaf.body).unwrap();
    Validator::Csaf.assert_valid(&[&file]);

    // Unknown advisories and formats are plain 404s.
    assert_eq!(
        w.get("/advisories/EXAMPLE-2026-0999", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.get(&format!("/advisories/{id}/pdf"), None).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The boundary (PROCESS.md, Public and private): fill every private field with a marker,
/// publish, fetch every public URL and export, and find no marker.
#[tokio::test]
async fn no_private_content_reaches_any_public_page_feed_or_export() {
    const MARKER: &str = "ZZPRIVATE7731";
    let w = web_with_cna().await;
    let mut content =
        embargo_testkit::report(&format!("{}@reporter.example", MARKER.to_lowercase()));
    content.title = format!("Report title {MARKER}");
    content.description = format!("Report text {MARKER}");
    content.reproduction = format!("Steps {MARKER}");
    content.impact = format!("Impact {MARKER}");
    content.affected_versions = format!("versions {MARKER}");
    content.reporter_name = format!("Name {MARKER}");
    // Credited by handle only: the name and address they gave stay private.
    content.credit = CreditPreference::Handle("@credited-handle".into());
    let case = w.t.scheduled_case_with(content, 4, MARKER).await;
    let id = publish_over_the_api(&w, case, 4).await;
    // A second, deadline-disclosed case, also full of markers.
    let mut content = embargo_testkit::report("other@reporter.example");
    content.description = format!("Another {MARKER}");
    let late = w.t.scheduled_case_with(content, 4, MARKER).await;
    let due = w.t.store.case(late).await.unwrap().deadlines.disclose_by;
    w.t.clock.set(due);
    assert!(w.t.app.disclose_if_due(late, due, w.t.now()).await.unwrap());
    let late_id =
        w.t.store
            .publication_of_case(late)
            .await
            .unwrap()
            .unwrap()
            .id;

    let people = [
        "coco@example.org",
        "dev@example.org",
        "Coco Ordinator",
        "reporter.example",
    ];
    let mut urls = vec![
        "/".to_string(),
        "/advisories".into(),
        "/advisories?q=build".into(),
        "/advisories.atom".into(),
        "/thanks".into(),
        "/api/v1/advisories".into(),
        "/.well-known/security.txt".into(),
        "/.well-known/csaf/provider-metadata.json".into(),
        "/.well-known/csaf/white/index.txt".into(),
        "/.well-known/csaf/white/changes.csv".into(),
    ];
    for a in [&id, &late_id] {
        urls.push(format!("/advisories/{a}"));
        for f in ["osv.json", "cve.json", "cna.json", "csaf.json"] {
            urls.push(format!("/advisories/{a}/{f}"));
        }
    }
    let index = w.get("/.well-known/csaf/white/index.txt", None).await.body;
    urls.extend(
        index
            .lines()
            .map(|l| format!("/.well-known/csaf/white/{l}")),
    );
    let mut fetched = 0;
    for url in &urls {
        let res = w.get(url, None).await;
        if res.status == StatusCode::NOT_FOUND && url.ends_with("cve.json") {
            continue; // the deadline-disclosed case has no CVE id
        }
        assert_eq!(res.status, StatusCode::OK, "{url}");
        fetched += 1;
        assert!(
            !res.body.contains(MARKER),
            "{url} shows private content:\n{}",
            res.body
        );
        assert!(
            !res.body.to_lowercase().contains(&MARKER.to_lowercase()),
            "{url}"
        );
        for who in people {
            assert!(!res.body.contains(who), "{url} names {who}");
        }
    }
    assert!(fetched >= 20, "only {fetched} public documents fetched");
    let query = call(
        &w,
        "POST",
        "/api/v1/query",
        None,
        Some(r#"{"package": {"purl": "pkg:pypi/build-bot"}}"#),
    )
    .await;
    assert!(!query.body.contains(MARKER));
    assert!(query.body.contains("@credited-handle"));
    // The documents the command line exports hold no marker either.
    let all = w.state.app.all_published().await.unwrap();
    let publisher = &w.state.app.publication_settings().publisher;
    for p in &all {
        for doc in [
            embargo_formats::osv::document(publisher, p),
            embargo_formats::csaf::document(publisher, p),
            embargo_formats::cve5::cna_container(publisher, p),
        ] {
            let text = doc.to_string();
            assert!(!text.contains(MARKER), "{text}");
        }
    }
}
