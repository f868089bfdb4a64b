//! The job runner inside `embargo serve` survives what strangers send: the sequence that
//! once killed it (a reporter name with a line break, then a request for lost links) is
//! refused at the door, and every later mail is still delivered.

use std::time::{Duration, Instant};

use crate::support::*;

/// Adds `[smtp]` pointing at `sink` to the installation in `dir`.
fn with_mail(dir: &std::path::Path, sink: &embargo_testkit::smtp::SmtpSink) {
    let cfg = dir.join("data/embargo.toml");
    let mut text_cfg = std::fs::read_to_string(&cfg).unwrap();
    text_cfg.push_str(&format!(
        "\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"Security <security@example.org>\"\nteam_address = \"team@example.org\"\n",
        sink.addr.port()
    ));
    std::fs::write(&cfg, text_cfg).unwrap();
}

#[tokio::test]
async fn two_anonymous_requests_cannot_stop_the_clocks() {
    let sink = embargo_testkit::smtp::SmtpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    with_mail(dir.path(), &sink);
    let (_server, addr) = serve(dir.path());

    // 1. A report whose name holds a line break (credited by handle, so the credit's own
    //    check does not see the name) is refused, naming the field; nothing is stored.
    let hostile = r#"{"project":"infra","title":"Hostile","description":"x","reporter_name":"Rita\nBcc: victim@example.net","reporter_email":"rita@elsewhere.example","credit_kind":"handle","credit_value":"rita"}"#;
    let res = http_post_json(&addr, "/api/v1/reports", hostile);
    assert!(res.starts_with("HTTP/1.1 422"), "{res}");
    assert!(res.contains("name"), "the field is named: {res}");
    assert_eq!(sql(dir.path(), "SELECT count(*) FROM cases").trim(), "0");

    // 2. Lost links for that address: nothing to send, and nothing breaks.
    let res = http_post_form(&addr, "/portal/lost", "email=rita%40elsewhere.example");
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");

    // 3. A later report is announced to the team, and the same request for lost links
    //    now mails its reporter a link.
    let fine = r#"{"project":"infra","title":"Fine","description":"x","reporter_name":"Rita","reporter_email":"rita@elsewhere.example"}"#;
    let res = http_post_json(&addr, "/api/v1/reports", fine);
    assert!(res.starts_with("HTTP/1.1 201"), "{res}");
    let res = http_post_form(&addr, "/portal/lost", "email=rita%40elsewhere.example");
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    let started = Instant::now();
    loop {
        let to: Vec<String> = sink.messages().iter().flat_map(|m| m.to.clone()).collect();
        if to.iter().any(|t| t == "team@example.org")
            && to.iter().any(|t| t == "rita@elsewhere.example")
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "mail stopped: {to:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // 4. The health check shows a running job runner.
    let health = http_get(&addr, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(r#""state":"running""#), "{health}");
    assert_eq!(
        sql(
            dir.path(),
            "SELECT count(*) FROM jobs WHERE status = 'dead'"
        )
        .trim(),
        "0"
    );
}
