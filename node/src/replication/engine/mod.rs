//! The replication engine: the node's record state and every rule that changes it.
//!
//! It is synchronous and takes the time as an argument, so the daemon, the tests and the
//! deterministic simulation drive exactly the same code. It keeps a small in-memory index
//! (metadata per record) next to the store, which holds the envelope bytes.

mod held;
mod ingest;
mod own;

pub use held::{AuthorTally, Meta, Tally};
pub use ingest::{Accepted, Counters, IngestOutcome, PageOutcome, Verdict};
pub use own::{Draft, DraftOutcome, EngineError, RENEW_WITHIN_MS, default_validity_ms};

use std::collections::{BTreeMap, BTreeSet};

use steunpunt_protocol::body::{Peering, Profile};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::trust::DEFAULT_TRUST_HOPS;
use steunpunt_protocol::{
    Body, Record, RecordHash, RecordKey, SteunpuntId, SteunpuntKey, Timestamp, TrustSet,
};

use crate::store::{Store, StoreError};

/// Settings of the engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// How many vouching hops to trust (ARCHITECTURE.md, Trust).
    pub trust_hops: u8,
    /// Own profile, peering and organisation records are renewed when they would expire
    /// within this many milliseconds.
    pub renew_before_ms: u64,
    /// How long a renewed record stays valid.
    pub renew_validity_ms: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            trust_hops: DEFAULT_TRUST_HOPS,
            renew_before_ms: 30 * DAY_MS,
            renew_validity_ms: 365 * DAY_MS,
        }
    }
}

/// Told about every change to the held records as it is made, so that derived state (the
/// search index) is in step with the store before anyone can ask.
pub trait RecordObserver: Send {
    /// `record` is now the held revision of its key (it may be a withdrawal).
    fn stored(&mut self, record: &Record);
    /// The record under `key` is gone (expired, or its author is no longer trusted).
    fn removed(&mut self, key: &RecordKey);
    /// Every stored record has been passed to [`RecordObserver::stored`] while opening;
    /// what follows are changes (records dropped at start-up, then normal operation).
    fn loaded(&mut self) {}
    /// The store was just flushed: make derived state durable and visible too. `held`
    /// reads records again, for derived state that must be redone (after a failed
    /// commit).
    fn flush(&mut self, held: &dyn HeldRecords) {
        let _ = held;
    }
    /// Removed and replaced records must leave no trace on disk: rewrite derived files
    /// without them (called after [`RecordObserver::flush`]). Whether that worked; if not,
    /// the store keeps its mark and both are tried again.
    fn erase(&mut self) -> bool {
        true
    }
}

/// The replication engine over a store.
pub struct Engine<S: Store> {
    observer: Option<Box<dyn RecordObserver>>,
    store: S,
    key: SteunpuntKey,
    me: SteunpuntId,
    config: EngineConfig,
    index: BTreeMap<RecordKey, Meta>,
    /// Ordered, so that sync can find a record by its short hash.
    by_hash: BTreeMap<RecordHash, RecordKey>,
    peerings: BTreeMap<SteunpuntId, Peering>,
    trust: TrustSet,
    trust_generation: u64,
    counters: Counters,
    tally: Tally,
    by_author: BTreeMap<SteunpuntId, AuthorTally>,
    equivocations_by_author: BTreeMap<SteunpuntId, u64>,
    /// When we last said that an author's records are ahead of our clock.
    clock_noted: BTreeMap<SteunpuntId, Timestamp>,
    /// Why the last write failed (and whether the disk was full), until a write
    /// succeeds again.
    store_failing: Option<(bool, String)>,
    /// Re-reading the store after a failed write (so a failure meanwhile does not start
    /// another re-read).
    resyncing: bool,
}

impl<S: Store> Engine<S> {
    /// Opens the engine on `store`: rebuilds the index, computes trust, and drops records
    /// that expired or whose authors are no longer trusted while the node was down.
    pub fn open(
        store: S,
        key: SteunpuntKey,
        config: EngineConfig,
        now: Timestamp,
    ) -> Result<Self, StoreError> {
        Self::open_observed(store, key, config, now, None)
    }

