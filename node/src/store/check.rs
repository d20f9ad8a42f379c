//! The store's own check: how many writes it has taken and which records it holds, kept
//! in a small file beside it (`db.check`).
//!
//! sled recovers a truncated or partly overwritten log by keeping what it can read, so a
//! damaged store opens as a smaller one without complaint. The check lives outside sled
//! because anything inside would be rolled back together with the records. It is
//! written after a flush, so the file never claims more than the disk holds; a store that
//! has taken more writes than the file knows (a crash between the two) is accepted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use steunpunt_protocol::{Kind, RecordHash, SteunpuntId};

use super::StoreError;

const FORMAT: u32 = 1;

/// What the store holds, kept up to date with every write.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Ledger {
    /// Batches applied since the store was created; never goes down.
    pub writes: u64,
    /// Records held, by author and kind.
    pub counts: BTreeMap<([u8; 32], u8), u64>,
    /// XOR of the held records' hashes: order-free, updated in O(1).
    pub digest: [u8; 32],
}

impl Ledger {
    pub fn add(&mut self, author: [u8; 32], kind: u8, hash: &RecordHash) {
        *self.counts.entry((author, kind)).or_default() += 1;
        self.toggle(hash);
    }

    pub fn remove(&mut self, author: [u8; 32], kind: u8, hash: &RecordHash) {
        if let Some(count) = self.counts.get_mut(&(author, kind)) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.counts.remove(&(author, kind));
            }
        }
        self.toggle(hash);
    }

    /// Adds a hash to the digest, or takes it out again.
    pub fn toggle(&mut self, hash: &RecordHash) {
        for (d, h) in self.digest.iter_mut().zip(hash.0) {
            *d ^= h;
        }
    }

    fn to_file(&self) -> CheckFile {
        let mut records: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for ((author, kind), count) in &self.counts {
            records
                .entry(author_name(author))
                .or_default()
                .insert(kind_name(*kind), *count);
        }
        CheckFile {
            format: FORMAT,
            writes: self.writes,
            records,
            digest: data_encoding::HEXLOWER.encode(&self.digest),
        }
    }
}

fn author_name(author: &[u8; 32]) -> String {
    SteunpuntId::from_bytes(*author)
        .map(|id| id.to_string())
        .unwrap_or_else(|_| data_encoding::HEXLOWER.encode(author))
}

fn kind_name(kind: u8) -> String {
    [
        Kind::Profile,
        Kind::Peering,
        Kind::Organisation,
        Kind::Vacancy,
    ]
    .into_iter()
    .find(|k| super::kind_byte(*k) == kind)
    .map_or_else(|| format!("kind {kind}"), |k| k.as_str().to_owned())
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    format: u32,
    writes: u64,
    /// Author → kind → count.
    records: BTreeMap<String, BTreeMap<String, u64>>,
    digest: String,
}

/// Records of one author and kind that the store holds fewer of than it should.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The author's steunpunt ID.
    pub author: String,
    /// The kind (`vacancy`, …).
    pub kind: String,
    /// How many the check recorded.
    pub expected: u64,
    /// How many the store holds.
    pub found: u64,
}

/// How a store differs from its check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shrinkage {
    /// Writes recorded by the check, and found in the store.
    pub writes: (u64, u64),
    /// Record counts that went down.
    pub missing: Vec<Missing>,
}

impl Shrinkage {
    /// What was lost, in one clause.
    pub fn lost(&self) -> String {
        let (expected, found) = self.writes;
        if expected > found {
            format!(
                "it has lost its last {} writes",
                expected.saturating_sub(found)
            )
        } else {
            "it holds other records than when it was last checked".to_owned()
        }
    }
}

impl std::fmt::Display for Shrinkage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let missing: u64 = self
            .missing
            .iter()
            .map(|m| m.expected.saturating_sub(m.found))
            .sum();
        write!(f, "{}; {missing} records are missing", self.lost())
    }
}

/// The check file of the store in `db`.
pub(crate) fn path_of(db: &Path) -> PathBuf {
    db.with_extension("check")
}

/// Compares the store's ledger `found` with the check file at `path`: `Ok(true)` when
/// they agree, `Ok(false)` when the check is behind (no file yet, or writes made after it
/// was recorded), `Err` when the store holds less than the check recorded.
pub(crate) fn compare(path: &Path, found: &Ledger) -> Result<bool, StoreError> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(StoreError::Engine(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    let expected: CheckFile =
        serde_json::from_slice(&text).map_err(|e| StoreError::CheckUnreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    let now = found.to_file();
    if found.writes > expected.writes {
        return Ok(false);
    }
    if found.writes == expected.writes && now == expected {
        return Ok(true);
    }
    let mut missing = Vec::new();
    for (author, kinds) in &expected.records {
        for (kind, &count) in kinds {
            let held = now
                .records
                .get(author)
                .and_then(|k| k.get(kind))
                .copied()
                .unwrap_or(0);
            if held < count {
                missing.push(Missing {
                    author: author.clone(),
                    kind: kind.clone(),
                    expected: count,
                    found: held,
                });
            }
        }
    }
    Err(StoreError::Shrunk(Box::new(Shrinkage {
        writes: (expected.writes, found.writes),
        missing,
    })))
}

/// Records `ledger` as the store's check, replacing the file atomically.
pub(crate) fn record(path: &Path, ledger: &Ledger) -> Result<(), StoreError> {
    let text = serde_json::to_vec_pretty(&ledger.to_file())
        .map_err(|e| StoreError::Engine(e.to_string()))?;
    crate::data_dir::write_private(path, &text).map_err(|e| StoreError::Engine(e.to_string()))
}
