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

mod dutch;
pub mod filters;
mod schema;
pub mod terms;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use steunpunt_api::RecordView;
use steunpunt_protocol::{Kind, Problem, Record, RecordHash, RecordKey, SteunpuntId, Timestamp};

use crate::replication::{Engine, EngineError, HeldRecords, RecordObserver};
use crate::store::Store;
pub use filters::{Entry, Facts, Plan};
use text::{TextIndex, TextIndexError, TextSearch};

pub use steunpunt_api::search::{
    DEFAULT_LIMIT, DEFAULT_RADIUS_KM, Hit, MAX_LIMIT, MAX_QUERY_BYTES, MAX_RADIUS_KM, SearchQuery,
    Sort,
};
/// Version of what the text index holds; raising it rebuilds every index at start-up.
const INDEX_FORMAT: &str = "steunpunt-search-5";
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
    Store(#[from] EngineError),
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
                self.write(slot, &title, &body, &entry);
            }
            self.digest.toggle(&entry.hash);
            self.catalog.insert(slot, entry);
        }
        self.dirty = true;
    }

    fn write(&mut self, slot: u64, title: &str, body: &str, entry: &Entry) {
        self.keep(slot);
        if self.behind.is_some() {
            return;
        }
        if let Err(e) = self
            .text
            .put(slot, title, body, &entry.tags(), &entry.facts())
        {
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
    fn catch_up(&self, held: &dyn HeldRecords) -> Result<(), TextIndexError> {
        for slot in &self.changed {
            self.text.delete(*slot);
            let Some(entry) = self.catalog.get(slot) else {
                continue;
            };
            let record = held.record(&entry.key).map_err(TextIndexError::other)?;
            if let Some((entry, title, body)) = record.as_ref().and_then(Entry::of) {
                self.text
                    .put(*slot, &title, &body, &entry.tags(), &entry.facts())?;
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

    /// Commits the text index, if anything changed: the slow part, done while searches
    /// go on (the index for reading). Its outcome goes to [`Self::committed`].
    fn commit_text(&self, held: &dyn HeldRecords) -> Option<Result<(), TextIndexError>> {
        if !self.dirty {
            return None;
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
        Some(caught_up.and_then(|()| self.text.commit(&payload)))
    }

    /// After [`Self::commit_text`]: the changes are in the index that searches now read
    /// (it was reloaded first, so a search never sees them missing from both).
    fn committed(
        &mut self,
        outcome: Option<Result<(), TextIndexError>>,
    ) -> Result<(), TextIndexError> {
        match outcome {
            None => Ok(()),
            Some(Ok(())) => {
                self.dirty = false;
                self.changed.clear();
                if self.behind.take().is_some() {
                    tracing::info!("the search index is up to date again");
                }
                Ok(())
            }
            Some(Err(e)) => {
                self.fell_behind(&e);
                Err(e)
            }
        }
    }

    /// Commits, holding the index for writing throughout (while opening).
    fn commit(&mut self, held: &dyn HeldRecords) -> Result<(), TextIndexError> {
        let outcome = self.commit_text(held);
        self.committed(outcome)
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
        // Only the record keeper changes the index, so nothing changes between the two
        // steps. A failure is logged once and kept in `behind`; the next flush tries again.
        let outcome = read(&self.0).commit_text(held);
        let _ = lock(&self.0).committed(outcome);
    }

    fn erase(&mut self) -> bool {
        // The merge takes a while; searches go on meanwhile.
        let inner = read(&self.0);
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
    /// The text index's reading side, searched without holding `inner`.
    text: TextSearch,
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
                        inner.text.put(
                            slot(&entry.key),
                            &title,
                            &body,
                            &entry.tags(),
                            &entry.facts(),
                        )?;
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
        let text = read(&self.inner).text.search().clone();
        Ok((
            SearchIndex {
                inner: self.inner,
                text,
            },
            report,
        ))
    }
}

impl SearchIndex {
    /// Starts opening the index in `dir` (in memory when `None`); see [`Opening`]. A
    /// missing, damaged or other-format index is replaced by an empty one, filled as the
    /// engine loads.
    pub fn open(dir: Option<&Path>) -> Result<Opening, SearchError> {
        let started = Instant::now();
        let fresh = dir.is_some_and(|d| !text::exists(d));
        let (text, committed) = TextIndex::open(dir)?;
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
        // One consistent view, taken in a moment: the committed documents, and the slots
        // changed since (with their current facts, if they pass). The search itself then
        // holds nothing, so records keep arriving while it runs.
        let (searcher, changed) = {
            let inner = read(&self.inner);
            if let Some(failure) = &inner.failed {
                return Err(SearchError::Damaged(failure.clone()));
            }
            let searcher = self.text.searcher();
            let changed: HashMap<u64, Option<(Facts, Option<f64>)>> = inner
                .changed
                .iter()
                .map(|slot| {
                    let now_passes = inner
                        .catalog
                        .get(slot)
                        .and_then(|e| Some((e.facts(), plan.admits(e, now)?)));
                    (*slot, now_passes)
                })
                .collect();
            (searcher, changed)
        };
        let me = plan.me.as_ref().map(filters::short_id);
        let nearest = |a: &Candidate, b: &Candidate| {
            a.distance_km
                .unwrap_or(0.0)
                .total_cmp(&b.distance_km.unwrap_or(0.0))
        };
        let newest = |a: &Candidate, b: &Candidate| b.updated_at.cmp(&a.updated_at);
        let own = |c: &Candidate| Some(c.author) == me;
        let order = |a: &Candidate, b: &Candidate| {
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
            // Equal in every way that counts (the API defines no order then): the slot, a
            // hash of the record's key, decides, the same on every node and at every start.
            .then_with(|| a.slot.cmp(&b.slot))
        };
        let mut best = Best::new(plan.limit, order);
        let mut total = 0;
        let mut offer = |slot, score, facts: &Facts, distance_km| {
            total += 1;
            best.offer(Candidate {
                slot,
                score,
                distance_km,
                updated_at: facts.updated_at,
                author: facts.author,
            });
        };
        // The index answers the words and the selective filters in one query, and hands
        // each match's facts for the exact checks; only the best `limit` are kept.
        let words = plan.words.as_deref();
        self.text
            .each_match(&searcher, words, &plan.tags(), &mut |slot, score, facts| {
                let score = f64::from(score);
                match changed.get(&slot) {
                    None => {
                        if let Some(distance_km) = plan.holds(facts, now) {
                            offer(slot, score, facts, distance_km);
                        }
                    }
                    // Changed since the last commit: without words it is found below;
                    // with words by its text as committed, checked as it is now.
                    Some(Some((facts, distance_km))) if words.is_some() => {
                        offer(slot, score, facts, *distance_km);
                    }
                    Some(_) => {}
                }
            })?;
        if words.is_none() {
            // Stored but not yet committed to the text index: found by the filters at
            // once, as before the index knew them (words wait for the commit).
            for (slot, passes) in &changed {
                if let Some((facts, distance_km)) = passes {
                    offer(*slot, 0.0, facts, *distance_km);
                }
            }
        }
        let best = best.sorted();
        let inner = read(&self.inner);
        // A record withdrawn during the search is left out.
        let found = best
            .into_iter()
            .filter_map(|c| {
                Some(Found {
                    key: inner.catalog.get(&c.slot)?.key.clone(),
                    score: c.score,
                    distance_km: c.distance_km,
                })
            })
            .collect();
        Ok((found, total))
    }
}

/// A record that passed every filter, while the best are chosen: what the order needs.
#[derive(Clone, Copy)]
struct Candidate {
    slot: u64,
    score: f64,
    distance_km: Option<f64>,
    updated_at: Timestamp,
    author: u64,
}

/// The best `k` of any number of offered items, in room for `2k`: when full, the best
/// half is kept (a linear selection), and from then on an item no better than the worst
/// kept is turned away at once. Memory does not grow with the number of matches, and the
/// work per match is a comparison at most (as in tantivy's own top-n collector).
struct Best<T, F> {
    k: usize,
    items: Vec<T>,
    /// The worst item kept at the last halving: anything not better cannot make the top.
    bar: Option<T>,
    order: F,
}

impl<T: Copy, F: Fn(&T, &T) -> std::cmp::Ordering> Best<T, F> {
    fn new(k: usize, order: F) -> Self {
        Self {
            k,
            items: Vec::with_capacity(2 * k.max(1)),
            bar: None,
            order,
        }
    }

    fn offer(&mut self, item: T) {
        if self.k == 0
            || self
                .bar
                .is_some_and(|bar| (self.order)(&item, &bar).is_ge())
        {
            return;
        }
        if self.items.len() == 2 * self.k {
            self.halve();
        }
        self.items.push(item);
    }

    /// Keeps the best `k`, and remembers the worst of them as the bar.
    fn halve(&mut self) {
        let k = self.k;
        let order = &self.order;
        let (_, kth, _) = self.items.select_nth_unstable_by(k - 1, order);
        self.bar = Some(*kth);
        self.items.truncate(k);
    }

    /// The best `k`, best first.
    fn sorted(mut self) -> Vec<T> {
        if self.items.len() > self.k {
            self.halve();
        }
        self.items.sort_by(&self.order);
        self.items
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The bounded selection keeps exactly what sorting everything and taking the first
    /// `k` would, for every `k` around the sizes where it halves, with many ties.
    #[test]
    fn the_best_k_are_those_a_full_sort_puts_first() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(14);
        let order = |a: &(u8, u32), b: &(u8, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        for n in [0, 1, 5, 19, 20, 21, 40, 41, 1000] {
            let items: Vec<(u8, u32)> = (0..n).map(|i| (rng.random_range(0..8), i)).collect();
            let mut sorted = items.clone();
            sorted.sort_by(order);
            for k in [1, 2, 10, 20, 100] {
                let mut best = Best::new(k, order);
                for item in &items {
                    best.offer(*item);
                }
                let expected: Vec<_> = sorted.iter().take(k).copied().collect();
                assert_eq!(best.sorted(), expected, "n {n}, k {k}");
            }
        }
    }
}
