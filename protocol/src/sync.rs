//! Set-reconciliation items: one per live record, ordered by (updated_at, hash).

use crate::hash::RecordHash;

/// The item a live record contributes to set reconciliation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SyncItem {
    /// `updated_at` in unix milliseconds.
    pub timestamp: u64,
    /// Hash of the envelope.
    pub hash: RecordHash,
}
