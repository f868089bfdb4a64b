//! Mail to the team: new reports and replies by token.

use embargo_app::{AppError, Filed, IncomingMail, Principal, Upload, jobs};
use embargo_core::{CaseState, Channel, CreditPreference};
use embargo_testkit::{PROJECT, TestApp};

fn mail(from: &str, subject: &str, text: &str) -> IncomingMail {
    IncomingMail {
        from: from.into(),
        from_name: Some("Rita Reporter".into()),
        subject: subject.into(),
        text: text.into(),
        attachments: vec![Upload {
            filename: "../poc.py".into(),
            content_type: "text/x-python".into(),
            data: b"print(1)".to_vec(),
        }],
        encrypted: true,
        reply_token: None,
    }
}

#[tokio::test]
async fn a_mail_becomes_a_case_and_the_reporter_is_mailed_a_link() {
    let t = TestApp::new().await;
    let filed = t
        .app
        .file_email(
            mail(
                "rita@elsewhere.example",
                "Bot leaks its token",
                "See attached.",
            ),
            PROJECT,
            t.now(),
        )
        .await
        .unwrap();
    let Filed::NewCase(s) = filed else {
        panic!("expected a new case")
    };
    let report = t.store.report(s.case_id).await.unwrap();
    assert_eq!(report.channel, Channel::Email);
    let c = report.content.reveal();
    assert_eq!(
        (c.title.as_str(), c.credit.clone()),
        (
            "Bot leaks its token",
            CreditPreference::Name("Rita Reporter".into())
        )
    );
    assert_eq!(
        t.store.attachments(s.case_id).await.unwrap()[0].filename,
        "poc.py"
    );
    let kinds: Vec<_> = t
        .store
        .jobs(Some(s.case_id))
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.kind)
        .collect();
    assert!(
        kinds.contains(&jobs::SEND_PORTAL_LINK.to_string()),
        "{kinds:?}"
    );
    let audit = t.store.audit_of_case(s.case_id).await.unwrap();
    assert!(
        audit[0].detail.contains("\"encrypted\":true"),
        "{}",
        audit[0].detail
    );
}

#[tokio::test]
async fn a_reply_lands_in_the_thread_and_resumes_triage() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let s = t.submit().await;
    t.app
        .acknowledge(coord, s.case_id, "ack", t.now())
        .await
        .unwrap();
    t.app.start_triage(coord, s.case_id, t.now()).await.unwrap();
    t.app
        .request_info(coord, s.case_id, "Which version?", t.now())
        .await
        .unwrap();
    let mut reply = mail(
        "Reporter@Elsewhere.example",
        "Re: Which version?",
        "3.1, sorry.",
    );
    reply.reply_token = Some(s.reply_token.clone());
    let Filed::Reply { case_id } = t.app.file_email(reply, PROJECT, t.now()).await.unwrap() else {
        panic!()
    };
    assert_eq!(case_id, s.case_id);
    assert_eq!(
        t.store.case(case_id).await.unwrap().state,
        CaseState::Triage
    );
    let thread = t
        .app
        .reporter_view(Principal::Reporter(case_id), case_id)
        .await
        .unwrap();
    assert_eq!(thread.messages.last().unwrap().body.reveal(), "3.1, sorry.");
    // Someone else replying with the token is filed, marked with who sent it.
    let mut other = mail("colleague@elsewhere.example", "Re", "More details.");
    other.reply_token = Some(s.reply_token.clone());
    t.app.file_email(other, PROJECT, t.now()).await.unwrap();
    let thread = t
        .app
        .reporter_view(Principal::Reporter(case_id), case_id)
        .await
        .unwrap();
    assert!(
        thread
            .messages
            .last()
            .unwrap()
            .body
            .reveal()
            .starts_with("(sent from colleague@elsewhere.example)")
    );
}

#[tokio::test]
async fn an_unknown_reply_token_files_nothing() {
    let t = TestApp::new().await;
    let mut m = mail("rita@elsewhere.example", "Re: something", "hello");
    m.reply_token = Some("0123456789abcdef01234567".into());
    assert!(matches!(
        t.app.file_email(m, PROJECT, t.now()).await,
        Err(AppError::NotFound)
    ));
    assert!(t.store.case_ids(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_mail_without_a_sender_address_is_refused() {
    let t = TestApp::new().await;
    let e = t
        .app
        .file_email(mail("not-an-address", "x", "y"), PROJECT, t.now())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("e-mail address"), "{e}");
    assert!(t.store.case_ids(None).await.unwrap().is_empty());
}
