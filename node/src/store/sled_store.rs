//! The sled implementation of [`Store`]: one tree, prefixed keys, atomic batches.
//!
//! A write that fails inside sled (the disk filled up under it) poisons sled: it refuses
//! every later write and shows the failed one to readers, although it is not on disk.
//! So every write keeps the value each key had at the last successful flush; after a
//! failure, reads see those values over sled's (what is on disk), writes wait, and at
//! the first write once there is room again the database is opened afresh.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use sled::IVec;
use steunpunt_protocol::{Envelope, Kind, RecordHash, RecordKey, SteunpuntId};

use super::check::{self, Ledger};
use super::erase;
use super::{
    SCHEMA_VERSION, Store, StoreError, damaged, hash_key_bytes, kind_byte, record_key_bytes,
};

const SCHEMA_KEY: &[u8] = b"schema_version";
/// The one tree that holds the records and their hash index.
const RECORDS_TREE: &str = "records";
/// In the records tree, written in every batch: the number of batches applied so far.
const WRITES_KEY: &[u8] = b"w";
/// The check file is brought up to date at most this often while running (each time
/// costs a synced write), and always at a clean stop.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// Free bytes below which writes are refused before they reach sled, unless configured.
pub const DEFAULT_RESERVE_BYTES: u64 = 32 * 1024 * 1024;
/// Free space needed, whatever the reserve, before a failed database is opened again.
const REOPEN_ROOM_BYTES: u64 = 1024 * 1024;

/// Memory for sled's cache of decoded pages. Its default, 1 GiB, fills at every start
/// (the engine reads each record once): 0.6 of a node's 2.8 GB at a million records.
/// The files stay in the operating system's cache either way.
const CACHE_BYTES: u64 = 128 << 20;

/// Records in a sled database. Clones share the database: the engine's owner writes,
/// API readers read concurrently (sled gives each read a consistent view of its key).
#[derive(Clone)]
pub struct SledStore {
    shared: Arc<Shared>,
}

struct Shared {
    dir: PathBuf,
    /// Writes are refused while the disk has less free space than this, so that sled
    /// rarely meets a full disk in the middle of a write.
    reserve: u64,
    /// `None` only if opening again after a failure failed too.
    open: RwLock<Option<Open>>,
    /// A write or flush failed inside sled: reads show `undo.before` over sled. Read
    /// without a lock, as every read asks.
    failed: AtomicBool,
    undo: Mutex<Undo>,
    check: Mutex<CheckState>,
    /// Something removed or replaced may still be on disk (`erase::mark`).
    marked: AtomicBool,
}

#[derive(Clone)]
struct Open {
    db: sled::Db,
    records: sled::Tree,
    /// sled's log file, to sync: sled's own flush on Linux is `sync_file_range`, which
    /// neither empties the disk's cache nor writes the file's size, so a power cut could
    /// still lose what it flushed.
    log: Arc<std::fs::File>,
}

/// What the written keys held at the last successful flush.
#[derive(Default)]
struct Undo {
    before: BTreeMap<Vec<u8>, Option<IVec>>,
    /// The engine has not yet been told that the store's contents went back.
    tell: bool,
    /// What the failed write met: a full disk, or another error.
    full: bool,
}

struct CheckState {
    path: PathBuf,
    /// Whether the ledger holds every record: only once the loaded records were checked
    /// ([`Store::check_loaded`]) is it written to the check file.
    complete: bool,
    ledger: Ledger,
    /// `ledger.writes` when the check file was last written, and when.
    recorded: (u64, Option<Instant>),
    /// The check file could not be written (disk full): said once, not at every flush.
    failing: bool,
}

/// One change of a batch: a key and its new value, or its removal.
type Change = (Vec<u8>, Option<Vec<u8>>);

pub(crate) fn engine(e: sled::Error) -> StoreError {
    match e {
        sled::Error::Corruption { .. } => StoreError::Corrupt(e.to_string()),
        sled::Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => StoreError::DiskFull,
        other => StoreError::Engine(other.to_string()),
    }
}

fn relock<T>(result: Result<T, PoisonError<T>>) -> T {
    // Only the engine's owner writes; a panic elsewhere leaves the state usable.
    result.unwrap_or_else(PoisonError::into_inner)
}

