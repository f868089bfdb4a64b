//! The public site: published advisories (index with search, one page each, exports at
//! stable URLs), the thanks page, the Atom feed, the CSAF provider layout and the OSV-style
//! query endpoint. Readable without JavaScript and without login. Everything here renders
//! frozen publications: no case, person or draft is ever read.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use embargo_app::{AppError, PublicationFilter};
use embargo_core::Publication;
use embargo_formats::{Package, atom, csaf, cve5, osv};
use serde::Deserialize;

use crate::WebState;
use crate::error::WebError;
use crate::page_error::PageError;
use crate::render::page;

/// One advisory as the index and its page show it.
pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) summary: String,
    pub(crate) cve: Option<String>,
    pub(crate) severity: Option<String>,
    pub(crate) score: Option<String>,
    pub(crate) packages: Vec<String>,
    pub(crate) published: String,
    pub(crate) fix_available: bool,
}

impl Row {
    fn of(p: &Publication) -> Self {
        let headline = embargo_formats::cvss::headline(&p.advisory);
        Self {
            id: p.id.clone(),
            title: p.advisory.title.clone(),
            summary: p.advisory.summary.clone(),
            cve: p.advisory.cve.as_ref().map(ToString::to_string),
            severity: headline.as_ref().map(|s| s.severity.to_lowercase()),
            score: headline.as_ref().map(|s| format!("{:.1}", s.score)),
            packages: p
                .advisory
                .affected
                .iter()
                .map(|a| match Package::parse(&a.purl) {
                    Ok(k) => format!("{} ({})", k.ecosystem_name(), k.ecosystem_label()),
                    Err(_) => a.purl.clone(),
                })
                .collect(),
            published: p.timeline.published.to_string(),
            fix_available: p.fix_available,
        }
    }
}

#[derive(Template)]
#[template(path = "advisories.html")]
struct Index {
    org: String,
    rows: Vec<Row>,
    q: String,
    severity: String,
    severities: [&'static str; 4],
    /// Links to the pages of newer and older advisories.
    newer: Option<String>,
    older: Option<String>,
}

/// The public index shows this many advisories a page.
pub const INDEX_PAGE: usize = 50;

#[derive(Debug, Deserialize)]
pub struct IndexQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    before: Option<String>,
}

/// `/advisories?q=..&severity=..&after=CURSOR`, the search kept.
fn index_link(q: &str, severity: &str, key: &str, cursor: &str) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let mut link = format!("/advisories?{key}={}", enc(cursor));
    if !q.is_empty() {
        link.push_str(&format!("&q={}", enc(q)));
    }
    if !severity.is_empty() {
        link.push_str(&format!("&severity={}", enc(severity)));
    }
    link
}

/// `GET /advisories`: newest first; `q` matches ids, CVE ids, titles and package names.
pub async fn index(
    State(state): State<WebState>,
    Query(query): Query<IndexQuery>,
) -> Result<Response, PageError> {
    let org = state.site.organization.clone();
    let severity = query.severity.trim().to_lowercase();
    let filter = PublicationFilter {
        text: Some(query.q.trim().to_string()).filter(|q| !q.is_empty()),
        severity: Some(severity.clone()).filter(|s| !s.is_empty()),
    };
    let request = embargo_app::PageRequest {
        after: query.after.filter(|c| !c.is_empty()),
        before: query.before.filter(|c| !c.is_empty()),
    };
    let list = state
        .app
        .published_page(&filter, &request, INDEX_PAGE)
        .await?;
    let q = query.q.trim().to_string();
    Ok(page(
        StatusCode::OK,
        &Index {
            org,
            rows: list.items.iter().map(Row::of).collect(),
            newer: list.newer.map(|c| index_link(&q, &severity, "before", &c)),
            older: list.older.map(|c| index_link(&q, &severity, "after", &c)),
            q: query.q,
            severity,
            severities: ["critical", "high", "medium", "low"],
        },
    ))
}

pub(crate) struct Affected {
    pub(crate) package: String,
    pub(crate) ecosystem: String,
    pub(crate) purl: String,
    pub(crate) ranges: Vec<String>,
    pub(crate) patched: Vec<String>,
}

