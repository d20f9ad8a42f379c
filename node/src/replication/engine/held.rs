//! What the engine holds: the in-memory index beside the store, trust, expiry, the
//! items and pages sync reads, and flushing and erasing through the store.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;
use steunpunt_protocol::sync::MAX_PAGE_BYTES;
use steunpunt_protocol::{
    Body, Kind, Record, RecordHash, RecordKey, ShortHash, SteunpuntId, Timestamp, TrustSet, Version,
};

use crate::store::{Store, StoreError};

use super::{Engine, HeldRecords};

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

impl<S: Store> Engine<S> {
    pub(super) fn remember(&mut self, record: &Record) {
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
    pub(super) fn store_failed(&mut self, e: StoreError) -> StoreError {
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
    pub(super) fn clock_ahead(
        &mut self,
        author: SteunpuntId,
        updated_at: Timestamp,
        now: Timestamp,
    ) {
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
    pub(super) fn store_ok(&mut self) {
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
    pub(super) fn stored_records(&self) -> Result<Vec<Record>, StoreError> {
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

    pub(super) fn keys_where(&self, wanted: impl Fn(&RecordKey, &Meta) -> bool) -> Vec<RecordKey> {
        self.index
            .iter()
            .filter(|(k, m)| wanted(k, m))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Recomputes trust; drops the records of authors no longer trusted. Returns whether
    /// the trusted set changed.
    pub(super) fn recompute_trust(&mut self) -> Result<bool, StoreError> {
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
}
