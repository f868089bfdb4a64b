//! osv.dev's API on the installation: request semantics as osv.dev documents them, and
//! every answer checked against osv.dev's published description (`vendor/osv.dev/`).

use std::io::Write;

use axum::http::StatusCode;
use embargo_app::Principal;
use embargo_testkit::cases::advisory;
use embargo_testkit::days;

use crate::support::{Web, call, json};

/// Checks `doc` against a definition of osv.dev's Swagger document (JSON Schema draft 4
/// with `#/definitions/...` references), with the validators' Python.
fn conforms(doc: &serde_json::Value, definition: &str) {
    // This crate's own path: a target directory shared between checkouts may have built
    // embargo-validators (and its vendor_dir) from another one.
    let swagger = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../vendor/osv.dev/osv_service_v1.swagger.json");
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(doc.to_string().as_bytes()).unwrap();
    let script = format!(
        "import json,sys\nfrom jsonschema import Draft4Validator\n\
         s=json.load(open(sys.argv[1]))\n\
         v=Draft4Validator({{'definitions': s['definitions'], '$ref': '#/definitions/{definition}'}})\n\
         errs=[e.message for e in v.iter_errors(json.load(open(sys.argv[2])))]\n\
         print('\\n'.join(errs)); sys.exit(1 if errs else 0)"
    );
    let out = std::process::Command::new(embargo_validators::python())
        .arg("-c")
        .arg(script)
        .arg(&swagger)
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "not a {definition}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn published(w: &Web) -> String {
    let id = w.t.scheduled_case(2).await;
    w.t.approve_advisory(id, advisory()).await;
    w.t.clock.advance(days(2));
    w.t.app
        .publish(Principal::User(w.t.people.coordinator), id, w.t.now())
        .await
        .unwrap();
    w.t.store.publication_of_case(id).await.unwrap().unwrap().id
}

