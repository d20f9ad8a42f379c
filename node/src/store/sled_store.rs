//! The sled implementation of [`Store`]: one tree, prefixed keys, atomic batches.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use steunpunt_protocol::{Envelope, Kind, RecordHash, RecordKey, SteunpuntId};

use super::check::{self, Ledger};
use super::{
    SCHEMA_VERSION, Store, StoreError, damaged, hash_key_bytes, kind_byte, record_key_bytes,
};

const SCHEMA_KEY: &[u8] = b"schema_version";
/// In the records tree, written in every batch: the number of batches applied so far.
const WRITES_KEY: &[u8] = b"w";
/// The check file is brought up to date at most this often while running (each time
/// costs a synced write), and always at a clean stop.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Records in a sled database. Clones share the database: the engine's owner writes,
/// API readers read concurrently (sled gives each read a consistent view of its key).
#[derive(Clone)]
pub struct SledStore {
    db: sled::Db,
    records: sled::Tree,
    check: Arc<Mutex<CheckState>>,
}

struct CheckState {
    path: PathBuf,
    ledger: Ledger,
    /// `ledger.writes` when the check file was last written, and when.
    recorded: (u64, Option<Instant>),
}

fn engine(e: sled::Error) -> StoreError {
    match e {
        sled::Error::Corruption { .. } => StoreError::Corrupt(e.to_string()),
        other => StoreError::Engine(other.to_string()),
    }
}

