//! CVE Services through the pages and the JSON API, against the local fake of the service.

use std::sync::Arc;

use axum::http::StatusCode;
use embargo_app::Principal;
use embargo_cve_services::{CveServices, Settings};
use embargo_testkit::cve_services::FakeCveServices;
use embargo_testkit::{cases, days};
use embargo_web::WebState;

use crate::support::{Web, call, form_values_csrf, json, sign_in, site, with_passwords};

const KEY: &str = "key-web-test";

fn connect(w: Web, fake: &FakeCveServices) -> Web {
    let app =
        w.t.app
            .clone()
            .with_cve_services(CveServices::new(Settings {
                url: fake.url(),
                short_name: "example".into(),
                user: "bot@example.org".into(),
                api_key: KEY.into(),
            }));
    let clock = w.t.clock.clone();
    let state = WebState::new(app, site(), Arc::new(move || clock.now()));
    Web { t: w.t, state }
}

#[tokio::test]
async fn administrators_reserve_and_the_case_shows_its_id_and_record() {
    let fake = FakeCveServices::start("example", "bot@example.org", KEY);
    fake.set_now("2026-03-02T09:00:00Z");
    let w = connect(with_passwords().await, &fake);
    let admin = sign_in(&w, "admin@example.org").await;
    let coord = sign_in(&w, "coco@example.org").await;
    let page = w.get("/admin", Some(&admin)).await;
    assert!(page.body.contains("Synchronize the pool with CVE Services"));
    let csrf = form_values_csrf(&page.body);
    let reserve = |count: &'static str| {
        let csrf = csrf.clone();
        let admin = admin.clone();
        let w = &w;
        async move {
            w.post_form(
                "/admin/cve-services",
                &[
                    ("csrf", &csrf),
                    ("action", "reserve"),
                    ("count", count),
                    ("year", ""),
                ],
                Some(&admin),
            )
            .await
        }
    };
    let res = reserve("2").await;
    assert!(
        res.body.contains("Reserved CVE-2026-1000, CVE-2026-1001 into the pool. Ids available before: 1000; after: 998."),
        "{}",
        res.body
    );
    assert!(res.body.contains("CVE-2026-1000: free (reserved)"));
    let res = reserve("none").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = w
        .post_form(
            "/admin/cve-services",
            &[("csrf", &csrf), ("action", "check")],
            Some(&admin),
        )
        .await;
    assert!(
        res.body.contains("with roles CNA") && res.body.contains("998 of 1000 ids available"),
        "{}",
        res.body
    );
    // Not for a Coordinator (the use case decides; the form is the admin page's).
    let coord_csrf = form_values_csrf(&w.get("/cases", Some(&coord)).await.body);
    let res = w
        .post_form(
            "/admin/cve-services",
            &[("csrf", &coord_csrf), ("action", "sync")],
            Some(&coord),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // A case publishes with its pool id: the preview shows the record to be sent, and the
    // case page the id's state once CVE Services has it.
    let case = w.t.scheduled_case(7).await;
    let cve = w
        .state
        .app
        .take_cve(Principal::User(w.t.people.coordinator), case, w.t.now())
        .await
        .unwrap();
    let mut advisory = cases::advisory();
    advisory.cve = Some(cve.clone());
    w.t.approve_advisory(case, advisory).await;
    let preview = w
        .get(&format!("/cases/{case}/advisory/preview"), Some(&coord))
        .await;
    assert!(
        preview
            .body
            .contains("CVE Services: the record of CVE-2026-1000"),
        "{}",
        preview.body
    );
    assert!(!preview.body.contains("id=\"cve-problems\""));
    let page = w.get(&format!("/cases/{case}"), Some(&coord)).await;
    assert!(
        page.body.contains("<span id=\"cve-state\">reserved</span>"),
        "{}",
        page.body
    );
    w.t.clock.advance(days(7));
    fake.set_now(&w.t.now().to_string());
    w.state
        .app
        .publish_if_due(
            case,
            w.t.store
                .case(case)
                .await
                .unwrap()
                .dates
                .unwrap()
                .announcement_instant(),
            w.t.now(),
        )
        .await
        .unwrap();
    w.state
        .app
        .publish_cve_record(case, w.t.now())
        .await
        .unwrap();
    // A week later: a fresh sign-in.
    let coord = sign_in(&w, "coco@example.org").await;
    let page = w.get(&format!("/cases/{case}"), Some(&coord)).await;
    assert!(
        page.body
            .contains("<span id=\"cve-state\">published</span> (record of advisory revision 1"),
        "{}",
        page.body
    );
    // A revision's preview shows what changes in the published record.
    let mut revised = cases::advisory();
    revised.cve = Some(cve);
    revised.title = "Token leak in the build bot's logs".into();
    w.t.approve_advisory(case, revised).await;
    let preview = w
        .get(&format!("/cases/{case}/advisory/preview"), Some(&coord))
        .await;
    let diff = preview
        .body
        .split("id=\"cve-diff\">")
        .nth(1)
        .unwrap()
        .split("</pre>")
        .next()
        .unwrap();
    assert!(
        diff.contains("- ")
            && diff.contains("&#34;title&#34;: &#34;Token leak in the build bot&#34;"),
        "{diff}"
    );
    assert!(
        diff.contains("+ ") && diff.contains("build bot&#39;s logs"),
        "{diff}"
    );
    fake.assert_no_violations();
}