/// The advisory's public content, shared by its public page and the team's preview.
pub struct AdvisoryBody {
    pub(crate) row: Row,
    pub(crate) description_html: String,
    pub(crate) workarounds_html: String,
    pub(crate) cvss_v3: Option<(String, String)>,
    pub(crate) cvss_v4: Option<(String, String)>,
    /// (id, number, official name)
    pub(crate) cwes: Vec<(String, u32, String)>,
    pub(crate) affected: Vec<Affected>,
    pub(crate) references: Vec<(String, String)>,
    pub(crate) credits: Vec<(String, Option<String>, String)>,
    pub(crate) timeline: Vec<(String, &'static str)>,
    pub(crate) has_cve_record: bool,
    pub(crate) revision: u32,
    pub(crate) modified: String,
    /// "2024-01-23" when the advisory was withdrawn.
    pub(crate) withdrawn: Option<String>,
    /// Imported from another database: no claims about our disclosure process.
    pub(crate) imported: bool,
    /// False in the preview: the machine-readable links do not exist yet.
    pub(crate) public: bool,
}

impl AdvisoryBody {
    pub fn of(p: &Publication, publisher: &embargo_formats::Publisher, public: bool) -> Self {
        let a = &p.advisory;
        let scored =
            |v: &Option<String>, f: fn(&str) -> Result<embargo_formats::cvss::Scored, String>| {
                v.as_deref().and_then(|v| f(v).ok()).map(|s| {
                    (
                        s.vector,
                        format!("{:.1} {}", s.score, s.severity.to_lowercase()),
                    )
                })
            };
        let affected = a
            .affected
            .iter()
            .map(|x| {
                let (package, ecosystem) = match Package::parse(&x.purl) {
                    Ok(k) => (k.ecosystem_name(), k.ecosystem_label().to_string()),
                    Err(_) => (x.purl.clone(), String::new()),
                };
                Affected {
                    package,
                    ecosystem,
                    purl: x.purl.clone(),
                    ranges: x.ranges.iter().map(describe_range).collect(),
                    patched: x.patched_versions().map(str::to_string).collect(),
                }
            })
            .collect();
        // An imported advisory's history is its source's: only the publication date is known.
        let mut timeline = Vec::new();
        if !p.imported {
            timeline.push((p.timeline.reported.to_string(), "Reported"));
            if let Some(d) = p.timeline.acknowledged {
                timeline.push((d.to_string(), "Acknowledged"));
            }
            if let Some(d) = p.timeline.fixed {
                timeline.push((d.to_string(), "Fix released"));
            }
        }
        timeline.push((
            p.timeline.published.to_string(),
            if p.imported {
                "Published by its source"
            } else {
                "Advisory published"
            },
        ));
        Self {
            description_html: crate::markdown::render(&a.description),
            workarounds_html: crate::markdown::render(&a.workarounds),
            cvss_v3: scored(&a.cvss_v3, embargo_formats::cvss::v3),
            cvss_v4: scored(&a.cvss_v4, embargo_formats::cvss::v4),
            cwes: a
                .cwes
                .iter()
                .map(|c| {
                    let name = embargo_formats::cwe::name(c).unwrap_or_default();
                    (c.to_string(), c.number(), name.to_string())
                })
                .collect(),
            affected,
            references: a
                .references
                .iter()
                .map(|r| (r.kind.as_str().to_string(), r.url.clone()))
                .collect(),
            credits: a
                .credits
                .iter()
                .map(|c| (c.name.clone(), c.link.clone(), c.kind.label()))
                .collect(),
            timeline,
            has_cve_record: cve5::record(publisher, p).is_some(),
            withdrawn: p.withdrawn.map(|w| w.strftime("%Y-%m-%d").to_string()),
            imported: p.imported,
            revision: p.revision,
            modified: p.modified.strftime("%Y-%m-%d").to_string(),
            row: Row::of(p),
            public,
        }
    }
}

#[derive(Template)]
#[template(path = "advisory.html")]
struct AdvisoryPage {
    org: String,
    b: AdvisoryBody,
}

/// `GET /advisories/{id}`.
pub async fn show(
    State(state): State<WebState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let p = state.app.published_advisory(&id).await?;
    Ok(page(
        StatusCode::OK,
        &AdvisoryPage {
            org: state.site.organization.clone(),
            b: AdvisoryBody::of(&p, &state.app.publication_settings().publisher, true),
        },
    ))
}

/// ">= 2.0.0, < 2.1.1" in words people read on advisories.
fn describe_range(r: &embargo_core::AffectedRange) -> String {
    let bounds: Vec<String> = r
        .bounds()
        .iter()
        .map(|(op, v)| format!("{op} {v}"))
        .collect();
    let open = r.fixed.is_none() && r.last_affected.is_none();
    match (bounds.is_empty(), open) {
        (true, _) => "every version (no fixed version yet)".into(),
        (false, true) => format!("{} (no fixed version yet)", bounds.join(", ")),
        (false, false) => bounds.join(", "),
    }
}

fn json_file(doc: &serde_json::Value) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        serde_json::to_string_pretty(doc).unwrap_or_default(),
    )
        .into_response()
}

