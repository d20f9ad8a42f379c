//! The sled implementation of [`Store`]: one tree, prefixed keys, atomic batches.

use std::path::Path;

use steunpunt_protocol::{Envelope, Kind, RecordHash, RecordKey, SteunpuntId};

use super::{
    SCHEMA_VERSION, Store, StoreError, damaged, hash_key_bytes, kind_byte, record_key_bytes,
};

const SCHEMA_KEY: &[u8] = b"schema_version";

/// Records in a sled database. Clones share the database: the engine's owner writes,
/// API readers read concurrently (sled gives each read a consistent view of its key).
#[derive(Clone)]
pub struct SledStore {
    db: sled::Db,
    records: sled::Tree,
}

fn engine(e: sled::Error) -> StoreError {
    StoreError::Engine(e.to_string())
}

impl SledStore {
    /// Opens (or creates) the store in `dir`, checking the schema version.
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
        Ok(Self { db, records })
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
        let mut batch = sled::Batch::default();
        if let Some(old) = replaces {
            batch.remove(hash_key_bytes(old));
        }
        batch.insert(hash_key_bytes(&envelope.hash()), record_key.clone());
        batch.insert(record_key, envelope.as_bytes());
        self.records.apply_batch(batch).map_err(engine)
    }

    fn remove(&self, key: &RecordKey, hash: &RecordHash) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        batch.remove(hash_key_bytes(hash));
        batch.remove(record_key_bytes(key));
        self.records.apply_batch(batch).map_err(engine)
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
        self.db.flush().map(|_| ()).map_err(engine)
    }
}