impl SledStore {
    /// Opens (or creates) the store in `dir`, checking the schema version. Whether it
    /// holds everything its check (`dir.check`) recorded is checked once its records are
    /// loaded ([`Store::check_loaded`]).
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with_reserve(dir, DEFAULT_RESERVE_BYTES)
    }

    /// [`SledStore::open`], refusing writes while fewer than `reserve` bytes are free.
    pub fn open_with_reserve(dir: &Path, reserve: u64) -> Result<Self, StoreError> {
        erase::recover(dir)?;
        let open = Self::open_parts(dir)?;
        let writes = Self::writes(&open.records)?;
        Ok(Self {
            shared: Arc::new(Shared {
                dir: dir.to_owned(),
                reserve,
                open: RwLock::new(Some(open)),
                failed: AtomicBool::new(false),
                undo: Mutex::new(Undo::default()),
                check: Mutex::new(CheckState {
                    path: check::path_of(dir),
                    complete: false,
                    recorded: (writes, None),
                    ledger: Ledger {
                        writes,
                        ..Ledger::default()
                    },
                    failing: false,
                }),
                marked: AtomicBool::new(erase::marked(dir)),
            }),
        })
    }

    /// Marks the store before a write that removes or replaces a record.
    fn mark_for_erasure(&self) -> Result<(), StoreError> {
        if !self.shared.marked.load(Ordering::Acquire) {
            erase::mark(&self.shared.dir)?;
            self.shared.marked.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// The write counter as stored.
    fn writes(records: &sled::Tree) -> Result<u64, StoreError> {
        match records.get(WRITES_KEY).map_err(engine)? {
            None => Ok(0),
            Some(bytes) => <[u8; 8]>::try_from(bytes.as_ref())
                .map(u64::from_be_bytes)
                .map_err(|_| damaged(WRITES_KEY, "write count is not 8 bytes")),
        }
    }

    fn open_parts(dir: &Path) -> Result<Open, StoreError> {
        let db = Self::open_db(dir)?;
        match db.get(SCHEMA_KEY).map_err(engine)? {
            None => {
                db.insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes())
                    .map_err(engine)?;
                db.flush().map_err(engine)?;
            }
            Some(found) => {
                let found = <[u8; 4]>::try_from(found.as_ref())
                    .map(u32::from_be_bytes)
                    .map_err(|_| damaged(SCHEMA_KEY, "schema version is not 4 bytes"))?;
                if found != SCHEMA_VERSION {
                    return Err(StoreError::UnknownSchema { found });
                }
            }
        }
        let records = db.open_tree(RECORDS_TREE).map_err(engine)?;
        let log = std::fs::File::open(dir.join("db")).map_err(|e| {
            StoreError::Engine(format!("cannot open {}: {e}", dir.join("db").display()))
        })?;
        Ok(Open {
            db,
            records,
            log: Arc::new(log),
        })
    }

    /// Opens the database. A store dropped a moment ago in this process may still hold its
    /// file lock while sled's background thread finishes, so a busy lock is retried for a
    /// short while before it is reported as another steunpuntd.
    fn open_db(dir: &Path) -> Result<sled::Db, StoreError> {
        const ATTEMPTS: u32 = 40;
        for attempt in 1..=ATTEMPTS {
            match sled::Config::new()
                .path(dir)
                .mode(sled::Mode::HighThroughput)
                .cache_capacity(CACHE_BYTES)
                .open()
            {
                Ok(db) => return Ok(db),
                Err(sled::Error::Io(io)) if io.to_string().contains("could not acquire lock") => {
                    if attempt == ATTEMPTS {
                        return Err(StoreError::InUse(dir.display().to_string()));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(other) => return Err(engine(other)),
            }
        }
        Err(StoreError::InUse(dir.display().to_string()))
    }

    /// Reads the ledger off the hash index (after a failed write opened the store again):
    /// every entry names a held record's hash and (in its value) the record's key, so no
    /// envelope is decoded.
    fn count(records: &sled::Tree) -> Result<Ledger, StoreError> {
        let mut ledger = Ledger {
            writes: Self::writes(records)?,
            ..Ledger::default()
        };
        for entry in records.scan_prefix(b"h") {
            let (key, value) = entry.map_err(engine)?;
            let (Ok(hash), Some((author, kind))) = (
                <[u8; 32]>::try_from(&key[1..]),
                split_record_key(value.as_ref()),
            ) else {
                return Err(damaged(&key, "not a hash index entry"));
            };
            ledger.add(author, kind, &RecordHash(hash));
        }
        Ok(ledger)
    }

    #[cfg(test)]
    pub(crate) fn set_schema_version_for_test(&self, version: u32) -> Result<(), StoreError> {
        let open = self.handles()?;
        open.db
            .insert(SCHEMA_KEY, &version.to_be_bytes())
            .map_err(engine)?;
        open.db.flush().map(|_| ()).map_err(engine)
    }

    /// The open database, or why there is none.
    fn handles(&self) -> Result<Open, StoreError> {
        relock(self.shared.open.read())
            .clone()
            .ok_or(StoreError::Closed)
    }

    fn undo(&self) -> MutexGuard<'_, Undo> {
        relock(self.shared.undo.lock())
    }

    fn state(&self) -> MutexGuard<'_, CheckState> {
        relock(self.shared.check.lock())
    }

    /// The value under `key` as it is on disk.
    fn read(&self, key: &[u8]) -> Result<Option<IVec>, StoreError> {
        if self.shared.failed.load(Ordering::Acquire)
            && let Some(before) = self.undo().before.get(key)
        {
            return Ok(before.clone());
        }
        self.handles()?.records.get(key).map_err(engine)
    }

    /// Every entry under `prefix`, in key order, as on disk: lazily from sled, or after a
    /// failed write with the undone values laid over it.
    fn read_prefix(
        &self,
        prefix: Vec<u8>,
    ) -> Box<dyn Iterator<Item = Result<(IVec, IVec), StoreError>> + Send> {
        let open = match self.handles() {
            Ok(open) => open,
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        let entries = open.records.scan_prefix(&prefix).map(|e| e.map_err(engine));
        if !self.shared.failed.load(Ordering::Acquire) {
            return Box::new(entries);
        }
        let mut view = BTreeMap::new();
        for entry in entries {
            match entry {
                Ok((key, value)) => {
                    view.insert(key, value);
                }
                Err(e) => return Box::new(std::iter::once(Err(e))),
            }
        }
        for (key, before) in self.undo().before.range(prefix.clone()..) {
            if !key.starts_with(&prefix) {
                break;
            }
            match before {
                Some(value) => view.insert(IVec::from(key.as_slice()), value.clone()),
                None => view.remove(key.as_slice()),
            };
        }
        Box::new(view.into_iter().map(Ok))
    }

    /// Brings the check file up to date after a flush (throttled unless `now`). A check
    /// that cannot be written only falls behind, which the next start accepts: it never
    /// fails the write it follows.
    fn record_check(&self, now: bool) {
        let mut state = self.state();
        let (writes, at) = state.recorded;
        let due = now || at.is_none_or(|at| at.elapsed() >= CHECK_EVERY);
        if !state.complete || writes == state.ledger.writes && at.is_some() || !due {
            return;
        }
        match check::record(&state.path, &state.ledger) {
            Ok(()) => {
                state.recorded = (state.ledger.writes, Some(Instant::now()));
                state.failing = false;
            }
            Err(e) if !state.failing => {
                tracing::warn!("cannot bring the store's check up to date: {e}");
                state.failing = true;
            }
            Err(_) => {}
        }
    }

    /// The hash of the record held under `record_key`, if any.
    fn held_hash(&self, record_key: &[u8]) -> Result<Option<RecordHash>, StoreError> {
        self.read(record_key)?
            .map(|bytes| {
                Envelope::from_stored(bytes.as_ref())
                    .map(|e| e.hash())
                    .map_err(|e| damaged(record_key, e))
            })
            .transpose()
    }

    /// Before a write: after a failure, open the database again once there is room.
    fn ready_to_write(&self) -> Result<(), StoreError> {
        let free = fs2::available_space(&self.shared.dir).ok();
        if self.shared.failed.load(Ordering::Acquire) {
            if free.is_some_and(|f| f < self.shared.reserve.max(REOPEN_ROOM_BYTES)) {
                return Err(StoreError::DiskFull);
            }
            self.reopen()?;
        }
        match free {
            Some(free) if free < self.shared.reserve => Err(StoreError::DiskFull),
            _ => Ok(()),
        }
    }

    /// Replaces a database that failed a write by a freshly opened one, which holds what
    /// is on disk: exactly what reads showed since the failure.
    fn reopen(&self) -> Result<(), StoreError> {
        let mut slot = relock(self.shared.open.write());
        // The old database must be gone (its file lock released) before it opens again.
        drop(slot.take());
        let open = Self::open_parts(&self.shared.dir)?;
        let ledger = Self::count(&open.records)?;
        *slot = Some(open);
        *self.undo() = Undo::default();
        self.shared.failed.store(false, Ordering::Release);
        self.state().ledger = ledger;
        tracing::info!("the store was opened again after a failed write");
        Ok(())
    }

    /// A write or flush failed inside sled.
    fn failed(&self, e: sled::Error) -> StoreError {
        let error = engine(e);
        let mut undo = self.undo();
        if !self.shared.failed.swap(true, Ordering::AcqRel) {
            undo.tell = true;
            undo.full = matches!(error, StoreError::DiskFull);
        }
        error
    }

    /// Applies `changes` as one atomic write, then lets `then` update the ledger.
    fn apply(
        &self,
        changes: Vec<Change>,
        then: impl FnOnce(&mut Ledger),
    ) -> Result<(), StoreError> {
        self.ready_to_write()?;
        let open = self.handles()?;
        let mut state = self.state();
        let writes = state.ledger.writes + 1;
        let mut batch = sled::Batch::default();
        {
            let mut undo = self.undo();
            for (key, value) in changes {
                if !undo.before.contains_key(&key) {
                    let before = open.records.get(&key).map_err(engine)?;
                    undo.before.insert(key.clone(), before);
                }
                match value {
                    Some(value) => batch.insert(key, value),
                    None => batch.remove(key),
                }
            }
        }
        // Not kept in `undo`: only opening the store reads the counter, from sled itself.
        batch.insert(WRITES_KEY, &writes.to_be_bytes());
        open.records
            .apply_batch(batch)
            .map_err(|e| self.failed(e))?;
        state.ledger.writes = writes;
        then(&mut state.ledger);
        Ok(())
    }

    /// Flushes sled; on success the undo values are no longer needed.
    fn flush_db(&self) -> Result<(), StoreError> {
        if self.shared.failed.load(Ordering::Acquire) {
            // Nothing can be flushed until the next write opens the store again.
            return Err(if self.undo().full {
                StoreError::DiskFull
            } else {
                StoreError::Closed
            });
        }
        let open = self.handles()?;
        open.db.flush().map_err(|e| self.failed(e))?;
        open.log
            .sync_data()
            .map_err(|e| self.failed(sled::Error::Io(e)))?;
        self.undo().before.clear();
        Ok(())
    }

    /// The envelope held under `key`, if any.
    pub fn get(&self, key: &RecordKey) -> Result<Option<Envelope>, StoreError> {
        let record_key = record_key_bytes(key);
        self.read(&record_key)?
            .map(|bytes| Envelope::from_stored(bytes.as_ref()).map_err(|e| damaged(&record_key, e)))
            .transpose()
    }

    /// The record held under `key`, if any: read beside the engine's owner, as the API's
    /// handlers do while it keeps writing.
    pub fn record(
        &self,
        key: &RecordKey,
    ) -> Result<Option<steunpunt_protocol::Record>, StoreError> {
        self.get(key)?
            .map(|e| {
                e.decode_stored()
                    .map_err(|e| damaged(&record_key_bytes(key), e))
            })
            .transpose()
    }

    /// Every held envelope of `kind` (of one author when given), in key order, read
    /// lazily so a long listing holds nothing up.
    pub fn scan(
        &self,
        kind: Kind,
        author: Option<&SteunpuntId>,
    ) -> impl Iterator<Item = Result<Envelope, StoreError>> + use<> {
        let mut prefix = vec![b'r'];
        if let Some(author) = author {
            prefix.extend_from_slice(author.as_bytes());
            prefix.push(kind_byte(kind));
        }
        let wanted = kind_byte(kind);
        self.read_prefix(prefix)
            .filter_map(move |entry| match entry {
                Err(e) => Some(Err(e)),
                Ok((key, value)) => (key.get(33) == Some(&wanted))
                    .then(|| Envelope::from_stored(value.as_ref()).map_err(|e| damaged(&key, e))),
            })
    }

    /// Bytes the database occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.handles()?.db.size_on_disk().map_err(engine)
    }
}

