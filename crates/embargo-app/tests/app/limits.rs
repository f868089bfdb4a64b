//! What one case and its reporter may add over time: a quota for files, a rate for posts.
//! Past either, the answer says why and nothing of the request is stored.

use embargo_app::{AppError, CaseLimits, Principal, Upload};
use embargo_core::Visibility;
use embargo_testkit::TestApp;
use jiff::SignedDuration;

fn file(mib: usize) -> Upload {
    Upload {
        filename: "poc.bin".into(),
        content_type: "application/octet-stream".into(),
        data: vec![7; mib * 1024 * 1024],
    }
}

async fn counts(t: &TestApp, case: embargo_core::CaseId) -> (usize, usize) {
    let view = t
        .app
        .reporter_view(Principal::Reporter(case), case)
        .await
        .unwrap();
    (view.messages.len(), view.attachments.len())
}

#[tokio::test]
async fn a_case_has_a_quota_for_files() {
    let mut t = TestApp::new().await;
    t.app = t.app.clone().with_case_limits(CaseLimits {
        attachment_quota_bytes: 5 * 1024 * 1024,
        ..CaseLimits::default()
    });
    let s = t.submit().await;
    let me = Principal::Reporter(s.case_id);
    t.app
        .post_message(
            me,
            s.case_id,
            Visibility::Reporter,
            "a log",
            vec![file(3)],
            t.now(),
        )
        .await
        .unwrap();
    let before = counts(&t, s.case_id).await;
    let r = t
        .app
        .post_message(
            me,
            s.case_id,
            Visibility::Reporter,
            "more",
            vec![file(3)],
            t.now(),
        )
        .await;
    let Err(AppError::TooLarge(why)) = r else {
        panic!("{r:?}")
    };
    assert!(
        why.contains("quota of 5.0 MiB") && why.contains("3.0 MiB stored"),
        "{why}"
    );
    assert_eq!(counts(&t, s.case_id).await, before, "nothing was stored");
    // A message without files still goes through.
    t.app
        .post_message(
            me,
            s.case_id,
            Visibility::Reporter,
            "just text",
            vec![],
            t.now(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_reporter_posts_a_limited_number_of_messages_per_hour() {
    let mut t = TestApp::new().await;
    t.app = t.app.clone().with_case_limits(CaseLimits {
        reporter_posts_per_hour: 3,
        ..CaseLimits::default()
    });
    let s = t.submit().await;
    let me = Principal::Reporter(s.case_id);
    for n in 0..3 {
        t.app
            .post_message(
                me,
                s.case_id,
                Visibility::Reporter,
                &format!("m{n}"),
                vec![],
                t.now(),
            )
            .await
            .unwrap();
        t.clock.advance(SignedDuration::from_mins(10));
    }
    let before = counts(&t, s.case_id).await;
    let r = t
        .app
        .post_message(me, s.case_id, Visibility::Reporter, "m3", vec![], t.now())
        .await;
    let Err(AppError::TooMany {
        retry_after_secs, ..
    }) = r
    else {
        panic!("{r:?}")
    };
    // The first of the three was 30 minutes ago: the window frees up in 30 minutes.
    assert_eq!(retry_after_secs, 30 * 60);
    assert_eq!(counts(&t, s.case_id).await, before, "nothing was stored");
    // The team is not limited, and the reporter can write again once the hour has passed.
    t.app
        .post_message(
            Principal::User(t.people.coordinator),
            s.case_id,
            Visibility::Reporter,
            "We are on it.",
            vec![],
            t.now(),
        )
        .await
        .unwrap();
    t.clock.advance(SignedDuration::from_mins(31));
    t.app
        .post_message(me, s.case_id, Visibility::Reporter, "m3", vec![], t.now())
        .await
        .unwrap();
}