#[tokio::test]
async fn the_api_reserves_lists_and_settles_a_closed_cases_id() {
    let fake = FakeCveServices::start("example", "bot@example.org", KEY);
    let w = connect(Web::new().await, &fake);
    let p = w.t.people;
    let token = |who| {
        let app = w.t.app.clone();
        let now = w.t.now();
        async move {
            app.issue_api_token(Principal::Operator, who, "ci", Some(90), now)
                .await
                .unwrap()
        }
    };
    let admin = token(p.admin).await;
    let coord = token(p.coordinator).await;
    let res = call(
        &w,
        "POST",
        "/api/v1/cve-ids",
        Some(&admin),
        Some(r#"{"count": 2, "sequential": false}"#),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let reserved = json(&res)["reserved"].as_array().unwrap().clone();
    assert_eq!(reserved.len(), 2);
    let res = call(
        &w,
        "POST",
        "/api/v1/cve-ids",
        Some(&admin),
        Some(r#"{"count": 0}"#),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = call(
        &w,
        "POST",
        "/api/v1/cve-ids",
        Some(&coord),
        Some(r#"{"count": 1}"#),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let pool = json(&call(&w, "GET", "/api/v1/cve-ids", Some(&admin), None).await);
    assert_eq!(pool["cve_ids"].as_array().unwrap().len(), 2);
    assert_eq!(pool["cve_ids"][0]["state"], "reserved");

    let case = w.t.accepted_case().await;
    w.state
        .app
        .take_cve(Principal::User(p.coordinator), case, w.t.now())
        .await
        .unwrap();
    let shown = json(
        &call(
            &w,
            "GET",
            &format!("/api/v1/cases/{case}/cve"),
            Some(&coord),
            None,
        )
        .await,
    );
    assert_eq!(shown["cve_id"]["state"], "reserved");
    let res = call(
        &w,
        "POST",
        &format!("/api/v1/cases/{case}/cve/reject"),
        Some(&coord),
        Some(r#"{"reason": "Withdrawn."}"#),
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::CONFLICT,
        "not before the case is closed: {}",
        res.body
    );
    w.t.app
        .withdraw(
            Principal::User(p.coordinator),
            case,
            "The reporter withdrew it.",
            w.t.now(),
        )
        .await
        .unwrap();
    let res = call(&w, "POST", &format!("/api/v1/cases/{case}/cve/reject"), Some(&coord), Some(r#"{"reason": "This CVE ID has been rejected or withdrawn by its CVE Numbering Authority."}"#)).await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.body);
    w.state.app.reject_cve_id(case, w.t.now()).await.unwrap();
    let shown = json(
        &call(
            &w,
            "GET",
            &format!("/api/v1/cases/{case}/cve"),
            Some(&coord),
            None,
        )
        .await,
    );
    assert_eq!(shown["cve_id"]["state"], "rejected");
    let res = call(
        &w,
        "POST",
        &format!("/api/v1/cases/{case}/cve/release"),
        Some(&coord),
        None,
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::CONFLICT,
        "a rejected id is not released: {}",
        res.body
    );
    // An outsider learns nothing about the case's id.
    let outsider = token(p.outsider).await;
    let res = call(
        &w,
        "GET",
        &format!("/api/v1/cases/{case}/cve"),
        Some(&outsider),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    fake.assert_no_violations();
}
