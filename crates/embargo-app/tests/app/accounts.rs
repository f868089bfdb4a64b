//! Account security: second-factor codes are attempts like passwords, and invitation links
//! are looked up before any password is hashed.

use embargo_app::{AppError, Principal, Proof, current_code};
use embargo_testkit::TestApp;
use jiff::SignedDuration;

fn locked(r: &Result<(), AppError>) -> bool {
    matches!(r, Err(AppError::Rule { code: "locked", .. }))
}

/// Five wrong codes lock confirming (and then disabling) the second factor like sign-in
/// locks: even the right code is refused until the lock ends.
#[tokio::test]
async fn wrong_two_factor_codes_lock_like_wrong_passwords() {
    let t = TestApp::new().await;
    let me = Principal::User(t.people.coordinator);
    let setup = t.app.start_totp(me, "Example", t.now()).await.unwrap();
    for _ in 0..5 {
        let r = t.app.confirm_totp(me, "000000", t.now()).await;
        assert!(matches!(r, Err(AppError::Invalid(_))), "{r:?}");
    }
    let right = current_code(&setup.secret_base32, t.now()).unwrap();
    assert!(locked(&t.app.confirm_totp(me, &right, t.now()).await));
    assert!(!t.app.has_totp(me).await.unwrap());

    t.clock.advance(SignedDuration::from_mins(6));
    let right = current_code(&setup.secret_base32, t.now()).unwrap();
    t.app.confirm_totp(me, &right, t.now()).await.unwrap();
    assert!(t.app.has_totp(me).await.unwrap());

    // Turning it off needs the password and a code; wrong ones count and lock too.
    for _ in 0..5 {
        let r = t.app.disable_totp(me, PASSWORD, "000000", t.now()).await;
        assert!(matches!(r, Err(AppError::Invalid(_))), "{r:?}");
    }
    t.clock.advance(SignedDuration::from_secs(60));
    let right = current_code(&setup.secret_base32, t.now()).unwrap();
    assert!(locked(
        &t.app.disable_totp(me, PASSWORD, &right, t.now()).await
    ));
    assert!(t.app.has_totp(me).await.unwrap(), "still on");
}

const PASSWORD: &str = "correct horse battery staple";

async fn with_password(t: &TestApp) -> Principal {
    t.app
        .set_password(Principal::Operator, t.people.coordinator, PASSWORD, t.now())
        .await
        .unwrap();
    Principal::User(t.people.coordinator)
}

fn proof(password: &str) -> Proof {
    Proof {
        password: password.into(),
        code: None,
    }
}

/// A session alone cannot make a token, change the password or set one's own password
/// the administrator's way: the current password is asked for, and wrong ones lock.
#[tokio::test]
async fn changes_that_outlive_the_session_ask_for_the_current_password() {
    let t = TestApp::new().await;
    let me = with_password(&t).await;
    let r = t
        .app
        .create_api_token(me, "laptop", 90, &proof("not my password"), t.now())
        .await;
    let Err(AppError::Invalid(problems)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(problems[0].what, "current password");
    let token = t
        .app
        .create_api_token(me, "laptop", 90, &proof(PASSWORD), t.now())
        .await
        .unwrap();
    assert!(t.app.api_principal(&token, t.now()).await.is_ok());
    let r = t
        .app
        .create_api_token(me, "forever", 0, &proof(PASSWORD), t.now())
        .await;
    assert!(matches!(r, Err(AppError::Invalid(_))), "{r:?}");
    let r = t
        .app
        .set_password(me, t.people.coordinator, "a brand new password", t.now())
        .await;
    assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
    for _ in 0..5 {
        let r = t
            .app
            .change_password(
                me,
                &proof("wrong"),
                "a brand new password",
                "s",
                false,
                t.now(),
            )
            .await;
        assert!(matches!(r, Err(AppError::Invalid(_))), "{r:?}");
    }
    let r = t
        .app
        .change_password(
            me,
            &proof(PASSWORD),
            "a brand new password",
            "s",
            false,
            t.now(),
        )
        .await;
    assert!(locked(&r.map(|_| ())), "five wrong answers locked it");
}

/// Changing the password ends every other session (and revokes the tokens when asked);
/// the session that made the change stays.
#[tokio::test]
async fn a_password_change_ends_the_other_sessions() {
    let t = TestApp::new().await;
    let me = with_password(&t).await;
    let here = t
        .app
        .login("coco@example.org", PASSWORD, None, t.now())
        .await
        .unwrap();
    let elsewhere = t
        .app
        .login("coco@example.org", PASSWORD, None, t.now())
        .await
        .unwrap();
    let token = t
        .app
        .create_api_token(me, "laptop", 90, &proof(PASSWORD), t.now())
        .await
        .unwrap();
    let changed = t
        .app
        .change_password(
            me,
            &proof(PASSWORD),
            "a brand new password",
            &here.session_token,
            true,
            t.now(),
        )
        .await
        .unwrap();
    assert_eq!((changed.sessions_ended, changed.tokens_revoked), (1, 1));
    assert!(t.app.session(&here.session_token, t.now()).await.is_ok());
    assert!(
        t.app
            .session(&elsewhere.session_token, t.now())
            .await
            .is_err()
    );
    assert!(t.app.api_principal(&token, t.now()).await.is_err());
    assert!(
        t.app
            .login("coco@example.org", "a brand new password", None, t.now())
            .await
            .is_ok()
    );
}

/// A stranger posting to a made-up invitation link learns nothing and costs no password
/// hash: the link is checked first (the password's own problems are not even looked at).
#[tokio::test]
async fn an_unknown_invitation_is_refused_before_the_password_is_considered() {
    let t = TestApp::new().await;
    let r = t
        .app
        .accept_invitation("no-such-link", "short", t.now())
        .await;
    assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
}
