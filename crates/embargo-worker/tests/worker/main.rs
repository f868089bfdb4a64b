//! The worker against a real SMTP server on loopback and a real store, with a fake clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod acknowledgement;
mod cve_services;
mod digest;
mod github;
mod github_steps;
mod personal;
mod runner;
mod signoffs;

use std::sync::Arc;

use embargo_app::{Intake, JobStatus, Principal};
use embargo_core::{Channel, JobId};
use embargo_testkit::smtp::{Received, SmtpSink};
use embargo_testkit::{TestApp, days, intake, report};
use embargo_worker::{Links, Mailer, Ran, Security, SmtpSettings, Worker};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../embargo-mail/tests/fixtures"
);

pub(crate) async fn setup() -> (TestApp, SmtpSink, Worker) {
    let t = TestApp::new().await;
    let sink = SmtpSink::start().await;
    let worker = worker_on(t.app.clone(), &sink, &t);
    (t, sink, worker)
}

/// A worker of `app` delivering to `sink`, on the test's clock.
pub(crate) fn worker_on(app: embargo_app::App, sink: &SmtpSink, t: &TestApp) -> Worker {
    let mailer = Mailer::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port: sink.addr.port(),
        security: Security::None,
        username: None,
        password: None,
        from: "Example Org security <security@example.org>".into(),
    })
    .unwrap();
    let links = Links {
        organization: "Example Org".into(),
        public_url: "https://security.example.org".into(),
        contact_email: Some("security@example.org".into()),
    };
    let clock = t.clock.clone();
    Worker::new(
        app,
        Some(mailer),
        Some("Security team <team@example.org>"),
        links,
        Arc::new(move || clock.now()),
    )
    .unwrap()
}

pub(crate) fn to(sink: &SmtpSink, who: &str) -> Vec<Received> {
    sink.messages()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == who))
        .collect()
}

/// The subjects of the mails the team's address received, in order.
pub(crate) fn team_subjects(sink: &SmtpSink) -> Vec<String> {
    to(sink, "team@example.org")
        .iter()
        .map(|m| {
            embargo_mail::parse(m.data.as_bytes(), None, &embargo_mail::Limits::default())
                .unwrap()
                .subject
        })
        .collect()
}

/// The body of a received message as text (quoted-printable and soft breaks undone).
fn text(m: &Received) -> String {
    let incoming =
        embargo_mail::parse(m.data.as_bytes(), None, &embargo_mail::Limits::default()).unwrap();
    incoming.text
}

#[tokio::test]
async fn the_reporter_and_the_team_are_told() {
    let (t, sink, worker) = setup().await;
    let s = t.submit().await;
    t.app
        .acknowledge(
            Principal::User(t.people.coordinator),
            s.case_id,
            "Thank you, we are looking into it.",
            t.now(),
        )
        .await
        .unwrap();
    let ran = worker.run_until_idle().await.unwrap();
    assert_eq!(
        ran.len(),
        2,
        "{ran:?}: the acknowledgement-due reminder waits for its day"
    );

    let team = to(&sink, "team@example.org");
    assert_eq!(team.len(), 1);
    // The team reads the case's reference; the reporter their receipt.
    let reference = t.store.case_reference(s.case_id).await.unwrap();
    assert!(reference.starts_with("EMB-20"), "{reference}");
    assert!(
        team[0]
            .data
            .contains(&format!("New security report {reference} (infrastructure)"))
    );
    assert!(!team[0].data.contains(&s.case_id.receipt()));
    assert!(
        !team[0].data.contains("Token leak"),
        "the report's text stays out of team mail"
    );

    let mail = to(&sink, "reporter@elsewhere.example");
    assert_eq!(mail.len(), 1);
    let m = &mail[0];
    // Plain text with an HTML alternative rendered from the same text.
    assert!(m.data.contains("multipart/alternative"), "{}", m.data);
    assert!(
        m.data.contains("Content-Type: text/plain") && m.data.contains("Content-Type: text/html")
    );
    let parsed =
        embargo_mail::parse(m.data.as_bytes(), None, &embargo_mail::Limits::default()).unwrap();
    assert_eq!(
        parsed.subject,
        format!(
            "[Example Org] We received your security report {} [embargo:{}]",
            s.case_id.receipt(),
            s.reply_token
        )
    );
    assert_eq!(
        parsed.reply_token.as_deref(),
        Some(s.reply_token.as_str()),
        "a reply finds the case again"
    );
    assert!(
        m.data
            .contains(&format!("security+{}@example.org", s.reply_token)),
        "replies carry the token"
    );
    let body = text(m);
    assert!(
        body.starts_with("Thank you, we are looking into it."),
        "{body}"
    );
    assert!(body.contains("https://security.example.org/portal/lost"));
    assert!(m.data.contains("Message-ID: <job-"), "a stable Message-ID");
}