    /// [`Engine::open`] with an observer that is told about every record as it is loaded
    /// (then [`RecordObserver::loaded`]) and about every change from then on, so derived
    /// state is built in the same pass over the store.
    pub fn open_observed(
        store: S,
        key: SteunpuntKey,
        config: EngineConfig,
        now: Timestamp,
        observer: Option<Box<dyn RecordObserver>>,
    ) -> Result<Self, StoreError> {
        let me = key.id();
        let mut engine = Self {
            observer,
            store,
            key,
            me,
            trust: TrustSet::compute(me, &BTreeMap::new(), config.trust_hops),
            config,
            index: BTreeMap::new(),
            by_hash: BTreeMap::new(),
            peerings: BTreeMap::new(),
            trust_generation: 0,
            counters: Counters::default(),
            tally: Tally::default(),
            by_author: BTreeMap::new(),
            equivocations_by_author: BTreeMap::new(),
            clock_noted: BTreeMap::new(),
            store_failing: None,
            resyncing: false,
        };
        for record in engine.stored_records()? {
            engine.remember(&record);
        }
        engine
            .store
            .check_loaded(&mut engine.index.iter().map(|(k, m)| (k, &m.version.hash)))?;
        if let Some(observer) = &mut engine.observer {
            observer.loaded();
        }
        engine.recompute_trust()?;
        engine.expire(now)?;
        Ok(engine)
    }

    /// Our own steunpunt.
    pub fn me(&self) -> SteunpuntId {
        self.me
    }

    /// Whether we hold any record of our own (none after a restore into an empty store).
    pub fn holds_own(&self) -> bool {
        let me = self.me;
        self.index.keys().any(|k| k.author == me)
    }

    /// The steunpunten we trust now.
    pub fn trust(&self) -> &TrustSet {
        &self.trust
    }

    /// Goes up by one whenever the trusted set changes, so callers can notice a change
    /// (for example during a sync, whose scope was fixed when it started).
    pub fn trust_generation(&self) -> u64 {
        self.trust_generation
    }

    /// The trusted authors as a set.
    pub fn trusted_authors(&self) -> BTreeSet<SteunpuntId> {
        self.trust.iter().map(|(id, _)| *id).collect()
    }

    /// What the engine did so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// How many records are held, by kind.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// What we hold of each author.
    pub fn by_author(&self) -> &BTreeMap<SteunpuntId, AuthorTally> {
        &self.by_author
    }

    /// Equivocations counted against each author.
    pub fn equivocations_by_author(&self) -> &BTreeMap<SteunpuntId, u64> {
        &self.equivocations_by_author
    }

    /// The store underneath.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Metadata of every held record, in key order.
    pub fn index(&self) -> &BTreeMap<RecordKey, Meta> {
        &self.index
    }

    /// Reads one held record.
    pub fn get(&self, key: &RecordKey) -> Result<Option<Record>, EngineError> {
        let Some(meta) = self.index.get(key) else {
            return Ok(None);
        };
        self.read(&meta.version.hash)
    }

    fn read(&self, hash: &RecordHash) -> Result<Option<Record>, EngineError> {
        self.store
            .get_by_hash(hash)?
            .map(|e| e.decode_stored().map_err(EngineError::Damaged))
            .transpose()
    }
}

/// Held records as search and the API read them: from an engine in tests and tools, from
/// the record keeper's handle in the daemon.
pub trait HeldRecords {
    /// One held record.
    fn record(&self, key: &RecordKey) -> Result<Option<Record>, EngineError>;
    /// Whom we trust.
    fn trust(&self) -> &TrustSet;
    /// `author`'s profile, if we hold it.
    fn profile(&self, author: SteunpuntId) -> Result<Option<Profile>, EngineError> {
        Ok(match self.record(&RecordKey::profile(author))? {
            Some(record) => match &record.payload().body {
                Some(Body::Profile(profile)) => Some(profile.clone()),
                _ => None,
            },
            None => None,
        })
    }
}

impl<S: Store> HeldRecords for Engine<S> {
    fn record(&self, key: &RecordKey) -> Result<Option<Record>, EngineError> {
        self.get(key)
    }
    fn trust(&self) -> &TrustSet {
        Engine::trust(self)
    }
}