impl SledStore {
    /// Opens (or creates) the store in `dir`, checking the schema version and that the
    /// store holds everything its check (`dir.check`) recorded.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
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
        let records = db.open_tree("records").map_err(engine)?;
        let ledger = Self::count(&records)?;
        let path = check::path_of(dir);
        let current = check::compare(&path, &ledger)?;
        let store = Self {
            db,
            records,
            check: Arc::new(Mutex::new(CheckState {
                path,
                recorded: (ledger.writes, None),
                ledger,
            })),
        };
        if !current {
            store.record_check(true)?;
        }
        Ok(store)
    }

    /// Reads the ledger off the hash index: every entry names a held record's hash and
    /// (in its value) the record's key, so no envelope is decoded.
    fn count(records: &sled::Tree) -> Result<Ledger, StoreError> {
        let mut ledger = Ledger {
            writes: match records.get(WRITES_KEY).map_err(engine)? {
                None => 0,
                Some(bytes) => <[u8; 8]>::try_from(bytes.as_ref())
                    .map(u64::from_be_bytes)
                    .map_err(|_| damaged(WRITES_KEY, "write count is not 8 bytes"))?,
            },
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

    fn state(&self) -> MutexGuard<'_, CheckState> {
        // Only the engine's owner writes; a panic elsewhere leaves the ledger usable.
        self.check.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Brings the check file up to date after a flush (throttled unless `now`).
    fn record_check(&self, now: bool) -> Result<(), StoreError> {
        let mut state = self.state();
        let (writes, at) = state.recorded;
        let due = now || at.is_none_or(|at| at.elapsed() >= CHECK_EVERY);
        if writes == state.ledger.writes && at.is_some() || !due {
            return Ok(());
        }
        check::record(&state.path, &state.ledger)?;
        state.recorded = (state.ledger.writes, Some(Instant::now()));
        Ok(())
    }

    /// The hash of the record held under `record_key`, if any.
    fn held_hash(&self, record_key: &[u8]) -> Result<Option<RecordHash>, StoreError> {
        self.records
            .get(record_key)
            .map_err(engine)?
            .map(|bytes| {
                Envelope::from_bytes(bytes.as_ref())
                    .map(|e| e.hash())
                    .map_err(|e| damaged(record_key, e))
            })
            .transpose()
    }

    /// Applies `batch` as the next write, then lets `then` update the ledger.
    fn apply(
        &self,
        mut batch: sled::Batch,
        then: impl FnOnce(&mut Ledger),
    ) -> Result<(), StoreError> {
        let mut state = self.state();
        let writes = state.ledger.writes + 1;
        batch.insert(WRITES_KEY, &writes.to_be_bytes());
        self.records.apply_batch(batch).map_err(engine)?;
        state.ledger.writes = writes;
        then(&mut state.ledger);
        Ok(())
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
                .open()
            {
                Ok(db) => return Ok(db),
                Err(sled::Error::Io(io)) if io.to_string().contains("could not acquire lock") => {
                    if attempt == ATTEMPTS {
                        return Err(StoreError::InUse(dir.display().to_string()));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(other) => return Err(engine(other)),
            }
        }
        Err(StoreError::InUse(dir.display().to_string()))
    }

    #[cfg(test)]
    pub(crate) fn set_schema_version_for_test(&self, version: u32) -> Result<(), StoreError> {
        self.db
            .insert(SCHEMA_KEY, &version.to_be_bytes())
            .map_err(engine)?;
        self.db.flush().map(|_| ()).map_err(engine)
    }

    /// The envelope held under `key`, if any.
    pub fn get(&self, key: &RecordKey) -> Result<Option<Envelope>, StoreError> {
        let record_key = record_key_bytes(key);
        self.records
            .get(&record_key)
            .map_err(engine)?
            .map(|bytes| Envelope::from_bytes(bytes.as_ref()).map_err(|e| damaged(&record_key, e)))
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
        self.records
            .scan_prefix(prefix)
            .filter_map(move |entry| match entry {
                Err(e) => Some(Err(engine(e))),
                Ok((key, value)) => (key.get(33) == Some(&wanted))
                    .then(|| Envelope::from_bytes(value.as_ref()).map_err(|e| damaged(&key, e))),
            })
    }

    /// Bytes the database occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db.size_on_disk().map_err(engine)
    }
}

impl Store for SledStore {
    fn load_all(&self) -> Result<Vec<Envelope>, StoreError> {
        self.records
            .scan_prefix(b"r")
            .map(|entry| {
                let (key, value) = entry.map_err(engine)?;
                Envelope::from_bytes(value.as_ref()).map_err(|e| damaged(&key, e))
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
        let mut batch = sled::Batch::default();
        if let Some(old) = &replaces {
            batch.remove(hash_key_bytes(old));
        }
        batch.insert(hash_key_bytes(&hash), record_key.clone());
        batch.insert(record_key, envelope.as_bytes());
        let (author, kind) = (*key.author.as_bytes(), kind_byte(key.kind));
        self.apply(batch, |ledger| {
            if let Some(old) = &replaces {
                ledger.remove(author, kind, old);
            }
            ledger.add(author, kind, &hash);
        })
    }

    fn remove(&self, key: &RecordKey, hash: &RecordHash) -> Result<(), StoreError> {
        if !self
            .records
            .contains_key(hash_key_bytes(hash))
            .map_err(engine)?
        {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        batch.remove(hash_key_bytes(hash));
        batch.remove(record_key_bytes(key));
        let (author, kind) = (*key.author.as_bytes(), kind_byte(key.kind));
        self.apply(batch, |ledger| ledger.remove(author, kind, hash))
    }

    fn get_by_hash(&self, hash: &RecordHash) -> Result<Option<Envelope>, StoreError> {
        let Some(record_key) = self.records.get(hash_key_bytes(hash)).map_err(engine)? else {
            return Ok(None);
        };
        let Some(bytes) = self.records.get(&record_key).map_err(engine)? else {
            return Ok(None);
        };
        let envelope = Envelope::from_bytes(bytes.as_ref()).map_err(|e| damaged(&record_key, e))?;
        Ok((envelope.hash() == *hash).then_some(envelope))
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(engine)?;
        self.record_check(false)
    }

    fn close(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(engine)?;
        self.record_check(true)
    }
}

/// The author and kind byte of a record key (`r` ‖ author ‖ kind ‖ id).
fn split_record_key(key: &[u8]) -> Option<([u8; 32], u8)> {
    let author = <[u8; 32]>::try_from(key.get(1..33)?).ok()?;
    Some((author, *key.get(33)?))
}