#[tokio::test]
async fn queries_answer_as_osv_dev_does() {
    let w = Web::new().await;
    let id = published(&w).await;
    let osv_id = embargo_formats::osv::id(&id);
    let post = async |path: &str, body: &str| call(&w, "POST", path, None, Some(body)).await;

    let res = post(
        "/v1/query",
        r#"{"package": {"name": "build-bot", "ecosystem": "PyPI"}, "version": "3.1.1"}"#,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let found = json(&res);
    assert_eq!(found["vulns"][0]["id"], osv_id.as_str());
    conforms(&found, "v1VulnerabilityList");
    // The alias answers the same.
    let alias = post(
        "/api/v1/query",
        r#"{"package": {"purl": "pkg:pypi/build-bot@3.1.1"}}"#,
    )
    .await;
    assert_eq!(json(&alias)["vulns"][0]["id"], osv_id.as_str());

    // Nothing matched: `{}`, not an empty list; nor for a version nobody can read, an
    // ecosystem spelt otherwise than OSV spells it, an unknown one, or a commit.
    for body in [
        r#"{"package": {"name": "build-bot", "ecosystem": "PyPI"}, "version": "3.1.2"}"#,
        r#"{"package": {"name": "build-bot", "ecosystem": "PyPI"}, "version": "not a version!"}"#,
        r#"{"package": {"name": "build-bot", "ecosystem": "pypi"}, "version": "3.1.1"}"#,
        r#"{"package": {"name": "build-bot", "ecosystem": "Mythical"}}"#,
        r#"{"commit": "6879efc2c1596d11a6a6ad296f80063b558d5e0f"}"#,
        r#"{"package": {"name": "build-bot", "ecosystem": "PyPI"}, "version": "3.1.2", "unknown_field": 1}"#,
    ] {
        let res = post("/v1/query", body).await;
        assert_eq!(
            (res.status, res.body.as_str()),
            (StatusCode::OK, "{}"),
            "{body}"
        );
    }
    // Malformed: osv.dev's 400 with a gRPC status.
    for body in [
        r#"{"package": {"purl": "pkg:pypi/build-bot@3.1.1"}, "version": "3.1.1"}"#,
        r#"{"package": {"purl": "pkg:pypi/build-bot", "name": "build-bot"}}"#,
        r#"{"version": "3.1.1"}"#,
        r#"{"package": {"purl": "pkg:pypi/build-bot"}, "page_token": "not ours!"}"#,
        "not json",
    ] {
        let res = post("/v1/query", body).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}: {}", res.body);
        assert_eq!(json(&res)["code"], 3);
        conforms(&json(&res), "rpcStatus");
    }

    // A batch: in the order of its queries, ids and `modified` only.
    let res = post(
        "/v1/querybatch",
        r#"{"queries": [
            {"package": {"purl": "pkg:npm/build-bot"}, "version": "3.1.1"},
            {"package": {"name": "build-bot", "ecosystem": "PyPI"}, "version": "3.1.1"},
            {"package": {"purl": "pkg:conda/build-bot"}, "version": "3.0"}
        ]}"#,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let batch = json(&res);
    conforms(&batch, "v1BatchVulnerabilityList");
    assert_eq!(batch["results"][0], serde_json::json!({}));
    let hit = &batch["results"][1]["vulns"][0];
    assert_eq!(hit["id"], osv_id.as_str());
    assert_eq!(hit.as_object().unwrap().len(), 2, "id and modified: {hit}");
    assert_eq!(batch["results"][2]["vulns"][0]["id"], osv_id.as_str());
    let many: Vec<String> = (0..1001)
        .map(|_| r#"{"package": {"purl": "pkg:npm/x"}}"#.to_string())
        .collect();
    let res = post(
        "/v1/querybatch",
        &format!(r#"{{"queries": [{}]}}"#, many.join(",")),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);

    // One vulnerability by its OSV id; an unknown id is osv.dev's 404.
    let res = call(&w, "GET", &format!("/v1/vulns/{osv_id}"), None, None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(json(&res)["id"], osv_id.as_str());
    conforms(&json(&res), "osvVulnerability");
    let res = call(&w, "GET", "/v1/vulns/GHSA-0000-0000-0000", None, None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        json(&res),
        serde_json::json!({"code": 5, "message": "Bug not found."})
    );
}

/// An imported OSV document is queried whole, as osv.dev evaluates it: a range of several
/// stretches, a `limit`, and a package known only by its list of versions.
#[tokio::test]
async fn imported_documents_are_queried_whole() {
    let w = Web::new().await;
    let doc = serde_json::json!({
        "id": "PYSEC-2099-1", "modified": "2024-06-01T10:00:00Z", "published": "2024-05-01T10:00:00Z",
        "summary": "s", "details": "d",
        "affected": [
            {"package": {"ecosystem": "PyPI", "name": "stretchy"},
             "ranges": [{"type": "ECOSYSTEM", "events": [
                {"introduced": "1.0"}, {"fixed": "1.2"}, {"introduced": "2.0"}, {"limit": "2.5"}]}]},
            {"package": {"ecosystem": "PyPI", "name": "listed-only"}, "versions": ["0.3", "0.4"]}
        ]
    });
    let item = embargo_formats::import::from_json(&doc.to_string(), w.t.now()).unwrap();
    w.t.app
        .import_published(Principal::Operator, &[item], w.t.now())
        .await
        .unwrap();
    // The answer gives the document back as its database published it, whether read from
    // the store (the first time) or kept from the answer before.
    for _ in 0..2 {
        let body = r#"{"package": {"name": "stretchy", "ecosystem": "PyPI"}, "version": "1.1"}"#;
        let res = call(&w, "POST", "/v1/query", None, Some(body)).await;
        assert_eq!(json(&res)["vulns"][0], doc);
    }
    let hit = async |name: &str, version: &str| {
        let body = format!(
            r#"{{"package": {{"name": "{name}", "ecosystem": "PyPI"}}, "version": "{version}"}}"#
        );
        let res = call(&w, "POST", "/v1/query", None, Some(&body)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        json(&res)["vulns"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(hit("stretchy", "1.1").await, 1);
    assert_eq!(hit("stretchy", "1.5").await, 0, "between the stretches");
    assert_eq!(hit("stretchy", "2.1").await, 1);
    assert_eq!(hit("stretchy", "2.5").await, 0, "at the limit");
    assert_eq!(hit("listed-only", "0.4").await, 1);
    assert_eq!(hit("listed-only", "0.5").await, 0);
}

/// osv.dev's own recorded answers (its `tools/apitester` snapshots, vendored): the
/// advisories they return are imported, the same queries are asked here, and the answers
/// must name the same advisories. osv.dev's placeholders (`"<RFC3339 date with the year
/// 2026>"`, `"<Any value>"`) are filled in first.
#[tokio::test]
async fn recorded_osv_dev_answers_are_matched() {
    let snap = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../vendor/osv.dev/apitester/cassette_single_query.snap"),
    )
    .unwrap();
    let mut cases: Vec<(String, serde_json::Value)> = Vec::new();
    for section in snap.split("\n[Test/").skip(1) {
        let (name, rest) = section.split_once("]\n").unwrap();
        let body = rest.trim().trim_end_matches("---").trim();
        let body = body
            .replace(
                "\"<RFC3339 date with the year 2026>\"",
                "\"2026-01-01T00:00:00Z\"",
            )
            .replace("\"<Any value>\"", "{}");
        cases.push((name.to_string(), serde_json::from_str(&body).unwrap()));
    }
    assert_eq!(cases.len(), 7);

    let w = Web::new().await;
    let mut items = std::collections::BTreeMap::new();
    for (_, case) in &cases {
        for v in case["vulns"].as_array().into_iter().flatten() {
            let item = embargo_formats::import::from_json(&v.to_string(), w.t.now()).unwrap();
            items.insert(item.publication.id.clone(), item);
        }
    }
    let items: Vec<_> = items.into_values().collect();
    let outcome =
        w.t.app
            .import_published(Principal::Operator, &items, w.t.now())
            .await
            .unwrap();
    assert!(outcome.refused.is_empty(), "{:?}", outcome.refused);

    let mut compared = 0;
    for (name, case) in &cases {
        let res = call(
            &w,
            "POST",
            "/v1/query",
            None,
            Some(&case["query"].to_string()),
        )
        .await;
        let ours = json(&res);
        if case.get("code").is_some() {
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{name}");
            assert_eq!(ours["code"], case["code"], "{name}");
            compared += 1;
            continue;
        }
        let ids = |d: &serde_json::Value| -> std::collections::BTreeSet<String> {
            d["vulns"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| v["id"].as_str().unwrap().to_string())
                .collect()
        };
        let q = &case["query"];
        if q.get("commit").is_some() || q["package"]["ecosystem"] == "GIT" {
            // Commits and GIT tags need the repositories' history, which osv.dev has and an
            // installation does not: a known difference, answered with nothing.
            assert_eq!(ours, serde_json::json!({}), "{name}");
            continue;
        }
        assert_eq!(res.status, StatusCode::OK, "{name}: {}", res.body);
        assert_eq!(ids(&ours), ids(case), "{name}: {}", case["query"]);
        compared += 1;
    }
    assert_eq!(compared, 5, "package queries and the refusal");
}
