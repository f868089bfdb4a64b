//! People choose which team events also mail them: the copy goes to those who chose the
//! event and may see the case as team, once, however often the notice runs.

use embargo_app::{Principal, jobs};

use crate::{setup, text, to};

#[tokio::test]
async fn a_new_report_mails_the_coordinators_who_chose_it_and_nobody_else() {
    let (t, sink, worker) = setup().await;
    let p = t.people;
    for who in [p.coordinator2, p.developer] {
        crate::digest::choose_new_reports(&t, who).await;
    }
    let s = t.submit().await;
    worker.run_until_idle().await.unwrap();
    let reference = t.store.case_reference(s.case_id).await.unwrap();

    let personal = to(&sink, "cora@example.org");
    assert_eq!(
        personal.len(),
        1,
        "one copy for the Coordinator who chose it"
    );
    assert!(
        personal[0]
            .data
            .contains(&format!("New security report {reference}")),
        "{}",
        personal[0].data
    );
    assert!(text(&personal[0]).contains("because you chose it on your account page"));
    assert!(!personal[0].data.contains("Token leak"), "no report text");
    // Not chosen, or not allowed to see the case (a Developer of other cases): no mail.
    assert!(to(&sink, "coco@example.org").is_empty());
    assert!(to(&sink, "dev@example.org").is_empty());
    assert_eq!(to(&sink, "team@example.org").len(), 1);

    // Running the notice again (a retry after a crash) sends no second copy.
    let again = worker.run_until_idle().await.unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(to(&sink, "cora@example.org").len(), 1);
}

#[tokio::test]
async fn preferences_refuse_an_unknown_zone_or_event_and_change_nothing() {
    let (t, _sink, _worker) = setup().await;
    let me = Principal::User(t.people.coordinator);
    let bad_zone = t
        .app
        .set_preferences(me, "Mars/Olympus", &[], t.now())
        .await
        .unwrap_err();
    assert!(bad_zone.to_string().contains("Mars/Olympus"), "{bad_zone}");
    let bad_event = t
        .app
        .set_preferences(me, "UTC", &["publish_advisory".into()], t.now())
        .await
        .unwrap_err();
    assert!(
        bad_event.to_string().contains("publish_advisory"),
        "{bad_event}"
    );
    let kept = t.app.preferences(me).await.unwrap();
    assert_eq!(kept.time_zone.to_string(), "UTC");
    assert!(kept.mail_events.is_empty());
    // IANA names as people type them, in any letter case, are kept as the database spells them.
    let set = t
        .app
        .set_preferences(
            me,
            "america/new_york",
            &[jobs::DISCLOSURE_WARNING.to_string()],
            t.now(),
        )
        .await
        .unwrap();
    assert_eq!(set.time_zone.to_string(), "America/New_York");
    let now = t.app.preferences(me).await.unwrap();
    assert_eq!(now.time_zone.to_string(), "America/New_York");
    assert_eq!(now.mail_events, vec![jobs::DISCLOSURE_WARNING]);
}
