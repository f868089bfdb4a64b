//! The case page's duplicate hints: the Coordinator sees the earlier case that reads alike
//! and closes the new report as its duplicate in one click; others see no hints.

use axum::http::StatusCode;
use embargo_core::{CaseState, RejectReason, Resolution};
use embargo_testkit::{intake, report};

use crate::support::{between, form_values, sign_in, with_passwords};

#[tokio::test]
async fn a_coordinator_closes_a_report_as_the_duplicate_its_hint_names() {
    let w = with_passwords().await;
    let first = w.t.submit().await.case_id;
    let mut again = report("someone@else.example");
    again.title = "The build bot leaks its token into CI logs".into();
    again.description = "Every CI log shows the bot's token in clear text.".into();
    let second =
        w.t.app
            .submit_report(intake(again), w.t.now())
            .await
            .unwrap()
            .case_id;
    let first_ref = w.t.store.case_reference(first).await.unwrap();

    let cookie = sign_in(&w, "coco@example.org").await;
    let page = w.get(&format!("/cases/{second}"), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let hints = between(&page.body, "<section id=\"hints\"", "</section>");
    assert!(
        hints.contains(&first_ref) && hints.contains("Token leak in the build bot"),
        "{hints}"
    );
    assert!(
        hints.contains("reads alike") && hints.contains("token"),
        "{hints}"
    );
    let form = between(
        hints,
        &format!("id=\"close-as-duplicate-{first_ref}\""),
        "</form>",
    );
    assert!(form.contains("already been reported to us"), "{form}");

    let (csrf, version) = form_values(&page.body);
    let done = w
        .post_form(
            &format!("/cases/{second}/act"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "duplicate"),
                ("duplicate_of", &first.to_string()),
                (
                    "message",
                    "Thank you: already reported, closing as a duplicate.",
                ),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        w.t.store.case(second).await.unwrap().state,
        CaseState::Closed {
            resolution: Resolution::Rejected {
                reason: RejectReason::Duplicate { of: first }
            }
        }
    );
    // Closed: no hints any more.
    let page = w.get(&format!("/cases/{second}"), Some(&cookie)).await;
    assert!(!page.body.contains("id=\"hints\""));
}

#[tokio::test]
async fn the_duplicate_form_takes_a_reference_as_people_type_it() {
    let w = with_passwords().await;
    let first = w.t.submit().await.case_id;
    let second = w.t.submit().await.case_id;
    let first_ref = w.t.store.case_reference(first).await.unwrap();
    let cookie = sign_in(&w, "coco@example.org").await;
    let page = w.get(&format!("/cases/{second}"), Some(&cookie)).await;
    assert!(page.body.contains("id=\"hints\""));
    let (csrf, version) = form_values(&page.body);
    let path = format!("/cases/{second}/act");
    let unknown = w
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "duplicate"),
                ("duplicate_of", "EMB-1999-0001"),
                ("message", "Duplicate."),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        w.t.store.case(second).await.unwrap().state,
        CaseState::Received
    );
    let done = w
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "duplicate"),
                ("duplicate_of", &first_ref.to_lowercase()),
                ("message", "Duplicate."),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(matches!(
        w.t.store.case(second).await.unwrap().state,
        CaseState::Closed { .. }
    ));
}
