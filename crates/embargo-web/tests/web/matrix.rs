//! The authorization matrix: every route of the team, the API and the portal, tried by
//! every kind of principal. Any status other than the expected one fails, and a refused
//! request must leave the case exactly as it was.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use embargo_app::Principal;
use embargo_core::Visibility;

use crate::support::{PASSWORD, Web, portal_link, report_fields, with_passwords};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Reporter,
    OtherReporter,
    Outsider,
    Admin,
    Developer,
    Coordinator,
    /// A core member who reported this very case.
    CoordinatorReporter,
}

const EVERYONE: [Who; 8] = [
    Who::Anonymous,
    Who::Reporter,
    Who::OtherReporter,
    Who::Outsider,
    Who::Admin,
    Who::Developer,
    Who::Coordinator,
    Who::CoordinatorReporter,
];

struct Creds {
    cookie: Option<String>,
    token: Option<String>,
}

async fn session(w: &Web, email: &str) -> String {
    let res = w
        .post_login(&[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{email}: {}", res.body);
    res.cookie()
}

async fn portal_cookie(w: &Web, email: &[u8]) -> (String, embargo_core::CaseId) {
    let mut fields = report_fields();
    fields.retain(|(k, _)| *k != "reporter_email");
    fields.push(("reporter_email", email));
    let sent = w
        .post_multipart(
            "/report",
            &fields,
            &[("poc.txt", "text/plain", b"proof")],
            None,
        )
        .await;
    let link = portal_link(&sent.body);
    let token = link.rsplit('/').next().unwrap().to_string();
    let Ok(Principal::Reporter(case)) = w.t.app.reporter_principal(&token).await else {
        panic!()
    };
    let res = w
        .get(link.trim_start_matches("http://embargo.test"), None)
        .await;
    (res.cookie(), case)
}

#[tokio::test]
async fn no_principal_gets_more_than_its_role_allows() {
    let w = with_passwords().await;
    let p = w.t.people;
    // The case under test, reported by Cora (a core member), coordinated by Coco, with a
    // Developer; and another reporter's case.
    let (reporter_cookie, case) = portal_cookie(&w, b"cora@example.org").await;
    // Cora proves the address is hers by a link mailed to it: from then on she is the
    // case's reporter for the two-person rule.
    let (_, mailed) =
        w.t.app
            .issue_portal_link_for_mail(case, w.t.now())
            .await
            .unwrap()
            .unwrap();
    w.get(&format!("/portal/{mailed}"), None).await;
    assert_eq!(
        w.t.store.case(case).await.unwrap().reporter_user,
        Some(p.coordinator2)
    );
    let (other_cookie, _) = portal_cookie(&w, b"someone@elsewhere.example").await;
    let coord = Principal::User(p.coordinator);
    w.t.app
        .acknowledge(coord, case, "ack", w.t.now())
        .await
        .unwrap();
    w.t.app.start_triage(coord, case, w.t.now()).await.unwrap();
    w.t.app
        .add_developer(coord, case, p.developer, w.t.now())
        .await
        .unwrap();
    w.t.app
        .post_message(
            coord,
            case,
            Visibility::Internal,
            "team only",
            vec![],
            w.t.now(),
        )
        .await
        .unwrap();
    let file = w.t.store.attachments(case).await.unwrap()[0].id;

    let mut creds = Vec::new();
    for who in EVERYONE {
        let (cookie, token) = match who {
            Who::Anonymous => (None, None),
            Who::Reporter => (Some(reporter_cookie.clone()), None),
            Who::OtherReporter => (Some(other_cookie.clone()), None),
            _ => {
                let (email, user) = match who {
                    Who::Outsider => ("out@example.org", p.outsider),
                    Who::Admin => ("admin@example.org", p.admin),
                    Who::Developer => ("dev@example.org", p.developer),
                    Who::Coordinator => ("coco@example.org", p.coordinator),
                    _ => ("cora@example.org", p.coordinator2),
                };
                let token =
                    w.t.app
                        .issue_api_token(Principal::Operator, user, "matrix", Some(90), w.t.now())
                        .await
                        .unwrap();
                (Some(session(&w, email).await), Some(token))
            }
        };
        creds.push((who, Creds { cookie, token }));
    }

    let version = w.t.store.case(case).await.unwrap().version.to_string();
    let team_page = |who: Who| match who {
        Who::Anonymous | Who::Reporter | Who::OtherReporter => 303,
        Who::Developer | Who::Coordinator => 200,
        _ => 404,
    };
    let api_read = |who: Who| match who {
        Who::Anonymous | Who::Reporter | Who::OtherReporter => 401,
        Who::Developer | Who::Coordinator => 200,
        _ => 404,
    };
    for (who, c) in &creds {
        let who = *who;
        let cookie = c.cookie.as_deref();
        let csrf = match cookie {
            Some(ck) if team_page(who) == 200 => {
                let page = w.get(&format!("/cases/{case}"), Some(ck)).await.body;
                let start = page.find("name=\"csrf\" value=\"").unwrap() + 19;
                page[start..].split('"').next().unwrap().to_string()
            }
            Some(ck) if !matches!(who, Who::Reporter | Who::OtherReporter) => {
                let page = w.get("/cases", Some(ck)).await.body;
                let start = page.find("name=\"csrf\" value=\"").unwrap() + 19;
                page[start..].split('"').next().unwrap().to_string()
            }
            _ => String::new(),
        };
        let before = w.t.store.case(case).await.unwrap();
        let mut checks: Vec<(String, u16, Vec<u16>)> = Vec::new();
        let mut check = |what: String, got: StatusCode, allowed: &[u16]| {
            checks.push((what, got.as_u16(), allowed.to_vec()))
        };

        check(
            "GET /cases/{id}".into(),
            w.get(&format!("/cases/{case}"), cookie).await.status,
            &[team_page(who)],
        );
        check(
            "GET /cases/{id}/attachments".into(),
            w.get(&format!("/cases/{case}/attachments/{file}"), cookie)
                .await
                .status,
            &[team_page(who)],
        );
        let accept = w
            .post_form(
                &format!("/cases/{case}/act"),
                &[("csrf", &csrf), ("version", &version), ("action", "accept")],
                cookie,
            )
            .await
            .status;
        let accept_allowed: &[u16] = match who {
            Who::Anonymous | Who::Reporter | Who::OtherReporter => &[303],
            Who::Coordinator => &[303],
            Who::Developer => &[403],
            Who::CoordinatorReporter => &[403, 404],
            _ => &[404],
        };
        if who != Who::Coordinator {
            check("POST /cases/{id}/act accept".into(), accept, accept_allowed);
            let req = Request::get(format!("/api/v1/cases/{case}"));
            let req = match &c.token {
                Some(t) => req.header("authorization", format!("Bearer {t}")),
                None => req,
            };
            check(
                "GET /api/v1/cases/{id}".into(),
                w.send(req.body(Body::empty()).unwrap()).await.status,
                &[api_read(who)],
            );
            let req = Request::post(format!("/api/v1/cases/{case}/actions"))
                .header("content-type", "application/json");
            let req = match &c.token {
                Some(t) => req.header("authorization", format!("Bearer {t}")),
                None => req,
            };
            let api_act: &[u16] = match who {
                Who::Anonymous | Who::Reporter | Who::OtherReporter => &[401],
                Who::Developer => &[403],
                Who::CoordinatorReporter => &[403, 404],
                _ => &[404],
            };
            check(
                "POST /api/v1/cases/{id}/actions accept".into(),
                w.send(req.body(Body::from(r#"{"action":"accept"}"#)).unwrap())
                    .await
                    .status,
                api_act,
            );
            // The advisory: the team reads it; nobody edits it before acceptance; only
            // administrators fill the CVE pool.
            for path in ["advisory", "advisory/preview"] {
                check(
                    format!("GET /cases/{{id}}/{path}"),
                    w.get(&format!("/cases/{case}/{path}"), cookie).await.status,
                    &[team_page(who)],
                );
            }
            let refused_write: u16 = match who {
                Who::Anonymous | Who::Reporter | Who::OtherReporter => 303,
                Who::Developer => 403,
                _ => 404,
            };
            for (path, fields) in [
                ("advisory", vec![("title", "x"), ("revision", "0")]),
                ("advisory/approve", vec![("revision", "0")]),
                ("advisory/publish", vec![]),
                ("advisory/cve", vec![]),
                ("team", vec![("team", "no-such-team")]),
            ] {
                let mut form = vec![("csrf", csrf.as_str())];
                form.extend(fields);
                let got = w
                    .post_form(&format!("/cases/{case}/{path}"), &form, cookie)
                    .await
                    .status;
                let allowed: &[u16] = match (who, path) {
                    // Before publication there is nothing to publish a revision of.
                    (Who::Developer, "advisory/publish") => &[409],
                    // The reporter of this case is not its Coordinator.
                    (Who::CoordinatorReporter, "team") => &[403, 404],
                    _ => std::slice::from_ref(&refused_write),
                };
                check(format!("POST /cases/{{id}}/{path}"), got, allowed);
            }
            let req = Request::put(format!("/api/v1/cases/{case}/advisory"))
                .header("content-type", "application/json");
            let req = match &c.token {
                Some(t) => req.header("authorization", format!("Bearer {t}")),
                None => req,
            };
            let api_write: u16 = match who {
                Who::Anonymous | Who::Reporter | Who::OtherReporter => 401,
                Who::Developer => 403,
                _ => 404,
            };
            check(
                "PUT /api/v1/cases/{id}/advisory".into(),
                w.send(
                    req.body(Body::from(r#"{"revision":0,"advisory":{"title":"x"}}"#))
                        .unwrap(),
                )
                .await
                .status,
                &[api_write],
            );
            let admin_only: u16 = match who {
                Who::Anonymous | Who::Reporter | Who::OtherReporter => 303,
                Who::Admin => 200,
                _ => 403,
            };
            for (path, field, value) in [
                ("/admin/cves", "ids", "CVE-2026-9999"),
                ("/admin/teams", "name", "Matrix team"),
            ] {
                let got = w
                    .post_form(path, &[("csrf", csrf.as_str()), (field, value)], cookie)
                    .await
                    .status;
                check(format!("POST {path}"), got, &[admin_only]);
            }
            assert!(
                w.t.store.advisory_draft(case).await.unwrap().is_none(),
                "{who:?} wrote an advisory draft"
            );
            // Each reporter reads their own portal; everyone else has none.
            let portal_ok: u16 = if matches!(who, Who::Reporter | Who::OtherReporter) {
                200
            } else {
                404
            };
            check(
                "GET /portal".into(),
                w.get("/portal", cookie).await.status,
                &[portal_ok],
            );
            let file_ok: u16 = if who == Who::Reporter { 200 } else { 404 };
            check(
                "GET /portal/attachments/{id}".into(),
                w.get(&format!("/portal/attachments/{file}"), cookie)
                    .await
                    .status,
                &[file_ok],
            );
            let portal_page = w.get("/portal", cookie).await.body;
            assert!(
                !portal_page.contains("team only"),
                "{who:?}: an internal comment reached the portal"
            );
            let after = w.t.store.case(case).await.unwrap();
            assert_eq!(after, before, "{who:?} changed the case");
        } else {
            check("POST /cases/{id}/act accept".into(), accept, accept_allowed);
        }
        let wrong: Vec<_> = checks
            .iter()
            .filter(|(_, got, allowed)| !allowed.contains(got))
            .collect();
        assert!(wrong.is_empty(), "{who:?}: unexpected answers {wrong:?}");
    }
    assert_eq!(
        w.t.store.case(case).await.unwrap().state,
        embargo_core::CaseState::Accepted,
        "only the Coordinator's accept went through"
    );
}
