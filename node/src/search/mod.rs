//! Region-wide search over the records the node holds, in Dutch: full text (tantivy with
//! Dutch stemming and compound matching, see [`text`]) combined with filters
//! (municipality, category, target group, engagement, MaS with age, remote, a date, radius
//! around a postcode or place, publishing steunpunt; for organisations expertise and kind).
//!
//! The [`SearchIndex`] follows the engine as a [`RecordObserver`]: every record the engine
//! stores, withdraws, expires or drops is reflected before the next search. The text index
//! lives in `DATA_DIR/search` and survives restarts; at start-up it is checked against the
//! store (a digest of the indexed revisions, kept in the commit) and rebuilt when it is
//! missing, damaged or behind.

pub mod filters;
pub mod terms;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use steunpunt_api::RecordView;
use steunpunt_protocol::{Kind, Problem, Record, RecordHash, RecordKey, SteunpuntId, Timestamp};

use crate::replication::{Engine, HeldRecords, PublishError, RecordObserver};
use crate::store::Store;
pub use filters::{Entry, Plan};
use text::{TextIndex, TextIndexError};

pub use steunpunt_api::search::{
    DEFAULT_LIMIT, DEFAULT_RADIUS_KM, Hit, MAX_LIMIT, MAX_QUERY_BYTES, MAX_RADIUS_KM, SearchQuery,
    Sort,
};
/// Version of what the text index holds; raising it rebuilds every index at start-up.
const INDEX_FORMAT: &str = "steunpunt-search-3";
/// Commit payload of an index that missed a write.
const DAMAGED: &str = "damaged";

