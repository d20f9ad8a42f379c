//! Anti-entropy sync (ARCHITECTURE.md, Replication): range-based set reconciliation with `negentropy` over the
//! (updated_at, hash) items of live records, then fetching what we lack and offering what
//! the other side lacks, in bounded pages.
//!
//! A sync is scoped to the authors **both** sides trust, so neither side is ever offered
//! records it would refuse. The opener sends its trusted authors with a first negentropy
//! frame built on them. If the responder trusts all of them it answers that frame at once;
//! otherwise it answers [`SyncResponse::Restrict`] with the common authors and the opener
//! starts again on that set. Typical exchange when one record differs: `Open` →
//! `Reconcile` (the difference is known) → `Fetch`/`Offer`: three round trips.
//!
//! This module holds no IO: the node carries the messages over libp2p, the simulation over
//! its virtual network.

use std::collections::BTreeSet;

use negentropy::{Id, Negentropy, NegentropyStorageVector};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::hash::RecordHash;
use crate::keys::SteunpuntId;

/// Largest negentropy frame either side produces.
pub const FRAME_SIZE_LIMIT: u64 = 48 * 1024;
/// Most record hashes in one fetch request.
pub const MAX_FETCH_HASHES: usize = 512;
/// Most envelope bytes in one page of records (a fetch answer or an offer).
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;
/// Largest encoded sync message: a full page plus framing.
pub const MAX_SYNC_MESSAGE_BYTES: usize =
    MAX_PAGE_BYTES + crate::envelope::MAX_ENVELOPE_BYTES + 4096;
/// Most trusted authors named in one `Open`.
pub const MAX_TRUSTED_AUTHORS: usize = 4096;
/// Most reconcile rounds before a session is abandoned (a correct peer needs far fewer).
pub const MAX_ROUNDS: u32 = 32;

/// The item a live record contributes to set reconciliation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SyncItem {
    /// `updated_at` in unix milliseconds.
    pub timestamp: u64,
    /// Hash of the envelope.
    pub hash: RecordHash,
}

/// A request from the side that runs the sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncRequest {
    /// Start a session: the authors we trust and the first negentropy frame over them.
    Open {
        /// Chosen by the opener; names the session in later messages.
        session: u64,
        /// Authors the opener trusts (sorted, no repeats).
        trusted: Vec<SteunpuntId>,
        /// First negentropy frame.
        frame: ByteBuf,
    },
    /// A further negentropy frame in an open session.
    Reconcile {
        /// The session.
        session: u64,
        /// Negentropy frame.
        frame: ByteBuf,
    },
    /// Ask for records by hash.
    Fetch {
        /// At most [`MAX_FETCH_HASHES`].
        hashes: Vec<RecordHash>,
    },
    /// Records the responder lacks, at most [`MAX_PAGE_BYTES`] of envelopes.
    Offer {
        /// Envelope bytes.
        envelopes: Vec<ByteBuf>,
    },
}

/// The answer to a [`SyncRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncResponse {
    /// Negentropy's answer to a frame.
    Reconcile {
        /// Negentropy frame.
        frame: ByteBuf,
    },
    /// The responder does not trust all the opener's authors: open again with these.
    Restrict {
        /// Authors both sides trust.
        trusted: Vec<SteunpuntId>,
    },
    /// Records asked for with `Fetch` (those still held, up to one page).
    Records {
        /// Envelope bytes.
        envelopes: Vec<ByteBuf>,
    },
    /// How many offered records the responder accepted.
    Received {
        /// Count of records that changed the responder's state.
        accepted: u32,
    },
    /// The request could not be served (unknown session, busy, malformed).
    Refused {
        /// Why, for the log.
        reason: String,
    },
}

