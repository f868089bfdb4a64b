//! The OSV API as osv.dev defines it (`POST /v1/query`, `POST /v1/querybatch`, `GET
//! /v1/vulns/{id}`; google/osv.dev `docs/api/`, described by `osv_service_v1.swagger.json`),
//! so that tools written for osv.dev work against an installation unchanged:
//! - a package by OSV ecosystem and name (both case-sensitive, as osv.dev; PyPI names are
//!   compared normalized, as osv.dev does) or by purl;
//! - a version that no scheme can read matches nothing, it is not an error;
//! - a commit matches the GIT ranges whose affected commits were indexed from a clone of
//!   their repository (`embargo osv index-commits`, see `commit_index`);
//! - long answers are paged with an opaque `page_token`;
//! - malformed queries (both a purl version and `version`, `purl` with `name`, nothing to
//!   look for) are refused, as osv.dev refuses them with 400.

use std::sync::Arc;

use embargo_core::{Publication, ValueError};
use embargo_formats::Package;
use embargo_store::OsvSource;

use crate::App;
use crate::error::AppError;
use crate::osv_cache::Version;

/// osv.dev pages a query's answer after 1,000 vulnerabilities.
pub const OSV_PAGE_SIZE: usize = 1000;
/// osv.dev's limit of queries in one batch.
pub const OSV_MAX_BATCH: usize = 1000;

/// One query, in osv.dev's shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OsvQuery {
    pub commit: Option<String>,
    pub version: Option<String>,
    pub package: Option<OsvPackage>,
    pub page_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OsvPackage {
    pub name: Option<String>,
    pub ecosystem: Option<String>,
    pub purl: Option<String>,
}

/// One page of an answer.
#[derive(Debug, Clone)]
pub struct OsvPage {
    pub vulns: Vec<Publication>,
    pub next_page_token: Option<String>,
}

/// One page of an answer, its OSV documents as they are sent.
#[derive(Debug, Clone)]
pub struct OsvDocuments {
    /// Each a JSON object.
    pub vulns: Vec<Arc<str>>,
    pub next_page_token: Option<String>,
}

/// The package a query names, and how its name is compared.
struct Wanted {
    package: Package,
    /// By purl, or PyPI: compare normalized index names; otherwise the exact name.
    loose: bool,
}

fn bad(why: &str) -> AppError {
    AppError::invalid(ValueError::new("query", why.to_string()))
}

impl App {
    /// Answers one query, one page of `page_size` at a time.
    pub async fn osv_query(&self, q: &OsvQuery, page_size: usize) -> Result<OsvPage, AppError> {
        let generation = self.osv_cache.current(&self.store).await?;
        let (ids, next_page_token) = self.osv_page(q, page_size, generation).await?;
        Ok(OsvPage {
            vulns: self.store.publications_with_ids(&ids).await?,
            next_page_token,
        })
    }

    /// [`App::osv_query`], the answer's documents exported to OSV: kept between queries,
    /// so a frequent answer is neither read nor exported again.
    pub async fn osv_query_documents(
        &self,
        q: &OsvQuery,
        page_size: usize,
    ) -> Result<OsvDocuments, AppError> {
        let generation = self.osv_cache.current(&self.store).await?;
        let (ids, next_page_token) = self.osv_page(q, page_size, generation).await?;
        let publisher = &self.publication.publisher;
        let vulns = self
            .osv_cache
            .documents(&self.store, generation, &ids, |source| match source {
                OsvSource::Imported(document) => Some(document),
                OsvSource::Publication(p) => {
                    serde_json::to_string(&embargo_formats::osv::document(publisher, &p)).ok()
                }
            })
            .await?;
        Ok(OsvDocuments {
            vulns,
            next_page_token,
        })
    }

