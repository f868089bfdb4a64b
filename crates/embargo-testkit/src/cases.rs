//! Cases driven through the use cases to a given state, for tests of what comes after.

use embargo_app::Principal;
use embargo_core::{
    Advisory, Affected, AffectedRange, CaseId, Credit, CreditKind, CveId, CweId, EmbargoDates,
    Reference, ReferenceKind, TimeZoneName,
};

use crate::{TestApp, days};

/// A complete, publishable advisory.
pub fn advisory() -> Advisory {
    Advisory {
        title: "Token leak in the build bot".into(),
        summary: "The build bot printed its token in CI logs.".into(),
        description: "Debug logging printed the **token** unmasked. Rotate tokens after upgrading."
            .into(),
        cve: Some(CveId::parse("CVE-2026-40001").unwrap()),
        cvss_v3: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N".into()),
        cvss_v4: Some("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N".into()),
        cwes: vec![CweId::parse("CWE-532").unwrap()],
        affected: vec![
            Affected {
                purl: "pkg:pypi/build-bot".into(),
                ranges: vec![AffectedRange {
                    introduced: "3.0".into(),
                    fixed: Some("3.1.2".into()),
                    last_affected: None,
                }],
            },
            Affected {
                purl: "pkg:conda/build-bot?channel=conda-forge".into(),
                ranges: vec![AffectedRange {
                    introduced: "3.0".into(),
                    fixed: Some("3.1.2".into()),
                    last_affected: None,
                }],
            },
        ],
        workarounds: "Turn debug logging off.".into(),
        references: vec![Reference {
            kind: ReferenceKind::Fix,
            url: "https://github.com/example-org/build-bot/pull/1".into(),
        }],
        credits: vec![Credit {
            name: "Devi Loper".into(),
            kind: CreditKind::RemediationDeveloper,
            link: None,
        }],
    }
}

/// Announcement dates `in_days` from now, in New York.
pub fn dates(t: &TestApp, in_days: i64) -> EmbargoDates {
    let zone = TimeZoneName::parse("America/New_York").unwrap();
    let local = (t.now() + days(in_days))
        .to_zoned_datetime(zone.zone())
        .datetime();
    EmbargoDates {
        release_on: local.date(),
        announce_at: local,
        zone,
    }
}

impl TestApp {
    /// A reported case taken to `Scheduled` by the coordinator and the developer, with its
    /// announcement `in_days` from now and a released fix; no advisory yet.
    pub async fn scheduled_case(&self, in_days: i64) -> CaseId {
        let content = crate::report("reporter@elsewhere.example");
        self.scheduled_case_with(content, in_days, "private").await
    }

    /// `scheduled_case` from `content`, writing `marker` into every private text on the way:
    /// messages both ways, an internal comment, a file, the fork's name, checklist notes,
    /// the extension's reason and the announcement drafts (the public/private boundary
    /// tests look for it everywhere public).
    pub async fn scheduled_case_with(
        &self,
        content: embargo_core::ReportContent,
        in_days: i64,
        marker: &str,
    ) -> CaseId {
        let p = self.people;
        let (coord, dev) = (Principal::User(p.coordinator), Principal::User(p.developer));
        let id = self
            .app
            .submit_report(crate::intake(content), self.now())
            .await
            .unwrap()
            .case_id;
        let now = self.now();
        let note = || Some(format!("note {marker}"));
        self.app
            .acknowledge(coord, id, &format!("Thanks {marker}"), now)
            .await
            .unwrap();
        self.app.start_triage(coord, id, now).await.unwrap();
        self.app
            .post_message(
                Principal::Reporter(id),
                id,
                embargo_core::Visibility::Reporter,
                &format!("More details {marker}"),
                vec![embargo_app::Upload {
                    filename: format!("exploit-{marker}.py"),
                    content_type: "text/x-python".into(),
                    data: format!("print('{marker}')").into_bytes(),
                }],
                now,
            )
            .await
            .unwrap();
        self.app.accept(coord, id, now).await.unwrap();
        self.app
            .post_message(
                coord,
                id,
                embargo_core::Visibility::Internal,
                &format!("Internal comment {marker}"),
                vec![],
                now,
            )
            .await
            .unwrap();
        self.app
            .add_developer(coord, id, p.developer, now)
            .await
            .unwrap();
        self.app.start_fixing(dev, id, now).await.unwrap();
        let (_, fork) = self
            .app
            .record_fork(dev, id, &format!("example-org/fork-{marker}"), now)
            .await
            .unwrap();
        self.app
            .sign_off_fork(dev, id, fork, note(), now)
            .await
            .unwrap();
        for step in [6, 7, 12, 13] {
            self.app
                .complete_step(dev, id, step, note(), now)
                .await
                .unwrap();
        }
        for kind in embargo_app::DRAFT_KINDS {
            self.app
                .save_draft(dev, id, kind, &format!("Draft {marker}"), now)
                .await
                .unwrap();
        }
        let deadline = self.store.case(id).await.unwrap().deadlines.disclose_by;
        self.app
            .extend_disclosure(
                coord,
                id,
                deadline + days(1),
                &format!("reason {marker}"),
                now,
            )
            .await
            .unwrap();
        self.app
            .set_dates(dev, id, dates(self, in_days), now)
            .await
            .unwrap();
        self.app
            .complete_step(dev, id, 10, note(), now)
            .await
            .unwrap();
        self.app
            .complete_step(coord, id, 10, note(), now)
            .await
            .unwrap();
        id
    }

    /// A reported case accepted by the coordinator with the developer on it: being fixed,
    /// nothing released, no dates.
    pub async fn accepted_case(&self) -> CaseId {
        let p = self.people;
        let coord = Principal::User(p.coordinator);
        let id = self.submit().await.case_id;
        let now = self.now();
        self.app
            .acknowledge(coord, id, "Thanks.", now)
            .await
            .unwrap();
        self.app.start_triage(coord, id, now).await.unwrap();
        self.app.accept(coord, id, now).await.unwrap();
        self.app
            .add_developer(coord, id, p.developer, now)
            .await
            .unwrap();
        id
    }

    /// Saves `advisory` as the case's draft and approves its preview as the coordinator.
    pub async fn approve_advisory(&self, id: CaseId, advisory: Advisory) {
        let coord = Principal::User(self.people.coordinator);
        let current = self.app.advisory_editor(coord, id).await.unwrap().revision;
        let revision = self
            .app
            .save_advisory(coord, id, current, advisory, self.now())
            .await
            .unwrap();
        self.app
            .approve_preview(coord, id, revision, self.now())
            .await
            .unwrap();
    }
}