/// Why a query cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A parameter is wrong: the problem names it by its query name.
    #[error("{0}")]
    BadQuery(Problem),
    /// Reading records failed.
    #[error(transparent)]
    Store(#[from] PublishError),
    /// The text index failed.
    #[error(transparent)]
    Index(#[from] TextIndexError),
    /// An earlier write to the text index failed, so it may be missing records.
    #[error("the search index failed ({0}); restart the node to rebuild it")]
    Damaged(String),
}

/// A record found: which, its score and distance.
#[derive(Debug, Clone)]
pub struct Found {
    /// The record.
    pub key: RecordKey,
    /// Relevance.
    pub score: f64,
    /// Distance from `near`.
    pub distance_km: Option<f64>,
}

/// The slot of a record in the text index: stable across restarts.
fn slot(key: &RecordKey) -> u64 {
    let mut hasher = blake3::Hasher::new();
    hasher.update(key.author.as_bytes());
    hasher.update(key.kind.as_str().as_bytes());
    hasher.update(b"/");
    hasher.update(key.id.as_str().as_bytes());
    let bytes = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&bytes.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

fn searchable(kind: Kind) -> bool {
    matches!(kind, Kind::Vacancy | Kind::Organisation)
}

/// Order-independent digest of a set of revisions: XOR of their hashes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Digest([u8; 32]);

impl Digest {
    fn toggle(&mut self, hash: &RecordHash) {
        for (d, h) in self.0.iter_mut().zip(hash.0) {
            *d ^= h;
        }
    }

    fn payload(&self, count: usize) -> String {
        format!(
            "{INDEX_FORMAT} {count} {}",
            data_encoding::HEXLOWER.encode(&self.0)
        )
    }
}

/// How the text index is brought in step while the engine loads its records.
enum Loading {
    /// The index on disk was missing or unusable: documents are written as records load.
    Building,
    /// The index on disk may be current: only the catalog is built, and once everything
    /// is loaded its digest is compared with this payload of the last commit.
    Checking(String),
}

/// How opening found the text index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// The engine has not finished loading.
    Loading,
    /// It was current.
    Reused,
    /// It was missing or unusable and was built while loading.
    Built,
    /// It was behind the store (a crash between the two): rebuild from the store.
    Stale,
}

struct Inner {
    text: TextIndex,
    catalog: HashMap<u64, Entry>,
    digest: Digest,
    /// Changes not yet committed to the text index.
    dirty: bool,
    /// The text index missed more changes than are kept: searches report it until a
    /// restart rebuilds.
    failed: Option<String>,
    /// Slots whose text changed since the last commit: after a commit that failed (disk
    /// full) and was rolled back, their text is written again from the records.
    changed: HashSet<u64>,
    /// Why the last write or commit failed; searches answer from the last commit, with a
    /// warning, until a commit succeeds.
    behind: Option<String>,
    loading: Option<Loading>,
    start: Start,
}

impl Inner {
    fn put(&mut self, record: &Record) {
        let key = record.key();
        if !searchable(key.kind) {
            return;
        }
        let slot = slot(&key);
        self.unlist(slot);
        if let Some((entry, title, body)) = Entry::of(record) {
            if !matches!(self.loading, Some(Loading::Checking(_))) {
                self.write(slot, &title, &body, &entry.tags());
            }
            self.digest.toggle(&entry.hash);
            self.catalog.insert(slot, entry);
        }
        self.dirty = true;
    }

    fn write(&mut self, slot: u64, title: &str, body: &str, tags: &[String]) {
        self.keep(slot);
        if self.behind.is_some() {
            return;
        }
        if let Err(e) = self.text.put(slot, title, body, tags) {
            self.fell_behind(&e);
        }
    }

    fn unlist(&mut self, slot: u64) {
        if let Some(old) = self.catalog.remove(&slot) {
            self.digest.toggle(&old.hash);
            self.keep(slot);
            if self.behind.is_none() {
                self.text.delete(slot);
            }
            self.dirty = true;
        }
    }

    /// Notes a changed slot until it is committed (not while loading: the first commit
    /// follows at once).
    fn keep(&mut self, slot: u64) {
        if self.start != Start::Loading {
            self.changed.insert(slot);
        }
    }

    /// A write or commit failed: back to the last commit, to try again at the next flush.
    fn fell_behind(&mut self, e: &TextIndexError) {
        if self.behind.is_none() {
            tracing::warn!(
                "the search index cannot be updated ({e}); searches answer from what it held, and it catches up once it can be written"
            );
        }
        self.behind = Some(e.to_string());
        if let Err(again) = self.text.rollback() {
            tracing::error!("{again}; the search index is rebuilt at the next start");
            self.failed = Some(again.to_string());
        }
    }

    /// After a failed commit: writes the changed slots' text again, from the records.
    fn catch_up(&mut self, held: &dyn HeldRecords) -> Result<(), TextIndexError> {
        for slot in &self.changed {
            self.text.delete(*slot);
            let Some(entry) = self.catalog.get(slot) else {
                continue;
            };
            let record = held.record(&entry.key).map_err(TextIndexError::other)?;
            if let Some((entry, title, body)) = record.as_ref().and_then(Entry::of) {
                self.text.put(*slot, &title, &body, &entry.tags())?;
            }
        }
        Ok(())
    }

    fn loaded(&mut self) {
        self.start = match self.loading.take() {
            Some(Loading::Building) => Start::Built,
            Some(Loading::Checking(committed)) => {
                if committed == self.digest.payload(self.catalog.len()) {
                    Start::Reused
                } else {
                    Start::Stale
                }
            }
            None => self.start,
        };
    }

    fn commit(&mut self, held: &dyn HeldRecords) -> Result<(), TextIndexError> {
        if !self.dirty {
            return Ok(());
        }
        let payload = if self.failed.is_some() {
            format!("{INDEX_FORMAT} {DAMAGED}")
        } else {
            self.digest.payload(self.catalog.len())
        };
        let caught_up = if self.behind.is_some() && self.failed.is_none() {
            self.catch_up(held)
        } else {
            Ok(())
        };
        match caught_up.and_then(|()| self.text.commit(&payload)) {
            Ok(()) => {
                self.dirty = false;
                self.changed.clear();
                if self.behind.take().is_some() {
                    tracing::info!("the search index is up to date again");
                }
                Ok(())
            }
            Err(e) => {
                self.fell_behind(&e);
                Err(e)
            }
        }
    }
}

/// Feeds the engine's records and changes into the index.
struct Feed(Arc<RwLock<Inner>>);

/// The index for changing: the record keeper only.
fn lock(inner: &RwLock<Inner>) -> RwLockWriteGuard<'_, Inner> {
    inner
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The index for searching: any number of searches at once.
fn read(inner: &RwLock<Inner>) -> RwLockReadGuard<'_, Inner> {
    inner
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl RecordObserver for Feed {
    fn stored(&mut self, record: &Record) {
        lock(&self.0).put(record);
    }

    fn removed(&mut self, key: &RecordKey) {
        if searchable(key.kind) {
            lock(&self.0).unlist(slot(key));
        }
    }

    fn loaded(&mut self) {
        lock(&self.0).loaded();
    }

    fn flush(&mut self, held: &dyn HeldRecords) {
        // A failure is logged once and kept in `behind`; the next flush tries again.
        let _ = lock(&self.0).commit(held);
    }

    fn erase(&mut self) -> bool {
        let mut inner = lock(&self.0);
        if inner.dirty || inner.behind.is_some() {
            // Deletions not committed would survive the rewrite.
            return false;
        }
        match inner.text.erase() {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("rewriting the search index without removed records failed: {e}");
                false
            }
        }
    }
}

