#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! Bounded fuzzing of [`RawReport`]: the report form and the API hand embargo-core whatever
//! a stranger typed, as JSON. Any JSON object is deserialized and checked; nothing may
//! panic, and a report that passes has its one-line fields (title, reporter name, credit)
//! free of line breaks and control characters, since they go on into mail headers and logs.
//!
//! The objects use the real field names (and sometimes an unknown one), with values that
//! are random strings (control characters, Unicode line separators, long text), near-valid
//! values so that many reports pass, and the wrong JSON types. A fixed number of proptest
//! cases keeps the file to a few seconds.

use embargo_core::{CreditPreference, RawReport, is_line_breaking};
use proptest::prelude::*;
use serde_json::{Map, Value};

const FIELDS: &[&str] = &[
    "project",
    "title",
    "description",
    "affected_versions",
    "reproduction",
    "impact",
    "already_public",
    "exploited",
    "reporter_name",
    "reporter_email",
    "credit_kind",
    "credit_value",
    "openpgp_key",
];

/// Values that get a report past each check, and near misses.
const MEANINGFUL: &[&str] = &[
    "infra",
    "docs",
    "Infra",
    "no such",
    "XSS in docs search",
    "Rita",
    "rita@example.org",
    "rita@localhost",
    "@example.org",
    "name",
    "handle",
    "link",
    "anonymous",
    "https://example.net/rita",
    "javascript:alert(1)",
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\nx\n-----END PGP PUBLIC KEY BLOCK-----",
    "",
    " ",
    "\u{2028}",
    "\u{85}",
    "\r\n",
    "\t",
    "\u{0}",
    "\u{202E}",
];

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(MEANINGFUL).prop_map(str::to_string),
        2 => (
            prop::sample::select(MEANINGFUL),
            prop::sample::select(MEANINGFUL),
            prop::sample::select(MEANINGFUL),
        )
            .prop_map(|(a, b, c)| format!("{a}{b}{c}")),
        2 => "[ -~]{0,30}",
        2 => "\\PC{0,20}",
        1 => prop::collection::vec(any::<char>(), 0..20).prop_map(|c| c.into_iter().collect()),
        1 => (0usize..300, "[a-zé \u{2028}\n]").prop_map(|(n, c)| c.repeat(n)),
        1 => (99_990usize..100_010).prop_map(|n| "x".repeat(n)),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        12 => string().prop_map(Value::String),
        2 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        1 => prop::collection::vec(string().prop_map(Value::String), 0..3).prop_map(Value::Array),
        1 => Just(Value::Object(Map::new())),
    ]
}

fn report_json() -> impl Strategy<Value = Value> {
    let field = prop_oneof![
        20 => prop::sample::select(FIELDS).prop_map(str::to_string),
        1 => "[a-z_]{0,12}",
    ];
    prop::collection::vec((field, value()), 0..16)
        .prop_map(|fields| Value::Object(fields.into_iter().collect()))
}

/// Mostly a report that passes, with one to three fields replaced by something random.
fn near_valid_report() -> impl Strategy<Value = Value> {
    let base = serde_json::json!({
        "project": "infra",
        "title": "XSS in docs search",
        "description": "Type <script> in the box.",
        "reporter_name": "Rita",
        "reporter_email": "rita@example.org",
    });
    prop::collection::vec(
        (
            prop::sample::select(FIELDS),
            prop_oneof![4 => string().prop_map(Value::String), 1 => value()],
        ),
        0..4,
    )
    .prop_map(move |changes| {
        let mut report = base.clone();
        for (k, v) in changes {
            report[k] = v;
        }
        report
    })
}

fn check(json: &Value) {
    let Ok(raw) = serde_json::from_value::<RawReport>(json.clone()) else {
        return;
    };
    let Ok(report) = raw.check() else {
        return;
    };
    for (what, text) in [
        ("title", &report.title),
        ("reporter name", &report.reporter_name),
    ] {
        assert!(
            !text.chars().any(is_line_breaking),
            "{what} {text:?} is not one line ({json})"
        );
        assert_eq!(text.trim(), text, "{what} is not trimmed");
    }
    assert!(!report.title.is_empty());
    match &report.credit {
        CreditPreference::Name(v) | CreditPreference::Handle(v) | CreditPreference::Link(v) => {
            assert!(!v.chars().any(is_line_breaking), "credit {v:?} ({json})");
            assert!(!v.is_empty());
        }
        CreditPreference::Anonymous => {}
    }
    if let Some(email) = &report.reporter_email {
        assert!(!email.as_ref().chars().any(is_line_breaking));
    }
}

proptest! {
    // A fixed seed keeps the suite reproducible; PROPTEST_RNG_SEED picks another.
    #![proptest_config(ProptestConfig {
        cases: 2_048,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(
            std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20_261_130),
        ),
        ..ProptestConfig::default()
    })]

    #[test]
    fn raw_report_from_any_object(json in report_json()) {
        check(&json);
    }

    #[test]
    fn raw_report_near_valid(json in near_valid_report()) {
        check(&json);
    }
}