    /// The ids of one page of the answer, and the token of the next page.
    async fn osv_page(
        &self,
        q: &OsvQuery,
        page_size: usize,
        generation: i64,
    ) -> Result<(Vec<String>, Option<String>), AppError> {
        let after = q.page_token.as_deref().map(decode_token).transpose()?;
        let mut ids = match read_query(q)? {
            Looked::Nothing => Vec::new(),
            Looked::Commit(commit) => self
                .store
                .publications_at_commit(&commit)
                .await?
                .into_iter()
                // Withdrawn advisories stay readable by id, and match no query.
                .filter(|p| p.withdrawn.is_none())
                .map(|p| p.id)
                .collect(),
            Looked::Package(wanted, version) => {
                self.naming(&wanted, version.as_deref(), generation).await?
            }
        };
        ids.sort();
        ids.dedup();
        if let Some(after) = &after {
            ids.retain(|id| id > after);
        }
        let more = ids.len() > page_size;
        ids.truncate(page_size);
        let next_page_token = more
            .then(|| ids.last().map(|id| encode_token(id)))
            .flatten();
        Ok((ids, next_page_token))
    }

    /// The ids of the advisories that say the package (at `version`, if given) is
    /// affected, from their matchers (withdrawn ones match nothing).
    async fn naming(
        &self,
        wanted: &Wanted,
        version: Option<&str>,
        generation: i64,
    ) -> Result<Vec<String>, AppError> {
        let index_name = wanted.package.index_name();
        let ecosystem_name = wanted.package.ecosystem_name();
        let candidates = self
            .osv_cache
            .candidates(&self.store, generation, &wanted.package.ty, &index_name)
            .await?;
        let same = |named: &Package| {
            named.ty == wanted.package.ty
                && if wanted.loose {
                    named.index_name() == index_name
                } else {
                    named.ecosystem_name() == ecosystem_name
                }
        };
        let version = version.map(|v| Version::new(&wanted.package, v));
        Ok(candidates
            .iter()
            .filter(|c| c.affects(same, version.as_ref()))
            .map(|c| c.id.clone())
            .collect())
    }

    /// Answers a batch, in the order of its queries.
    pub async fn osv_query_batch(
        &self,
        queries: &[OsvQuery],
        page_size: usize,
    ) -> Result<Vec<OsvPage>, AppError> {
        if queries.len() > OSV_MAX_BATCH {
            return Err(bad(&format!(
                "has {} queries; a batch holds at most {OSV_MAX_BATCH}",
                queries.len()
            )));
        }
        let mut pages = Vec::with_capacity(queries.len());
        for q in queries {
            pages.push(self.osv_query(q, page_size).await?);
        }
        Ok(pages)
    }