#[tokio::test]
async fn mail_to_a_reporter_with_a_key_is_encrypted() {
    let (t, sink, worker) = setup().await;
    let mut content = report("keyed@elsewhere.example");
    content.openpgp_key =
        Some(std::fs::read_to_string(format!("{FIXTURES}/test-reporter-public.asc")).unwrap());
    let s = t
        .app
        .submit_report(
            Intake {
                channel: Channel::Api,
                ..intake(content)
            },
            t.now(),
        )
        .await
        .unwrap();
    let secret = "the fix lands in 2.4.1 on Thursday";
    t.app
        .acknowledge(
            Principal::User(t.people.coordinator),
            s.case_id,
            secret,
            t.now(),
        )
        .await
        .unwrap();
    worker.run_until_idle().await.unwrap();
    let mail = to(&sink, "keyed@elsewhere.example");
    assert_eq!(mail.len(), 1);
    let raw = &mail[0].data;
    assert!(
        raw.contains("multipart/encrypted") && raw.contains("application/pgp-encrypted"),
        "{raw}"
    );
    assert!(
        !raw.contains(secret) && !raw.contains("received your security report"),
        "nothing readable in transit"
    );
    // The reporter's own key opens it.
    let key = embargo_mail::TeamKey::from_armored(
        &std::fs::read_to_string(format!("{FIXTURES}/test-reporter-secret.asc")).unwrap(),
        None,
    )
    .unwrap();
    let opened =
        embargo_mail::parse(raw.as_bytes(), Some(&key), &embargo_mail::Limits::default()).unwrap();
    assert!(opened.encrypted);
    assert!(opened.text.starts_with(secret), "{}", opened.text);
}

/// "I lost my link" mails an extra link; the reporter's own link keeps working (knowing an
/// address must not log its owner out), at most three mails a day, and replacing the link
/// from the portal ends every link.
#[tokio::test]
async fn a_lost_link_adds_a_mailed_link_and_cannot_flood_the_reporter() {
    let (t, sink, worker) = setup().await;
    let s = t.submit().await;
    worker.run_until_idle().await.unwrap();
    for _ in 0..5 {
        t.app
            .request_portal_links("Reporter@Elsewhere.example", t.now())
            .await
            .unwrap();
    }
    worker.run_until_idle().await.unwrap();
    let mail = to(&sink, "reporter@elsewhere.example");
    assert_eq!(
        mail.len(),
        embargo_app::LOST_LINKS_PER_DAY as usize,
        "five requests, three mails"
    );
    let body = text(mail.last().unwrap());
    let start = body.find("https://security.example.org/portal/").unwrap();
    let link = body[start..].split_whitespace().next().unwrap();
    let token = link.rsplit('/').next().unwrap();
    assert_eq!(
        t.app.reporter_principal(token).await.unwrap(),
        Principal::Reporter(s.case_id)
    );
    assert_eq!(
        t.app.reporter_principal(&s.portal_token).await.unwrap(),
        Principal::Reporter(s.case_id),
        "the reporter's own link still works"
    );

    // A day later the limit starts again.
    t.clock.advance(days(1));
    t.app
        .request_portal_links("reporter@elsewhere.example", t.now())
        .await
        .unwrap();
    worker.run_until_idle().await.unwrap();
    assert_eq!(to(&sink, "reporter@elsewhere.example").len(), 4);

    // Replacing the link (the reporter suspects a leak) ends the mailed ones too.
    let fresh = t
        .app
        .rotate_portal_link(Principal::Reporter(s.case_id), s.case_id, t.now())
        .await
        .unwrap();
    assert!(t.app.reporter_principal(token).await.is_err());
    assert!(t.app.reporter_principal(&s.portal_token).await.is_err());
    assert_eq!(
        t.app.reporter_principal(&fresh).await.unwrap(),
        Principal::Reporter(s.case_id)
    );
}

