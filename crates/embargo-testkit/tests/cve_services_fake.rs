//! The CVE Services fake itself: it answers conforming requests as the service does, and
//! refuses and records the ones that break the OpenAPI description.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use embargo_testkit::cve_services::FakeCveServices;
use serde_json::{Value, json};

const ORG: &str = "acme";
const USER: &str = "bot@acme.example";
const KEY: &str = "fake-api-key-0123456789";
const ORG_UUID: &str = "2f6b7c39-4d7b-4a65-9a4e-5a2b6f0e8c11";

fn fake() -> FakeCveServices {
    FakeCveServices::start_with(ORG, USER, KEY, &["--org-uuid", ORG_UUID])
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent()
}

fn auth<B>(r: ureq::RequestBuilder<B>, key: &str) -> ureq::RequestBuilder<B> {
    r.header("CVE-API-ORG", ORG)
        .header("CVE-API-USER", USER)
        .header("CVE-API-KEY", key)
}

/// One API call with the organization's credentials (`key` overrides the API key).
fn call(
    fake: &FakeCveServices,
    method: &str,
    path: &str,
    body: Option<Value>,
    key: Option<&str>,
) -> (u16, Value) {
    let url = format!("{}{path}", fake.url());
    let key = key.unwrap_or(KEY);
    let agent = agent();
    let res = match (method, body) {
        ("GET", _) => auth(agent.get(&url), key).call(),
        ("POST", Some(b)) => auth(agent.post(&url), key)
            .header("Content-Type", "application/json")
            .send(b.to_string()),
        ("POST", None) => auth(agent.post(&url), key).send_empty(),
        ("PUT", Some(b)) => auth(agent.put(&url), key)
            .header("Content-Type", "application/json")
            .send(b.to_string()),
        ("PUT", None) => auth(agent.put(&url), key).send_empty(),
        _ => panic!("unsupported {method}"),
    };
    let mut res = res.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = res.status().as_u16();
    let text = res.body_mut().read_to_string().unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, body)
}

fn reserve(fake: &FakeCveServices, amount: u32) -> (u16, Value) {
    call(
        fake,
        "POST",
        &format!("/cve-id?amount={amount}&cve_year=2026&short_name={ORG}&batch_type=sequential"),
        None,
        None,
    )
}

fn quota(fake: &FakeCveServices) -> Value {
    let (status, body) = call(fake, "GET", &format!("/org/{ORG}/id_quota"), None, None);
    assert_eq!(status, 200, "{body}");
    body
}

/// A minimal CNA container that the description (which requires providerMetadata.orgId) and
/// the CVE Record Format 5.1.1 both accept.
fn container(date_public: &str) -> Value {
    json!({
        "providerMetadata": { "orgId": ORG_UUID },
        "datePublic": date_public,
        "title": "Token leak in the build bot",
        "descriptions": [{ "lang": "en", "value": "The build bot prints its token in CI logs." }],
        "affected": [{
            "vendor": "Acme",
            "product": "build-bot",
            "versions": [{ "version": "1.0", "lessThan": "1.4", "versionType": "semver", "status": "affected" }],
            "defaultStatus": "unaffected"
        }],
        "problemTypes": [{ "descriptions": [{ "lang": "en", "description": "CWE-532 Insertion of Sensitive Information into Log File", "cweId": "CWE-532", "type": "CWE" }] }],
        "references": [{ "url": "https://example.org/advisories/1" }]
    })
}

#[test]
fn a_conforming_reservation_reserves_sequential_ids_and_uses_quota() {
    let fake = fake();
    assert_eq!(quota(&fake)["available"], 1000);

    let (status, body) = reserve(&fake, 2);
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&str> = body["cve_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["cve_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["CVE-2026-1000", "CVE-2026-1001"]);
    let first = &body["cve_ids"][0];
    assert_eq!(first["state"], "RESERVED");
    assert_eq!(first["owning_cna"], ORG);
    assert_eq!(first["requested_by"], json!({ "cna": ORG, "user": USER }));
    assert_eq!(body["meta"]["remaining_quota"], 998);

    let q = quota(&fake);
    assert_eq!(
        (&q["id_quota"], &q["total_reserved"], &q["available"]),
        (&json!(1000), &json!(2), &json!(998))
    );

    let (status, id) = call(&fake, "GET", "/cve-id/CVE-2026-1001", None, None);
    assert_eq!((status, &id["state"]), (200, &json!("RESERVED")));
    let (status, body) = call(&fake, "GET", "/cve-id/CVE-2026-4242", None, None);
    assert_eq!((status, &body["error"]), (404, &json!("CVE_ID_NOT_FOUND")));

    let (status, org) = call(&fake, "GET", &format!("/org/{ORG}"), None, None);
    assert_eq!((status, &org["UUID"]), (200, &json!(ORG_UUID)));
    let (status, user) = call(&fake, "GET", &format!("/org/{ORG}/user/{USER}"), None, None);
    assert_eq!((status, &user["active"]), (200, &json!(true)));

    fake.assert_no_violations();
    assert!(fake.requests().iter().all(|r| r["violations"] == json!([])));
}