    /// `GET /v1/vulns/{id}`: by the OSV id (an installation's own ids carry OSV's local
    /// `x_` prefix unless their prefix is registered).
    pub async fn osv_vuln(&self, id: &str) -> Result<Publication, AppError> {
        match self.store.publication(id).await {
            Ok(p) if embargo_formats::osv::id(&p.id) == id => Ok(p),
            Ok(_) | Err(embargo_store::StoreError::NotFound) => {
                let Some(bare) = id.strip_prefix("x_") else {
                    return Err(AppError::NotFound);
                };
                let p = self.store.publication(bare).await?;
                if embargo_formats::osv::id(&p.id) == id {
                    Ok(p)
                } else {
                    Err(AppError::NotFound)
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// What a query looks for.
enum Looked {
    /// Nothing this installation can match (an ecosystem it does not know, a commit that is
    /// no full hash).
    Nothing,
    /// A full commit hash, lower-case.
    Commit(String),
    Package(Wanted, Option<String>),
}

/// Reads a query: a commit (the package, if given too, is not needed to find it, as with
/// osv.dev), or a package and maybe a version.
fn read_query(q: &OsvQuery) -> Result<Looked, AppError> {
    if q.commit.is_some() && q.version.is_some() {
        return Err(bad("gives both a commit and a version: give one of them"));
    }
    if let Some(commit) = &q.commit {
        let commit = commit.trim().to_ascii_lowercase();
        return Ok(if embargo_formats::git_ranges::is_commit_hash(&commit) {
            Looked::Commit(commit)
        } else {
            Looked::Nothing
        });
    }
    let Some(package) = &q.package else {
        return Err(bad("names no package and no commit"));
    };
    match (&package.purl, &package.ecosystem, &package.name) {
        (Some(purl), None, None) => {
            let (package, purl_version) = Package::parse_with_version(purl).map_err(|e| bad(&e))?;
            if purl_version.is_some() && q.version.is_some() {
                return Err(bad(
                    "gives the version twice: in the purl and in \"version\"",
                ));
            }
            Ok(Looked::Package(
                Wanted {
                    package,
                    loose: true,
                },
                purl_version.or_else(|| q.version.clone()),
            ))
        }
        (None, Some(ecosystem), Some(name)) => {
            // Exact OSV ecosystem names only, as osv.dev ("PyPI", not "pypi").
            let Some(package) = Package::from_osv_ecosystem(ecosystem, name) else {
                return Ok(Looked::Nothing);
            };
            let loose = package.ty == "pypi";
            Ok(Looked::Package(
                Wanted { package, loose },
                q.version.clone(),
            ))
        }
        (Some(_), _, _) => Err(bad(
            "gives a purl and a name or ecosystem: give the purl alone, or the name and ecosystem",
        )),
        (None, None, Some(_)) => Err(bad("names a package without its ecosystem")),
        (None, _, None) => Err(bad(
            "names no package: give a purl, or a name and ecosystem",
        )),
    }
}

/// Page tokens are the last id of the page, base64url: opaque to clients, stable across
/// insertions before them.
fn encode_token(id: &str) -> String {
    data_encoding::BASE64URL_NOPAD.encode(id.as_bytes())
}

fn decode_token(token: &str) -> Result<String, AppError> {
    data_encoding::BASE64URL_NOPAD
        .decode(token.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| bad("has a page_token this server did not give"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip_and_foreign_ones_are_refused() {
        let t = encode_token("GHSA-abcd-1234-wxyz");
        assert_eq!(decode_token(&t).unwrap(), "GHSA-abcd-1234-wxyz");
        assert!(decode_token("not base64!").is_err());
    }

    #[test]
    fn malformed_queries_are_refused_and_unknown_ecosystems_match_nothing() {
        let q = |purl: Option<&str>,
                 eco: Option<&str>,
                 name: Option<&str>,
                 version: Option<&str>| OsvQuery {
            package: Some(OsvPackage {
                purl: purl.map(Into::into),
                ecosystem: eco.map(Into::into),
                name: name.map(Into::into),
            }),
            version: version.map(Into::into),
            ..OsvQuery::default()
        };
        assert!(read_query(&q(Some("pkg:pypi/jinja2@3.1.4"), None, None, Some("3.1.4"))).is_err());
        assert!(read_query(&q(Some("pkg:pypi/jinja2"), Some("PyPI"), None, None)).is_err());
        assert!(read_query(&q(None, None, Some("jinja2"), None)).is_err());
        assert!(read_query(&OsvQuery::default()).is_err());
        assert!(matches!(
            read_query(&q(None, Some("pypi"), Some("jinja2"), None)).unwrap(),
            Looked::Nothing
        ));
        assert!(matches!(
            read_query(&q(None, Some("PyPI"), Some("jinja2"), None)).unwrap(),
            Looked::Package(..)
        ));
        // Commits: full hashes only (osv.dev finds no abbreviated one either).
        let commit = |c: &str| OsvQuery {
            commit: Some(c.into()),
            ..OsvQuery::default()
        };
        assert!(matches!(
            read_query(&commit("6879efc2")).unwrap(),
            Looked::Nothing
        ));
        assert!(matches!(
            read_query(&commit("6879EFC2C1596D11A6A6AD296F80063B558D5E0F")).unwrap(),
            Looked::Commit(c) if c == "6879efc2c1596d11a6a6ad296f80063b558d5e0f"
        ));
    }
}
