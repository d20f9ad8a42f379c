//! Durable storage of records behind a small trait, so the engine can run on sled in the
//! daemon and on an in-memory store (with the same durability rules) in simulations.
//!
//! Records are stored as their exact envelope bytes, keyed by (author, kind, id), with an
//! index by hash. A write replaces the old revision and its hash entry atomically.

mod check;
mod erase;
mod memory;
mod sled_store;

pub use check::{Missing, Shrinkage};
pub use memory::MemoryStore;
pub use sled_store::{DEFAULT_RESERVE_BYTES, SledStore};

use steunpunt_protocol::{Envelope, Kind, RecordHash, RecordKey};

/// Version of the on-disk layout; a data directory with another version is refused.
pub const SCHEMA_VERSION: u32 = 1;

/// Why storage failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage engine failed (disk full, IO error, corruption).
    #[error("storage failed: {0}")]
    Engine(String),
    /// Another process (a running steunpuntd) has the store open.
    #[error("the data directory {0} is in use by another steunpuntd; stop that one first")]
    InUse(String),
    /// The data directory was written by another version of this software.
    #[error(
        "the data directory uses storage format {found}, but this steunpuntd understands format {SCHEMA_VERSION}; use a matching steunpuntd version or restore a backup"
    )]
    UnknownSchema {
        /// The version found on disk.
        found: u32,
    },
    /// The store holds less than its check recorded at the last stop: part of it was
    /// lost (a truncated or overwritten file, an older copy).
    #[error("the store is damaged: {0}")]
    Shrunk(Box<Shrinkage>),
    /// The disk is (nearly) full: nothing was stored.
    #[error(
        "the disk holding the data directory is full; nothing was stored. Writing works again as soon as there is free space, without a restart"
    )]
    DiskFull,
    /// A failed write closed the store and it could not be opened again yet.
    #[error("the store is closed after a failed write and opens again at the next write")]
    Closed,
    /// The storage engine found damage in its own files.
    #[error("the store is damaged: {0}")]
    Corrupt(String),
    /// The check kept beside the store cannot be read.
    #[error("the store's check {path} cannot be read ({reason})")]
    CheckUnreadable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Stored bytes are not a record; the store is damaged.
    #[error("stored record {key} is damaged: {reason}")]
    Damaged {
        /// Which entry.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

/// Storage of the records a node holds.
pub trait Store: Send + 'static {
    /// Every stored envelope, in key order (to rebuild in-memory state at start).
    fn load_all(&self) -> Result<Vec<Envelope>, StoreError>;
    /// Stores `envelope` under `key`, replacing the revision with hash `replaces`.
    fn put(
        &self,
        key: &RecordKey,
        envelope: &Envelope,
        replaces: Option<&RecordHash>,
    ) -> Result<(), StoreError>;
    /// Removes the record under `key` whose envelope has `hash`.
    fn remove(&self, key: &RecordKey, hash: &RecordHash) -> Result<(), StoreError>;
    /// The envelope with this hash.
    fn get_by_hash(&self, hash: &RecordHash) -> Result<Option<Envelope>, StoreError>;
    /// Makes every earlier write durable; returns only once it is on disk.
    fn flush(&self) -> Result<(), StoreError>;
    /// Flushes before a clean stop, leaving everything as the next start expects.
    fn close(&self) -> Result<(), StoreError> {
        self.flush()
    }
    /// Told, once after opening, the key and hash of every record [`Store::load_all`]
    /// gave: a store that keeps its own check compares it with them (one pass over the
    /// records at start, not two).
    fn check_loaded(
        &self,
        held: &mut dyn Iterator<Item = (&RecordKey, &RecordHash)>,
    ) -> Result<(), StoreError> {
        let _ = held;
        Ok(())
    }
    /// Whether a removed or replaced record may still be readable on disk.
    fn erasure_due(&self) -> bool {
        false
    }
    /// Rewrites the store so that nothing removed or replaced remains on disk.
    fn erase(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// After a failed write: brings the store back to what is on disk. `Ok(true)` when
    /// its contents may differ from what was written to it (the caller re-reads them).
    fn recover(&self) -> Result<bool, StoreError> {
        Ok(false)
    }
}

/// A shared store, so a simulation can keep the "disk" when a node's engine crashes.
impl<T: Store + Sync> Store for std::sync::Arc<T> {
    fn load_all(&self) -> Result<Vec<Envelope>, StoreError> {
        (**self).load_all()
    }
    fn put(
        &self,
        key: &RecordKey,
        envelope: &Envelope,
        replaces: Option<&RecordHash>,
    ) -> Result<(), StoreError> {
        (**self).put(key, envelope, replaces)
    }
    fn remove(&self, key: &RecordKey, hash: &RecordHash) -> Result<(), StoreError> {
        (**self).remove(key, hash)
    }
    fn get_by_hash(&self, hash: &RecordHash) -> Result<Option<Envelope>, StoreError> {
        (**self).get_by_hash(hash)
    }
    fn flush(&self) -> Result<(), StoreError> {
        (**self).flush()
    }
    fn close(&self) -> Result<(), StoreError> {
        (**self).close()
    }
    fn check_loaded(
        &self,
        held: &mut dyn Iterator<Item = (&RecordKey, &RecordHash)>,
    ) -> Result<(), StoreError> {
        (**self).check_loaded(held)
    }
    fn recover(&self) -> Result<bool, StoreError> {
        (**self).recover()
    }
    fn erasure_due(&self) -> bool {
        (**self).erasure_due()
    }
    fn erase(&self) -> Result<(), StoreError> {
        (**self).erase()
    }
}

pub(crate) fn kind_byte(kind: Kind) -> u8 {
    match kind {
        Kind::Profile => 1,
        Kind::Peering => 2,
        Kind::Organisation => 3,
        Kind::Vacancy => 4,
    }
}

/// `r` ‖ author ‖ kind ‖ id: the key of a record's envelope.
pub(crate) fn record_key_bytes(key: &RecordKey) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1 + 32 + 1 + key.id.as_str().len());
    bytes.push(b'r');
    bytes.extend_from_slice(key.author.as_bytes());
    bytes.push(kind_byte(key.kind));
    bytes.extend_from_slice(key.id.as_str().as_bytes());
    bytes
}

