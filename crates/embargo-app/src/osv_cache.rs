//! What the OSV query keeps in memory between queries, so that answering one reads the
//! database once (the publications' generation) instead of parsing every matcher and
//! exporting every document it answers with:
//! - each package's candidates, their ranges read and their versions parsed into keys
//!   ([`embargo_formats::osv_match::Compiled`], [`embargo_formats::versions::RangeKeys`]);
//! - the OSV documents of recent answers, as the bytes sent.
//!
//! All of it is dropped when the publications' generation (kept by triggers, see migration
//! 22) moves: a publication, a revision, a withdrawal or an import by any process. Both
//! parts are bounded by the bytes they hold: past [`CANDIDATE_BYTES`] (an estimate) the
//! packages are read again, and past [`DOCUMENT_BYTES`] (or the configured
//! `osv_documents_mib`) documents chosen at random make room. So at most about 18 MiB by
//! default, whatever the number of advisories: the server's resident memory stays under its
//! goal of 64 MiB (README, "How fast it is").
//!
//! Why at random: a client that goes round more documents than fit (a scanner through a
//! long lockfile, or the benchmark through its 200 packages) finds none of them in a cache
//! that drops the least recently used, or the older of two generations, as it did before:
//! each document is dropped just before it is asked for again. Dropping at random, it finds
//! all of them when they fit, and part of them when they do not (about a fifth when twice as
//! many go round as fit, simulated); frequent documents are kept about as well.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Semaphore;

use embargo_formats::Package;
use embargo_formats::osv_match::{Asked, Compiled};
use embargo_formats::versions::{RangeKeys, VersionKey};
use embargo_store::{OsvSource, PackageMatcher, Store, StoreError};

use crate::shared_read::SharedRead;

/// Bytes of candidates kept at most, as [`Candidate::weight`] estimates them (about 600
/// bytes for an advisory with two ranges: some 13,000 such advisories).
const CANDIDATE_BYTES: usize = 8 * 1024 * 1024;
/// Bytes of documents kept at most, unless configured (`osv_documents_mib`): all 10,000 of
/// the benchmark's (9 MB, about 900 bytes each). Measured after the public benchmark with
/// all of them kept: 62 MiB resident, of which 37 MiB allocated, as much as with 4 MiB kept
/// (the reads they save allocated as much meanwhile).
pub const DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// One publication naming a package, ready to be matched.
#[derive(Debug)]
pub(crate) struct Candidate {
    pub id: String,
    matcher: Matcher,
}

#[derive(Debug)]
enum Matcher {
    /// Withdrawn advisories stay readable by id, and match no query.
    Withdrawn,
    /// Kept as its source's OSV document: all of it is evaluated (ranges of several
    /// stretches, `limit`, version lists), as osv.dev would.
    Osv(Compiled),
    /// The model's affected packages; `None` for ranges that do not parse (no evidence
    /// either way).
    Model(Vec<(Package, Option<RangeKeys>)>),
}

/// The version a query asks about, parsed once for both kinds of matchers.
pub(crate) struct Version {
    asked: Asked,
    /// Without its local label, as the model's ranges compare (PEP 440).
    local_free: Option<VersionKey>,
}

impl Version {
    pub fn new(package: &Package, text: &str) -> Self {
        let asked = Asked::new(package.scheme(), text);
        let local_free = asked.key().cloned().map(VersionKey::without_local);
        Self { asked, local_free }
    }
}

impl Candidate {
    fn of(id: String, m: &PackageMatcher) -> Self {
        let matcher = if m.withdrawn {
            Matcher::Withdrawn
        } else if let Some(source) = &m.osv {
            Matcher::Osv(Compiled::of(source))
        } else {
            Matcher::Model(
                m.affected
                    .iter()
                    .filter_map(|a| {
                        let named = Package::parse(&a.purl).ok()?;
                        let keys = RangeKeys::parse(named.scheme(), &a.ranges).ok();
                        Some((named, keys))
                    })
                    .collect(),
            )
        };
        Self { id, matcher }
    }

    /// About how many bytes it holds.
    fn weight(&self) -> usize {
        size_of::<Self>()
            + self.id.len()
            + match &self.matcher {
                Matcher::Withdrawn => 0,
                Matcher::Osv(compiled) => compiled.weight(),
                Matcher::Model(affected) => affected
                    .iter()
                    .map(|(named, keys)| {
                        size_of::<(Package, Option<RangeKeys>)>()
                            + named.heap_bytes()
                            + keys.as_ref().map_or(0, RangeKeys::weight)
                    })
                    .sum(),
            }
    }

