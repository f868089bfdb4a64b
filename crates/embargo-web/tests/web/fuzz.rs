//! What strangers post, fuzzed through the router: report JSON, multipart forms and
//! url-encoded forms with hostile structure. Whatever arrives, the answer is never a 5xx,
//! and a refused post stores nothing. Bounded, from a fixed seed (PROPTEST_RNG_SEED picks
//! another).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};

use crate::support::{Web, site};

/// Field names the intake reads, and a few it does not.
const FIELDS: &[&str] = &[
    "project",
    "title",
    "description",
    "reporter_name",
    "reporter_email",
    "credit_kind",
    "credit_value",
    "openpgp_key",
    "already_public",
    "website",
    "report",
    "attachments",
    "x",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("infra".to_string()),
        Just("rita@elsewhere.example".to_string()),
        Just("handle".to_string()),
        Just("Rita\nBcc: x@example.net".to_string()),
        Just("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n=abc\n".to_string()),
        "[ -~]{0,30}",
        any::<String>(),
    ]
}

fn json_body() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec((prop::sample::select(FIELDS), value()), 0..8).prop_map(|fields| {
            let map: serde_json::Map<String, serde_json::Value> = fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
                .collect();
            serde_json::Value::Object(map).to_string()
        }),
        Just(r#"{"title": 5, "project": ["infra"]}"#.to_string()),
        Just("[1, 2".to_string()),
        "[ -~]{0,60}",
    ]
}

fn multipart_body() -> impl Strategy<Value = (String, Vec<u8>)> {
    let boundary = prop_oneof![Just("b".to_string()), "[a-z-]{1,8}"];
    let part = (
        prop::sample::select(FIELDS),
        prop::option::of("[ -~]{0,12}"),
        prop::option::of(prop_oneof![
            Just("application/json".to_string()),
            Just("text/plain".to_string()),
            "[ -~]{0,20}"
        ]),
        prop::collection::vec(any::<u8>(), 0..64),
    );
    (boundary, prop::collection::vec(part, 0..6), any::<bool>()).prop_map(|(b, parts, close)| {
        let mut body = Vec::new();
        for (name, filename, ctype, data) in parts {
            body.extend_from_slice(
                format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
            );
            if let Some(f) = filename {
                body.extend_from_slice(format!("; filename=\"{f}\"").as_bytes());
            }
            body.extend_from_slice(b"\r\n");
            if let Some(c) = ctype {
                body.extend_from_slice(format!("Content-Type: {c}\r\n").as_bytes());
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(&data);
            body.extend_from_slice(b"\r\n");
        }
        if close {
            body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
        }
        (format!("multipart/form-data; boundary={b}"), body)
    })
}

fn post() -> impl Strategy<Value = (&'static str, String, Vec<u8>)> {
    let path = prop::sample::select(vec!["/api/v1/reports", "/report", "/portal/lost"]);
    let body = prop_oneof![
        json_body().prop_map(|b| ("application/json".to_string(), b.into_bytes())),
        multipart_body(),
        prop::collection::vec((prop::sample::select(FIELDS), "[ -~%+=&]{0,20}"), 0..6).prop_map(
            |fields| {
                let text: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                (
                    "application/x-www-form-urlencoded".to_string(),
                    text.join("&").into_bytes(),
                )
            }
        ),
        (
            prop_oneof![Just(String::new()), "[ -~]{0,30}"],
            prop::collection::vec(any::<u8>(), 0..128)
        ),
    ];
    (path, body).prop_map(|(path, (ctype, body))| (path, ctype, body))
}

#[test]
fn hostile_posts_get_an_answer_never_a_server_error() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut s = site();
    s.reports_per_hour = u32::MAX;
    let w = runtime.block_on(Web::with_site(s));
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_261_130);
    let mut runner = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    });
    runner
        .run(&post(), |(path, ctype, body)| {
            runtime.block_on(async {
                let before = w.case_count().await;
                let mut req = Request::post(path);
                if !ctype.is_empty() {
                    req = req.header("content-type", ctype.as_str());
                }
                let res = w.send(req.body(Body::from(body.clone())).unwrap()).await;
                prop_assert!(
                    !res.status.is_server_error(),
                    "{path} {ctype:?} {:?} answered {}: {}",
                    String::from_utf8_lossy(&body),
                    res.status,
                    res.body
                );
                let stored = w.case_count().await - before;
                let accepted = matches!(res.status, StatusCode::CREATED | StatusCode::SEE_OTHER)
                    || (path == "/report"
                        && res.status == StatusCode::OK
                        && res.body.contains("portal/"));
                if !accepted {
                    prop_assert_eq!(stored, 0, "{} {}: refused but stored", path, res.status);
                }
                Ok(())
            })
        })
        .unwrap();
}
