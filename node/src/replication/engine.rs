//! The replication engine: the node's record state and every rule that changes it.
//!
//! It is synchronous and takes the time as an argument, so the daemon, the tests and the
//! deterministic simulation drive exactly the same code. It keeps a small in-memory index
//! (metadata per record) next to the store, which holds the envelope bytes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use serde::Serialize;
use steunpunt_protocol::body::{Peering, Profile};
use steunpunt_protocol::envelope::EnvelopeError;
use steunpunt_protocol::merge::{MergeOutcome, merge};
use steunpunt_protocol::record::MAX_VALIDITY_MS;
use steunpunt_protocol::sync::MAX_PAGE_BYTES;
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::trust::DEFAULT_TRUST_HOPS;
use steunpunt_protocol::{
    AuthorError, Body, Envelope, Freshness, Kind, OpenError, Payload, Record, RecordHash, RecordId,
    RecordKey, Revision, ShortHash, SteunpuntId, SteunpuntKey, Timestamp, TrustSet, Verified,
    Version,
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

/// A record as staff wrote it, before it becomes a signed revision.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Kind of record.
    pub kind: Kind,
    /// Its id: as given, or made from the title (see `id_from_title`).
    pub id: RecordId,
    /// The id was made from the title, not given: the draft then updates only a record
    /// that is clearly the same ([`Body::same_subject`]) and otherwise gets the next free
    /// numbered id (`…-2`, `…-3`), so a new vacancy never replaces another with the same
    /// title.
    pub id_from_title: bool,
    /// What it says.
    pub body: Body,
    /// Requested expiry, if any; otherwise [`default_validity_ms`] of the kind.
    pub valid_until: Option<Timestamp>,
}

/// Most numbered ids tried for one title before the draft is refused.
const MAX_NUMBERED_IDS: u32 = 1000;

/// What publishing a draft did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftOutcome {
    /// A record that did not exist (or was withdrawn) now does.
    New,
    /// A new revision replaced a different one.
    Updated {
        /// The body fields whose values changed, and `valid_until` when a new one was
        /// asked for.
        changed: Vec<String>,
    },
    /// The live revision already said exactly this; nothing was written.
    Unchanged,
}

/// What the engine knows about a held record without reading the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// Revision and hash.
    pub version: Version,
    /// When this revision was made.
    pub updated_at: Timestamp,
    /// When it expires.
    pub valid_until: Timestamp,
    /// Whether this revision is a withdrawal.
    pub withdrawn: bool,
}

impl Meta {
    fn of(record: &Record) -> Self {
        let p = record.payload();
        Self {
            version: record.version(),
            updated_at: p.updated_at,
            valid_until: p.valid_until,
            withdrawn: p.is_withdrawal(),
        }
    }
}

/// A record that changed the node's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Which record.
    pub key: RecordKey,
    /// Hash of the new revision.
    pub hash: RecordHash,
    /// Hash of the revision it replaced, if any.
    pub replaced: Option<RecordHash>,
    /// Whether this was an equal-revision conflict (an equivocation by the author).
    pub equivocation: bool,
    /// Whether the trusted set changed because of it.
    pub trust_changed: bool,
}

/// What happened to received bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    /// Stored: it changed our state.
    Accepted(Accepted),
    /// The exact record we already hold.
    Duplicate,
    /// Older than what we hold (or losing an equivocation tie-break).
    Stale {
        /// Whether it was an equal-revision conflict (an equivocation by the author).
        equivocation: bool,
    },
    /// A valid record whose author we do not trust: ignored, not penalised.
    Untrusted,
    /// Its `valid_until` has passed.
    Expired,
    /// Its `updated_at` is too far ahead of our clock.
    FromFuture,
    /// Malformed, badly signed or breaking the rules: penalise whoever sent it.
    Invalid(OpenError),
    /// Valid, but our storage failed; it will be offered again by sync.
    NotStored(String),
}

/// How gossip should treat a message, from its ingest outcome (ARCHITECTURE.md, Replication).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It changed our state: forward it.
    Accept,
    /// Stale, duplicate, untrusted or untimely: drop it quietly.
    Ignore,
    /// Invalid: drop it and penalise the sender.
    Reject,
}

impl IngestOutcome {
    /// The gossip verdict.
    pub fn verdict(&self) -> Verdict {
        match self {
            IngestOutcome::Accepted(_) => Verdict::Accept,
            _ if self.is_offence() => Verdict::Reject,
            _ => Verdict::Ignore,
        }
    }