impl Store for SledStore {
    fn load_all(&self) -> Result<Vec<Envelope>, StoreError> {
        self.read_prefix(b"r".to_vec())
            .map(|entry| {
                let (key, value) = entry?;
                Envelope::from_stored(value.as_ref()).map_err(|e| damaged(&key, e))
            })
            .collect()
    }

    fn put(
        &self,
        key: &RecordKey,
        envelope: &Envelope,
        replaces: Option<&RecordHash>,
    ) -> Result<(), StoreError> {
        let record_key = record_key_bytes(key);
        let replaces = match replaces {
            Some(old) => Some(*old),
            None => self.held_hash(&record_key)?,
        };
        let hash = envelope.hash();
        let mut changes: Vec<Change> = Vec::with_capacity(3);
        if let Some(old) = &replaces {
            self.mark_for_erasure()?;
            changes.push((hash_key_bytes(old), None));
        }
        changes.push((hash_key_bytes(&hash), Some(record_key.clone())));
        changes.push((record_key, Some(envelope.as_bytes().to_vec())));
        let (author, kind) = (*key.author.as_bytes(), kind_byte(key.kind));
        self.apply(changes, |ledger| {
            if let Some(old) = &replaces {
                ledger.remove(author, kind, old);
            }
            ledger.add(author, kind, &hash);
        })
    }