#[tokio::test]
async fn a_mail_server_that_is_down_delays_mail_and_blocks_nothing() {
    let (t, sink, worker) = setup().await;
    sink.refuse(true);
    let s = t.submit().await;
    let case = t
        .app
        .acknowledge(
            Principal::User(t.people.coordinator),
            s.case_id,
            "ack",
            t.now(),
        )
        .await
        .unwrap();
    assert_eq!(
        case.state,
        embargo_core::CaseState::Acknowledged,
        "the action stands whatever the mail server does"
    );
    let ran = worker.run_until_idle().await.unwrap();
    assert!(
        ran.iter().all(|r| matches!(r, Ran::Retry { .. })),
        "{ran:?}"
    );
    assert!(sink.messages().is_empty());
    sink.refuse(false);
    assert!(
        worker.run_until_idle().await.unwrap().is_empty(),
        "not before the backoff"
    );
    t.clock.advance(days(1) / 24 / 30); // two minutes
    let ran = worker.run_until_idle().await.unwrap();
    assert_eq!(
        ran.iter().filter(|r| matches!(r, Ran::Done { .. })).count(),
        2,
        "{ran:?}"
    );
    assert_eq!(to(&sink, "reporter@elsewhere.example").len(), 1);
}

#[tokio::test]
async fn a_job_that_cannot_succeed_goes_to_the_dead_letters() {
    let (t, _sink, worker) = setup().await;
    let mut tx = t.store.begin().await.unwrap();
    let job = embargo_store::NewJob {
        kind: embargo_app::jobs::NOTIFY_REPORTER.into(),
        case_id: None,
        payload: serde_json::json!({"case_id": "garbage"}),
        run_at: t.now(),
    };
    tx.enqueue_job(JobId::from_random_bytes([3; 16]), &job, t.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let ran = worker.run_until_idle().await.unwrap();
    assert_eq!(
        ran,
        [Ran::Dead {
            kind: "notify_reporter".into()
        }]
    );
    let dead = t.store.dead_jobs().await.unwrap();
    assert_eq!((dead.len(), dead[0].status), (1, JobStatus::Dead));
    assert!(dead[0].last_error.as_deref().unwrap().contains("case_id"));
}

#[test]
fn backoff_doubles_up_to_six_hours() {
    let mins = |n| embargo_worker::backoff(n).as_secs() / 60;
    assert_eq!(
        [mins(1), mins(2), mins(3), mins(9), mins(12)],
        [1, 2, 4, 256, 360]
    );
}

#[tokio::test]
async fn an_outside_collaborator_is_invited_by_mail_and_joins_once() {
    let (t, sink, worker) = setup().await;
    let s = t.submit().await;
    let coord = Principal::User(t.people.coordinator);
    let user = t
        .app
        .add_collaborator(
            coord,
            s.case_id,
            "maintainer@upstream.example",
            "Up Stream",
            t.now(),
        )
        .await
        .unwrap();
    worker.run_until_idle().await.unwrap();
    let mail = to(&sink, "maintainer@upstream.example");
    assert_eq!(mail.len(), 1);
    let body = text(&mail[0]);
    assert!(
        !body.contains("Token leak"),
        "the invitation says nothing about the report"
    );
    let start = body.find("https://security.example.org/invite/").unwrap();
    let token = body[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let signed = t
        .app
        .accept_invitation(&token, "a long enough password", t.now())
        .await
        .unwrap();
    assert_eq!(signed.user_id, user);
    assert!(
        t.app
            .team_view(Principal::User(user), s.case_id)
            .await
            .is_ok(),
        "they see the case they were added to"
    );
    assert!(
        matches!(
            t.app
                .accept_invitation(&token, "another long password", t.now())
                .await,
            Err(embargo_app::AppError::NotFound)
        ),
        "a link works once"
    );
    t.app
        .login(
            "maintainer@upstream.example",
            "a long enough password",
            None,
            t.now(),
        )
        .await
        .unwrap();
}

/// An accepted case that nobody touches afterwards.
async fn accepted(t: &TestApp) -> embargo_app::Submitted {
    let s = t.submit().await;
    let coord = Principal::User(t.people.coordinator);
    t.app
        .acknowledge(coord, s.case_id, "ack", t.now())
        .await
        .unwrap();
    t.app.start_triage(coord, s.case_id, t.now()).await.unwrap();
    t.app.accept(coord, s.case_id, t.now()).await.unwrap();
    s
}

fn warnings(sink: &SmtpSink) -> Vec<String> {
    to(sink, "team@example.org")
        .into_iter()
        .map(|m| {
            embargo_mail::parse(m.data.as_bytes(), None, &embargo_mail::Limits::default())
                .unwrap()
                .subject
        })
        .filter(|s| s.contains("is disclosed in") || s.contains("disclosed at its deadline"))
        .collect()
}

/// The team's warnings for an untouched case, in order: 30, 14, 7 and 1 day before, then
/// the disclosure.
fn all_warnings(reference: &str) -> Vec<String> {
    [30, 14, 7, 1]
        .map(|d| {
            format!(
                "[Example Org] Case {reference} is disclosed in {d} day{}",
                if d == 1 { "" } else { "s" }
            )
        })
        .into_iter()
        .chain([format!(
            "[Example Org] Case {reference} was disclosed at its deadline"
        )])
        .collect()
}

#[tokio::test]
async fn an_untouched_case_is_warned_about_and_disclosed_at_ninety_days() {
    let (t, sink, worker) = setup().await;
    let s = accepted(&t).await;
    let reference = t.store.case_reference(s.case_id).await.unwrap();
    for _ in 0..90 {
        t.clock.advance(days(1));
        worker.run_until_idle().await.unwrap();
    }
    assert_eq!(warnings(&sink), all_warnings(&reference));
    let case = t.store.case(s.case_id).await.unwrap();
    assert_eq!(
        (case.state, case.fix_available),
        (embargo_core::CaseState::Published, Some(false))
    );
    // The public side has it, saying no fix is available yet.
    let public = t
        .store
        .publication_of_case(s.case_id)
        .await
        .unwrap()
        .unwrap();
    assert!(!public.fix_available);
    let osv = embargo_formats::osv::document(&embargo_formats::samples::publisher(), &public);
    assert!(
        osv["details"]
            .as_str()
            .unwrap()
            .ends_with("No fix is available yet.")
    );
    let told = to(&sink, "reporter@elsewhere.example");
    let last = text(told.last().unwrap());
    assert!(
        last.starts_with(&format!(
            "The vulnerability you reported ({}) has been disclosed today",
            s.case_id.receipt()
        )) && last.contains("No fix is available yet")
            && last.contains(&format!("/advisories/{}", public.id))
            && last.contains("CVE: none assigned"),
        "the reporter gets the advisory with the news: {last}"
    );
}

/// Two instances share the database (a PostgreSQL one on the second pass) and run their
/// workers at the same moments across 90 days: every warning, the disclosure and the
/// reporter's notice happen once, not once per instance.
#[tokio::test]
async fn two_instances_warn_and_disclose_once() {
    let (t, sink, worker) = setup().await;
    let other = worker_on(t.second_instance().await, &sink, &t);
    let s = accepted(&t).await;
    let reference = t.store.case_reference(s.case_id).await.unwrap();
    for _ in 0..90 {
        t.clock.advance(days(1));
        let (a, b) = tokio::join!(worker.run_until_idle(), other.run_until_idle());
        a.unwrap();
        b.unwrap();
    }
    assert_eq!(warnings(&sink), all_warnings(&reference));
    let disclosed = to(&sink, "reporter@elsewhere.example")
        .iter()
        .filter(|m| text(m).contains("has been disclosed today"))
        .count();
    assert_eq!(disclosed, 1);
    let mut ids: Vec<String> = sink
        .messages()
        .iter()
        .map(|m| {
            m.data
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                .unwrap()
                .to_string()
        })
        .collect();
    let all = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all, "no message was sent twice");
    assert!(t.store.verify_audit().await.unwrap().is_intact());
}

#[tokio::test]
async fn an_extension_moves_the_clock_and_old_jobs_stay_silent() {
    let (t, sink, worker) = setup().await;
    let s = accepted(&t).await;
    let due = t.store.case(s.case_id).await.unwrap().deadlines.disclose_by;
    t.app
        .extend_disclosure(
            Principal::User(t.people.coordinator),
            s.case_id,
            due + days(30),
            "upstream needs a month",
            t.now(),
        )
        .await
        .unwrap();
    t.clock.set(due + days(1));
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        t.store.case(s.case_id).await.unwrap().state,
        embargo_core::CaseState::Accepted,
        "not disclosed at the old deadline"
    );
    let sent = warnings(&sink);
    assert_eq!(
        sent.len(),
        1,
        "catching up, only the closest warning is sent: {sent:?}"
    );
    assert!(sent[0].ends_with("is disclosed in 30 days"), "{sent:?}");
    t.clock.set(due + days(30));
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        t.store.case(s.case_id).await.unwrap().state,
        embargo_core::CaseState::Published
    );
}

