//! The reporter's side in a real browser: headless Chromium driven over WebDriver against
//! a real server on loopback, with JavaScript turned off (the pages must not need it).

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use embargo_app::Principal;
use embargo_testkit::TestApp;
use embargo_web::{Site, WebState};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::support::site;

/// chromedriver in a process group of its own, killed with the browser it started when
/// dropped (also when a test fails half-way: the browser is not left running).
pub(crate) struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) async fn browser(profile: &Path) -> (Driver, Client) {
    browser_with(profile, false).await
}

/// A Chromium session; `javascript` turns the pages' scripts on (the accessibility check
/// looks at pages as most people get them).
pub(crate) async fn browser_with(profile: &Path, javascript: bool) -> (Driver, Client) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .process_group(0)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed by scripts/test.sh (Debian's chromium-driver)");
    let driver = Driver(child);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1000,1800",
                format!("--user-data-dir={}", profile.display()),
            ],
            // No JavaScript: the form and the portal must work without it.
            "prefs": {"profile.managed_default_content_settings.javascript": if javascript { 1 } else { 2 }},
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session");
    (driver, client)
}

/// `t`'s site on a real socket on loopback: its address, and the server's task.
pub(crate) async fn serve(t: &TestApp) -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let clock = t.clock.clone();
    let state = WebState::new(
        t.app.clone(),
        Site {
            public_url: base.clone(),
            ..site()
        },
        Arc::new(move || clock.now()),
    );
    let server = tokio::spawn(embargo_web::serve(listener, state, std::future::pending()));
    (base, server)
}

/// Signs in through the form, as a person does, and waits for the dashboard.
pub(crate) async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "email", email).await;
    fill(c, "password", crate::support::PASSWORD).await;
    c.find(Locator::Css("form[action='/login'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(c, "Cases").await;
}

/// Signs out and waits for the home page (the click returns before it loads).
pub(crate) async fn sign_out(c: &Client) {
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(c, "Report a security vulnerability").await;
}

pub(crate) async fn fill(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Waits until the page shows `needle` (a click that submits a form returns before the next
/// page has loaded), reading through the stale elements of the page being replaced.
pub(crate) async fn wait_for(c: &Client, needle: &str) -> String {
    let started = Instant::now();
    loop {
        if let Ok(main) = c.find(Locator::Css("main")).await
            && let Ok(text) = main.text().await
            && text.contains(needle)
        {
            return text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the page never showed {needle:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn screenshot(c: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{name}.png")),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
}

#[tokio::test]
async fn a_reporter_files_a_report_and_follows_it_in_the_portal() {
    let t = TestApp::new().await;
    let (base, server) = serve(&t).await;
    let profile = tempfile::tempdir().unwrap();
    let poc = profile.path().join("exploit.py");
    std::fs::write(&poc, "print('token leaked')\n").unwrap();
    let (_driver, c) = browser(profile.path()).await;

    // The form, filled in as a person would, with a file.
    c.goto(&format!("{base}/report")).await.unwrap();
    c.find(Locator::Css("option[value=infrastructure]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&c, "title", "Build bot prints its token").await;
    fill(&c, "description", "Every CI log shows the GitHub token.").await;
    fill(&c, "reporter_name", "Rita Reporter").await;
    fill(&c, "reporter_email", "rita@elsewhere.example").await;
    c.find(Locator::Id("attachments"))
        .await
        .unwrap()
        .send_keys(&poc.display().to_string())
        .await
        .unwrap();
    screenshot(&c, "report-form").await;
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "your report was received").await;
    let link = c
        .find(Locator::Css("#portal-link a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(link.starts_with(&format!("{base}/portal/")), "{link}");

    // The link opens the portal and leaves the address bar.
    c.goto(&link).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/portal");
    let page = wait_for(&c, "Received, waiting for acknowledgement").await;
    assert!(
        page.contains("Build bot prints its token")
            && page.contains("Received, waiting for acknowledgement"),
        "{page}"
    );
    assert!(page.contains("exploit.py"));

    // The team answers; the reporter reads it and replies.
    let token = link.rsplit('/').next().unwrap();
    let Ok(Principal::Reporter(case)) = t.app.reporter_principal(token).await else {
        panic!()
    };
    t.app
        .acknowledge(
            Principal::User(t.people.coordinator),
            case,
            "Thanks Rita, we can reproduce it.",
            t.now(),
        )
        .await
        .unwrap();
    c.refresh().await.unwrap();
    wait_for(&c, "Thanks Rita, we can reproduce it.").await;
    fill(&c, "body", "Glad to help. It also affects the nightly bot.").await;
    c.find(Locator::Css("form[action='/portal/messages'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "It also affects the nightly bot.").await;

    // Credit by handle.
    c.find(Locator::Id("credit_handle"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let value = c.find(Locator::Id("credit_value")).await.unwrap();
    value.clear().await.unwrap();
    value.send_keys("@rita").await.unwrap();
    c.find(Locator::Css("form[action='/portal/credit'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "Your credit choice was saved.").await;
    screenshot(&c, "portal").await;

    // Replacing the link: the new one works, the old one no longer does.
    c.find(Locator::Css("form[action='/portal/revoke'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "Your new private link").await;
    let fresh = c
        .find(Locator::Css("#portal-link a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(fresh, link);
    c.goto(&link).await.unwrap();
    wait_for(&c, "This link is not valid").await;
    c.goto(&fresh).await.unwrap();
    wait_for(&c, "Build bot prints its token").await;

    let report = t.store.report(case).await.unwrap();
    assert_eq!(
        report.content.reveal().credit,
        embargo_core::CreditPreference::Handle("@rita".into())
    );
    c.close().await.unwrap();
    server.abort();
}
