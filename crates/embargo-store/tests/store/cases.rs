//! Cases, people, projects and jobs: what one transaction writes, and case references.

use super::*;

#[tokio::test]
async fn a_case_round_trips_with_its_children_and_stale_saves_are_refused() {
    let (_dir, _url, store) = fresh().await;
    let (coordinator, case) = seed(&store).await;
    let actor = Actor::User {
        id: coordinator.id,
        roles: coordinator.roles,
    };
    let message = Private::new(RequiredText::parse("Thanks!").unwrap());
    let acked = transition(&case, &Command::Acknowledge { message }, &actor, now())
        .unwrap()
        .case;
    let triage = transition(&acked, &Command::StartTriage, &actor, now())
        .unwrap()
        .case;
    let extended = transition(
        &triage,
        &Command::ExtendDisclosure {
            until: now() + SignedDuration::from_hours(24 * 120),
            reason: RequiredText::parse("big fix").unwrap(),
        },
        &actor,
        now(),
    )
    .unwrap()
    .case;

    let mut tx = store.begin().await.unwrap();
    tx.update_case(&acked).await.unwrap();
    tx.update_case(&triage).await.unwrap();
    tx.update_case(&extended).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.case(case.id).await.unwrap(), extended);

    // A second writer that loaded the case before these changes cannot save over them.
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.update_case(&acked).await,
        Err(StoreError::Stale)
    ));
    tx.rollback().await.unwrap();
    assert_eq!(store.case(case.id).await.unwrap(), extended);
}

#[tokio::test]
async fn unknown_projects_and_duplicate_people_are_refused_with_a_reason() {
    let (_dir, _url, store) = fresh().await;
    let (coordinator, _) = seed(&store).await;
    let mut tx = store.begin().await.unwrap();
    let again = Person {
        id: UserId::from_random_bytes([9; 16]),
        email: Email::parse("COORD@example.org").unwrap(),
        ..coordinator
    };
    let e = tx.insert_person(&again).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "a person with this e-mail address already exists"
    );
    // A refused statement ends its transaction (PostgreSQL aborts it): start another.
    tx.rollback().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let stray = Case::received(
        CaseId::from_random_bytes([3; 16]),
        ProjectSlug::parse("nope").unwrap(),
        now(),
        None,
        &Policy::default(),
    );
    let e = tx.insert_case(&stray).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "the project is not in the installation's scope"
    );
}

#[tokio::test]
async fn jobs_exist_only_when_their_transaction_commits() {
    let (_dir, _url, store) = fresh().await;
    let (_, case) = seed(&store).await;
    let job = NewJob {
        kind: "notify_reporter".into(),
        case_id: Some(case.id),
        payload: serde_json::json!({"m": 1}),
        run_at: now(),
    };
    let mut tx = store.begin().await.unwrap();
    tx.enqueue_job(JobId::from_random_bytes([1; 16]), &job, now())
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(store.jobs(None).await.unwrap().is_empty());

    let mut tx = store.begin().await.unwrap();
    tx.enqueue_job(JobId::from_random_bytes([2; 16]), &job, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let lease = SignedDuration::from_mins(5);
    let claimed = store
        .claim_job(now(), lease, &["notify_reporter"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.attempts, 1);
    assert!(
        store
            .claim_job(now(), lease, &["notify_reporter"])
            .await
            .unwrap()
            .is_none(),
        "a leased job is not handed out twice"
    );
    // The worker died: after the lease, another worker gets it.
    let later = now() + SignedDuration::from_mins(6);
    let again = store
        .claim_job(later, lease, &["notify_reporter"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (claimed.id, 2));
    store
        .fail_job(
            again.id,
            "smtp down",
            Some(later + SignedDuration::from_mins(1)),
            later,
        )
        .await
        .unwrap();
    assert!(
        store
            .claim_job(later, lease, &["notify_reporter"])
            .await
            .unwrap()
            .is_none()
    );
    let third = store
        .claim_job(
            later + SignedDuration::from_mins(2),
            lease,
            &["notify_reporter"],
        )
        .await
        .unwrap()
        .unwrap();
    store.finish_job(third.id, later).await.unwrap();
    assert_eq!(
        store.jobs(Some(case.id)).await.unwrap()[0].status,
        embargo_store::JobStatus::Done
    );
}

#[tokio::test]
async fn cases_get_references_by_year_and_scheduled_ones_their_due_time_at_open() {
    let (_dir, url, store) = fresh().await;
    let (coordinator, case) = seed(&store).await;
    assert_eq!(
        store.case_reference(case.id).await.unwrap(),
        "EMB-2026-0001"
    );
    // The next one that year is 0002, whatever the id; any letter case finds it.
    let second = Case::received(
        CaseId::from_random_bytes([3; 16]),
        case.project.clone(),
        now() + SignedDuration::from_hours(1),
        None,
        &Policy::default(),
    );
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.insert_case(&second).await.unwrap(), "EMB-2026-0002");
    tx.commit().await.unwrap();
    assert_eq!(
        store.case_by_reference("emb-2026-0002").await.unwrap(),
        second.id
    );
    assert!(matches!(
        store.case_by_reference("EMB-2026-0003").await,
        Err(StoreError::NotFound)
    ));

    // A scheduled case from before `due_at` existed: due at its announcement, which the
    // store works out when it opens (time zones are beyond the migration's SQL).
    store.close().await;
    raw(
        &url,
        &format!(
            "UPDATE cases SET state = 'scheduled', coordinator = '{}', release_on = '2026-06-01', \
             announce_at = '2026-06-01T15:00:00', announce_zone = 'Europe/Paris', due_at = NULL \
             WHERE id = '{}'",
            coordinator.id, case.id
        ),
    )
    .await;
    let store = Store::connect(&url, OpenMode::MustExist).await.unwrap();
    let due: Timestamp = "2026-06-01T13:00:00Z".parse().unwrap();
    let stored = raw_text(
        &url,
        &format!(
            "SELECT CAST(due_at AS TEXT) FROM cases WHERE id = '{}'",
            case.id
        ),
    )
    .await;
    assert_eq!(stored, Some(due.as_microsecond().to_string()));
    store.close().await;
}