/// Why a sync message or session failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// A message over the size limit.
    #[error("sync message of {0} bytes exceeds the limit")]
    TooLarge(usize),
    /// A message that does not decode.
    #[error("malformed sync message: {0}")]
    Malformed(String),
    /// A message that breaks a limit of the protocol.
    #[error("sync message breaks a limit: {0}")]
    OverLimit(&'static str),
    /// Negentropy rejected a frame.
    #[error("reconciliation failed: {0}")]
    Reconcile(String),
    /// The session ran more rounds than any correct peer needs.
    #[error("reconciliation did not finish within {MAX_ROUNDS} rounds")]
    TooManyRounds,
}

fn encode_cbor<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    if let Err(e) = ciborium::into_writer(value, &mut out) {
        unreachable!("encoding a sync message into memory failed: {e}");
    }
    out
}

fn decode_cbor<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, SyncError> {
    if bytes.len() > MAX_SYNC_MESSAGE_BYTES {
        return Err(SyncError::TooLarge(bytes.len()));
    }
    let mut reader = bytes;
    let value =
        ciborium::from_reader(&mut reader).map_err(|e| SyncError::Malformed(e.to_string()))?;
    if reader.is_empty() {
        Ok(value)
    } else {
        Err(SyncError::Malformed(format!(
            "{} trailing bytes",
            reader.len()
        )))
    }
}

impl SyncRequest {
    /// Encodes for the wire.
    pub fn encode(&self) -> Vec<u8> {
        encode_cbor(self)
    }

    /// Decodes and checks the protocol's limits.
    pub fn decode(bytes: &[u8]) -> Result<Self, SyncError> {
        let request: Self = decode_cbor(bytes)?;
        match &request {
            SyncRequest::Open { trusted, .. } if trusted.len() > MAX_TRUSTED_AUTHORS => {
                Err(SyncError::OverLimit("too many trusted authors"))
            }
            SyncRequest::Fetch { hashes } if hashes.len() > MAX_FETCH_HASHES => {
                Err(SyncError::OverLimit("too many hashes in one fetch"))
            }
            SyncRequest::Offer { envelopes }
                if page_bytes(envelopes) > MAX_PAGE_BYTES + crate::envelope::MAX_ENVELOPE_BYTES =>
            {
                Err(SyncError::OverLimit("offer page too large"))
            }
            _ => Ok(request),
        }
    }
}

impl SyncResponse {
    /// Encodes for the wire.
    pub fn encode(&self) -> Vec<u8> {
        encode_cbor(self)
    }

    /// Decodes and checks the protocol's limits.
    pub fn decode(bytes: &[u8]) -> Result<Self, SyncError> {
        let response: Self = decode_cbor(bytes)?;
        match &response {
            SyncResponse::Restrict { trusted } if trusted.len() > MAX_TRUSTED_AUTHORS => {
                Err(SyncError::OverLimit("too many trusted authors"))
            }
            _ => Ok(response),
        }
    }
}

fn page_bytes(envelopes: &[ByteBuf]) -> usize {
    envelopes.iter().map(|e| e.len()).sum()
}

fn storage(
    items: impl IntoIterator<Item = SyncItem>,
) -> Result<NegentropyStorageVector, SyncError> {
    let mut storage = NegentropyStorageVector::new();
    for item in items {
        storage
            .insert(item.timestamp, Id::from_byte_array(item.hash.0))
            .map_err(|e| SyncError::Reconcile(e.to_string()))?;
    }
    storage
        .seal()
        .map_err(|e| SyncError::Reconcile(e.to_string()))?;
    Ok(storage)
}

/// The opener's side of a session.
pub struct Initiator {
    session: u64,
    negentropy: Negentropy<'static, NegentropyStorageVector>,
    have: Vec<RecordHash>,
    need: Vec<RecordHash>,
    rounds: u32,
}

impl std::fmt::Debug for Initiator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Initiator")
            .field("session", &self.session)
            .field("rounds", &self.rounds)
            .field("have", &self.have.len())
            .field("need", &self.need.len())
            .finish()
    }
}

/// What to do after a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send this request next.
    Send(SyncRequest),
    /// Reconciliation is complete: fetch [`Initiator::need`], offer [`Initiator::have`].
    Done,
}