/// `GET /advisories/{id}/{format}`: `osv.json`, `cve.json`, `cna.json`, `csaf.json`.
pub async fn export(
    State(state): State<WebState>,
    Path((id, format)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let p = state.app.published_advisory(&id).await?;
    let publisher = &state.app.publication_settings().publisher;
    let doc = match format.as_str() {
        "osv.json" => osv::document(publisher, &p),
        "cve.json" => cve5::record(publisher, &p).ok_or(AppError::NotFound)?,
        "cna.json" => cve5::cna_container(publisher, &p),
        "csaf.json" => csaf::document(publisher, &p),
        _ => return Err(AppError::NotFound.into()),
    };
    Ok(json_file(&doc))
}

/// The feed's pages hold this many entries (RFC 5005 links lead to older ones).
pub const FEED_PAGE: usize = 50;

#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    before: Option<String>,
}

/// `GET /advisories.atom`: the latest entries; `?after=` pages to older ones.
pub async fn feed(
    State(state): State<WebState>,
    Query(query): Query<FeedQuery>,
) -> Result<Response, WebError> {
    let request = embargo_app::PageRequest {
        after: query.after.filter(|c| !c.is_empty()),
        before: query.before.filter(|c| !c.is_empty()),
    };
    let list = state
        .app
        .published_page(&PublicationFilter::default(), &request, FEED_PAGE)
        .await?;
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let paging = atom::FeedPage {
        this: match (&request.after, &request.before) {
            (Some(c), _) => Some(format!("after={}", enc(c))),
            (None, Some(c)) => Some(format!("before={}", enc(c))),
            (None, None) => None,
        },
        newer: list.newer.as_deref().map(|c| format!("before={}", enc(c))),
        older: list.older.as_deref().map(|c| format!("after={}", enc(c))),
    };
    let body = atom::feed_page(
        &state.app.publication_settings().publisher,
        &list.items,
        &paging,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "thanks.html")]
struct ThanksPage {
    org: String,
    thanks: Vec<embargo_app::Thanks>,
}

/// `GET /thanks`: everyone credited for finding or reporting a vulnerability.
pub async fn thanks(State(state): State<WebState>) -> Result<Response, PageError> {
    let thanks = state.app.thanks().await?;
    let org = state.site.organization.clone();
    Ok(page(StatusCode::OK, &ThanksPage { org, thanks }))
}

/// `GET /.well-known/csaf/provider-metadata.json`.
pub async fn csaf_provider(State(state): State<WebState>) -> Result<Response, WebError> {
    let all = state.app.publications_to_export(false).await?;
    let doc = csaf::provider_metadata(
        &state.app.publication_settings().publisher,
        &all,
        (state.clock)(),
    );
    Ok(json_file(&doc))
}

/// `GET /.well-known/csaf/white/{file}`: `index.txt` and `changes.csv`.
pub async fn csaf_listing(
    State(state): State<WebState>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let all = state.app.publications_to_export(false).await?;
    let (kind, body) = match file.as_str() {
        "index.txt" => ("text/plain; charset=utf-8", csaf::index_txt(&all)),
        "changes.csv" => ("text/csv; charset=utf-8", csaf::changes_csv(&all)),
        _ => return Err(AppError::NotFound.into()),
    };
    Ok(([(header::CONTENT_TYPE, kind)], body).into_response())
}

/// `GET /.well-known/csaf/white/{year}/{file}`: one CSAF document.
pub async fn csaf_document(
    State(state): State<WebState>,
    Path((year, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let p = state.app.published_by_csaf_path(&year, &file).await?;
    Ok(json_file(&csaf::document(
        &state.app.publication_settings().publisher,
        &p,
    )))
}