#[tokio::test]
async fn the_deadline_holds_even_without_mail_configured() {
    let (t, _sink, _) = setup().await;
    let links = Links {
        organization: "Example Org".into(),
        public_url: "https://security.example.org".into(),
        contact_email: None,
    };
    let clock = t.clock.clone();
    let worker = Worker::new(
        t.app.clone(),
        None,
        None,
        links,
        Arc::new(move || clock.now()),
    )
    .unwrap();
    let s = accepted(&t).await;
    t.clock.advance(days(90));
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        t.store.case(s.case_id).await.unwrap().state,
        embargo_core::CaseState::Published
    );
    let waiting = t.store.jobs(Some(s.case_id)).await.unwrap();
    assert!(
        waiting
            .iter()
            .any(|j| j.kind == "notify_reporter" && j.status == JobStatus::Pending),
        "the mail waits for a mailer"
    );
}

#[tokio::test]
async fn team_notices_reach_the_chat_room_and_signed_webhooks_once() {
    use embargo_testkit::http::HttpSink;
    let (t, sink, worker) = setup().await;
    let chat = HttpSink::start().await;
    let hook = HttpSink::start().await;
    let worker = worker
        .with_channels(embargo_worker::Channels {
            matrix: Some(embargo_worker::MatrixRoom {
                homeserver: chat.url(""),
                room_id: "!core:example.org".into(),
                access_token: "syt_token".into(),
            }),
            webhooks: vec![embargo_worker::Webhook {
                url: hook.url("/embargo"),
                secret: "a webhook secret of some length".into(),
            }],
        })
        .unwrap();
    chat.answer(500); // the chat server is down for a while
    let s = t.submit().await;
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        to(&sink, "team@example.org").len(),
        1,
        "mail went out whatever the chat server does"
    );
    assert_eq!(hook.requests().len(), 1);
    let event = &hook.requests()[0];
    let body: serde_json::Value = serde_json::from_str(&event.body).unwrap();
    assert_eq!(body["event"], "notify_team_new_report");
    assert_eq!(
        body["reference"],
        t.store.case_reference(s.case_id).await.unwrap()
    );
    assert!(
        !event.body.contains("Token leak"),
        "no report text leaves in notices"
    );
    let expected = {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac =
            Hmac::<sha2::Sha256>::new_from_slice(b"a webhook secret of some length").unwrap();
        mac.update(event.body.as_bytes());
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    };
    assert_eq!(
        event.header("x-embargo-signature-256"),
        Some(expected.as_str())
    );

    chat.answer(200);
    t.clock.advance(days(1));
    worker.run_until_idle().await.unwrap();
    let posts = chat.requests();
    let ok: Vec<_> = posts.iter().filter(|r| r.method == "PUT").collect();
    assert!(ok.len() >= 2, "retried after the failure: {posts:?}");
    let paths: std::collections::BTreeSet<_> = ok.iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths.len(),
        1,
        "every attempt used the same transaction id: {paths:?}"
    );
    assert!(
        ok[0]
            .path
            .starts_with("/_matrix/client/v3/rooms/%21core%3Aexample.org/send/m.room.message/")
    );
    assert_eq!(ok[0].header("authorization"), Some("Bearer syt_token"));
    assert_eq!(
        hook.requests().len(),
        1,
        "the webhook was not repeated by the chat retries"
    );
}