    /// Whether it says the package (`same`) is affected at the version (`None`: any).
    pub fn affects(&self, same: impl Fn(&Package) -> bool, version: Option<&Version>) -> bool {
        match &self.matcher {
            Matcher::Withdrawn => false,
            Matcher::Osv(compiled) => compiled.affects(same, version.map(|v| &v.asked)),
            Matcher::Model(affected) => affected.iter().any(|(named, keys)| {
                same(named)
                    && match version {
                        None => true,
                        Some(v) => match (keys, &v.local_free) {
                            (Some(keys), Some(key)) => keys.contain(key),
                            _ => false,
                        },
                    }
            }),
        }
    }
}

/// Queries reading the database for what is not kept, at once. What a reading query holds
/// while it reads (rows, parsed documents) is many times what it keeps: with 64 concurrent
/// queries each reading 50 advisories, that alone was some 20 MiB more resident memory,
/// for no more throughput on two cores. The others wait, then find most of it kept.
const READERS: usize = 2;

/// Shared by the clones of an [`crate::App`].
#[derive(Debug, Clone)]
pub(crate) struct OsvCache {
    kept: Arc<Mutex<Kept>>,
    readers: Arc<Semaphore>,
    generation: Arc<SharedRead<i64>>,
}

impl Default for OsvCache {
    fn default() -> Self {
        Self::keeping(DOCUMENT_BYTES)
    }
}

impl OsvCache {
    /// One that keeps up to `document_bytes` of documents.
    pub fn keeping(document_bytes: usize) -> Self {
        Self {
            kept: Arc::new(Mutex::new(Kept::keeping(document_bytes))),
            readers: Arc::new(Semaphore::new(READERS)),
            generation: Arc::default(),
        }
    }
}

#[derive(Debug)]
struct Kept {
    /// The publications' generation all of this was read at.
    generation: Option<i64>,
    packages: HashMap<(String, String), Arc<[Candidate]>>,
    /// Their weight, together.
    candidate_bytes: usize,
    documents: HashMap<String, Arc<str>>,
    document_bytes: usize,
    /// The most `document_bytes` may be.
    budget: usize,
}

impl Kept {
    fn keeping(budget: usize) -> Self {
        Self {
            generation: None,
            packages: HashMap::new(),
            candidate_bytes: 0,
            documents: HashMap::new(),
            document_bytes: 0,
            budget,
        }
    }

    fn keep_document(&mut self, id: String, document: Arc<str>) {
        // Made by concurrent queries too: counted once.
        if self.documents.contains_key(&id) || document.len() > self.budget {
            return;
        }
        if self.document_bytes + document.len() > self.budget {
            self.make_room(document.len());
        }
        self.document_bytes += document.len();
        self.documents.insert(id, document);
    }

    /// Drops documents until an eighth of the budget is free besides `room` (so that this
    /// walk through the map comes once per many documents kept). They go in the map's
    /// order, which its hasher's random seed makes as good as a random choice.
    fn make_room(&mut self, room: usize) {
        let target = (self.budget - self.budget / 8).saturating_sub(room);
        let mut bytes = self.document_bytes;
        self.documents.retain(|_, d| {
            if bytes <= target {
                return true;
            }
            bytes -= d.len();
            false
        });
        self.document_bytes = bytes;
    }

    fn document(&self, id: &str) -> Option<Arc<str>> {
        self.documents.get(id).cloned()
    }
}

impl OsvCache {
    fn lock(&self) -> MutexGuard<'_, Kept> {
        // A panic while holding it leaves plain maps behind: still usable.
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The publications' generation now; everything kept from an older one is dropped.
    /// Concurrent queries share its reads (see [`SharedRead`]).
    pub async fn current(&self, store: &Store) -> Result<i64, StoreError> {
        let generation = self
            .generation
            .get(|| store.publication_generation())
            .await?;
        let mut kept = self.lock();
        if kept.generation != Some(generation) {
            *kept = Kept {
                generation: Some(generation),
                ..Kept::keeping(kept.budget)
            };
        }
        Ok(generation)
    }

