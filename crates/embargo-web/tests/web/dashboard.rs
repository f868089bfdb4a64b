//! The team's dashboard, as a Coordinator and a Developer find cases in it: human
//! references, search, filters, queue counts and paging, on the page and in the API.

use axum::http::StatusCode;
use embargo_app::{Intake, Principal};
use embargo_testkit::{intake, report};

use crate::support::{Web, call, json, sign_in, with_passwords};

/// Files `n` reports with distinct titles, an hour apart (so their deadlines differ).
async fn file(w: &Web, n: usize) -> Vec<embargo_core::CaseId> {
    let mut ids = Vec::new();
    for i in 0..n {
        let mut content = report("reporter@elsewhere.example");
        content.title = format!("Report number {i:03}");
        if i == 7 {
            content.title = "Shell injection in the feedstock linter".into();
            content.reporter_name = "Quentin Quill".into();
        }
        let filed: Intake = intake(content);
        let s = w.t.app.submit_report(filed, w.t.now()).await.unwrap();
        ids.push(s.case_id);
        w.t.clock.advance(jiff::SignedDuration::from_hours(1));
    }
    ids
}

/// `GET path` with a bearer token, as JSON.
async fn get_json(w: &Web, path: &str, token: &str) -> serde_json::Value {
    json(&call(w, "GET", path, Some(token), None).await)
}

async fn token(w: &Web, who: embargo_core::UserId) -> String {
    w.t.app
        .issue_api_token(Principal::Operator, who, "t", Some(90), w.t.now())
        .await
        .unwrap()
}