/// What opening the index did, for the log and the benchmarks.
#[derive(Debug, Clone, Copy)]
pub struct OpenReport {
    /// Records indexed.
    pub records: usize,
    /// Whether the text index had to be rebuilt.
    pub rebuilt: bool,
    /// How long opening took, the engine's loading included.
    pub millis: u128,
}

/// The search index of a node; cheap to clone.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<RwLock<Inner>>,
}

/// A search index being opened together with its engine, so that both are built in one
/// pass over the store:
///
/// ```ignore
/// let opening = SearchIndex::open(Some(&dir))?;
/// let engine = Engine::open_observed(store, key, config, now, Some(opening.observer()))?;
/// let (index, report) = opening.finish(&engine)?;
/// ```
pub struct Opening {
    inner: Arc<RwLock<Inner>>,
    started: Instant,
    /// There was no index yet (a first start): creating it is no repair.
    fresh: bool,
}

impl Opening {
    /// The observer to open the engine with: it takes in every record as the engine
    /// loads it, and every change afterwards.
    pub fn observer(&self) -> Box<dyn RecordObserver> {
        Box::new(Feed(Arc::clone(&self.inner)))
    }

    /// Completes opening once the engine is open: rebuilds the text index from the store
    /// if it was behind, and commits.
    pub fn finish<S: Store>(
        self,
        engine: &Engine<S>,
    ) -> Result<(SearchIndex, OpenReport), SearchError> {
        let mut guard = lock(&self.inner);
        let inner = &mut *guard;
        match inner.start {
            Start::Loading => {
                return Err(SearchError::Damaged(
                    "the engine was opened without this index's observer".into(),
                ));
            }
            Start::Stale => {
                inner.text.clear()?;
                for entry in inner.catalog.values() {
                    if let Some((entry, title, body)) =
                        engine.get(&entry.key)?.as_ref().and_then(Entry::of)
                    {
                        inner
                            .text
                            .put(slot(&entry.key), &title, &body, &entry.tags())?;
                    }
                }
                inner.dirty = true;
            }
            Start::Built | Start::Reused => {}
        }
        let rebuilt = inner.start != Start::Reused;
        inner.commit(engine)?;
        let report = OpenReport {
            records: inner.catalog.len(),
            rebuilt,
            millis: self.started.elapsed().as_millis(),
        };
        drop(guard);
        if rebuilt {
            // A first start has no index yet: creating it is no repair.
            let done = if self.fresh { "created" } else { "rebuilt" };
            tracing::info!(
                records = report.records,
                millis = report.millis,
                "{done} the search index"
            );
        }
        Ok((SearchIndex { inner: self.inner }, report))
    }
}

impl SearchIndex {
    /// Starts opening the index in `dir` (in memory when `None`); see [`Opening`]. A
    /// missing, damaged or other-format index is replaced by an empty one, filled as the
    /// engine loads.
    pub fn open(dir: Option<&Path>) -> Result<Opening, SearchError> {
        let started = Instant::now();
        let fresh = dir.is_some_and(|d| !text::exists(d));
        let (mut text, committed) = TextIndex::open(dir)?;
        let current = committed
            .filter(|p| p.starts_with(INDEX_FORMAT) && !p.ends_with(DAMAGED))
            .map(Loading::Checking);
        let loading = match current {
            Some(checking) => checking,
            None => {
                text.clear()?;
                Loading::Building
            }
        };
        let inner = Inner {
            text,
            catalog: HashMap::new(),
            digest: Digest::default(),
            dirty: false,
            failed: None,
            changed: HashSet::new(),
            behind: None,
            loading: Some(loading),
            start: Start::Loading,
        };
        Ok(Opening {
            inner: Arc::new(RwLock::new(inner)),
            started,
            fresh,
        })
    }

    /// Whether the last changes could not be written to the index (disk full): searches
    /// answer from what it held before.
    pub fn is_behind(&self) -> bool {
        read(&self.inner).behind.is_some()
    }

    /// Number of records searchable.
    pub fn len(&self) -> usize {
        read(&self.inner).catalog.len()
    }