#[test]
fn the_id_list_pages_as_the_service_does() {
    let fake = fake();
    fake.set_page_size(2);
    assert_eq!(reserve(&fake, 2).0, 200);
    fake.reserve_elsewhere(&["CVE-2026-5555"], "RESERVED");

    let (status, page1) = call(&fake, "GET", "/cve-id?state=RESERVED", None, None);
    assert_eq!(status, 200, "{page1}");
    assert_eq!(page1["cve_ids"].as_array().unwrap().len(), 2);
    assert_eq!(
        (
            &page1["totalCount"],
            &page1["pageCount"],
            &page1["nextPage"]
        ),
        (&json!(3), &json!(2), &json!(2))
    );
    let (status, page2) = call(&fake, "GET", "/cve-id?state=RESERVED&page=2", None, None);
    assert_eq!(status, 200, "{page2}");
    assert_eq!(page2["cve_ids"][0]["cve_id"], "CVE-2026-5555");
    assert_eq!(page2["cve_ids"][0]["requested_by"]["user"], "another-tool");
    assert_eq!(
        (&page2["prevPage"], &page2["nextPage"]),
        (&json!(1), &Value::Null)
    );
    fake.assert_no_violations();
}

#[test]
fn requests_that_break_the_description_are_refused_and_recorded() {
    let fake = fake();

    let path = format!("/cve-id?amount=1&cve_year=2026&short_name={ORG}&count=1");
    let (status, body) = call(&fake, "POST", &path, None, None);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "BAD_INPUT");
    assert_eq!(body["details"][0]["param"], "count");
    assert_eq!(body["details"][0]["location"], "query");

    let path = format!("/cve-id?amount=1&short_name={ORG}");
    let (status, body) = call(&fake, "POST", &path, None, None);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["details"][0]["param"], "cve_year");

    let violations = fake.violations();
    assert_eq!(violations.len(), 2, "{violations:?}");
    assert!(violations.iter().all(|v| v["kind"] == "request"));
    assert_eq!(violations[0]["param"], "count");
    assert_eq!(violations[1]["param"], "cve_year");
    let requests = fake.requests();
    assert_eq!(requests[1]["path"], "/api/cve-id");
    assert_eq!(
        requests[1]["query"],
        json!({ "amount": "1", "short_name": ORG })
    );
    assert_eq!(requests[1]["status"], 400);
    assert_eq!(requests[1]["violations"].as_array().unwrap().len(), 1);

    // Nothing was reserved.
    assert_eq!(quota(&fake)["total_reserved"], 0);
}

#[test]
fn a_wrong_key_is_unauthorized_and_is_not_a_violation() {
    let fake = fake();
    let path = format!("/cve-id?amount=1&cve_year=2026&short_name={ORG}");
    let (status, body) = call(&fake, "POST", &path, None, Some("not-the-key"));
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({ "error": "UNAUTHORIZED", "message": "Unauthorized" })
    );
    assert_eq!(fake.requests()[0]["status"], 401);
    fake.assert_no_violations();
}