    /// The candidates for a package (purl type, index name), read at `generation`.
    pub async fn candidates(
        &self,
        store: &Store,
        generation: i64,
        ty: &str,
        name: &str,
    ) -> Result<Arc<[Candidate]>, StoreError> {
        let key = (ty.to_string(), name.to_string());
        if let Some(found) = self.lock().packages.get(&key) {
            return Ok(found.clone());
        }
        // (Never closed: `None` would only mean reading unbounded.)
        let _reading = self.readers.acquire().await.ok();
        // Read meanwhile by the query this one waited for.
        if let Some(found) = self.lock().packages.get(&key) {
            return Ok(found.clone());
        }
        let read: Arc<[Candidate]> = store
            .matchers_naming(ty, name)
            .await?
            .into_iter()
            .map(|(id, m)| Candidate::of(id, &m))
            .collect();
        let mut kept = self.lock();
        // Read at this generation or a later one: kept only if nothing moved meanwhile,
        // and counted once when concurrent queries read the same package.
        if kept.generation == Some(generation) && !kept.packages.contains_key(&key) {
            let weight: usize = read.iter().map(Candidate::weight).sum();
            if kept.candidate_bytes + weight > CANDIDATE_BYTES {
                kept.packages.clear();
                kept.candidate_bytes = 0;
            }
            kept.candidate_bytes += weight;
            kept.packages.insert(key, read.clone());
        }
        Ok(read)
    }

    /// The documents with these ids, in their order: the kept ones, and the others made by
    /// `render` from what was read of them (and kept, if still at `generation`).
    pub async fn documents(
        &self,
        store: &Store,
        generation: i64,
        ids: &[String],
        render: impl Fn(OsvSource) -> Option<String>,
    ) -> Result<Vec<Arc<str>>, StoreError> {
        let mut found: Vec<Option<Arc<str>>> = {
            let kept = self.lock();
            ids.iter().map(|id| kept.document(id)).collect()
        };
        let missing: Vec<String> = ids
            .iter()
            .zip(&found)
            .filter(|(_, d)| d.is_none())
            .map(|(id, _)| id.clone())
            .collect();
        if !missing.is_empty() {
            let _reading = self.readers.acquire().await.ok();
            let mut made: HashMap<String, Arc<str>> = store
                .osv_sources_with_ids(&missing)
                .await?
                .into_iter()
                .filter_map(|(id, source)| Some((id, Arc::from(render(source)?))))
                .collect();
            let mut kept = self.lock();
            let current = kept.generation == Some(generation);
            for (id, slot) in ids.iter().zip(found.iter_mut()) {
                if slot.is_none()
                    && let Some(d) = made.remove(id)
                {
                    if current {
                        kept.keep_document(id.clone(), d.clone());
                    }
                    *slot = Some(d);
                }
            }
        }
        Ok(found.into_iter().flatten().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_made_by_two_concurrent_queries_is_counted_once() {
        let mut kept = Kept::keeping(DOCUMENT_BYTES);
        let document: Arc<str> = Arc::from("{\"id\":\"PYSEC-2020-1\"}");
        kept.keep_document("PYSEC-2020-1".into(), document.clone());
        kept.keep_document("PYSEC-2020-1".into(), document.clone());
        assert_eq!(kept.document_bytes, document.len());
    }

    /// A client going round twice as many documents as fit, twice: the budget holds, and
    /// the second round finds those still kept (with the two generations kept before,
    /// none: each was dropped just before it was asked for again).
    #[test]
    fn going_round_more_documents_than_fit_finds_those_kept_within_the_budget() {
        let mut kept = Kept::keeping(DOCUMENT_BYTES);
        let size = 10_000;
        let count = 2 * DOCUMENT_BYTES / size;
        let document: Arc<str> = Arc::from("x".repeat(size));
        let mut found = 0;
        for round in 0..2 {
            for i in 0..count {
                let id = format!("PYSEC-2020-{i}");
                match kept.document(&id) {
                    Some(_) => found += 1,
                    None => kept.keep_document(id, document.clone()),
                }
                assert!(kept.document_bytes <= DOCUMENT_BYTES, "round {round}, {i}");
                assert_eq!(kept.document_bytes, kept.documents.len() * size);
            }
        }
        // Dropping truly at random, about a fifth are found (simulated); in the map's order
        // more, as part of the map stays.
        assert!(found >= count / 8, "found {found} of {count}");
        assert!(found < count, "not all of them fit");
    }

    #[test]
    fn a_document_larger_than_the_budget_is_not_kept() {
        let mut kept = Kept::keeping(DOCUMENT_BYTES);
        kept.keep_document("A".into(), Arc::from("x".repeat(DOCUMENT_BYTES + 1)));
        assert!(kept.document("A").is_none());
        assert_eq!(kept.document_bytes, 0);
    }
}