    /// Whether whoever sent these bytes did what no honest node of any version does: a
    /// signature that does not verify, or broken framing. A newer envelope format, a
    /// payload this version cannot decode or a rule it does not know may come from a newer
    /// node: such a record is dropped, not held against the sender.
    pub fn is_offence(&self) -> bool {
        matches!(
            self,
            IngestOutcome::Invalid(OpenError::Envelope(
                EnvelopeError::BadSignature
                    | EnvelopeError::BadAuthor
                    | EnvelopeError::TooShort(_)
                    | EnvelopeError::TooLarge(_)
            ))
        )
    }
}

/// What a page of received envelopes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageOutcome {
    /// Records that changed our state.
    pub accepted: usize,
    /// Records no honest node sends ([`IngestOutcome::is_offence`]).
    pub offences: u32,
}

/// Received bytes after the checks that come before the signature.
enum Screened {
    /// Decided without the signature.
    Done(IngestOutcome),
    /// To be verified.
    Verify(Envelope),
}

/// Counts of everything the engine did, for metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Received records stored.
    pub accepted: u64,
    /// Received records already held.
    pub duplicate: u64,
    /// Received records older than ours.
    pub stale: u64,
    /// Received records by untrusted authors.
    pub untrusted: u64,
    /// Received records already expired.
    pub expired: u64,
    /// Received records from too far in the future.
    pub from_future: u64,
    /// Received records that were invalid.
    pub invalid: u64,
    /// Received valid records that storage failed to write.
    pub not_stored: u64,
    /// Equal-revision conflicts seen.
    pub equivocations: u64,
    /// Higher revisions that lowered `valid_until`.
    pub validity_lowered: u64,
    /// Records dropped because they expired.
    pub purged_expired: u64,
    /// Records dropped because their author is no longer trusted.
    pub purged_untrusted: u64,
    /// Own records published or withdrawn.
    pub published: u64,
    /// Own records renewed automatically.
    pub renewed: u64,
    /// Writes to the store that failed (disk full, IO errors).
    pub store_failures: u64,
}

/// How many held records there are, by kind, kept up to date as records change so a
/// summary never walks the index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Live (not withdrawn) records per kind, in [`Kind::ALL`] order.
    pub live: [u64; 4],
    /// Withdrawals held.
    pub withdrawn: u64,
}

impl Tally {
    fn slot(kind: Kind) -> usize {
        Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
    }

    fn add(&mut self, kind: Kind, meta: &Meta, by: i64) {
        let count = if meta.withdrawn {
            &mut self.withdrawn
        } else {
            &mut self.live[Self::slot(kind)]
        };
        *count = count.saturating_add_signed(by);
    }

    /// Live records of `kind`.
    pub fn live(&self, kind: Kind) -> u64 {
        self.live[Self::slot(kind)]
    }

    /// Every held record, withdrawals included.
    pub fn total(&self) -> u64 {
        self.live.iter().sum::<u64>() + self.withdrawn
    }
}

/// What the node holds of one author: kept up to date with every change, for `region`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorTally {
    /// Its held records by kind.
    pub tally: Tally,
    /// When the newest of its records that we received was made.
    pub newest: Timestamp,
}

/// An unchanged draft of a record that expires within this time renews it, so importing
/// the same spreadsheet again keeps its vacancies up.
pub const RENEW_WITHIN_MS: u64 = 30 * DAY_MS;

/// Validity of one of our own records when staff name none: a vacancy must be looked at
/// again within three months, everything else within a year (renewed automatically).
pub fn default_validity_ms(kind: Kind) -> u64 {
    match kind {
        Kind::Vacancy => 90 * DAY_MS,
        Kind::Profile | Kind::Peering | Kind::Organisation => 365 * DAY_MS,
    }
}