/// `h` ‖ hash: the hash index entry, whose value is the record key.
pub(crate) fn hash_key_bytes(hash: &RecordHash) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(33);
    bytes.push(b'h');
    bytes.extend_from_slice(&hash.0);
    bytes
}

pub(crate) fn damaged(key: &[u8], reason: impl ToString) -> StoreError {
    StoreError::Damaged {
        key: data_encoding::HEXLOWER.encode(key),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steunpunt_protocol::testing::{T0, in_30_days, key, vacancy};
    use steunpunt_protocol::{Body, RecordId, Revision, author};

    fn record(id: &str, title: &str) -> steunpunt_protocol::Record {
        let mut v = vacancy();
        v.title = title.into();
        author(
            &key(1),
            None,
            Revision {
                kind: Kind::Vacancy,
                id: RecordId::new(id).unwrap(),
                body: Some(Body::Vacancy(v)),
                valid_until: in_30_days(),
            },
            T0,
        )
        .unwrap()
    }

    fn exercise(store: &dyn Store) {
        let a = record("a", "eerste");
        let a2 = record("a", "tweede");
        let b = record("b", "derde");
        store.put(&a.key(), a.envelope(), None).unwrap();
        store.put(&b.key(), b.envelope(), None).unwrap();
        assert_eq!(
            store.get_by_hash(&a.hash()).unwrap().as_ref(),
            Some(a.envelope())
        );
        store
            .put(&a2.key(), a2.envelope(), Some(&a.hash()))
            .unwrap();
        assert_eq!(
            store.get_by_hash(&a.hash()).unwrap(),
            None,
            "old hash entry removed"
        );
        assert_eq!(store.load_all().unwrap().len(), 2);
        store.remove(&b.key(), &b.hash()).unwrap();
        assert_eq!(store.get_by_hash(&b.hash()).unwrap(), None);
        let all = store.load_all().unwrap();
        assert_eq!(all, vec![a2.envelope().clone()]);
        store.flush().unwrap();
    }

    #[test]
    fn sled_store_behaves() {
        let dir = tempfile::tempdir().unwrap();
        exercise(&SledStore::open(dir.path()).unwrap());
    }

    #[test]
    fn sled_store_erases_removed_and_replaced_records_from_disk() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("db");
        let found =
            |marker: &str| !steunpunt_testkit::files_containing(root.path(), marker).is_empty();
        let keep = record("keep", "blijftkwzx");
        let gone = record("gone", "weghalenkwzx");
        let old = record("old", "oudekwzx");
        let new = record("old", "nieuwekwzx");
        let store = SledStore::open(&dir).unwrap();
        for r in [&keep, &gone, &old] {
            store.put(&r.key(), r.envelope(), None).unwrap();
        }
        store.flush().unwrap();
        assert!(!store.erasure_due(), "nothing removed yet");
        store
            .put(&new.key(), new.envelope(), Some(&old.hash()))
            .unwrap();
        store.remove(&gone.key(), &gone.hash()).unwrap();
        store.flush().unwrap();
        assert!(store.erasure_due());
        assert!(
            found("weghalenkwzx") && found("oudekwzx"),
            "sled keeps removed values in its log until they are rewritten"
        );
        store.erase().unwrap();
        assert!(!store.erasure_due());
        assert!(!found("weghalenkwzx"), "a removed record is gone from disk");
        assert!(!found("oudekwzx"), "a replaced revision is gone from disk");
        assert!(
            found("blijftkwzx") && found("nieuwekwzx"),
            "live records stay"
        );
        // The store goes on as before, and opens again with everything.
        let more = record("more", "meerkwzx");
        store.put(&more.key(), more.envelope(), None).unwrap();
        store.close().unwrap();
        drop(store);
        let store = SledStore::open(&dir).unwrap();
        assert_eq!(store.load_all().unwrap().len(), 3);
        assert!(!store.erasure_due());
    }

    #[test]
    fn memory_store_behaves() {
        exercise(&MemoryStore::default());
    }

    #[test]
    fn memory_store_crash_loses_only_unflushed_writes() {
        let store = MemoryStore::default();
        let a = record("a", "eerste");
        let b = record("b", "tweede");
        store.put(&a.key(), a.envelope(), None).unwrap();
        store.flush().unwrap();
        store.put(&b.key(), b.envelope(), None).unwrap();
        store.crash();
        assert_eq!(store.load_all().unwrap(), vec![a.envelope().clone()]);
    }

    #[test]
    fn sled_store_survives_reopen_and_refuses_unknown_schema() {
        let dir = tempfile::tempdir().unwrap();
        let a = record("a", "eerste");
        {
            let store = SledStore::open(dir.path()).unwrap();
            store.put(&a.key(), a.envelope(), None).unwrap();
            store.flush().unwrap();
        }
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.load_all().unwrap(), vec![a.envelope().clone()]);
        let busy = SledStore::open(dir.path())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(busy.contains("in use by another steunpuntd"), "{busy}");
        store.set_schema_version_for_test(99).unwrap();
        drop(store);
        let err = SledStore::open(dir.path())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("storage format 99"), "{err}");
    }
}