#[test]
fn a_published_container_becomes_a_published_record() {
    let fake = fake();
    fake.set_now("2026-03-02T09:00:00Z");
    assert_eq!(reserve(&fake, 1).0, 200);

    let body = json!({ "cnaContainer": container("2026-03-01T12:00:00Z") });
    let (status, created) = call(&fake, "POST", "/cve/CVE-2026-1000/cna", Some(body), None);
    assert_eq!(status, 200, "{created}");
    assert!(
        created["message"]
            .as_str()
            .unwrap()
            .contains("successfully created")
    );

    let record = fake.record("CVE-2026-1000").unwrap();
    assert_eq!(record, created["created"]);
    assert_eq!(record["dataType"], "CVE_RECORD");
    assert_eq!(record["cveMetadata"]["state"], "PUBLISHED");
    assert_eq!(record["cveMetadata"]["assignerOrgId"], ORG_UUID);
    assert_eq!(
        record["cveMetadata"]["datePublished"],
        "2026-03-02T09:00:00.000Z"
    );
    assert_eq!(
        record["containers"]["cna"]["providerMetadata"],
        json!({ "orgId": ORG_UUID, "shortName": ORG, "dateUpdated": "2026-03-02T09:00:00.000Z" })
    );
    let (_, id) = call(&fake, "GET", "/cve-id/CVE-2026-1000", None, None);
    assert_eq!(id["state"], "PUBLISHED");

    // Published once; an update replaces the container.
    let body = json!({ "cnaContainer": container("2026-03-01T12:00:00Z") });
    let (status, again) = call(&fake, "POST", "/cve/CVE-2026-1000/cna", Some(body), None);
    assert_eq!(
        (status, &again["error"]),
        (403, &json!("CVE_RECORD_EXISTS"))
    );
    fake.set_now("2026-03-03T09:00:00Z");
    let mut changed = container("2026-03-01T12:00:00Z");
    changed["title"] = json!("Token leak in the build bot's logs");
    let body = json!({ "cnaContainer": changed });
    let (status, updated) = call(&fake, "PUT", "/cve/CVE-2026-1000/cna", Some(body), None);
    assert_eq!(status, 200, "{updated}");
    let record = fake.record("CVE-2026-1000").unwrap();
    assert_eq!(
        record["containers"]["cna"]["title"],
        "Token leak in the build bot's logs"
    );
    assert_eq!(
        record["cveMetadata"]["dateUpdated"],
        "2026-03-03T09:00:00.000Z"
    );

    // A container the CVE schema refuses is the service's INVALID_JSON_SCHEMA, not a violation.
    assert_eq!(reserve(&fake, 1).0, 200);
    let mut bad = container("2026-03-01T12:00:00Z");
    bad["affected"][0]["versions"][0]["status"] = json!("vulnerable");
    let (status, refused) = call(
        &fake,
        "POST",
        "/cve/CVE-2026-1001/cna",
        Some(json!({ "cnaContainer": bad })),
        None,
    );
    assert_eq!(
        (status, &refused["error"]),
        (400, &json!("INVALID_JSON_SCHEMA"))
    );
    assert!(fake.record("CVE-2026-1001").is_none());

    fake.assert_no_violations();
}

#[test]
fn a_future_date_public_is_refused() {
    let fake = fake();
    fake.set_now("2026-03-02T09:00:00Z");
    assert_eq!(reserve(&fake, 1).0, 200);
    let body = json!({ "cnaContainer": container("2026-03-10T00:00:00Z") });
    let (status, refused) = call(&fake, "POST", "/cve/CVE-2026-1000/cna", Some(body), None);
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"], "BAD_INPUT");
    assert_eq!(refused["details"][0]["param"], "cnaContainer.datePublic");
    assert!(
        refused["details"][0]["msg"]
            .as_str()
            .unwrap()
            .contains("datePublic cannot be a future date")
    );
    assert!(fake.record("CVE-2026-1000").is_none());
    let (_, id) = call(&fake, "GET", "/cve-id/CVE-2026-1000", None, None);
    assert_eq!(id["state"], "RESERVED");
    // The service's own refusal, not a violation of the description.
    fake.assert_no_violations();
}

#[test]
fn a_reserved_id_can_be_rejected() {
    let fake = fake();
    assert_eq!(reserve(&fake, 1).0, 200);
    let body = json!({ "cnaContainer": {
        "rejectedReasons": [{ "lang": "en", "value": "This ID was not used." }]
    }});
    let (status, created) = call(&fake, "POST", "/cve/CVE-2026-1000/reject", Some(body), None);
    assert_eq!(status, 200, "{created}");
    let record = fake.record("CVE-2026-1000").unwrap();
    assert_eq!(record["cveMetadata"]["state"], "REJECTED");
    assert_eq!(
        record["containers"]["cna"]["rejectedReasons"][0]["value"],
        "This ID was not used."
    );
    assert_eq!(quota(&fake)["total_reserved"], 0);
    fake.assert_no_violations();
}

#[test]
fn an_exhausted_quota_is_exceeded_id_quota() {
    let fake = fake();
    fake.set_quota(3);
    assert_eq!(reserve(&fake, 2).0, 200);
    let (status, body) = reserve(&fake, 2);
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "EXCEEDED_ID_QUOTA");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("The amount requested would exceed the organization's ID quota.")
    );
    assert_eq!(
        body["details"],
        json!({ "id_quota": 3, "total_reserved": 2, "available": 1 })
    );
    assert_eq!(reserve(&fake, 1).0, 200);
    assert_eq!(quota(&fake)["available"], 0);
    fake.assert_no_violations();
}

#[test]
fn an_outage_answers_its_status_and_changes_nothing() {
    let fake = fake();
    fake.set_down(Some(503));
    let (status, _) = reserve(&fake, 2);
    assert_eq!(status, 503);
    let (status, _) = call(&fake, "GET", &format!("/org/{ORG}/id_quota"), None, None);
    assert_eq!(status, 503);
    fake.set_down(None);
    assert_eq!(quota(&fake)["total_reserved"], 0);
    let (status, body) = call(&fake, "GET", "/cve-id", None, None);
    assert_eq!((status, &body["cve_ids"]), (200, &json!([])));
    let statuses: Vec<u64> = fake
        .requests()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [503, 503, 200, 200]);
    fake.assert_no_violations();
}