/// Why publishing or withdrawing an own record failed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The content or the revision breaks a rule.
    #[error(transparent)]
    Author(#[from] AuthorError),
    /// There is no live record with this id to change.
    #[error("there is no {kind} with id `{id}` to withdraw")]
    NotFound {
        /// Kind asked for.
        kind: Kind,
        /// Id asked for.
        id: RecordId,
    },
    /// The profile and the peering record are the node's own: they change through
    /// `config.toml` and the peer commands, never by a withdrawal.
    #[error(
        "the {0} record is managed by the node: edit config.toml for the profile, use the peer commands for peering"
    )]
    Managed(Kind),
    /// A steunpunt cannot peer with or block itself.
    #[error("that is this steunpunt's own ID")]
    OwnSteunpunt,
    /// Every numbered id made from this title holds another record of ours.
    #[error("every id made from `{id}` is taken by another {kind}; give the draft an id")]
    NoFreeId {
        /// Kind of the draft.
        kind: Kind,
        /// The id made from its title.
        id: RecordId,
    },
    /// After a restore, our own records are being learned back from the neighbours;
    /// nothing of ours is published until that is done, so no revision the region has
    /// seen is made again.
    #[error(
        "this node is getting its own records back from its neighbours after a restore; try again in a minute"
    )]
    Recovering,
    /// Storage failed; nothing was acknowledged.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record could not be read back.
    #[error("stored record could not be read: {0}")]
    Damaged(OpenError),
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
    pub fn get(&self, key: &RecordKey) -> Result<Option<Record>, PublishError> {
        let Some(meta) = self.index.get(key) else {
            return Ok(None);
        };
        self.read(&meta.version.hash)
    }

    fn read(&self, hash: &RecordHash) -> Result<Option<Record>, PublishError> {
        self.store
            .get_by_hash(hash)?
            .map(|e| e.decode_stored().map_err(PublishError::Damaged))
            .transpose()
    }

    fn remember(&mut self, record: &Record) {
        let key = record.key();
        if key.kind == Kind::Peering {
            match &record.payload().body {
                Some(Body::Peering(p)) => {
                    self.peerings.insert(key.author, p.clone());
                }
                _ => {
                    self.peerings.remove(&key.author);
                }
            }
        }
        let meta = Meta::of(record);
        self.tally.add(key.kind, &meta, 1);
        let author = self.by_author.entry(key.author).or_default();
        author.tally.add(key.kind, &meta, 1);
        author.newest = author.newest.max(meta.updated_at);
        if let Some(old) = self.index.insert(key.clone(), meta) {
            self.tally.add(key.kind, &old, -1);
            author.tally.add(key.kind, &old, -1);
            self.by_hash.remove(&old.version.hash);
        }
        self.by_hash.insert(record.hash(), key);
        if let Some(observer) = &mut self.observer {
            observer.stored(record);
        }
    }

    fn forget(&mut self, key: &RecordKey) -> Result<(), StoreError> {
        if let Some(meta) = self.index.get(key) {
            if let Err(e) = self.store.remove(key, &meta.version.hash) {
                return Err(self.store_failed(e));
            }
            self.store_ok();
            self.unremember(key);
        }
        Ok(())
    }

    /// Drops what the engine knows of `key` (not the store's copy).
    fn unremember(&mut self, key: &RecordKey) {
        if let Some(meta) = self.index.remove(key) {
            self.tally.add(key.kind, &meta, -1);
            if let Some(author) = self.by_author.get_mut(&key.author) {
                author.tally.add(key.kind, &meta, -1);
                if author.tally.total() == 0 {
                    self.by_author.remove(&key.author);
                }
            }
            self.by_hash.remove(&meta.version.hash);
            if key.kind == Kind::Peering {
                self.peerings.remove(&key.author);
            }
            if let Some(observer) = &mut self.observer {
                observer.removed(key);
            }
        }
    }

    /// A write failed. The store may now show a write it could not make durable, so it
    /// is brought back to what is on disk and the engine's state with it: a write that
    /// failed is never listed, searched or offered to peers.
    fn store_failed(&mut self, e: StoreError) -> StoreError {
        self.counters.store_failures += 1;
        if self.store_failing.is_none() {
            tracing::warn!("writing to the store failed: {e}");
        }
        self.store_failing = Some((matches!(e, StoreError::DiskFull), e.to_string()));
        if self.resyncing {
            return e;
        }
        match self.store.recover() {
            Ok(false) => {}
            Ok(true) => {
                self.resyncing = true;
                if let Err(again) = self.resync() {
                    tracing::warn!("re-reading the store after a failed write failed: {again}");
                }
                self.resyncing = false;
            }
            Err(again) => tracing::warn!("the store cannot be opened again yet: {again}"),
        }
        e
    }

    /// A record too far ahead of our clock waits until the clocks agree (sync offers it
    /// again); the admin is told once an hour per author which clock to look at.
    fn clock_ahead(&mut self, author: SteunpuntId, updated_at: Timestamp, now: Timestamp) {
        const NOTE_EVERY_MS: u64 = 60 * 60 * 1000;
        let due = self
            .clock_noted
            .get(&author)
            .is_none_or(|at| now.0.saturating_sub(at.0) >= NOTE_EVERY_MS);
        if due {
            self.clock_noted.insert(author, now);
            tracing::warn!(
                %author,
                "a record is dated {} minutes ahead of this node's clock (at most {} allowed); \
                 it is taken once the clocks agree. If this machine's clock is behind, set it \
                 right (NTP); otherwise that steunpunt's clock is ahead",
                updated_at.0.saturating_sub(now.0) / 60_000,
                steunpunt_protocol::record::MAX_CLOCK_AHEAD_MS / 60_000
            );
        }
    }

    /// A write reached the store: whatever failed before is over (a flush that fails
    /// later says so again).
    fn store_ok(&mut self) {
        if self.store_failing.take().is_some() {
            tracing::info!("writing to the store works again");
        }
    }

    /// Why writing to the store fails, while it does, and whether the disk is full.
    pub fn store_failing(&self) -> Option<(bool, &str)> {
        self.store_failing
            .as_ref()
            .map(|(full, why)| (*full, why.as_str()))
    }

    /// Every record in the store, decoded.
    fn stored_records(&self) -> Result<Vec<Record>, StoreError> {
        self.store
            .load_all()?
            .into_iter()
            .map(|envelope| {
                let hash = envelope.hash();
                envelope.decode_stored().map_err(|e| StoreError::Damaged {
                    key: hash.to_hex(),
                    reason: e.to_string(),
                })
            })
            .collect()
    }

    /// Brings the engine's state in step with the store after the store was reopened.
    fn resync(&mut self) -> Result<(), StoreError> {
        let held: BTreeMap<RecordKey, Record> = self
            .stored_records()?
            .into_iter()
            .map(|record| (record.key(), record))
            .collect();
        let gone: Vec<RecordKey> = self
            .index
            .keys()
            .filter(|k| !held.contains_key(*k))
            .cloned()
            .collect();
        for key in &gone {
            self.unremember(key);
        }
        for (key, record) in &held {
            if self.index.get(key).map(|m| m.version.hash) != Some(record.hash()) {
                self.remember(record);
            }
        }
        self.recompute_trust()?;
        Ok(())
    }

    fn keys_where(&self, wanted: impl Fn(&RecordKey, &Meta) -> bool) -> Vec<RecordKey> {
        self.index
            .iter()
            .filter(|(k, m)| wanted(k, m))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Recomputes trust; drops the records of authors no longer trusted. Returns whether
    /// the trusted set changed.
    fn recompute_trust(&mut self) -> Result<bool, StoreError> {
        let trust = TrustSet::compute(self.me, &self.peerings, self.config.trust_hops);
        if trust == self.trust {
            return Ok(false);
        }
        self.trust = trust;
        self.trust_generation += 1;
        let trust = &self.trust;
        let untrusted = self.keys_where(|k, _| !trust.contains(&k.author));
        for key in &untrusted {
            self.forget(key)?;
        }
        self.counters.purged_untrusted += untrusted.len() as u64;
        Ok(true)
    }

    /// Runs received envelope bytes through the pipeline: framing → duplicate check →
    /// trust → signature and rules → clock → merge → store → trust update.
    pub fn ingest(&mut self, bytes: impl Into<Arc<[u8]>>, now: Timestamp) -> IngestOutcome {
        let outcome = match self.screen(bytes.into()) {
            Screened::Done(outcome) => outcome,
            Screened::Verify(envelope) => self.admit(envelope.verified(), now),
        };
        self.count(&outcome);
        outcome
    }

    fn count(&mut self, outcome: &IngestOutcome) {
        let c = &mut self.counters;
        match outcome {
            IngestOutcome::Accepted(a) => {
                c.accepted += 1;
                if a.equivocation {
                    c.equivocations += 1;
                }
            }
            IngestOutcome::Duplicate => c.duplicate += 1,
            IngestOutcome::Stale { equivocation } => {
                c.stale += 1;
                if *equivocation {
                    c.equivocations += 1;
                }
            }
            IngestOutcome::Untrusted => c.untrusted += 1,
            IngestOutcome::Expired => c.expired += 1,
            IngestOutcome::FromFuture => c.from_future += 1,
            IngestOutcome::Invalid(_) => c.invalid += 1,
            IngestOutcome::NotStored(_) => c.not_stored += 1,
        }
    }

    /// The checks before the signature: framing, duplicate, trust.
    fn screen(&self, bytes: Arc<[u8]>) -> Screened {
        let envelope = match Envelope::from_bytes(bytes) {
            Ok(e) => e,
            Err(e) => return Screened::Done(IngestOutcome::Invalid(e.into())),
        };
        // The hash covers the exact bytes, so a known hash is a known, verified record.
        if self.by_hash.contains_key(&envelope.hash()) {
            return Screened::Done(IngestOutcome::Duplicate);
        }
        if !self.trust.contains(&envelope.author()) {
            return Screened::Done(IngestOutcome::Untrusted);
        }
        Screened::Verify(envelope)
    }

    /// The rest of the pipeline after the signature was checked.
    fn admit(
        &mut self,
        verified: Result<Verified, EnvelopeError>,
        now: Timestamp,
    ) -> IngestOutcome {
        // Trust may have changed since the envelope was screened: a page can hold a
        // peering record that stops vouching for an author whose records follow it.
        if let Ok(v) = &verified
            && !self.trust.contains(&v.envelope().author())
        {
            return IngestOutcome::Untrusted;
        }
        let record = match verified.map_err(OpenError::from).and_then(Verified::open) {
            Ok(r) => r,
            Err(e) => return IngestOutcome::Invalid(e),
        };
        match record.payload().freshness(now) {
            Freshness::Live => {}
            Freshness::Expired => return IngestOutcome::Expired,
            Freshness::FromFuture => {
                self.clock_ahead(record.key().author, record.payload().updated_at, now);
                return IngestOutcome::FromFuture;
            }
        }
        let key = record.key();
        let current = self.index.get(&key).copied();
        let outcome = merge(current.as_ref().map(|m| &m.version), &record.version());
        let equivocation = matches!(outcome, MergeOutcome::Equivocation { .. });
        if equivocation {
            *self.equivocations_by_author.entry(key.author).or_default() += 1;
        }
        match outcome {
            MergeOutcome::Duplicate => return IngestOutcome::Duplicate,
            _ if !outcome.incoming_wins() => return IngestOutcome::Stale { equivocation },
            _ => {}
        }
        // An honest author never lowers valid_until. Revision order still decides, so all
        // nodes converge; the fault is counted.
        if current.is_some_and(|m| m.valid_until > record.payload().valid_until) {
            self.counters.validity_lowered += 1;
        }
        match self.store_record(&record, current.map(|m| m.version.hash)) {
            Ok(trust_changed) => IngestOutcome::Accepted(Accepted {
                key,
                hash: record.hash(),
                replaced: current.map(|m| m.version.hash),
                equivocation,
                trust_changed,
            }),
            // Not stored, so not acknowledged: the sender or another peer will offer it again.
            Err(e) => IngestOutcome::NotStored(e.to_string()),
        }
    }

    /// Ingests a page of envelopes from one peer, their signatures verified in one batch.
    ///
    /// A page may hold a `peering` record that makes other authors in the same page
    /// trusted; their records are retried after trust changes, so the order of records
    /// within a page never matters.
    pub fn ingest_page<B: Into<Arc<[u8]>>>(
        &mut self,
        envelopes: impl IntoIterator<Item = B>,
        now: Timestamp,
    ) -> PageOutcome {
        let mut pending: Vec<Arc<[u8]>> = envelopes.into_iter().map(Into::into).collect();
        let mut page = PageOutcome::default();
        loop {
            let mut outcomes: Vec<Option<IngestOutcome>> = Vec::with_capacity(pending.len());
            let mut unverified = Vec::new();
            for bytes in &pending {
                match self.screen(Arc::clone(bytes)) {
                    Screened::Done(outcome) => outcomes.push(Some(outcome)),
                    Screened::Verify(envelope) => {
                        outcomes.push(None);
                        unverified.push(envelope);
                    }
                }
            }
            let mut verified = Envelope::verify_all(unverified).into_iter();
            let mut untrusted = Vec::new();
            let mut trust_changed = false;
            for (bytes, outcome) in pending.into_iter().zip(outcomes) {
                let outcome = match outcome.ok_or_else(|| verified.next()) {
                    Ok(outcome) => outcome,
                    Err(Some(result)) => self.admit(result, now),
                    Err(None) => unreachable!("one verification per envelope screened"),
                };
                match &outcome {
                    IngestOutcome::Accepted(a) => {
                        page.accepted += 1;
                        trust_changed |= a.trust_changed;
                    }
                    // Counted once, after the last pass.
                    IngestOutcome::Untrusted => {
                        untrusted.push(bytes);
                        continue;
                    }
                    other if other.is_offence() => page.offences += 1,
                    _ => {}
                }
                self.count(&outcome);
            }
            if !trust_changed || untrusted.is_empty() {
                self.counters.untrusted += untrusted.len() as u64;
                return page;
            }
            // Each pass trusts at least one more author, so this ends.
            pending = untrusted;
        }
    }

    /// Writes a record that won its merge; returns whether trust changed.
    fn store_record(
        &mut self,
        record: &Record,
        replaces: Option<RecordHash>,
    ) -> Result<bool, StoreError> {
        let key = record.key();
        if let Err(e) = self.store.put(&key, record.envelope(), replaces.as_ref()) {
            return Err(self.store_failed(e));
        }
        self.store_ok();
        self.remember(record);
        if key.kind == Kind::Peering {
            self.recompute_trust()
        } else {
            Ok(false)
        }
    }

    fn own_key(&self, kind: Kind, id: &RecordId) -> RecordKey {
        RecordKey {
            author: self.me,
            kind,
            id: id.clone(),
        }
    }

    /// Publishes the next revision of one of our own records. Returns only once the record
    /// is durable on disk: an acknowledged record is never lost.
    pub fn publish(
        &mut self,
        kind: Kind,
        id: RecordId,
        body: Body,
        valid_until: Timestamp,
        now: Timestamp,
    ) -> Result<Record, PublishError> {
        let previous = self.get(&self.own_key(kind, &id))?;
        let record = self.revise(previous.as_ref(), kind, id, body, valid_until, now)?;
        self.commit_own(record, previous.map(|p| p.hash()))
    }

    /// Signs the next revision of one of our records after `previous`.
    fn revise(
        &self,
        previous: Option<&Record>,
        kind: Kind,
        id: RecordId,
        body: Body,
        valid_until: Timestamp,
        now: Timestamp,
    ) -> Result<Record, PublishError> {
        Ok(steunpunt_protocol::author(
            &self.key,
            previous.map(Record::payload),
            Revision {
                kind,
                id,
                body: Some(body),
                valid_until,
            },
            now,
        )?)
    }

    /// Publishes a draft of one of our own records unless it says what the live revision
    /// already says, so importing the same file twice changes nothing, unless it expires
    /// within [`RENEW_WITHIN_MS`]: then it is renewed. Without a requested `valid_until`
    /// the record stays valid for at least [`default_validity_ms`] and, for a vacancy,
    /// until its end date. With
    /// `dry_run` the revision is made and checked but neither stored nor counted.
    pub fn publish_draft(
        &mut self,
        draft: Draft,
        now: Timestamp,
        dry_run: bool,
    ) -> Result<(Record, DraftOutcome), PublishError> {
        let id = if draft.id_from_title {
            self.id_for_title(&draft)?
        } else {
            draft.id.clone()
        };
        let key = self.own_key(draft.kind, &id);
        let latest = self.get(&key)?;
        let live = latest.as_ref().filter(|r| !r.payload().is_withdrawal());
        if let Some(live) = live
            && live.payload().body.as_ref() == Some(&draft.body)
            && draft
                .valid_until
                .is_none_or(|v| v == live.payload().valid_until)
            && (draft.valid_until.is_some()
                || live.payload().valid_until > now.plus_ms(RENEW_WITHIN_MS))
        {
            return Ok((live.clone(), DraftOutcome::Unchanged));
        }
        // Never before the work ends: a vacancy for an event in four months stays up
        // until the event is over (within the 400-day rule).
        let ends = match &draft.body {
            Body::Vacancy(v) => v.end.map(|end| end.start().plus_ms(DAY_MS)),
            _ => None,
        };
        let default_until = now
            .plus_ms(default_validity_ms(draft.kind))
            .max(ends.unwrap_or(now))
            .min(now.plus_ms(MAX_VALIDITY_MS));
        let valid_until = draft.valid_until.unwrap_or_else(|| {
            live.map_or(default_until, |p| {
                default_until.max(p.payload().valid_until)
            })
        });
        let outcome = match live {
            Some(live) => {
                let old = live.payload();
                let mut changed = old
                    .body
                    .as_ref()
                    .map(|body| body.changed_fields(&draft.body))
                    .unwrap_or_default();
                // Asked for, not the default moving on with the clock.
                if draft.valid_until.is_some() && old.valid_until != valid_until {
                    changed.push("valid_until".to_owned());
                }
                DraftOutcome::Updated { changed }
            }
            None => DraftOutcome::New,
        };
        let record = self.revise(
            latest.as_ref(),
            draft.kind,
            id,
            draft.body,
            valid_until,
            now,
        )?;
        if dry_run {
            return Ok((record, outcome));
        }
        let record = self.commit_own(record, latest.map(|r| r.hash()))?;
        Ok((record, outcome))
    }

    /// The id for a draft whose id was made from its title: the first of `id`, `id-2`,
    /// `id-3`, … that is free (never used, or withdrawn) or holds the same vacancy or
    /// organisation ([`Body::same_subject`]).
    fn id_for_title(&self, draft: &Draft) -> Result<RecordId, PublishError> {
        for n in 1..=MAX_NUMBERED_IDS {
            let id = draft.id.numbered(n);
            let live = self
                .get(&self.own_key(draft.kind, &id))?
                .filter(|r| !r.payload().is_withdrawal());
            match live.as_ref().and_then(|r| r.payload().body.as_ref()) {
                None => return Ok(id),
                Some(body) if body.same_subject(&draft.body) => return Ok(id),
                Some(_) => {}
            }
        }
        Err(PublishError::NoFreeId {
            kind: draft.kind,
            id: draft.id.clone(),
        })
    }

    /// Withdraws one of our own records; durable before it returns.
    pub fn withdraw(
        &mut self,
        kind: Kind,
        id: RecordId,
        now: Timestamp,
    ) -> Result<Record, PublishError> {
        if matches!(kind, Kind::Profile | Kind::Peering) {
            return Err(PublishError::Managed(kind));
        }
        let key = self.own_key(kind, &id);
        let previous = self
            .get(&key)?
            .filter(|r| !r.payload().is_withdrawal())
            .ok_or(PublishError::NotFound { kind, id })?;
        let record = steunpunt_protocol::withdraw(&self.key, previous.payload(), now)?;
        self.commit_own(record, Some(previous.hash()))
    }

    /// Publishes our profile when it differs from `desired`; the node's PeerIds already
    /// listed are kept and `node` is added, so a second node of the same steunpunt stays
    /// allowed. Returns the new revision, if one was made.
    pub fn ensure_profile(
        &mut self,
        mut desired: Profile,
        node: &str,
        now: Timestamp,
    ) -> Result<Option<Record>, PublishError> {
        let current = self.profile(self.me)?;
        let mut nodes = current
            .as_ref()
            .map(|p| p.nodes.clone())
            .unwrap_or_default();
        if !nodes.iter().any(|n| n == node) {
            nodes.push(node.to_owned());
        }
        desired.nodes = nodes;
        if desired.address.is_none() {
            desired.address = current.as_ref().and_then(|p| p.address.clone());
        }
        if current.as_ref() == Some(&desired) {
            return Ok(None);
        }
        self.publish_managed(Kind::Profile, Body::Profile(desired), now)
            .map(Some)
    }

    /// Our peering record as it stands (empty before the first `peer add`).
    pub fn own_peering(&self) -> Result<Peering, PublishError> {
        Ok(
            match self.get(&self.own_key(Kind::Peering, &RecordId::peering()))? {
                Some(record) => match &record.payload().body {
                    Some(Body::Peering(p)) => p.clone(),
                    _ => Peering::default(),
                },
                None => Peering::default(),
            },
        )
    }

    /// Publishes the next revision of our peering record as `change` makes it.
    pub fn change_peering(
        &mut self,
        change: impl FnOnce(&mut Peering),
        now: Timestamp,
    ) -> Result<Record, PublishError> {
        let mut peering = self.own_peering()?;
        change(&mut peering);
        self.publish_managed(Kind::Peering, Body::Peering(peering), now)
    }

    /// Publishes a record the node manages itself, valid for [`default_validity_ms`] and
    /// never for less than the revision it replaces.
    fn publish_managed(
        &mut self,
        kind: Kind,
        body: Body,
        now: Timestamp,
    ) -> Result<Record, PublishError> {
        let id = match kind {
            Kind::Profile => RecordId::profile(),
            _ => RecordId::peering(),
        };
        let previous = self.get(&self.own_key(kind, &id))?;
        let until = previous
            .as_ref()
            .map_or(now, |p| p.payload().valid_until)
            .max(now.plus_ms(default_validity_ms(kind)));
        let record = self.revise(previous.as_ref(), kind, id, body, until, now)?;
        self.commit_own(record, previous.map(|p| p.hash()))
    }

    fn commit_own(
        &mut self,
        record: Record,
        replaces: Option<RecordHash>,
    ) -> Result<Record, PublishError> {
        self.store_record(&record, replaces)?;
        // Durable before it is acknowledged; the search index commits at the next flush
        // (a tantivy commit per record would make an import ten times slower).
        if let Err(e) = self.store.flush() {
            return Err(self.store_failed(e).into());
        }
        self.counters.published += 1;
        Ok(record)
    }

    /// Renews our own profile, peering and organisation records that would expire within
    /// the configured margin, keeping their content. Vacancies are never renewed
    /// automatically: a stale vacancy must disappear.
    pub fn renew_own(&mut self, now: Timestamp) -> Result<Vec<Record>, PublishError> {
        let (me, margin) = (self.me, self.config.renew_before_ms);
        let due = self.keys_where(|k, m| {
            k.author == me
                && k.kind != Kind::Vacancy
                && !m.withdrawn
                && m.valid_until.0.saturating_sub(now.0) < margin
        });
        let validity = self.config.renew_validity_ms.min(MAX_VALIDITY_MS);
        let mut renewed = Vec::new();
        for key in due {
            let Some(current) = self.get(&key)? else {
                continue;
            };
            let Some(body) = current.payload().body.clone() else {
                continue;
            };
            let until = now.plus_ms(validity).max(current.payload().valid_until);
            renewed.push(self.publish(key.kind, key.id, body, until, now)?);
            self.counters.renewed += 1;
        }
        Ok(renewed)
    }

    /// Drops every record whose `valid_until` has passed, body and metadata.
    pub fn expire(&mut self, now: Timestamp) -> Result<Vec<RecordKey>, StoreError> {
        let expired = self.keys_where(|_, m| m.valid_until <= now);
        let peering_expired = expired.iter().any(|k| k.kind == Kind::Peering);
        for key in &expired {
            self.forget(key)?;
        }
        self.counters.purged_expired += expired.len() as u64;
        if peering_expired {
            self.recompute_trust()?;
        }
        Ok(expired)
    }

    /// Node PeerIds listed in the profiles of trusted steunpunten (other than ours).
    pub fn trusted_node_ids(&self) -> Vec<(SteunpuntId, String)> {
        let mut nodes = Vec::new();
        for (author, _) in self.trust.iter() {
            if let Ok(Some(profile)) = self.profile(*author) {
                nodes.extend(profile.nodes.iter().map(|n| (*author, n.clone())));
            }
        }
        nodes
    }

    /// Set-reconciliation items of the live records of `authors`.
    pub fn sync_items(&self, authors: &BTreeSet<SteunpuntId>, now: Timestamp) -> Vec<ShortHash> {
        self.index
            .iter()
            .filter(|(k, m)| authors.contains(&k.author) && m.valid_until > now)
            .map(|(_, m)| m.version.hash.short())
            .collect()
    }

    /// Takes short hashes from the front of `queue` and returns the envelopes we still
    /// hold for them, up to one page ([`MAX_PAGE_BYTES`]). Hashes we no longer hold are
    /// dropped; what does not fit stays in the queue. Takes at least one hash per call.
    pub fn take_page(&self, queue: &mut VecDeque<ShortHash>) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut page = Vec::new();
        let mut size = 0;
        while let Some(short) = queue.front().copied() {
            let mut found = Vec::new();
            for hash in self.by_hash.range(short.range()).map(|(h, _)| h) {
                if let Some(envelope) = self.store.get_by_hash(hash)? {
                    found.push(envelope);
                }
            }
            let len: usize = found.iter().map(|e| e.as_bytes().len()).sum();
            if !page.is_empty() && size + len > MAX_PAGE_BYTES {
                break;
            }
            queue.pop_front();
            size += len;
            page.extend(found.iter().map(|e| e.as_bytes().to_vec()));
        }
        Ok(page)
    }

    /// A digest of everything held: equal on two nodes exactly when they hold the same
    /// revisions of the same records.
    pub fn fingerprint(&self) -> RecordHash {
        let mut hasher = blake3::Hasher::new();
        for meta in self.index.values() {
            hasher.update(&meta.version.hash.0);
        }
        RecordHash(*hasher.finalize().as_bytes())
    }

    /// Makes every earlier write durable, then lets the observer commit (so the search
    /// index shows what was acknowledged).
    pub fn flush(&mut self) -> Result<(), StoreError> {
        if let Err(e) = self.store.flush() {
            return Err(self.store_failed(e));
        }
        self.flush_observer();
        Ok(())
    }

    /// Makes records that were withdrawn, expired, replaced or purged unreadable on disk:
    /// the observer (the search index) rewrites its files without them, then the store
    /// does. Only when the store says something may remain; the replicator calls it
    /// within the hour, and [`Engine::close`] at a clean stop.
    pub fn erase(&mut self) -> Result<(), StoreError> {
        if !self.store.erasure_due() {
            return Ok(());
        }
        self.flush()?;
        if let Some(observer) = &mut self.observer
            && !observer.erase()
        {
            return Ok(());
        }
        self.store.erase()
    }

    /// [`Engine::flush`] before a clean stop: the store also records its check, after
    /// anything removed was erased from disk.
    pub fn close(&mut self) -> Result<(), StoreError> {
        if let Err(e) = self.erase() {
            tracing::warn!(
                "erasing removed records from disk at the stop failed; it is tried again within \
                 half an hour of the next start: {e}"
            );
        }
        if let Err(e) = self.store.close() {
            return Err(self.store_failed(e));
        }
        self.flush_observer();
        Ok(())
    }

    /// Lets the observer commit, reading records through the engine where it must.
    fn flush_observer(&mut self) {
        if let Some(mut observer) = self.observer.take() {
            observer.flush(self);
            self.observer = Some(observer);
        }
    }

    /// Our own held payload for `key`, if any (for tests and the API).
    pub fn own_payload(&self, kind: Kind, id: &RecordId) -> Result<Option<Payload>, PublishError> {
        let key = self.own_key(kind, id);
        Ok(self.get(&key)?.map(|r| r.payload().clone()))
    }
}

/// Held records as search and the API read them: from an engine in tests and tools, from
/// the record keeper's handle in the daemon.
pub trait HeldRecords {
    /// One held record.
    fn record(&self, key: &RecordKey) -> Result<Option<Record>, PublishError>;
    /// Whom we trust.
    fn trust(&self) -> &TrustSet;
    /// `author`'s profile, if we hold it.
    fn profile(&self, author: SteunpuntId) -> Result<Option<Profile>, PublishError> {
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
    fn record(&self, key: &RecordKey) -> Result<Option<Record>, PublishError> {
        self.get(key)
    }
    fn trust(&self) -> &TrustSet {
        Engine::trust(self)
    }
}
