//! security.txt (checked by the official validator over a real socket) and the team key.

use std::sync::Arc;

use axum::http::StatusCode;
use embargo_web::{Site, WebState};

use crate::support::{Web, site};

const KEY: &str =
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZtest\n-----END PGP PUBLIC KEY BLOCK-----\n";

#[tokio::test]
async fn security_txt_has_every_field() {
    let w = Web::with_site(Site {
        team_public_key: Some(KEY.into()),
        ..site()
    })
    .await;
    let res = w.get("/.well-known/security.txt", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(
        res.body,
        "Contact: mailto:security@example.org\nContact: http://embargo.test/report\nExpires: 2026-08-29T09:00:00Z\n\
         Encryption: http://embargo.test/pgp-key.txt\nPolicy: http://embargo.test/\nPreferred-Languages: en\n\
         CSAF: http://embargo.test/.well-known/csaf/provider-metadata.json\n\
         Canonical: http://embargo.test/.well-known/security.txt\n"
    );
    let key = w.get("/pgp-key.txt", None).await;
    assert_eq!((key.status, key.body.as_str()), (StatusCode::OK, KEY));
    assert!(
        key.header("content-type")
            .starts_with("application/pgp-keys")
    );
}

#[tokio::test]
async fn without_a_key_there_is_no_encryption_field() {
    let w = Web::new().await;
    assert!(
        !w.get("/.well-known/security.txt", None)
            .await
            .body
            .contains("Encryption")
    );
    assert_eq!(
        w.get("/pgp-key.txt", None).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Runs the official security.txt validator (sectxt) against a real server.
#[tokio::test]
async fn the_official_validator_accepts_security_txt() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let t = embargo_testkit::TestApp::new().await;
    // sectxt checks Expires against the real date: this server uses the wall clock.
    #[allow(clippy::disallowed_methods)]
    let clock: embargo_web::Clock = Arc::new(jiff::Timestamp::now);
    let site = Site {
        public_url: format!("http://{addr}"),
        team_public_key: Some(KEY.into()),
        ..site()
    };
    let state = WebState::new(t.app.clone(), site, clock);
    let server = tokio::spawn(embargo_web::serve(listener, state, std::future::pending()));
    let out = tokio::task::spawn_blocking(move || {
        embargo_validators::Validator::SecurityTxt
            .run(&["--allow-http"], &[format!("http://{addr}")])
    })
    .await
    .unwrap();
    server.abort();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "validator failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("OK http://"), "{text}");
}