#[tokio::test]
async fn cases_are_found_by_reference_words_and_reporter_and_paged_most_urgent_first() {
    let w = Web::new().await;
    let ids = file(&w, 12).await;
    let coord = token(&w, w.t.people.coordinator).await;

    // Sequential references per year, in the order the reports arrived.
    let first = get_json(&w, &format!("/api/v1/cases/{}", ids[0]), &coord).await;
    let year = w.t.now().strftime("%Y").to_string();
    assert_eq!(first["reference"], format!("EMB-{year}-0001"));
    let last = get_json(&w, &format!("/api/v1/cases/{}", ids[11]), &coord).await;
    assert_eq!(last["reference"], format!("EMB-{year}-0012"));
    // The reporter's receipt: random digits of the id (its last ones, as a new case's id
    // starts with its time).
    assert_eq!(last["receipt"], ids[11].receipt());
    assert_eq!(ids[11].receipt()[1..], ids[11].to_string()[28..]);

    // By reference, in any letter case: the same case.
    let by_ref = call(
        &w,
        "GET",
        &format!("/api/v1/cases/emb-{year}-0008"),
        Some(&coord),
        None,
    )
    .await;
    assert_eq!(by_ref.status, StatusCode::OK);
    assert_eq!(json(&by_ref)["id"], ids[7].to_string());

    // Pages of 5, the most urgent (oldest acknowledgement deadline) first, no case twice.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let cursor = after
            .as_deref()
            .map(|a| format!("&after={a}"))
            .unwrap_or_default();
        let page = get_json(&w, &format!("/api/v1/cases?limit=5{cursor}"), &coord).await;
        for c in page["cases"].as_array().unwrap() {
            seen.push(c["id"].as_str().unwrap().to_string());
        }
        assert_eq!(page["counts"]["acknowledge"], 12);
        match page["next_cursor"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    let expected: Vec<String> = ids.iter().map(ToString::to_string).collect();
    assert_eq!(
        seen, expected,
        "all twelve, oldest deadline first, each once"
    );

    // Search: words of the title, the reporter's name, a reference.
    let search = |q: &str| {
        let path = format!("/api/v1/cases?q={}", q.replace(' ', "%20"));
        let coord = coord.clone();
        let w = &w;
        async move { get_json(w, &path, &coord).await }
    };
    let hits = search("shell injection").await;
    assert_eq!(hits["cases"].as_array().unwrap().len(), 1);
    assert_eq!(hits["cases"][0]["id"], ids[7].to_string());
    assert_eq!(
        search("quentin").await["cases"][0]["id"],
        ids[7].to_string()
    );
    assert_eq!(
        search(&format!("EMB-{year}-0003")).await["cases"][0]["id"],
        ids[2].to_string()
    );
    // A receipt, as the reporter quotes it: that case alone.
    let by_receipt = search(&ids[4].receipt().replace('#', "%23")).await;
    assert_eq!(by_receipt["cases"].as_array().unwrap().len(), 1);
    assert_eq!(by_receipt["cases"][0]["id"], ids[4].to_string());
    // Its first digits are not a word of any case.
    assert_eq!(
        search(&ids[4].receipt()[1..6]).await["cases"],
        serde_json::json!([])
    );
    assert_eq!(
        search("no such words").await["cases"],
        serde_json::json!([])
    );
    // `%` is a character, not a wildcard.
    assert_eq!(search("%25").await["cases"], serde_json::json!([]));

    // Filters: overdue once the seven days have passed for the first reports.
    w.t.clock
        .advance(jiff::SignedDuration::from_hours(24 * 7 - 6));
    let overdue = get_json(&w, "/api/v1/cases?overdue=1", &coord).await;
    let n = overdue["cases"].as_array().unwrap().len();
    assert!((1..12).contains(&n), "{n} overdue");
    assert!(
        overdue["cases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["overdue"] == true)
    );
    // "Mine": a Coordinator coordinates none of these yet.
    let mine = get_json(&w, "/api/v1/cases?mine=1", &coord).await;
    assert_eq!(mine["cases"], serde_json::json!([]));

    // Bad parameters are named.
    for bad in [
        "/api/v1/cases?view=everything",
        "/api/v1/cases?after=garbage",
        "/api/v1/cases?limit=0",
        "/api/v1/cases?project=Not%20A%20Slug",
    ] {
        let res = call(&w, "GET", bad, Some(&coord), None).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            res.body
        );
    }

    // A Developer on no case sees none, and a reference is "not found" to them.
    let dev = token(&w, w.t.people.developer).await;
    let theirs = get_json(&w, "/api/v1/cases", &dev).await;
    assert_eq!(theirs["cases"], serde_json::json!([]));
    let res = call(
        &w,
        "GET",
        &format!("/api/v1/cases/EMB-{year}-0001"),
        Some(&dev),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_dashboard_page_searches_counts_queues_and_pages() {
    let w = with_passwords().await;
    let ids = file(&w, 55).await;
    let cookie = sign_in(&w, "cora@example.org").await;
    let year = w.t.now().strftime("%Y").to_string();

    let page = w.get("/cases", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!("EMB-{year}-0001")),
        "{}",
        page.body
    );
    // 50 a page, with a link to the rest.
    assert!(!page.body.contains(&format!("EMB-{year}-0051")));
    assert!(
        page.body
            .contains("Needs acknowledgement <span class=\"count\">55</span>")
    );
    let next = page.body.split("id=\"next\"").next().unwrap();
    let href = next
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let more = w.get(&href, Some(&cookie)).await;
    assert!(more.body.contains(&format!("EMB-{year}-0055")), "{href}");
    assert!(!more.body.contains("id=\"next\""));

    // Two steps to any case: search its reference, open it.
    let found = w
        .get(&format!("/cases?q=EMB-{year}-0042"), Some(&cookie))
        .await;
    assert!(found.body.contains(&format!("/cases/{}", ids[41])));
    assert!(!found.body.contains(&format!("/cases/{}", ids[40])));
    // Or type it in the address bar.
    let direct = w
        .get(&format!("/cases/EMB-{year}-0042"), Some(&cookie))
        .await;
    assert_eq!(direct.status, StatusCode::SEE_OTHER);
    assert_eq!(direct.header("location"), format!("/cases/{}", ids[41]));
    let case = w.get(&format!("/cases/{}", ids[41]), Some(&cookie)).await;
    assert!(case.body.contains(&format!("EMB-{year}-0042")));
}

#[tokio::test]
async fn a_long_conversation_is_paged_newest_first_and_loses_nothing() {
    let w = with_passwords().await;
    let coord = Principal::User(w.t.people.coordinator);
    let id = w.t.submit().await.case_id;
    for i in 0..70 {
        w.t.app
            .post_message(
                coord,
                id,
                embargo_core::Visibility::Internal,
                &format!("Note number {i:02}"),
                vec![],
                w.t.now(),
            )
            .await
            .unwrap();
        w.t.clock.advance(jiff::SignedDuration::from_mins(1));
    }
    let cookie = sign_in(&w, "coco@example.org").await;
    // The report's arrival and 70 notes: the latest 50 first.
    let latest = w.get(&format!("/cases/{id}"), Some(&cookie)).await;
    assert!(latest.body.contains("Note number 69") && latest.body.contains("Note number 20"));
    assert!(!latest.body.contains("Note number 19"));
    assert!(!latest.body.contains("id=\"latest\""));
    let href = latest
        .body
        .split("id=\"earlier\"")
        .next()
        .unwrap()
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let earlier = w.get(&href, Some(&cookie)).await;
    assert!(earlier.body.contains("Note number 00") && earlier.body.contains("Note number 19"));
    assert!(!earlier.body.contains("Note number 20"));
    assert!(earlier.body.contains("report received"));
    assert!(earlier.body.contains("id=\"latest\"") && !earlier.body.contains("id=\"earlier\""));
}