impl Initiator {
    /// Opens a session over `items`, which must be the live records of exactly the
    /// `trusted` authors.
    pub fn open(
        session: u64,
        trusted: &BTreeSet<SteunpuntId>,
        items: impl IntoIterator<Item = SyncItem>,
    ) -> Result<(Self, SyncRequest), SyncError> {
        let mut negentropy = Negentropy::owned(storage(items)?, FRAME_SIZE_LIMIT)
            .map_err(|e| SyncError::Reconcile(e.to_string()))?;
        let frame = negentropy
            .initiate()
            .map_err(|e| SyncError::Reconcile(e.to_string()))?;
        let request = SyncRequest::Open {
            session,
            trusted: trusted.iter().copied().collect(),
            frame: ByteBuf::from(frame),
        };
        let initiator = Self {
            session,
            negentropy,
            have: Vec::new(),
            need: Vec::new(),
            rounds: 0,
        };
        Ok((initiator, request))
    }

    /// Handles a `Reconcile` answer. `Restrict` and `Refused` are for the caller, which
    /// knows how to rebuild the item set.
    pub fn on_frame(&mut self, frame: &[u8]) -> Result<Step, SyncError> {
        self.rounds += 1;
        if self.rounds > MAX_ROUNDS {
            return Err(SyncError::TooManyRounds);
        }
        let mut have = Vec::new();
        let mut need = Vec::new();
        let next = self
            .negentropy
            .reconcile_with_ids(frame, &mut have, &mut need)
            .map_err(|e| SyncError::Reconcile(e.to_string()))?;
        self.have.extend(have.into_iter().map(|id| RecordHash(*id)));
        self.need.extend(need.into_iter().map(|id| RecordHash(*id)));
        Ok(match next {
            Some(frame) => Step::Send(SyncRequest::Reconcile {
                session: self.session,
                frame: ByteBuf::from(frame),
            }),
            None => {
                // negentropy reports ids in hash-set order, which differs between runs;
                // sorted, the same sets always give the same requests.
                self.have.sort_unstable();
                self.need.sort_unstable();
                Step::Done
            }
        })
    }

    /// Hashes we hold that the responder lacks.
    pub fn have(&self) -> &[RecordHash] {
        &self.have
    }

    /// Hashes the responder holds that we lack.
    pub fn need(&self) -> &[RecordHash] {
        &self.need
    }

    /// Reconcile rounds so far.
    pub fn rounds(&self) -> u32 {
        self.rounds
    }
}

/// The responder's side of a session: a snapshot of its items for the common authors.
pub struct Responder {
    negentropy: Negentropy<'static, NegentropyStorageVector>,
    rounds: u32,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("rounds", &self.rounds)
            .finish()
    }
}

impl Responder {
    /// A responder over `items`: the live records of the authors both sides trust.
    pub fn new(items: impl IntoIterator<Item = SyncItem>) -> Result<Self, SyncError> {
        let negentropy = Negentropy::owned(storage(items)?, FRAME_SIZE_LIMIT)
            .map_err(|e| SyncError::Reconcile(e.to_string()))?;
        Ok(Self {
            negentropy,
            rounds: 0,
        })
    }

    /// Answers one frame.
    pub fn reconcile(&mut self, frame: &[u8]) -> Result<Vec<u8>, SyncError> {
        self.rounds += 1;
        if self.rounds > MAX_ROUNDS {
            return Err(SyncError::TooManyRounds);
        }
        self.negentropy
            .reconcile(frame)
            .map_err(|e| SyncError::Reconcile(e.to_string()))
    }
}