#[test]
fn misconfigured_channels_are_refused_with_a_reason() {
    let bad = embargo_worker::Channels {
        matrix: Some(embargo_worker::MatrixRoom {
            homeserver: "matrix.example.org".into(),
            room_id: "!a:b".into(),
            access_token: "t".into(),
        }),
        webhooks: vec![],
    };
    assert!(bad.check().unwrap_err().contains("must be an http(s) URL"));
    let weak = embargo_worker::Channels {
        matrix: None,
        webhooks: vec![embargo_worker::Webhook {
            url: "https://hooks.example.org".into(),
            secret: "short".into(),
        }],
    };
    assert!(weak.check().unwrap_err().contains("at least 16 characters"));
}

/// Scheduled publication: at the announcement time, only an approved preview is published;
/// otherwise the team hears why, and the case waits for a Coordinator (or the deadline).
#[tokio::test]
async fn the_advisory_is_published_at_the_announcement_time_once_approved() {
    let (t, sink, worker) = setup().await;
    let approved = t.scheduled_case(7).await;
    t.approve_advisory(approved, embargo_testkit::cases::advisory())
        .await;
    let forgotten = t.scheduled_case(7).await;
    let subjects = |sink: &SmtpSink| -> Vec<String> {
        team_subjects(sink)
            .into_iter()
            .filter(|s| s.contains("announcement") || s.contains("as scheduled"))
            .collect()
    };
    // A day before: nothing happens.
    t.clock.advance(days(6));
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        t.store.case(approved).await.unwrap().state,
        embargo_core::CaseState::Scheduled
    );
    t.clock.advance(days(1));
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        t.store.case(approved).await.unwrap().state,
        embargo_core::CaseState::Published
    );
    assert!(
        t.store
            .publication_of_case(approved)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        t.store.case(forgotten).await.unwrap().state,
        embargo_core::CaseState::Scheduled,
        "no approved preview, no publication"
    );
    let told = subjects(&sink);
    assert_eq!(told.len(), 2, "{told:?}");
    let approved_ref = t.store.case_reference(approved).await.unwrap();
    let forgotten_ref = t.store.case_reference(forgotten).await.unwrap();
    assert!(
        told.iter()
            .any(|s| s.contains(&format!("Case {approved_ref} was published as scheduled")))
    );
    assert!(told.iter().any(|s| s.contains(&format!(
        "Case {forgotten_ref} was NOT published at its announcement time"
    ))));
    // Running again (a restart, a redelivery) publishes nothing twice and says nothing new.
    t.clock.advance(days(1));
    worker.run_until_idle().await.unwrap();
    assert_eq!(subjects(&sink).len(), 2);
    assert_eq!(t.app.all_published().await.unwrap().len(), 1);
}