    fn remove(&self, key: &RecordKey, hash: &RecordHash) -> Result<(), StoreError> {
        if self.read(&hash_key_bytes(hash))?.is_none() {
            return Ok(());
        }
        self.mark_for_erasure()?;
        let changes = vec![(hash_key_bytes(hash), None), (record_key_bytes(key), None)];
        let (author, kind) = (*key.author.as_bytes(), kind_byte(key.kind));
        self.apply(changes, |ledger| ledger.remove(author, kind, hash))
    }

    fn get_by_hash(&self, hash: &RecordHash) -> Result<Option<Envelope>, StoreError> {
        let Some(record_key) = self.read(&hash_key_bytes(hash))? else {
            return Ok(None);
        };
        let Some(bytes) = self.read(&record_key)? else {
            return Ok(None);
        };
        let envelope =
            Envelope::from_stored(bytes.as_ref()).map_err(|e| damaged(&record_key, e))?;
        Ok((envelope.hash() == *hash).then_some(envelope))
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.flush_db()?;
        self.record_check(false);
        Ok(())
    }

    fn close(&self) -> Result<(), StoreError> {
        self.flush_db()?;
        self.record_check(true);
        Ok(())
    }

    fn erasure_due(&self) -> bool {
        self.shared.marked.load(Ordering::Acquire)
    }