/// The authors a responder that trusts `ours` will sync with an opener that trusts
/// `theirs`: `None` if it trusts all of them (answer at once), else the common set.
pub fn restrict(
    theirs: &[SteunpuntId],
    ours: impl Fn(&SteunpuntId) -> bool,
) -> Option<Vec<SteunpuntId>> {
    if theirs.iter().all(&ours) {
        None
    } else {
        Some(theirs.iter().copied().filter(|id| ours(id)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(n: u32) -> SyncItem {
        let mut hash = [0u8; 32];
        hash[..4].copy_from_slice(&n.to_be_bytes());
        SyncItem {
            timestamp: 1_000 + u64::from(n),
            hash: RecordHash(hash),
        }
    }

    /// Runs a whole reconciliation in memory; returns (have, need, round trips, bytes).
    fn reconcile(ours: &[u32], theirs: &[u32]) -> (Vec<RecordHash>, Vec<RecordHash>, usize, usize) {
        let (mut initiator, request) =
            Initiator::open(7, &BTreeSet::new(), ours.iter().map(|n| item(*n))).unwrap();
        let mut responder = Responder::new(theirs.iter().map(|n| item(*n))).unwrap();
        let mut bytes = 0;
        let mut trips = 0;
        let mut request = request;
        loop {
            let wire = request.encode();
            bytes += wire.len();
            trips += 1;
            let frame = match SyncRequest::decode(&wire).unwrap() {
                SyncRequest::Open { frame, .. } | SyncRequest::Reconcile { frame, .. } => frame,
                other => panic!("unexpected {other:?}"),
            };
            let response = SyncResponse::Reconcile {
                frame: ByteBuf::from(responder.reconcile(&frame).unwrap()),
            };
            let wire = response.encode();
            bytes += wire.len();
            let SyncResponse::Reconcile { frame } = SyncResponse::decode(&wire).unwrap() else {
                panic!()
            };
            match initiator.on_frame(&frame).unwrap() {
                Step::Send(next) => request = next,
                Step::Done => break,
            }
        }
        let mut have = initiator.have().to_vec();
        let mut need = initiator.need().to_vec();
        have.sort();
        need.sort();
        (have, need, trips, bytes)
    }

    #[test]
    fn finds_both_directions_of_difference() {
        let ours: Vec<u32> = (0..500).filter(|n| n % 97 != 0).collect();
        let theirs: Vec<u32> = (0..500).filter(|n| n % 89 != 0).collect();
        let (have, need, _, _) = reconcile(&ours, &theirs);
        let expect = |a: &[u32], b: &[u32]| {
            let mut v: Vec<RecordHash> = a
                .iter()
                .filter(|n| !b.contains(n))
                .map(|n| item(*n).hash)
                .collect();
            v.sort();
            v
        };
        assert_eq!(have, expect(&ours, &theirs));
        assert_eq!(need, expect(&theirs, &ours));
    }

    #[test]
    fn one_difference_in_a_thousand_is_cheap() {
        let theirs: Vec<u32> = (0..1000).collect();
        let ours: Vec<u32> = (0..999).collect();
        let (have, need, trips, bytes) = reconcile(&ours, &theirs);
        assert!(have.is_empty());
        assert_eq!(need, vec![item(999).hash]);
        assert!(trips <= 2, "{trips} reconcile round trips");
        assert!(bytes <= 4096, "{bytes} bytes");
    }

    #[test]
    fn limits_are_enforced_on_decode() {
        let hashes = vec![RecordHash([0; 32]); MAX_FETCH_HASHES + 1];
        let wire = SyncRequest::Fetch { hashes }.encode();
        assert_eq!(
            SyncRequest::decode(&wire),
            Err(SyncError::OverLimit("too many hashes in one fetch"))
        );
        assert!(matches!(
            SyncRequest::decode(&[0xff, 0x00]),
            Err(SyncError::Malformed(_))
        ));
        assert!(matches!(
            SyncRequest::decode(&vec![0u8; MAX_SYNC_MESSAGE_BYTES + 1]),
            Err(SyncError::TooLarge(_))
        ));
    }

    #[test]
    fn restrict_to_common_authors() {
        let a = crate::testing::key(1).id();
        let b = crate::testing::key(2).id();
        assert_eq!(restrict(&[a], |_| true), None);
        assert_eq!(restrict(&[a, b], |id| *id == a), Some(vec![a]));
    }
}
