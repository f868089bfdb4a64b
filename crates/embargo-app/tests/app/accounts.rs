//! Account security: second-factor codes are attempts like passwords, and invitation links
//! are looked up before any password is hashed.

use embargo_app::{AppError, Principal, current_code};
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

    // A success cleared the count: disabling gets its own five tries.
    for _ in 0..5 {
        assert!(!locked(&t.app.disable_totp(me, "000000", t.now()).await));
    }
    t.clock.advance(SignedDuration::from_secs(60));
    let right = current_code(&setup.secret_base32, t.now()).unwrap();
    assert!(locked(&t.app.disable_totp(me, &right, t.now()).await));
    assert!(t.app.has_totp(me).await.unwrap(), "still on");
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
