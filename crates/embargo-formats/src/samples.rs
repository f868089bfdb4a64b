//! Varied published advisories for tests (feature `samples`): several ecosystems, CVSS 3.1
//! and 4.0, no fix available, several packages, credits of every type.

use embargo_core::{
    Advisory, Affected, AffectedRange, Credit, CreditKind, CveId, CweId, PublicTimeline,
    Publication, Reference, ReferenceKind,
};
use jiff::Timestamp;
use jiff::civil::date;

use crate::Publisher;

pub fn publisher() -> Publisher {
    Publisher {
        name: "Example Org".into(),
        base_url: "https://security.example.org".into(),
        cna_org_id: Some("b3476cb9-2e3d-41a6-98d0-0f47421a65b6".into()),
        cna_short_name: Some("example".into()),
    }
}

fn range(introduced: &str, fixed: Option<&str>) -> AffectedRange {
    AffectedRange {
        introduced: introduced.into(),
        fixed: fixed.map(str::to_string),
        last_affected: None,
    }
}

fn credit(name: &str, kind: CreditKind, link: Option<&str>) -> Credit {
    Credit {
        name: name.into(),
        kind,
        link: link.map(str::to_string),
    }
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A PyPI package fixed in two release lines, CVSS 3.1 and 4.0, two CWEs, every credit type.
pub fn pypi_fixed() -> Publication {
    let advisory = Advisory {
        title: "Path traversal in the file download handler".into(),
        summary: "A crafted path lets an authenticated user read files outside the root directory.".into(),
        description: "The `/files` handler joined the requested path to the root directory without \
            normalizing it first, so `../` segments escaped it.\n\nAll deployments that expose the \
            server to other users are affected.".into(),
        cve: CveId::parse("CVE-2026-41234").ok(),
        cvss_v3: Some("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N".into()),
        cvss_v4: Some("CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N".into()),
        cwes: cwes(&["CWE-22", "CWE-73"]),
        affected: vec![Affected {
            purl: "pkg:pypi/example-server".into(),
            ranges: vec![range("0", Some("1.4.2")), range("2.0.0", Some("2.1.1"))],
        }],
        workarounds: "Run the server behind a proxy that rejects `..` in paths.".into(),
        references: vec![
            Reference { kind: ReferenceKind::Fix, url: "https://github.com/example-org/example-server/commit/5e1b2c3d4e5f60718293a4b5c6d7e8f901234567".into() },
            Reference { kind: ReferenceKind::Package, url: "https://pypi.org/project/example-server/".into() },
        ],
        credits: CreditKind::ALL
            .iter()
            .enumerate()
            .map(|(i, k)| credit(&format!("Person {i}"), *k, (i == 0).then_some("https://example.net/~finder")))
            .collect(),
    };
    Publication {
        id: "EXAMPLE-2026-0001".into(),
        advisory,
        published: at("2026-05-04T14:00:00Z"),
        modified: at("2026-05-04T14:00:00Z"),
        timeline: PublicTimeline {
            reported: date(2026, 3, 2),
            acknowledged: Some(date(2026, 3, 3)),
            fixed: Some(date(2026, 5, 1)),
            published: date(2026, 5, 4),
        },
        fix_available: true,
        revision: 1,
        project: Some("example-server".into()),
        withdrawn: None,
        osv_source: None,
        cve_source: None,
        imported: false,
    }
}

/// A conda package (no OSV ecosystem) disclosed at the deadline without a fix, CVSS 4.0 only.
pub fn conda_unfixed() -> Publication {
    let advisory = Advisory {
        title: "Build scripts run with the uploader's token".into(),
        summary: "Recipes could read the upload token while building.".into(),
        description: "The build environment exported `UPLOAD_TOKEN` to recipe scripts.".into(),
        cve: None,
        cvss_v3: None,
        cvss_v4: Some("CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N".into()),
        cwes: cwes(&["CWE-522"]),
        affected: vec![Affected {
            purl: "pkg:conda/conda-build?channel=conda-forge".into(),
            ranges: vec![range("3.21.0", None)],
        }],
        workarounds: String::new(),
        references: vec![],
        credits: vec![credit(
            "Anonymous Hacker Collective",
            CreditKind::Reporter,
            None,
        )],
    };
    Publication {
        id: "EXAMPLE-2026-0002".into(),
        advisory,
        published: at("2026-08-31T00:00:00Z"),
        modified: at("2026-08-31T00:00:00Z"),
        timeline: PublicTimeline {
            reported: date(2026, 6, 2),
            acknowledged: Some(date(2026, 6, 5)),
            fixed: None,
            published: date(2026, 8, 31),
        },
        fix_available: false,
        revision: 1,
        project: None,
        withdrawn: None,
        osv_source: None,
        cve_source: None,
        imported: false,
    }
}

/// Several packages in several ecosystems (npm scoped, cargo, GitHub Actions, generic), one
/// with `last_affected`, CVSS 3.1 only, no CWE, a CVE.
pub fn many_ecosystems() -> Publication {
    let advisory = Advisory {
        title: "Token leak in CI logs".into(),
        summary: "Secrets passed to the action were printed in build logs.".into(),
        description: "Debug output printed the `token` input unmasked.".into(),
        cve: CveId::parse("CVE-2026-50001").ok(),
        cvss_v3: Some("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:L/A:N".into()),
        cvss_v4: None,
        cwes: vec![],
        affected: vec![
            Affected { purl: "pkg:githubactions/example-org/setup-example".into(), ranges: vec![range("1.0.0", Some("1.3.0"))] },
            Affected { purl: "pkg:npm/%40example/ci-tools".into(), ranges: vec![range("0", Some("4.2.0-rc.1"))] },
            Affected { purl: "pkg:cargo/example-ci".into(), ranges: vec![AffectedRange { introduced: "0.3.0".into(), fixed: None, last_affected: Some("0.5.7".into()) }] },
            Affected { purl: "pkg:generic/example-runner".into(), ranges: vec![range("2.0", Some("2.4"))] },
        ],
        workarounds: "Do not set `debug: true`.".into(),
        references: vec![Reference { kind: ReferenceKind::Advisory, url: "https://github.com/example-org/setup-example/security/advisories/GHSA-abcd-efgh-ijkl".into() }],
        credits: vec![
            credit("Ada Lovelace", CreditKind::Finder, Some("https://github.com/ada")),
            credit("Example Org security team", CreditKind::Coordinator, None),
        ],
    };
    Publication {
        id: "EXAMPLE-2026-0003".into(),
        advisory,
        published: at("2026-09-15T09:30:00Z"),
        modified: at("2026-09-20T10:00:00Z"),
        timeline: PublicTimeline {
            reported: date(2026, 9, 1),
            acknowledged: Some(date(2026, 9, 1)),
            fixed: Some(date(2026, 9, 14)),
            published: date(2026, 9, 15),
        },
        fix_available: true,
        revision: 2,
        project: Some("ci-tools".into()),
        withdrawn: None,
        osv_source: None,
        cve_source: None,
        imported: false,
    }
}

/// Disclosed at the deadline before anyone drafted packages or scores.
pub fn deadline_without_draft() -> Publication {
    let mut p = conda_unfixed();
    p.id = "EXAMPLE-2026-0004".into();
    p.advisory.affected.clear();
    p.advisory.cvss_v4 = None;
    p.advisory.cwes.clear();
    p.advisory.credits.clear();
    p.advisory.workarounds = "Rotate the token.".into();
    p.project = Some("conda-build".into());
    p
}

pub fn all() -> Vec<Publication> {
    vec![
        pypi_fixed(),
        conda_unfixed(),
        many_ecosystems(),
        deadline_without_draft(),
    ]
}

fn cwes(ids: &[&str]) -> Vec<CweId> {
    ids.iter().filter_map(|c| CweId::parse(c).ok()).collect()
}
