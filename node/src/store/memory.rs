//! An in-memory [`Store`] for simulations and tests that keeps the durability contract
//! observable: writes are visible at once but survive [`MemoryStore::crash`] only after
//! [`Store::flush`], as on a real disk.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use steunpunt_protocol::{Envelope, RecordHash, RecordKey};

use super::{Store, StoreError, hash_key_bytes, record_key_bytes};

#[derive(Default)]
struct Tables {
    records: BTreeMap<Vec<u8>, Envelope>,
    hashes: BTreeMap<Vec<u8>, Vec<u8>>,
}

/// The keys written or removed since the last flush, in each table.
#[derive(Default)]
struct Dirty {
    records: BTreeSet<Vec<u8>>,
    hashes: BTreeSet<Vec<u8>>,
}

/// Copies the entries named in `keys` from `from` to `to` (removing those `from` lacks).
fn copy_keys<V: Clone>(
    keys: &BTreeSet<Vec<u8>>,
    from: &BTreeMap<Vec<u8>, V>,
    to: &mut BTreeMap<Vec<u8>, V>,
) {
    for key in keys {
        match from.get(key) {
            Some(value) => to.insert(key.clone(), value.clone()),
            None => to.remove(key),
        };
    }
}

#[derive(Default)]
struct State {
    visible: Tables,
    durable: Tables,
    dirty: Dirty,
}

/// Records in memory, with a separate durable copy updated by `flush`. Only what changed
/// since the last flush is copied, so a long simulation stays linear in its writes.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> Result<T, StoreError> {
        let mut guard = self
            .state
            .lock()
            .map_err(|_| StoreError::Engine("memory store lock poisoned".into()))?;
        Ok(f(&mut guard))
    }

    /// Simulates a crash: every write since the last flush is lost.
    pub fn crash(&self) {
        let _ = self.with(|s| {
            let dirty = std::mem::take(&mut s.dirty);
            copy_keys(&dirty.records, &s.durable.records, &mut s.visible.records);
            copy_keys(&dirty.hashes, &s.durable.hashes, &mut s.visible.hashes);
        });
    }
}

impl Store for MemoryStore {
    fn load_all(&self) -> Result<Vec<Envelope>, StoreError> {
        self.with(|s| s.visible.records.values().cloned().collect())
    }

    fn put(
        &self,
        key: &RecordKey,
        envelope: &Envelope,
        replaces: Option<&RecordHash>,
    ) -> Result<(), StoreError> {
        self.with(|s| {
            if let Some(old) = replaces {
                let old = hash_key_bytes(old);
                s.visible.hashes.remove(&old);
                s.dirty.hashes.insert(old);
            }
            let record_key = record_key_bytes(key);
            let hash = hash_key_bytes(&envelope.hash());
            s.visible.hashes.insert(hash.clone(), record_key.clone());
            s.dirty.hashes.insert(hash);
            s.visible
                .records
                .insert(record_key.clone(), envelope.clone());
            s.dirty.records.insert(record_key);
        })
    }

    fn remove(&self, key: &RecordKey, hash: &RecordHash) -> Result<(), StoreError> {
        self.with(|s| {
            let hash = hash_key_bytes(hash);
            let record_key = record_key_bytes(key);
            s.visible.hashes.remove(&hash);
            s.visible.records.remove(&record_key);
            s.dirty.hashes.insert(hash);
            s.dirty.records.insert(record_key);
        })
    }

    fn get_by_hash(&self, hash: &RecordHash) -> Result<Option<Envelope>, StoreError> {
        self.with(|s| {
            s.visible
                .hashes
                .get(&hash_key_bytes(hash))
                .and_then(|key| s.visible.records.get(key))
                .filter(|e| e.hash() == *hash)
                .cloned()
        })
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.with(|s| {
            let dirty = std::mem::take(&mut s.dirty);
            copy_keys(&dirty.records, &s.visible.records, &mut s.durable.records);
            copy_keys(&dirty.hashes, &s.visible.hashes, &mut s.durable.hashes);
        })
    }
}
