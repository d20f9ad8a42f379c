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
pub mod text;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use steunpunt_protocol::{Kind, Record, RecordHash, RecordKey, SteunpuntId, Timestamp};

use crate::replication::{Engine, PublishError, RecordObserver};
use crate::store::Store;
pub use filters::{Entry, Plan, Sort};
use text::{TextIndex, TextIndexError};

/// Most results one search returns.
pub const MAX_LIMIT: usize = 200;
/// Results when no limit is given.
pub const DEFAULT_LIMIT: usize = 20;
/// Radius when `near` is given without one.
pub const DEFAULT_RADIUS_KM: f64 = 15.0;
/// Largest radius.
pub const MAX_RADIUS_KM: f64 = 500.0;
/// Longest query text.
pub const MAX_QUERY_BYTES: usize = 500;
/// Version of what the text index holds; raising it rebuilds every index at start-up.
const INDEX_FORMAT: &str = "steunpunt-search-1";

/// Filters of a search; all optional, all must hold.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words that should appear (any of them; more matches rank higher).
    #[serde(default)]
    pub q: Option<String>,
    /// Municipality, case- and diacritics-insensitive, common aliases understood.
    #[serde(default)]
    pub municipality: Option<String>,
    /// Vacancy category.
    #[serde(default)]
    pub category: Option<String>,
    /// Target group.
    #[serde(default)]
    pub target_group: Option<String>,
    /// Vacancy engagement.
    #[serde(default)]
    pub engagement: Option<String>,
    /// Only MaS-suitable vacancies.
    #[serde(default)]
    pub mas: bool,
    /// With `mas`: the pupil's age.
    #[serde(default)]
    pub age: Option<u8>,
    /// Only remote vacancies.
    #[serde(default)]
    pub remote: bool,
    /// Organisation expertise.
    #[serde(default)]
    pub expertise: Option<String>,
    /// Organisation kind.
    #[serde(default)]
    pub org_kind: Option<String>,
    /// A PC4 or a place name to measure distance from.
    #[serde(default)]
    pub near: Option<String>,
    /// Radius around `near`, in km.
    #[serde(default)]
    pub radius_km: Option<f64>,
    /// Only vacancies that run on this date (`2027-03-01`): started by then, not ended.
    #[serde(default)]
    pub on: Option<String>,
    /// Only records of this steunpunt (its ID).
    #[serde(default)]
    pub author: Option<String>,
    /// Order: relevance (default), distance (needs `near`) or recent.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub sort: Option<Sort>,
    /// Most results.
    #[serde(default)]
    pub limit: Option<usize>,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The record's JSON form.
    #[serde(flatten)]
    pub record: Value,
    /// Name of the publishing steunpunt.
    pub steunpunt: Option<String>,
    /// Its trust distance from us.
    pub hops: Option<u8>,
    /// Who vouched for it: the steunpunt before it on the vouching path.
    pub vouched_by: Option<SteunpuntId>,
    /// Distance from `near`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// Relevance: about 100 per matched word, plus more for matches in the title and for
    /// rare words; 0 without words.
    pub score: f64,
}

/// Why a query cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A parameter is wrong.
    #[error("{0}")]
    BadQuery(String),
    /// Reading records failed.
    #[error(transparent)]
    Store(#[from] PublishError),
    /// The text index failed.
    #[error(transparent)]
    Index(#[from] TextIndexError),
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

struct Inner {
    text: TextIndex,
    catalog: HashMap<u64, Entry>,
    digest: Digest,
    /// Changes not yet committed to the text index.
    dirty: bool,
    /// A failed write to the text index: searches report it until a restart rebuilds.
    failed: Option<String>,
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
            if let Err(e) = self.text.put(slot, &title, &body) {
                tracing::error!(
                    "{e}; searches fail until the node restarts and rebuilds the index"
                );
                self.failed = Some(e.to_string());
            }
            self.digest.toggle(&entry.hash);
            self.catalog.insert(slot, entry);
        }
        self.dirty = true;
    }

    fn unlist(&mut self, slot: u64) {
        if let Some(old) = self.catalog.remove(&slot) {
            self.digest.toggle(&old.hash);
            self.text.delete(slot);
            self.dirty = true;
        }
    }

    fn commit(&mut self) -> Result<(), TextIndexError> {
        if self.dirty {
            let payload = if self.failed.is_some() {
                format!("{INDEX_FORMAT} damaged")
            } else {
                self.digest.payload(self.catalog.len())
            };
            self.text.commit(&payload)?;
            self.dirty = false;
        }
        Ok(())
    }
}

/// Feeds the engine's changes into the index.
struct Feed(Arc<Mutex<Inner>>);

fn lock(inner: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    inner
        .lock()
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
}

/// What opening the index did, for the log and the benchmarks.
#[derive(Debug, Clone, Copy)]
pub struct OpenReport {
    /// Records indexed.
    pub records: usize,
    /// Whether the text index had to be rebuilt.
    pub rebuilt: bool,
    /// How long opening took.
    pub millis: u128,
}

/// The search index of a node; cheap to clone.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Mutex<Inner>>,
}