    fn erase(&self) -> Result<(), StoreError> {
        if !self.erasure_due() {
            return Ok(());
        }
        self.flush_db()?;
        let dir = &self.shared.dir;
        // The copy needs room for a second database beside the first.
        let needed = self.size_on_disk()?.saturating_add(self.shared.reserve);
        if fs2::available_space(dir).is_ok_and(|free| free < needed) {
            return Err(StoreError::DiskFull);
        }
        let open = self.handles()?;
        erase::copy(
            &open.db,
            (RECORDS_TREE, &open.records),
            SCHEMA_KEY,
            dir,
            Self::open_db,
        )?;
        drop(open);
        // Readers wait for the new database rather than find none.
        let mut slot = relock(self.shared.open.write());
        drop(slot.take());
        let placed = erase::replace(dir);
        if placed.is_err() {
            // Put a whole database back in place: the copy if it was complete, else the
            // old one.
            let _ = erase::recover(dir);
        }
        *slot = Some(Self::open_parts(dir)?);
        placed?;
        drop(slot);
        erase::unmark(dir)?;
        self.shared.marked.store(false, Ordering::Release);
        Ok(())
    }

    fn check_loaded(
        &self,
        held: &mut dyn Iterator<Item = (&RecordKey, &RecordHash)>,
    ) -> Result<(), StoreError> {
        let current = {
            let mut state = self.state();
            let mut ledger = Ledger {
                writes: state.ledger.writes,
                ..Ledger::default()
            };
            for (key, hash) in held {
                ledger.add(*key.author.as_bytes(), kind_byte(key.kind), hash);
            }
            let current = check::compare(&state.path, &ledger)?;
            state.ledger = ledger;
            state.complete = true;
            current
        };
        if !current {
            self.record_check(true);
        }
        Ok(())
    }

    /// Tells, once per failure, that reads now show what is on disk rather than what
    /// was written.
    fn recover(&self) -> Result<bool, StoreError> {
        Ok(std::mem::take(&mut self.undo().tell))
    }
}

/// The author and kind byte of a record key (`r` ‖ author ‖ kind ‖ id).
fn split_record_key(key: &[u8]) -> Option<([u8; 32], u8)> {
    let author = <[u8; 32]>::try_from(key.get(1..33)?).ok()?;
    Some((author, *key.get(33)?))
}
