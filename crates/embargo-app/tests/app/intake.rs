//! Group commit: reports filed at the same moment are committed together, each answered
//! once its batch is durable; a refused report in a batch is undone alone.

use embargo_core::ProjectSlug;
use embargo_testkit::{TestApp, intake, report};

#[tokio::test]
async fn reports_filed_together_are_all_kept_and_a_refused_one_alone_is_undone() {
    let t = TestApp::new().await;
    let before = t.store.verify_audit().await.unwrap().entries;
    let mut filings = Vec::new();
    for n in 0..40 {
        let mut content = report(&format!("r{n}@example.net"));
        content.title = format!("Report {n}");
        if n % 8 == 3 {
            // Well formed, but no such project: refused when written.
            content.project = ProjectSlug::parse("nowhere").unwrap();
        }
        let app = t.app.clone();
        let now = t.now();
        filings.push(tokio::spawn(async move {
            app.submit_report(intake(content), now).await
        }));
    }
    let mut filed = Vec::new();
    let mut refused = 0;
    for f in filings {
        match f.await.unwrap() {
            Ok(s) => filed.push(s.case_id),
            Err(e) => {
                assert!(e.to_string().contains("project"), "{e}");
                refused += 1;
            }
        }
    }
    assert_eq!((filed.len(), refused), (35, 5));
    // Every answered report is there, with its own reference, and the audit chain holds
    // one entry per report in the order they were written.
    let mut references = Vec::new();
    for id in &filed {
        t.store.case(*id).await.unwrap();
        references.push(t.store.case_reference(*id).await.unwrap());
    }
    references.sort();
    references.dedup();
    assert_eq!(references.len(), 35);
    let audit = t.store.verify_audit().await.unwrap();
    assert!(audit.is_intact(), "{audit:?}");
    assert_eq!(audit.entries, before + 35, "{audit:?}");
    let mut received = 0;
    for id in &filed {
        let entries = t.store.audit_of_case(*id).await.unwrap();
        received += entries
            .iter()
            .filter(|e| e.action == "report_received")
            .count();
    }
    assert_eq!(received, 35);
}

/// A batch with nothing refused is written in a few statements: every report gets the next
/// reference of the year with no gap, its audit entry in the chain, and its three jobs.
#[tokio::test]
async fn a_batch_of_good_reports_is_numbered_chained_and_queued_like_reports_filed_alone() {
    let t = TestApp::new().await;
    let alone = t
        .app
        .submit_report(intake(report("first@example.net")), t.now())
        .await
        .unwrap();
    let mut filings = Vec::new();
    for n in 0..40 {
        let app = t.app.clone();
        let now = t.now();
        let content = report(&format!("r{n}@example.net"));
        filings.push(tokio::spawn(async move {
            app.submit_report(intake(content), now).await
        }));
    }
    let mut filed = vec![alone.case_id];
    for f in filings {
        filed.push(f.await.unwrap().unwrap().case_id);
    }
    let mut numbers = Vec::new();
    for id in &filed {
        let reference = t.store.case_reference(*id).await.unwrap();
        numbers.push(
            reference
                .rsplit('-')
                .next()
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
        let kinds: Vec<String> = t
            .store
            .jobs(Some(*id))
            .await
            .unwrap()
            .into_iter()
            .map(|j| j.kind)
            .collect();
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        t.store.case(*id).await.unwrap();
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=41).collect::<Vec<u32>>());
    let audit = t.store.verify_audit().await.unwrap();
    assert!(audit.is_intact(), "{audit:?}");
    for id in &filed {
        let entries = t.store.audit_of_case(*id).await.unwrap();
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0].action, "report_received");
    }
}