    /// Whether nothing is searchable.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The records that answer `plan` at `now`, best first (by `plan.sort`), at most
    /// `plan.limit` of them, and how many answer in all.
    pub fn find(&self, plan: &Plan, now: Timestamp) -> Result<(Vec<Found>, usize), SearchError> {
        let inner = read(&self.inner);
        if let Some(failure) = &inner.failed {
            return Err(SearchError::Damaged(failure.clone()));
        }
        struct Candidate<'a> {
            entry: &'a Entry,
            score: f64,
            distance_km: Option<f64>,
        }
        let mut found: Vec<Candidate<'_>> = Vec::new();
        let mut consider = |entry, score| {
            if let Some(distance_km) = plan.admits(entry, now) {
                found.push(Candidate {
                    entry,
                    score,
                    distance_km,
                });
            }
        };
        // The index answers the words and the selective filters in one query; every
        // candidate is then checked exactly against its catalog entry.
        let words = plan.words.as_deref();
        for (slot, score) in inner.text.matching(words, &plan.tags())? {
            // Changed since the last commit: the catalog's entry is checked below.
            if words.is_none() && inner.changed.contains(&slot) {
                continue;
            }
            if let Some(entry) = inner.catalog.get(&slot) {
                consider(entry, f64::from(score));
            }
        }
        if words.is_none() {
            // Stored but not yet committed to the text index: found by the filters at
            // once, as before the index knew them (words wait for the commit).
            for slot in &inner.changed {
                if let Some(entry) = inner.catalog.get(slot) {
                    consider(entry, 0.0);
                }
            }
        }
        let nearest = |a: &Candidate<'_>, b: &Candidate<'_>| {
            a.distance_km
                .unwrap_or(0.0)
                .total_cmp(&b.distance_km.unwrap_or(0.0))
        };
        let newest =
            |a: &Candidate<'_>, b: &Candidate<'_>| b.entry.updated_at.cmp(&a.entry.updated_at);
        let own = |c: &Candidate<'_>| Some(c.entry.key.author) == plan.me;
        let order = |a: &Candidate<'_>, b: &Candidate<'_>| {
            match plan.sort {
                Sort::Relevance => b
                    .score
                    .total_cmp(&a.score)
                    .then_with(|| own(b).cmp(&own(a)))
                    .then_with(|| nearest(a, b))
                    .then_with(|| newest(a, b)),
                Sort::Distance => nearest(a, b).then_with(|| b.score.total_cmp(&a.score)),
                Sort::Recent => newest(a, b).then_with(|| b.score.total_cmp(&a.score)),
            }
            .then_with(|| a.entry.key.cmp(&b.entry.key))
        };
        let total = found.len();
        let take = plan.limit.min(total);
        if take < found.len() {
            found.select_nth_unstable_by(take, order);
            found.truncate(take);
        }
        found.sort_by(order);
        let found = found
            .into_iter()
            .map(|c| Found {
                key: c.entry.key.clone(),
                score: c.score,
                distance_km: c.distance_km,
            })
            .collect();
        Ok((found, total))
    }
}

/// Searches vacancies (`Kind::Vacancy`) or organisations (`Kind::Organisation`): checks
/// the query, finds the records in `index`, and describes them from `engine`.
pub fn search(
    index: &SearchIndex,
    engine: &impl HeldRecords,
    kind: Kind,
    q: &SearchQuery,
    now: Timestamp,
) -> Result<Vec<Hit>, SearchError> {
    let plan = Plan::new(kind, q)?;
    let (found, _) = index.find(&plan, now)?;
    hits(engine, &found)
}

/// Describes found records for the API: their JSON form, the publishing steunpunt's name,
/// its trust distance and who vouched for it.
pub fn hits(engine: &impl HeldRecords, found: &[Found]) -> Result<Vec<Hit>, SearchError> {
    let mut names: HashMap<SteunpuntId, Option<String>> = HashMap::new();
    let mut hits = Vec::with_capacity(found.len());
    for f in found {
        let Some(record) = engine.record(&f.key)? else {
            continue;
        };
        let author = f.key.author;
        let steunpunt = match names.get(&author) {
            Some(name) => name.clone(),
            None => {
                let name = engine.profile(author)?.map(|p| p.name);
                names.insert(author, name.clone());
                name
            }
        };
        let trusted = engine.trust().get(&author);
        hits.push(Hit {
            record: RecordView::from(&record),
            steunpunt,
            hops: trusted.map(|t| t.hops),
            vouched_by: trusted.and_then(|t| t.path.len().checked_sub(2).map(|i| t.path[i])),
            distance_km: f.distance_km.map(|d| (d * 10.0).round() / 10.0),
            score: (f.score * 100.0).round() / 100.0,
        });
    }
    Ok(hits)
}