impl SearchIndex {
    /// Opens the index in `dir` (in memory when `None`), brings it in step with what
    /// `engine` holds (rebuilding the text index when it is missing, damaged or behind),
    /// and registers it with the engine so it follows every change.
    pub fn open<S: Store>(
        dir: Option<&Path>,
        engine: &mut Engine<S>,
    ) -> Result<(Self, OpenReport), SearchError> {
        let started = Instant::now();
        // An index opened before (and its writer's lock) goes first.
        drop(engine.take_observer());
        let (mut text, payload) = TextIndex::open(dir)?;
        let mut expected = Digest::default();
        let mut count = 0;
        for (key, meta) in engine.index() {
            if searchable(key.kind) && !meta.withdrawn {
                expected.toggle(&meta.version.hash);
                count += 1;
            }
        }
        let rebuild = payload.as_deref() != Some(expected.payload(count).as_str());
        if rebuild {
            text.clear()?;
        }
        let mut catalog = HashMap::with_capacity(count);
        let mut digest = Digest::default();
        let keys: Vec<RecordKey> = engine
            .index()
            .iter()
            .filter(|(k, m)| searchable(k.kind) && !m.withdrawn)
            .map(|(k, _)| k.clone())
            .collect();
        for key in keys {
            let Some(record) = engine.get(&key)? else {
                continue;
            };
            if let Some((entry, title, body)) = Entry::of(&record) {
                let slot = slot(&key);
                if rebuild {
                    text.put(slot, &title, &body)?;
                }
                digest.toggle(&entry.hash);
                catalog.insert(slot, entry);
            }
        }
        let records = catalog.len();
        let mut inner = Inner {
            text,
            catalog,
            digest,
            dirty: rebuild,
            failed: None,
        };
        inner.commit()?;
        let inner = Arc::new(Mutex::new(inner));
        engine.set_observer(Box::new(Feed(Arc::clone(&inner))));
        let report = OpenReport {
            records,
            rebuilt: rebuild,
            millis: started.elapsed().as_millis(),
        };
        if rebuild {
            tracing::info!(records, millis = report.millis, "rebuilt the search index");
        }
        Ok((Self { inner }, report))
    }

    /// Makes pending changes durable, so a restart need not rebuild.
    pub fn commit(&self) -> Result<(), SearchError> {
        Ok(lock(&self.inner).commit()?)
    }

    /// Number of records searchable.
    pub fn len(&self) -> usize {
        lock(&self.inner).catalog.len()
    }

    /// Whether nothing is searchable.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The records that answer `plan` at `now`, best first (by `plan.sort`).
    pub fn find(&self, plan: &Plan, now: Timestamp) -> Result<Vec<Found>, SearchError> {
        let mut inner = lock(&self.inner);
        if let Some(failure) = &inner.failed {
            return Err(SearchError::Index(TextIndexError::from(
                tantivy::TantivyError::InternalError(format!(
                    "{failure}; restart the node to rebuild the search index"
                )),
            )));
        }
        inner.commit()?;
        let mut found: Vec<Found> = Vec::new();
        let mut consider = |entry: &Entry, score: f64| {
            if let Some(distance_km) = plan.admits(entry, now) {
                found.push(Found {
                    key: entry.key.clone(),
                    score,
                    distance_km,
                });
            }
        };
        match &plan.words {
            Some(words) => {
                for (slot, score) in inner.text.matches(words)? {
                    if let Some(entry) = inner.catalog.get(&slot) {
                        consider(entry, f64::from(score));
                    }
                }
            }
            None => {
                for entry in inner.catalog.values() {
                    consider(entry, 0.0);
                }
            }
        }
        let updated = |f: &Found| {
            inner
                .catalog
                .get(&slot(&f.key))
                .map_or(Timestamp(0), |e| e.updated_at)
        };
        let nearest = |a: &Found, b: &Found| {
            a.distance_km
                .unwrap_or(0.0)
                .total_cmp(&b.distance_km.unwrap_or(0.0))
        };
        let take = plan.limit.min(found.len());
        let order = |a: &Found, b: &Found| match plan.sort {
            Sort::Relevance => b
                .score
                .total_cmp(&a.score)
                .then_with(|| nearest(a, b))
                .then_with(|| updated(b).cmp(&updated(a)))
                .then_with(|| a.key.cmp(&b.key)),
            Sort::Distance => nearest(a, b)
                .then_with(|| b.score.total_cmp(&a.score))
                .then_with(|| a.key.cmp(&b.key)),
            Sort::Recent => updated(b)
                .cmp(&updated(a))
                .then_with(|| b.score.total_cmp(&a.score))
                .then_with(|| a.key.cmp(&b.key)),
        };
        if take < found.len() {
            found.select_nth_unstable_by(take, order);
            found.truncate(take);
        }
        found.sort_by(order);
        Ok(found)
    }
}

/// Searches vacancies (`Kind::Vacancy`) or organisations (`Kind::Organisation`): checks
/// the query, finds the records in `index`, and describes them from `engine`.
pub fn search<S: Store>(
    index: &SearchIndex,
    engine: &Engine<S>,
    kind: Kind,
    q: &SearchQuery,
    now: Timestamp,
) -> Result<Vec<Hit>, SearchError> {
    let plan = Plan::new(kind, q)?;
    let found = index.find(&plan, now)?;
    hits(engine, &found)
}

/// Describes found records for the API: their JSON form, the publishing steunpunt's name,
/// its trust distance and who vouched for it.
pub fn hits<S: Store>(engine: &Engine<S>, found: &[Found]) -> Result<Vec<Hit>, SearchError> {
    let mut names: HashMap<SteunpuntId, Option<String>> = HashMap::new();
    let mut hits = Vec::with_capacity(found.len());
    for f in found {
        let Some(record) = engine.get(&f.key)? else {
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
            record: serde_json::to_value(record.to_json()).unwrap_or(Value::Null),
            steunpunt,
            hops: trusted.map(|t| t.hops),
            vouched_by: trusted.and_then(|t| t.path.len().checked_sub(2).map(|i| t.path[i])),
            distance_km: f.distance_km.map(|d| (d * 10.0).round() / 10.0),
            score: (f.score * 100.0).round() / 100.0,
        });
    }
    Ok(hits)
}
