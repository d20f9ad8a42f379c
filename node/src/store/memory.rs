//! An in-memory [`Store`] for simulations and tests that keeps the durability contract
//! observable: writes are visible at once but survive [`MemoryStore::crash`] only after
//! [`Store::flush`], as on a real disk.

use std::collections::BTreeMap;
use std::sync::Mutex;

use steunpunt_protocol::{Envelope, RecordHash, RecordKey};

use super::{Store, StoreError, hash_key_bytes, record_key_bytes};

#[derive(Clone, Default)]
struct Tables {
    records: BTreeMap<Vec<u8>, Envelope>,
    hashes: BTreeMap<Vec<u8>, Vec<u8>>,
}

/// Records in memory, with a separate durable copy updated by `flush`.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<(Tables, Tables)>, // (visible, durable)
}

impl MemoryStore {
    fn with<T>(&self, f: impl FnOnce(&mut Tables, &mut Tables) -> T) -> Result<T, StoreError> {
        let mut guard = self
            .state
            .lock()
            .map_err(|_| StoreError::Engine("memory store lock poisoned".into()))?;
        let (visible, durable) = &mut *guard;
        Ok(f(visible, durable))
    }

    /// Simulates a crash: every write since the last flush is lost.
    pub fn crash(&self) {
        let _ = self.with(|visible, durable| *visible = durable.clone());
    }
}

impl Store for MemoryStore {
    fn load_all(&self) -> Result<Vec<Envelope>, StoreError> {
        self.with(|visible, _| visible.records.values().cloned().collect())
    }

    fn put(
        &self,
        key: &RecordKey,
        envelope: &Envelope,
        replaces: Option<&RecordHash>,
    ) -> Result<(), StoreError> {
        self.with(|visible, _| {
            if let Some(old) = replaces {
                visible.hashes.remove(&hash_key_bytes(old));
            }
            let record_key = record_key_bytes(key);
            visible
                .hashes
                .insert(hash_key_bytes(&envelope.hash()), record_key.clone());
            visible.records.insert(record_key, envelope.clone());
        })
    }

    fn remove(&self, key: &RecordKey, hash: &RecordHash) -> Result<(), StoreError> {
        self.with(|visible, _| {
            visible.hashes.remove(&hash_key_bytes(hash));
            visible.records.remove(&record_key_bytes(key));
        })
    }

    fn get_by_hash(&self, hash: &RecordHash) -> Result<Option<Envelope>, StoreError> {
        self.with(|visible, _| {
            visible
                .hashes
                .get(&hash_key_bytes(hash))
                .and_then(|key| visible.records.get(key))
                .filter(|e| e.hash() == *hash)
                .cloned()
        })
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.with(|visible, durable| *durable = visible.clone())
    }
}
